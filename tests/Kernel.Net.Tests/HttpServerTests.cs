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
    public async Task Http11Probe_contract_post_echoes_body_and_headers_and_unknown_paths_are_404()
    {
        using var client = Client();
        var payload = RandomNumberGenerator.GetBytes(100_000);
        using var response = await client.PostAsync("/", new ByteArrayContent(payload));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(payload, await response.Content.ReadAsByteArrayAsync());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent("x") };
        request.Headers.Add("X-Probe", "value 1");
        using var echo = await client.SendAsync(request);
        var lines = (await echo.Content.ReadAsStringAsync()).Split('\n');
        Assert.Contains("X-Probe: value 1", lines);
        Assert.Contains($"Host: 127.0.0.1:{guest.HttpPort}", lines);

        using var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/"));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Equal("GET, HEAD, POST, OPTIONS", string.Join(", ", options.Content.Headers.Allow));
        using var missing = await client.GetAsync("/nothing-here");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var wrongMethod = await client.DeleteAsync("/");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    [Fact]
    public async Task Curl_reuses_the_connection_uploads_chunked_and_waits_for_100_continue()
    {
        var data = RandomNumberGenerator.GetBytes(300_000);
        var file = Path.GetTempFileName();
        var output = Path.GetTempFileName();
        try
        {
            await File.WriteAllBytesAsync(file, data);
            var url = $"http://127.0.0.1:{guest.HttpPort}/";
            var keepAlive = await RunAsync("curl", $"-sS -v --max-time 60 {url} {url}status");
            Assert.Equal(0, keepAlive.ExitCode);
            Assert.Contains("Re-using existing connection", keepAlive.Output);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", keepAlive.Output);

            // -T - reads stdin: unknown length, so curl sends Transfer-Encoding: chunked and Expect: 100-continue.
            var upload = await RunAsync("sh", $"-c \"curl -sS -v --max-time 60 -X POST -T - -o {output} {url} < {file}\"");
            Assert.Equal(0, upload.ExitCode);
            Assert.Contains("> Transfer-Encoding: chunked", upload.Output);
            Assert.Contains("< HTTP/1.1 100 Continue", upload.Output);
            Assert.Contains("< HTTP/1.1 200 OK", upload.Output);
            Assert.Equal(data, await File.ReadAllBytesAsync(output));
        }
        finally { File.Delete(file); File.Delete(output); }
    }

    [Fact]
    public async Task Python_http_client_pipelined_requests_are_answered_in_order()
    {
        // http.client cannot pipeline by itself: the requests go out in one write, then its parser reads the responses.
        var script = $$"""
            import http.client, socket
            c = http.client.HTTPConnection("127.0.0.1", {{guest.HttpPort}}, timeout=30)
            c.connect()
            c.sock.sendall(b"".join(b"GET /status HTTP/1.1\r\nHost: g\r\n\r\n" for _ in range(4)) + b"POST / HTTP/1.1\r\nHost: g\r\nContent-Length: 9\r\n\r\npipelined")
            stream = c.sock.makefile("rb")   # one buffered reader for all responses (each HTTPResponse would make its own)
            class Kept:                      # ... which a response must not close when its body ends
                def __getattr__(self, name): return getattr(stream, name)
                def close(self): pass
            class Shared:
                def makefile(self, *args, **kwargs): return Kept()
            bodies = []
            for _ in range(5):
                r = http.client.HTTPResponse(Shared()); r.begin(); bodies.append((r.status, r.read()))
            assert all(s == 200 for s, _ in bodies), bodies
            assert bodies[4][1] == b"pipelined", bodies
            print("pipelined ok", len(bodies))
            """;
        var run = await RunAsync("python3", "-", script);
        Assert.True(run.ExitCode == 0, run.Output);
        Assert.Contains("pipelined ok 5", run.Output);
    }

    [Fact]
    public async Task Wrk_runs_5_seconds_without_an_error()
    {
        var run = await RunAsync("wrk", $"-t2 -c8 -d5s --timeout 10s http://127.0.0.1:{guest.HttpPort}/");
        log.WriteLine(run.Output);
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("Requests/sec", run.Output);
        Assert.DoesNotContain("Socket errors", run.Output);
        Assert.DoesNotContain("Non-2xx", run.Output);
        Assert.True(guest.Running);
    }

    static async Task<(int ExitCode, string Output)> RunAsync(string program, string arguments, string? stdin = null)
    {
        var info = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {program}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null) await process.StandardInput.WriteAsync(stdin);
        process.StandardInput.Close();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
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
    public async Task A_truncated_body_gets_400_and_the_server_keeps_serving()
    {
        // Content-Length promises 100 bytes, 10 arrive, then FIN: the body read fails inside the handler and
        // Net.Http's filtered catch answers (this once page-faulted the kernel's filter dispatch).
        using var socket = await ConnectAsync(guest.HttpPort);
        await socket.SendAsync(Encoding.ASCII.GetBytes("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789"));
        socket.Shutdown(SocketShutdown.Send);
        string response = Encoding.ASCII.GetString(await ReadToEndAsync(socket));
        Assert.StartsWith("HTTP/1.1 400 Bad Request\r\n", response);
        Assert.True(guest.Running);
        using var client = Client();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
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
