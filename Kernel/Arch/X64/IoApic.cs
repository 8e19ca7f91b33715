namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The IOAPIC: routes a global system interrupt (GSI) to a vector on this CPU. Every input starts
/// masked; <see cref="Route"/> unmasks one.</summary>
internal static unsafe class IoApic
{
    static byte* s_base;
    static uint s_gsiBase, s_inputs;

    public static uint Inputs => s_inputs;

    static uint Read(uint reg) { Volatile.Write(ref *(uint*)s_base, reg); return Volatile.Read(ref *(uint*)(s_base + 0x10)); }
    static void Write(uint reg, uint value) { Volatile.Write(ref *(uint*)s_base, reg); Volatile.Write(ref *(uint*)(s_base + 0x10), value); }

    internal static void Initialize(ulong physicalBase, uint gsiBase)
    {
        Paging.MapMmio(physicalBase, 4096);
        s_base = (byte*)physicalBase;
        s_gsiBase = gsiBase;
        uint version = Read(1);
        s_inputs = ((version >> 16) & 0xFF) + 1;
        if (version == 0xFFFFFFFF) { s_inputs = 0; return; } // nothing there
        for (uint i = 0; i < s_inputs; i++) Mask(gsiBase + i);
    }

    public static bool Route(uint gsi, byte vector, bool activeLow, bool levelTriggered)
    {
        if (gsi < s_gsiBase || gsi - s_gsiBase >= s_inputs) return false;
        uint index = gsi - s_gsiBase;
        uint low = vector | (activeLow ? 1u << 13 : 0) | (levelTriggered ? 1u << 15 : 0);
        Write(0x11 + index * 2, Apic.Id << 24);
        Write(0x10 + index * 2, low);
        return true;
    }

    /// <summary>Delivers an (edge-triggered, active-high) input as an NMI: it interrupts even code that runs with
    /// interrupts disabled. For the sampling profiler's tick.</summary>
    public static bool RouteNmi(uint gsi)
    {
        if (gsi < s_gsiBase || gsi - s_gsiBase >= s_inputs) return false;
        uint index = gsi - s_gsiBase;
        const uint DeliveryNmi = 4 << 8;
        Write(0x11 + index * 2, Apic.Id << 24);
        Write(0x10 + index * 2, DeliveryNmi | 2);
        return true;
    }

    public static void Mask(uint gsi)
    {
        if (gsi < s_gsiBase || gsi - s_gsiBase >= s_inputs) return;
        uint index = gsi - s_gsiBase;
        Write(0x10 + index * 2, 1u << 16);
    }
}
