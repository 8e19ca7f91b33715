namespace CosmosNet.Host;

/// <summary>A timer as <see cref="TimerHeap"/> orders it; subclasses add what fires.</summary>
public abstract class HeapTimer
{
    /// <summary>Monotonic nanoseconds; meaningful while <see cref="IsArmed"/>.</summary>
    public long Deadline { get; internal set; }
    internal long Sequence;          // arming order: equal deadlines fire first-armed first
    internal int Index = -1;         // slot in the heap, -1 when not armed

    public bool IsArmed => Index >= 0;
}

/// <summary>
/// The armed timers of a loop as a binary min-heap on (deadline, arming order). Each timer knows its slot, so
/// arming, re-arming and cancelling are O(log n) and the next deadline is O(1): nothing scans the armed timers
/// (10k connections hold 10k+ of them). Not thread-safe: the loop's thread owns it.
/// </summary>
public sealed class TimerHeap
{
    HeapTimer[] _heap = new HeapTimer[64];
    long _sequence;

    public int Count { get; private set; }

    /// <summary>The earliest deadline, or <see cref="long.MaxValue"/> when nothing is armed.</summary>
    public long NextDeadline => Count == 0 ? long.MaxValue : _heap[0].Deadline;

    /// <summary>Arms <paramref name="timer"/> for <paramref name="deadline"/>, replacing its previous deadline if armed.</summary>
    public void Arm(HeapTimer timer, long deadline)
    {
        timer.Deadline = deadline;
        timer.Sequence = _sequence++;
        if (timer.Index >= 0)
        {
            if (!SiftUp(timer.Index)) SiftDown(timer.Index);
            return;
        }
        if (Count == _heap.Length) Array.Resize(ref _heap, _heap.Length * 2);
        _heap[Count] = timer;
        timer.Index = Count++;
        SiftUp(timer.Index);
    }

    /// <summary>Disarms <paramref name="timer"/>; false when it was not armed.</summary>
    public bool Cancel(HeapTimer timer)
    {
        int i = timer.Index;
        if (i < 0) return false;
        if ((uint)i >= (uint)Count || _heap[i] != timer) throw new InvalidOperationException("the timer belongs to another heap");
        RemoveAt(i);
        return true;
    }

    /// <summary>
    /// Removes and returns the earliest timer if it is due at <paramref name="now"/> and was armed before
    /// <paramref name="armedBefore"/> (a <see cref="Generation"/> taken when the pass began, so a callback that
    /// re-arms for "now" waits for the next pass instead of looping); null otherwise.
    /// </summary>
    public HeapTimer? PopDue(long now, long armedBefore)
    {
        if (Count == 0) return null;
        var top = _heap[0];
        if (top.Deadline > now || top.Sequence >= armedBefore) return null;
        RemoveAt(0);
        return top;
    }

    /// <summary>Advances with every arm: timers armed from now on compare greater or equal.</summary>
    public long Generation => _sequence;

    void RemoveAt(int i)
    {
        var removed = _heap[i];
        int last = --Count;
        if (i != last)
        {
            _heap[i] = _heap[last];
            _heap[i].Index = i;
            _heap[last] = null!;
            if (!SiftUp(i)) SiftDown(i);
        }
        else _heap[last] = null!;
        removed.Index = -1;
    }

    static bool Before(HeapTimer a, HeapTimer b) => a.Deadline < b.Deadline || (a.Deadline == b.Deadline && a.Sequence < b.Sequence);

    /// <summary>Moves the timer at <paramref name="i"/> towards the root; true if it moved.</summary>
    bool SiftUp(int i)
    {
        var t = _heap[i];
        int start = i;
        while (i > 0)
        {
            int parent = (i - 1) / 2;
            if (!Before(t, _heap[parent])) break;
            _heap[i] = _heap[parent];
            _heap[i].Index = i;
            i = parent;
        }
        _heap[i] = t;
        t.Index = i;
        return i != start;
    }

    void SiftDown(int i)
    {
        var t = _heap[i];
        while (true)
        {
            int child = 2 * i + 1;
            if (child >= Count) break;
            if (child + 1 < Count && Before(_heap[child + 1], _heap[child])) child++;
            if (!Before(_heap[child], t)) break;
            _heap[i] = _heap[child];
            _heap[i].Index = i;
            i = child;
        }
        _heap[i] = t;
        t.Index = i;
    }
}
