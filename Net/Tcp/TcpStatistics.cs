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
    /// <summary>Buffer chunks or connections that could not be allocated (the segment or SYN was dropped, never a crash).</summary>
    public long AllocationFailures;
    /// <summary>In-window data dropped because no buffer memory could be had (the peer retransmits it).</summary>
    public long ReceiveDroppedNoMemory;
    /// <summary>SYNs that arrived under memory pressure: answered with a cookie, or dropped (<see cref="TcpConfig.SynsUnderPressure"/>).</summary>
    public long SynsUnderPressure;
    public long SynsDroppedUnderPressure;
    /// <summary>TIME_WAIT records a new SYN took over early (RFC 6191).</summary>
    public long TimeWaitReused;
    /// <summary>Segments of many MSS held back because the device had no room for them (sent on a later ACK instead).</summary>
    public long SegmentsDeferred;

    public override string ToString() =>
        $"in {SegmentsReceived} out {SegmentsSent} rexmit {Retransmissions} rto {RetransmissionTimeouts} fastrec {FastRecoveries} " +
        $"badsum {BadChecksum} malformed {Malformed} badopt {BadOptions} noconn {NoConnection} rst-out {ResetsSent} rst-in {ResetsReceived} " +
        $"challenge {ChallengeAcksSent}/{ChallengeAcksSuppressed} paws {PawsRejected} oow {OutOfWindow} ooo {OutOfOrderQueued}/{OutOfOrderDropped} " +
        $"cookies {SynCookiesSent}/{SynCookiesAccepted}/{SynCookiesRejected} open {ConnectionsOpened} accepted {ConnectionsAccepted} closed {ConnectionsClosed} zwp {ZeroWindowProbes} keepalive-timeouts {KeepaliveTimeouts} faults {Faults} " +
        $"nomem {AllocationFailures}/{ReceiveDroppedNoMemory} pressure-syns {SynsUnderPressure}/{SynsDroppedUnderPressure} tw-reused {TimeWaitReused} deferred {SegmentsDeferred}";
}
