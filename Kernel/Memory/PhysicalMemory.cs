using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Memory;

/// <summary>Hands out physical memory (identity mapped, so also virtual): page tables, heap units, DMA
/// buffers. A bump allocator per usable range of the memory map, minus the first MiB and the kernel image;
/// nothing is ever returned. Small allocations are carved from the bottom of a range, big aligned blocks (the
/// heap's 1 MiB units, <see cref="AllocateHigh"/>) from its top, so that one never leaves an alignment gap in
/// the other; a gap alignment does leave becomes a range of its own, so no page is lost. Memory below 4 GiB is
/// preferred for the bottom end (ILC's code and legacy DMA need it).</summary>
internal static unsafe class PhysicalMemory
{
    const int MaxRanges = MemoryMap.MaxRegions * 2;
    [InlineArray(MaxRanges)]
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

    /// <summary>A new range (the memory map's, or a gap an alignment left); a gap under a page is not worth one,
    /// and a full table drops it (only alignment gaps can overflow it: the map has at most as many regions).</summary>
    static void Add(ulong start, ulong end)
    {
        if (end >= start + 4096 && s_count < MaxRanges) s_ranges[s_count++] = new Range { Next = start, End = end };
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
                ulong gap = r.Next;
                r.Next = start + bytes;
                Add(gap, start);
                s_allocated += bytes;
                return (void*)start;
            }
        }
        return null;
    }

    /// <summary>Allocates <paramref name="bytes"/> aligned to <paramref name="alignment"/> from the top of the
    /// highest range with room (the heap's units: they pile up downwards, contiguous, and leave the bottom
    /// ends to small allocations). Not zeroed; null when no range has room.</summary>
    public static void* AllocateHigh(ulong bytes, ulong alignment)
    {
        Threading.Preemption.Disable();
        void* p = null;
        for (int i = s_count - 1; i >= 0 && p == null; i--)
        {
            ref Range r = ref s_ranges[i];
            if (r.End - r.Next < bytes) continue;
            ulong start = (r.End - bytes) & ~(alignment - 1);
            if (start < r.Next) continue;
            ulong gap = r.End;
            r.End = start;
            Add(start + bytes, gap);
            s_allocated += bytes;
            p = (void*)start;
        }
        Threading.Preemption.Enable();
        return p;
    }

    /// <summary>How many aligned blocks of <paramref name="alignment"/> bytes <see cref="AllocateHigh"/> could
    /// still hand out, over every range.</summary>
    public static ulong FreeBlocks(ulong alignment)
    {
        ulong blocks = 0;
        for (int i = 0; i < s_count; i++)
        {
            ulong top = s_ranges[i].End & ~(alignment - 1), bottom = AlignUp(s_ranges[i].Next, alignment);
            if (top > bottom) blocks += (top - bottom) / alignment;
        }
        return blocks;
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
