using System.Runtime;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Per-thread runtime queries, answered for the boot thread (the one that runs Main). Once other
/// threads run managed code, the scheduler must answer these per thread.</summary>
internal static unsafe class BootThread
{
    static void* s_threadStaticStorage;

    /// <summary>Slot for thread statics outside the inline TLS block, initially null.</summary>
    [RuntimeExport("RhGetThreadStaticStorage")]
    static void** RhGetThreadStaticStorage()
    {
        fixed (void** slot = &s_threadStaticStorage) return slot;
    }

    /// <summary>The boot stack (Boot/boot.asm), for stack-depth checks.</summary>
    [RuntimeExport("RhGetCurrentThreadStackBounds")]
    static void RhGetCurrentThreadStackBounds(void** low, void** high)
    {
        *low = Image.Current->BootStackBottom;
        *high = Image.Current->BootStackTop;
    }
}
