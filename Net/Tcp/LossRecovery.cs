using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// The sender's view of loss: round-trip timing (RFC 6298, Karn's rule when there are no timestamps), duplicate ACKs,
/// the SACK scoreboard, fast retransmit and recovery (RFC 6675; RFC 6582's partial-ACK rule when the peer does not
/// SACK), retransmission timeouts, and the congestion controller they all feed. What to send next stays with the flow;
/// this answers how much may be in flight and which bytes are deemed lost.
/// </summary>
internal sealed class LossRecovery
{
    public const int DupThresh = 3;

    private readonly SackScoreboard _scoreboard;
    private SeqNum _recoveryPoint;    // RFC 6582 "recover": SND.MAX when loss recovery (or a timeout) began
    private SeqNum _highRxt;          // RFC 6675 HighRxt: highest sequence number retransmitted in this recovery
    private SeqNum _forcedLossEnd;    // bytes below this count as lost even without SACK evidence
    private bool _timing;             // Karn: one unretransmitted segment being timed when there are no timestamps
    private SeqNum _timedSeq;
    private long _timedAt;
    private long _synSentAt;

    /// <param name="iss">Our initial sequence number: where "recover" starts (RFC 6582 3.2 step 1), so the first loss
    /// anywhere in the sequence space can start a recovery.</param>
    public LossRecovery(TcpConfig config, int mss, SeqNum iss)
    {
        _recoveryPoint = _highRxt = _forcedLossEnd = iss;
        _scoreboard = new SackScoreboard(config.MaxOutOfOrderRanges);
        Rtt = new RttEstimator(Ns(config.InitialRto), Ns(config.MinRto), Ns(config.MaxRto));
        Congestion = CongestionControl.Create(config.CongestionControl, mss, config.SlowStartAckLimit);
        Mss = mss;
    }

    public RttEstimator Rtt { get; }
    public CongestionControl Congestion { get; }
    public int Mss { get; private set; }
    /// <summary>The peer SACKs (RFC 2018): holes come from the scoreboard rather than from duplicate ACK counting.</summary>
    public bool Sack { get; set; }
    public bool InRecovery { get; private set; }
    public int DuplicateAcks { get; private set; }

    public override string ToString() =>
        $"cwnd={Congestion.Cwnd} ssthresh={Congestion.Ssthresh} rto={Rtt.Rto / 1_000_000}ms recovery={InRecovery} " +
        $"recover={_recoveryPoint} highRxt={_highRxt} dup={DuplicateAcks} sacked={_scoreboard.SackedBytes}";

    /// <summary>The recovery state in one word for diagnostics: open, dupacks=N, or recovery(...) with its recovery point
    /// (relative to <paramref name="una"/>), the highest resend, SACKed bytes and the pipe.</summary>
    public string Describe(SeqNum una, SeqNum max) =>
        InRecovery ? $"recovery(recover=+{_recoveryPoint - una},highRxt=+{_highRxt - una},sacked={_scoreboard.SackedBytes},pipe={Pipe(una, max)})"
        : DuplicateAcks > 0 ? $"dupacks={DuplicateAcks}" : "open";

    public void SetMss(int mss)
    {
        Mss = mss;
        Congestion.SetMss(mss);
    }

    // ---- round-trip timing -------------------------------------------------------------------------------------

    public void SynSent(long nowNs) => _synSentAt = nowNs;

    /// <summary>Our SYN was acknowledged; Karn: only an unretransmitted SYN gives a sample.</summary>
    public void SynAcknowledged(bool retransmitted, long nowNs)
    {
        if (!retransmitted) Rtt.Sample(nowNs - _synSentAt);
    }

    /// <summary>A segment starting at <paramref name="seq"/> goes out; without timestamps one new segment at a time is timed.</summary>
    public void Transmitting(SeqNum seq, bool retransmission, bool timestamps, long nowNs)
    {
        if (retransmission) _timing = false; // Karn's algorithm
        else if (!_timing && !timestamps) { _timing = true; _timedSeq = seq; _timedAt = nowNs; }
    }

    // ---- acknowledgements --------------------------------------------------------------------------------------

    /// <summary>
    /// SND.UNA advanced from <paramref name="una"/> to <paramref name="ack"/> with <paramref name="max"/> sent.
    /// <paramref name="timestampRtt"/> is the sample an echoed timestamp gives, if any.
    /// </summary>
    public void Acknowledged(SeqNum una, SeqNum ack, SeqNum max, long? timestampRtt, long nowNs)
    {
        int flightBefore = max - una;
        if (timestampRtt is { } sample) Rtt.Sample(sample);
        else if (_timing && ack > _timedSeq) Rtt.Sample(nowNs - _timedAt);
        if (_timing && ack > _timedSeq) _timing = false;

        if (_highRxt < ack) _highRxt = ack;
        _scoreboard.Acknowledge(ack);
        Rtt.ResetBackoffs();
        DuplicateAcks = 0;

        if (InRecovery)
        {
            if (ack >= _recoveryPoint) { InRecovery = false; Congestion.OnRecoveryExit(); }
            else if (!Sack) _forcedLossEnd = ack + Mss; // RFC 6582 partial ACK: resend the next segment
        }
        else if (flightBefore >= Congestion.Cwnd / 2)
        {
            Congestion.OnAck(ack - una, nowNs, Rtt.SmoothedRtt);
        }
    }

    public void DuplicateAck() => DuplicateAcks++;

    /// <summary>Records the SACK blocks of an ACK (after SND.UNA moved).</summary>
    public void Sacked(in TcpOptions opt, SeqNum una, SeqNum max)
    {
        if (!Sack) return;
        for (int i = 0; i < opt.SackCount; i++) _scoreboard.Add(opt.Sack[i], una, max);
    }

    /// <summary>RFC 6675 5 / RFC 5681 3.2: enough duplicate ACKs or SACKed bytes above a hole, outside recovery and past the last one.</summary>
    public bool LossDetected(SeqNum una, SeqNum max) =>
        !InRecovery && max > una && una >= _recoveryPoint
        && (DuplicateAcks >= DupThresh || (Sack && _scoreboard.LostEdge(una, DupThresh, Mss) > una));

    public void EnterRecovery(SeqNum una, SeqNum max, long nowNs)
    {
        InRecovery = true;
        _recoveryPoint = max;
        _highRxt = una;
        _forcedLossEnd = una + Mss; // RFC 6675 5 step 4: the first unacknowledged segment is resent at once
        _timing = false;
        Congestion.OnCongestionEvent(max - una, nowNs);
    }

    /// <summary>Retransmission timeout (RFC 6298 5.5, RFC 5681 3.1): collapse the window, back off, leave recovery, everything outstanding is suspect.</summary>
    public void TimedOut(SeqNum una, SeqNum max, long nowNs)
    {
        Congestion.OnTimeout(max - una, nowNs);
        Rtt.Backoff();
        InRecovery = false;
        _recoveryPoint = max;
        _highRxt = una;
        _forcedLossEnd = una;
        DuplicateAcks = 0;
        _timing = false;
    }

    // ---- what is in flight, what is lost -------------------------------------------------------------------------

    /// <summary>Bytes in flight outside recovery: sent (up to SND.NXT), unacknowledged and not SACKed.</summary>
    public int Flight(SeqNum una, SeqNum nxt) => _scoreboard.Unsacked(una, nxt);

    /// <summary>Everything un-SACKed below the returned sequence number is deemed lost.</summary>
    public SeqNum LostEdge(SeqNum una, SeqNum max)
    {
        var edge = Sack ? _scoreboard.LostEdge(una, DupThresh, Mss) : una;
        return SeqNum.Max(edge, SeqNum.Min(_forcedLossEnd, max));
    }

    /// <summary>RFC 6675 SetPipe: un-SACKed bytes in flight, minus those deemed lost and not yet retransmitted.</summary>
    public int Pipe(SeqNum una, SeqNum max)
    {
        int outstanding = _scoreboard.Unsacked(una, max);
        var from = SeqNum.Max(_highRxt, una);
        var lost = LostEdge(una, max);
        int pipe = outstanding - (lost > from ? _scoreboard.Unsacked(from, lost) : 0);
        if (!Sack) pipe -= Math.Min(DuplicateAcks * Mss, pipe); // each duplicate ACK: one segment left the network
        return Math.Max(pipe, 0);
    }

    /// <summary>RFC 6675 NextSeg rule 1: the next lost hole not yet retransmitted in this recovery.</summary>
    public bool NextLostHole(SeqNum una, SeqNum max, out SeqNum start, out SeqNum end) =>
        _scoreboard.NextHole(SeqNum.Max(_highRxt, una), LostEdge(una, max), out start, out end);

    /// <summary>Everything below <paramref name="seq"/> has been retransmitted (or skipped) in this recovery.</summary>
    public void RetransmittedUpTo(SeqNum seq) => _highRxt = seq;

    /// <summary>If <paramref name="seq"/> lies in a SACKed range, the end of that range; otherwise <paramref name="seq"/>.</summary>
    public SeqNum SkipSacked(SeqNum seq) => _scoreboard.SkipSacked(seq);

    /// <summary>Where the un-SACKed run starting at <paramref name="seq"/> ends, below <paramref name="max"/>.</summary>
    public bool HoleEnd(SeqNum seq, SeqNum max, out SeqNum end) => _scoreboard.NextHole(seq, max, out _, out end);

    private static long Ns(TimeSpan t) => t.Ticks * 100;
}
