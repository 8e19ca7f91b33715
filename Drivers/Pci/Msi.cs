using CosmosNet.Kernel.Hal;

namespace CosmosNet.Drivers.Pci;

/// <summary>Message-signalled interrupts for a PCI function: MSI-X when the device has it (one vector per
/// table entry), else MSI (one vector). Each vector comes from <see cref="Irq.AttachMsi"/>; the legacy
/// INTx line is disabled once messages are on.</summary>
public static unsafe class Msi
{
    const byte MsiCapability = 0x05, MsiXCapability = 0x11;
    const ushort InterruptDisable = 0x400, BusMaster = 0x4;

    /// <summary>Enables MSI (single message) with the handler; returns the vector or -1 (no capability, no vector).</summary>
    public static int EnableMsi(PciConfig pci, delegate*<nint, void> handler, nint context)
    {
        int cap = pci.FindCapability(MsiCapability);
        if (cap == 0 || !Irq.AttachMsi(handler, context, out ulong address, out uint data)) return -1;
        ushort control = pci.Read16(cap + 2);
        bool is64 = (control & 0x80) != 0;
        pci.Write32(cap + 4, (uint)address);
        if (is64) pci.Write32(cap + 8, (uint)(address >> 32));
        pci.Write16(is64 ? cap + 0xC : cap + 8, (ushort)data);
        control = (ushort)((control & ~0x70) | 1);          // one message, enabled
        pci.Write16(cap + 2, control);
        pci.SetCommand(InterruptDisable | BusMaster, 0);
        return (int)data;
    }

    /// <summary>Number of MSI-X table entries, 0 without MSI-X.</summary>
    public static int MsiXTableSize(PciConfig pci)
    {
        int cap = pci.FindCapability(MsiXCapability);
        return cap == 0 ? 0 : (pci.Read16(cap + 2) & 0x7FF) + 1;
    }

    /// <summary>Enables MSI-X and points table entry <paramref name="entry"/> at a new vector for the
    /// handler (unmasked). Call once per entry wanted. Returns the vector or -1.</summary>
    public static int EnableMsiXEntry(PciConfig pci, int entry, delegate*<nint, void> handler, nint context)
    {
        int cap = pci.FindCapability(MsiXCapability);
        if (cap == 0 || entry < 0 || entry >= MsiXTableSize(pci)) return -1;
        uint tableInfo = pci.Read32(cap + 4);
        ulong bar = pci.MemoryBar((int)(tableInfo & 7));
        if (bar == 0) return -1;
        if (!Irq.AttachMsi(handler, context, out ulong address, out uint data)) return -1;
        ulong table = bar + (tableInfo & ~7u);
        int tableBytes = MsiXTableSize(pci) * 16;
        Mmio.Map(table & ~0xFFFUL, (ulong)(tableBytes + 0x1000));
        uint* e = (uint*)(table + (ulong)entry * 16);
        ushort control = pci.Read16(cap + 2);
        pci.Write16(cap + 2, (ushort)(control | 0x8000 | 0x4000));   // enable, function-masked while we write
        Volatile.Write(ref e[0], (uint)address);
        Volatile.Write(ref e[1], (uint)(address >> 32));
        Volatile.Write(ref e[2], data);
        Volatile.Write(ref e[3], 0);                                   // entry unmasked
        pci.Write16(cap + 2, (ushort)((control | 0x8000) & ~0x4000));
        pci.SetCommand(InterruptDisable | BusMaster, 0);
        return (int)data;
    }
}
