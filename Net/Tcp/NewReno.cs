namespace CosmosNet.Net.Tcp;

/// <summary>Reno/NewReno window growth and reduction (RFC 5681, RFC 6582): halve on loss, one MSS per RTT in avoidance.</summary>
internal sealed class NewReno : CongestionControl
{
    private int _ackedInAvoidance;

    public NewReno(int mss, int slowStartAckLimit) : base(mss, slowStartAckLimit) { }

    public override void OnAck(int acked, long nowNs, long srttNs)
    {
        if (InSlowStart) { SlowStart(acked); return; }
        // Congestion avoidance by byte counting: cwnd grows one MSS per cwnd of acknowledged bytes.
        _ackedInAvoidance += acked;
        if (_ackedInAvoidance >= Cwnd)
        {
            _ackedInAvoidance -= Cwnd;
            Cwnd += Mss;
        }
    }

    public override void OnCongestionEvent(int flight, long nowNs)
    {
        Ssthresh = Math.Max(flight / 2, 2 * Mss);
        Cwnd = Ssthresh;
        _ackedInAvoidance = 0;
        LeaveTimeoutSlowStart();
    }

    public override void OnTimeout(int flight, long nowNs)
    {
        Ssthresh = Math.Max(flight / 2, 2 * Mss);
        Cwnd = Mss;
        _ackedInAvoidance = 0;
        RestartAfterTimeout();
    }
}
