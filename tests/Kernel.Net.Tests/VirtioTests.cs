using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using CosmosNet.Harness;
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
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("", "MSI-X vector")]
    [InlineData("disable-legacy=on", "MSI-X vector")]
    [InlineData("vectors=0", "INTx IRQ")]
    [InlineData("event_idx=off,mrg_rxbuf=off,status=off", "MSI-X vector")]   // only VERSION_1 and MAC
    public async Task Serves_get_a_4_MiB_echo_and_20_connections_in_parallel(string properties, string interrupt)
    {
        using var guest = new ServerGuest(Nic.Virtio, properties);
        string nicLine = guest.Serial.Split('\n').First(l => l.StartsWith("net: virtio", StringComparison.Ordinal));
        log.WriteLine(nicLine);
        Assert.Contains("net: virtio 52:54:00:12:34:56", nicLine);
        Assert.Contains("link up", nicLine);
        Assert.Contains(interrupt, nicLine);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Serial);
        // QEMU's user network offers no checksum offload: the stack computes and verifies every checksum itself.
        string features = guest.Serial.Split('\n').First(l => l.StartsWith("virtio-net: features", StringComparison.Ordinal));
        log.WriteLine(features);
        Assert.DoesNotContain("CSUM", features);

        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };
        using (var root = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, root.StatusCode);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", await root.Content.ReadAsStringAsync());
        }

        var payload = RandomNumberGenerator.GetBytes(4 << 20);
        using (var echo = await client.PostAsync("/", new ByteArrayContent(payload)))   // POST / echoes the body (Http11Probe contract)
        {
            Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
            var body = await echo.Content.ReadAsByteArrayAsync();
            Assert.Equal(payload.Length, body.Length);
            Assert.Equal(SHA256.HashData(payload), SHA256.HashData(body));
        }

        // 20 connections open at once, each moving 64 KiB through the echo port in parallel. They are opened one
        // after another (each proven by an echoed greeting) because QEMU's user-mode network listens for a host
        // forward with a backlog of 1: simultaneous connects overflow it and Linux resets some of them, whatever the
        // guest does. The TAP test makes 20 simultaneous connections straight to the guest.
        var sockets = new List<Socket>();
        try
        {
            for (int i = 0; i < 20; i++)
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                using var cts = new CancellationTokenSource(IoTimeout);
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, guest.EchoPort), cts.Token);
                var greeting = Encoding.ASCII.GetBytes($"connection {i:D2}\n");
                await socket.SendAsync(greeting);
                Assert.Equal(greeting, await ReadExactlyAsync(socket, greeting.Length));
            }
            var echoed = await Task.WhenAll(sockets.Select(async socket =>
            {
                var data = RandomNumberGenerator.GetBytes(64 * 1024);
                var send = socket.SendAsync(data);
                var back = await ReadExactlyAsync(socket, data.Length);
                await send;
                return (data, back);
            }));
            Assert.All(echoed, e => Assert.Equal(e.data, e.back));
        }
        finally { foreach (var socket in sockets) socket.Dispose(); }
        Assert.True(guest.Running);
        Assert.DoesNotContain("PANIC", guest.Serial);
    }

    [Theory]
    [InlineData("")]
    [InlineData("vectors=1")]   // queue and configuration share the one MSI-X entry
    [InlineData("vectors=0")]
    public async Task Link_down_and_up_from_the_qemu_monitor_is_reported_and_the_server_keeps_serving(string properties)
    {
        string monitor = Path.Combine(Path.GetTempPath(), $"cosmosnet-virtio-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            using var guest = new ServerGuest(Nic.Virtio, properties, monitor);
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

    static async Task<byte[]> ReadExactlyAsync(Socket socket, int length)
    {
        using var cts = new CancellationTokenSource(IoTimeout);
        var buffer = new byte[length];
        for (int have = 0; have < length;)
        {
            int n = await socket.ReceiveAsync(buffer.AsMemory(have), SocketFlags.None, cts.Token);
            if (n == 0) throw new IOException($"end of stream after {have} of {length} bytes");
            have += n;
        }
        return buffer;
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
