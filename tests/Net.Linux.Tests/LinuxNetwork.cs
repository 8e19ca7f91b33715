using System.Diagnostics;
using System.Reflection;
using Xunit.Abstractions;

namespace CosmosNet.Net.Linux.Tests;

/// <summary>
/// One test's private world: a network namespace holding a TAP device (Linux's side, 10.77.0.1/24), tcpdump on it,
/// and TapHost attached to it (the stack, 10.77.0.2/24). Everything started here is stopped and the namespace
/// deleted when the scenario ends, pass or fail; a failed run keeps its pcap and logs under tests/results/net-linux/.
/// </summary>
public sealed class LinuxNetwork
{
    public const string Tap = "cnettap0";
    public const string LinuxAddress = "10.77.0.1";
    public const string StackAddress = "10.77.0.2";
    public const int HttpPort = 80;
    public const int EchoPort = 7;

    private static int _counter;
    private readonly List<RunningProcess> _processes = new();
    private readonly ITestOutputHelper _output;
    private RunningProcess? _tcpdump;

    private LinuxNetwork(string testName, ITestOutputHelper output)
    {
        TestName = testName;
        _output = output;
        Namespace = $"cnet{Environment.ProcessId}x{Interlocked.Increment(ref _counter)}";
        WorkDirectory = Directory.CreateTempSubdirectory($"cnet-{testName}-").FullName;
    }

    public string TestName { get; }
    public string Namespace { get; }

    /// <summary>Scratch files of this test (deleted at the end).</summary>
    public string WorkDirectory { get; }

    public RunningProcess Host { get; private set; } = null!;

    public static string RepoRoot => CosmosNet.Harness.Repository.Root;
    public static string ResultsDirectory => Path.Combine(RepoRoot, "tests", "results", "net-linux");

    /// <summary>Sets up the namespace and TAP device, starts TapHost with <paramref name="hostArgs"/> added, runs <paramref name="body"/>, and always cleans up.</summary>
    /// <param name="beforeHost">Runs once the TAP device is up and before TapHost starts (e.g. to add a qdisc); returns more TapHost arguments.</param>
    public static async Task Scenario(string testName, ITestOutputHelper output, Func<LinuxNetwork, Task> body,
        IEnumerable<string>? hostArgs = null, Func<LinuxNetwork, Task<string[]>>? beforeHost = null, TimeSpan? timeout = null)
    {
        var net = new LinuxNetwork(testName, output);
        bool passed = false;
        try
        {
            await net.SetUpAsync(hostArgs ?? [], beforeHost);
            var run = body(net);
            var limit = timeout ?? TimeSpan.FromMinutes(2);
            if (await Task.WhenAny(run, Task.Delay(limit)) != run)
                throw new TimeoutException($"{testName} did not finish within {limit}");
            await run;
            passed = true;
        }
        finally
        {
            await net.TearDownAsync(passed);
        }
    }

    private async Task SetUpAsync(IEnumerable<string> hostArgs, Func<LinuxNetwork, Task<string[]>>? beforeHost)
    {
        foreach (var tool in new[] { "ip", "tcpdump", "curl", "nc", "socat", "ping", "tc", "sha256sum" })
            if (FindTool(tool) is null)
                throw new InvalidOperationException($"required tool '{tool}' is not installed (make deps installs the Debian packages)");
        RemoveStaleNamespaces();

        await Must($"create network namespace {Namespace} (these tests need root: CAP_SYS_ADMIN and CAP_NET_ADMIN)", "ip", "netns", "add", Namespace);
        await Must("bring up lo in the namespace", "ip", "-n", Namespace, "link", "set", "lo", "up");
        await Must($"create TAP device {Tap} (needs /dev/net/tun and CONFIG_TUN)", "ip", "-n", Namespace, "tuntap", "add", "dev", Tap, "mode", "tap");
        await Must("configure the TAP device", "ip", "-n", Namespace, "addr", "add", $"{LinuxAddress}/24", "dev", Tap);
        await Must("bring up the TAP device", "ip", "-n", Namespace, "link", "set", Tap, "up");

        Directory.CreateDirectory(ResultsDirectory);
        _tcpdump = Spawn("tcpdump", "-i", Tap, "--immediate-mode", "-U", "-s", "256", "-w", PcapPath);
        if (_tcpdump.WaitForLine(l => l.Contains("listening on"), TimeSpan.FromSeconds(10)) is null)
            throw new InvalidOperationException($"tcpdump did not start: {_tcpdump.StandardError}");

        var more = beforeHost is null ? [] : await beforeHost(this);
        Host = Spawn(DotnetHost(), [TapHostDll(), "--tap", Tap, "--ip", $"{StackAddress}/24", "--gw", LinuxAddress,
            "--http", HttpPort.ToString(), "--echo", EchoPort.ToString(), .. hostArgs, .. more]);
        if (Host.WaitForLine(l => l.Contains("] ready"), TimeSpan.FromSeconds(30)) is null)
            throw new InvalidOperationException($"TapHost did not become ready:\n{Host.StandardOutput}\n{Host.StandardError}");
    }

    private string PcapPath => Path.Combine(ResultsDirectory, $"{TestName}.pcap");

    private async Task TearDownAsync(bool passed)
    {
        try
        {
            if (Host != null) await Host.StopAsync(TimeSpan.FromSeconds(5));
            if (_tcpdump != null) await _tcpdump.StopAsync(TimeSpan.FromSeconds(5)); // SIGTERM: it flushes the capture
            foreach (var p in _processes) p.Kill();
            if (Host != null)
            {
                _output.WriteLine($"--- TapHost output\n{Host.StandardOutput}\n{Host.StandardError}");
                if (!passed) File.WriteAllText(Path.Combine(ResultsDirectory, $"{TestName}.taphost.log"), Host.StandardOutput + Host.StandardError);
            }
            if (passed) File.Delete(PcapPath);
            else if (File.Exists(PcapPath)) _output.WriteLine($"capture kept: {PcapPath}");
        }
        finally
        {
            foreach (var p in _processes) p.Dispose();
            KillNamespaceProcesses(Namespace);
            await RunAsync(TimeSpan.FromSeconds(10), "ip", "netns", "del", Namespace);
            try { Directory.Delete(WorkDirectory, true); } catch (IOException) { }
        }
    }

    /// <summary>Runs a command inside the namespace and waits for it.</summary>
    public async Task<ProcessResult> Exec(TimeSpan timeout, params string[] command)
    {
        var r = await RunAsync(timeout, ["ip", "netns", "exec", Namespace, .. command]);
        _output.WriteLine($"$ {string.Join(' ', command)}\n{r}");
        return r;
    }

    /// <summary>Runs a shell command line inside the namespace (for redirections and pipes).</summary>
    public Task<ProcessResult> Shell(TimeSpan timeout, string script) => Exec(timeout, "bash", "-c", script);

    /// <summary>Starts a background process inside the namespace; stopped at the end of the scenario.</summary>
    public RunningProcess Spawn(string file, params string[] args)
    {
        var p = new RunningProcess("ip", ["netns", "exec", Namespace, file, .. args]);
        _processes.Add(p);
        return p;
    }

    public string PathOf(string name) => Path.Combine(WorkDirectory, name);

    /// <summary>Remarks about how the scenario ran (e.g. a fallback taken), in the test output and in <see cref="Notes"/>.</summary>
    public void Note(string message)
    {
        Notes += message + "\n";
        _output.WriteLine(message);
    }

    public string Notes { get; private set; } = "";

    private async Task Must(string what, params string[] command)
    {
        var r = await RunAsync(TimeSpan.FromSeconds(20), command);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"cannot {what}: `{string.Join(' ', command)}` failed: {r.StandardError.Trim()}");
    }

    private static Task<ProcessResult> RunAsync(TimeSpan timeout, params string[] command) =>
        RunningProcess.RunAsync(command[0], command[1..], timeout);

    /// <summary>Namespaces left by an earlier run of these tests that was killed (their creating process is gone).</summary>
    private static void RemoveStaleNamespaces()
    {
        if (!Directory.Exists("/run/netns")) return;
        foreach (var path in Directory.GetFiles("/run/netns", "cnet*x*"))
        {
            var name = Path.GetFileName(path);
            if (!int.TryParse(name[4..name.IndexOf('x')], out var pid) || Directory.Exists($"/proc/{pid}")) continue;
            KillNamespaceProcesses(name);
            RunAsync(TimeSpan.FromSeconds(10), "ip", "netns", "del", name).GetAwaiter().GetResult();
        }
    }

    /// <summary>Kills what is still running in a namespace these tests created (a process the test lost track of).</summary>
    private static void KillNamespaceProcesses(string ns)
    {
        var r = RunAsync(TimeSpan.FromSeconds(10), "ip", "netns", "pids", ns).GetAwaiter().GetResult();
        foreach (var line in r.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            if (int.TryParse(line.Trim(), out var pid))
                try { Process.GetProcessById(pid).Kill(entireProcessTree: true); } catch (ArgumentException) { } catch (InvalidOperationException) { }
    }

    private static string DotnetHost() => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p ? p : "dotnet";

    private static string TapHostDll()
    {
        var configuration = typeof(LinuxNetwork).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var dll = Path.Combine(RepoRoot, "tools", "TapHost", "bin", configuration, "net10.0", "CosmosNet.TapHost.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException($"TapHost is not built: {dll}");
        return dll;
    }

    private static string? FindTool(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin:/bin").Split(':').Append("/usr/sbin").Append("/sbin")
            .Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
}
