using System.Diagnostics;

namespace CosmosNet.KernelTests;

static class RuntimeTests
{
    public static void ManyAndLargeAllocations(Check c)
    {
        var arrays = new byte[1000][];
        for (int i = 0; i < arrays.Length; i++) { arrays[i] = new byte[1000]; arrays[i][i % 1000] = (byte)i; }
        long sum = 0;
        foreach (var a in arrays) foreach (byte b in a) sum += b;
        c.Equal(124_716L, sum);
        var large = new long[1 << 20];                 // 8 MiB in one object
        for (int i = 0; i < large.Length; i += 4096) large[i] = i;
        c.Equal((long)(1 << 20) - 4096, large[^4096]);
        c.Equal(0L, large[^1]);
    }

    public static void AllocatedBytesAreCounted(Check c)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var arrays = new byte[100][];
        for (int i = 0; i < arrays.Length; i++) arrays[i] = new byte[1000];
        long after = GC.GetAllocatedBytesForCurrentThread();
        c.True(after - before >= 100 * 1000);
        c.True(after - before < 1_000_000);
        c.Equal(1000, arrays[99].Length);
    }

    public static void HashCodeAndIdentity(Check c)
    {
        var a = new object();
        var b = new object();
        c.Equal(a.GetHashCode(), a.GetHashCode());
        c.False(ReferenceEquals(a, b));
        c.Equal("abc".GetHashCode(), string.Concat("a", "bc").GetHashCode());
        c.Equal(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(a), System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(a));
    }

    public static void StopwatchMonotonic(Check c)
    {
        var watch = Stopwatch.StartNew();
        long previous = Stopwatch.GetTimestamp();
        bool monotonic = true;
        double x = 0;
        for (int i = 0; i < 10_000; i++)
        {
            x += Math.Sqrt(i);
            long now = Stopwatch.GetTimestamp();
            if (now < previous) monotonic = false;
            previous = now;
        }
        watch.Stop();
        c.True(monotonic);
        c.True(watch.ElapsedTicks > 0);
        c.True(watch.Elapsed < TimeSpan.FromMinutes(1));
        c.True(x > 0);
    }

    public static void SeededRandom(Check c)
    {
        var first = new Random(1234);
        var second = new Random(1234);
        int[] a = Enumerable.Range(0, 5).Select(_ => first.Next(1000)).ToArray();
        int[] b = Enumerable.Range(0, 5).Select(_ => second.Next(1000)).ToArray();
        c.SequenceEqual(a, b);
        c.True(a.All(v => v is >= 0 and < 1000));
        int shared = Random.Shared.Next(10, 20);
        c.True(shared is >= 10 and < 20);
    }

    public static void TypeNames(Check c)
    {
        c.Equal("System.Int32", typeof(int).FullName);
        c.Equal("String", "x".GetType().Name);
        c.Equal(typeof(List<int>), new List<int>().GetType());
        c.True(typeof(IShape).IsInterface);
        c.True(typeof(Square).IsSealed);
        c.Equal(typeof(Shape), typeof(Square).BaseType);
    }

    public static void WeakReferenceAlive(Check c)
    {
        var target = new List<int> { 1 };
        var weak = new WeakReference<List<int>>(target);
        c.True(weak.TryGetTarget(out var alive) && ReferenceEquals(alive, target));
        var table = new System.Runtime.CompilerServices.ConditionalWeakTable<object, string>();
        table.Add(target, "attached");
        c.True(table.TryGetValue(target, out var attached) && attached == "attached");
        GC.KeepAlive(target);
    }
}
