namespace CosmosNet.Net.Tcp;

/// <summary>
/// A congestion controller: owns cwnd and ssthresh (bytes). The connection tells it about new ACKs outside loss
/// recovery, about loss detected by duplicate ACKs or SACK (entering recovery), and about retransmission timeouts.
/// Recovery itself (what to retransmit, RFC 6675's pipe) is the connection's job, so controllers stay small.
/// </summary>
internal abstract class CongestionControl
{
    protected int Mss;

    protected CongestionControl(int mss)
    {
        Mss = mss;
        Cwnd = InitialWindow(mss);
    }

    public int Cwnd { get; protected set; }
    public int Ssthresh { get; protected set; } = int.MaxValue;

    public bool InSlowStart => Cwnd < Ssthresh;

    public static CongestionControl Create(CongestionControlKind kind, int mss) => kind switch
    {
        CongestionControlKind.NewReno => new NewReno(mss),
        _ => new Cubic(mss),
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

    /// <summary>Slow start by appropriate byte counting, at most one MSS per ACK (RFC 5681 3.1).</summary>
    protected void SlowStart(int acked) => Cwnd = Math.Min(Cwnd + Math.Min(acked, Mss), Math.Max(Ssthresh, Cwnd + 1));
}
