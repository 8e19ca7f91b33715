namespace CosmosNet.Net.Tcp;

/// <summary>One connection as diagnostics show it (<see cref="TcpFlow.Statistics"/>): endpoints and state; the peer's
/// window and the one we advertise; smoothed RTT and RTO (nanoseconds; RTT 0 before the first sample); congestion
/// window and slow-start threshold (bytes); the send MSS; data bytes the peer acknowledged and data bytes received in order
/// (both modulo 2^32: sequence-number arithmetic, SYN and FIN left out); segments retransmitted; bytes waiting in the send and receive buffers;
/// the loss-recovery state (<c>open</c>, <c>dupacks=N</c>, or <c>recovery(...)</c> with its recovery point, highest
/// resend, SACKed bytes and pipe).</summary>
public readonly record struct TcpFlowStatistics(
    TcpState State, TcpEndpoint Local, TcpEndpoint Remote, int SendWindow, int ReceiveWindow,
    long SmoothedRttNanoseconds, long RtoNanoseconds, int CongestionWindow, int SlowStartThreshold, int SendMss,
    uint BytesAcknowledged, uint BytesReceived, long Retransmits, int SendBuffered, int ReceiveBuffered, string Recovery);
