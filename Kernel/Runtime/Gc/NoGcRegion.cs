using System.Runtime;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>GC.TryStartNoGCRegion / GC.EndNoGCRegion. Starting one finishes the collection in progress (a
/// full collection unless the caller disallowed it), then grows the heap by the amount asked for, so that
/// allocating that much needs neither a pause nor a collection. Until the region ends the collector makes
/// no pause at all. Allocating more than the amount, or GC.Collect, ends the region early, and
/// GC.EndNoGCRegion then reports why (CoreLib turns that into InvalidOperationException).</summary>
internal static class NoGcRegion
{
    // CoreLib's StartNoGCRegionStatus and EndNoGCRegionStatus.
    enum StartStatus { Succeeded = 0, NotEnoughMemory = 1, AmountTooLarge = 2, AlreadyInProgress = 3 }
    public enum EndStatus { Succeeded = 0, NotInProgress = 1, GCInduced = 2, AllocationExceeded = 3 }

    static bool s_active;
    static ulong s_allowance, s_allocated;
    static EndStatus s_endedBy = EndStatus.NotInProgress;

    public static bool Active => s_active;

    [RuntimeExport("RhpStartNoGCRegion")]
    static int RhpStartNoGCRegion(long totalSize, int hasLohSize, long lohSize, int disallowFullBlockingGC)
    {
        if (s_active) return (int)StartStatus.AlreadyInProgress;
        if (totalSize <= 0 || (ulong)totalSize > MemoryMap.UsableBytes / 2) return (int)StartStatus.AmountTooLarge;
        ulong large = hasLohSize != 0 && lohSize > 0 ? (ulong)lohSize : 0;
        ulong small = (ulong)totalSize - (large < (ulong)totalSize ? large : (ulong)totalSize);
        if (disallowFullBlockingGC != 0) Collector.CompleteCycle();
        else Collector.Collect();
        Preemption.Disable();                  // the heap's growth is the allocator's business
        bool reserved = (small == 0 || GcHeap.Grow(GcHeap.Kind.Small, small)) && (large == 0 || GcHeap.Grow(GcHeap.Kind.Large, large));
        Preemption.Enable();
        if (!reserved) return (int)StartStatus.NotEnoughMemory;
        s_allowance = (ulong)totalSize;
        s_allocated = 0;
        s_endedBy = EndStatus.NotInProgress;
        s_active = true;
        return (int)StartStatus.Succeeded;
    }

    [RuntimeExport("RhpEndNoGCRegion")]
    static int RhpEndNoGCRegion()
    {
        if (s_active)
        {
            s_active = false;
            return (int)EndStatus.Succeeded;
        }
        EndStatus status = s_endedBy;
        s_endedBy = EndStatus.NotInProgress;
        return (int)status;
    }

    /// <summary>The allocator's slow path inside a region: false once the allowance is used up (the region
    /// ends, and the collector carries on as usual).</summary>
    public static bool Allocated(ulong bytes)
    {
        s_allocated += bytes;
        if (s_allocated <= s_allowance) return true;
        End(EndStatus.AllocationExceeded);
        return false;
    }

    /// <summary>A collection is about to happen inside the region: it ends it.</summary>
    public static void End(EndStatus why)
    {
        if (!s_active) return;
        s_active = false;
        s_endedBy = why;
    }
}
