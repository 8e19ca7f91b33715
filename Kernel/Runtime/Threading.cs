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

    /// <summary>Thread.Name: CoreLib keeps it; the kernel keeps an ASCII copy for the diagnostics console.</summary>
    [RuntimeExport("RhSetCurrentThreadName")]
    static void RhSetCurrentThreadName(char* name)
    {
        if (!Scheduler.Started || name == null) return;
        byte* ascii = stackalloc byte[global::CosmosNet.Kernel.Threading.KThread.NameCapacity];
        int n = 0;
        for (; n < global::CosmosNet.Kernel.Threading.KThread.NameCapacity && name[n] != 0; n++) ascii[n] = name[n] < 0x80 ? (byte)name[n] : (byte)'?';
        Scheduler.Current->SetName(new ReadOnlySpan<byte>(ascii, n));
    }
}
