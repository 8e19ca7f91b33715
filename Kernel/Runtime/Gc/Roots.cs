using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>What keeps objects alive besides the heap itself: thread stacks, saved registers, TLS blocks and
/// thread statics (conservative or precise, see README.md), registered root slots, reflection's reported
/// frames, the finalization queue, frozen segments and the handle table, and the two handle passes of a
/// termination (dependent handles to a fixpoint, clearing weak handles). The collector decides when each runs.</summary>
internal static unsafe class Roots
{
    const ulong FrozenSliceBytes = 8 * 1024;
    const int HandleSliceSlots = 512;

    static int s_stage, s_index;          // incremental scan: 0 frozen segments, 1 handles, 2 done
    static ulong s_offset;

    static void MarkFound(byte* obj) => Marker.MarkObject(obj);

    /// <summary>Marks everything the thread roots reference (<see cref="ScanThreads"/>).</summary>
    public static void MarkThreads(byte* stackPointer) => ScanThreads(stackPointer, &MarkFound);

    /// <summary>The roots the barriers do not see: every thread's stack and saved registers (conservative),
    /// TLS blocks, thread-static storage, registered root slots and reflection's reported frames, and the
    /// finalization queue. Calls <paramref name="visit"/> with each heap object found.</summary>
    public static void ScanThreads(byte* stackPointer, delegate*<byte*, void> visit)
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

    // ---- the roots the barriers see, a slice at a time -----------------------------------------------------

    /// <summary>A cycle's start: the incremental scan begins again from the first frozen segment.</summary>
    public static void BeginIncremental()
    {
        s_stage = 0;
        s_index = 0;
        s_offset = 0;
    }

    /// <summary>True once <see cref="ScanSome"/> has covered every frozen segment and handle block.</summary>
    public static bool IncrementalDone => s_stage >= 2;

    /// <summary>The roots the barriers do see (frozen segments and strong handles: anything stored in them
    /// after the start is shaded), scanned a slice at a time. Returns the work done.</summary>
    public static long ScanSome(long budget, ulong deadline = 0)
    {
        long work = 0;
        while (s_stage < 2 && work < budget && (deadline == 0 || Cpu.ReadTimestampCounter() < deadline))
        {
            if (s_stage == 0)
            {
                if (s_index >= GcControl.FrozenSegmentCount) { s_stage = 1; s_index = 0; s_offset = 0; continue; }
                ref GcControl.FrozenSegment segment = ref GcControl.FrozenSegments[s_index];
                ulong end = s_offset + FrozenSliceBytes;
                if (end > segment.Allocated) end = segment.Allocated;
                ScanConservatively(segment.Start + s_offset, segment.Start + end, &MarkFound);
                work += (long)(end - s_offset);
                s_offset = end;
                if (end == segment.Allocated) { s_index++; s_offset = 0; }
            }
            else
            {
                if (s_index >= Handles.BlockCount) { s_stage = 2; continue; }
                Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[s_index] + s_offset;
                for (int i = 0; i < HandleSliceSlots; i++, slot++)
                    if (Handles.IsStrong(slot->Type)) Marker.MarkPrecise((byte*)slot->Target);
                work += HandleSliceSlots * 24;
                s_offset += HandleSliceSlots;
                if (s_offset >= (ulong)Handles.Slots) { s_index++; s_offset = 0; }
            }
        }
        return work;
    }

    // ---- handles at a termination --------------------------------------------------------------------------

    /// <summary>A dependent handle keeps its secondary alive while its primary is alive. One pass marks the
    /// secondaries of live primaries; with <paramref name="drain"/> it repeats, draining, until no handle
    /// adds anything (marking a secondary can make another primary live). True when something was marked.</summary>
    public static bool MarkDependents(bool drain)
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

    /// <summary>Clears the weak handles whose target was not marked: short ones (before finalization may
    /// resurrect), or long ones and dead dependent handles (after).</summary>
    public static void ClearWeakHandles(bool longWeak)
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
}
