using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// One QEMU guest running Apps/HttpServer for the whole test class: built once (incremental publish into
/// iso/tests/httpserver/), booted with an e1000 on user-mode networking, HTTP, echo and a port nobody listens on
/// forwarded from free loopback ports. The guest is killed on dispose, after <see cref="MaxLifetime"/>, or when
/// the test process exits, whichever comes first.
/// </summary>
public class ServerGuest : IDisposable
{
    static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10), BootTimeout = TimeSpan.FromSeconds(90), MaxLifetime = TimeSpan.FromMinutes(5);
    public const int ClosedGuestPort = 9;

    readonly Process _qemu;
    readonly StringBuilder _serial = new();
    readonly Timer _killer;

    public int HttpPort { get; }
    public int EchoPort { get; }
    public int ClosedPort { get; }
    /// <summary>From QEMU start to the "DHCP lease" line.</summary>
    public TimeSpan BootToLease { get; }
    public string Serial { get { lock (_serial) return _serial.ToString(); } }

    static readonly Lazy<string> s_elf = new(BuildImage);

    /// <summary>Apps/HttpServer's ELF, built once per test run.</summary>
    public static string Elf => s_elf.Value;

    static string BuildImage()
    {
        string root = FindRoot();
        string output = Path.Combine(root, "iso", "tests", "httpserver");
        Directory.CreateDirectory(output);
        var build = RunToEnd("dotnet", ["publish", Path.Combine(root, "Apps", "HttpServer"), "-c", "Release", "--nologo", "-v", "quiet",
            $"-p:CosmosNetRoot={root}/", $"-p:CosmosImageDir={output}/"], root, BuildTimeout);
        string elf = Path.Combine(output, "cosmosnet.elf");
        if (build.ExitCode != 0 || !File.Exists(elf)) throw new InvalidOperationException($"building Apps/HttpServer failed:\n{build.Output}");
        return elf;
    }

    public ServerGuest() : this("e1000") { }

    /// <param name="nic">The QEMU <c>-device</c> model of the guest's card (e1000, rtl8139, e1000e, vmxnet3).</param>
    /// <param name="append">Extra kernel command-line arguments (e.g. <c>nic.irq=intx</c>).</param>
    public ServerGuest(string nic, string append = "")
    {
        string elf = Elf;
        HttpPort = FreePort(); EchoPort = FreePort(); ClosedPort = FreePort();
        string accel = Environment.GetEnvironmentVariable("COSMOS_ACCEL") is { Length: > 0 } a ? a : "tcg";
        var info = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var arg in new[] { "-accel", accel, "-m", "256M", "-kernel", elf, "-serial", "stdio", "-display", "none",
            "-no-reboot", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-netdev", $"user,id=n0,hostfwd=tcp:127.0.0.1:{HttpPort}-:80,hostfwd=tcp:127.0.0.1:{EchoPort}-:7,hostfwd=tcp:127.0.0.1:{ClosedPort}-:{ClosedGuestPort}",
            "-device", $"{nic},netdev=n0", "-append", append })
            info.ArgumentList.Add(arg);
        _qemu = new Process { StartInfo = info };
        _qemu.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (_serial) _serial.AppendLine(e.Data); };
        _qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_serial) _serial.AppendLine(e.Data); };
        var watch = Stopwatch.StartNew();
        _qemu.Start();
        _qemu.BeginOutputReadLine();
        _qemu.BeginErrorReadLine();
        _killer = new Timer(_ => Kill(), null, MaxLifetime, Timeout.InfiniteTimeSpan);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Kill();

        while (!Serial.Contains("DHCP lease"))
        {
            if (_qemu.HasExited || watch.Elapsed > BootTimeout) { Kill(); throw new InvalidOperationException($"no DHCP lease:\n{Serial}"); }
            Thread.Sleep(20);
        }
        BootToLease = watch.Elapsed;
        while (!Serial.Contains("http: listening"))
        {
            if (_qemu.HasExited || watch.Elapsed > BootTimeout) { Kill(); throw new InvalidOperationException($"server did not start:\n{Serial}"); }
            Thread.Sleep(20);
        }
    }

    public bool Running => !_qemu.HasExited;

    public void Dispose() { _killer.Dispose(); Kill(); _qemu.Dispose(); }

    void Kill()
    {
        try { if (!_qemu.HasExited) { _qemu.Kill(entireProcessTree: true); _qemu.WaitForExit(5000); } } catch (InvalidOperationException) { }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kernel", "CosmosNet.App.targets"))) return dir.FullName;
        throw new InvalidOperationException("repository root not found");
    }

    internal static (string Output, int ExitCode) RunToEnd(string file, string[] args, string directory, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var p = Process.Start(info)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout)) { p.Kill(entireProcessTree: true); return ($"timed out after {timeout}", -1); }
        return (stdout.Result + stderr.Result, p.ExitCode);
    }
}
