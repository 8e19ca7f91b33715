using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// One timer serves retransmission and persist: it runs while anything is unacknowledged (RFC 6298) or while data
/// waits on a closed or silly-small window with nothing in flight (the persist timer, RFC 9293 3.8.6.1). It counts
/// consecutive timeouts and window probes, which decide when the peer is given up on.
/// </summary>
internal sealed class RetransmitTimer
{
    private readonly ITimer _timer;
    private readonly long _minRtoNs, _maxRtoNs;

    public RetransmitTimer(ITimer timer, long minRtoNs, long maxRtoNs)
    {
        _timer = timer;
        _minRtoNs = minRtoNs;
        _maxRtoNs = maxRtoNs;
    }

    /// <summary>Consecutive timeouts without progress.</summary>
    public int Timeouts { get; private set; }
    /// <summary>Window probes since the peer was last heard from.</summary>
    public int PersistProbes { get; private set; }

    public bool IsArmed => _timer.IsArmed;

    /// <summary>RFC 6298 5.1: starts the timer unless it already runs.</summary>
    public void Start(long deadlineNs)
    {
        if (!_timer.IsArmed) _timer.Arm(deadlineNs);
    }

    /// <summary>RFC 6298 5.3: restarts the timer.</summary>
    public void Restart(long deadlineNs) => _timer.Arm(deadlineNs);

    public void Stop() => _timer.Cancel();

    /// <summary>
    /// After sending: the retransmission timer while anything is outstanding, the persist timer while data (or a FIN)
    /// waits with nothing outstanding, none otherwise.
    /// </summary>
    public void Update(bool outstanding, bool waiting, long rtoNs, long nowNs)
    {
        if (outstanding) Start(nowNs + rtoNs);
        else if (waiting) Start(nowNs + PersistInterval(rtoNs));
        else _timer.Cancel();
    }

    /// <summary>The persist interval: the RTO backed off per unanswered probe, within [min RTO, max RTO].</summary>
    public long PersistInterval(long rtoNs) => Math.Clamp(rtoNs << Math.Min(PersistProbes, 10), _minRtoNs, _maxRtoNs);

    /// <summary>Counts a timeout; returns how many in a row there have been.</summary>
    public int CountTimeout() => ++Timeouts;

    /// <summary>Counts a window probe; returns how many were sent before it.</summary>
    public int CountProbe() => PersistProbes++;

    /// <summary>The peer acknowledged something new.</summary>
    public void Progress() => Timeouts = 0;

    /// <summary>The peer sent a segment: it is alive, whatever its window.</summary>
    public void Heard() => PersistProbes = 0;
}
