using System.Runtime;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Per-thread runtime queries: the boot thread (the one that runs Main) keeps the slot it used
/// before the scheduler existed; every other kernel thread answers from its KThread.</summary>
internal static unsafe class BootThread
{
    /// <summary>The boot thread's slot: a GC root (Gc/Roots.cs marks it).</summary>
    internal static void* s_threadStaticStorage;

    /// <summary>Slot for thread statics outside the inline TLS block, initially null.</summary>
    [RuntimeExport("RhGetThreadStaticStorage")]
    static void** RhGetThreadStaticStorage()
    {
        if (Scheduler.Started && Scheduler.Current != Scheduler.BootThread) return &Scheduler.Current->ThreadStaticStorage;
        fixed (void** slot = &s_threadStaticStorage) return slot;
    }

    /// <summary>The current thread's stack (the boot stack of Boot/boot.asm for Main), for stack-depth checks.</summary>
    [RuntimeExport("RhGetCurrentThreadStackBounds")]
    static void RhGetCurrentThreadStackBounds(void** low, void** high)
    {
        if (Scheduler.Started)
        {
            *low = Scheduler.Current->StackBottom;
            *high = Scheduler.Current->StackTop;
            return;
        }
        *low = Image.Current->BootStackBottom;
        *high = Image.Current->BootStackTop;
    }
}
