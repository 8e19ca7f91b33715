using System.Net;
using System.Net.Sockets;
using CosmosNet.Harness;

namespace CosmosNet.Kernel.AspNet.Tests;

/// <summary>Apps/AspNetMinimal booted in QEMU TCG on user-mode networking (guest port 80 forwarded to a free loopback
/// port), with the QEMU monitor on a Unix socket for the power button, and an upstream page on the host that the
/// app's HttpClient fetches (--Upstream=http://10.0.2.2:PORT/page: QEMU's user network reaches the host's loopback
/// at 10.0.2.2). Ready once the app logs "aspnet: started" (ApplicationStarted: Kestrel listens).</summary>
public sealed class AspNetGuest : IDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(180), BuildTimeout = TimeSpan.FromMinutes(25);
    static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);

    readonly Guest? _guest;
    readonly TcpListener _upstream = new(IPAddress.Loopback, 0);
    readonly string _monitorSocket = Path.Combine(Path.GetTempPath(), $"aspnet-monitor-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");

    public int Port { get; } = FreePort();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    /// <summary>When the app reported ApplicationStarted, from QEMU's start.</summary>
    public TimeSpan Started { get; }
    public string Serial => _guest!.Output;
    public int MemoryMiB { get; }
    /// <summary>What the host's upstream page answers.</summary>
    public string UpstreamText { get; } = $"a page from the host {Guid.NewGuid():N}";

    /// <summary>The image is built once per test run (ASP.NET Core through ILC: minutes on busy cores).</summary>
    public static string Elf => Image.Build("Apps/AspNetMinimal", Image.TestDirectory("aspnetminimal"), BuildTimeout);

    public AspNetGuest() : this(256) { }

    /// <param name="console">A Unix socket for the diagnostics console (COM2); none when null.</param>
    internal AspNetGuest(int memoryMiB, string? console = null)
    {
        MemoryMiB = memoryMiB;
        _upstream.Start();
        int upstreamPort = ((IPEndPoint)_upstream.LocalEndpoint).Port;
        _ = ServeUpstreamAsync();
        var options = new QemuOptions
        {
            Kernel = Elf,
            MemoryMiB = memoryMiB,
            Network = new UserNetwork(new Forward(Port, 80)),
            MonitorSocket = _monitorSocket,
            Console = console is null ? null : $"unix:{console},server=on,wait=off",
            Append = $"--Upstream=http://10.0.2.2:{upstreamPort}/page",
        };
        try
        {
            _guest = Qemu.Start(options, MaxLifetime);
            Started = _guest.WaitForLine("aspnet: started", BootTimeout).At;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public SerialLine WaitForLine(string text, TimeSpan timeout) => _guest!.WaitForLine(text, timeout);
    public GuestRun WaitForExit(TimeSpan timeout) => _guest!.WaitForExit(timeout);
    public TimeSpan Elapsed => _guest!.Elapsed;

    /// <summary>QEMU's system_powerdown: the ACPI power button.</summary>
    public void PressPowerButton()
    {
        using var monitor = QemuMonitor.Connect(_monitorSocket, TimeSpan.FromSeconds(30));
        monitor.Run("system_powerdown");
    }

    /// <summary>The host's upstream server: every request (read up to its blank line) gets <see cref="UpstreamText"/>,
    /// then the connection closes.</summary>
    async Task ServeUpstreamAsync()
    {
        while (true)
        {
            TcpClient client;
            try { client = await _upstream.AcceptTcpClientAsync(); }
            catch (Exception e) when (e is SocketException or ObjectDisposedException) { return; }
            _ = AnswerAsync(client);
        }
    }

    async Task AnswerAsync(TcpClient client)
    {
        using var _ = client;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stream = client.GetStream();
        var head = new List<byte>();
        var buffer = new byte[4096];
        while (!System.Runtime.InteropServices.CollectionsMarshal.AsSpan(head).EndsWith("\r\n\r\n"u8))
        {
            int n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0) return;
            head.AddRange(buffer.AsSpan(0, n));
        }
        byte[] body = System.Text.Encoding.UTF8.GetBytes(UpstreamText);
        byte[] response = System.Text.Encoding.ASCII.GetBytes(
            $"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(response.Concat(body).ToArray(), timeout.Token);
    }

    public void Dispose()
    {
        _guest?.Dispose();
        _upstream.Stop();
        File.Delete(_monitorSocket);
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
