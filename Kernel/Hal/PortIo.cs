namespace CosmosNet.Kernel.Hal;

/// <summary>x86 I/O ports (legacy devices, I/O BARs, PCI configuration mechanism #1). Every access is counted:
/// an emulator runs each one synchronously in the device model, so the counts per request are a cost measure
/// (the profiler reports them; <see cref="Mmio"/> counts register accesses the same way).</summary>
public static class PortIo
{
    /// <summary>Accesses through this class since boot.</summary>
    public static ulong Reads, Writes;

    public static byte In8(ushort port) { Reads++; return Arch.X64.Cpu.InByte(port); }
    public static ushort In16(ushort port) { Reads++; return Arch.X64.Cpu.InWord(port); }
    public static uint In32(ushort port) { Reads++; return Arch.X64.Cpu.InDword(port); }
    public static void Out8(ushort port, byte value) { Writes++; Arch.X64.Cpu.OutByte(port, value); }
    public static void Out16(ushort port, ushort value) { Writes++; Arch.X64.Cpu.OutWord(port, value); }
    public static void Out32(ushort port, uint value) { Writes++; Arch.X64.Cpu.OutDword(port, value); }
}
