using System.Runtime.InteropServices;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>libSystem.Native's memory calls (NativeMemory.Alloc and friends).</summary>
internal static unsafe class MemoryCalls
{
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Malloc")]
    static void* Malloc(nuint size) => NativeHeap.Allocate(size == 0 ? 1 : size);

    /// <summary>calloc: zeroed; null when num × size overflows.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Calloc")]
    static void* Calloc(nuint count, nuint size)
    {
        if (size != 0 && count > nuint.MaxValue / size) return null;
        nuint bytes = count * size == 0 ? 1 : count * size;
        void* memory = NativeHeap.Allocate(bytes);
        if (memory != null) Native.Memset(memory, 0, bytes);
        return memory;
    }

    // NativeHeap never frees (a leak, not a wrong result).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Free")]
    static void Free(void* pointer) { }

    /// <summary>Anonymous mappings only (CoreLib's frozen-object heap reserves its segments this way): fresh
    /// zeroed physical pages, identity mapped, always readable and writable (protection is not enforced).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MMap")]
    static void* MMap(void* address, ulong length, int protection, int flags, nint fd, long offset)
    {
        const int MapAnonymous = 0x10; // PAL value (Interop.Sys.MemoryMappedFlags.MAP_ANONYMOUS)
        if ((flags & MapAnonymous) == 0 || fd != -1) { MiscCalls.SetError(19); return (void*)-1; } // ENODEV: no file mappings (MemoryMappedFile fails with an IOException)
        ulong bytes = (length + 4095) & ~4095UL;
        void* memory = PhysicalMemory.Allocate(bytes);
        if (memory == null) { MiscCalls.SetError(12); return (void*)-1; } // ENOMEM, MAP_FAILED
        Native.Memset(memory, 0, (nuint)bytes);
        return memory;
    }

    // Unmapped memory is not reused yet (a leak, never a wrong result); protections are not enforced.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MUnmap")] static int MUnmap(void* address, ulong length) => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MProtect")] static int MProtect(void* address, ulong length, int protection) => 0;

    // madvise/msync over what MMap made (anonymous RAM): advice is a hint, and there is no file to write back.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MAdvise")] static int MAdvise(void* address, ulong length, int advice) => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MSync")] static int MSync(void* address, ulong length, int flags) => 0;

    // Shared memory objects: none (no memfd, no /dev/shm), as on a Linux kernel built without them; MemoryMappedFile
    // without a file then fails with an IOException.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_IsMemfdSupported")] static int IsMemfdSupported() => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MemfdCreate")] static nint MemfdCreate(byte* name, int isReadOnly) { MiscCalls.SetError(38); return -1; } // ENOSYS
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ShmOpen")] static nint ShmOpen(byte* name, int flags, int mode) { MiscCalls.SetError(38); return -1; } // ENOSYS
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ShmUnlink")] static int ShmUnlink(byte* name) { MiscCalls.SetError(2); return -1; } // ENOENT
}
