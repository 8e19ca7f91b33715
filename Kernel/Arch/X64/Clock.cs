namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Monotonic time from the TSC, calibrated once at boot against the PIT (channel 2).</summary>
public static class Clock
{
    static ulong s_tscAtBoot, s_tscPerSecond;

    public static ulong TscPerSecond => s_tscPerSecond;

    /// <summary>The raw time-stamp counter (benchmarks: cheapest timestamp there is).</summary>
    public static ulong ReadTsc() => Cpu.ReadTimestampCounter();

    /// <summary>Nanoseconds since the calibration at boot.</summary>
    public static ulong Nanoseconds
    {
        get
        {
            ulong ticks = Cpu.ReadTimestampCounter() - s_tscAtBoot, hz = s_tscPerSecond;
            return ticks / hz * 1_000_000_000UL + ticks % hz * 1_000_000_000UL / hz;
        }
    }

    /// <summary>TSC ticks over 20 ms of PIT channel 2, three times; the smallest count wins (a vCPU
    /// descheduled between the PIT's end and the TSC read only ever inflates it).</summary>
    internal static void Calibrate()
    {
        ulong best = ulong.MaxValue, start = 0;
        for (int round = 0; round < 3; round++)
        {
            ulong ticks = MeasureTscOverPit(out ulong roundStart);
            if (ticks != 0 && ticks < best) { best = ticks; start = roundStart; }
        }
        s_tscPerSecond = best == ulong.MaxValue ? 1_000_000_000 : best * 50;  // no PIT: assume 1 GHz rather than divide by 0
        s_tscAtBoot = start == 0 ? Cpu.ReadTimestampCounter() : start;
    }

    static ulong MeasureTscOverPit(out ulong start)
    {
        const uint PitHz = 1_193_182;
        const ushort ticks = (ushort)(PitHz / 50);                  // 20 ms
        byte gate = Cpu.InByte(0x61);
        Cpu.OutByte(0x61, (byte)(gate & 0xFC));                     // gate off: the count reloads on the rising edge
        Cpu.OutByte(0x43, 0xB0);                                    // channel 2, lo/hi byte, mode 0
        Cpu.OutByte(0x42, unchecked((byte)ticks));
        Cpu.OutByte(0x42, (byte)(ticks >> 8));
        Cpu.OutByte(0x61, (byte)((gate & 0xFC) | 0x01));            // gate on, speaker off
        start = Cpu.ReadTimestampCounter();
        ulong spins = 0;
        while ((Cpu.InByte(0x61) & 0x20) == 0 && ++spins < 100_000_000) { }
        ulong end = Cpu.ReadTimestampCounter();
        Cpu.OutByte(0x61, gate);
        return spins >= 100_000_000 ? 0 : end - start;
    }
}
