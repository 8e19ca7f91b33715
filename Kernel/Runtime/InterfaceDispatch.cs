using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Interface dispatch cells and their caches. A cell is { u64 stub; u64 cache } (ILCompiler 10.0.12,
/// rhbinder.h); every cell's stub is RhpInitialDynamicInterfaceDispatch. A call through a cell first scans the
/// cell's cache block (Kernel/Asm/runtime.asm, a few instructions); on a miss it hands the call to CoreLib's
/// RhpResolveInterfaceMethod, which calls back here: RhpSearchDispatchCellCache, RhpGetDispatchCellInfo and, with
/// the target it resolved, RhpUpdateDispatchCellCache, which records (this's MethodTable → target) in the cell.
/// <para>A resolution depends only on the cell (interface and slot, or vtable offset) and the exact MethodTable of
/// `this`, so a cached target is right for every later call with that pair — generic variance and default interface
/// methods included, since CoreLib resolved those. Only IDynamicInterfaceCastable types are never cached: their
/// answer may differ per object.</para>
/// <para>The first cached target replaces the cell's cache word by a pointer to a <see cref="CacheBlock"/>, which keeps
/// the decoded cell and the entries. Readers never lock: a block is only appended to in place (target first, then the
/// MethodTable that makes the entry visible) or replaced whole by a bigger copy with one 8-byte store; blocks are never
/// freed, since a preempted thread may still be scanning an old one.</para></summary>
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

    /// <summary>A cell's cache: the cell decoded, then Capacity entries; the first entry whose MethodTable is null ends
    /// the scan. The stub reads the entries at offset 48 (CACHE_ENTRIES in runtime.asm): keep the layout.</summary>
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 48)]
    struct CacheBlock
    {
        public CellInfo Info;
        public long Capacity;
        // Entry Entries[Capacity] follows, 16-byte aligned.
    }

    struct Entry { public nint MethodTable; public nint Target; }

    /// <summary>Entries per block at most, the null one that ends the scan included: a call site that sees more types
    /// than fit resolves the others every time.</summary>
    const int MaxCapacity = 32;
    const int FirstCapacity = 2;
    const ulong InterruptFlag = 1 << 9;
    const uint HasComponentSizeFlag = 0x80000000, IDynamicInterfaceCastableFlag = 0x0008; // MethodTable flags (EETypeFlagsEx)

    /// <summary>Cache words below this are vtable offsets (rhbinder.h), not block pointers.</summary>
    const nint MinBlockAddress = 0x1000;

    static bool IsBlock(nint cache) => (cache & 3) == 0 && cache >= MinBlockAddress;

    static Entry* Entries(CacheBlock* block) => (Entry*)(block + 1);

    /// <summary>Cache blocks made (for tests and diagnostics).</summary>
    public static int BlocksAllocated { get; private set; }

    [RuntimeExport("RhpSearchDispatchCellCache")]
    static nint RhpSearchDispatchCellCache(Cell* cell, void* methodTable)
    {
        nint cache = Volatile.Read(ref cell->Cache);
        if (!IsBlock(cache)) return 0;
        for (Entry* e = Entries((CacheBlock*)cache); e->MethodTable != 0; e++)
            if (e->MethodTable == (nint)methodTable) return e->Target;
        return 0;
    }

    [RuntimeExport("RhpUpdateDispatchCellCache")]
    static nint RhpUpdateDispatchCellCache(Cell* cell, nint target, void* methodTable, CellInfo* info)
    {
        uint flags = *(uint*)methodTable;
        if ((flags & HasComponentSizeFlag) == 0 && (flags & IDynamicInterfaceCastableFlag) != 0) return target;

        // One CPU: with interrupts off nothing else runs, so the block and the cell change as one step. Called with
        // interrupts already off (an interrupt handler, the scheduler) the interrupted code may be inside the native
        // heap: such calls resolve without caching.
        ulong rflags = Arch.X64.InterruptGuard.Disable();
        if ((rflags & InterruptFlag) != 0) Record(cell, target, methodTable, info);
        Arch.X64.InterruptGuard.Restore(rflags);
        return target;
    }

    static void Record(Cell* cell, nint target, void* methodTable, CellInfo* info)
    {
        nint cache = cell->Cache;
        CacheBlock* block = IsBlock(cache) ? (CacheBlock*)cache : null;
        int count = 0, capacity = 0;
        if (block != null)
        {
            capacity = (int)block->Capacity;
            for (Entry* e = Entries(block); count < capacity && e->MethodTable != 0; e++, count++)
                if (e->MethodTable == (nint)methodTable) return;
        }
        if (count < capacity - 1)   // room in place (the last entry stays null: it ends the scan)
        {
            Entry* free = Entries(block) + count;
            free->Target = target;
            Volatile.Write(ref free->MethodTable, (nint)methodTable);   // visible only once the target is there
            return;
        }
        int newCapacity = block == null ? FirstCapacity : capacity * 2;
        if (newCapacity > MaxCapacity) return;
        var grown = (CacheBlock*)Memory.NativeHeap.Allocate((ulong)(sizeof(CacheBlock) + newCapacity * sizeof(Entry)));   // zeroed
        BlocksAllocated++;
        grown->Info = block != null ? block->Info : *info;
        grown->Info.HasCache = 1;
        grown->Capacity = newCapacity;
        for (int i = 0; i < count; i++) Entries(grown)[i] = Entries(block)[i];
        Entries(grown)[count] = new Entry { MethodTable = (nint)methodTable, Target = target };
        Volatile.Write(ref cell->Cache, (nint)grown);
    }

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
        if (IsBlock(cache))
        {
            *info = ((CacheBlock*)cache)->Info;
            return;
        }
        if ((cache & 3) == 0)
        {
            info->CellType = (int)CellType.VTableOffset;
            info->VTableOffset = (uint)cache;
            return;
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
