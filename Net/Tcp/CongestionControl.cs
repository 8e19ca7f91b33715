namespace CosmosNet.Net.Tcp;

/// <summary>
/// A congestion controller: owns cwnd and ssthresh (bytes). The connection tells it about new ACKs outside loss
/// recovery, about loss detected by duplicate ACKs or SACK (entering recovery), and about retransmission timeouts.
/// Recovery itself (what to retransmit, RFC 6675's pipe) is the connection's job, so controllers stay small.
/// </summary>
internal abstract class CongestionControl
{
    protected int Mss;
    private readonly int _ackLimit;   // RFC 3465's L in bytes: the most one ACK may grow cwnd by in slow start
    private bool _afterTimeout;       // the slow start that follows a retransmission timeout: L is one MSS then

    /// <param name="slowStartAckLimit">RFC 3465's L (<see cref="TcpConfig.SlowStartAckLimit"/>); at least one MSS.</param>
    protected CongestionControl(int mss, int slowStartAckLimit)
    {
        Mss = mss;
        _ackLimit = slowStartAckLimit;
        Cwnd = InitialWindow(mss);
    }

    public int Cwnd { get; protected set; }
    public int Ssthresh { get; protected set; } = int.MaxValue;

    public bool InSlowStart => Cwnd < Ssthresh;

    public static CongestionControl Create(CongestionControlKind kind, int mss, int slowStartAckLimit = TcpConfig.DefaultSlowStartAckLimit) => kind switch
    {
        CongestionControlKind.NewReno => new NewReno(mss, slowStartAckLimit),
        _ => new Cubic(mss, slowStartAckLimit),
    };

    /// <summary>RFC 6928: min(10 * MSS, max(2 * MSS, 14600)).</summary>
    public static int InitialWindow(int mss) => Math.Min(10 * mss, Math.Max(2 * mss, 14600));

    public void SetMss(int mss) { Mss = mss; Cwnd = Math.Max(Cwnd, mss); }

    /// <summary><paramref name="acked"/> new bytes were acknowledged outside recovery while the window was in use.</summary>
    public abstract void OnAck(int acked, long nowNs, long srttNs);

    /// <summary>Loss detected by duplicate ACKs or SACK: the multiplicative decrease on entering fast recovery.</summary>
    public abstract void OnCongestionEvent(int flight, long nowNs);

    /// <summary>The retransmission timer expired: back to one segment (RFC 5681 3.1 loss window).</summary>
    public abstract void OnTimeout(int flight, long nowNs);

    /// <summary>Recovery ended with a full ACK: deflate to ssthresh (RFC 6582 3.2 step 3).</summary>
    public virtual void OnRecoveryExit() => Cwnd = Math.Max(Ssthresh, Mss);

    /// <summary>
    /// Slow start by appropriate byte counting (RFC 3465): cwnd grows by the bytes the ACK acknowledged, at most L
    /// (<see cref="TcpConfig.SlowStartAckLimit"/>) — so a peer that acknowledges 64 KiB at once (GRO/LRO, stretch ACKs)
    /// doubles the window each round trip as one that ACKs every other segment does, where counting one MSS per ACK (RFC
    /// 5681 3.1's conservative form) grew it by a few percent. In the slow start that follows a retransmission timeout L
    /// is one MSS (RFC 3465 2.3): a cumulative ACK for data the peer already held must not release a burst. cwnd stops at
    /// ssthresh; above it congestion avoidance takes over.
    /// </summary>
    protected void SlowStart(int acked)
    {
        int limit = _afterTimeout ? Mss : Math.Max(_ackLimit, Mss);
        long grown = (long)Cwnd + Math.Min(Math.Max(acked, 0), limit);
        Cwnd = (int)Math.Min(grown, Math.Max(Ssthresh, Cwnd + 1L));
        if (Cwnd >= Ssthresh) _afterTimeout = false;
    }

    /// <summary>A retransmission timeout: slow start restarts from the loss window with L = one MSS.</summary>
    protected void RestartAfterTimeout() => _afterTimeout = true;

    /// <summary>Fast recovery (not a timeout) began: the slow start after it, if any, counts bytes in full again.</summary>
    protected void LeaveTimeoutSlowStart() => _afterTimeout = false;
}
