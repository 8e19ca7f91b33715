using System.Runtime;
using CosmosNet.Kernel.Arch.X64;
using Scheduler = CosmosNet.Kernel.Threading.Scheduler;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The runtime's view of threads: kernel threads of Kernel/Threading/Scheduler.cs (one CPU).
/// RhGetThreadEntryPointAddress is in Kernel/Asm/threads.asm.</summary>
internal static unsafe class Threading
{
    static nint s_threadExitCallback;

    /// <summary>What CoreLib registered to run when a thread exits.</summary>
    public static nint ThreadExitCallback => s_threadExitCallback;

    [RuntimeExport("RhCurrentOSThreadId")] static ulong RhCurrentOSThreadId() => Scheduler.Started ? Scheduler.Current->Id : 1;
    [RuntimeExport("RhGetProcessCpuCount")] static int RhGetProcessCpuCount() => 1;
    [RuntimeExport("RhSetThreadExitCallback")] static void RhSetThreadExitCallback(nint callback) => s_threadExitCallback = callback;

    [RuntimeExport("RhSpinWait")]
    static void RhSpinWait(int iterations)
    {
        for (int i = 0; i < iterations; i++) Cpu.Pause();
    }

    [RuntimeExport("RhYield")] static bool RhYield() => Scheduler.Started && Scheduler.Yield();

    [RuntimeExport("RhGetDefaultStackSize")] static nuint RhGetDefaultStackSize() => (nuint)Scheduler.DefaultStackSize;

    // Thread names are not kept by the kernel (Thread.Name itself works: CoreLib stores it).
    [RuntimeExport("RhSetCurrentThreadName")] static void RhSetCurrentThreadName(char* name) { }
}
