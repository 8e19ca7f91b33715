using System.Diagnostics;

namespace CosmosNet.Net.Simulation;

/// <summary>Limits that turn a runaway simulation into a clear failure instead of a hung test.</summary>
public sealed record SimulationOptions
{
    /// <summary>Steps (posted continuations + fired events) allowed at one instant before time must move: catches zero-delay loops.</summary>
    public long MaxStepsPerInstant { get; init; } = 20_000_000;

    /// <summary>Real time one <see cref="Simulator.Run"/> call may take.</summary>
    public TimeSpan WallClockLimit { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Record every link event in <see cref="Simulator.Trace"/> (digest always; text lines up to this many).</summary>
    public bool Trace { get; init; }

    public int TraceLines { get; init; } = 10_000;
}

/// <summary>A run that cannot finish: it stalled, looped, or reached its time limit.</summary>
public class SimulationException(string message) : Exception(message);

public sealed class SimulationTimeoutException(string message) : SimulationException(message);

/// <summary>
/// A deterministic world: test code (async), timer callbacks and packet deliveries all run on the calling thread
/// under one <see cref="SynchronizationContext"/>, and virtual time advances only when nothing is runnable. The
/// same seed and the same test code replay a run exactly.
/// </summary>
/// <remarks>
/// Inside a run, await only things the simulation drives (the stack, <see cref="Delay"/>, other tasks of the test).
/// Real-time waits (Task.Delay, Task.Run, real sockets) would make the run depend on the machine: they are reported
/// as a stall or as work posted from a foreign thread.
/// </remarks>
public sealed class Simulator
{
    private readonly Queue<(SendOrPostCallback Callback, object? State)> _runnable = new();
    private readonly SimulationContext _context;
    private int _ownerThread = Environment.CurrentManagedThreadId;
    private string? _foreignPost;
    private long _stepsAtInstant;
    private long _instant;
    private int _nextLinkId;

    public Simulator(ulong seed, SimulationOptions? options = null)
    {
        Seed = seed;
        Options = options ?? new SimulationOptions();
        Random = new SeededRandom(seed);
        _context = new SimulationContext(this);
        if (Options.Trace) Trace = new SimulationTrace(Options.TraceLines);
    }

    public ulong Seed { get; }
    public SimulationOptions Options { get; }
    public VirtualClock Clock { get; } = new();

    /// <summary>The root random stream; give each component its own <see cref="SeededRandom.Fork"/>.</summary>
    public SeededRandom Random { get; }

    /// <summary>Record of link events when <see cref="SimulationOptions.Trace"/> is on, else null.</summary>
    public SimulationTrace? Trace { get; }

    public TimeSpan Now => Clock.Now;

    /// <summary>Total steps executed (continuations and events): a cheap progress measure.</summary>
    public long Steps { get; private set; }

    internal int NextLinkId() => _nextLinkId++;

    /// <summary>Queues <paramref name="action"/> to run on the simulation thread at the current virtual time.</summary>
    public void Post(Action action) => _context.Post(static s => ((Action)s!)(), action);

    /// <summary>A task that completes after <paramref name="duration"/> of virtual time.</summary>
    public Task Delay(TimeSpan duration)
    {
        var done = new TaskCompletionSource();
        var timer = Clock.CreateTimer(() => done.SetResult());
        timer.Arm(Clock.NowNanoseconds + duration.Ticks * 100);
        return done.Task;
    }

    /// <summary>Runs <paramref name="body"/> to completion and returns its result, or throws its exception.</summary>
    /// <param name="timeout">Virtual time the run may take.</param>
    public T Run<T>(Func<Task<T>> body, TimeSpan timeout)
    {
        var task = Start(body);
        Drive(task, timeout);
        return task.GetAwaiter().GetResult();
    }

    public void Run(Func<Task> body, TimeSpan timeout)
    {
        var task = Start(body);
        Drive(task, timeout);
        task.GetAwaiter().GetResult();
    }

    /// <summary>Processes everything due in the next <paramref name="duration"/> of virtual time; time ends exactly there.</summary>
    public void RunFor(TimeSpan duration)
    {
        long end = Clock.NowNanoseconds + duration.Ticks * 100;
        Drive(null, duration);
        Clock.AdvanceTo(end);
    }

    private Task<T> Start<T>(Func<Task<T>> body)
    {
        Task<T>? task = null;
        WithContext(() => task = body());
        return task!;
    }

    private Task Start(Func<Task> body)
    {
        Task? task = null;
        WithContext(() => task = body());
        return task!;
    }

    private void WithContext(Action action)
    {
        var saved = SynchronizationContext.Current;
        _ownerThread = Environment.CurrentManagedThreadId;
        SynchronizationContext.SetSynchronizationContext(_context);
        try { action(); }
        finally { SynchronizationContext.SetSynchronizationContext(saved); }
    }

    /// <summary>Runs until <paramref name="task"/> completes (or, when null, until the time limit is reached).</summary>
    private void Drive(Task? task, TimeSpan timeout)
    {
        long limit = Clock.NowNanoseconds + timeout.Ticks * 100;
        var wall = Stopwatch.StartNew();
        WithContext(() =>
        {
            while (true)
            {
                if (_foreignPost != null) throw new SimulationException(_foreignPost);
                if (task is { IsCompleted: true }) return;
                if ((Steps & 0xFFF) == 0 && wall.Elapsed > Options.WallClockLimit)
                    throw new SimulationException($"wall-clock limit {Options.WallClockLimit} exceeded at virtual time {Now} ({Steps} steps)");

                if (_runnable.TryDequeue(out var work))
                {
                    Step();
                    work.Callback(work.State);
                    continue;
                }
                long? next = Clock.NextDeadline;
                if (next is null || next > limit)
                {
                    if (task is null) return;
                    if (next is null)
                        throw new SimulationException(
                            $"simulation stalled at virtual time {Now}: the task is pending but nothing is runnable and no timer is armed " +
                            "(a deadlock, or an await on something outside the simulation such as Task.Delay or Task.Run)");
                    throw new SimulationTimeoutException(
                        $"virtual time limit {timeout} reached at {Now} with the task still pending (next event at {TimeSpan.FromTicks(next.Value / 100)})");
                }
                Step();
                Clock.FireNext();
            }
        });
    }

    private void Step()
    {
        Steps++;
        if (Clock.NowNanoseconds != _instant) { _instant = Clock.NowNanoseconds; _stepsAtInstant = 0; }
        if (++_stepsAtInstant > Options.MaxStepsPerInstant)
            throw new SimulationException(
                $"runaway: more than {Options.MaxStepsPerInstant} steps at virtual time {Now} without time advancing (a zero-delay timer or post loop?)");
    }

    private void Enqueue(SendOrPostCallback callback, object? state)
    {
        if (Environment.CurrentManagedThreadId != _ownerThread)
        {
            // Never run it: its timing depends on the real machine. Fail the run instead.
            _foreignPost ??= $"work was posted to the simulation from thread {Environment.CurrentManagedThreadId} " +
                             "(a real-time wait such as Task.Delay, Task.Run or a real socket inside a simulated run breaks determinism)";
            return;
        }
        _runnable.Enqueue((callback, state));
    }

    private sealed class SimulationContext(Simulator sim) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => sim.Enqueue(d, state);

        public override void Send(SendOrPostCallback d, object? state)
        {
            if (Environment.CurrentManagedThreadId != sim._ownerThread)
                throw new InvalidOperationException("Send to the simulation from a foreign thread");
            d(state);
        }

        public override SynchronizationContext CreateCopy() => this;
    }
}
