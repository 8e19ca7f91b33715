namespace CosmosNet.Kernel.Arch.X64;

/// <summary>What the ACPI MADT says about interrupt controllers: the local APIC address, the first IOAPIC
/// and the ISA IRQ overrides. Found through the RSDP in the BIOS areas; when there is none (UEFI boots,
/// odd firmware) the PC defaults stand: LAPIC 0xFEE00000, IOAPIC 0xFEC00000 at GSI 0, ISA IRQ n = GSI n.</summary>
internal static unsafe class Madt
{
    public static ulong LocalApicAddress = 0xFEE00000;
    public static ulong IoApicAddress = 0xFEC00000;
    public static uint IoApicGsiBase;
    public static bool Found;

    // Per ISA IRQ: GSI and MPS flags (polarity bits 0-1, trigger bits 2-3).
    [System.Runtime.CompilerServices.InlineArray(16)] struct Gsis { uint _first; }
    [System.Runtime.CompilerServices.InlineArray(16)] struct Flags { ushort _first; }
    static Gsis s_isaGsi;
    static Flags s_isaFlags;

    public static uint IsaGsi(int irq) => s_isaGsi[irq];
    public static bool IsaActiveLow(int irq) => (s_isaFlags[irq] & 3) == 3;
    public static bool IsaLevelTriggered(int irq) => ((s_isaFlags[irq] >> 2) & 3) == 3;

    public static void Read()
    {
        for (int i = 0; i < 16; i++) s_isaGsi[i] = (uint)i;
        byte* rsdp = FindRsdp(0x9FC00, 0xA0000);
        if (rsdp == null) rsdp = FindRsdp(0xE0000, 0x100000);
        if (rsdp == null) return;
        byte* madt = rsdp[15] >= 2 && *(ulong*)(rsdp + 24) != 0
            ? FindTable((byte*)*(ulong*)(rsdp + 24), 8)
            : FindTable((byte*)(ulong)*(uint*)(rsdp + 16), 4);
        if (madt == null) return;
        Found = true;
        LocalApicAddress = *(uint*)(madt + 36);
        uint length = *(uint*)(madt + 4);
        bool haveIoApic = false;
        for (byte* e = madt + 44; e + 2 <= madt + length && e[1] >= 2; e += e[1])
        {
            switch (e[0])
            {
                case 1 when !haveIoApic:
                    IoApicAddress = *(uint*)(e + 4);
                    IoApicGsiBase = *(uint*)(e + 8);
                    haveIoApic = true;
                    break;
                case 2 when e[2] == 0 && e[3] < 16:
                    s_isaGsi[e[3]] = *(uint*)(e + 4);
                    s_isaFlags[e[3]] = *(ushort*)(e + 8);
                    break;
                case 5:
                    LocalApicAddress = *(ulong*)(e + 4);
                    break;
            }
        }
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

    /// <summary>The "APIC" table listed by an RSDT (4-byte entries) or XSDT (8-byte entries).</summary>
    static byte* FindTable(byte* root, int entrySize)
    {
        if (root == null || (ulong)root >= Paging.MappedTop && !MemoryMapCovers((ulong)root)) return null;
        uint length = *(uint*)(root + 4);
        for (uint off = 36; off + entrySize <= length; off += (uint)entrySize)
        {
            byte* table = entrySize == 8 ? (byte*)*(ulong*)(root + off) : (byte*)(ulong)*(uint*)(root + off);
            if (table != null && *(uint*)table == 0x43495041) return table; // "APIC"
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
