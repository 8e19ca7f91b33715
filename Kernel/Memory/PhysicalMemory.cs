using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Memory;

/// <summary>Hands out physical memory (identity mapped, so also virtual): page tables, heap chunks, DMA
/// buffers. A bump allocator per usable range of the memory map, minus the first MiB and the kernel image;
/// nothing is ever returned. Memory below 4 GiB is preferred (ILC's code and legacy DMA need it).</summary>
internal static unsafe class PhysicalMemory
{
    [InlineArray(MemoryMap.MaxRegions)]
    struct RangeArray { Range _first; }
    struct Range { public ulong Next, End; }

    static RangeArray s_ranges;
    static int s_count;
    static ulong s_allocated;

    public static ulong AllocatedBytes => s_allocated;

    public static ulong FreeBytes
    {
        get { ulong free = 0; for (int i = 0; i < s_count; i++) free += s_ranges[i].End - s_ranges[i].Next; return free; }
    }

    internal static void Initialize(ulong imageStart, ulong imageEnd)
    {
        for (int i = 0; i < MemoryMap.Count; i++)
        {
            MemoryRegion r = MemoryMap.Get(i);
            if (r.Type != MemoryRegionType.Usable) continue;
            ulong start = AlignUp(Math.Max(r.Base, 0x100000), 4096), end = r.End & ~4095UL;
            // Cut the kernel image out (it may split the range in two).
            if (start < imageEnd && imageStart < end)
            {
                if (start < imageStart) Add(start, imageStart);
                start = AlignUp(imageEnd, 4096);
            }
            Add(start, end);
        }
    }

    static void Add(ulong start, ulong end)
    {
        if (end > start && s_count < MemoryMap.MaxRegions) s_ranges[s_count++] = new Range { Next = start, End = end };
    }

    /// <summary>Allocates <paramref name="bytes"/> aligned to <paramref name="alignment"/> (a power of two),
    /// not zeroed. Returns null when no range has room.</summary>
    public static void* Allocate(ulong bytes, ulong alignment = 4096)
    {
        Threading.Preemption.Disable();   // not reentrant: no thread switch in the middle
        void* p = AllocateUnguarded(bytes, alignment);
        Threading.Preemption.Enable();
        return p;
    }

    static void* AllocateUnguarded(ulong bytes, ulong alignment)
    {
        // Below 4 GiB first, then anywhere.
        for (int pass = 0; pass < 2; pass++)
        {
            for (int i = 0; i < s_count; i++)
            {
                ref Range r = ref s_ranges[i];
                ulong start = AlignUp(r.Next, alignment);
                if (start < r.Next || start + bytes > r.End || start + bytes < start) continue;
                if (pass == 0 && start + bytes > 0x1_0000_0000UL) continue;
                r.Next = start + bytes;
                s_allocated += bytes;
                return (void*)start;
            }
        }
        return null;
    }

    /// <summary>Allocates zeroed 4 KiB pages; panics when memory is exhausted.</summary>
    public static void* AllocatePages(ulong count)
    {
        void* p = Allocate(count * 4096);
        if (p == null) Panic.Halt("out of physical memory"u8);
        Native.Memset(p, 0, (nuint)(count * 4096));
        return p;
    }

    static ulong AlignUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);
}
