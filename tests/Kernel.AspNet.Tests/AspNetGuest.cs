using System.Net;
using System.Net.Sockets;
using CosmosNet.Harness;

namespace CosmosNet.Kernel.AspNet.Tests;

/// <summary>Apps/AspNetMinimal booted in QEMU TCG on user-mode networking (guest port 80 forwarded to a free loopback
/// port), with the QEMU monitor on a Unix socket for the power button. Ready once the app logs "aspnet: started"
/// (ApplicationStarted: Kestrel listens).</summary>
public sealed class AspNetGuest : IDisposable
{
    public static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(180), BuildTimeout = TimeSpan.FromMinutes(25);
    static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(10);

    readonly Guest _guest;
    readonly string _monitorSocket = Path.Combine(Path.GetTempPath(), $"aspnet-monitor-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");

    public int Port { get; } = FreePort();
    public Uri BaseAddress => new($"http://127.0.0.1:{Port}/");
    /// <summary>When the app reported ApplicationStarted, from QEMU's start.</summary>
    public TimeSpan Started { get; }
    public string Serial => _guest.Output;
    public int MemoryMiB { get; }

    /// <summary>The image is built once per test run (ASP.NET Core through ILC: minutes on busy cores).</summary>
    public static string Elf => Image.Build("Apps/AspNetMinimal", Image.TestDirectory("aspnetminimal"), BuildTimeout);

    public AspNetGuest() : this(256) { }

    internal AspNetGuest(int memoryMiB)
    {
        MemoryMiB = memoryMiB;
        var options = new QemuOptions
        {
            Kernel = Elf,
            MemoryMiB = memoryMiB,
            Network = new UserNetwork(new Forward(Port, 80)),
            MonitorSocket = _monitorSocket,
        };
        _guest = Qemu.Start(options, MaxLifetime);
        try { Started = _guest.WaitForLine("aspnet: started", BootTimeout).At; }
        catch
        {
            Dispose();
            throw;
        }
    }

    public SerialLine WaitForLine(string text, TimeSpan timeout) => _guest.WaitForLine(text, timeout);
    public GuestRun WaitForExit(TimeSpan timeout) => _guest.WaitForExit(timeout);
    public TimeSpan Elapsed => _guest.Elapsed;

    /// <summary>QEMU's system_powerdown: the ACPI power button.</summary>
    public void PressPowerButton()
    {
        using var monitor = QemuMonitor.Connect(_monitorSocket, TimeSpan.FromSeconds(30));
        monitor.Run("system_powerdown");
    }

    public void Dispose()
    {
        _guest.Dispose();
        File.Delete(_monitorSocket);
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
