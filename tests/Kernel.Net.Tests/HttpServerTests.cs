using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

[Collection("guests")] // one QEMU at a time on the 2-core machine
/// <summary>The default app served from QEMU: HTTP on 80 and echo on 7, reached through QEMU's port forwards.</summary>
public sealed class HttpServerTests(ServerGuest guest, ITestOutputHelper log) : IClassFixture<ServerGuest>
{
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(30);

    HttpClient Client() => new() { BaseAddress = new Uri($"http://127.0.0.1:{guest.HttpPort}/"), Timeout = IoTimeout };

    [Fact]
    public async Task Boots_and_gets_a_dhcp_lease_from_qemu()
    {
        Assert.Contains("pci 00:00.0 8086:1237 class 06:00", guest.Serial);          // the i440FX host bridge, no driver
        string model = guest.Nic.ToString().ToLowerInvariant();
        Assert.Contains($"class 02:00 -> {model}", guest.Serial);                     // the NIC, claimed by the table
        Assert.Contains($"net: {model} 52:54:00:12:34:56, link up", guest.Serial);
        Assert.Contains("DHCP lease 10.0.2.15/24 gw 10.0.2.2", guest.Serial);
        log.WriteLine($"boot to DHCP lease (QEMU start to serial line): {guest.BootToLease.TotalMilliseconds:F0} ms");
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Get_root_returns_the_page()
    {
        using var client = Client();
        var watch = Stopwatch.StartNew();
        using var response = await client.GetAsync("/");
        string body = await response.Content.ReadAsStringAsync();
        log.WriteLine($"GET / in {watch.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Contains("<h1>Hello from CosmosNet</h1>", body);
    }

    [Fact]
    public async Task Post_echo_returns_the_body_and_unknown_paths_are_404()
    {
        using var client = Client();
        var payload = RandomNumberGenerator.GetBytes(100_000);
        using var response = await client.PostAsync("/echo", new ByteArrayContent(payload));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());

        using var missing = await client.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var wrongMethod = await client.PostAsync("/", new StringContent("x"));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task Bulk_echo_round_trips_4_MiB_intact()
    {
        var data = RandomNumberGenerator.GetBytes(4 << 20);
        using var socket = await ConnectAsync(guest.EchoPort);
        var watch = Stopwatch.StartNew();
        var send = Task.Run(async () =>
        {
            for (int offset = 0; offset < data.Length; offset += 64 * 1024)
                await socket.SendAsync(data.AsMemory(offset, Math.Min(64 * 1024, data.Length - offset)));
            socket.Shutdown(SocketShutdown.Send);
        });
        var received = await ReadToEndAsync(socket);
        await send;
        log.WriteLine($"echo of {data.Length >> 20} MiB: {watch.Elapsed.TotalMilliseconds:F0} ms, {data.Length * 2 / 1e6 / watch.Elapsed.TotalSeconds:F1} MB/s both ways");
        Assert.Equal(data.Length, received.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(received));
    }

    [Fact]
    public async Task Half_close_still_gets_every_byte_back_then_end_of_stream()
    {
        using var socket = await ConnectAsync(guest.EchoPort);
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("half-close ", 2000)));
        await socket.SendAsync(data);
        socket.Shutdown(SocketShutdown.Send);   // our FIN: the guest may still write
        var received = await ReadToEndAsync(socket);
        Assert.Equal(data, received);
    }

    [Fact]
    public async Task A_port_nobody_listens_on_resets_the_connection()
    {
        // QEMU's user-mode network accepts on the host side first, then connects to the guest; the guest's RST
        // makes it drop the host connection without a byte of data.
        using var socket = await ConnectAsync(guest.ClosedPort);
        var buffer = new byte[16];
        int n;
        try
        {
            using var cts = new CancellationTokenSource(IoTimeout);
            n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset) { n = 0; }
        Assert.Equal(0, n);
        Assert.True(guest.Running);
        // The server still works afterwards.
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(IoTimeout);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        return socket;
    }

    static async Task<byte[]> ReadToEndAsync(Socket socket)
    {
        using var cts = new CancellationTokenSource(IoTimeout);
        var all = new MemoryStream();
        var buffer = new byte[64 * 1024];
        int n;
        while ((n = await socket.ReceiveAsync(buffer, SocketFlags.None, cts.Token)) > 0) all.Write(buffer, 0, n);
        return all.ToArray();
    }
}
