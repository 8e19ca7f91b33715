using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>Time, randomness, environment, errno and process-level calls of libSystem.Native.</summary>
internal static unsafe class MiscCalls
{
    static int s_errno;
    static ulong s_random;

    /// <summary>Monotonic nanoseconds (Stopwatch.Frequency on Unix is 1e9).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetTimestamp")]
    static long GetTimestamp() => (long)Clock.Nanoseconds;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetLowResolutionTimestamp")]
    static long GetLowResolutionTimestamp() => (long)(Clock.Nanoseconds / 1_000_000);

    /// <summary>xorshift64* seeded from the TSC: fine for hash seeds, NOT for cryptography.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetNonCryptographicallySecureRandomBytes")]
    static void GetNonCryptographicallySecureRandomBytes(byte* buffer, int length)
    {
        if (s_random == 0) s_random = Cpu.ReadTimestampCounter() | 1;
        for (int i = 0; i < length; i++)
        {
            s_random ^= s_random >> 12; s_random ^= s_random << 25; s_random ^= s_random >> 27;
            buffer[i] = (byte)((s_random * 0x2545F4914F6CDD1DUL) >> 56);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEnv")]
    static byte* GetEnv(byte* name) => null; // there is no environment

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

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetCpuUtilization")] static void GetCpuUtilization() => Panic.NotImplemented("SystemNative_GetCpuUtilization");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CreateThread")] static void CreateThread() => Panic.NotImplemented("SystemNative_CreateThread");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEUid")] static void GetEUid() => Panic.NotImplemented("SystemNative_GetEUid");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPwUidR")] static void GetPwUidR() => Panic.NotImplemented("SystemNative_GetPwUidR");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetCwd")] static void GetCwd() => Panic.NotImplemented("SystemNative_GetCwd");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_StrErrorR")] static void StrErrorR() => Panic.NotImplemented("SystemNative_StrErrorR");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ConvertErrorPalToPlatform")] static void ConvertErrorPalToPlatform() => Panic.NotImplemented("SystemNative_ConvertErrorPalToPlatform");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ConvertErrorPlatformToPal")] static void ConvertErrorPlatformToPal() => Panic.NotImplemented("SystemNative_ConvertErrorPlatformToPal");
}
