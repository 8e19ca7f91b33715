using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Time;

/// <summary>UTC wall-clock time: the RTC's reading at boot carried forward by the monotonic clock.</summary>
internal static class WallClock
{
    const long UnixEpochTicks = 621_355_968_000_000_000; // DateTime ticks of 1970-01-01
    static long s_unixNanosecondsAtBoot;
    static ulong s_monotonicAtRead;

    internal static void Initialize()
    {
        long seconds = Rtc.ReadUnixSeconds();
        s_monotonicAtRead = Clock.Nanoseconds;
        s_unixNanosecondsAtBoot = seconds * 1_000_000_000L;
    }

    /// <summary>Nanoseconds since the Unix epoch.</summary>
    public static long UnixNanoseconds => s_unixNanosecondsAtBoot + (long)(Clock.Nanoseconds - s_monotonicAtRead);

    /// <summary>100 ns ticks since the Unix epoch (SystemNative_GetSystemTimeAsTicks).</summary>
    public static long UnixTicks => UnixNanoseconds / 100;

    public static long DateTimeTicks => UnixTicks + UnixEpochTicks;
}
