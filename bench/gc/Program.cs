// GC benchmark kernel: prints "BENCH <name> <value> <unit>" lines (bench/gc/run.sh collects them).
//   allocation rate: small objects and 1 KiB arrays, little live data (collections included)
//   at 16 and 64 MiB live heaps: the blocking GC.Collect() (mark + full sweep, stop-the-world), and the
//   pauses of the incremental collector while the program allocates (GcDiagnostics' pause log)
// The live heap is half small objects in a linked graph (the expensive part to mark), half 1 KiB buffers.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel;

static class Program
{
    static int Main()
    {
        Report("ram", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20, "MiB");
        NoiseFloor();
        AllocationRate("alloc_rate_small_objects", 512, () => GC.KeepAlive(new Small()), 32);
        AllocationRate("alloc_rate_1KiB_arrays", 1024, () => GC.KeepAlive(new byte[1000]), 1024);
        foreach (int mib in new[] { 16, 64 })
        {
            var live = LiveHeap.Build(mib);
            Pauses(mib, live);
            GC.KeepAlive(live);
        }
        Console.WriteLine("BENCH-DONE");
        return 0;
    }

    /// <summary>What a stop costs without any collector: the same fixed piece of work (no allocation) timed
    /// 200,000 times. Its longest runs are the emulator's and the host's hiccups (TCG translation, the host
    /// scheduling QEMU out), the floor under every pause figure below.</summary>
    static void NoiseFloor()
    {
        var samples = new List<double>(200_000);
        var data = new int[64];
        long sum = 0;
        for (int i = 0; i < 200_000; i++)
        {
            long t = Stopwatch.GetTimestamp();
            for (int j = 0; j < data.Length; j++) sum += data[j] + j;
            samples.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        GC.KeepAlive(sum);
        Report("noise_floor_work_p50", Percentile(samples, 0.50), "ms");
        Report("noise_floor_work_p999", Percentile(samples, 0.999), "ms");
        Report("noise_floor_work_max", samples.Max(), "ms");
    }

    static void Report(string name, double value, string unit) =>
        Console.WriteLine($"BENCH {name} {value:F2} {unit}");

    sealed class Small { public long A; public object? B; }

    static void AllocationRate(string name, int megabytes, Action allocate, int bytesEach)
    {
        long count = (long)megabytes * 1024 * 1024 / bytesEach;
        Gc();
        long start = Stopwatch.GetTimestamp();
        for (long i = 0; i < count; i++) allocate();
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        Report(name, megabytes / seconds, "MB/s");
    }

    static void Gc() { GC.Collect(); GC.WaitForPendingFinalizers(); }

    static void Pauses(int mib, LiveHeap live)
    {
        Gc();
        Report($"live_{mib}MiB_heap_after_gc", GC.GetTotalMemory(false) / (1024.0 * 1024), "MiB");

        var forced = new List<double>();
        for (int i = 0; i < 40; i++)
        {
            long t = Stopwatch.GetTimestamp();
            GC.Collect();
            forced.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
        }
        Report($"live_{mib}MiB_gc_collect_p50", Percentile(forced, 0.50), "ms");
        Report($"live_{mib}MiB_gc_collect_p99", Percentile(forced, 0.99), "ms");

        // Allocation-driven collection: the mutator allocates 4x the live heap in small garbage; every pause
        // the collector makes meanwhile (cycle starts, marking steps, terminations, sweep steps, and any cycle
        // it had to finish in one piece) comes from its own log, timed with interrupts disabled.
        long garbage = 4L * mib << 20, allocated = 0;
        int collectionsBefore = GC.CollectionCount(0);
        var totalsBefore = Enum.GetValues<GcDiagnostics.PauseKind>().Select(GcDiagnostics.TotalsOf).ToArray();
        var durations = new List<double>();
        long pausesSeen = GcDiagnostics.PauseCount, iteration = 0;
        long churnStart = Stopwatch.GetTimestamp();
        while (allocated < garbage)
        {
            var chunk = new object[16];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = new byte[240];
            allocated += 16 * 264 + 152;
            GC.KeepAlive(chunk);
            if (++iteration % 256 == 0) Collect(durations, ref pausesSeen);   // well before the log wraps
        }
        double churnSeconds = Stopwatch.GetElapsedTime(churnStart).TotalSeconds;
        Collect(durations, ref pausesSeen);
        Report($"live_{mib}MiB_alloc_rate", garbage / (1024.0 * 1024) / churnSeconds, "MB/s");
        Report($"live_{mib}MiB_cycles", GC.CollectionCount(0) - collectionsBefore, "count");
        Report($"live_{mib}MiB_pauses", durations.Count, "count");
        Report($"live_{mib}MiB_pause_p50", Percentile(durations, 0.50), "ms");
        Report($"live_{mib}MiB_pause_p99", Percentile(durations, 0.99), "ms");
        Report($"live_{mib}MiB_pause_p999", Percentile(durations, 0.999), "ms");
        Report($"live_{mib}MiB_pause_max", durations.Count == 0 ? 0 : durations.Max(), "ms");
        Report($"live_{mib}MiB_pause_total", durations.Sum(), "ms");
        Report($"live_{mib}MiB_mark_stack_overflows_since_boot", GcDiagnostics.MarkStackOverflows, "count");
        foreach (GcDiagnostics.PauseKind kind in Enum.GetValues<GcDiagnostics.PauseKind>())
        {
            var now = GcDiagnostics.TotalsOf(kind);
            var before = totalsBefore[(int)kind];
            string name = $"live_{mib}MiB_{kind.ToString().ToLowerInvariant()}";
            Report($"{name}_pauses", now.Count - before.Count, "count");
            Report($"{name}_total", (now.TotalMicroseconds - before.TotalMicroseconds) / 1000, "ms");
            if (now.Count != before.Count) Report($"{name}_max_since_boot", now.MaxMicroseconds / 1000, "ms");
        }
        if (!live.Verify()) { Console.WriteLine("BENCH-ERROR live heap corrupted"); }
    }

    static void Collect(List<double> durations, ref long seen)
    {
        long now = GcDiagnostics.PauseCount;
        foreach (var pause in GcDiagnostics.PausesSince(seen)) durations.Add(pause.Microseconds / 1000);
        seen = now;
    }

    static double Percentile(List<double> samples, double p)
    {
        if (samples.Count == 0) return 0;
        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return sorted[Math.Min(sorted.Length - 1, (int)(sorted.Length * p))];
    }
}

sealed class LiveHeap
{
    sealed class Node { public Node? Next; public object? Payload; public long Value; }

    readonly Node _head;
    readonly List<byte[]> _buffers = new();
    readonly long _nodes;

    LiveHeap(Node head, long nodes) { _head = head; _nodes = nodes; }

    /// <summary>~megabytes of live data: half 40-byte nodes (a linked list, every 4th carrying a boxed
    /// value), half 1 KiB buffers.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static LiveHeap Build(int megabytes)
    {
        long half = (long)megabytes << 19;
        long nodes = half / 46;
        Node head = new();
        for (long i = 1; i < nodes; i++) head = new Node { Next = head, Value = i, Payload = i % 4 == 0 ? (object)i : null };
        var heap = new LiveHeap(head, nodes);
        for (long b = 0; b < half / 1048; b++) heap._buffers.Add(new byte[1024]);
        return heap;
    }

    public bool Verify()
    {
        long count = 0, expected = _nodes - 1;
        for (Node? n = _head; n != null; n = n.Next, count++, expected--)
            if (n.Value != expected && expected > 0) return false;
        return count == _nodes;
    }
}
