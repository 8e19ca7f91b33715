using CosmosNet.Kernel.Runtime.Gc;

namespace CosmosNet.Kernel;

/// <summary>What the collector tells apps, tests and benchmarks beyond System.GC: each pause it made, what
/// phase a cycle is in, and a verification mode for the incremental marking.</summary>
public static unsafe class GcDiagnostics
{
    public enum PauseKind { Start, Mark, Terminate, Sweep, Finish, Full }

    /// <summary>One stop of the mutator: a cycle's start, a marking step, the step that ended marking, a
    /// sweep step, a cycle finished in one piece because memory ran out, or a full collection (GC.Collect).</summary>
    public readonly record struct Pause(PauseKind Kind, double Microseconds);

    /// <summary>Pauses so far (every kind) since boot.</summary>
    public static long PauseCount => (long)PauseLog.Count;

    /// <summary>The longest pause since boot, in microseconds.</summary>
    public static double MaxPauseMicroseconds => PauseLog.TicksToNanoseconds(PauseLog.MaxTicks) / 1000.0;

    /// <summary>Pauses of one kind since boot: how many, their total and the longest, in microseconds.</summary>
    public readonly record struct PauseTotals(long Count, double TotalMicroseconds, double MaxMicroseconds);

    public static PauseTotals TotalsOf(PauseKind kind) => new(
        (long)PauseLog.CountByKind[(int)kind],
        PauseLog.TicksToNanoseconds(PauseLog.TicksByKind[(int)kind]) / 1000.0,
        PauseLog.TicksToNanoseconds(PauseLog.MaxTicksByKind[(int)kind]) / 1000.0);

    /// <summary>The pauses after the first <paramref name="since"/> (a <see cref="PauseCount"/> read earlier),
    /// oldest first; only the last 16384 are kept.</summary>
    public static Pause[] PausesSince(long since)
    {
        var raw = new ulong[PauseLog.Entries];
        int count;
        fixed (ulong* p = raw) count = PauseLog.Copy((ulong)since, p, raw.Length);
        var pauses = new Pause[count];
        for (int i = 0; i < count; i++)
            pauses[i] = new Pause((PauseKind)(raw[i] >> 56), PauseLog.TicksToNanoseconds(raw[i] & 0x00FF_FFFF_FFFF_FFFF) / 1000.0);
        return pauses;
    }

    /// <summary>True while a cycle is marking (the write barriers record, new objects are born marked).</summary>
    public static bool Marking => Collector.CurrentPhase == Collector.Phase.Marking;

    /// <summary>When set, every cycle's end traces the heap again from scratch and halts the kernel if
    /// the incremental marking missed a reachable object (a second full trace per cycle: for tests).</summary>
    public static bool VerifyEveryCycle
    {
        get => Collector.VerifyEveryCycle;
        set => Collector.VerifyEveryCycle = value;
    }

    /// <summary>Times the mark stack overflowed and marking had to walk the heap to recover.</summary>
    public static long MarkStackOverflows => (long)Marker.Overflows;

    /// <summary>Cycles the verifier checked, and objects it found reachable in them.</summary>
    public static long VerifiedCycles => (long)Verifier.Cycles;
    public static long VerifiedObjects => (long)Verifier.ObjectsChecked;
}
