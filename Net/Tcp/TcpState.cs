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

internal static class TcpStateExtensions
{
    /// <summary>States after the handshake in which sequence numbers of both sides are known.</summary>
    public static bool IsSynchronized(this TcpState s) => s >= TcpState.Established;

    /// <summary>States in which the peer may still send us data.</summary>
    public static bool CanReceiveData(this TcpState s) => s is TcpState.Established or TcpState.FinWait1 or TcpState.FinWait2;

}
