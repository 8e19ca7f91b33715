using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>The collector's phase controller: when a cycle starts, what each pause does (start, marking
/// step, termination, sweep step, a cycle finished in one piece, a full collection) and how long it may run.
/// Root scanning is in <see cref="Roots"/>, the pauses' statistics in <see cref="PauseLog"/>; the design
/// (incremental mark-sweep, conservative stacks, termination order, threads) is in README.md.</summary>
internal static unsafe class Collector
{
    public enum Phase : byte { Idle, Marking, Sweeping }
    public enum PauseKind : byte { Start, Mark, Terminate, Sweep, Finish, Full }

    /// <summary>Pacing: units of marking work (bytes scanned, plus 64 for each object marked) owed for each
    /// byte allocated while a cycle marks: marking ends after the mutator allocated roughly a quarter of the
    /// live heap. Sweeping covers the whole heap by the time half of the next cycle's budget is allocated
    /// (<see cref="SweepWorkPerByte"/>).</summary>
    const long MarkWorkPerByte = 6;
    /// <summary>The longest a pause may run before it hands the rest of its work to the next one.</summary>
    public const ulong MaxStepMicroseconds = 150;
    /// <summary>What the allocator sweeps at once when it finds no free block and the sweep is behind.</summary>
    const long AllocationSweepBytes = 256 * 1024;

    static Phase s_phase;
    static bool s_inPause;
    static long s_credit;                 // work owed by the current phase (bytes)
    static bool s_markingDone;            // nothing grey is left: the next pause terminates
    static ulong s_maxStepTicks;          // 0 until the TSC is calibrated
    static bool s_terminated;             // the current pause ended a cycle's marking

    public static Phase CurrentPhase => s_phase;
    /// <summary>The heap's size when the current cycle started (Allocator.GrowthLimit).</summary>
    public static ulong OwnedAtCycleStart { get; private set; }
    public static bool VerifyEveryCycle;

    public static int CollectionCount;
    public static ulong LastHeapBefore, LastLive, LastLiveObjects, LastPromoted;

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_spill_and_call")]
    static extern void SpillRegistersAndCall(delegate*<byte*, nint, void> function, nint argument);

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_save_flags_cli")]
    public static extern ulong SaveFlagsAndDisableInterrupts();

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_restore_flags")]
    public static extern void RestoreFlags(ulong flags);

    public static void Initialize()
    {
        Marker.Initialize();
        Scheduler.IdleWork = &IdleStep;
        PauseLog.Initialize();
    }

    // ---- entry points ------------------------------------------------------------------------------------

    /// <summary>The allocator's slow path (a new region or a large object, preemption disabled): the
    /// collector's share of work for <paramref name="allocatedBytes"/>: starting a cycle when the budget
    /// since the last one is spent, or a marking or sweeping step.</summary>
    public static void Pace(ulong allocatedBytes)
    {
        if (NoGcRegion.Active && NoGcRegion.Allocated(allocatedBytes)) return;
        switch (s_phase)
        {
            case Phase.Idle:
                if (Allocator.AllocatedSinceGc >= Allocator.CycleBudget) Pause(PauseKind.Start);
                break;
            default:
                s_credit += (long)allocatedBytes * (s_phase == Phase.Marking ? MarkWorkPerByte : SweepWorkPerByte);
                Step();
                break;
        }
    }

    /// <summary>The pause that moves the cycle in progress on: a marking step (or the termination once nothing
    /// grey is left), or a sweep step; each spends at most the credit owed.</summary>
    static void Step() => Pause(s_phase == Phase.Sweeping ? PauseKind.Sweep : s_markingDone ? PauseKind.Terminate : PauseKind.Mark);

    static long SweepWorkPerByte
    {
        get
        {
            long perByte = (long)(2 * GcHeap.OwnedBytes / Allocator.CycleBudget) + 1;
            return perByte < 4 ? 4 : perByte;
        }
    }

    /// <summary>Work done while the CPU would otherwise halt (Scheduler.IdleWork, interrupts disabled): a step
    /// of the cycle in progress, or a new cycle once half the budget is allocated, so that a program that
    /// waits between bursts (a server between requests) finds its collections done. False: nothing to do.</summary>
    static bool IdleStep()
    {
        if (s_inPause || NoGcRegion.Active) return false;
        s_idlePause = true;
        bool worked = true;
        switch (s_phase)
        {
            case Phase.Idle:
                if (Allocator.AllocatedSinceGc < Allocator.CycleBudget / 2) worked = false;
                else Pause(PauseKind.Start);
                break;
            default:
                if (s_credit < IdleStepWork) s_credit = IdleStepWork;
                Step();
                break;
        }
        s_idlePause = false;
        return worked;
    }

    /// <summary>An idle step's budget: more than an allocation's share; the step's time limit still holds.</summary>
    const long IdleStepWork = 1 << 20;

    /// <summary>The allocator found no free block while the sweep is behind: sweeps some more.</summary>
    public static void SweepForAllocation()
    {
        long credit = s_credit;
        s_credit = AllocationSweepBytes;
        Pause(PauseKind.Sweep);
        s_credit = credit;
    }

    /// <summary>Memory ran out while marking: the rest of the cycle's marking and its termination in one
    /// pause (the sweep stays lazy).</summary>
    public static void FinishCycle()
    {
        if (s_phase == Phase.Marking) Pause(PauseKind.Finish, sweepToo: false);
    }

    /// <summary>The cycle in progress marked and swept to the end, in one pause (nothing new started).</summary>
    public static void CompleteCycle()
    {
        if (s_phase != Phase.Idle) Pause(PauseKind.Finish, sweepToo: true);
    }

    /// <summary>GC.Collect, or memory exhausted: a full blocking collection on the calling thread. A cycle
    /// in progress is finished first (not counted again: it is part of this collection); everything is
    /// swept, so the memory figures are exact when it returns.</summary>
    public static void Collect() => Pause(PauseKind.Full);

    // ---- pauses ------------------------------------------------------------------------------------------

    static void Pause(PauseKind kind, bool sweepToo = false)
    {
        ulong flags = SaveFlagsAndDisableInterrupts();
        if (s_inPause) Panic.Halt("GC: collection re-entered (allocation inside the collector?)"u8);
        s_inPause = true;
        if (s_maxStepTicks == 0) s_maxStepTicks = Clock.TscPerSecond * MaxStepMicroseconds / 1_000_000;
        ulong start = Cpu.ReadTimestampCounter();
        s_terminated = false;
        switch (kind)
        {
            case PauseKind.Start: SpillRegistersAndCall(&StartFrom, 0); break;
            case PauseKind.Mark: SpillRegistersAndCall(&MarkStepFrom, (nint)start); break;
            case PauseKind.Terminate: SpillRegistersAndCall(&TerminateFrom, 0); break;
            case PauseKind.Sweep: SweepStep(start); break;
            case PauseKind.Finish: SpillRegistersAndCall(&FinishFrom, sweepToo ? 1 : 0); break;
            case PauseKind.Full: SpillRegistersAndCall(&FullFrom, 0); break;
        }
        ulong ticks = Cpu.ReadTimestampCounter() - start;
        PauseLog.Record(kind, ticks, endedMarking: s_terminated);
        s_inPause = false;
        RestoreFlags(flags);
    }

    /// <summary>A step stops after <see cref="MaxStepMicroseconds"/>, unless the work owed has piled up past
    /// <see cref="BacklogBytes"/> (a CPU too slow for the program's allocation rate at that length): then it
    /// goes on, up to 4 times as long, until the backlog is back under the mark. Memory stays bounded, at the
    /// price of longer pauses on slow machines only.</summary>
    const long BacklogBytes = 1024 * 1024;

    static ulong Deadline(ulong start, long owed) =>
        s_maxStepTicks == 0 ? 0
        : s_idlePause ? start + s_maxStepTicks / IdleStepFraction
        : start + (owed > BacklogBytes ? 4UL : 1UL) * s_maxStepTicks;

    /// <summary>Idle steps are short (a quarter of a step, never stretched): an interrupt that arrives meanwhile
    /// (a timer, a packet) waits for the step to end.</summary>
    const ulong IdleStepFraction = 4;
    static bool s_idlePause;

    static void StartFrom(byte* stackPointer, nint unused)
    {
        if (GcHeap.SweepPending) GcHeap.FinishSweep();   // the sweep steps normally finish first
        LastHeapBefore = Allocator.LiveAfterGc + Allocator.AllocatedSinceGc;
        OwnedAtCycleStart = GcHeap.OwnedBytes;
        Marker.Begin();
        s_phase = Phase.Marking;
        s_credit = 0;
        s_markingDone = false;
        Roots.BeginIncremental();
        Roots.MarkThreads(stackPointer);
    }

    static void MarkStepFrom(byte* stackPointer, nint startTicks)
    {
        ulong start = (ulong)startTicks;
        long budget = s_credit;
        while (budget > 0)
        {
            ulong deadline = Deadline(start, budget);
            Marker.ShadeBarrierBuffer();
            budget -= Marker.Drain(budget > BacklogBytes ? budget - BacklogBytes : budget, deadline);
            if (deadline != 0 && Cpu.ReadTimestampCounter() >= Deadline(start, budget)) break;
            if (!Marker.Idle) continue;
            if (!Roots.IncrementalDone) { budget -= Roots.ScanSome(budget, Deadline(start, budget)); continue; }
            if (Handles.DependentCount != 0 && Roots.MarkDependents(drain: false)) continue;
            s_markingDone = true;              // the next pause terminates
            break;
        }
        s_credit = budget;
    }

    static void TerminateFrom(byte* stackPointer, nint unused) => Terminate(stackPointer, counted: true);

    /// <summary>The rest of the marking and its termination; with <paramref name="sweepToo"/> the sweep too.</summary>
    static void FinishFrom(byte* stackPointer, nint sweepToo)
    {
        if (s_phase == Phase.Marking)
        {
            while (!Roots.IncrementalDone) Roots.ScanSome(long.MaxValue);
            Marker.DrainAll();
            Terminate(stackPointer, counted: true);
        }
        if (sweepToo != 0)
        {
            GcHeap.FinishSweep();
            s_phase = Phase.Idle;
        }
    }

    static void FullFrom(byte* stackPointer, nint unused)
    {
        if (s_phase == Phase.Marking)
        {
            FinishFrom(stackPointer, 0);
            CollectionCount--;                 // the collection that follows counts for both
        }
        GcHeap.FinishSweep();
        StartFrom(stackPointer, 0);
        FinishFrom(stackPointer, 0);
        GcHeap.FinishSweep();
        s_phase = Phase.Idle;
    }

    static void SweepStep(ulong start)
    {
        long budget = s_credit;
        bool more = GcHeap.SweepSome(ref budget, Deadline(start, budget));
        s_credit = more && budget > 0 ? budget : 0;     // cut by the deadline: owed to the next step
        if (!more) s_phase = Phase.Idle;
    }

    /// <summary>The end of marking: the thread roots again (what the mutator kept only on stacks and in
    /// registers since the start), then weak references and finalization, then lazy sweeping.</summary>
    static void Terminate(byte* stackPointer, bool counted)
    {
        Allocator.RetireContext();                   // its region is swept like the rest (and walkable)
        Roots.MarkThreads(stackPointer);
        Marker.DrainAll();
        Roots.MarkDependents(drain: true);
        if (VerifyEveryCycle) Verifier.Check(stackPointer);
        Roots.ClearWeakHandles(longWeak: false);

        Finalization.QueueUnreachable();
        Marker.DrainAll();
        Roots.MarkDependents(drain: true);
        Roots.ClearWeakHandles(longWeak: true);

        Marker.End();
        s_markingDone = false;
        GcHeap.BeginLazySweep();
        s_phase = Phase.Sweeping;
        s_credit = 0;
        LastLive = Marker.MarkedBytes;
        LastLiveObjects = Marker.MarkedObjects;
        LastPromoted = LastLive;
        Allocator.CollectionDone(LastLive);
        if (counted) CollectionCount++;
        s_terminated = true;
    }
}
