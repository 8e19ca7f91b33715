using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Identity-mapped 4-level paging built from the memory map: every region the bootloader reports
/// (any type: ACPI tables live in reserved ones) in 2 MiB pages, the first 2 MiB in 4 KiB pages with page 0
/// left out so a null dereference faults. Device memory outside the map is added with <see cref="MapMmio"/>.</summary>
internal static unsafe class Paging
{
    const ulong Present = 1, Writable = 2, WriteThrough = 8, CacheDisable = 16, LargePage = 0x80;
    const ulong GuardMarker = 1UL << 9;   // software bit of a non-present 4 KiB entry: a stack guard page
    const ulong AddressMask = 0x000F_FFFF_FFFF_F000;
    const ulong TwoMiB = 2 * 1024 * 1024;

    static ulong* s_pml4;
    static ulong s_mappedTop;

    /// <summary>Highest address mapped for RAM (exclusive).</summary>
    public static ulong MappedTop => s_mappedTop;

    internal static void Initialize()
    {
        s_pml4 = (ulong*)PhysicalMemory.AllocatePages(1);

        ulong* lowTable = (ulong*)PhysicalMemory.AllocatePages(1);
        for (ulong page = 1; page < 512; page++) lowTable[page] = page * 4096 | Present | Writable;
        *Directory(0) = (ulong)lowTable | Present | Writable;

        for (int i = 0; i < MemoryMap.Count; i++)
        {
            MemoryRegion r = MemoryMap.Get(i);
            MapLarge(r.Base, r.End, Present | Writable);
            if (r.Type == MemoryRegionType.Usable && r.End > s_mappedTop) s_mappedTop = r.End;
        }
        Cpu.WriteCr3((ulong)s_pml4);
    }

    /// <summary>Maps device memory (uncached) at its physical address; already mapped 2 MiB pages are left
    /// as they are.</summary>
    public static void MapMmio(ulong physical, ulong length)
    {
        MapLarge(physical, physical + length, Present | Writable | WriteThrough | CacheDisable);
        Cpu.WriteCr3(Cpu.ReadCr3()); // flush the TLB
    }

    /// <summary>Maps the 4 KiB page at <paramref name="address"/> (outside RAM's identity map: a reserved window)
    /// to <paramref name="physical"/>, cached and writable. False when a page table could not be allocated.</summary>
    public static bool MapPage(ulong address, ulong physical)
    {
        ulong* table = s_pml4;
        for (int shift = 39; shift >= 21; shift -= 9)
        {
            ulong* entry = table + ((address >> shift) & 511);
            if ((*entry & Present) == 0)
            {
                void* fresh = PhysicalMemory.Allocate(4096);
                if (fresh == null) return false;
                Memory.Native.Memset(fresh, 0, 4096);
                *entry = (ulong)fresh | Present | Writable;
            }
            else if ((*entry & LargePage) != 0) return false;   // inside the identity map: not a window
            table = (ulong*)(*entry & AddressMask);
        }
        table[(address >> 12) & 511] = physical | Present | Writable;
        Cpu.InvalidatePage(address);
        return true;
    }

    /// <summary>Whether the 4 KiB page at <paramref name="address"/> is mapped by a 4 KiB entry.</summary>
    public static bool IsPageMapped(ulong address)
    {
        ulong* entry = PageEntry(address & ~4095UL, split: false);
        return entry != null && (*entry & Present) != 0;
    }

    /// <summary>Makes the 4 KiB page at address a guard page: not present, so any access faults, and marked so
    /// the fault handlers can tell a stack overflow from a wild access. Splits its 2 MiB page if needed.</summary>
    public static void SetGuardPage(ulong address)
    {
        ulong page = address & ~4095UL;
        ulong* entry = PageEntry(page, split: true);
        if (entry == null) return;                      // not mapped at all: faults anyway
        *entry = page | GuardMarker;
        Cpu.InvalidatePage(page);
    }

    public static bool IsGuardPage(ulong address)
    {
        ulong* entry = PageEntry(address & ~4095UL, split: false);
        return entry != null && (*entry & (Present | GuardMarker)) == GuardMarker;
    }

    /// <summary>The 4 KiB entry of a mapped address (null if unmapped, or mapped by a 2 MiB page and not split).</summary>
    static ulong* PageEntry(ulong address, bool split)
    {
        ulong* table = s_pml4;
        for (int shift = 39; shift > 21; shift -= 9)
        {
            ulong next = table[(address >> shift) & 511];
            if ((next & Present) == 0) return null;
            table = (ulong*)(next & AddressMask);
        }
        ulong* directory = table + ((address >> 21) & 511);
        if ((*directory & Present) == 0) return null;
        if ((*directory & LargePage) != 0)
        {
            if (!split) return null;
            ulong* pageTable = (ulong*)PhysicalMemory.AllocatePages(1);
            ulong large = *directory & AddressMask & ~(TwoMiB - 1);
            ulong flags = (*directory & (Writable | WriteThrough | CacheDisable)) | Present;
            for (ulong i = 0; i < 512; i++) pageTable[i] = (large + i * 4096) | flags;
            *directory = (ulong)pageTable | Present | Writable;
            Cpu.InvalidatePage(address);                // drops the 2 MiB translation
        }
        return (ulong*)(*directory & AddressMask) + ((address >> 12) & 511);
    }

    static void MapLarge(ulong start, ulong end, ulong flags)
    {
        for (ulong page = start & ~(TwoMiB - 1); page < end; page += TwoMiB)
        {
            if (page == 0) continue; // the first 2 MiB use the 4 KiB table
            ulong* entry = Directory(page);
            if ((*entry & Present) == 0) *entry = page | flags | LargePage;
        }
    }

    /// <summary>The page-directory entry (2 MiB granularity) for an address, creating tables on the way.</summary>
    static ulong* Directory(ulong address)
    {
        ulong* pdpt = Next(s_pml4, (address >> 39) & 511);
        ulong* pd = Next(pdpt, (address >> 30) & 511);
        return pd + ((address >> 21) & 511);
    }

    static ulong* Next(ulong* table, ulong index)
    {
        if ((table[index] & Present) == 0)
            table[index] = (ulong)PhysicalMemory.AllocatePages(1) | Present | Writable;
        return (ulong*)(table[index] & AddressMask);
    }
}
