namespace CosmosNet.Net.Tcp;

/// <summary>The connection states of RFC 9293 3.3.2 (LISTEN lives in the stack's listener table, not in a flow).</summary>
public enum TcpState
{
    Closed,
    SynSent,
    SynReceived,
    Established,
    FinWait1,
    FinWait2,
    CloseWait,
    Closing,
    LastAck,
    TimeWait,
}

/// <summary>What moves a connection from one state to the next (the arcs of RFC 9293 figure 5).</summary>
internal enum TcpEvent
{
    /// <summary>The user connects: our SYN goes out.</summary>
    ActiveOpen,
    /// <summary>A listener accepted the peer's SYN: our SYN-ACK goes out.</summary>
    PassiveOpen,
    /// <summary>A SYN without ACK answered our SYN (simultaneous open, RFC 9293 figure 8).</summary>
    SimultaneousOpen,
    /// <summary>Both SYNs are acknowledged.</summary>
    HandshakeDone,
    /// <summary>The user closed the sending side: a FIN is queued after the buffered data.</summary>
    Close,
    /// <summary>The peer's FIN arrived in order.</summary>
    FinReceived,
    /// <summary>The peer acknowledged our FIN.</summary>
    FinAcknowledged,
    /// <summary>The connection ends now: reset, timeout, TIME_WAIT over, or the stack going down.</summary>
    Abort,
}

internal static class TcpStateExtensions
{
    /// <summary>States after the handshake in which sequence numbers of both sides are known.</summary>
    public static bool IsSynchronized(this TcpState s) => s >= TcpState.Established;

    /// <summary>States in which the peer may still send us data.</summary>
    public static bool CanReceiveData(this TcpState s) => s is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2;

    /// <summary>
    /// The transition table. An event that means nothing in a state leaves it unchanged (a FIN queued in SYN_RECEIVED
    /// waits there for the handshake; <see cref="TcpFlow"/> replays <see cref="TcpEvent.Close"/> once established).
    /// </summary>
    public static TcpState Next(this TcpState s, TcpEvent e) => (s, e) switch
    {
        (_, TcpEvent.Abort) => TcpState.Closed,
        (TcpState.Closed, TcpEvent.ActiveOpen) => TcpState.SynSent,
        (TcpState.Closed, TcpEvent.PassiveOpen) => TcpState.SynReceived,
        (TcpState.SynSent, TcpEvent.SimultaneousOpen) => TcpState.SynReceived,
        (TcpState.SynSent or TcpState.SynReceived, TcpEvent.HandshakeDone) => TcpState.Established,
        (TcpState.Established, TcpEvent.Close) => TcpState.FinWait1,
        (TcpState.CloseWait, TcpEvent.Close) => TcpState.LastAck,
        (TcpState.Established, TcpEvent.FinReceived) => TcpState.CloseWait,
        (TcpState.FinWait1, TcpEvent.FinReceived) => TcpState.Closing,
        (TcpState.FinWait2, TcpEvent.FinReceived) => TcpState.TimeWait,
        (TcpState.FinWait1, TcpEvent.FinAcknowledged) => TcpState.FinWait2,
        (TcpState.Closing, TcpEvent.FinAcknowledged) => TcpState.TimeWait,
        (TcpState.LastAck, TcpEvent.FinAcknowledged) => TcpState.Closed,
        _ => s,
    };
}
