using CosmosNet.Net;
using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Host;

/// <summary>
/// The network loop's clock, timers and <see cref="SynchronizationContext"/>: the stack's single logical thread.
/// Continuations posted from any thread run on the loop; timers live in a <see cref="TimerHeap"/>. A continuation or
/// timer callback that throws (an <c>async void</c> method, a bug, no memory) is contained: counted in
/// <see cref="Faults"/>, reported in one line, and the loop goes on with the next one.
/// </summary>
sealed class NetworkLoop(Action wake, Action<string> log) : SynchronizationContext, IClock
{
    /// <summary>Callbacks that threw; each was reported and the loop carried on.</summary>
    public long Faults;

    readonly Queue<(SendOrPostCallback, object?)> _posted = new();
    readonly TimerHeap _timers = new();
    LogLimiter? _limiter;
    LogLimiter _faultLog => _limiter ??= new LogLimiter(this);

    public long NowNanoseconds => (long)Kernel.Hal.Clock.Nanoseconds;
    public ITimer CreateTimer(Action callback) => new LoopTimer(_timers, callback);

    public override void Post(SendOrPostCallback d, object? state)
    {
        lock (_posted) _posted.Enqueue((d, state));
        wake();
    }

    public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("the network loop does not block for other threads");
    public override SynchronizationContext CreateCopy() => this;

    public void RunPosted()
    {
        while (true)
        {
            (SendOrPostCallback d, object? state) item;
            lock (_posted) { if (!_posted.TryDequeue(out item)) return; }
            try { item.d(item.state); }
            catch (Exception e) { Contain(e, "a continuation"); }
        }
    }

    /// <summary>The earliest armed deadline (monotonic ns), <see cref="ulong.MaxValue"/> when none.</summary>
    public ulong NextDeadline => _timers.NextDeadline == long.MaxValue ? ulong.MaxValue : (ulong)Math.Max(_timers.NextDeadline, 1);

    /// <summary>Fires every timer due now; one that a callback re-arms for now fires on the next pass.</summary>
    public void RunDueTimers()
    {
        long now = NowNanoseconds, generation = _timers.Generation;
        while (_timers.PopDue(now, generation) is LoopTimer t)
        {
            try { t.Callback(); }
            catch (Exception e) { Contain(e, "a timer"); }
        }
    }

    void Contain(Exception e, string what)
    {
        Faults++;
        if (!_faultLog.Allow(out long suppressed)) return;
        try { log($"net: {what} on the network loop failed ({e.GetType().Name}: {e.Message}); the loop continues{LogLimiter.Note(suppressed)}"); }
        catch (Exception) { } // no memory for the message: the count still says it happened
    }

    sealed class LoopTimer(TimerHeap heap, Action callback) : HeapTimer, ITimer
    {
        public readonly Action Callback = callback;
        public void Arm(long deadlineNanoseconds) => heap.Arm(this, deadlineNanoseconds);
        public void Cancel() => heap.Cancel(this);
    }
}
