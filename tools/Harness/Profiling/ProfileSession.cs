using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace CosmosNet.Harness.Profiling;

/// <summary>What to profile: an image booted with <c>profile=Hz</c>, the line that says it is ready, and the load
/// applied meanwhile: a shell command whose <c>{port}</c> (the host port forwarded to guest port 80),
/// <c>{url}</c> (http://127.0.0.1:{port}/) and <c>{seconds}</c> are filled in; none: just sample.</summary>
public sealed record ProfileOptions
{
    public required string Kernel { get; init; }
    public Nic Nic { get; init; } = Nics.Default;
    public int Hz { get; init; } = 997;
    public int Seconds { get; init; } = 10;
    public int MemoryMiB { get; init; } = 512;
    public string Ready { get; init; } = "http: listening";
    public string? Load { get; init; } = DefaultLoad;
    /// <summary>A TAP device in a network namespace of its own instead of QEMU's user network (needs root): the guest
    /// gets a static address on it and the load runs inside the namespace, so the host's packet path is Linux's, not
    /// the user network's.</summary>
    public bool Tap { get; init; }
    /// <summary>Profile the boot instead: from the profiler's start (before the app) to the <see cref="Ready"/> line; no load.</summary>
    public bool Boot { get; init; }
    /// <summary>Further kernel command-line words (e.g. ip=10.0.2.15/24 gw=10.0.2.2).</summary>
    public string? Append { get; init; }
    public TimeSpan BootTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>wrk, one thread, 16 keep-alive connections, for the whole window.</summary>
    public const string DefaultLoad = "wrk -t1 -c16 -d{seconds}s {url}";
}

/// <summary>A finished profile: the samples of the load window with their names, the counters over it and
/// what the load printed (its request count, when it is wrk's output).</summary>
public sealed class ProfileResult
{
    public required ProfileHeader Start { get; init; }
    public required ProfileHeader End { get; init; }
    public required IReadOnlyList<RawSample> Samples { get; init; }
    public required Symbolizer Symbols { get; init; }
    public required string LoadOutput { get; init; }
    public required TimeSpan Window { get; init; }
    public required string SerialOutput { get; init; }

    public ProfileCounters Counters => End.Counters.Since(Start.Counters);

    /// <summary>wrk's "N requests in" count, or null.</summary>
    public long? Requests => Regex.Match(LoadOutput, @"(\d+) requests in") is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;

    /// <summary>Folded stacks; the root is the thread ("thread 1"), or "idle" when the CPU was halted.</summary>
    public IReadOnlyDictionary<string, long> Folded()
    {
        var stacks = new Dictionary<string, long>();
        foreach (var sample in Samples)
        {
            var names = Symbols.Symbolize(sample.Frames);
            bool idle = Symbols.RawNameOf(sample.Frames[0]) == "cosmos_wait_for_interrupt";
            string key = (idle ? "idle" : $"thread {sample.ThreadId}") + ";" + string.Join(';', names.Select(n => n.Replace(';', ',').Replace(' ', '_')));
            stacks[key] = stacks.GetValueOrDefault(key) + 1;
        }
        return stacks;
    }

    /// <summary>Functions by the share of samples in which they were the leaf ("self"), and in the stack at all ("total").</summary>
    public IReadOnlyList<(string Name, long Self, long Total)> TopFunctions(int count)
    {
        var self = new Dictionary<string, long>();
        var total = new Dictionary<string, long>();
        foreach (var sample in Samples)
        {
            var names = Symbols.Symbolize(sample.Frames);
            self[names[^1]] = self.GetValueOrDefault(names[^1]) + 1;
            foreach (var n in names.Distinct()) total[n] = total.GetValueOrDefault(n) + 1;
        }
        return self.OrderByDescending(s => s.Value).Take(count).Select(s => (s.Key, s.Value, total[s.Key])).ToList();
    }

    /// <summary>A text report: samples, the top functions, the counters in total, per second and per request.</summary>
    public string Report(int top = 15)
    {
        var c = Counters;
        double seconds = Window.TotalSeconds;
        long? requests = Requests;
        var r = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        long n = Samples.Count;
        long idle = Samples.Count(s => Symbols.RawNameOf(s.Frames[0]) == "cosmos_wait_for_interrupt");
        r.Append(inv, $"samples: {n} at {End.Hz} Hz over {seconds:F1} s ({End.Dropped - Start.Dropped} dropped), idle {100.0 * idle / Math.Max(1, n):F1}%\n");
        if (requests is { } q) r.Append(inv, $"requests: {q} ({q / seconds:F0}/s)\n");
        r.Append('\n').Append(inv, $"top {top} functions by self samples:\n");
        r.Append(inv, $"{"self %",7} {"total %",8}  function\n");
        foreach (var (name, s, t) in TopFunctions(top))
            r.Append(inv, $"{100.0 * s / Math.Max(1, n),7:F1} {100.0 * t / Math.Max(1, n),8:F1}  {name}\n");
        r.Append('\n').Append(inv, $"{"counter",-22} {"total",12} {"per second",12} {(requests is null ? "" : "per request"),12}\n");
        void Row(string name, double value) => r.Append(inv,
            $"{name,-22} {value,12:F0} {value / seconds,12:F0} {(requests is { } q && q > 0 ? (value / q).ToString("F2", inv) : ""),12}\n");
        Row("MMIO writes", c.MmioWrites);
        Row("MMIO reads", c.MmioReads);
        Row("port I/O writes", c.PortWrites);
        Row("port I/O reads", c.PortReads);
        Row("context switches", c.ContextSwitches);
        Row("GC pauses (steps)", c.GcPauses);
        Row("GC cycles", c.GcCycles);
        double pauseMs = End.TscPerSecond == 0 ? 0 : c.GcPauseTicks * 1000.0 / End.TscPerSecond;
        Row("GC pause time (ms)", pauseMs);
        Row("idle time (ms)", c.IdleNanoseconds / 1e6);
        for (int v = 0; v < 256; v++)
            if (c.Vectors[v] > 0) Row($"interrupts vector 0x{v:x2}", c.Vectors[v]);
        return r.ToString();
    }
}

/// <summary>Boots an image with the profiler on, applies the load, reads the samples out (QEMU's monitor).</summary>
public static class ProfileSession
{
    public static ProfileResult Run(ProfileOptions o, Action<string>? log = null)
    {
        log ??= _ => { };
        var scratch = Directory.CreateTempSubdirectory("cosmos-profile-");
        try
        {
            string monitor = Path.Combine(scratch.FullName, "monitor.sock");
            // TAP: 10.77.x.0/24 in a namespace named after this process; the guest is .2, Linux .1.
            using var ns = o.Tap ? new NetworkNamespace($"cnprof{Environment.ProcessId}") : null;
            string subnet = $"10.77.{Environment.ProcessId % 250}";
            int port = o.Tap ? 80 : FreePort();
            string host = o.Tap ? subnet + ".2" : "127.0.0.1";
            var options = new QemuOptions
            {
                Kernel = o.Kernel, MemoryMiB = o.MemoryMiB, Nic = o.Nic, MonitorSocket = monitor,
                Network = ns is null ? new UserNetwork(new Forward(port, 80)) : ns.AddTap("cnprof0", subnet + ".1/24"),
                Append = $"profile={o.Hz}" + (ns is null ? "" : $" ip={subnet}.2/24 gw={subnet}.1") + (o.Append is { Length: > 0 } a ? " " + a : ""),
            };
            using var guest = Qemu.Start(options, o.BootTimeout + TimeSpan.FromSeconds(o.Seconds) + TimeSpan.FromMinutes(5));
            using var reader = new ProfileReader(guest, monitor, o.BootTimeout);
            string[] readyTexts = o.Ready.Split('|');
            var ready = guest.WaitForLine(line => readyTexts.Any(line.Contains), o.BootTimeout, $"a line containing '{o.Ready}'");
            log(o.Boot ? $"profile: guest ready after {ready.At.TotalSeconds:F2} s; profiling its boot"
                : $"profile: guest ready after {ready.At.TotalSeconds:F2} s; {(o.Load is null ? "sampling" : "load")} for {o.Seconds} s");
            ProfileHeader start;
            string output = "";
            TimeSpan window;
            if (o.Boot)
            {
                start = ProfileHeader.AtBoot;
                window = ready.At - guest.Lines.First(l => l.Text.StartsWith("profile: ", StringComparison.Ordinal)).At;
            }
            else
            {
                start = reader.ReadHeader();
                var clock = Stopwatch.StartNew();
                output = o.Load is { Length: > 0 } load && load != "none" ? RunLoad(load, ns?.Name, host, port, o.Seconds) : Idle(o.Seconds);
                window = clock.Elapsed;
            }
            var (end, samples) = reader.Finish(start);
            log($"profile: {samples.Count} samples");
            return new ProfileResult
            {
                Start = start, End = end, Samples = samples, Symbols = new Symbolizer(o.Kernel), LoadOutput = output,
                Window = window, SerialOutput = guest.Output,
            };
        }
        finally { scratch.Delete(recursive: true); }
    }

    static string Idle(int seconds) { Thread.Sleep(TimeSpan.FromSeconds(seconds)); return ""; }

    static string RunLoad(string template, string? netns, string host, int port, int seconds)
    {
        string command = template.Replace("{url}", $"http://{host}:{port}/").Replace("{port}", port.ToString(CultureInfo.InvariantCulture))
            .Replace("{seconds}", seconds.ToString(CultureInfo.InvariantCulture));
        if (netns is not null) command = $"ip netns exec {netns} /bin/sh -c '{command.Replace("'", "'\\''")}'";
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        using var p = Process.Start(info)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        if (!p.WaitForExit(TimeSpan.FromSeconds(seconds + 120))) { p.Kill(entireProcessTree: true); throw new TimeoutException($"load '{command}' did not end"); }
        if (p.ExitCode != 0) throw new InvalidOperationException($"load '{command}' exited {p.ExitCode}: {stderr.Result}");
        return stdout + stderr.Result;
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
