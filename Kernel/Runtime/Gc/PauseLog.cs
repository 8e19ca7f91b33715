using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>What the collector's pauses cost: per-kind counts, totals and maxima since boot, the last
/// <see cref="Entries"/> pauses one by one (GcDiagnostics), and the last completed cycle's two pauses
/// (GC.GetGCMemoryInfo). Written only by the collector, inside a pause.</summary>
internal static unsafe class PauseLog
{
    /// <summary>How many of the latest pauses are kept: duration in TSC ticks (low 56 bits), kind in the top byte.</summary>
    public const int Entries = 16384;
    static ulong* s_log;
    static ulong s_next;
    static ulong s_firstTimestamp;

    const int Kinds = 6;                  // Collector.PauseKind
    [InlineArray(Kinds)] public struct PerKind { ulong _first; }
    /// <summary>Per pause kind since boot: how many, their total and their longest (TSC ticks).</summary>
    public static PerKind CountByKind, TicksByKind, MaxTicksByKind;

    /// <summary>The last completed collection: whether it ran incrementally while the program ran, and its two
    /// pauses (start and end; a blocking collection has one).</summary>
    public static bool LastCycleConcurrent;
    public static ulong LastCycleFirstPauseTicks, LastCycleSecondPauseTicks;
    static ulong s_cycleStartPause;

    public static void Initialize()
    {
        s_log = (ulong*)Memory.NativeHeap.Allocate(Entries * 8);
        s_firstTimestamp = Cpu.ReadTimestampCounter();
    }

    /// <summary>Pauses since boot (every kind), their total and the longest, in TSC ticks.</summary>
    public static ulong Count => s_next;
    public static ulong TotalTicks
    {
        get { ulong sum = 0; for (int k = 0; k < Kinds; k++) sum += TicksByKind[k]; return sum; }
    }
    public static ulong MaxTicks
    {
        get { ulong max = 0; for (int k = 0; k < Kinds; k++) if (MaxTicksByKind[k] > max) max = MaxTicksByKind[k]; return max; }
    }

    /// <summary>Records a pause of <paramref name="ticks"/>; <paramref name="endedMarking"/>: it terminated a
    /// cycle's marking (a Terminate, or a Finish that had marking left).</summary>
    public static void Record(Collector.PauseKind kind, ulong ticks, bool endedMarking)
    {
        CountByKind[(int)kind]++;
        TicksByKind[(int)kind] += ticks;
        if (ticks > MaxTicksByKind[(int)kind]) MaxTicksByKind[(int)kind] = ticks;
        s_log[s_next++ % Entries] = (ticks & 0x00FF_FFFF_FFFF_FFFF) | ((ulong)kind << 56);

        switch (kind)
        {
            case Collector.PauseKind.Start: s_cycleStartPause = ticks; break;
            case Collector.PauseKind.Terminate:
            case Collector.PauseKind.Finish:
                if (!endedMarking) break;                       // (Finish with only sweeping left)
                LastCycleConcurrent = true;
                LastCycleFirstPauseTicks = s_cycleStartPause;
                LastCycleSecondPauseTicks = ticks;
                break;
            case Collector.PauseKind.Full:
                LastCycleConcurrent = false;
                LastCycleFirstPauseTicks = ticks;
                LastCycleSecondPauseTicks = 0;
                break;
        }
    }

    /// <summary>Copies the logged pauses after the first <paramref name="since"/> (as many as are still
    /// logged, at most <paramref name="capacity"/>, the newest), oldest first: ticks (low 56 bits) and kind
    /// (top byte).</summary>
    public static int Copy(ulong since, ulong* destination, int capacity)
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        ulong count = s_next - (since < s_next ? since : s_next);
        if (count > Entries) count = Entries;
        if (count > (ulong)capacity) count = (ulong)capacity;
        ulong first = s_next - count;
        for (ulong i = 0; i < count; i++) destination[i] = s_log[(first + i) % Entries];
        Collector.RestoreFlags(flags);
        return (int)count;
    }

    public static ulong TicksToNanoseconds(ulong ticks)
    {
        ulong perSecond = Clock.TscPerSecond;
        return perSecond == 0 ? 0 : (ulong)((double)ticks * 1e9 / perSecond);
    }

    /// <summary>TSC ticks since the collector started (the denominator of the pause-time percentage).</summary>
    public static ulong ElapsedTicks => Cpu.ReadTimestampCounter() - s_firstTimestamp;
}
