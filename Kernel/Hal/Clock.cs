namespace CosmosNet.Kernel.Hal;

/// <summary>Monotonic time since boot (the TSC, calibrated at boot).</summary>
public static class Clock
{
    public static ulong Nanoseconds => Arch.X64.Clock.Nanoseconds;

    /// <summary>The raw time-stamp counter: the cheapest timestamp there is (benchmarks, profiling).</summary>
    public static ulong ReadTsc() => Arch.X64.Clock.ReadTsc();

    public static ulong TscPerSecond => Arch.X64.Clock.TscPerSecond;
}
