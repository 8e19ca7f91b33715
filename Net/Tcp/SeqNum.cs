namespace CosmosNet.Net.Tcp;

/// <summary>
/// A TCP sequence number: 32-bit arithmetic modulo 2^32, compared by the sign of the difference (RFC 9293 3.4),
/// so comparisons are only meaningful between numbers less than 2^31 apart.
/// </summary>
public readonly record struct SeqNum(uint Value) : IComparable<SeqNum>
{
    public static SeqNum operator +(SeqNum a, int n) => new(a.Value + (uint)n);
    public static SeqNum operator -(SeqNum a, int n) => new(a.Value - (uint)n);

    /// <summary>The signed distance from <paramref name="b"/> to <paramref name="a"/>.</summary>
    public static int operator -(SeqNum a, SeqNum b) => (int)(a.Value - b.Value);

    public static bool operator <(SeqNum a, SeqNum b) => (int)(a.Value - b.Value) < 0;
    public static bool operator >(SeqNum a, SeqNum b) => (int)(a.Value - b.Value) > 0;
    public static bool operator <=(SeqNum a, SeqNum b) => (int)(a.Value - b.Value) <= 0;
    public static bool operator >=(SeqNum a, SeqNum b) => (int)(a.Value - b.Value) >= 0;

    public static SeqNum Max(SeqNum a, SeqNum b) => a >= b ? a : b;
    public static SeqNum Min(SeqNum a, SeqNum b) => a <= b ? a : b;

    /// <summary>True when <paramref name="low"/> &lt;= this &lt; <paramref name="high"/>.</summary>
    public bool InRange(SeqNum low, SeqNum high) => low <= this && this < high;

    public int CompareTo(SeqNum other) => Math.Sign(this - other);

    public override string ToString() => Value.ToString();
}
