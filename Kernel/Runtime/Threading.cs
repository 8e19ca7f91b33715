using System.Runtime;
using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Threads, for now: exactly one (the boot thread, id 1) on one CPU. Creating a thread panics.</summary>
internal static unsafe class Threading
{
    static nint s_threadExitCallback;

    /// <summary>What CoreLib registered to run when a thread exits.</summary>
    public static nint ThreadExitCallback => s_threadExitCallback;

    [RuntimeExport("RhCurrentOSThreadId")] static ulong RhCurrentOSThreadId() => 1;
    [RuntimeExport("RhGetProcessCpuCount")] static int RhGetProcessCpuCount() => 1;
    [RuntimeExport("RhSetThreadExitCallback")] static void RhSetThreadExitCallback(nint callback) => s_threadExitCallback = callback;

    [RuntimeExport("RhSpinWait")]
    static void RhSpinWait(int iterations)
    {
        for (int i = 0; i < iterations; i++) Cpu.Pause();
    }

    // Nothing else can run: the caller keeps the CPU.
    [RuntimeExport("RhYield")] static bool RhYield() => false;

    [RuntimeExport("RhGetDefaultStackSize")] static void RhGetDefaultStackSize() => Panic.NotImplemented("RhGetDefaultStackSize");
    [RuntimeExport("RhGetThreadEntryPointAddress")] static void RhGetThreadEntryPointAddress() => Panic.NotImplemented("RhGetThreadEntryPointAddress");
    [RuntimeExport("RhSetCurrentThreadName")] static void RhSetCurrentThreadName() => Panic.NotImplemented("RhSetCurrentThreadName");
}
