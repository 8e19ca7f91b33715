using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Simulation;

public class VirtualClockTests
{
    [Fact]
    public void TimersFireInDeadlineOrderAndTiesInArmingOrder()
    {
        var clock = new VirtualClock();
        var fired = new List<string>();
        var late = clock.CreateTimer(() => fired.Add($"late@{clock.NowNanoseconds}"));
        var tieFirst = clock.CreateTimer(() => fired.Add($"tie1@{clock.NowNanoseconds}"));
        var tieSecond = clock.CreateTimer(() => fired.Add($"tie2@{clock.NowNanoseconds}"));
        var early = clock.CreateTimer(() => fired.Add($"early@{clock.NowNanoseconds}"));
        late.Arm(300);
        tieFirst.Arm(200);
        tieSecond.Arm(200);
        early.Arm(100);

        clock.AdvanceTo(1000);

        Assert.Equal(["early@100", "tie1@200", "tie2@200", "late@300"], fired);
        Assert.Equal(1000, clock.NowNanoseconds);
        Assert.False(late.IsArmed);
    }

    [Fact]
    public void RearmingReplacesTheDeadlineAndCountsAsANewArming()
    {
        var clock = new VirtualClock();
        var fired = new List<string>();
        var a = clock.CreateTimer(() => fired.Add("a"));
        var b = clock.CreateTimer(() => fired.Add("b"));
        a.Arm(50);
        b.Arm(50);
        a.Arm(50); // re-armed after b: now fires after b
        clock.AdvanceTo(49);
        Assert.Empty(fired);
        clock.AdvanceTo(50);
        Assert.Equal(["b", "a"], fired);
        Assert.Equal(0, clock.PendingEvents);
    }

    [Fact]
    public void CancelledTimerDoesNotFireAndCanBeReused()
    {
        var clock = new VirtualClock();
        int count = 0;
        var t = clock.CreateTimer(() => count++);
        t.Arm(10);
        t.Cancel();
        Assert.False(t.IsArmed);
        clock.AdvanceTo(100);
        Assert.Equal(0, count);

        t.Arm(150);
        Assert.True(t.IsArmed);
        clock.AdvanceTo(200);
        t.Arm(250);
        clock.AdvanceTo(300);
        Assert.Equal(2, count);
    }

    [Fact]
    public void DeadlineInThePastFiresAtTheCurrentTimeWithoutGoingBackwards()
    {
        var clock = new VirtualClock();
        clock.AdvanceTo(1000);
        long firedAt = -1;
        var t = clock.CreateTimer(() => firedAt = clock.NowNanoseconds);
        t.Arm(10);
        Assert.True(clock.FireNext());
        Assert.Equal(1000, firedAt);
        Assert.False(clock.FireNext());
    }

    [Fact]
    public void TimerArmedFromACallbackAtTheSameInstantFiresAfterThoseAlreadyDue()
    {
        var clock = new VirtualClock();
        var fired = new List<string>();
        TimerHolder h = new();
        h.Second = clock.CreateTimer(() => fired.Add("second"));
        var first = clock.CreateTimer(() => { fired.Add("first"); h.Third!.Arm(100); });
        h.Third = clock.CreateTimer(() => fired.Add("third"));
        first.Arm(100);
        h.Second.Arm(100);
        clock.AdvanceTo(100);
        Assert.Equal(["first", "second", "third"], fired);
    }

    [Fact]
    public void ManyTimersKeepHeapOrder()
    {
        var clock = new VirtualClock();
        var rng = new SeededRandom(7);
        var fired = new List<long>();
        var timers = new List<CosmosNet.Net.Platform.ITimer>();
        for (int i = 0; i < 2000; i++) timers.Add(clock.CreateTimer(() => fired.Add(clock.NowNanoseconds)));
        foreach (var t in timers) t.Arm(rng.NextInt64(1_000_000));
        for (int i = 0; i < timers.Count; i += 3) timers[i].Cancel();
        clock.AdvanceTo(1_000_000);
        Assert.Equal(2000 - 667, fired.Count);
        Assert.Equal(fired.OrderBy(x => x), fired);
    }

    private sealed class TimerHolder
    {
        public CosmosNet.Net.Platform.ITimer? Second, Third;
    }
}
