namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The firmware's ACPI tables: the RSDP in the BIOS areas (EBDA, then 0xE0000-0xFFFFF), its RSDT
/// (4-byte entries) or XSDT (8-byte entries), and a table by its signature. Null when there is no RSDP (UEFI boots
/// through Multiboot 1, odd firmware): callers keep the PC defaults then.</summary>
internal static unsafe class AcpiTables
{
    public const uint Apic = 0x43495041;   // "APIC": the MADT
    public const uint Facp = 0x50434146;   // "FACP": the FADT

    public static byte* Find(uint signature)
    {
        byte* rsdp = FindRsdp(0x9FC00, 0xA0000);
        if (rsdp == null) rsdp = FindRsdp(0xE0000, 0x100000);
        if (rsdp == null) return null;
        return rsdp[15] >= 2 && *(ulong*)(rsdp + 24) != 0
            ? FindTable((byte*)*(ulong*)(rsdp + 24), 8, signature)
            : FindTable((byte*)(ulong)*(uint*)(rsdp + 16), 4, signature);
    }

    static byte* FindRsdp(ulong start, ulong end)
    {
        for (ulong a = start; a + 20 <= end; a += 16)
        {
            byte* p = (byte*)a;
            if (*(ulong*)p != 0x2052545020445352UL) continue; // "RSD PTR "
            byte sum = 0;
            for (int i = 0; i < 20; i++) sum += p[i];
            if (sum == 0) return p;
        }
        return null;
    }

    static byte* FindTable(byte* root, int entrySize, uint signature)
    {
        if (root == null || (ulong)root >= Paging.MappedTop && !MemoryMapCovers((ulong)root)) return null;
        uint length = *(uint*)(root + 4);
        for (uint off = 36; off + entrySize <= length; off += (uint)entrySize)
        {
            byte* table = entrySize == 8 ? (byte*)*(ulong*)(root + off) : (byte*)(ulong)*(uint*)(root + off);
            if (table != null && *(uint*)table == signature) return table;
        }
        return null;
    }

    static bool MemoryMapCovers(ulong address)
    {
        for (int i = 0; i < Memory.MemoryMap.Count; i++)
        {
            Memory.MemoryRegion r = Memory.MemoryMap.Get(i);
            if (address >= r.Base && address < r.End) return true;
        }
        return false;
    }
}
