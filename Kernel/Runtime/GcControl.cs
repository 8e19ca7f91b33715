using System.Runtime;

namespace CosmosNet.Kernel.Runtime;

/// <summary>What CoreLib asks of the garbage collector. There is none yet (Heap is a bump allocator that
/// never frees): the answers below are the true ones for such a heap; anything that would need a real
/// collector panics with its own name.</summary>
internal static unsafe class GcControl
{
    // Frozen segments (preinitialised objects and string literals inside the image): never freed; a
    // collector must treat them as live and scan them.
    public const int MaxFrozenSegments = 16;
    public struct FrozenSegment { public byte* Start; public nuint Allocated, Committed, Reserved; }
    [System.Runtime.CompilerServices.InlineArray(MaxFrozenSegments)] public struct FrozenSegmentArray { FrozenSegment _first; }
    public static FrozenSegmentArray FrozenSegments;
    public static int FrozenSegmentCount;

    // Roots of inline thread statics (one per thread and type manager).
    public const int MaxThreadStaticRoots = 64;
    [System.Runtime.CompilerServices.InlineArray(MaxThreadStaticRoots)] public struct RootArray { nint _first; }
    public static RootArray ThreadStaticRoots;
    public static int ThreadStaticRootCount;

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

    [RuntimeExport("RhRegisterInlinedThreadStaticRoot")]
    static void RhRegisterInlinedThreadStaticRoot(void** root, void* typeManager)
    {
        if (ThreadStaticRootCount == MaxThreadStaticRoots) Panic.Halt("too many thread-static roots");
        ThreadStaticRoots[ThreadStaticRootCount++] = (nint)root;
    }

    // GC.Collect: nothing can be collected by a heap that never frees; the collection count stays 0.
    [RuntimeExport("RhpCollect")] static void RhpCollect(int generation, int mode, int lowMemoryPressure) { }
    [RuntimeExport("RhGetGcCollectionCount")] static int RhGetGcCollectionCount(int generation, bool getSpecificGcCount) => 0;
    [RuntimeExport("RhGetMaxGcGeneration")] static int RhGetMaxGcGeneration() => 0;
    [RuntimeExport("RhpGetGcTotalMemory")] static long RhpGetGcTotalMemory() => (long)Heap.AllocatedBytes;

    // No finalizer queue: finalizable objects are never finalized, so these have nothing to do.
    [RuntimeExport("RhSuppressFinalize")] static void RhSuppressFinalize(object obj) { }
    [RuntimeExport("RhReRegisterForFinalize")] static bool RhReRegisterForFinalize(object obj) => true;
    [RuntimeExport("RhpGetNextFinalizableObject")] static void* RhpGetNextFinalizableObject() => null;

    [RuntimeExport("RhGetMemoryInfo")] static void RhGetMemoryInfo() => Panic.NotImplemented("RhGetMemoryInfo");
    [RuntimeExport("RhpWaitForFinalizerRequest")] static void RhpWaitForFinalizerRequest() => Panic.NotImplemented("RhpWaitForFinalizerRequest");
    [RuntimeExport("RhpSignalFinalizationComplete")] static void RhpSignalFinalizationComplete() => Panic.NotImplemented("RhpSignalFinalizationComplete");
    [RuntimeExport("RhpStartNoGCRegion")] static void RhpStartNoGCRegion() => Panic.NotImplemented("RhpStartNoGCRegion");
    [RuntimeExport("RhpEndNoGCRegion")] static void RhpEndNoGCRegion() => Panic.NotImplemented("RhpEndNoGCRegion");
    // Exception dispatch (second pass): a non-moving collector may run at any point, nothing to record.
    [RuntimeExport("RhpSetThreadDoNotTriggerGC")] static void RhpSetThreadDoNotTriggerGC() { }
}
