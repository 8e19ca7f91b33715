namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>What the collector reads of ILC's object layout (x64). An object pointer points at its
/// MethodTable pointer; the 8-byte header is at obj-8 (CoreLib uses only its upper half, obj-4, for hash
/// codes and sync indexes: the lower half is ours, see the header bits below). Array/string length (u32) at
/// obj+8. MethodTable: u32 flags @0 (low 16 bits = component size when HasComponentSize), u32 base size @4
/// (header included). The GCDesc (pointer series) lies just before the MethodTable.</summary>
internal static unsafe class ObjectModel
{
    public const uint HasComponentSizeFlag = 0x80000000;
    public const uint HasPointersFlag = 0x01000000;
    public const uint HasFinalizerFlag = 0x00100000;

    /// <summary>Every heap block is at least this big: header, MethodTable pointer, length.</summary>
    public const ulong MinBlock = 24;

    // Bits in the lower (runtime-private) half of the object header.
    public const uint MarkBit = 1;            // reached in the current collection
    public const uint SuppressedBit = 2;      // GC.SuppressFinalize
    public const uint RegisteredBit = 4;      // in the finalization registry
    public const uint VerifiedBit = 8;        // reached by the verifier's trace (Verifier.cs)

    public static byte* MethodTable(byte* obj) => *(byte**)obj;
    public static uint Flags(byte* methodTable) => *(uint*)methodTable;
    public static uint BaseSize(byte* methodTable) => *(uint*)(methodTable + 4);
    public static bool HasPointers(byte* methodTable) => (Flags(methodTable) & HasPointersFlag) != 0;
    public static bool HasFinalizer(byte* methodTable) => (Flags(methodTable) & HasFinalizerFlag) != 0;
    public static uint ComponentSize(byte* methodTable)
    {
        uint flags = Flags(methodTable);
        return (flags & HasComponentSizeFlag) != 0 ? flags & 0xFFFF : 0;
    }

    /// <summary>Bytes the object occupies in the heap, header included, rounded to 8.</summary>
    public static ulong Size(byte* obj)
    {
        byte* mt = MethodTable(obj);
        ulong size = BaseSize(mt);
        uint component = ComponentSize(mt);
        if (component != 0) size += (ulong)*(uint*)(obj + 8) * component;
        return (size + 7) & ~7UL;
    }

    /// <summary>Size of an object of this type and length (length ignored for fixed-size types), or
    /// ulong.MaxValue when it could not exist.</summary>
    public static ulong SizeFor(byte* methodTable, ulong length)
    {
        ulong size = BaseSize(methodTable) + length * ComponentSize(methodTable);
        return (size + 7) & ~7UL;
    }

    public static ref uint Header(byte* obj) => ref *(uint*)(obj - 8);
    public static bool IsMarked(byte* obj) => (Header(obj) & MarkBit) != 0;

    /// <summary>Calls <paramref name="visit"/> with the address of every reference field of the object,
    /// as described by the GCDesc in front of its MethodTable (the CoreCLR/NativeAOT format: a count,
    /// then series {size, offset} growing downwards; a negative count means a repeating pattern of
    /// {pointer count, skip} items for arrays of structs).</summary>
    public static void ForEachReference(byte* obj, delegate*<void**, void> visit)
    {
        byte* mt = MethodTable(obj);
        if (!HasPointers(mt)) return;
        ulong size = Size(obj);
        long count = *(long*)(mt - 8);
        byte* highest = mt - 8 - 16;
        if (count > 0)
        {
            for (long s = 0; s < count; s++)
            {
                byte* series = highest - s * 16;
                ulong seriesSize = *(ulong*)series, offset = *(ulong*)(series + 8);
                void** p = (void**)(obj + offset);
                void** stop = (void**)((byte*)p + (seriesSize + size));
                for (; p < stop; p++) visit(p);
            }
        }
        else if (count < 0)
        {
            ulong offset = *(ulong*)(highest + 8);
            void** p = (void**)(obj + offset);
            void** stop = (void**)(obj + size - 8);
            while (p < stop)
            {
                for (long i = 0; i > count; i--)
                {
                    uint pointers = *(uint*)(highest + i * 8), skip = *(uint*)(highest + i * 8 + 4);
                    for (void** end = p + pointers; p < end; p++) visit(p);
                    p = (void**)((byte*)p + skip);
                }
            }
        }
    }
}
