namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Monotonic time from the TSC, calibrated once against the PIT (channel 2, 10 ms).</summary>
public static class Clock
{
    static ulong s_tscAtBoot, s_tscPerSecond;

    public static ulong TscPerSecond => s_tscPerSecond;

    /// <summary>Nanoseconds since the calibration at boot.</summary>
    public static ulong Nanoseconds
    {
        get
        {
            ulong ticks = Cpu.ReadTimestampCounter() - s_tscAtBoot, hz = s_tscPerSecond;
            return ticks / hz * 1_000_000_000UL + ticks % hz * 1_000_000_000UL / hz;
        }
    }

    internal static void Calibrate()
    {
        const uint PitHz = 1_193_182;
        const ushort ticks = (ushort)(PitHz / 100);                 // 10 ms
        byte gate = Cpu.InByte(0x61);
        Cpu.OutByte(0x61, (byte)((gate & 0xFC) | 0x01));            // channel 2 gate on, speaker off
        Cpu.OutByte(0x43, 0xB0);                                    // channel 2, lo/hi byte, mode 0
        Cpu.OutByte(0x42, unchecked((byte)ticks));
        Cpu.OutByte(0x42, (byte)(ticks >> 8));
        ulong start = Cpu.ReadTimestampCounter();
        ulong spins = 0;
        while ((Cpu.InByte(0x61) & 0x20) == 0 && ++spins < 100_000_000) { }
        ulong end = Cpu.ReadTimestampCounter();
        Cpu.OutByte(0x61, gate);
        s_tscPerSecond = (end - start) * 100;
        if (s_tscPerSecond == 0) s_tscPerSecond = 1_000_000_000;   // no PIT: assume 1 GHz rather than divide by 0
        s_tscAtBoot = start;
    }
}
