using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// Apps/HttpServer on QEMU's virtio-net in its three shapes: transitional (legacy + modern interface, MSI-X),
/// modern only (<c>disable-legacy=on</c>) and without MSI-X (<c>vectors=0</c>: the INTx path), and with the optional
/// features switched off. Each case boots its own guest on user-mode networking.
/// </summary>
[Collection("guests")]
public sealed class VirtioTests(ITestOutputHelper log)
{
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(60), SlirpAcceptTimeout = TimeSpan.FromSeconds(200);

    [Theory]
    [InlineData("virtio-net-pci", "MSI-X vector")]
    [InlineData("virtio-net-pci,disable-legacy=on", "MSI-X vector")]
    [InlineData("virtio-net-pci,vectors=0", "INTx IRQ")]
    [InlineData("virtio-net-pci,event_idx=off,mrg_rxbuf=off,status=off", "MSI-X vector")]   // only VERSION_1 and MAC
    public async Task Serves_get_a_4_MiB_echo_and_20_parallel_connections(string device, string interrupt)
    {
        using var guest = new ServerGuest(device);
        string nicLine = guest.Serial.Split('\n').First(l => l.StartsWith("net: virtio", StringComparison.Ordinal));
        log.WriteLine(nicLine);
        Assert.Contains("net: virtio 52:54:00:12:34:56", nicLine);
        Assert.Contains("link up", nicLine);
        Assert.Contains(interrupt, nicLine);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Serial);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };
        using (var root = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", await root.Content.ReadAsStringAsync());
        }

        var payload = RandomNumberGenerator.GetBytes(4 << 20);
        using (var echo = await client.PostAsync("/echo", new ByteArrayContent(payload)))
        {
            Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
            var body = await echo.Content.ReadAsByteArrayAsync();
            Assert.Equal(payload.Length, body.Length);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(body));
        }

        // QEMU's user-mode network listens for a host forward with a backlog of 1: of 20 simultaneous connects most
        // wait for Linux to retransmit the SYN-ACK (1, 2, 4 ... 32 s) before QEMU accepts them and only then opens the
        // guest connection; hence the long timeout. The TAP test opens 20 connections straight to the guest.
        var parallel = await Task.WhenAll(Enumerable.Range(0, 20).Select(async _ =>
        {
            using var c = new HttpClient { BaseAddress = client.BaseAddress, Timeout = SlirpAcceptTimeout };   // a connection each
            using var r = await c.GetAsync("/");
            return (r.StatusCode, Body: await r.Content.ReadAsStringAsync());
        }));
        Assert.All(parallel, r => { Assert.Equal(HttpStatusCode.OK, r.StatusCode); Assert.Contains("Hello from CosmosNet", r.Body); });
        Assert.True(guest.Running);
        Assert.DoesNotContain("PANIC", guest.Serial);
    }

    [Theory]
    [InlineData("virtio-net-pci")]
    [InlineData("virtio-net-pci,vectors=1")]   // queue and configuration share the one MSI-X entry
    [InlineData("virtio-net-pci,vectors=0")]
    public async Task Link_down_and_up_from_the_qemu_monitor_is_reported_and_the_server_keeps_serving(string device)
    {
        string monitor = Path.Combine(Path.GetTempPath(), $"cosmosnet-virtio-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            using var guest = new ServerGuest(device, monitor);
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(monitor));
            await socket.SendAsync(Encoding.ASCII.GetBytes("set_link n0 off\n"));
            await WaitForAsync(guest, "virtio-net 52:54:00:12:34:56: link down");
            await socket.SendAsync(Encoding.ASCII.GetBytes("set_link n0 on\n"));
            await WaitForAsync(guest, "virtio-net 52:54:00:12:34:56: link up");

            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };
            using var root = await client.GetAsync("/");
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        }
        finally { File.Delete(monitor); }
    }

    static async Task WaitForAsync(ServerGuest guest, string line)
    {
        var until = DateTime.UtcNow + IoTimeout;
        while (!guest.Serial.Contains(line))
        {
            Assert.True(guest.Running && DateTime.UtcNow < until, $"no \"{line}\" on the serial console:\n{guest.Serial}");
            await Task.Delay(20);
        }
    }
}
