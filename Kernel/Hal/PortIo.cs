namespace CosmosNet.Kernel.Hal;

/// <summary>x86 I/O ports (legacy devices, I/O BARs, PCI configuration mechanism #1).</summary>
public static class PortIo
{
    public static byte In8(ushort port) => Arch.X64.Cpu.InByte(port);
    public static ushort In16(ushort port) => Arch.X64.Cpu.InWord(port);
    public static uint In32(ushort port) => Arch.X64.Cpu.InDword(port);
    public static void Out8(ushort port, byte value) => Arch.X64.Cpu.OutByte(port, value);
    public static void Out16(ushort port, ushort value) => Arch.X64.Cpu.OutWord(port, value);
    public static void Out32(ushort port, uint value) => Arch.X64.Cpu.OutDword(port, value);
}
