using CosmosNet.Kernel.Hal;

namespace CosmosNet.Drivers.Pci;

/// <summary>A PCI function's configuration space through mechanism #1 (ports 0xCF8/0xCFC).</summary>
public readonly struct PciConfig(byte bus, byte device, byte function)
{
    public byte Bus { get; } = bus;
    public byte Device { get; } = device;
    public byte Function { get; } = function;

    uint Address(int offset) => 0x8000_0000u | (uint)Bus << 16 | (uint)Device << 11 | (uint)Function << 8 | (uint)(offset & 0xFC);

    public uint Read32(int offset)
    {
        ulong flags = InterruptGuard.Disable();   // the address/data pair must not be interleaved
        PortIo.Out32(0xCF8, Address(offset));
        uint value = PortIo.In32(0xCFC);
        InterruptGuard.Restore(flags);
        return value;
    }

    public void Write32(int offset, uint value)
    {
        ulong flags = InterruptGuard.Disable();
        PortIo.Out32(0xCF8, Address(offset));
        PortIo.Out32(0xCFC, value);
        InterruptGuard.Restore(flags);
    }

    public ushort Read16(int offset) => (ushort)(Read32(offset) >> ((offset & 2) * 8));
    public byte Read8(int offset) => (byte)(Read32(offset) >> ((offset & 3) * 8));

    public void Write16(int offset, ushort value)
    {
        int shift = (offset & 2) * 8;
        uint old = Read32(offset);
        Write32(offset, (old & ~(0xFFFFu << shift)) | (uint)value << shift);
    }

    public bool Exists => Read16(0) != 0xFFFF;

    /// <summary>Offset of the first capability with this ID, or 0 (none, or no capability list).</summary>
    public int FindCapability(byte id)
    {
        if ((Read16(0x06) & 0x10) == 0) return 0;           // status: capability list present
        int offset = Read8(0x34) & 0xFC;
        for (int guard = 0; offset >= 0x40 && guard < 48; guard++)
        {
            if (Read8(offset) == id) return offset;
            offset = Read8(offset + 1) & 0xFC;
        }
        return 0;
    }

    /// <summary>Physical address of a memory BAR (32- or 64-bit); 0 for an I/O BAR or an unassigned one.</summary>
    public ulong MemoryBar(int index)
    {
        uint low = Read32(0x10 + index * 4);
        if ((low & 1) != 0) return 0;
        ulong address = low & 0xFFFF_FFF0u;
        if (((low >> 1) & 3) == 2 && index < 5) address |= (ulong)Read32(0x14 + index * 4) << 32;
        return address;
    }

    /// <summary>Sets or clears command-register bits (e.g. bus mastering 0x4, INTx disable 0x400).</summary>
    public void SetCommand(ushort set, ushort clear) => Write16(0x04, (ushort)((Read16(0x04) | set) & ~clear));
}
