namespace CosmosNet.Net.Tcp;

/// <summary>
/// CUBIC (RFC 9438): after a loss the window follows W(t) = C (t - K)^3 + W_max, with a Reno-friendly estimate as a
/// floor, beta = 0.7 multiplicative decrease and fast convergence. Windows are computed in segments as doubles.
/// </summary>
internal sealed class Cubic : CongestionControl
{
    private const double C = 0.4;
    private const double Beta = 0.7;
    private const double AlphaReno = 3 * (1 - Beta) / (1 + Beta);

    private double _wMax;       // segments, window before the last reduction
    private double _k;          // seconds until W(t) reaches W_max again
    private double _wEst;       // segments, the Reno-friendly estimate
    private double _cwnd;       // segments, fractional
    private long _epochStart = -1;

    public Cubic(int mss, int slowStartAckLimit) : base(mss, slowStartAckLimit) => _cwnd = (double)Cwnd / mss;

    public override void OnAck(int acked, long nowNs, long srttNs)
    {
        if (InSlowStart)
        {
            SlowStart(acked);
            _cwnd = (double)Cwnd / Mss;
            return;
        }
        double segments = (double)Cwnd / Mss;
        if (Math.Abs(segments - _cwnd) >= 1) _cwnd = segments; // the window was changed outside avoidance
        if (_epochStart < 0)
        {
            _epochStart = nowNs;
            if (_cwnd < _wMax) _k = Math.Cbrt((_wMax - _cwnd) / C);
            else { _k = 0; _wMax = _cwnd; }
            _wEst = _cwnd;
        }
        double ackedSegments = (double)acked / Mss;
        double t = (nowNs - _epochStart + srttNs) / 1e9;
        double target = C * Math.Pow(t - _k, 3) + _wMax;
        _wEst += AlphaReno * ackedSegments / _cwnd;
        if (target < _wEst)
        {
            _cwnd = Math.Max(_cwnd, _wEst); // Reno-friendly region
        }
        else
        {
            target = Math.Clamp(target, _cwnd, 1.5 * _cwnd);
            _cwnd += (target - _cwnd) / _cwnd * ackedSegments;
        }
        Cwnd = Math.Max(Mss, (int)(_cwnd * Mss));
    }

    public override void OnCongestionEvent(int flight, long nowNs)
    {
        Reduce(flight);
        Cwnd = Ssthresh;
        _cwnd = (double)Cwnd / Mss;
        LeaveTimeoutSlowStart();
    }

    public override void OnTimeout(int flight, long nowNs)
    {
        Reduce(flight);
        Cwnd = Mss;
        _cwnd = 1;
        RestartAfterTimeout();
    }

    public override void OnRecoveryExit()
    {
        base.OnRecoveryExit();
        _cwnd = (double)Cwnd / Mss;
    }

    private void Reduce(int flight)
    {
        double segments = (double)Cwnd / Mss;
        // Fast convergence: release bandwidth to newer flows when the window keeps shrinking.
        _wMax = segments < _wMax ? segments * (1 + Beta) / 2 : segments;
        Ssthresh = Math.Max((int)(Math.Max(flight, Mss) * Beta), 2 * Mss);
        _epochStart = -1;
    }
}
