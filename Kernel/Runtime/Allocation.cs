using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Runtime.Gc;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The allocation helpers ILC's code and CoreLib call. Layout (x64): an object's MethodTable
/// pointer is at obj+0, an 8-byte header at obj-8, array/string length (int32) at obj+8. Memory comes
/// from the garbage-collected heap (<see cref="Allocator"/>); when it is exhausted, or a length is
/// negative or absurd, CoreLib's RhExceptionHandling_FailedAllocation throws OutOfMemoryException /
/// OverflowException through the runtime's exception path.</summary>
internal static unsafe class Allocation
{
    // Objects stay below 2 GiB (free-block lengths are 32-bit; CoreLib's own array limit is lower).
    const ulong MaxObjectBytes = 0x7FFF_FFC0;

    // CoreLib's managed helper (System.Runtime.EH.FailedAllocation): throws, never returns.
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhExceptionHandling_FailedAllocation")]
    static extern void FailedAllocation(void* methodTable, bool isOverflow);

    static byte* NewObject(void* methodTable)
    {
        byte* mt = (byte*)methodTable;
        byte* obj = Allocator.Allocate(mt, ObjectModel.SizeFor(mt, 0), 0);
        if (obj == null) FailedAllocation(methodTable, false);
        return obj;
    }

    static byte* NewArray(void* methodTable, long length)
    {
        byte* mt = (byte*)methodTable;
        if (length < 0 || length > int.MaxValue) { FailedAllocation(methodTable, true); return null; }
        ulong size = ObjectModel.SizeFor(mt, (ulong)length);
        if (size > MaxObjectBytes) { FailedAllocation(methodTable, false); return null; }
        byte* obj = Allocator.Allocate(mt, size, (uint)length);
        if (obj == null) FailedAllocation(methodTable, false);
        return obj;
    }

    [RuntimeExport("RhpNewFast")]
    static void* RhpNewFast(void* methodTable) => NewObject(methodTable);

    [RuntimeExport("RhpNewFinalizable")]
    static void* RhpNewFinalizable(void* methodTable) => NewObject(methodTable);

    [RuntimeExport("RhpNewArrayFast")]
    static void* RhpNewArrayFast(void* methodTable, int length) => NewArray(methodTable, length);

    [RuntimeExport("RhpNewPtrArrayFast")]
    static void* RhpNewPtrArrayFast(void* methodTable, int length) => NewArray(methodTable, length);

    [RuntimeExport("RhNewString")]
    static void* RhNewString(void* methodTable, nint length) => NewArray(methodTable, length);

    // flags: GC_ALLOC_PINNED_OBJECT_HEAP and friends; nothing moves here, so every object is pinned.
    [RuntimeExport("RhAllocateNewObject")]
    static void RhAllocateNewObject(void* methodTable, uint flags, void** result) => *result = NewObject(methodTable);

    [RuntimeExport("RhAllocateNewArray")]
    static void RhAllocateNewArray(void* methodTable, uint length, uint flags, void** result) => *result = NewArray(methodTable, length);

    [RuntimeExport("RhpGcSafeZeroMemory")]
    static void* RhpGcSafeZeroMemory(void* memory, nuint size) => Memory.Native.Memset(memory, 0, size);

    // The bulk form of the write barrier (Array.Copy, List growth, span copies of references).
    [RuntimeExport("RhBulkMoveWithWriteBarrier")]
    static void RhBulkMoveWithWriteBarrier(void* destination, void* source, nuint size)
    {
        Memory.Native.Memmove(destination, source, size);
        if (Marker.Active) Marker.ShadeRange(destination, size);
    }
}
