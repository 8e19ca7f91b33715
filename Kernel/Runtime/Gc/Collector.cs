using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>The collector: stop-the-world, non-moving mark-sweep over the whole heap.
///
/// Root scanning is CONSERVATIVE for stacks, saved registers and frozen segments (every aligned word that
/// points into a heap object, interior pointers included, keeps that object alive: no GC info decoder
/// needed, at the price of occasionally retaining garbage a stale stack slot still points to) and PRECISE
/// for the heap itself (each object's reference fields come from the GCDesc in front of its MethodTable),
/// for thread-static roots and for GC handles. Because nothing moves, pinning is free: pinned handles,
/// `fixed` and GC.AllocateArray(pinned: true) need nothing more than staying alive.
///
/// Order of one collection (CoreCLR's semantics): mark from the strong roots; dependent handles to a
/// fixpoint; clear short weak handles; queue unreachable finalizable objects and mark from them
/// (resurrection); dependent handles again; clear long weak handles and dead dependent handles; sweep.
/// Threads: on one CPU, stopping the world = disabling interrupts on the allocating thread (no timer tick,
/// so no switch). Every other live thread (Scheduler.First) is parked with all its registers saved on its
/// own stack below StackTop, so its stack from SavedRsp up is scanned, and its TLS block (inline thread
/// statics) and RhGetThreadStaticStorage slot are roots too. A thread that exits leaves Scheduler.First
/// before it stops running, so its stack stops being a root.</summary>
internal static unsafe class Collector
{
    const ulong MarkStackEntries = 32 * 1024;

    static byte** s_markStack;
    static ulong s_markTop;
    static bool s_markOverflow, s_collecting;
    static ulong s_markedBytes, s_markedObjects;

    public static int CollectionCount;
    public static ulong LastPauseTicks, TotalPauseTicks, LastHeapBefore, LastLive, LastLiveObjects, LastPromoted;
    static ulong s_firstTimestamp;

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_spill_and_call")]
    static extern void SpillRegistersAndCall(delegate*<byte*, nint, void> function, nint argument);

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_save_flags_cli")]
    public static extern ulong SaveFlagsAndDisableInterrupts();

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_restore_flags")]
    public static extern void RestoreFlags(ulong flags);

    public static void Initialize()
    {
        s_markStack = (byte**)NativeHeap.Allocate(MarkStackEntries * 8);
        s_firstTimestamp = Cpu.ReadTimestampCounter();
    }

    public static bool InProgress => s_collecting;

    /// <summary>A full blocking collection on the calling thread. With <paramref name="lazySweep"/> (the
    /// allocator's collections) the sweep is left to the allocator (GcHeap.SweepNext), shortening the pause;
    /// GC.Collect sweeps everything so that the memory figures are exact when it returns.</summary>
    public static void Collect(bool lazySweep = false)
    {
        ulong flags = SaveFlagsAndDisableInterrupts();
        if (s_collecting) Panic.Halt("GC: collection re-entered (allocation inside the collector?)"u8);
        s_collecting = true;
        ulong start = Cpu.ReadTimestampCounter();
        SpillRegistersAndCall(&CollectFrom, lazySweep ? 1 : 0);
        LastPauseTicks = Cpu.ReadTimestampCounter() - start;
        TotalPauseTicks += LastPauseTicks;
        CollectionCount++;
        s_collecting = false;
        RestoreFlags(flags);
    }

    static void CollectFrom(byte* stackPointer, nint lazySweep)
    {
        LastHeapBefore = Allocator.LiveAfterGc + Allocator.AllocatedSinceGc;
        Allocator.RetireContext();
        GcHeap.FinishSweep();      // what the allocator left unswept since the last collection
        s_markedBytes = 0;
        s_markedObjects = 0;

        MarkThreads(stackPointer);
        for (int i = 0; i < GcControl.FrozenSegmentCount; i++)
        {
            ref GcControl.FrozenSegment s = ref GcControl.FrozenSegments[i];
            ScanConservatively(s.Start, s.Start + s.Allocated);
        }
        for (int i = 0; i < GcControl.RootSlotCount; i++) MarkPrecise(*(byte**)GcControl.RootSlots[i]);
        MarkStrongHandles();
        Finalization.MarkQueued();
        Drain();
        MarkDependents();
        ClearWeakHandles(longWeak: false);

        Finalization.QueueUnreachable();
        Drain();
        MarkDependents();
        ClearWeakHandles(longWeak: true);

        ulong live;
        if (lazySweep != 0)
        {
            GcHeap.BeginLazySweep();
            live = s_markedBytes;
            LastLiveObjects = s_markedObjects;
        }
        else live = GcHeap.Sweep(out LastLiveObjects);
        LastLive = live;
        LastPromoted = live;
        Allocator.CollectionDone(live);
    }

    // ---- roots -----------------------------------------------------------------------------------------

    static void MarkThreads(byte* stackPointer)
    {
        MarkPrecise((byte*)BootThread.s_threadStaticStorage);
        if (!Scheduler.Started)
        {
            Image.Layout* image = Image.Current;
            ScanStack(stackPointer, image->BootStackBottom, image->BootStackTop);
            return;
        }
        KThread* current = Scheduler.Current;
        for (KThread* t = Scheduler.First; t != null; t = t->NextInAll)
        {
            if (t == current) ScanStack(stackPointer, t->StackBottom, t->StackTop);
            else
            {
                byte* saved = (byte*)t->SavedRsp;
                // A saved rsp outside the stack should not happen; if it does, scan the whole stack but never its guard page.
                byte* aboveGuard = (byte*)((((ulong)t->StackBottom + 4095) & ~4095UL) + 4096);
                ScanConservatively(saved >= aboveGuard && saved < t->StackTop ? saved : aboveGuard, t->StackTop);
            }
            if (t->TlsBlock != null) ScanConservatively(t->TlsBlock, t->TlsBlock + t->TlsBlockSize);
            MarkPrecise((byte*)t->ThreadStaticStorage);
        }
    }

    static void ScanStack(byte* stackPointer, byte* bottom, byte* top)
    {
        if (stackPointer < bottom || stackPointer >= top) Panic.Halt("GC: the collecting thread runs outside its stack"u8);
        ScanConservatively(stackPointer, top);
    }

    static void ScanConservatively(byte* start, byte* end)
    {
        for (byte** p = (byte**)(((ulong)start + 7) & ~7UL); (byte*)(p + 1) <= end; p++)
        {
            byte* obj = GcHeap.FindObject(*p);
            if (obj != null) MarkObject(obj);
        }
    }

    static void MarkStrongHandles()
    {
        for (int b = 0; b < Handles.BlockCount; b++)
        {
            Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
            for (int i = 0; i < Handles.Slots; i++, slot++)
                if (Handles.IsStrong(slot->Type)) MarkPrecise((byte*)slot->Target);
        }
    }

    /// <summary>A dependent handle keeps its secondary alive while its primary is alive: repeat until no
    /// handle adds anything (marking a secondary can make another primary live).</summary>
    static void MarkDependents()
    {
        bool changed = true;
        while (changed)
        {
            changed = false;
            for (int b = 0; b < Handles.BlockCount; b++)
            {
                Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
                for (int i = 0; i < Handles.Slots; i++, slot++)
                {
                    if (slot->Type != (nint)Handles.HandleType.Dependent || slot->Target == null || slot->Secondary == null) continue;
                    if (!IsLive((byte*)slot->Target) || IsLive((byte*)slot->Secondary)) continue;
                    MarkPrecise((byte*)slot->Secondary);
                    Drain();
                    changed = true;
                }
            }
        }
    }

    static void ClearWeakHandles(bool longWeak)
    {
        for (int b = 0; b < Handles.BlockCount; b++)
        {
            Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
            for (int i = 0; i < Handles.Slots; i++, slot++)
            {
                if (slot->Target == null || IsLive((byte*)slot->Target)) continue;
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

    static bool IsLive(byte* obj) => !GcHeap.InHeap(obj) || ObjectModel.IsMarked(obj);

    // ---- marking ---------------------------------------------------------------------------------------

    /// <summary>A reference from a precise source (a heap field, a handle, a static root): null, an object
    /// outside the heap (frozen, in the image) or the start of a heap object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void MarkPrecise(byte* obj)
    {
        if (GcHeap.InHeap(obj)) MarkObject(obj);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MarkObject(byte* obj)
    {
        ref uint header = ref ObjectModel.Header(obj);
        if ((header & ObjectModel.MarkBit) != 0) return;
        header |= ObjectModel.MarkBit;
        s_markedBytes += ObjectModel.Size(obj);
        s_markedObjects++;
        if (!ObjectModel.HasPointers(ObjectModel.MethodTable(obj))) return;
        if (s_markTop == MarkStackEntries) { s_markOverflow = true; return; }
        s_markStack[s_markTop++] = obj;
    }

    static void VisitField(void** field) => MarkPrecise((byte*)*field);

    /// <summary>Marks everything reachable from the mark stack. When the stack overflowed, marked objects
    /// whose children were dropped are found again by walking the heap.</summary>
    static void Drain()
    {
        while (true)
        {
            while (s_markTop > 0) ScanFields(s_markStack[--s_markTop]);
            if (!s_markOverflow) return;
            s_markOverflow = false;
            GcHeap.ForEachObject(&RescanIfMarked);
        }
    }

    static void RescanIfMarked(byte* obj)
    {
        if (ObjectModel.IsMarked(obj)) ScanFields(obj);
    }

    /// <summary>ObjectModel.ForEachReference with the marking inlined (the collector's hot loop).</summary>
    static void ScanFields(byte* obj)
    {
        byte* mt = ObjectModel.MethodTable(obj);
        long count = *(long*)(mt - 8);
        if (count <= 0) { ObjectModel.ForEachReference(obj, &VisitField); return; }
        ulong size = ObjectModel.Size(obj);
        byte* series = mt - 8 - 16;
        for (long s = 0; s < count; s++, series -= 16)
        {
            byte** p = (byte**)(obj + *(ulong*)(series + 8));
            byte** stop = (byte**)((byte*)p + (*(ulong*)series + size));
            for (; p < stop; p++)
            {
                byte* target = *p;
                if (GcHeap.InHeap(target)) MarkObject(target);
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
