using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>Tri-colour marking, in bounded pieces. White = mark bit clear; grey = mark bit set and the
/// object on the mark stack (its fields not yet scanned); black = mark bit set, fields scanned. Objects
/// without reference fields go straight to black. Arrays bigger than <see cref="ChunkBytes"/> are scanned a
/// chunk at a time (a continuation entry on the mark stack), so no single object makes a step long.
///
/// The write barriers (Kernel/Asm/gc.asm) append the references the mutator stores while marking runs to
/// the barrier buffer; <see cref="ShadeBarrierBuffer"/> turns them grey. All of this runs with interrupts
/// disabled (Collector's pauses, or the barrier's own cli), so on one CPU nothing interleaves with it.</summary>
internal static unsafe class Marker
{
    public const ulong MarkStackEntries = 64 * 1024;  // 512 KiB; overflow falls back to a heap rescan
    public const ulong ChunkBytes = 2 * 1024;

    /// <summary>Shared with gc.asm (same layout): the barrier's on/off switch and its buffer.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct BarrierState
    {
        public ulong Marking;               // low byte read by the barriers
        public byte** Top, End, Start;
        public GcHeap.Kind* Kinds;
        public ulong UnitCount;
    }

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_gc_barrier_state")]
    static extern BarrierState* BarrierStateAddress();

    static BarrierState* s_barrier;
    static byte** s_stack;
    static ulong s_top;

    /// <summary>The mark stack's memory, for the verifier's trace (run when the stack is empty).</summary>
    public static byte** StackMemory => s_stack;
    static bool s_overflow;

    /// <summary>Times the mark stack overflowed (each costs a walk of the heap).</summary>
    public static ulong Overflows;

    /// <summary>Bytes and objects marked in the current cycle (objects allocated black included).</summary>
    public static ulong MarkedBytes, MarkedObjects;

    public static void Initialize()
    {
        s_stack = (byte**)NativeHeap.Allocate(MarkStackEntries * 8);
        s_barrier = BarrierStateAddress();
        s_barrier->Kinds = GcHeap.KindTable;
        s_barrier->UnitCount = GcHeap.UnitCount;
    }

    /// <summary>True from the start of a cycle's marking to its termination: barriers record, and new
    /// objects are allocated black.</summary>
    public static bool Active;                 // mirrors the barrier's switch, for C# callers and the allocator

    public static void Begin()
    {
        MarkedBytes = 0;
        MarkedObjects = 0;
        s_barrier->Top = s_barrier->Start;
        s_barrier->Marking = 1;
        Active = true;
    }

    public static void End()
    {
        s_barrier->Marking = 0;
        s_barrier->Top = s_barrier->Start;
        Active = false;
    }

    /// <summary>Nothing grey is left (roots aside): the stack and the barrier buffer are empty.</summary>
    public static bool Idle => s_top == 0 && !s_overflow && s_barrier->Top == s_barrier->Start;

    // ---- colouring --------------------------------------------------------------------------------------

    /// <summary>A reference from a precise source (a heap field, a handle, a static root): null, an object
    /// outside the heap (frozen, in the image) or the start of a heap object.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MarkPrecise(byte* obj)
    {
        if (GcHeap.InHeap(obj)) MarkObject(obj);
    }

    /// <summary>White → grey (or black when it has no reference fields).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MarkObject(byte* obj)
    {
        ref uint header = ref ObjectModel.Header(obj);
        if ((header & ObjectModel.MarkBit) != 0) return;
        header |= ObjectModel.MarkBit;
        MarkedBytes += ObjectModel.Size(obj);
        MarkedObjects++;
        if (!ObjectModel.HasPointers(ObjectModel.MethodTable(obj))) return;
        if (s_top == MarkStackEntries) { s_overflow = true; return; }
        s_stack[s_top++] = obj;
    }

    /// <summary>An object allocated while marking runs: black from birth (its fields are all null; what is
    /// stored in them later goes through the barrier).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AllocatedBlack(byte* obj, ulong size)
    {
        ObjectModel.Header(obj) |= ObjectModel.MarkBit;
        MarkedBytes += size;
        MarkedObjects++;
    }

    public static bool IsLive(byte* obj) => !GcHeap.InHeap(obj) || ObjectModel.IsMarked(obj);

    /// <summary>Every aligned word in [start, end) that points into a heap object keeps it alive.</summary>
    public static void ScanConservatively(byte* start, byte* end)
    {
        for (byte** p = (byte**)(((ulong)start + 7) & ~7UL); (byte*)(p + 1) <= end; p++)
        {
            byte* obj = GcHeap.FindObject(*p);
            if (obj != null) MarkObject(obj);
        }
    }

    /// <summary>The barrier buffer's entries become grey. Returns how many there were.</summary>
    public static ulong ShadeBarrierBuffer()
    {
        byte** start = s_barrier->Start, top = s_barrier->Top;
        for (byte** p = start; p < top; p++) MarkPrecise(*p);
        s_barrier->Top = start;
        return (ulong)(top - start);
    }

    /// <summary>The barrier found its buffer full (gc.asm, every register saved).</summary>
    [RuntimeExport("CosmosGcBarrierBufferFull")]
    static void BarrierBufferFull()
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        if (Active) ShadeBarrierBuffer();
        else s_barrier->Top = s_barrier->Start;
        Collector.RestoreFlags(flags);
    }

    /// <summary>Shades every word of [start, start + bytes) that is the start of a heap object: after a
    /// bulk copy of memory that holds references (RhBulkMoveWithWriteBarrier), where the words that are
    /// references are not known; a word that only looks like one keeps garbage alive one cycle.</summary>
    public static void ShadeRange(void* start, nuint bytes)
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        if (Active)
        {
            byte** end = (byte**)((byte*)start + bytes);
            for (byte** p = (byte**)(((ulong)start + 7) & ~7UL); p < end; p++)
                if (GcHeap.IsStart(*p) && ObjectModel.MethodTable(*p) != GcHeap.FreeType) MarkObject(*p);
        }
        Collector.RestoreFlags(flags);
    }

    /// <summary>One reference stored outside the heap's barriers (a GC handle): shade it while marking runs.</summary>
    public static void Shade(void* obj)
    {
        if (obj == null) return;
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        if (Active) MarkPrecise((byte*)obj);
        Collector.RestoreFlags(flags);
    }

    // ---- scanning ---------------------------------------------------------------------------------------

    /// <summary>Scans grey objects until the stack is empty or about <paramref name="budget"/> bytes were
    /// scanned (checking the clock every few objects against <paramref name="deadline"/>, a TSC value; 0 =
    /// none). Returns the bytes scanned.</summary>
    public static long Drain(long budget, ulong deadline)
    {
        long work = 0;
        int sinceClock = 0;
        while (true)
        {
            while (s_top > 0)
            {
                byte* entry = s_stack[--s_top];
                ulong markedBefore = MarkedObjects;
                if (((ulong)entry & 1) != 0) work += ScanChunk(s_stack[--s_top], (ulong)entry >> 1);
                else work += ScanChunk(entry, 0);
                // Marking a white object costs about as much as scanning 64 bytes of fields.
                work += 16 + 64 * (long)(MarkedObjects - markedBefore);
                if (work >= budget) return work;
                if (deadline != 0 && ++sinceClock == 8)
                {
                    sinceClock = 0;
                    if (X64Timestamp() >= deadline) return work;
                }
            }
            if (!s_overflow) return work;
            Overflows++;
            // The stack overflowed: marked objects whose fields were dropped are found again by walking
            // the heap (slow, and all in one piece; the stack is large enough that this is rare).
            s_overflow = false;
            Allocator.RetireContext();                          // makes the whole heap walkable
            GcHeap.ForEachObject(&RescanIfMarked);
            work += (long)GcHeap.OwnedBytes;
        }
    }

    /// <summary>Everything reachable from the grey objects, however long it takes.</summary>
    public static void DrainAll()
    {
        do { ShadeBarrierBuffer(); Drain(long.MaxValue, 0); } while (!Idle);
    }

    static ulong X64Timestamp() => Arch.X64.Cpu.ReadTimestampCounter();

    static void RescanIfMarked(byte* obj)
    {
        if (ObjectModel.IsMarked(obj)) ScanChunk(obj, 0, whole: true);
    }

    /// <summary>Marks the reference fields of <paramref name="obj"/> that lie in [from, from + ChunkBytes)
    /// (everything when <paramref name="whole"/>); pushes a continuation for the rest. Returns the bytes
    /// covered. The GCDesc in front of the MethodTable (CoreCLR/NativeAOT format) is either a count of
    /// series {size, offset} growing downwards, or, negative, a repeating pattern of {pointer count, skip}
    /// items describing one element of an array of structs.</summary>
    static long ScanChunk(byte* obj, ulong from, bool whole = false)
    {
        byte* mt = ObjectModel.MethodTable(obj);
        ulong size = ObjectModel.Size(obj);
        ulong to = whole || size - from <= ChunkBytes ? size : from + ChunkBytes;
        if (to < size)
        {
            if (s_top + 2 <= MarkStackEntries)
            {
                s_stack[s_top++] = obj;
                s_stack[s_top++] = (byte*)((to << 1) | 1);
            }
            else s_overflow = true;   // obj stays marked: the heap rescan scans all of it
        }
        byte* lo = obj + from, hi = obj + to;
        long count = *(long*)(mt - 8);
        byte* highest = mt - 8 - 16;
        if (count > 0)
        {
            for (long s = 0; s < count; s++, highest -= 16)
            {
                byte** p = (byte**)(obj + *(ulong*)(highest + 8));
                byte** stop = (byte**)((byte*)p + (*(ulong*)highest + size));
                if ((byte*)p < lo) p = (byte**)lo;
                if ((byte*)stop > hi) stop = (byte**)hi;
                for (; p < stop; p++)
                {
                    byte* target = *p;
                    if (GcHeap.InHeap(target)) MarkObject(target);
                }
            }
        }
        else if (count < 0)
        {
            byte* first = obj + *(ulong*)(highest + 8);
            byte* p = first;
            ulong element = ObjectModel.ComponentSize(mt);
            if (lo > first && element != 0) p = first + (ulong)(lo - first) / element * element;
            byte* stop = obj + size - 8;
            while (p < stop && p < hi)
            {
                for (long i = 0; i > count; i--)
                {
                    uint pointers = *(uint*)(highest + i * 8), skip = *(uint*)(highest + i * 8 + 4);
                    for (byte** end = (byte**)p + pointers; (byte**)p < end; p += 8)
                    {
                        byte* target = *(byte**)p;
                        if (GcHeap.InHeap(target)) MarkObject(target);
                    }
                    p += skip;
                }
            }
        }
        return (long)(to - from);
    }
}
