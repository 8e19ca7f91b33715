using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>The managed heap's memory: 1 MiB units taken from PhysicalMemory as the heap grows (all of free
/// RAM minus a reserve for the kernel's own later needs: native tables, thread stacks, page tables, DMA). Each unit belongs to the small-object space, the
/// large-object space (objects of 85,000 bytes and more, kept apart) or is empty (owned, reusable by either).
/// Inside a run of units of one space, blocks tile the memory exactly: objects and free blocks (a fake
/// "free" MethodTable whose length field gives the size), so sweeping is a linear walk. A bitmap per unit
/// marks where objects start (one bit per 8 bytes), which lets the conservative stack scan map any
/// address to the object containing it. Free blocks are kept in power-of-two bins, rebuilt at each sweep.</summary>
internal static unsafe class GcHeap
{
    public const int UnitShift = 20;
    public const ulong UnitBytes = 1UL << UnitShift;
    public const ulong LargeObjectBytes = 85_000;
    const ulong BitmapBytes = UnitBytes >> 6;   // one bit per 8 bytes
    const int Bins = 33;
    const ulong MinListedBlock = 32;          // room for the next-pointer at obj+16

    public enum Kind : byte { None = 0, Small = 1, Large = 2, Empty = 3 }

    static Kind* s_kinds;                     // per unit of the physical address space
    static ulong** s_bits;                    // per unit: its object-start bitmap (2 KiB words = 16 KiB)
    static ulong s_unitCount;                 // units covering [0, top of RAM)
    static ulong s_lowUnit = ulong.MaxValue, s_highUnit;   // heap-owned units lie in [low, high)
    static byte* s_freeType;                  // MethodTable of free blocks

    [System.Runtime.CompilerServices.InlineArray(Bins)] struct BinArray { nint _first; }
    static BinArray s_smallBins, s_largeBins;

    static ulong s_reserve;                   // RAM the heap leaves to the kernel: 1/16, 512 KiB to 4 MiB
    static byte* s_spareBitmaps;              // bitmaps of a growth whose units did not fit, for the next one
    static ulong s_spareUnits;

    public static ulong OwnedBytes { get; private set; }   // units owned (any kind)

    /// <summary>Bytes of new RAM the heap can still take (whole units, their bitmaps and the kernel's reserve
    /// accounted): with <see cref="OwnedBytes"/>, all the heap can ever be from now on.</summary>
    public static ulong GrowableBytes
    {
        get
        {
            ulong units = PhysicalMemory.FreeBlocks(UnitBytes);
            ulong free = PhysicalMemory.FreeBytes;
            while (units > 0 && units * (UnitBytes + BitmapBytes) + s_reserve > free) units--;
            return units * UnitBytes;
        }
    }
    public static ulong FreeListBytes { get; private set; }  // bytes in free blocks after the last sweep
    public static byte* FreeType => s_freeType;
    public static Kind* KindTable => s_kinds;
    public static ulong UnitCount => s_unitCount;

    public static void Initialize()
    {
        ulong top = 0;
        for (int i = 0; i < MemoryMap.Count; i++)
        {
            MemoryRegion r = MemoryMap.Get(i);
            if (r.Type == MemoryRegionType.Usable && r.End > top) top = r.End;
        }
        s_unitCount = (top + UnitBytes - 1) >> UnitShift;
        s_kinds = (Kind*)NativeHeap.Allocate(s_unitCount);
        s_unswept = (bool*)NativeHeap.Allocate(s_unitCount);
        s_bits = (ulong**)NativeHeap.Allocate(s_unitCount * 8);
        ulong usable = MemoryMap.UsableBytes;
        s_reserve = Math.Clamp(usable / 16, 512UL * 1024, 4UL * 1024 * 1024);
        // Free blocks: component size 1 (HasComponentSize), base size 24, no pointers.
        s_freeType = (byte*)NativeHeap.Allocate(32);
        *(uint*)s_freeType = ObjectModel.HasComponentSizeFlag | 1;
        *(uint*)(s_freeType + 4) = (uint)ObjectModel.MinBlock;
    }

    public static Kind KindOf(void* address)
    {
        ulong unit = (ulong)address >> UnitShift;
        return unit < s_unitCount ? s_kinds[unit] : Kind.None;
    }

    /// <summary>True for addresses inside the small or large object space.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static bool InHeap(void* address)
    {
        ulong unit = (ulong)address >> UnitShift;
        return unit < s_unitCount && (byte)(s_kinds[unit] - 1) < 2;   // Small = 1, Large = 2
    }

    // ---- object-start bitmap ------------------------------------------------------------------------

    public static void SetStart(byte* obj)
    {
        ulong offset = ((ulong)obj & (UnitBytes - 1)) >> 3;
        s_bits[(ulong)obj >> UnitShift][offset >> 6] |= 1UL << (int)(offset & 63);
    }

    public static void ClearStart(byte* obj)
    {
        ulong offset = ((ulong)obj & (UnitBytes - 1)) >> 3;
        s_bits[(ulong)obj >> UnitShift][offset >> 6] &= ~(1UL << (int)(offset & 63));
    }

    public static bool IsStart(byte* obj)
    {
        if (((ulong)obj & 7) != 0 || !InHeap(obj)) return false;
        ulong offset = ((ulong)obj & (UnitBytes - 1)) >> 3;
        return (s_bits[(ulong)obj >> UnitShift][offset >> 6] & (1UL << (int)(offset & 63))) != 0;
    }

    /// <summary>The live object whose memory contains <paramref name="address"/> (interior pointers and
    /// a pointer just past the end included), or null: the conservative scan's filter.</summary>
    public static byte* FindObject(void* address)
    {
        Kind kind = KindOf(address);
        if (kind != Kind.Small && kind != Kind.Large) return null;
        ulong unit = (ulong)address >> UnitShift;
        ulong bit = ((ulong)address & (UnitBytes - 1)) >> 3;
        long word = (long)(bit >> 6);
        ulong bits = s_bits[unit][word] & (ulong.MaxValue >> (63 - (int)(bit & 63)));
        while (bits == 0)
        {
            if (--word < 0)
            {
                if (unit == 0 || s_kinds[unit - 1] != kind) return null;
                unit--;
                word = (long)(UnitBytes >> 9) - 1;
            }
            bits = s_bits[unit][word];
        }
        int highest = 63 - System.Numerics.BitOperations.LeadingZeroCount(bits);
        byte* obj = (byte*)((unit << UnitShift) + (((ulong)word * 64 + (ulong)highest) << 3));
        byte* mt = ObjectModel.MethodTable(obj);
        if (mt == null || mt == s_freeType) return null;
        if ((byte*)address > obj - 8 + ObjectModel.Size(obj)) return null;
        return obj;
    }

    // ---- growth ---------------------------------------------------------------------------------------

    /// <summary>Makes at least <paramref name="bytes"/> contiguous bytes available to the space as one
    /// free block: from empty units when there are enough in a row, else from new RAM. The large-object space
    /// takes 8 units at a time when it can (so that objects of a little over a unit share units instead of
    /// wasting one each), but reuses fewer empty units before it takes new RAM. False when RAM (minus the
    /// reserve) is exhausted.</summary>
    public static bool Grow(Kind kind, ulong bytes)
    {
        ulong units = (bytes + UnitBytes - 1) >> UnitShift;
        ulong preferred = kind == Kind.Large && units < LargeGrowthUnits ? LargeGrowthUnits : units;
        return Reuse(kind, preferred) || Reuse(kind, units) || TakeNew(kind, preferred) || TakeNew(kind, units);
    }

    const ulong LargeGrowthUnits = 8;

    static bool Reuse(Kind kind, ulong units)
    {
        ulong first = FindEmptyRun(units);
        if (first == ulong.MaxValue) return false;
        // Their object-start bits are cleared now, not when the sweep emptied them (that would make one sweep
        // step pay for every unit a big free stretch covers).
        for (ulong u = first; u < first + units; u++) Memory.Native.Memset(s_bits[u], 0, (nuint)BitmapBytes);
        Assign(kind, first, units);
        return true;
    }

    /// <summary>New units from the top of RAM (contiguous with the heap's earlier ones as long as nothing else
    /// takes big blocks), their bitmaps from the bottom; never into the kernel's reserve.</summary>
    static bool TakeNew(Kind kind, ulong units)
    {
        if (PhysicalMemory.FreeBytes < units * (UnitBytes + BitmapBytes) + s_reserve) return false;
        // The bitmaps first: a unit taken without them could be neither used nor given back. When the units then
        // do not fit (no aligned run that long), the bitmaps wait for the next growth.
        byte* bitmaps = units <= s_spareUnits ? s_spareBitmaps : (byte*)PhysicalMemory.Allocate(units * BitmapBytes);
        if (bitmaps == null) return false;
        byte* memory = (byte*)PhysicalMemory.AllocateHigh(units * UnitBytes, UnitBytes);
        if (memory == null)
        {
            if (bitmaps != s_spareBitmaps) { s_spareBitmaps = bitmaps; s_spareUnits = units; }
            return false;
        }
        if (bitmaps == s_spareBitmaps) { s_spareBitmaps = null; s_spareUnits = 0; }
        Memory.Native.Memset(bitmaps, 0, (nuint)(units * BitmapBytes));
        ulong first = (ulong)memory >> UnitShift;
        for (ulong u = first; u < first + units; u++) s_bits[u] = (ulong*)(bitmaps + (u - first) * BitmapBytes);
        if (first < s_lowUnit) s_lowUnit = first;
        if (first + units > s_highUnit) s_highUnit = first + units;
        OwnedBytes += units * UnitBytes;
        Assign(kind, first, units);
        return true;
    }

    static void Assign(Kind kind, ulong first, ulong units)
    {
        for (ulong u = first; u < first + units; u++) s_kinds[u] = kind;
        byte* start = (byte*)(first << UnitShift);
        WriteFree(start, start + units * UnitBytes, kind);
    }

    /// <summary>The start of the shortest run of empty units that holds <paramref name="units"/> (best fit:
    /// a small request does not split the long run a large object will need), or ulong.MaxValue.</summary>
    static ulong FindEmptyRun(ulong units)
    {
        ulong best = ulong.MaxValue, bestLength = ulong.MaxValue;
        for (ulong u = s_lowUnit; u < s_highUnit;)
        {
            if (s_kinds[u] != Kind.Empty) { u++; continue; }
            ulong end = u;
            while (end < s_highUnit && s_kinds[end] == Kind.Empty) end++;
            if (end - u >= units && end - u < bestLength) { best = u; bestLength = end - u; }
            u = end;
        }
        return best;
    }

    // ---- free blocks -------------------------------------------------------------------------------

    /// <summary>Turns [start, end) into one free block (its start bit set) and files it in the bins.</summary>
    public static void WriteFree(byte* start, byte* end, Kind kind)
    {
        ulong size = (ulong)(end - start);
        byte* obj = start + 8;
        *(byte**)obj = s_freeType;
        *(uint*)(obj + 8) = (uint)(size - ObjectModel.MinBlock);
        SetStart(obj);
        if (size < MinListedBlock) return;
        ref nint head = ref (kind == Kind.Large ? ref s_largeBins[BinOf(size)] : ref s_smallBins[BinOf(size)]);
        *(nint*)(obj + 16) = head;
        head = (nint)start;
        FreeListBytes += size;
    }

    static int BinOf(ulong size) => 63 - System.Numerics.BitOperations.LeadingZeroCount(size);

    static ulong BlockSize(byte* start) => *(uint*)(start + 16) + ObjectModel.MinBlock;

    /// <summary>Takes a free block of exactly <paramref name="size"/> bytes (splitting a bigger one; the
    /// remainder stays free), or returns null. With <paramref name="whole"/> a fitting block is taken
    /// entirely and its size returned in <paramref name="size"/>.</summary>
    public static byte* Take(Kind kind, ref ulong size, bool whole = false)
    {
        ulong need = size;
        for (int bin = BinOf(need); bin < Bins; bin++)
        {
            ref nint head = ref (kind == Kind.Large ? ref s_largeBins[bin] : ref s_smallBins[bin]);
            nint* link = (nint*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref head);
            for (byte* block = (byte*)*link; block != null; link = (nint*)(block + 24), block = (byte*)*link)
            {
                ulong have = BlockSize(block);
                if (have != need && have < need + ObjectModel.MinBlock) continue;
                *link = *(nint*)(block + 24);
                FreeListBytes -= have;
                ClearStart(block + 8);
                if (whole || have == need) { size = have; return block; }
                WriteFree(block + need, block + have, kind);
                return block;
            }
        }
        return null;
    }

    /// <summary>The biggest free block filed for the space (diagnostics: a walk of its top non-empty bin).</summary>
    public static ulong LargestFreeBlock(Kind kind)
    {
        for (int bin = Bins - 1; bin >= 0; bin--)
        {
            ulong largest = 0;
            for (byte* block = (byte*)(kind == Kind.Large ? s_largeBins[bin] : s_smallBins[bin]); block != null; block = (byte*)*(nint*)(block + 24))
                largest = Math.Max(largest, BlockSize(block));
            if (largest != 0) return largest;
        }
        return 0;
    }

    /// <summary>Owned units that belong to neither space now.</summary>
    public static ulong EmptyUnits
    {
        get { ulong n = 0; for (ulong u = s_lowUnit; u < s_highUnit; u++) if (s_kinds[u] == Kind.Empty) n++; return n; }
    }

    public static void ClearBins()
    {
        for (int i = 0; i < Bins; i++) { s_smallBins[i] = 0; s_largeBins[i] = 0; }
        FreeListBytes = 0;
    }

    /// <summary>Calls <paramref name="visit"/> for every object (not free blocks) in the heap.</summary>
    public static void ForEachObject(delegate*<byte*, void> visit)
    {
        for (ulong u = s_lowUnit; u < s_highUnit;)
        {
            Kind kind = s_kinds[u];
            if (kind != Kind.Small && kind != Kind.Large) { u++; continue; }
            ulong end = u;
            while (end < s_highUnit && s_kinds[end] == kind) end++;
            for (byte* block = (byte*)(u << UnitShift); block < (byte*)(end << UnitShift); block += ObjectModel.Size(block + 8))
                if (ObjectModel.MethodTable(block + 8) != s_freeType) visit(block + 8);
            u = end;
        }
    }

    // ---- sweeping ------------------------------------------------------------------------------------

    // Lazy, resumable sweeping. When a collection's marking ends, every unit of the small and large spaces
    // becomes "unswept"; SweepSome then walks them in address order a bounded amount at a time (the
    // collector's sweep steps, and the allocator when it finds no free block). Unmarked objects and old free
    // blocks become free blocks, marks are cleared. Nothing is ever allocated in unswept memory: the bins
    // only receive blocks behind the sweep cursor, and units taken afterwards are never unswept. A new
    // collection starts only once everything is swept.
    static bool* s_unswept;                          // per unit
    static ulong s_sweepUnit;                        // no unswept unit below this one
    static byte* s_runCursor, s_runEnd, s_runFree;   // the run being swept: next block, end, pending free stretch
    static Kind s_runKind;

    public static bool SweepPending => s_runCursor != null || s_sweepUnit < s_highUnit;

    public static void BeginLazySweep()
    {
        ClearBins();
        for (ulong u = s_lowUnit; u < s_highUnit; u++) s_unswept[u] = s_kinds[u] == Kind.Small || s_kinds[u] == Kind.Large;
        s_sweepUnit = s_lowUnit;
        s_runCursor = null;
    }

    /// <summary>Sweeps about <paramref name="budget"/> bytes of heap (stopping early once the TSC passes
    /// <paramref name="deadline"/>, 0 = no deadline); false once everything is swept.</summary>
    public static bool SweepSome(ref long budget, ulong deadline = 0)
    {
        int sinceClock = 0;
        bool stop = false;
        while (true)
        {
            if (s_runCursor == null)
            {
                while (s_sweepUnit < s_highUnit && !s_unswept[s_sweepUnit]) s_sweepUnit++;
                if (s_sweepUnit >= s_highUnit) return false;
                ulong first = s_sweepUnit, end = first;
                Kind kind = s_kinds[first];
                while (end < s_highUnit && s_unswept[end] && s_kinds[end] == kind) { s_unswept[end] = false; end++; }
                s_sweepUnit = end;
                s_runCursor = (byte*)(first << UnitShift);
                s_runEnd = (byte*)(end << UnitShift);
                s_runFree = null;
                s_runKind = kind;
            }
            byte* block = s_runCursor, runEnd = s_runEnd, freeStart = s_runFree;
            while (block < runEnd)
            {
                byte* obj = block + 8;
                ulong size = ObjectModel.Size(obj);
                if (size < ObjectModel.MinBlock || block + size > runEnd) Panic.Halt("GC: heap corrupted (bad block size)"u8);
                if (ObjectModel.MethodTable(obj) == s_freeType || !ObjectModel.IsMarked(obj))
                {
                    if (freeStart == null) freeStart = block;
                    else ClearStart(obj);
                }
                else
                {
                    if (freeStart != null) { Release(freeStart, block, s_runKind); freeStart = null; }
                    ObjectModel.Header(obj) &= ~ObjectModel.MarkBit;
                }
                block += size;
                budget -= (long)size + 16;                   // a little more per block: small objects cost more per byte
                if (budget <= 0) { stop = true; break; }
                if (deadline != 0 && ++sinceClock == 16)
                {
                    sinceClock = 0;
                    if (Arch.X64.Cpu.ReadTimestampCounter() >= deadline) { stop = true; break; }
                }
            }
            if (block >= runEnd)
            {
                if (freeStart != null) Release(freeStart, runEnd, s_runKind);
                s_runCursor = null;
            }
            else
            {
                s_runCursor = block;
                s_runFree = freeStart;
                return true;
            }
            if (stop) return SweepPending;
        }
    }

    public static void FinishSweep()
    {
        long unlimited = long.MaxValue;
        while (SweepSome(ref unlimited)) { }
    }

    /// <summary>A free stretch found by the sweep: whole units inside it go back to the empty pool, the
    /// rest becomes free blocks (never smaller than the minimum block).</summary>
    static void Release(byte* start, byte* end, Kind kind)
    {
        ulong first = ((ulong)start + UnitBytes - 1) & ~(UnitBytes - 1);
        ulong last = (ulong)end & ~(UnitBytes - 1);
        if (first - (ulong)start is > 0 and < ObjectModel.MinBlock) first += UnitBytes;
        if ((ulong)end - last is > 0 and < ObjectModel.MinBlock) last -= UnitBytes;
        if (last <= first || last - first < UnitBytes) { WriteFree(start, end, kind); return; }
        ClearStart(start + 8);
        for (ulong u = first >> UnitShift; u < last >> UnitShift; u++) s_kinds[u] = Kind.Empty;   // bits cleared by Grow
        if ((byte*)first > start) WriteFree(start, (byte*)first, kind);
        if ((byte*)last < end) WriteFree((byte*)last, end, kind);
    }
}
