using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Interface dispatch cells. The asm stub RhpInitialDynamicInterfaceDispatch hands each call to
/// CoreLib's RhpResolveInterfaceMethod, which calls back here. There is no cache yet: every interface call
/// is resolved (correct, slower). Cell = { u64 stub; u64 cache } (ILCompiler 10.0.12, rhbinder.h).</summary>
internal static unsafe class InterfaceDispatch
{
    struct Cell { public nint Stub; public nint Cache; }

    enum CellType { InterfaceAndSlot = 0, MetadataToken = 1, VTableOffset = 2 }

    struct CellInfo // DispatchCellInfo, 32 bytes
    {
        public int CellType;
        public void* InterfaceType;
        public ushort InterfaceSlot;
        public byte HasCache;
        public uint MetadataToken;
        public uint VTableOffset;
    }

    [RuntimeExport("RhpSearchDispatchCellCache")]
    static nint RhpSearchDispatchCellCache(Cell* cell, void* methodTable) => 0;

    [RuntimeExport("RhpUpdateDispatchCellCache")]
    static nint RhpUpdateDispatchCellCache(Cell* cell, nint target, void* methodTable, CellInfo* info) => target;

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_initial_dispatch_stub")]
    static extern nint InitialDispatchStub();

    /// <summary>A dispatch cell made at run time: the type loader asks for one when it builds a generic
    /// dictionary (a generic virtual method's shared code calls an interface method of its type argument).
    /// Same shape as ILC's cells: the cell, then a terminator whose cache word is (CellType << 16) | slot;
    /// the cell's cache is the interface MethodTable with the "absolute pointer" tag. Never freed (dictionaries
    /// live as long as the program), 16-byte aligned like every NativeHeap block.</summary>
    [RuntimeExport("RhNewInterfaceDispatchCell")]
    static Cell* RhNewInterfaceDispatchCell(void* interfaceType, int slot)
    {
        var cells = (Cell*)Memory.NativeHeap.Allocate((ulong)(2 * sizeof(Cell)));
        cells[0].Stub = InitialDispatchStub();
        cells[0].Cache = (nint)interfaceType | 1;
        cells[1].Stub = 0;
        cells[1].Cache = (nint)((int)CellType.InterfaceAndSlot << 16 | (ushort)slot);
        return cells;
    }

    [RuntimeExport("RhpGetDispatchCellInfo")]
    static void RhpGetDispatchCellInfo(Cell* cell, CellInfo* info)
    {
        *info = default;
        nint cache = cell->Cache;
        if ((cache & 3) == 0)
        {
            if ((ulong)cache < 0x1000)
            {
                info->CellType = (int)CellType.VTableOffset;
                info->VTableOffset = (uint)cache;
                return;
            }
            Panic.Halt("RhpGetDispatchCellInfo: cells with a cache are not implemented");
        }

        // The cell group ends with a terminator (stub == 0) whose cache word holds type and slot.
        Cell* terminator = cell;
        while (terminator->Stub != 0) terminator++;
        ulong packed = (ulong)terminator->Cache;
        info->CellType = (int)(packed >> 16);
        info->InterfaceSlot = (ushort)packed;
        if (info->CellType != (int)CellType.InterfaceAndSlot)
            Panic.Halt("RhpGetDispatchCellInfo: metadata-token cells are not implemented");

        byte* cacheField = (byte*)&cell->Cache;
        switch (cache & 3)
        {
            case 1: // absolute pointer to the interface MethodTable
                info->InterfaceType = (void*)(cache & ~3);
                break;
            case 3: // relative pointer
                info->InterfaceType = (void*)((nint)(cacheField + (int)cache) & ~3);
                break;
            default: // 2: relative pointer to an indirection cell
                info->InterfaceType = *(void**)((nint)(cacheField + (int)cache) & ~3);
                break;
        }
    }
}
