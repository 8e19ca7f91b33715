namespace CosmosNet.Net.Tcp;

/// <summary>Counters of one TCP stack: what arrived, what was dropped and why, what was sent.</summary>
public sealed class TcpStatistics
{
    public long SegmentsReceived;
    public long SegmentsSent;
    public long Retransmissions;
    public long RetransmissionTimeouts;
    public long FastRecoveries;
    public long BadChecksum;
    public long Malformed;
    public long BadOptions;
    public long NoConnection;
    public long ResetsSent;
    public long ResetsReceived;
    public long ChallengeAcksSent;
    public long ChallengeAcksSuppressed;
    public long PawsRejected;
    public long OutOfWindow;
    public long OutOfOrderQueued;
    public long OutOfOrderDropped;
    public long SynCookiesSent;
    public long SynCookiesAccepted;
    public long SynCookiesRejected;
    public long ConnectionsOpened;
    public long ConnectionsAccepted;
    public long ConnectionsClosed;
    public long KeepaliveTimeouts;
    public long ZeroWindowProbes;
    public long IcmpIgnored;
    /// <summary>Exceptions contained while processing one flow (a segment, a timer, a listener's callback): each reset
    /// its connection (or dropped a segment that belonged to none), and the stack carried on.</summary>
    public long Faults;

    public override string ToString() =>
        $"in {SegmentsReceived} out {SegmentsSent} rexmit {Retransmissions} rto {RetransmissionTimeouts} fastrec {FastRecoveries} " +
        $"badsum {BadChecksum} malformed {Malformed} badopt {BadOptions} noconn {NoConnection} rst-out {ResetsSent} rst-in {ResetsReceived} " +
        $"challenge {ChallengeAcksSent}/{ChallengeAcksSuppressed} paws {PawsRejected} oow {OutOfWindow} ooo {OutOfOrderQueued}/{OutOfOrderDropped} " +
        $"cookies {SynCookiesSent}/{SynCookiesAccepted}/{SynCookiesRejected} open {ConnectionsOpened} accepted {ConnectionsAccepted} closed {ConnectionsClosed} zwp {ZeroWindowProbes} keepalive-timeouts {KeepaliveTimeouts} faults {Faults}";
}
