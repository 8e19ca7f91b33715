using CosmosNet.Net.Platform;

namespace CosmosNet.Host;

/// <summary>
/// The kernel's memory as the network stack's budget (<see cref="IMemoryBudget"/>): RAM the heap can still take (the kernel
/// reports everything else — its image, its own allocations and reserve, the heap's units — as memory load) plus
/// the room inside the heap that live and recently allocated objects leave, from the collector's own figures
/// (<see cref="GC.GetGCMemoryInfo()"/>, <see cref="GC.GetTotalMemory"/>). Read at most once a millisecond: the stack asks
/// on every window it offers.
/// </summary>
sealed class HeapMemoryBudget : IMemoryBudget
{
    long _available, _readAt = -1;

    public long AvailableBytes
    {
        get
        {
            long now = Environment.TickCount64;
            if (now != _readAt)
            {
                _readAt = now;
                var info = GC.GetGCMemoryInfo();
                long untaken = info.TotalAvailableMemoryBytes - info.MemoryLoadBytes;   // RAM the heap can still grow by
                long inHeap = info.TotalCommittedBytes - GC.GetTotalMemory(forceFullCollection: false);
                _available = untaken + Math.Max(inHeap, 0);
            }
            return _available;
        }
    }
}
