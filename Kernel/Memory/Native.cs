using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Memory;

/// <summary>The asm memmove/memset (Kernel/Asm/runtime.asm), callable before CoreLib is up and without
/// re-entering managed copy routines.</summary>
internal static unsafe class Native
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("memmove")] public static extern void* Memmove(void* destination, void* source, nuint count);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("memset")] public static extern void* Memset(void* destination, int value, nuint count);
}

/// <summary>Memory for native-side data (runtime tables, SystemNative_Malloc): never moved, never collected,
/// separate from the object heap so a heap walk sees only objects. Bump-allocated; Free is a no-op for now
/// (a leak, never a wrong result).</summary>
internal static unsafe class NativeHeap
{
    // Small chunks: what a chunk leaves unused is lost to everything else, and on a 16 MiB machine 1 MiB was a heap unit.
    const ulong ChunkSize = 64 * 1024;
    static byte* s_next, s_limit;
    static ulong s_used;

    /// <summary>Bytes handed out so far.</summary>
    public static ulong UsedBytes => s_used;

    /// <summary>Zeroed memory for the kernel's own tables; panics when RAM is exhausted.</summary>
    public static void* Allocate(ulong size)
    {
        void* p = TryAllocate(size);
        if (p == null) Panic.Halt("out of memory: native heap"u8);
        return p;
    }

    /// <summary>Zeroed memory, or null when RAM is exhausted (malloc: the caller reports it).</summary>
    public static void* TryAllocate(ulong size)
    {
        size = (size + 15) & ~15UL;
        Threading.Preemption.Disable();   // not reentrant: no thread switch in the middle
        if (size > (ulong)(s_limit - s_next))
        {
            ulong chunk = size > ChunkSize ? (size + 4095) & ~4095UL : ChunkSize;
            byte* fresh = (byte*)PhysicalMemory.Allocate(chunk);
            if (fresh == null) { Threading.Preemption.Enable(); return null; }
            s_next = fresh;
            s_limit = s_next + chunk;
        }
        byte* p = s_next;
        s_next += size;
        s_used += size;
        Threading.Preemption.Enable();
        Native.Memset(p, 0, (nuint)size);
        return p;
    }
}
