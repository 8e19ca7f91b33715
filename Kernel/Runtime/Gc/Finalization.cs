using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>Finalizers. Objects of types with a finalizer are registered when allocated. A collection
/// moves the registered objects it found unreachable (and not suppressed) to the queue and keeps them —
/// and everything they reference — alive until their finalizer ran; the collector itself never runs
/// managed code. The queue is drained by CoreLib's own loop (__Finalizer.DrainQueue, which calls each
/// finalizer) on the thread that asks, at safe points of its choosing: when GC.Collect returns and in
/// GC.WaitForPendingFinalizers (a dedicated finalizer thread running CoreLib's ProcessFinalizers would be
/// the next step; it needs RhpWaitForFinalizerRequest to block on a wait queue). Collections triggered by an allocation never run finalizers there (the
/// allocating code may hold locks a finalizer needs).</summary>
internal static unsafe class Finalization
{
    static byte** s_registered;
    static ulong s_registeredCount, s_registeredCapacity;
    static byte** s_queue;
    static ulong s_queueHead, s_queueTail, s_queueCapacity;
    static bool s_draining;
    static ulong s_finalizedCount;

    public static ulong PendingCount => s_queueTail - s_queueHead;
    public static ulong FinalizedCount => s_finalizedCount;

    public static void Register(byte* obj)
    {
        if (s_registeredCount == s_registeredCapacity) Grow(ref s_registered, ref s_registeredCapacity, s_registeredCount);
        s_registered[s_registeredCount++] = obj;
        ObjectModel.Header(obj) |= ObjectModel.RegisteredBit;
    }

    static void Grow(ref byte** array, ref ulong capacity, ulong count)
    {
        ulong newCapacity = capacity == 0 ? 1024 : capacity * 2;
        byte** grown = (byte**)NativeHeap.Allocate(newCapacity * 8);   // the old array is not reused: a bounded leak
        if (count != 0) Memory.Native.Memmove(grown, array, (nuint)(count * 8));
        array = grown;
        capacity = newCapacity;
    }

    [RuntimeExport("RhSuppressFinalize")]
    static void RhSuppressFinalize(byte* obj)
    {
        if (GcHeap.InHeap(obj)) ObjectModel.Header(obj) |= ObjectModel.SuppressedBit;
    }

    [RuntimeExport("RhReRegisterForFinalize")]
    static bool RhReRegisterForFinalize(byte* obj)
    {
        if (!GcHeap.InHeap(obj)) return true;
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        ObjectModel.Header(obj) &= ~ObjectModel.SuppressedBit;
        if ((ObjectModel.Header(obj) & ObjectModel.RegisteredBit) == 0) Register(obj);
        Collector.RestoreFlags(flags);
        return true;
    }

    /// <summary>Collector, before weak-long handles are cleared: every registered object left unmarked is
    /// taken out of the registry; unless suppressed it is queued and marked (with all it references).</summary>
    public static void QueueUnreachable()
    {
        ulong kept = 0, queuedFrom = s_queueTail;
        for (ulong i = 0; i < s_registeredCount; i++)
        {
            byte* obj = s_registered[i];
            if (ObjectModel.IsMarked(obj)) { s_registered[kept++] = obj; continue; }
            uint header = ObjectModel.Header(obj);
            ObjectModel.Header(obj) = header & ~(ObjectModel.RegisteredBit | ObjectModel.SuppressedBit);
            if ((header & ObjectModel.SuppressedBit) == 0) Enqueue(obj);
        }
        s_registeredCount = kept;
        for (ulong i = queuedFrom; i < s_queueTail; i++) Collector.MarkObject(s_queue[i]);
    }

    static void Enqueue(byte* obj)
    {
        if (s_queueTail == s_queueCapacity)
        {
            if (s_queueHead != 0)
            {
                Memory.Native.Memmove(s_queue, s_queue + s_queueHead, (nuint)((s_queueTail - s_queueHead) * 8));
                s_queueTail -= s_queueHead;
                s_queueHead = 0;
            }
            if (s_queueTail == s_queueCapacity) Grow(ref s_queue, ref s_queueCapacity, s_queueTail);
        }
        s_queue[s_queueTail++] = obj;
    }

    /// <summary>Collector: objects waiting for their finalizer are roots.</summary>
    public static void MarkQueued()
    {
        for (ulong i = s_queueHead; i < s_queueTail; i++) Collector.MarkObject(s_queue[i]);
    }

    [RuntimeExport("RhpGetNextFinalizableObject")]
    static byte* RhpGetNextFinalizableObject()
    {
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        byte* obj = null;
        if (s_queueHead < s_queueTail)
        {
            obj = s_queue[s_queueHead];
            s_queue[s_queueHead++] = null;
            if (s_queueHead == s_queueTail) s_queueHead = s_queueTail = 0;
            s_finalizedCount++;
        }
        Collector.RestoreFlags(flags);
        return obj;
    }

    // CoreLib's drain loop (NoInlining in CoreLib, so it has a symbol): dequeues through
    // RhpGetNextFinalizableObject and calls each finalizer; an exception a finalizer throws goes to
    // CoreLib's unhandled-exception handling.
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("S_P_CoreLib_System_Runtime___Finalizer__DrainQueue")]
    static extern uint DrainQueue();

    /// <summary>Runs every queued finalizer on the calling thread (not re-entrantly: a finalizer that
    /// triggers this again finds it already running).</summary>
    public static void RunPending()
    {
        if (s_draining || PendingCount == 0) return;
        s_draining = true;
        DrainQueue();
        s_draining = false;
    }

    [RuntimeExport("RhWaitForPendingFinalizers")]
    static void RhWaitForPendingFinalizers(int allowReentrantWait) => RunPending();

    // Only a finalizer thread running CoreLib's ProcessFinalizers loop waits here; the kernel starts none
    // (finalizers run at the safe points above), so reaching this is a wiring mistake.
    [RuntimeExport("RhpWaitForFinalizerRequest")]
    static int RhpWaitForFinalizerRequest()
    {
        Panic.Halt("RhpWaitForFinalizerRequest: the kernel runs no finalizer thread (finalizers run in GC.Collect / GC.WaitForPendingFinalizers)"u8);
        return 0;
    }

    [RuntimeExport("RhpSignalFinalizationComplete")]
    static void RhpSignalFinalizationComplete(uint count, int observedFullGcCount) { }
}
