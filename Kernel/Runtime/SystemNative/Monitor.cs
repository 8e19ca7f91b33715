using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>LowLevelMonitor: a mutex plus one condition variable, the primitive under CoreLib's Lock,
/// Monitor, WaitSubsystem (events, semaphores, Thread.Sleep, the thread pool's LowLevelLifoSemaphore).
/// Kernel threads block on its queues; interrupts off is the lock (one CPU).</summary>
internal static unsafe class MonitorCalls
{
    struct LowLevelMonitor
    {
        public KThread* Owner;
        public WaitQueue Entering;   // waiting to acquire
        public WaitQueue Waiting;    // in Wait/TimedWait, until signalled
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Create")]
    static void* Create() => NativeHeap.Allocate((ulong)sizeof(LowLevelMonitor));

    // NativeHeap never frees; a destroyed monitor is simply abandoned.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Destroy")] static void Destroy(void* monitor) { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Acquire")]
    static void Acquire(LowLevelMonitor* m)
    {
        ulong flags = InterruptGuard.Disable();
        Enter(m);
        InterruptGuard.Restore(flags);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Release")]
    static void Release(LowLevelMonitor* m)
    {
        ulong flags = InterruptGuard.Disable();
        Leave(m);
        InterruptGuard.Restore(flags);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Signal_Release")]
    static void SignalRelease(LowLevelMonitor* m)
    {
        ulong flags = InterruptGuard.Disable();
        Scheduler.WakeOne(&m->Waiting);
        Leave(m);
        InterruptGuard.Restore(flags);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_Wait")]
    static void Wait(LowLevelMonitor* m)
    {
        ulong flags = InterruptGuard.Disable();
        Leave(m);
        Scheduler.Block(&m->Waiting, 0);
        Enter(m);
        InterruptGuard.Restore(flags);
    }

    /// <summary>True when signalled, false when the timeout passed first.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LowLevelMonitor_TimedWait")]
    static int TimedWait(LowLevelMonitor* m, int timeoutMilliseconds)
    {
        ulong flags = InterruptGuard.Disable();
        Leave(m);
        // Ends on the millisecond grid of GetLowResolutionTimestamp (Environment.TickCount64), one step past
        // now + timeout: CoreLib's timer queue measures due times in those ticks, so a wait computed just
        // after a tick boundary would otherwise let a Task.Delay complete up to 1 ms early.
        ulong nowMs = Clock.Nanoseconds / 1_000_000;
        ulong deadline = (nowMs + (ulong)(timeoutMilliseconds < 0 ? 0 : timeoutMilliseconds) + 1) * 1_000_000;
        bool signalled = Scheduler.Block(&m->Waiting, deadline);
        Enter(m);
        InterruptGuard.Restore(flags);
        return signalled ? 1 : 0;
    }

    static void Enter(LowLevelMonitor* m)
    {
        KThread* self = Scheduler.Current;
        while (m->Owner != null) Scheduler.Block(&m->Entering, 0);
        m->Owner = self;
    }

    static void Leave(LowLevelMonitor* m)
    {
        m->Owner = null;
        Scheduler.WakeOne(&m->Entering);
    }
}
