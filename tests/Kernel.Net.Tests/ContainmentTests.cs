using System.Net;
using System.Net.Sockets;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// Issue 14, fault containment in the image: tests/apps/FaultServer's routes fail on purpose — a handler that throws,
/// a handler that exhausts the heap (a real OutOfMemoryException from the kernel's allocator), an async void continuation
/// that throws on the network loop. Each costs only its own connection (reset), is counted and reported in one line on
/// the serial console; the guest never panics and GET / keeps answering.
/// </summary>
[Collection("guests")]
public sealed class ContainmentTests(ITestOutputHelper log)
{
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Failing_handlers_and_continuations_cost_only_their_connection()
    {
        int port = FreePort();
        using var guest = Qemu.Start(new QemuOptions
        {
            Kernel = Image.Build("tests/apps/FaultServer", Image.TestDirectory("faultserver")), Nic = Nic.E1000, MemoryMiB = 64,
            Network = new UserNetwork(new Forward(port, 80)),
        }, TimeSpan.FromMinutes(5));
        guest.WaitForLine("http: listening", Timeout);
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = Timeout };
        client.DefaultRequestHeaders.ConnectionClose = true;

        Assert.Equal("ok\n", await client.GetStringAsync("/"));

        // One request per failing route on a raw socket (HttpClient would retry a GET whose connection was reset).
        Assert.True(await IsResetAsync(port, "/throw"), "GET /throw was answered");
        guest.WaitForLine(l => l.Contains("http: GET /throw") && l.Contains("InvalidOperationException") && l.Contains("connection reset"), Timeout, "the /throw report");
        Assert.Equal("ok\n", await client.GetStringAsync("/"));

        Assert.True(await IsResetAsync(port, "/oom"), "GET /oom was answered");
        guest.WaitForLine(l => l.Contains("http: GET /oom") && l.Contains("OutOfMemoryException"), Timeout, "the /oom report");
        Assert.Equal("ok\n", await client.GetStringAsync("/"));

        Assert.Equal("posted\n", await client.GetStringAsync("/loop-fault"));
        guest.WaitForLine(l => l.Contains("on the network loop failed") && l.Contains("a continuation broke"), Timeout, "the loop fault report");
        Assert.Equal("ok\n", await client.GetStringAsync("/"));

        var status = await client.GetStringAsync("/status");
        log.WriteLine(status);
        Assert.Contains("http-faults 2\n", status);
        Assert.Contains("loop-faults 1\n", status);
        Assert.DoesNotContain("PANIC", guest.Output);
        Assert.False(guest.HasExited);
        // Each fault is one line: the line after a report is never a stack trace.
        Assert.DoesNotContain(guest.Lines, l => l.Text.TrimStart().StartsWith("at "));
    }

    /// <summary>Sends GET <paramref name="path"/> once and reads to the end: true when the connection was reset before any response.</summary>
    static async Task<bool> IsResetAsync(int port, string path)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n"));
        var buffer = new byte[4096];
        int total = 0;
        try
        {
            using var cts = new CancellationTokenSource(Timeout);
            for (int n; (n = await stream.ReadAsync(buffer, cts.Token)) > 0;) total += n;
        }
        catch (IOException) { return total == 0; }
        // QEMU's user-mode network turns the guest's RST into a plain close of the host socket: no response is the sign.
        return total == 0;
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
