using System.Collections.Concurrent;
using System.Diagnostics;
using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer; // not System.Threading.ITimer

namespace CosmosNet.Net.TapHost;

/// <summary>
/// The stack's one thread on a Linux host: it polls the TAP device, fires timers (monotonic clock), and runs
/// continuations posted to its <see cref="SynchronizationContext"/>, so the stack, the services and every
/// await in them run on this thread without locks — as in the kernel's network loop.
/// </summary>
internal sealed unsafe class EventLoop : IClock
{
    private readonly ConcurrentQueue<(SendOrPostCallback Callback, object? State)> _posted = new();
    private readonly PriorityQueue<LoopTimer, (long Deadline, long Sequence)> _timers = new();
    private readonly TapDevice _device;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Action? _init;
    private long _nextSequence;
    private volatile bool _stopping;

    public EventLoop(TapDevice device)
    {
        _device = device;
        _wakeFd = Native.eventfd(0, Native.EFD_NONBLOCK | Native.EFD_CLOEXEC);
        if (_wakeFd < 0) throw new TapException($"eventfd failed: {Native.LastError()}");
        _thread = new Thread(Run) { Name = "net-loop", IsBackground = true };
        Context = new LoopContext(this);
    }

    public SynchronizationContext Context { get; }

    /// <summary>Completes when the loop has stopped; faulted if something on the loop threw.</summary>
    public Task Stopped => _stopped.Task;

    public long NowNanoseconds => (long)(Stopwatch.GetTimestamp() * (1_000_000_000.0 / Stopwatch.Frequency));

    public ITimer CreateTimer(Action callback) => new LoopTimer(this, callback);

    /// <summary>Starts the loop thread; <paramref name="init"/> runs first, on it (build the stack there).</summary>
    public void Start(Action init)
    {
        _init = init;
        _thread.Start();
    }

    public void Post(Action action) => Context.Post(static s => ((Action)s!)(), action);

    public void Stop()
    {
        _stopping = true;
        Wake();
    }

    private bool OnLoopThread => Environment.CurrentManagedThreadId == _thread.ManagedThreadId;

    private void Wake()
    {
        ulong one = 1;
        Native.write(_wakeFd, (byte*)&one, 8);
    }

    private void Run()
    {
        SynchronizationContext.SetSynchronizationContext(Context);
        try
        {
            _init!();
            var fds = stackalloc Native.PollFd[2];
            while (!_stopping)
            {
                RunPosted();
                RunDueTimers();
                if (!_posted.IsEmpty) continue;

                fds[0] = new Native.PollFd { Fd = _device.FileDescriptor, Events = Native.POLLIN };
                fds[1] = new Native.PollFd { Fd = _wakeFd, Events = Native.POLLIN };
                int ready = Native.poll(fds, 2, PollTimeoutMs());
                if (ready < 0) continue; // EINTR
                if ((fds[1].Revents & Native.POLLIN) != 0)
                {
                    ulong count;
                    Native.read(_wakeFd, (byte*)&count, 8);
                }
                if ((fds[0].Revents & (Native.POLLIN | Native.POLLERR)) != 0) _device.ReceiveAvailable();
            }
            _stopped.TrySetResult();
        }
        catch (Exception e)
        {
            _stopped.TrySetException(e);
        }
    }

    private void RunPosted()
    {
        // Only what was queued before this pass: work that keeps re-posting itself cannot starve the device.
        for (int n = _posted.Count; n > 0 && _posted.TryDequeue(out var work); n--) work.Callback(work.State);
    }

    private void RunDueTimers()
    {
        long now = NowNanoseconds;
        while (_timers.TryPeek(out var timer, out var key) && key.Deadline <= now)
        {
            _timers.Dequeue();
            if (timer.Sequence != key.Sequence) continue; // cancelled or re-armed since
            timer.Sequence = -1;
            timer.Callback();
        }
    }

    private int PollTimeoutMs()
    {
        while (_timers.TryPeek(out var timer, out var key) && timer.Sequence != key.Sequence) _timers.Dequeue();
        if (!_timers.TryPeek(out _, out var next)) return 1000;
        long wait = next.Deadline - NowNanoseconds;
        return wait <= 0 ? 0 : (int)Math.Min(1000, (wait + 999_999) / 1_000_000);
    }

    private sealed class LoopTimer(EventLoop loop, Action callback) : ITimer
    {
        public readonly Action Callback = callback;
        public long Sequence = -1; // the armed entry in the queue; -1 when not armed

        public bool IsArmed => Sequence >= 0;

        public void Arm(long deadlineNanoseconds)
        {
            if (!loop.OnLoopThread && loop._thread.IsAlive) throw new InvalidOperationException("timers belong to the network loop thread");
            Sequence = loop._nextSequence++;
            loop._timers.Enqueue(this, (deadlineNanoseconds, Sequence));
        }

        public void Cancel() => Sequence = -1;
    }

    private sealed class LoopContext(EventLoop loop) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state)
        {
            loop._posted.Enqueue((d, state));
            if (!loop.OnLoopThread) loop.Wake();
        }

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (loop.OnLoopThread) { d(state); return; }
            using var done = new ManualResetEventSlim();
            Exception? error = null;
            Post(_ => { try { d(state); } catch (Exception e) { error = e; } finally { done.Set(); } }, null);
            done.Wait();
            if (error != null) throw error;
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
