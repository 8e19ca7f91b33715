using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Hal;

/// <summary>
/// An auto-reset event one thread sleeps on (a host loop) and interrupt handlers or other threads set. A
/// <see cref="Set"/> before <see cref="Wait"/> is not lost: the wait then returns at once. <see cref="Set"/> never
/// allocates or blocks, so a device's interrupt handler may call it.
/// </summary>
public sealed unsafe class WakeEvent
{
    readonly WaitQueue* _queue;   // outside the GC heap: the scheduler links threads through it
    bool _set;

    public WakeEvent()
    {
        _queue = (WaitQueue*)PhysicalMemory.Allocate((ulong)sizeof(WaitQueue), 16);
        if (_queue == null) throw new OutOfMemoryException("no physical memory for a wait queue");
        *_queue = default;
    }

    /// <summary>Wakes the waiter, or makes its next <see cref="Wait"/> return at once.</summary>
    public void Set()
    {
        ulong flags = Arch.X64.InterruptGuard.Disable();
        _set = true;
        Scheduler.WakeOne(_queue);
        Arch.X64.InterruptGuard.Restore(flags);
    }

    /// <summary>Sleeps until <see cref="Set"/> or the monotonic time <paramref name="deadline"/> (nanoseconds;
    /// <see cref="ulong.MaxValue"/> = no deadline), then resets. Returns whether it was set.</summary>
    public bool Wait(ulong deadline)
    {
        ulong flags = Arch.X64.InterruptGuard.Disable();
        if (!_set) Scheduler.Block(_queue, deadline == ulong.MaxValue ? 0 : Math.Max(deadline, 1));
        bool set = _set;
        _set = false;
        Arch.X64.InterruptGuard.Restore(flags);
        return set;
    }
}
