using System.Runtime;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The allocation helpers ILC's code and CoreLib call. Layout (x64): an object's MethodTable
/// pointer is at obj+0, an 8-byte header at obj-8, array/string length (int32) at obj+8; MethodTable:
/// u16 ComponentSize @0, u32 BaseSize @4 (header included). Memory comes from <see cref="Heap"/>.</summary>
internal static unsafe class Allocation
{
    const ulong MaxObjectBytes = 1UL << 40;

    static uint BaseSize(void* methodTable) => *(uint*)((byte*)methodTable + 4);
    static ushort ComponentSize(void* methodTable) => *(ushort*)methodTable;

    static byte* NewObject(void* methodTable)
    {
        byte* obj = Heap.Allocate(BaseSize(methodTable)) + 8;
        *(void**)obj = methodTable;
        return obj;
    }

    static byte* NewArray(void* methodTable, ulong length)
    {
        ulong bytes = BaseSize(methodTable) + length * ComponentSize(methodTable);
        if (length > int.MaxValue || bytes > MaxObjectBytes) Panic.Halt("array too large (OutOfMemoryException/OverflowException not implemented)");
        byte* obj = Heap.Allocate(bytes) + 8;
        *(void**)obj = methodTable;
        *(int*)(obj + 8) = (int)length;
        return obj;
    }

    [RuntimeExport("RhpNewFast")]
    static void* RhpNewFast(void* methodTable) => NewObject(methodTable);

    // No finalizer queue yet: finalizers never run (the bump heap never frees anything either).
    [RuntimeExport("RhpNewFinalizable")]
    static void* RhpNewFinalizable(void* methodTable) => NewObject(methodTable);

    [RuntimeExport("RhpNewArrayFast")]
    static void* RhpNewArrayFast(void* methodTable, int length)
    {
        if (length < 0) Panic.Halt("RhpNewArrayFast: negative length (OverflowException not implemented)");
        return NewArray(methodTable, (ulong)length);
    }

    [RuntimeExport("RhpNewPtrArrayFast")]
    static void* RhpNewPtrArrayFast(void* methodTable, int length) => RhpNewArrayFast(methodTable, length);

    [RuntimeExport("RhNewString")]
    static void* RhNewString(void* methodTable, nint length)
    {
        if (length < 0) Panic.Halt("RhNewString: negative length");
        return NewArray(methodTable, (ulong)length);
    }

    [RuntimeExport("RhAllocateNewObject")]
    static void RhAllocateNewObject(void* methodTable, uint flags, void** result) => *result = NewObject(methodTable);

    [RuntimeExport("RhAllocateNewArray")]
    static void RhAllocateNewArray(void* methodTable, uint length, uint flags, void** result) => *result = NewArray(methodTable, length);

    [RuntimeExport("RhpGcSafeZeroMemory")]
    static void* RhpGcSafeZeroMemory(void* memory, nuint size) => Memory.Native.Memset(memory, 0, size);

    [RuntimeExport("RhBulkMoveWithWriteBarrier")]
    static void RhBulkMoveWithWriteBarrier(void* destination, void* source, nuint size) => Memory.Native.Memmove(destination, source, size);
}
