using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Simulation;

/// <summary>
/// A deterministic random source (xoshiro256**, seeded through SplitMix64). <see cref="Fork"/> derives an
/// independent stream by name, so adding draws in one component (a link's loss decisions) never shifts the
/// numbers another component (a stack's ISNs) sees.
/// </summary>
public sealed class SeededRandom : IRandomSource
{
    private ulong _s0, _s1, _s2, _s3;

    public SeededRandom(ulong seed)
    {
        Seed = seed;
        ulong x = seed;
        _s0 = SplitMix(ref x); _s1 = SplitMix(ref x); _s2 = SplitMix(ref x); _s3 = SplitMix(ref x);
    }

    public ulong Seed { get; }

    /// <summary>An independent stream whose seed depends only on this stream's seed and <paramref name="name"/>.</summary>
    public SeededRandom Fork(string name)
    {
        // FNV-1a: stable across processes, unlike string.GetHashCode.
        ulong h = 0xcbf29ce484222325;
        foreach (char c in name) { h ^= c; h *= 0x100000001b3; }
        ulong x = Seed ^ h;
        return new SeededRandom(SplitMix(ref x));
    }

    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0; _s3 ^= _s1; _s1 ^= _s2; _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform in [0, <paramref name="maxExclusive"/>).</summary>
    public long NextInt64(long maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (long)Math.BigMul(NextUInt64(), (ulong)maxExclusive, out _);
    }

    public int NextInt32(int maxExclusive) => (int)NextInt64(maxExclusive);

    /// <summary>True with probability <paramref name="p"/>. Draws nothing when p is 0, so an unimpaired link consumes no randomness.</summary>
    public bool Chance(double p) => p > 0 && (p >= 1 || NextDouble() < p);

    public void Fill(Span<byte> buffer)
    {
        while (buffer.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer, NextUInt64());
            buffer = buffer[8..];
        }
        if (buffer.Length > 0)
        {
            ulong r = NextUInt64();
            for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(r >> (8 * i));
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9e3779b97f4a7c15;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9;
        z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
        return z ^ (z >> 31);
    }
}
