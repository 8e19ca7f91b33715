using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer; // not System.Threading.ITimer

namespace CosmosNet.Net.Simulation;

/// <summary>
/// Something that happens at a point of virtual time: a timer firing, a packet arriving. Events fire in
/// deadline order; events with equal deadlines fire in the order they were scheduled, so a run is a pure
/// function of its inputs.
/// </summary>
public abstract class ScheduledEvent
{
    internal long Deadline;
    internal long Sequence;
    internal int HeapIndex = -1;

    public bool IsScheduled => HeapIndex >= 0;

    protected internal abstract void Fire();
}

/// <summary>
/// Virtual time: it only moves when <see cref="FireNext"/> or <see cref="AdvanceTo"/> is called, and then
/// jumps straight to the next deadline. Usable on its own (unit tests of one layer) or driven by a
/// <see cref="Simulator"/>.
/// </summary>
public sealed class VirtualClock : IClock
{
    private ScheduledEvent[] _heap = new ScheduledEvent[64];
    private int _count;
    private long _nextSequence;

    public long NowNanoseconds { get; private set; }

    public TimeSpan Now => TimeSpan.FromTicks(NowNanoseconds / 100);

    /// <summary>Number of scheduled events (armed timers, packets in flight).</summary>
    public int PendingEvents => _count;

    /// <summary>Deadline of the earliest scheduled event, or null when nothing is scheduled.</summary>
    public long? NextDeadline => _count > 0 ? _heap[0].Deadline : null;

    public ITimer CreateTimer(Action callback) => new VirtualTimer(this, callback ?? throw new ArgumentNullException(nameof(callback)));

    /// <summary>Schedules (or reschedules) <paramref name="e"/>; a deadline in the past fires at the current time.</summary>
    public void Schedule(ScheduledEvent e, long deadlineNanoseconds)
    {
        if (e.HeapIndex >= 0) RemoveAt(e.HeapIndex);
        e.Deadline = deadlineNanoseconds;
        e.Sequence = _nextSequence++;
        if (_count == _heap.Length) Array.Resize(ref _heap, _count * 2);
        e.HeapIndex = _count;
        _heap[_count++] = e;
        SiftUp(e.HeapIndex);
    }

    public void Unschedule(ScheduledEvent e)
    {
        if (e.HeapIndex >= 0) RemoveAt(e.HeapIndex);
    }

    /// <summary>Moves time to the earliest deadline (never backwards) and fires that one event. False when nothing is scheduled.</summary>
    public bool FireNext()
    {
        if (_count == 0) return false;
        var e = _heap[0];
        RemoveAt(0);
        if (e.Deadline > NowNanoseconds) NowNanoseconds = e.Deadline;
        e.Fire();
        return true;
    }

    /// <summary>Fires every event due at or before <paramref name="timeNanoseconds"/>, then sets the time to it.</summary>
    public void AdvanceTo(long timeNanoseconds)
    {
        while (_count > 0 && _heap[0].Deadline <= timeNanoseconds) FireNext();
        if (timeNanoseconds > NowNanoseconds) NowNanoseconds = timeNanoseconds;
    }

    public void Advance(TimeSpan duration) => AdvanceTo(NowNanoseconds + duration.Ticks * 100);

    private static bool Before(ScheduledEvent a, ScheduledEvent b) =>
        a.Deadline < b.Deadline || (a.Deadline == b.Deadline && a.Sequence < b.Sequence);

    private void RemoveAt(int i)
    {
        var removed = _heap[i];
        removed.HeapIndex = -1;
        _count--;
        if (i == _count) { _heap[_count] = null!; return; }
        var last = _heap[_count];
        _heap[_count] = null!;
        _heap[i] = last;
        last.HeapIndex = i;
        SiftUp(i);
        SiftDown(last.HeapIndex);
    }

    private void SiftUp(int i)
    {
        var e = _heap[i];
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Before(e, _heap[parent])) break;
            Place(_heap[parent], i);
            i = parent;
        }
        Place(e, i);
    }

    private void SiftDown(int i)
    {
        var e = _heap[i];
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= _count) break;
            if (child + 1 < _count && Before(_heap[child + 1], _heap[child])) child++;
            if (!Before(_heap[child], e)) break;
            Place(_heap[child], i);
            i = child;
        }
        Place(e, i);
    }

    private void Place(ScheduledEvent e, int i) { _heap[i] = e; e.HeapIndex = i; }

    private sealed class VirtualTimer(VirtualClock clock, Action callback) : ScheduledEvent, ITimer
    {
        public bool IsArmed => IsScheduled;
        public void Arm(long deadlineNanoseconds) => clock.Schedule(this, deadlineNanoseconds);
        public void Cancel() => clock.Unschedule(this);
        protected internal override void Fire() => callback();
    }
}
