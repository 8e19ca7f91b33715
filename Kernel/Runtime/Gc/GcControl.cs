using System.Runtime;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>What CoreLib asks of the garbage collector: frozen segments and thread-static roots to
/// record, GC.Collect, collection counts, memory figures. One generation: every collection is full, so
/// every generation's count is the collection count and MaxGeneration stays 2 for code that asks.</summary>
internal static unsafe class GcControl
{
    // Frozen segments (preinitialised objects and string literals inside the image): never freed,
    // scanned conservatively as roots (their objects may have been given references to heap objects).
    public const int MaxFrozenSegments = 16;
    public struct FrozenSegment { public byte* Start; public nuint Allocated, Committed, Reserved; }
    [System.Runtime.CompilerServices.InlineArray(MaxFrozenSegments)] public struct FrozenSegmentArray { FrozenSegment _first; }
    public static FrozenSegmentArray FrozenSegments;
    public static int FrozenSegmentCount;

    // Root slots outside the heap: inline thread-static roots (one per thread and type manager) and any
    // slot the runtime registers (RegisterRootSlot), each holding an object reference or null.
    public const int MaxRootSlots = 256;
    [System.Runtime.CompilerServices.InlineArray(MaxRootSlots)] public struct RootArray { nint _first; }
    public static RootArray RootSlots;
    public static int RootSlotCount;

    /// <summary>Makes <paramref name="slot"/> (native memory holding an object reference) a GC root, e.g.
    /// a per-thread thread-static storage slot (RhGetThreadStaticStorage).</summary>
    public static void RegisterRootSlot(void** slot)
    {
        for (int i = 0; i < RootSlotCount; i++) if (RootSlots[i] == (nint)slot) return;
        if (RootSlotCount == MaxRootSlots) Panic.Halt("too many GC root slots"u8);
        RootSlots[RootSlotCount++] = (nint)slot;
    }

    /// <summary>The slot is going away (its thread exited).</summary>
    public static void UnregisterRootSlot(void** slot)
    {
        for (int i = 0; i < RootSlotCount; i++)
            if (RootSlots[i] == (nint)slot) { RootSlots[i] = RootSlots[--RootSlotCount]; return; }
    }

    [RuntimeExport("RhRegisterFrozenSegment")]
    static nint RhRegisterFrozenSegment(byte* start, nuint allocated, nuint committed, nuint reserved)
    {
        if (FrozenSegmentCount == MaxFrozenSegments) Panic.Halt("too many frozen segments");
        int index = FrozenSegmentCount++;
        FrozenSegments[index] = new FrozenSegment { Start = start, Allocated = allocated, Committed = committed, Reserved = reserved };
        return index + 1; // handle: index + 1 (never 0)
    }

    [RuntimeExport("RhUpdateFrozenSegment")]
    static void RhUpdateFrozenSegment(nint segment, byte* allocated, byte* committed)
    {
        ref FrozenSegment s = ref FrozenSegments[(int)segment - 1];
        s.Allocated = (nuint)(allocated - s.Start);
        s.Committed = (nuint)(committed - s.Start);
    }

    /// <summary>The slot lies in the calling thread's TLS block: kernel threads' blocks are scanned whole
    /// (Roots.ScanThreads), so only slots elsewhere (the boot thread's block) need recording.</summary>
    [RuntimeExport("RhRegisterInlinedThreadStaticRoot")]
    static void RhRegisterInlinedThreadStaticRoot(void** root, void* typeManager)
    {
        if (global::CosmosNet.Kernel.Threading.Scheduler.Started)
        {
            global::CosmosNet.Kernel.Threading.KThread* t = global::CosmosNet.Kernel.Threading.Scheduler.Current;
            if ((byte*)root >= t->TlsBlock && (byte*)root < t->TlsBlock + t->TlsBlockSize) return;
        }
        RegisterRootSlot(root);
    }

    /// <summary>GC.Collect: a full blocking collection. The finalizers it queued run on the finalizer thread
    /// (GC.WaitForPendingFinalizers waits for them); before that thread exists, here.</summary>
    // Reflection's invoke (DynamicInvokeInfo) registers buffers of object references, usually on the stack,
    // for the collector to report: GCFrameRegistration {next, refs, count, maybe interior}. They are roots
    // like the stacks (Roots.ScanThreads), scanned conservatively.
    public struct GcFrame { public GcFrame* Next; public void** References; public uint Count; public int MaybeInterior; }
    public static GcFrame* Frames;

    [RuntimeExport("RhRegisterForGCReporting")]
    static void RhRegisterForGCReporting(GcFrame* frame)
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        frame->Next = Frames;
        Frames = frame;
        Collector.RestoreFlags(flags);
    }

    [RuntimeExport("RhUnregisterForGCReporting")]
    static void RhUnregisterForGCReporting(GcFrame* frame)
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        if (Frames == frame) Frames = frame->Next;
        else
            for (GcFrame* f = Frames; f != null; f = f->Next)
                if (f->Next == frame) { f->Next = frame->Next; break; }
        Collector.RestoreFlags(flags);
    }

    [RuntimeExport("RhpCollect")]
    static void RhpCollect(int generation, int mode, int lowMemoryPressure)
    {
        NoGcRegion.End(NoGcRegion.EndStatus.GCInduced);
        Collector.Collect();
        Finalization.RunPending();
    }

    [RuntimeExport("RhGetGcCollectionCount")] static int RhGetGcCollectionCount(int generation, bool getSpecificGcCount) => Collector.CollectionCount;
    [RuntimeExport("RhGetMaxGcGeneration")] static int RhGetMaxGcGeneration() => 2;
    [RuntimeExport("RhGetGeneration")] static int RhGetGeneration(void* obj) => 2;
    [RuntimeExport("RhGetTotalPauseDuration")] static long RhGetTotalPauseDuration() => (long)(PauseLog.TicksToNanoseconds(PauseLog.TotalTicks) / 100);

    // GCSettings.LatencyMode: the collector is incremental whatever the mode, so a mode is only remembered;
    // inside a no-GC region the mode is NoGCRegion (4) and cannot be changed (1 = refused).
    static int s_latencyMode = 1;                               // GCLatencyMode.Interactive
    [RuntimeExport("RhGetGcLatencyMode")] static int RhGetGcLatencyMode() => NoGcRegion.Active ? 4 : s_latencyMode;
    [RuntimeExport("RhSetGcLatencyMode")]
    static int RhSetGcLatencyMode(int mode)
    {
        if (NoGcRegion.Active) return 1;
        s_latencyMode = mode;
        return 0;
    }
    [RuntimeExport("RhpGetGcTotalMemory")] static long RhpGetGcTotalMemory() => (long)(Allocator.LiveAfterGc + Allocator.AllocatedSinceGc);
    [RuntimeExport("RhGetTotalAllocatedBytes")] static long RhGetTotalAllocatedBytes() => (long)Allocator.TotalAllocated;
    [RuntimeExport("RhGetTotalAllocatedBytesPrecise")] static long RhGetTotalAllocatedBytesPrecise() => (long)Allocator.TotalAllocated;
    [RuntimeExport("RhGetAllocatedBytesForCurrentThread")] static long RhGetAllocatedBytesForCurrentThread() => (long)Allocator.TotalAllocated;

    /// <summary>GC.GetGCMemoryInfo: fills CoreLib's GCMemoryInfoData (sequential layout: ten longs, two
    /// ints, two bytes, five generation infos of four longs, two TimeSpans).</summary>
    [RuntimeExport("RhGetMemoryInfo")]
    static void RhGetMemoryInfo(byte* data, int kind)
    {
        long* l = (long*)data;
        long total = (long)MemoryMap.UsableBytes, committed = (long)GcHeap.OwnedBytes;
        l[0] = total * 9 / 10;                                  // high memory load threshold
        l[1] = total;                                           // total available
        // Memory load: all RAM the heap can no longer take (the kernel image, the kernel's allocations and reserve,
        // pieces too small for a unit, the heap's own units), so total - load is what the heap can still grow by.
        l[2] = total - Math.Min(total, (long)GcHeap.GrowableBytes);
        l[3] = (long)Collector.LastLive;                        // heap size after the last collection
        l[4] = (long)GcHeap.FreeListBytes;                      // fragmentation
        l[5] = committed;                                       // committed
        l[6] = (long)Collector.LastPromoted;                    // promoted (survived)
        l[7] = 0;                                               // pinned objects: nothing ever moves
        l[8] = (long)Finalization.PendingCount;
        l[9] = Collector.CollectionCount;                       // index
        *(int*)(data + 80) = 2;                                 // generation
        ulong elapsed = PauseLog.ElapsedTicks;
        *(int*)(data + 84) = elapsed == 0 ? 0 : (int)(PauseLog.TotalTicks * 10000 / elapsed);   // percent * 100
        data[88] = 0;                                           // compacted
        data[89] = PauseLog.LastCycleConcurrent ? (byte)1 : (byte)0;   // concurrent: marked while the program ran
        long* generations = (long*)(data + 96);                 // {size before, frag before, size after, frag after} x 5
        for (int g = 0; g < 20; g++) generations[g] = 0;
        generations[2 * 4 + 0] = (long)Collector.LastHeapBefore;
        generations[2 * 4 + 2] = (long)Collector.LastLive;
        generations[2 * 4 + 3] = (long)GcHeap.FreeListBytes;
        *(long*)(data + 256) = (long)(PauseLog.TicksToNanoseconds(PauseLog.LastCycleFirstPauseTicks) / 100);   // TimeSpan ticks
        *(long*)(data + 264) = (long)(PauseLog.TicksToNanoseconds(PauseLog.LastCycleSecondPauseTicks) / 100);
    }

    /// <summary>Bytes of GCDesc in front of a MethodTable (count word + series, or the repeating form).</summary>
    [RuntimeExport("RhGetGCDescSize")]
    static int RhGetGCDescSize(byte* methodTable)
    {
        if (!ObjectModel.HasPointers(methodTable)) return 0;
        long series = *(long*)(methodTable - 8);
        return series >= 0 ? 8 + (int)series * 16 : 8 + 16 + (int)(-series - 1) * 8;
    }

    // Exception dispatch (second pass): a non-moving collector may run at any point, nothing to record.
    [RuntimeExport("RhpSetThreadDoNotTriggerGC")] static void RhpSetThreadDoNotTriggerGC() { }
}
