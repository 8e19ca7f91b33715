using Xunit;

namespace CosmosNet.Host.Tests;

public class TimerHeapTests
{
    sealed class T(string name) : HeapTimer
    {
        public readonly string Name = name;
        public override string ToString() => Name;
    }

    static List<string> DrainDue(TimerHeap heap, long now)
    {
        var fired = new List<string>();
        long generation = heap.Generation;
        while (heap.PopDue(now, generation) is T t) fired.Add(t.Name);
        return fired;
    }

    [Fact]
    public void Empty_heap_has_no_deadline_and_nothing_due()
    {
        var heap = new TimerHeap();
        Assert.Equal(long.MaxValue, heap.NextDeadline);
        Assert.Null(heap.PopDue(long.MaxValue, heap.Generation));
    }

    [Fact]
    public void Fires_in_deadline_order_and_equal_deadlines_in_arming_order()
    {
        var heap = new TimerHeap();
        var timers = new[] { new T("c30"), new T("a10"), new T("b20"), new T("a10-second"), new T("later") };
        heap.Arm(timers[0], 30); heap.Arm(timers[1], 10); heap.Arm(timers[2], 20); heap.Arm(timers[3], 10); heap.Arm(timers[4], 100);
        Assert.Equal(10, heap.NextDeadline);
        Assert.Equal(["a10", "a10-second", "b20", "c30"], DrainDue(heap, 50));
        Assert.Equal(1, heap.Count);
        Assert.Equal(100, heap.NextDeadline);
        Assert.All(timers[..4], t => Assert.False(t.IsArmed));
        Assert.True(timers[4].IsArmed);
    }

    [Fact]
    public void Rearming_moves_a_timer_both_ways_and_cancel_removes_it()
    {
        var heap = new TimerHeap();
        var a = new T("a"); var b = new T("b"); var c = new T("c");
        heap.Arm(a, 10); heap.Arm(b, 20); heap.Arm(c, 30);
        heap.Arm(a, 40);                       // later: sinks
        Assert.Equal(20, heap.NextDeadline);
        heap.Arm(c, 5);                        // earlier: rises
        Assert.Equal(5, heap.NextDeadline);
        Assert.True(heap.Cancel(b));
        Assert.False(heap.Cancel(b));          // cancelling twice is harmless
        Assert.False(b.IsArmed);
        Assert.Equal(2, heap.Count);
        Assert.Equal(["c", "a"], DrainDue(heap, 100));
    }

    [Fact]
    public void A_timer_rearmed_for_now_during_a_pass_waits_for_the_next_pass()
    {
        var heap = new TimerHeap();
        var t = new T("t");
        heap.Arm(t, 10);
        long generation = heap.Generation;
        Assert.Same(t, heap.PopDue(10, generation));
        heap.Arm(t, 10);                       // what a callback that re-arms itself for "now" does
        Assert.Null(heap.PopDue(10, generation));
        Assert.Same(t, heap.PopDue(10, heap.Generation));
    }

    [Fact]
    public void A_timer_of_another_heap_is_refused()
    {
        var one = new TimerHeap(); var other = new TimerHeap();
        var t = new T("t");
        one.Arm(t, 1);
        other.Arm(new T("x"), 1); other.Arm(new T("y"), 2);
        Assert.Throws<InvalidOperationException>(() => other.Cancel(t));
        Assert.True(t.IsArmed);
    }

    [Fact]
    public void Ten_thousand_connections_worth_of_random_operations_match_a_sorted_model()
    {
        // Each of 10k timers is armed, re-armed, cancelled and fired at random; after every batch the heap's
        // next deadline and the set and order of fired timers must match a simple model.
        var random = new Random(1234);
        var heap = new TimerHeap();
        var timers = Enumerable.Range(0, 10_000).Select(i => new T(i.ToString())).ToArray();
        var model = new Dictionary<T, (long Deadline, long Order)>();
        long order = 0, now = 0;
        for (int round = 0; round < 200; round++)
        {
            for (int op = 0; op < 500; op++)
            {
                var t = timers[random.Next(timers.Length)];
                if (random.Next(4) == 0) { Assert.Equal(model.Remove(t), heap.Cancel(t)); }
                else
                {
                    long deadline = now + random.Next(1, 5_000);
                    heap.Arm(t, deadline);
                    model[t] = (deadline, order++);
                }
            }
            Assert.Equal(model.Count, heap.Count);
            Assert.Equal(model.Count == 0 ? long.MaxValue : model.Values.Min(v => v.Deadline), heap.NextDeadline);
            now += random.Next(0, 200);
            var expected = model.Where(kv => kv.Value.Deadline <= now).OrderBy(kv => kv.Value.Deadline).ThenBy(kv => kv.Value.Order).Select(kv => kv.Key.Name).ToList();
            Assert.Equal(expected, DrainDue(heap, now));
            foreach (var name in expected) model.Remove(timers[int.Parse(name)]);
            Assert.All(model.Keys, t => Assert.True(t.IsArmed));
        }
    }
}
