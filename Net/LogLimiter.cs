using CosmosNet.Net.Platform;

namespace CosmosNet.Net;

/// <summary>
/// At most <c>perSecond</c> reports a second, so that a flood of faults (a SYN flood meeting an exhausted heap) does
/// not become a flood of console lines; the next report allowed says how many were left out.
/// </summary>
public sealed class LogLimiter(IClock clock, int perSecond = 10)
{
    long _windowStart = long.MinValue;
    int _used;
    long _suppressed;

    /// <summary>True when a report may be written now; <paramref name="suppressed"/> is how many were refused since the last one.</summary>
    public bool Allow(out long suppressed)
    {
        long now = clock.NowNanoseconds;
        if (now - _windowStart >= 1_000_000_000) { _windowStart = now; _used = 0; }
        if (_used >= perSecond) { _suppressed++; suppressed = 0; return false; }
        _used++;
        suppressed = _suppressed;
        _suppressed = 0;
        return true;
    }

    /// <summary>What to append to the next allowed report: how many were left out before it ("" for none).</summary>
    public static string Note(long suppressed) => suppressed == 0 ? "" : $" ({suppressed} similar reports left out)";
}
