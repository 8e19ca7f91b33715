using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Runtime.Files;
using Entropy = CosmosNet.Kernel.Random.Entropy;
using Scheduler = CosmosNet.Kernel.Threading.Scheduler;
using WallClock = CosmosNet.Kernel.Time.WallClock;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>Time, randomness, environment, errno and process-level calls of libSystem.Native.</summary>
internal static unsafe class MiscCalls
{
    [ThreadStatic] static int s_errno;   // per thread, like errno: CoreLib reads it right after the call that set it

    /// <summary>Monotonic nanoseconds (Stopwatch.Frequency on Unix is 1e9).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetTimestamp")]
    static long GetTimestamp() => (long)Clock.Nanoseconds;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetLowResolutionTimestamp")]
    static long GetLowResolutionTimestamp() => (long)(Clock.Nanoseconds / 1_000_000);

    /// <summary>UTC wall-clock time: 100 ns ticks since the Unix epoch (DateTime.UtcNow).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetSystemTimeAsTicks")]
    static long GetSystemTimeAsTicks() => WallClock.UnixTicks;

    /// <summary>Hash seeds and Random: the same CSPRNG as the cryptographic entry point (cheap enough).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetNonCryptographicallySecureRandomBytes")]
    static void GetNonCryptographicallySecureRandomBytes(byte* buffer, int length) => Entropy.Fill(buffer, length);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetCryptographicallySecureRandomBytes")]
    static int GetCryptographicallySecureRandomBytes(byte* buffer, int length)
    {
        Entropy.Fill(buffer, length);
        return 0;
    }

    /// <summary>Starts a kernel thread running startAddress(parameter); 1 on success (C bool).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CreateThread")]
    static int CreateThread(nint stackSize, nint startAddress, nint parameter)
        => Scheduler.Create(startAddress, parameter, (ulong)stackSize) != null ? 1 : 0;

    /// <summary>Busy share of the CPU (percent) since the previous call; the thread pool's hill climbing
    /// reads it. The struct is { u64 lastTime; u64 lastKernelTime; u64 lastUserTime } (ns here).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetCpuUtilization")]
    static int GetCpuUtilization(ulong* previous)
    {
        ulong now = Clock.Nanoseconds, busy = now - Scheduler.IdleNanoseconds;
        ulong elapsed = now - previous[0], busyDelta = busy - previous[2];
        int percent = previous[0] == 0 || elapsed == 0 ? 0 : (int)(busyDelta * 100 / elapsed);
        previous[0] = now; previous[1] = 0; previous[2] = busy;
        return percent > 100 ? 100 : percent;
    }


    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetErrNo")] static int GetErrNo() => s_errno;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetErrNo")] static void SetErrNo(int value) => s_errno = value;
    internal static void SetError(int errno) => s_errno = errno;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SchedGetCpu")] static int SchedGetCpu() => 0;


    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LogError")]
    static void LogError(byte* message)
    {
        Serial.Write("[error] "u8);
        for (; *message != 0; message++) Serial.WriteByte(*message);
        Serial.WriteByte((byte)'\n');
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Abort")]
    static void Abort() => Panic.Halt("abort (SystemNative_Abort)");

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ConvertErrorPlatformToPal")] static int ConvertErrorPlatformToPal(int errno) => Errno.ToPal(errno);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ConvertErrorPalToPlatform")] static int ConvertErrorPalToPlatform(int error) => Errno.FromPal(error);

    /// <summary>strerror_r (GNU flavour as .NET uses it): the message in the buffer, or null when it does not fit
    /// (the buffer then holds as much as fits, terminated).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_StrErrorR")]
    static byte* StrErrorR(int errno, byte* buffer, int size)
    {
        if (size <= 0) return null;
        string message = Errno.Message(errno);
        int n = Math.Min(message.Length, size - 1);
        for (int i = 0; i < n; i++) buffer[i] = (byte)message[i]; // glibc's messages are ASCII
        buffer[n] = 0;
        return n == message.Length ? buffer : null;
    }
}
