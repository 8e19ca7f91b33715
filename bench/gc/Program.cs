// GC benchmark kernel: prints "BENCH <name> <value> <unit>" lines (bench/gc/run.sh collects them).
//   allocation rate: small objects and 1 KiB arrays, little live data (collections included)
//   pauses at 16 and 64 MiB live heaps: forced GC.Collect() and collections triggered by allocation
// The live heap is half small objects in a linked graph (the expensive part to mark), half 1 KiB buffers.
using System.Diagnostics;
using System.Runtime.CompilerServices;

static class Program
{
    static int Main()
    {
        Report("ram", GC.GetGCMemoryInfo().TotalAvailableMemoryBytes >> 20, "MiB");
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
        Report($"live_{mib}MiB_forced_pause_p50", Percentile(forced, 0.50), "ms");
        Report($"live_{mib}MiB_forced_pause_p99", Percentile(forced, 0.99), "ms");

        // Allocation-triggered collections: the allocation that triggered one took the whole pause.
        var triggered = new List<double>();
        long garbage = 4L * mib << 20, allocated = 0;
        long churnStart = Stopwatch.GetTimestamp();
        while (allocated < garbage)
        {
            int before = GC.CollectionCount(0);
            long t = Stopwatch.GetTimestamp();
            var chunk = new object[16];
            for (int i = 0; i < chunk.Length; i++) chunk[i] = new byte[240];
            double ms = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
            if (GC.CollectionCount(0) != before) triggered.Add(ms);
            allocated += 16 * 264 + 152;
            GC.KeepAlive(chunk);
        }
        double churnSeconds = Stopwatch.GetElapsedTime(churnStart).TotalSeconds;
        Report($"live_{mib}MiB_alloc_rate", garbage / (1024.0 * 1024) / churnSeconds, "MB/s");
        Report($"live_{mib}MiB_triggered_collections", triggered.Count, "count");
        Report($"live_{mib}MiB_triggered_pause_p50", Percentile(triggered, 0.50), "ms");
        Report($"live_{mib}MiB_triggered_pause_p99", Percentile(triggered, 0.99), "ms");
        if (!live.Verify()) { Console.WriteLine("BENCH-ERROR live heap corrupted"); }
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
