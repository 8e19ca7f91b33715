using System.Text.Json;
using CosmosNet.Harness;
using Xunit;

namespace CosmosNet.Hostile.Tests;

/// <summary>
/// Apps/HttpServer booted in QEMU TCG (e1000) on a TAP device inside a fresh network namespace: Linux is
/// <see cref="LinuxAddress"/>, the guest <see cref="GuestAddress"/> (static, from the command line). Everything the
/// tests run against it runs inside the namespace. The guest, the TAP device and the namespace are removed on dispose.
/// </summary>
public sealed class HostileGuest : IDisposable
{
    public const string LinuxAddress = "10.79.0.1", GuestAddress = "10.79.0.2";
    /// <summary>HOSTILE_FULL=1 (make test-hostile): the issue's long figures where make test runs a shorter variant
    /// (zero windows held for minutes, 10 seeds of 64 MiB impaired transfers).</summary>
    public static bool Full => Environment.GetEnvironmentVariable("HOSTILE_FULL") == "1";
    static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120);

    readonly NetworkNamespace _ns;
    readonly Guest _guest;
    readonly string _monitor;

    public string Tap { get; }
    public string GuestMac { get; }
    public int MemoryMiB { get; }
    /// <summary>HeapLiveBytes after a full collection, once the guest had served its first requests.</summary>
    public long BaselineHeap { get; }

    public HostileGuest(int memoryMiB, TimeSpan lifetime)
    {
        MemoryMiB = memoryMiB;
        string id = $"{Environment.ProcessId % 100000}{memoryMiB}";
        Tap = $"hst{id}";
        _monitor = Path.Combine(Path.GetTempPath(), $"hostile-{id}.monitor");
        _ns = new NetworkNamespace($"hostile{id}");
        try
        {
            var tap = _ns.AddTap(Tap, $"{LinuxAddress}/24");
            _guest = Qemu.Start(new QemuOptions
            {
                Kernel = Image.Build("Apps/HttpServer", Image.TestDirectory("httpserver")), Nic = Nic.E1000, MemoryMiB = memoryMiB,
                Append = $"ip={GuestAddress}/24 gw={LinuxAddress}", Network = tap, MonitorSocket = _monitor,
            }, lifetime);
            _guest.WaitForLine("http: listening", BootTimeout);
            AssertServes();
            GuestMac = Neighbour();
            BaselineHeap = Status(collect: true).GetProperty("HeapLiveBytes").GetInt64();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Serial => _guest.Output;

    /// <summary>A command inside the namespace.</summary>
    public Processes.Result Exec(TimeSpan timeout, params string[] command) => _ns.Exec(timeout, command);

    /// <summary>Runs hostile.py COMMAND ARGS in the namespace and returns the JSON line it prints.</summary>
    public JsonElement Attack(TimeSpan timeout, params string[] args)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "hostile.py");
        var r = _ns.Exec(timeout, ["/usr/bin/python3", script, .. args]);
        Assert.False(r.TimedOut, $"hostile.py {string.Join(' ', args)} timed out: {r.Output}");
        Assert.True(r.ExitCode == 0, $"hostile.py {string.Join(' ', args)} failed ({r.ExitCode}): {r.Output}");
        var json = r.Output.Split('\n').Last(l => l.StartsWith('{'));
        return JsonDocument.Parse(json).RootElement;
    }

    /// <summary>GET /status (after a full collection with <paramref name="collect"/>) through curl in the namespace.</summary>
    public JsonElement Status(bool collect = false)
    {
        var r = _ns.Exec(TimeSpan.FromSeconds(60), "curl", "-s", "-m", "40", $"http://{GuestAddress}/status{(collect ? "?collect=1" : "")}");
        Assert.True(r.ExitCode == 0, $"GET /status failed ({r.ExitCode}): {r.Output}\n{_guest.Tail()}");
        return JsonDocument.Parse(r.Output).RootElement;
    }

    /// <summary>A normal client is served: GET / (the demo page) and a POST / echo, each on a new connection.</summary>
    /// <param name="within">How long the guest may take to work off an attack that just ended before it must answer.</param>
    public void AssertServes(TimeSpan? within = null)
    {
        AssertAlive();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(150));
        Processes.Result page;
        while (true)
        {
            page = _ns.Exec(TimeSpan.FromSeconds(40), "curl", "-s", "-m", "30", $"http://{GuestAddress}/");
            if (page.ExitCode == 0 || DateTime.UtcNow > deadline) break;
            AssertAlive();
        }
        Assert.True(page.ExitCode == 0 && page.Output.Contains("<h1>Hello from CosmosNet</h1>"),
            $"GET / failed ({page.ExitCode}): {page.Output}\n{_guest.Tail()}\nthe guest's CPU now:\n{Registers()}");
        var echo = _ns.Exec(TimeSpan.FromSeconds(60), "curl", "-s", "-m", "40", "--data-binary", "still here", $"http://{GuestAddress}/");
        Assert.Equal("still here", echo.Output);
    }

    /// <summary>The guest runs and never panicked.</summary>
    public void AssertAlive()
    {
        Assert.DoesNotContain("PANIC", _guest.Output);
        Assert.False(_guest.HasExited, $"the guest exited:\n{_guest.Tail(40)}");
    }

    /// <summary>
    /// After an attack: a normal client is served, and the live heap (after a full collection) comes back within
    /// <paramref name="marginBytes"/> of the baseline once the attack's connections are gone (TIME_WAIT lasts 2 MSL, 60 s).
    /// Returns the last status.
    /// </summary>
    public JsonElement AssertRecovered(long marginBytes = 2 << 20, TimeSpan? within = null)
    {
        AssertServes();
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(150));
        JsonElement status;
        while (true)
        {
            status = Status(collect: true);
            if (status.GetProperty("HeapLiveBytes").GetInt64() <= BaselineHeap + marginBytes || DateTime.UtcNow > deadline) break;
            Thread.Sleep(3000);
        }
        long heap = status.GetProperty("HeapLiveBytes").GetInt64();
        Assert.True(heap <= BaselineHeap + marginBytes,
            $"the live heap did not return to its baseline: {heap} bytes, baseline {BaselineHeap} (+{marginBytes} allowed); status {status}");
        AssertAlive();
        return status;
    }

    /// <summary>The CPU's registers from the QEMU monitor, twice a second apart (where a guest that stopped answering is).</summary>
    string Registers()
    {
        string Query() => Processes.Run("sh", ["-c", $"printf 'info registers\\n' | socat -t 2 - UNIX-CONNECT:{_monitor}"], TimeSpan.FromSeconds(10)).Output;
        var first = Query();
        Thread.Sleep(1000);
        return first + "\n---\n" + Query();
    }

    /// <summary>The guest's MAC, from the namespace's neighbour table (filled by the first requests).</summary>
    string Neighbour()
    {
        var r = _ns.Exec(TimeSpan.FromSeconds(10), "ip", "neigh", "show", GuestAddress);
        var mac = r.Output.Split(' ', StringSplitOptions.RemoveEmptyEntries).SkipWhile(w => w != "lladdr").Skip(1).FirstOrDefault();
        return mac ?? throw new InvalidOperationException($"no neighbour entry for the guest: {r.Output}");
    }

    public void Dispose()
    {
        _guest?.Dispose();
        _ns.Dispose();
        File.Delete(_monitor);
    }
}
