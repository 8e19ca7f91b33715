namespace CosmosNet.Kernel.Arch.X64;

/// <summary>x86 I/O ports for drivers (legacy devices, PCI configuration mechanism #1).</summary>
public static class PortIo
{
    public static byte In8(ushort port) => Cpu.InByte(port);
    public static ushort In16(ushort port) => Cpu.InWord(port);
    public static uint In32(ushort port) => Cpu.InDword(port);
    public static void Out8(ushort port, byte value) => Cpu.OutByte(port, value);
    public static void Out16(ushort port, ushort value) => Cpu.OutWord(port, value);
    public static void Out32(ushort port, uint value) => Cpu.OutDword(port, value);
}
