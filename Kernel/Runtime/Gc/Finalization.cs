using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>Finalizers. Objects of types with a finalizer are registered when allocated. A collection
/// moves the registered objects it found unreachable (and not suppressed) to the queue and keeps them —
/// and everything they reference — alive until their finalizer ran; the collector itself never runs
/// managed code. The queue is drained by CoreLib's finalizer thread, as on NativeAOT: a kernel thread
/// started at boot (<see cref="StartThread"/>) runs CoreLib's ProcessFinalizers, which loops on
/// RhpWaitForFinalizerRequest (blocks until a collection queued objects or someone waits for them),
/// drains through RhpGetNextFinalizableObject and reports with RhpSignalFinalizationComplete, which is what
/// GC.WaitForPendingFinalizers waits for. So finalizers also run when the program never calls GC.Collect,
/// and never inside the allocating code (which may hold locks a finalizer needs). Before that thread
/// exists, GC.Collect and GC.WaitForPendingFinalizers drain inline.</summary>
internal static unsafe class Finalization
{
    static byte** s_registered;
    static ulong s_registeredCount, s_registeredCapacity;
    static byte** s_queue;
    static ulong s_queueHead, s_queueTail, s_queueCapacity;
    static bool s_draining;
    static ulong s_finalizedCount;

    // The finalizer thread and its two signals (touched with interrupts disabled: one CPU). A waiter of
    // GC.WaitForPendingFinalizers takes a ticket; a drain that starts after the ticket was taken satisfies it.
    static KThread* s_thread;
    static WaitQueue s_requests, s_completions;
    static bool s_requested;
    static ulong s_ticketsIssued, s_ticketsInDrain, s_ticketsDone;

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
        for (ulong i = queuedFrom; i < s_queueTail; i++) Marker.MarkObject(s_queue[i]);
        if (s_queueTail != queuedFrom) RequestDrain();
    }

    /// <summary>Wakes the finalizer thread (interrupts disabled).</summary>
    static void RequestDrain()
    {
        s_requested = true;
        fixed (WaitQueue* requests = &s_requests) Scheduler.WakeOne(requests);
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
    public static void VisitQueued(delegate*<byte*, void> visit)
    {
        for (ulong i = s_queueHead; i < s_queueTail; i++) if (s_queue[i] != null) visit(s_queue[i]);
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
    /// triggers this again finds it already running). Only while there is no finalizer thread.</summary>
    public static void RunPending()
    {
        if (s_thread != null || s_draining || PendingCount == 0) return;
        s_draining = true;
        DrainQueue();
        s_draining = false;
    }

    // CoreLib's finalizer thread body: [UnmanagedCallersOnly(EntryPoint = "ProcessFinalizers")], never returns.
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("ProcessFinalizers")]
    static extern void ProcessFinalizers();

    /// <summary>Kernel start-up, once the scheduler runs and objects exist: starts the finalizer thread
    /// (an ordinary kernel thread, so the collector scans its stack like any other).</summary>
    public static void StartThread()
    {
        KThread* t = Scheduler.Create((nint)(delegate*<void>)&ProcessFinalizers, 0);
        if (t == null) Panic.Halt("out of memory: finalizer thread"u8);
        t->SetName("finalizer"u8);
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        s_thread = t;
        if (PendingCount != 0) s_requested = true;   // queued by a collection before the thread existed
        Collector.RestoreFlags(flags);
    }

    /// <summary>GC.WaitForPendingFinalizers: returns once every finalizer queued before the call has run.
    /// On the finalizer thread itself (a finalizer calling it) it returns at once, as on NativeAOT.</summary>
    [RuntimeExport("RhWaitForPendingFinalizers")]
    static void RhWaitForPendingFinalizers(int allowReentrantWait)
    {
        if (s_thread == null) { RunPending(); return; }
        if (Scheduler.Current == s_thread) return;
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        ulong ticket = ++s_ticketsIssued;
        RequestDrain();
        fixed (WaitQueue* completions = &s_completions)
            while (s_ticketsDone < ticket) Scheduler.Block(completions, 0);
        Collector.RestoreFlags(flags);
    }

    /// <summary>The finalizer thread, between drains: releases the waiters the last drain satisfied, then
    /// blocks until there is something to finalize or a new waiter. 1 = drain (0 would ask for a low-memory
    /// collection, which this kernel never does).</summary>
    [RuntimeExport("RhpWaitForFinalizerRequest")]
    static int RhpWaitForFinalizerRequest()
    {
        // The collector scans a blocked thread's stack conservatively: zero what the finalizers just ran on,
        // so that no stale word keeps their objects alive. Waiters are released only after that (with
        // interrupts disabled until this thread blocks), so whatever they measure next sees a clean stack.
        ScrubStackBelow();
        ulong flags = Collector.SaveFlagsAndDisableInterrupts();
        if (s_ticketsDone != s_ticketsInDrain)
        {
            s_ticketsDone = s_ticketsInDrain;
            fixed (WaitQueue* completions = &s_completions)
                while (Scheduler.WakeOne(completions)) { }
        }
        fixed (WaitQueue* requests = &s_requests)
            while (!s_requested && PendingCount == 0) Scheduler.Block(requests, 0);
        s_requested = false;
        s_ticketsInDrain = s_ticketsIssued;
        Collector.RestoreFlags(flags);
        return 1;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ScrubStackBelow()
    {
        const int Bytes = 16 * 1024;
        byte* below = stackalloc byte[Bytes];
        Memory.Native.Memset(below, 0, Bytes);
    }

    /// <summary>The finalizer thread finished a drain; its next RhpWaitForFinalizerRequest releases the
    /// waiters the drain covers.</summary>
    [RuntimeExport("RhpSignalFinalizationComplete")]
    static void RhpSignalFinalizationComplete(uint count, int observedFullGcCount) { }
}
