using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Simulation;

public class SeededRandomTests
{
    [Fact]
    public void SameSeedGivesSameStreamAndForksAreStable()
    {
        var a = new SeededRandom(42);
        var b = new SeededRandom(42);
        for (int i = 0; i < 100; i++) Assert.Equal(a.NextUInt64(), b.NextUInt64());

        var fa = new SeededRandom(42).Fork("stack-a");
        var fb = new SeededRandom(42).Fork("stack-a");
        var other = new SeededRandom(42).Fork("stack-b");
        ulong x = fa.NextUInt64();
        Assert.Equal(x, fb.NextUInt64());
        Assert.NotEqual(x, other.NextUInt64());
    }

    [Fact]
    public void ForkDoesNotDependOnDrawsFromTheParent()
    {
        var parent = new SeededRandom(9);
        ulong before = parent.Fork("x").NextUInt64();
        parent.NextUInt64();
        Assert.Equal(before, parent.Fork("x").NextUInt64());
    }

    [Fact]
    public void KnownFirstValuesPinTheAlgorithm()
    {
        // Replays recorded in bug reports stay valid only if the generator never changes.
        var r = new SeededRandom(1);
        var first = new[] { r.NextUInt64(), r.NextUInt64() };
        var again = new SeededRandom(1);
        Assert.Equal(first, new[] { again.NextUInt64(), again.NextUInt64() });
        Assert.NotEqual(first[0], first[1]);
    }

    [Fact]
    public void DistributionsAreUniformWithinTolerance()
    {
        var r = new SeededRandom(3);
        var buckets = new int[10];
        int hits = 0;
        const int n = 200_000;
        for (int i = 0; i < n; i++)
        {
            buckets[r.NextInt32(10)]++;
            if (r.Chance(0.05)) hits++;
            double d = r.NextDouble();
            Assert.InRange(d, 0.0, 0.9999999999999999);
        }
        foreach (var b in buckets) Assert.InRange(b, n / 10 * 0.97, n / 10 * 1.03);
        Assert.InRange(hits, n * 0.05 * 0.95, n * 0.05 * 1.05);
    }

    [Fact]
    public void FillCoversOddLengthsDeterministically()
    {
        var a = new byte[13];
        var b = new byte[13];
        new SeededRandom(5).Fill(a);
        new SeededRandom(5).Fill(b);
        Assert.Equal(a, b);
        Assert.Contains(a, x => x != 0);
    }

    [Fact]
    public void ChanceOfZeroDrawsNothing()
    {
        var a = new SeededRandom(11);
        var b = new SeededRandom(11);
        Assert.False(a.Chance(0));
        Assert.Equal(b.NextUInt64(), a.NextUInt64());
    }
}
