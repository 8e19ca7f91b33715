using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>A bump-pointer region of the small-object space: objects are carved from [Next, Limit);
/// Limit stays 24 bytes short of End so the unused tail is always big enough to become a free block when
/// the region is retired.</summary>
internal unsafe struct AllocationContext
{
    public byte* Next, Limit, End, Start;
}

/// <summary>Where every managed allocation gets its memory. Small objects: bump pointer in the CPU's
/// <see cref="AllocationContext"/> (one CPU, and the bump runs with preemption disabled, so no thread
/// switch can interleave two allocations and one context per CPU is as good as one per thread), refilled
/// with 8 KiB regions (zeroed in one go) from the small-object space's free blocks; large objects (85,000
/// bytes and more): a free block of their own in the large-object space, zeroed on allocation. While the
/// collector marks, new objects are born marked (black). Every refill and large object pays the
/// collector's share of work (<see cref="Collector.Pace"/>): a cycle starts once the bytes allocated since
/// the last one exceed the budget (the live size after it, at least 4 MiB). Null (→ OutOfMemoryException)
/// only when a full collection could not make room.</summary>
internal static unsafe class Allocator
{
    const ulong RegionBytes = 8 * 1024;
    const ulong MinBudget = 4 * 1024 * 1024;

    static bool s_initialized;
    static ulong s_allocatedSinceGc;          // retired regions' used bytes + large objects
    static ulong s_budget = MinBudget;
    static ulong s_totalAllocated;            // since boot, as of the last retire/large allocation
    static AllocationContext s_context;

    static AllocationContext* Context => (AllocationContext*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref s_context);

    /// <summary>Live bytes found by the last collection.</summary>
    public static ulong LiveAfterGc;

    /// <summary>Bytes allocated since the last collection (exact: the unused parts of regions excluded).</summary>
    public static ulong AllocatedSinceGc
    {
        get
        {
            return s_allocatedSinceGc + (ulong)(s_context.Next - s_context.Start);
        }
    }

    public static ulong TotalAllocated => s_totalAllocated + (AllocatedSinceGc - s_allocatedSinceGc);

    static void Initialize()
    {
        s_initialized = true;
        GcHeap.Initialize();
        Collector.Initialize();
    }

    /// <summary>A zeroed object of <paramref name="size"/> bytes (header included, multiple of 8) with its
    /// MethodTable and (for arrays and strings) length set, registered for finalization when its type has
    /// a finalizer; null when memory is exhausted even after a collection. Runs with preemption disabled
    /// so that no thread switch (and so no collection on another thread) ever sees a half-made object
    /// (a counter, not cli/popf: changing the interrupt flag is slow under emulation; interrupt handlers
    /// never allocate).</summary>
    public static byte* Allocate(byte* methodTable, ulong size, uint length)
    {
        Preemption.Disable();
        byte* obj;
        AllocationContext* c = Context;
        if (size < GcHeap.LargeObjectBytes && size <= (ulong)(c->Limit - c->Next))
        {
            byte* block = c->Next;
            c->Next = block + size;
            obj = block + 8;
            GcHeap.SetStart(obj);
        }
        else
        {
            if (!s_initialized) Initialize();
            obj = size >= GcHeap.LargeObjectBytes ? AllocateLarge(size) : AllocateFromNewRegion(size);
            if (obj == null) { Preemption.Enable(); return null; }
        }
        *(byte**)obj = methodTable;
        *(uint*)(obj + 8) = length;
        if (Marker.Active) Marker.AllocatedBlack(obj, size);
        if (ObjectModel.HasFinalizer(methodTable)) Finalization.Register(obj);
        Preemption.Enable();
        return obj;
    }

    static byte* AllocateLarge(ulong size)
    {
        Collector.Pace(size);
        byte* block = Reserve(GcHeap.Kind.Large, size, size, out _);
        if (block == null) return null;
        Memory.Native.Memset(block, 0, (nuint)size);
        s_allocatedSinceGc += size;
        s_totalAllocated += size;
        GcHeap.SetStart(block + 8);
        return block + 8;
    }

    static byte* AllocateFromNewRegion(ulong size)
    {
        AllocationContext* c = Context;
        ulong used = (ulong)(c->Next - c->Start);
        Retire(c);
        Collector.Pace(used + size);
        ulong regionSize = size + ObjectModel.MinBlock > RegionBytes ? size + ObjectModel.MinBlock : RegionBytes;
        byte* region = Reserve(GcHeap.Kind.Small, regionSize, size + ObjectModel.MinBlock, out regionSize);
        if (region == null) return null;
        Memory.Native.Memset(region, 0, (nuint)regionSize);
        c->Start = region;
        c->Next = region + size;
        c->End = region + regionSize;
        c->Limit = c->End - ObjectModel.MinBlock;
        GcHeap.SetStart(region + 8);
        return region + 8;
    }

    /// <summary>A free block of <paramref name="size"/> bytes or, when none is left, a whole smaller free
    /// block of at least <paramref name="minimum"/> bytes (its size in <paramref name="got"/>). When there is
    /// none: sweep more if the sweep is behind; grow the heap (while a cycle marks, only up to
    /// <see cref="GrowthLimit"/>: past it the cycle is finished at once); finally a full collection. Null
    /// when even that leaves no room.</summary>
    static byte* Reserve(GcHeap.Kind kind, ulong size, ulong minimum, out ulong got)
    {
        bool collected = false;
        while (true)
        {
            got = size;
            byte* block = GcHeap.Take(kind, ref got);
            if (block == null && minimum < size) { got = minimum; block = GcHeap.Take(kind, ref got, whole: true); }
            if (block != null) return block;
            if (GcHeap.SweepPending) { Collector.SweepForAllocation(); continue; }
            bool marking = Collector.CurrentPhase == Collector.Phase.Marking;
            if (marking && GcHeap.OwnedBytes + size > GrowthLimit) { Collector.FinishCycle(); continue; }
            if (GcHeap.Grow(kind, size)) continue;
            if (marking) { Collector.FinishCycle(); continue; }
            if (collected) { OutOfMemory(kind, size); return null; }
            NoGcRegion.End(NoGcRegion.EndStatus.AllocationExceeded);
            Collector.Collect();
            collected = true;
        }
    }

    /// <summary>Allocations that failed (OutOfMemoryException) since boot.</summary>
    public static ulong Failures;

    /// <summary>The first failure is reported on the serial console with the heap's state (which allocation, and why
    /// none of the heap's memory could take it); the rest are only counted. Allocates nothing.</summary>
    static void OutOfMemory(GcHeap.Kind kind, ulong size)
    {
        if (Failures++ != 0) return;
        Serial.Write("gc: out of memory (reported once): "u8);
        Serial.WriteDecimal(size);
        Serial.Write(kind == GcHeap.Kind.Large ? " bytes in the large-object space; heap "u8 : " bytes in the small-object space; heap "u8);
        Serial.WriteDecimal(GcHeap.OwnedBytes >> 10);
        Serial.Write(" KiB owned, "u8);
        Serial.WriteDecimal(LiveAfterGc >> 10);
        Serial.Write(" KiB live, "u8);
        Serial.WriteDecimal(GcHeap.FreeListBytes >> 10);
        Serial.Write(" KiB in free blocks (largest small "u8);
        Serial.WriteDecimal(GcHeap.LargestFreeBlock(GcHeap.Kind.Small) >> 10);
        Serial.Write(" KiB, large "u8);
        Serial.WriteDecimal(GcHeap.LargestFreeBlock(GcHeap.Kind.Large) >> 10);
        Serial.Write(" KiB), "u8);
        Serial.WriteDecimal(GcHeap.EmptyUnits);
        Serial.Write(" empty units, "u8);
        Serial.WriteDecimal(GcHeap.GrowableBytes >> 10);
        Serial.Write(" KiB of RAM it can still take; allocated at"u8);
        // The allocating frames as addresses (naming them would allocate): `addr2line -f -e cosmosnet.elf ADDRESS`.
        nint* frames = stackalloc nint[12];
        LimitedContext context;
        ExceptionHandling.CaptureContext(&context);
        int count = Symbols.Walk(&context, fault: false, frames, 12);
        for (int i = 0; i < count; i++) { Serial.Write(" 0x"u8); Serial.WriteHex((ulong)frames[i], 8); }
        Serial.Write("\n"u8);
    }

    /// <summary>How far the heap may grow while a cycle marks before the allocator finishes the cycle in one
    /// piece instead: by the cycle budget (at least 8 MiB) over its size when the cycle started. A cycle on
    /// schedule needs a quarter of the live size.</summary>
    static ulong GrowthLimit => Collector.OwnedAtCycleStart + (s_budget > 8UL << 20 ? s_budget : 8UL << 20);

    /// <summary>Before a collection: the unused tail of the current region goes back as a free block.</summary>
    public static void RetireContext() => Retire(Context);

    static void Retire(AllocationContext* c)
    {
        if (c->Start == null) return;
        ulong used = (ulong)(c->Next - c->Start);
        s_allocatedSinceGc += used;
        s_totalAllocated += used;
        if (c->Next < c->End) GcHeap.WriteFree(c->Next, c->End, GcHeap.Kind.Small);
        *c = default;
    }

    /// <summary>Called by the collector when a cycle's marking ends (every region retired).</summary>
    public static void CollectionDone(ulong live)
    {
        LiveAfterGc = live;
        s_allocatedSinceGc = 0;
        // At least 4 MiB, but no more than a quarter of all the heap can be: in a small machine garbage must not
        // fill the heap before a cycle starts (a full heap means a blocking collection and, meanwhile, memory
        // the stack's budget sees as taken).
        ulong floor = Math.Max(Math.Min(MinBudget, (GcHeap.OwnedBytes + GcHeap.GrowableBytes) / 4), MinRegionBudget);
        s_budget = live > floor ? live : floor;
    }

    const ulong MinRegionBudget = 256 * 1024;

    /// <summary>Bytes to allocate after a cycle before the next one starts: the live size, at least 4 MiB (a
    /// quarter of the heap's limit when that is less).</summary>
    public static ulong CycleBudget => s_budget;
}
