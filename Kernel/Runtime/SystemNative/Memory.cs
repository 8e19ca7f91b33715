using System.Runtime.InteropServices;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>libSystem.Native's memory calls (NativeMemory.Alloc and friends).</summary>
internal static unsafe class MemoryCalls
{
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Malloc")]
    static void* Malloc(nuint size) => NativeHeap.Allocate(size == 0 ? 1 : size);

    // NativeHeap never frees (a leak, not a wrong result).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Free")]
    static void Free(void* pointer) { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MMap")] static void MMap() => Panic.NotImplemented("SystemNative_MMap");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MUnmap")] static void MUnmap() => Panic.NotImplemented("SystemNative_MUnmap");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MProtect")] static void MProtect() => Panic.NotImplemented("SystemNative_MProtect");
}
