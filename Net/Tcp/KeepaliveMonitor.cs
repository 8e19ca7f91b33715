using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>What the keepalive timer asks of the connection.</summary>
internal enum KeepaliveAction { None, SendProbe, GiveUp }

/// <summary>
/// TCP keep-alive (RFC 1122 4.2.3.6; mirage-tcpip's keepalive.ml): after <see cref="Keepalive.After"/> of silence
/// from the peer, a probe every <see cref="Keepalive.Interval"/>; after <see cref="Keepalive.Probes"/> unanswered probes
/// the connection is given up — and then reads as end-of-stream (Mirage's behaviour), not as an error.
/// </summary>
internal sealed class KeepaliveMonitor
{
    private readonly ITimer _timer;
    private long _lastHeard;
    private int _probes;

    public KeepaliveMonitor(ITimer timer) => _timer = timer;

    public Keepalive? Settings { get; private set; }

    /// <summary>The probes went unanswered.</summary>
    public bool Expired { get; private set; }

    /// <summary>Applies <paramref name="settings"/> (null turns keep-alive off); a running connection starts its idle clock now.</summary>
    public void Configure(Keepalive? settings, bool running, long nowNs)
    {
        Settings = settings;
        if (running) Start(nowNs);
    }

    /// <summary>The connection is established: the idle clock starts.</summary>
    public void Start(long nowNs)
    {
        if (Settings is { } ka) _timer.Arm(nowNs + Ns(ka.After));
    }

    /// <summary>Any segment from the peer proves it alive.</summary>
    public void Heard(long nowNs)
    {
        _lastHeard = nowNs;
        _probes = 0;
    }

    /// <summary>The timer fired: wait longer (the peer spoke meanwhile), probe, or give up.</summary>
    public KeepaliveAction OnTimer(long nowNs)
    {
        if (Settings is not { } ka) return KeepaliveAction.None;
        if (_probes == 0 && nowNs - _lastHeard < Ns(ka.After))
        {
            _timer.Arm(_lastHeard + Ns(ka.After));
            return KeepaliveAction.None;
        }
        if (_probes >= ka.Probes)
        {
            Expired = true;
            return KeepaliveAction.GiveUp;
        }
        _probes++;
        _timer.Arm(nowNs + Ns(ka.Interval));
        return KeepaliveAction.SendProbe;
    }

    public void Stop() => _timer.Cancel();

    private static long Ns(TimeSpan t) => t.Ticks * 100;
}
