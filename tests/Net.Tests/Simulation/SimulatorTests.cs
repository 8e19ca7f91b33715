using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Simulation;

public class SimulatorTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void RunReturnsTheResultAndDelayAdvancesExactlyVirtualTime()
    {
        var sim = new Simulator(1);
        var result = sim.Run(async () =>
        {
            await sim.Delay(TimeSpan.FromSeconds(30));
            return sim.Now;
        }, Minute);
        Assert.Equal(TimeSpan.FromSeconds(30), result);
        Assert.Equal(TimeSpan.FromSeconds(30), sim.Now);
    }

    [Fact]
    public void EverythingRunsOnTheCallingThread()
    {
        var sim = new Simulator(1);
        int thread = Environment.CurrentManagedThreadId;
        var seen = new List<int>();
        var timer = sim.Clock.CreateTimer(() => seen.Add(Environment.CurrentManagedThreadId));
        sim.Run(async () =>
        {
            timer.Arm(sim.Clock.NowNanoseconds + 1000);
            await sim.Delay(TimeSpan.FromMilliseconds(1));
            seen.Add(Environment.CurrentManagedThreadId);
            await Task.Yield();
            seen.Add(Environment.CurrentManagedThreadId);
        }, Minute);
        Assert.Equal([thread, thread, thread], seen);
    }

    [Fact]
    public void ConcurrentTasksInterleaveDeterministically()
    {
        static List<string> Once()
        {
            var sim = new Simulator(1);
            var log = new List<string>();
            async Task Worker(string name, int periodMs)
            {
                for (int i = 0; i < 3; i++)
                {
                    await sim.Delay(TimeSpan.FromMilliseconds(periodMs));
                    log.Add($"{name}{i}@{sim.Now.TotalMilliseconds}");
                }
            }
            sim.Run(() => Task.WhenAll(Worker("a", 2), Worker("b", 3)), Minute);
            return log;
        }
        var log = Once(); // at 6 ms b fires first: its timer was armed at 3 ms, a's at 4 ms
        Assert.Equal(["a0@2", "b0@3", "a1@4", "b1@6", "a2@6", "b2@9"], log);
        Assert.Equal(log, Once());
    }

    [Fact]
    public void ExceptionFromTheTaskPropagates()
    {
        var sim = new Simulator(1);
        var e = Assert.Throws<InvalidOperationException>(() => sim.Run(async () =>
        {
            await sim.Delay(TimeSpan.FromSeconds(1));
            throw new InvalidOperationException("boom");
        }, Minute));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void ExceptionFromATimerCallbackPropagates()
    {
        var sim = new Simulator(1);
        var t = sim.Clock.CreateTimer(() => throw new FormatException("timer"));
        t.Arm(5);
        Assert.Throws<FormatException>(() => sim.Run(() => sim.Delay(TimeSpan.FromSeconds(1)), Minute));
    }

    [Fact]
    public void VirtualTimeoutThrowsAtTheLimit()
    {
        var sim = new Simulator(1);
        var e = Assert.Throws<SimulationTimeoutException>(() => sim.Run(() => sim.Delay(TimeSpan.FromHours(2)), TimeSpan.FromHours(1)));
        Assert.Contains("virtual time limit", e.Message);
        Assert.True(sim.Now <= TimeSpan.FromHours(1));
    }

    [Fact]
    public void PendingTaskWithNothingScheduledIsReportedAsAStall()
    {
        var sim = new Simulator(1);
        var never = new TaskCompletionSource();
        var e = Assert.Throws<SimulationException>(() => sim.Run(() => never.Task, Minute));
        Assert.Contains("stalled", e.Message);
    }

    [Fact]
    public void ZeroDelayTimerLoopIsStoppedAsRunaway()
    {
        var sim = new Simulator(1, new SimulationOptions { MaxStepsPerInstant = 10_000 });
        CosmosNet.Net.Platform.ITimer? t = null;
        t = sim.Clock.CreateTimer(() => t!.Arm(sim.Clock.NowNanoseconds));
        t.Arm(0);
        var e = Assert.Throws<SimulationException>(() => sim.Run(() => sim.Delay(TimeSpan.FromSeconds(1)), Minute));
        Assert.Contains("runaway", e.Message);
    }

    [Fact]
    public void WorkPostedFromAnotherThreadFailsTheRun()
    {
        var sim = new Simulator(1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var t = new Thread(() => { sim.Post(() => { }); gate.SetResult(); });
        t.Start();
        t.Join();
        var e = Assert.Throws<SimulationException>(() => sim.Run(() => sim.Delay(TimeSpan.FromSeconds(1)), Minute));
        Assert.Contains("posted to the simulation from thread", e.Message);
    }

    [Fact]
    public void RunForEndsExactlyAtTheRequestedTime()
    {
        var sim = new Simulator(1);
        int fired = 0;
        var t = sim.Clock.CreateTimer(() => fired++);
        t.Arm(TimeSpan.FromMilliseconds(5).Ticks * 100);
        sim.RunFor(TimeSpan.FromMilliseconds(3));
        Assert.Equal(0, fired);
        Assert.Equal(TimeSpan.FromMilliseconds(3), sim.Now);
        sim.RunFor(TimeSpan.FromMilliseconds(3));
        Assert.Equal(1, fired);
        Assert.Equal(TimeSpan.FromMilliseconds(6), sim.Now);
    }

    [Fact]
    public void SynchronizationContextIsRestoredAfterRun()
    {
        var before = SynchronizationContext.Current;
        var sim = new Simulator(1);
        SynchronizationContext? inside = null;
        sim.Run(async () => { await Task.Yield(); inside = SynchronizationContext.Current; }, Minute);
        Assert.NotNull(inside);
        Assert.NotSame(before, inside);
        Assert.Same(before, SynchronizationContext.Current);
    }
}
