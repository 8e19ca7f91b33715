using System.Runtime;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime;

/// <summary>GC handles. A handle is a pointer to a slot whose first word is the target object (CoreLib
/// reads targets directly through it); the slot also holds the dependent (secondary) object and the handle
/// type. Slots live in native memory, in blocks the collector (Gc/Roots.cs) scans: normal and pinned
/// handles are roots, weak ones are cleared when their target dies, dependent ones keep the secondary
/// alive while the primary lives.</summary>
internal static unsafe class Handles
{
    public enum HandleType { WeakShort = 0, WeakLong = 1, Normal = 2, Pinned = 3, Dependent = 6 }

    public struct Slot
    {
        public void* Target;
        public void* Secondary;   // dependent handles; next free slot while free
        public nint Type;         // HandleType, or -1 while free
    }

    const int SlotsPerBlock = 4096;
    static Slot* s_block;
    static int s_usedInBlock = SlotsPerBlock;
    static Slot* s_free;

    [RuntimeExport("RhpHandleAlloc")]
    static Slot* RhpHandleAlloc(void* target, int type) => New(target, null, type);

    [RuntimeExport("RhpHandleAllocDependent")]
    static Slot* RhpHandleAllocDependent(void* primary, void* secondary) => New(primary, secondary, (int)HandleType.Dependent);

    [RuntimeExport("RhHandleFree")]
    static void RhHandleFree(Slot* handle)
    {
        global::CosmosNet.Kernel.Threading.Preemption.Disable();   // the free list is shared by all threads
        if (handle->Type == (nint)HandleType.Dependent) DependentCount--;
        handle->Target = null;
        handle->Type = -1;
        handle->Secondary = s_free;
        s_free = handle;
        global::CosmosNet.Kernel.Threading.Preemption.Enable();
    }

    // Handle slots are outside the heap, so the write barriers do not see them: a strong handle set while
    // the collector marks shades its target itself (weak and dependent handles are judged at termination).
    [RuntimeExport("RhHandleSet")]
    static void RhHandleSet(Slot* handle, void* target)
    {
        handle->Target = target;
        if (Gc.Marker.Active && IsStrong(handle->Type)) Gc.Marker.Shade(target);
    }

    [RuntimeExport("RhHandleGetDependent")]
    static void* RhHandleGetDependent(Slot* handle, void** secondary)
    {
        *secondary = handle->Secondary;
        return handle->Target;
    }

    /// <summary>DependentHandle.Dependent's setter (ConditionalWeakTable, System.Net.Sockets). Shaded while marking,
    /// like a store the write barrier would see: the slot is outside the heap.</summary>
    [RuntimeExport("RhHandleSetDependentSecondary")]
    static void RhHandleSetDependentSecondary(Slot* handle, void* secondary)
    {
        handle->Secondary = secondary;
        if (Gc.Marker.Active && secondary != null) Gc.Marker.Shade(secondary);
    }

    static Slot* New(void* target, void* secondary, int type)
    {
        global::CosmosNet.Kernel.Threading.Preemption.Disable();   // the free list and block are shared by all threads
        Slot* slot = s_free;
        if (slot != null) s_free = (Slot*)slot->Secondary;
        else
        {
            if (s_usedInBlock == SlotsPerBlock)
            {
                s_block = (Slot*)NativeHeap.Allocate((ulong)(SlotsPerBlock * sizeof(Slot)));
                s_usedInBlock = 0;
                if (BlockCount == MaxBlocks) Panic.Halt("too many GC handles"u8);
                Blocks[BlockCount++] = (nint)s_block;
            }
            slot = s_block + s_usedInBlock++;
        }
        slot->Target = target;
        slot->Secondary = secondary;
        slot->Type = type;
        if (type == (int)HandleType.Dependent) DependentCount++;
        global::CosmosNet.Kernel.Threading.Preemption.Enable();
        if (Gc.Marker.Active && IsStrong(type)) Gc.Marker.Shade(target);
        return slot;
    }

    // For a collector: every block of slots (Slot*; free slots have Type == -1), Slots slots each.
    public const int MaxBlocks = 64;
    [System.Runtime.CompilerServices.InlineArray(MaxBlocks)] public struct BlockArray { nint _first; }
    public static BlockArray Blocks;
    public static int BlockCount;
    public static int Slots => SlotsPerBlock;
    /// <summary>Dependent handles allocated and not freed (the collector skips their pass when there are none).</summary>
    public static int DependentCount;

    /// <summary>Handle types whose target the collector treats as a root (unknown types too, to be safe);
    /// weak and dependent handles are not roots, free slots (-1) neither.</summary>
    public static bool IsStrong(nint type) => type >= 0 && type != (nint)HandleType.WeakShort && type != (nint)HandleType.WeakLong && type != (nint)HandleType.Dependent;
}
