namespace CosmosNet.Net.Tcp;

/// <summary>
/// RFC 7323 timestamps for one connection: our clock (milliseconds from a secret per-connection offset, RFC 7323 5.4),
/// TS.Recent — the peer's latest timestamp, echoed back — and the PAWS test against it.
/// </summary>
internal sealed class Timestamps
{
    private const long PawsIdleLimitNs = 24L * 24 * 3600 * 1_000_000_000; // RFC 7323 5.5: 24 days

    private readonly uint _offset;
    private long _recentTime;
    private bool _recentValid;

    public Timestamps(uint offset) => _offset = offset;

    /// <summary>Both sides agreed to send timestamps.</summary>
    public bool Enabled { get; set; }
    /// <summary>TS.Recent: the value we echo.</summary>
    public uint Recent { get; private set; }

    /// <summary>Option bytes each segment spends on the timestamp option (10, padded to 12).</summary>
    public int Overhead => Enabled ? 12 : 0;

    public uint Value(long nowNs) => (uint)(nowNs / 1_000_000) + _offset;

    /// <summary>A round-trip sample from an echoed timestamp of ours.</summary>
    public long RttSample(uint echoed, long nowNs) => (long)(Value(nowNs) - echoed) * 1_000_000;

    public void Record(uint tsVal, long nowNs)
    {
        Recent = tsVal; _recentTime = nowNs; _recentValid = true;
    }

    /// <summary>RFC 7323 4.3: TS.Recent follows the peer's clock forward only.</summary>
    public bool MayAdvanceTo(uint tsVal) => !_recentValid || (int)(tsVal - Recent) >= 0;

    /// <summary>PAWS (RFC 7323 5.3): a timestamp older than TS.Recent marks a wrapped-around old duplicate — unless TS.Recent is stale itself.</summary>
    public bool IsOld(uint tsVal, long nowNs) => _recentValid && (int)(tsVal - Recent) < 0 && nowNs - _recentTime < PawsIdleLimitNs;

    /// <summary><paramref name="tsVal"/> lies ahead of TS.Recent (RFC 6191: a new incarnation in TIME_WAIT).</summary>
    public bool IsNewer(uint tsVal) => (int)(tsVal - Recent) > 0;
}
