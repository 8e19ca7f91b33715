using System.Net;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// Apps/HttpServer's ISO in Bochs 2.7 with Bochs's e1000 (an 82540EM: INTx only, 32-bit MMIO accesses only) on its
/// slirp network: the DHCP lease comes from slirp, and the host reaches the server through a slirp.conf
/// <c>hostfwd</c> on a free loopback port.
/// </summary>
[Collection("guests")]
public sealed class BochsNetTests(ITestOutputHelper log)
{
    static readonly TimeSpan BootTimeout = TimeSpan.FromMinutes(5), IoTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_server_in_bochs_takes_a_dhcp_lease_and_serves_through_a_slirp_host_forward()
    {
        string iso = Image.BuildIso(ServerGuest.Elf);
        int port = ServerGuest.FreePort();
        using var guest = Bochs.Start(iso, BootTimeout + TimeSpan.FromMinutes(3), network: new UserNetwork(new Forward(port, 80)));
        guest.WaitForLine("http: listening", BootTimeout);
        log.WriteLine(guest.Output);
        Assert.Contains("8086:100e class 02:00 -> e1000", guest.Output);
        Assert.Contains($"net: e1000 {Bochs.NicMac}, link up, INTx IRQ", guest.Output);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Output);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = IoTimeout };
        using (var root = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", await root.Content.ReadAsStringAsync());
        }
        var body = new string('b', 20_000);   // several segments each way through the e1000 and slirp
        using (var echo = await client.PostAsync("/", new StringContent(body)))
        {
            Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
            Assert.Equal(body, await echo.Content.ReadAsStringAsync());
        }
        Assert.DoesNotContain("PANIC", guest.Output);
    }
}
