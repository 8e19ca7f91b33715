namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The local APIC (xAPIC, MMIO): enabled with a spurious vector, EOI, and its timer in one-shot
/// mode, calibrated against the TSC clock, which drives every kernel timer (see Time/Timers.cs).</summary>
internal static unsafe class Apic
{
    public const byte TimerVector = 0xF0, ErrorVector = 0xFE, SpuriousVector = 0xFF;
    const uint RegId = 0x20, RegTpr = 0x80, RegEoi = 0xB0, RegSvr = 0xF0, RegLvtTimer = 0x320, RegLvtError = 0x370,
        RegInitialCount = 0x380, RegCurrentCount = 0x390, RegDivide = 0x3E0, RegEsr = 0x280;
    const uint Masked = 1 << 16;

    static byte* s_base;
    static ulong s_ticksPerSecond;   // timer input after the divide-by-16

    public static ulong TimerTicksPerSecond => s_ticksPerSecond;
    public static uint Id => s_base == null ? 0 : Read(RegId) >> 24;

    static uint Read(uint reg) => Volatile.Read(ref *(uint*)(s_base + reg));
    static void Write(uint reg, uint value) => Volatile.Write(ref *(uint*)(s_base + reg), value);

    internal static void Initialize(ulong physicalBase)
    {
        const uint ApicBaseMsr = 0x1B;
        ulong msr = Cpu.ReadMsr(ApicBaseMsr);
        if (physicalBase == 0) physicalBase = msr & 0xFFFFF000;
        Cpu.WriteMsr(ApicBaseMsr, (msr & 0xFFF) | physicalBase | (1 << 11)); // globally enabled
        Paging.MapMmio(physicalBase, 4096);
        s_base = (byte*)physicalBase;
        Write(RegTpr, 0);
        Write(RegSvr, 0x100 | SpuriousVector);
        Write(RegLvtError, ErrorVector);
        Write(RegEsr, 0); Write(RegEsr, 0);
        Write(RegDivide, 0x3);                         // divide by 16
        Write(RegLvtTimer, Masked | TimerVector);
        Calibrate();
        Write(RegLvtTimer, TimerVector);               // one-shot, unmasked; counts only when armed
        Eoi();
    }

    /// <summary>Timer ticks counted over ~10 ms of TSC time, both read back to back at the end.</summary>
    static void Calibrate()
    {
        ulong tscPerSecond = Clock.TscPerSecond;
        ulong best = 0;
        for (int round = 0; round < 3; round++)
        {
            Write(RegInitialCount, 0xFFFFFFFF);
            ulong start = Cpu.ReadTimestampCounter();
            while (Cpu.ReadTimestampCounter() - start < tscPerSecond / 100) Cpu.Pause();
            uint left = Read(RegCurrentCount);
            ulong end = Cpu.ReadTimestampCounter();
            ulong rate = (0xFFFFFFFFUL - left) * tscPerSecond / (end - start);
            if (rate > best) best = rate;           // a delayed read only ever lowers the estimate
        }
        Write(RegInitialCount, 0);
        s_ticksPerSecond = best == 0 ? 62_500_000 : best;
    }

    /// <summary>One timer interrupt after <paramref name="nanoseconds"/> (at least one tick; long delays
    /// are capped and simply re-armed by the handler). 0 stops the timer.</summary>
    public static void ArmTimer(ulong nanoseconds)
    {
        if (nanoseconds == 0) { Write(RegInitialCount, 0); return; }
        ulong ticks = nanoseconds >= 1_000_000_000UL * 60
            ? 0xFFFFFFFF
            : nanoseconds * s_ticksPerSecond / 1_000_000_000UL;
        if (ticks == 0) ticks = 1;
        if (ticks > 0xFFFFFFFF) ticks = 0xFFFFFFFF;
        Write(RegInitialCount, (uint)ticks);
    }

    /// <summary>Raises <paramref name="vector"/> on this CPU (self IPI: fixed delivery, "self" shorthand).</summary>
    public static void SendSelfIpi(byte vector) => Write(0x300, (1u << 18) | vector);

    public static void Eoi() { if (s_base != null) Write(RegEoi, 0); }
}
