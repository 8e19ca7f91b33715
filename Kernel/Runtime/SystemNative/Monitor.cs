using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>LowLevelMonitor (backs Lock, Monitor, waits). One thread on one CPU: nobody can hold a monitor
/// against us or signal us, so acquire/release have nothing to do, a timed wait is a sleep that times out,
/// and an untimed wait could never end (panic).</summary>
internal static unsafe class MonitorCalls
{
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Create")]
    static void* Create() => NativeHeap.Allocate(16);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Destroy")] static void Destroy(void* monitor) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Acquire")] static void Acquire(void* monitor) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Release")] static void Release(void* monitor) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Signal_Release")] static void SignalRelease(void* monitor) { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Wait")]
    static void Wait(void* monitor) => Panic.Halt("SystemNative_LowLevelMonitor_Wait: waiting forever on the only thread (deadlock)");

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_TimedWait")]
    static int TimedWait(void* monitor, int timeoutMilliseconds)
    {
        ulong until = Clock.Nanoseconds + (ulong)timeoutMilliseconds * 1_000_000;
        while (Clock.Nanoseconds < until) Cpu.Pause();
        return 0; // timed out
    }
}
