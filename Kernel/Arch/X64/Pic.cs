namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The legacy 8259 pair: remapped to vectors 0x20..0x2F (so its spurious IRQ 7/15 land on counted
/// vectors, not on CPU exceptions) and fully masked; the IOAPIC delivers device interrupts instead.</summary>
internal static class Pic
{
    public const byte VectorBase = 0x20;

    public static void Disable()
    {
        Cpu.OutByte(0x20, 0x11); Cpu.OutByte(0xA0, 0x11);            // ICW1: init, ICW4 follows
        Cpu.OutByte(0x21, VectorBase); Cpu.OutByte(0xA1, VectorBase + 8);
        Cpu.OutByte(0x21, 4); Cpu.OutByte(0xA1, 2);                   // cascade on IRQ 2
        Cpu.OutByte(0x21, 1); Cpu.OutByte(0xA1, 1);                   // 8086 mode
        Cpu.OutByte(0x21, 0xFF); Cpu.OutByte(0xA1, 0xFF);             // mask everything
    }
}
