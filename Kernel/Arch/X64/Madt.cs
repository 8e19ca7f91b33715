namespace CosmosNet.Kernel.Arch.X64;

/// <summary>What the ACPI MADT says about interrupt controllers: the local APIC address, the first IOAPIC
/// and the ISA IRQ overrides (found through AcpiTables); when there is none (UEFI boots, odd firmware) the PC
/// defaults stand: LAPIC 0xFEE00000, IOAPIC 0xFEC00000 at GSI 0, ISA IRQ n = GSI n.</summary>
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
    /// <summary>The override's MPS flags (0 = none: the bus's convention holds).</summary>
    public static ushort IsaFlags(int irq) => s_isaFlags[irq];

    public static void Read()
    {
        for (int i = 0; i < 16; i++) s_isaGsi[i] = (uint)i;
        byte* madt = AcpiTables.Find(AcpiTables.Apic);
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
}
