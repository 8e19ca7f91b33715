using System.Runtime.InteropServices;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>libSystem.Native's memory calls (NativeMemory.Alloc and friends).</summary>
internal static unsafe class MemoryCalls
{
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Malloc")]
    static void* Malloc(nuint size) => NativeHeap.TryAllocate(size == 0 ? 1 : size);

    /// <summary>calloc: zeroed; null when num × size overflows.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Calloc")]
    static void* Calloc(nuint count, nuint size)
    {
        if (size != 0 && count > nuint.MaxValue / size) return null;
        nuint bytes = count * size == 0 ? 1 : count * size;
        void* memory = NativeHeap.TryAllocate(bytes);   // zeroed
        return memory;
    }

    // NativeHeap never frees (a leak, not a wrong result).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Free")]
    static void Free(void* pointer) { }

    const int ProtNone = 0, MapAnonymous = 0x10;   // PAL values (Interop.Sys.MemoryMappedProtections/Flags)

    /// <summary>Anonymous mappings only. Readable or writable ones are fresh zeroed physical pages, identity mapped
    /// (protection is not enforced). PROT_NONE ones are reservations (CoreLib's frozen-object heap reserves 4 MiB
    /// segments this way and commits 64 KiB at a time): address space in <see cref="ReservedWindow"/>, backed by
    /// RAM only page by page as MProtect commits it, so a reservation costs no memory.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MMap")]
    static void* MMap(void* address, ulong length, int protection, int flags, nint fd, long offset)
    {
        // Failure is null with errno set, as libSystem.Native's shim turns MAP_FAILED into null.
        if ((flags & MapAnonymous) == 0 || fd != -1) { MiscCalls.SetError(19); return null; } // ENODEV: no file mappings (MemoryMappedFile fails with an IOException)
        ulong bytes = (length + 4095) & ~4095UL;
        if (protection == ProtNone) return ReservedWindow.Reserve(bytes);
        void* memory = PhysicalMemory.Allocate(bytes);
        if (memory == null) { MiscCalls.SetError(12); return null; } // ENOMEM
        Native.Memset(memory, 0, (nuint)bytes);
        return memory;
    }

    // Unmapped memory is not reused yet (a leak, never a wrong result).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MUnmap")] static int MUnmap(void* address, ulong length) => 0;

    /// <summary>Protections are not enforced, except that making reserved pages accessible commits them.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MProtect")]
    static int MProtect(void* address, ulong length, int protection)
    {
        if (protection == ProtNone || !ReservedWindow.Contains(address)) return 0;
        if (ReservedWindow.Commit((ulong)address, length)) return 0;
        MiscCalls.SetError(12);   // ENOMEM
        return -1;
    }

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

/// <summary>Address space above RAM's identity map for PROT_NONE reservations: handed out in order, never reused,
/// and backed by zeroed physical pages only where committed.</summary>
internal static unsafe class ReservedWindow
{
    const ulong Base = 0x0000_6000_0000_0000, Limit = 0x0000_7000_0000_0000;   // far above any RAM or device memory
    static ulong s_next = Base;

    public static bool Contains(void* address) => (ulong)address >= Base && (ulong)address < s_next;

    public static void* Reserve(ulong bytes)
    {
        Preemption.Disable();
        void* start = (void*)s_next;
        if (bytes > Limit - s_next) start = null;
        else s_next += (bytes + 0x1F_FFFF) & ~0x1F_FFFFUL;   // 2 MiB apart: a reservation's page tables are its own
        Preemption.Enable();
        if (start == null) MiscCalls.SetError(12);   // ENOMEM
        return start;
    }

    /// <summary>Backs every page of [address, address + length) not backed yet; false when RAM ran out.</summary>
    public static bool Commit(ulong address, ulong length)
    {
        Preemption.Disable();
        bool ok = true;
        for (ulong page = address & ~4095UL; page < address + length && ok; page += 4096)
        {
            if (Arch.X64.Paging.IsPageMapped(page)) continue;
            void* memory = PhysicalMemory.Allocate(4096);
            ok = memory != null;
            if (ok) { Native.Memset(memory, 0, 4096); ok = Arch.X64.Paging.MapPage(page, (ulong)memory); }
        }
        Preemption.Enable();
        return ok;
    }
}
