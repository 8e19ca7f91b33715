using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>The collector: incremental, non-moving mark-sweep over the whole heap.
///
/// A cycle runs in short pauses spread over the allocations that pay for it (<see cref="Pace"/>): a start
/// (the thread roots are scanned), marking steps (the static and handle roots a slice at a time, then the
/// grey objects, <see cref="Marker"/>), a termination (thread roots scanned again, then weak handles,
/// finalization and the switch to sweeping) and sweep steps (<see cref="GcHeap.SweepSome"/>). Between
/// pauses the mutator runs: the write barriers (Dijkstra insertion barriers, Kernel/Asm/gc.asm) shade
/// every reference it stores into the heap, objects it allocates are black, and what it keeps only on
/// stacks and in registers is found by the termination's rescan. Each pause stops at
/// <see cref="MaxStepMicroseconds"/> (the work left over is carried to the next one); when memory runs out
/// before a cycle ends, the allocator finishes it in one piece (<see cref="FinishCycle"/>), and GC.Collect
/// is a blocking full collection (<see cref="Collect"/>).
///
/// Root scanning is CONSERVATIVE for stacks, saved registers and frozen segments (every aligned word that
/// points into a heap object, interior pointers included, keeps that object alive: no GC info decoder
/// needed, at the price of occasionally retaining garbage a stale stack slot still points to) and PRECISE
/// for the heap itself (each object's reference fields come from the GCDesc in front of its MethodTable),
/// for thread-static roots and for GC handles. Because nothing moves, pinning is free: pinned handles,
/// `fixed` and GC.AllocateArray(pinned: true) need nothing more than staying alive.
///
/// Order of a termination (CoreCLR's semantics): mark from the thread roots; dependent handles to a
/// fixpoint; clear short weak handles; queue unreachable finalizable objects and mark from them
/// (resurrection); dependent handles again; clear long weak handles and dead dependent handles.
/// Threads: on one CPU, stopping the world = disabling interrupts on the thread that pauses (no timer tick,
/// so no switch). Every other live thread (Scheduler.First) is parked with all its registers saved on its
/// own stack below StackTop, so its stack from SavedRsp up is scanned, and its TLS block (inline thread
/// statics) and RhGetThreadStaticStorage slot are roots too. A thread that exits leaves Scheduler.First
/// before it stops running, so its stack stops being a root.</summary>
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
    static int s_rootStage, s_rootIndex;  // incremental root scan: 0 frozen segments, 1 handles, 2 done
    static ulong s_rootOffset;

    public static Phase CurrentPhase => s_phase;
    /// <summary>The heap's size when the current cycle started (Allocator.GrowthLimit).</summary>
    public static ulong OwnedAtCycleStart { get; private set; }
    public static bool VerifyEveryCycle;

    public static int CollectionCount;
    public static ulong LastHeapBefore, LastLive, LastLiveObjects, LastPromoted;
    static ulong s_firstTimestamp;

    // The last PauseLogEntries pauses: duration in TSC ticks, kind in the top byte (GcDiagnostics).
    public const int PauseLogEntries = 16384;
    static ulong* s_pauseLog;
    static ulong s_pauseLogNext;

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
        s_pauseLog = (ulong*)Memory.NativeHeap.Allocate(PauseLogEntries * 8);
        s_firstTimestamp = Cpu.ReadTimestampCounter();
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
        Record(kind, ticks);
        RecordCycle(kind, ticks);
        s_inPause = false;
        RestoreFlags(flags);
    }

    /// <summary>The last completed collection (GC.GetGCMemoryInfo): whether it ran incrementally while the
    /// program ran, and its two pauses (start and end; a blocking collection has one).</summary>
    public static bool LastCycleConcurrent;
    public static ulong LastCycleFirstPauseTicks, LastCycleSecondPauseTicks;
    static ulong s_cycleStartPause;
    static bool s_terminated;                 // the current pause ended a cycle's marking

    static void RecordCycle(PauseKind kind, ulong ticks)
    {
        switch (kind)
        {
            case PauseKind.Start: s_cycleStartPause = ticks; break;
            case PauseKind.Terminate:
            case PauseKind.Finish:
                if (!s_terminated) break;                       // (Finish with only sweeping left)
                LastCycleConcurrent = true;
                LastCycleFirstPauseTicks = s_cycleStartPause;
                LastCycleSecondPauseTicks = ticks;
                break;
            case PauseKind.Full:
                LastCycleConcurrent = false;
                LastCycleFirstPauseTicks = ticks;
                LastCycleSecondPauseTicks = 0;
                break;
        }
    }

    const int PauseKinds = 6;
    [InlineArray(PauseKinds)] public struct PerKind { ulong _first; }
    /// <summary>Per pause kind since boot: how many, their total and their longest (TSC ticks).</summary>
    public static PerKind PausesByKind, PauseTicksByKind, MaxPauseTicksByKind;

    /// <summary>Pauses since boot (every kind), their total and the longest, in TSC ticks.</summary>
    public static ulong PauseCount => s_pauseLogNext;
    public static ulong TotalPauseTicks
    {
        get { ulong sum = 0; for (int k = 0; k < PauseKinds; k++) sum += PauseTicksByKind[k]; return sum; }
    }
    public static ulong MaxPauseTicks
    {
        get { ulong max = 0; for (int k = 0; k < PauseKinds; k++) if (MaxPauseTicksByKind[k] > max) max = MaxPauseTicksByKind[k]; return max; }
    }

    static void Record(PauseKind kind, ulong ticks)
    {
        PausesByKind[(int)kind]++;
        PauseTicksByKind[(int)kind] += ticks;
        if (ticks > MaxPauseTicksByKind[(int)kind]) MaxPauseTicksByKind[(int)kind] = ticks;
        s_pauseLog[s_pauseLogNext++ % PauseLogEntries] = (ticks & 0x00FF_FFFF_FFFF_FFFF) | ((ulong)kind << 56);
    }

    /// <summary>Copies the logged pauses after the first <paramref name="since"/> (as many as are still
    /// logged, at most <paramref name="capacity"/>, the newest), oldest first: ticks (low 56 bits) and kind
    /// (top byte).</summary>
    public static int CopyPauseLog(ulong since, ulong* destination, int capacity)
    {
        ulong flags = SaveFlagsAndDisableInterrupts();
        ulong count = s_pauseLogNext - (since < s_pauseLogNext ? since : s_pauseLogNext);
        if (count > PauseLogEntries) count = PauseLogEntries;
        if (count > (ulong)capacity) count = (ulong)capacity;
        ulong first = s_pauseLogNext - count;
        for (ulong i = 0; i < count; i++) destination[i] = s_pauseLog[(first + i) % PauseLogEntries];
        RestoreFlags(flags);
        return (int)count;
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
        s_rootStage = 0;
        s_rootIndex = 0;
        s_rootOffset = 0;
        ScanThreadRoots(stackPointer, &MarkFound);
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
            if (s_rootStage < 2) { budget -= ScanRootsSome(budget, Deadline(start, budget)); continue; }
            if (Handles.DependentCount != 0 && MarkDependents(drain: false)) continue;
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
            while (s_rootStage < 2) ScanRootsSome(long.MaxValue);
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
        ScanThreadRoots(stackPointer, &MarkFound);
        Marker.DrainAll();
        MarkDependents(drain: true);
        if (VerifyEveryCycle) Verifier.Check(stackPointer);
        ClearWeakHandles(longWeak: false);

        Finalization.QueueUnreachable();
        Marker.DrainAll();
        MarkDependents(drain: true);
        ClearWeakHandles(longWeak: true);

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

    // ---- roots -------------------------------------------------------------------------------------------

    static void MarkFound(byte* obj) => Marker.MarkObject(obj);

    /// <summary>The roots the barriers do not see: every thread's stack and saved registers (conservative),
    /// TLS blocks, thread-static storage, registered root slots and reflection's reported frames, and the
    /// finalization queue. Calls
    /// <paramref name="visit"/> with each heap object found.</summary>
    public static void ScanThreadRoots(byte* stackPointer, delegate*<byte*, void> visit)
    {
        VisitPrecise((byte*)BootThread.s_threadStaticStorage, visit);
        if (!Scheduler.Started)
        {
            Image.Layout* image = Image.Current;
            ScanStack(stackPointer, image->BootStackBottom, image->BootStackTop, visit);
        }
        else
        {
            KThread* current = Scheduler.Current;
            for (KThread* t = Scheduler.First; t != null; t = t->NextInAll)
            {
                if (t == current) ScanStack(stackPointer, t->StackBottom, t->StackTop, visit);
                else
                {
                    byte* saved = (byte*)t->SavedRsp;
                    // A saved rsp outside the stack should not happen; if it does, scan the whole stack but never its guard page.
                    byte* aboveGuard = (byte*)((((ulong)t->StackBottom + 4095) & ~4095UL) + 4096);
                    ScanConservatively(saved >= aboveGuard && saved < t->StackTop ? saved : aboveGuard, t->StackTop, visit);
                }
                if (t->TlsBlock != null) ScanConservatively(t->TlsBlock, t->TlsBlock + t->TlsBlockSize, visit);
                VisitPrecise((byte*)t->ThreadStaticStorage, visit);
            }
        }
        for (int i = 0; i < GcControl.RootSlotCount; i++) VisitPrecise(*(byte**)GcControl.RootSlots[i], visit);
        for (GcControl.GcFrame* f = GcControl.Frames; f != null; f = f->Next)
            ScanConservatively((byte*)f->References, (byte*)(f->References + f->Count), visit);
        Finalization.VisitQueued(visit);
    }

    static void ScanStack(byte* stackPointer, byte* bottom, byte* top, delegate*<byte*, void> visit)
    {
        if (stackPointer < bottom || stackPointer >= top) Panic.Halt("GC: the collecting thread runs outside its stack"u8);
        ScanConservatively(stackPointer, top, visit);
    }

    public static void ScanConservatively(byte* start, byte* end, delegate*<byte*, void> visit)
    {
        for (byte** p = (byte**)(((ulong)start + 7) & ~7UL); (byte*)(p + 1) <= end; p++)
        {
            byte* obj = GcHeap.FindObject(*p);
            if (obj != null) visit(obj);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void VisitPrecise(byte* obj, delegate*<byte*, void> visit)
    {
        if (GcHeap.InHeap(obj)) visit(obj);
    }

    const ulong FrozenSliceBytes = 8 * 1024;
    const int HandleSliceSlots = 512;

    /// <summary>The roots the barriers do see (frozen segments and strong handles: anything stored in them
    /// after the start is shaded), scanned a slice at a time. Returns the work done.</summary>
    static long ScanRootsSome(long budget, ulong deadline = 0)
    {
        long work = 0;
        while (s_rootStage < 2 && work < budget && (deadline == 0 || Cpu.ReadTimestampCounter() < deadline))
        {
            if (s_rootStage == 0)
            {
                if (s_rootIndex >= GcControl.FrozenSegmentCount) { s_rootStage = 1; s_rootIndex = 0; s_rootOffset = 0; continue; }
                ref GcControl.FrozenSegment segment = ref GcControl.FrozenSegments[s_rootIndex];
                ulong end = s_rootOffset + FrozenSliceBytes;
                if (end > segment.Allocated) end = segment.Allocated;
                ScanConservatively(segment.Start + s_rootOffset, segment.Start + end, &MarkFound);
                work += (long)(end - s_rootOffset);
                s_rootOffset = end;
                if (end == segment.Allocated) { s_rootIndex++; s_rootOffset = 0; }
            }
            else
            {
                if (s_rootIndex >= Handles.BlockCount) { s_rootStage = 2; continue; }
                Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[s_rootIndex] + s_rootOffset;
                for (int i = 0; i < HandleSliceSlots; i++, slot++)
                    if (Handles.IsStrong(slot->Type)) Marker.MarkPrecise((byte*)slot->Target);
                work += HandleSliceSlots * 24;
                s_rootOffset += HandleSliceSlots;
                if (s_rootOffset >= (ulong)Handles.Slots) { s_rootIndex++; s_rootOffset = 0; }
            }
        }
        return work;
    }

    /// <summary>A dependent handle keeps its secondary alive while its primary is alive. One pass marks the
    /// secondaries of live primaries; with <paramref name="drain"/> it repeats, draining, until no handle
    /// adds anything (marking a secondary can make another primary live). True when something was marked.</summary>
    static bool MarkDependents(bool drain)
    {
        bool any = false, changed = true;
        while (changed)
        {
            changed = false;
            for (int b = 0; b < Handles.BlockCount; b++)
            {
                Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
                for (int i = 0; i < Handles.Slots; i++, slot++)
                {
                    if (slot->Type != (nint)Handles.HandleType.Dependent || slot->Target == null || slot->Secondary == null) continue;
                    if (!Marker.IsLive((byte*)slot->Target) || Marker.IsLive((byte*)slot->Secondary)) continue;
                    Marker.MarkPrecise((byte*)slot->Secondary);
                    changed = true;
                }
            }
            any |= changed;
            if (!drain) break;
            if (changed) Marker.DrainAll();
        }
        return any;
    }

    static void ClearWeakHandles(bool longWeak)
    {
        for (int b = 0; b < Handles.BlockCount; b++)
        {
            Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
            for (int i = 0; i < Handles.Slots; i++, slot++)
            {
                if (slot->Target == null || Marker.IsLive((byte*)slot->Target)) continue;
                var type = (Handles.HandleType)slot->Type;
                if (type == Handles.HandleType.WeakShort && !longWeak) slot->Target = null;
                else if (longWeak && (type == Handles.HandleType.WeakLong || type == Handles.HandleType.Dependent))
                {
                    slot->Target = null;
                    slot->Secondary = null;
                }
            }
        }
    }

    // ---- statistics ----------------------------------------------------------------------------------

    public static ulong TicksToNanoseconds(ulong ticks)
    {
        ulong perSecond = Clock.TscPerSecond;
        return perSecond == 0 ? 0 : (ulong)((double)ticks * 1e9 / perSecond);
    }

    public static ulong ElapsedTicks => Cpu.ReadTimestampCounter() - s_firstTimestamp;
}
