using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// Apps/HttpServer served through each INic driver (QEMU user-mode network, the same image): the driver is chosen
/// and bound to the interrupt expected, the DHCP lease arrives, GET / and a 4 MiB POST / echo (SHA-256) work, a
/// 16 MiB stream comes back intact from the echo port, and 20 parallel connections are all served.
/// </summary>
public abstract class NicTests(ServerGuest guest, ITestOutputHelper log, string driverLine, string? offloadLine = null)
{
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(120);

    [Fact]
    public void Binds_the_driver_and_gets_a_dhcp_lease()
    {
        log.WriteLine(guest.Serial);
        Assert.Contains(driverLine, guest.Serial);
        if (offloadLine is not null) Assert.Contains(offloadLine, guest.Serial);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Serial);
    }

    [Fact]
    public async Task Serves_get_and_a_4_MiB_post_echo_intact()
    {
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };
        using var page = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<h1>Hello from CosmosNet</h1>", await page.Content.ReadAsStringAsync());

        var payload = RandomNumberGenerator.GetBytes(4 << 20);
        using var echo = await client.PostAsync("/", new ByteArrayContent(payload));   // POST / echoes the body (Http11Probe contract)
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Equal(SHA256.HashData(payload), SHA256.HashData(await echo.Content.ReadAsByteArrayAsync()));
    }

    [Fact]
    public async Task Echo_port_returns_16_MiB_intact()
    {
        var data = RandomNumberGenerator.GetBytes(16 << 20);
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(IPAddress.Loopback, guest.EchoPort);
        var send = Task.Run(async () =>
        {
            for (int offset = 0; offset < data.Length; offset += 64 * 1024)
                await socket.SendAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
            socket.Shutdown(SocketShutdown.Send);
        });
        using var received = new MemoryStream();
        var buffer = new byte[256 * 1024];
        using var cancel = new CancellationTokenSource(IoTimeout);
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0) received.Write(buffer, 0, n);
        await send;
        Assert.Equal(data.Length, received.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received.ToArray()));
    }

    /// <summary>
    /// 20 connections open at once, their requests in flight together. The connections are opened one after the
    /// other because QEMU's user-mode network listens on each forwarded port with a backlog of 1: 20 simultaneous
    /// connects overflow the host's accept queue, and the host TCP's SYN backoff (1, 2, 4 ... 64 s) then decides
    /// the test's duration, whatever the guest's card.
    /// </summary>
    [Fact]
    public async Task Serves_20_parallel_connections()
    {
        using var cancel = new CancellationTokenSource(IoTimeout);
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                await socket.ConnectAsync(IPAddress.Loopback, guest.HttpPort, cancel.Token);
            }
            var responses = await Task.WhenAll(sockets.Select(async socket =>
            {
                // Connection: close: the server keeps HTTP/1.1 connections open otherwise; reading to the end needs its FIN.
                await socket.SendAsync("GET / HTTP/1.1\r\nHost: guest\r\nConnection: close\r\n\r\n"u8.ToArray(), SocketFlags.None, cancel.Token);
                using var response = new MemoryStream();
                var buffer = new byte[4096];
                int n;
                while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cancel.Token)) > 0) response.Write(buffer, 0, n);
                return System.Text.Encoding.ASCII.GetString(response.ToArray());
            }));
            Assert.All(responses, r =>
            {
                Assert.StartsWith("HTTP/1.1 200 OK\r\n", r);
                Assert.Contains("<h1>Hello from CosmosNet</h1>", r);
            });
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }
    }
}

public sealed class E1000Guest() : ServerGuest(Nic.E1000);
public sealed class Rtl8139Guest() : ServerGuest(Nic.Rtl8139);
public sealed class E1000eGuest() : ServerGuest(Nic.E1000e);
/// <summary>The fallback interrupt modes also run with the offloads off (<c>nic.offload=off</c>): one MSS per frame,
/// checksums by the stack, no receive coalescing.</summary>
public sealed class E1000eIntxGuest() : ServerGuest(Nic.E1000e, append: "nic.irq=intx nic.offload=off");
public sealed class Vmxnet3Guest() : ServerGuest(Nic.Vmxnet3);
public sealed class Vmxnet3MsiGuest() : ServerGuest(Nic.Vmxnet3, append: "nic.irq=msi nic.offload=off");

/// <summary>The 82540EM driver through the same tests: the baseline the other cards are compared with.</summary>
[Collection("guests")]
public sealed class E1000Tests(E1000Guest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: e1000 52:54:00:12:34:56, link up", "e1000: offloads tx-checksum tso4"), IClassFixture<E1000Guest>;

[Collection("guests")]
public sealed class Rtl8139Tests(Rtl8139Guest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: rtl8139 52:54:00:12:34:56, link up, INTx IRQ"), IClassFixture<Rtl8139Guest>;

[Collection("guests")]
public sealed class E1000eTests(E1000eGuest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: e1000e 52:54:00:12:34:56, link up, MSI-X vectors", "e1000e: offloads tx-checksum tso4"), IClassFixture<E1000eGuest>;

[Collection("guests")]
public sealed class E1000eIntxTests(E1000eIntxGuest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: e1000e 52:54:00:12:34:56, link up, INTx IRQ", "e1000e: offloads off"), IClassFixture<E1000eIntxGuest>;

[Collection("guests")]
public sealed class Vmxnet3Tests(Vmxnet3Guest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: vmxnet3 52:54:00:12:34:56, link up, MSI-X vectors", "vmxnet3: offloads tx-checksum tso4 rx-checksum lro"), IClassFixture<Vmxnet3Guest>;

[Collection("guests")]
public sealed class Vmxnet3MsiTests(Vmxnet3MsiGuest guest, ITestOutputHelper log)
    : NicTests(guest, log, "net: vmxnet3 52:54:00:12:34:56, link up, MSI vector", "vmxnet3: offloads off"), IClassFixture<Vmxnet3MsiGuest>;
