using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime;

/// <summary>THE object allocator: every managed allocation (Allocation.cs) comes here for zeroed memory.
/// Today a bump allocator over chunks from PhysicalMemory that never frees; a garbage collector replaces
/// this class (same two members), nothing else needs to change. Objects are laid out contiguously within a
/// chunk (header at block+0, MethodTable pointer at block+8), so a heap walk is possible.</summary>
internal static unsafe class Heap
{
    const ulong ChunkSize = 4 * 1024 * 1024;

    static byte* s_next, s_limit;
    static ulong s_allocatedBytes;

    /// <summary>Bytes handed out so far (GC.GetTotalMemory).</summary>
    public static ulong AllocatedBytes => s_allocatedBytes;

    /// <summary>Zeroed, 8-byte aligned memory for one object of <paramref name="size"/> bytes (header
    /// included); panics when memory is exhausted.</summary>
    public static byte* Allocate(ulong size)
    {
        size = (size + 7) & ~7UL;
        global::CosmosNet.Kernel.Threading.Preemption.Disable();   // not reentrant: no thread switch in the middle
        if (size > (ulong)(s_limit - s_next)) NewChunk(size);
        byte* block = s_next;
        s_next += size;
        s_allocatedBytes += size;
        global::CosmosNet.Kernel.Threading.Preemption.Enable();
        return block;
    }

    static void NewChunk(ulong minimum)
    {
        ulong size = minimum > ChunkSize ? (minimum + 4095) & ~4095UL : ChunkSize;
        byte* chunk = (byte*)PhysicalMemory.Allocate(size);
        if (chunk == null) Panic.Halt("out of memory: the heap cannot grow"u8);
        Zero(chunk, size);
        s_next = chunk;
        s_limit = chunk + size;
    }

    static void Zero(byte* p, ulong size) => Memory.Native.Memset(p, 0, (nuint)size);
}
