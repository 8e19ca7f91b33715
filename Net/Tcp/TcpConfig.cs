namespace CosmosNet.Net.Tcp;

/// <summary>What a listener does with a new SYN while memory is below <see cref="TcpConfig.MemoryLowWater"/>.</summary>
public enum SynUnderPressure { Cookies, Drop }

/// <summary>The congestion controller a stack gives its connections.</summary>
public enum CongestionControlKind { Cubic, NewReno }

/// <summary>
/// TCP keep-alive (RFC 1122 4.2.3.6; Mirage_protocols.Keepalive): after <see cref="After"/> of silence from the peer,
/// send a probe every <see cref="Interval"/>; after <see cref="Probes"/> unanswered probes the connection is dropped.
/// </summary>
public sealed record Keepalive(TimeSpan After, TimeSpan Interval, int Probes)
{
    public override string ToString() => $"keepalive(after {After.TotalSeconds}s, every {Interval.TotalSeconds}s, {Probes} probes)";
}

/// <summary>Tunables of a TCP stack. The defaults follow the RFCs and common practice.</summary>
public sealed record TcpConfig
{
    /// <summary>
    /// Per-connection receive buffer at most: the largest window auto-tuning may grow to (it also fixes the window scale:
    /// 7 for 4 MiB). Like Linux's tcp_rmem maximum (6 MiB) it costs nothing until used: a connection starts at
    /// <see cref="InitialReceiveBufferSize"/>, grows only while the reader keeps up with a sender the window holds back,
    /// holds memory only for the bytes it holds, and every window is granted only while memory can back it.
    /// </summary>
    public int ReceiveBufferSize { get; init; } = 4 * 1024 * 1024;
    /// <summary>
    /// Per-connection send buffer at most (Linux's tcp_wmem maximum is 4 MiB): writes wait (back-pressure) while it is
    /// full. It grows with the congestion window (twice it) and holds memory only for the bytes queued.
    /// </summary>
    public int SendBufferSize { get; init; } = 4 * 1024 * 1024;
    /// <summary>The receive window a connection starts with; auto-tuning grows it with the measured bandwidth-delay product.</summary>
    public int InitialReceiveBufferSize { get; init; } = 4 * 1024;
    /// <summary>The send buffer a connection starts with (and falls back to under memory pressure).</summary>
    public int InitialSendBufferSize { get; init; } = 4 * 1024;
    /// <summary>
    /// Below this many bytes of available memory (<see cref="Platform.IMemoryBudget"/>, less what advertised windows
    /// already promise) the stack is under pressure: windows stop growing and fall back to their initial size, new SYNs
    /// get <see cref="SynsUnderPressure"/>.
    /// </summary>
    public long MemoryLowWater { get; init; } = 4 * 1024 * 1024;
    public SynUnderPressure SynsUnderPressure { get; init; } = SynUnderPressure.Cookies;
    /// <summary>Free buffer chunks the stack keeps for reuse instead of leaving them to the collector, at most.</summary>
    public int BufferPoolBytes { get; init; } = 2 * 1024 * 1024;
    /// <summary>Free buffer chunks kept once the connections have held no more than this for a second (idle); more only while busy.</summary>
    public int BufferPoolReserveBytes { get; init; } = 256 * 1024;
    public CongestionControlKind CongestionControl { get; init; } = CongestionControlKind.Cubic;
    /// <summary>
    /// RFC 3465's L: the most one ACK may grow the congestion window by in slow start (byte counting; one MSS in the slow
    /// start after a retransmission timeout). RFC 3465 suggests 2 MSS for a peer that ACKs every other segment; a Linux
    /// peer with GRO acknowledges up to 64 KiB at once, and Linux itself counts every acknowledged byte in slow start.
    /// </summary>
    public int SlowStartAckLimit { get; init; } = DefaultSlowStartAckLimit;
    internal const int DefaultSlowStartAckLimit = 64 * 1024;
    public bool Timestamps { get; init; } = true;
    public bool Sack { get; init; } = true;
    public bool WindowScaling { get; init; } = true;
    /// <summary>Maximum segment lifetime; TIME_WAIT lasts twice this (RFC 9293 3.4.2).</summary>
    public TimeSpan Msl { get; init; } = TimeSpan.FromSeconds(30);
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MinRto { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan MaxRto { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>Retransmissions of SYN before a connection attempt fails with TimedOut.</summary>
    public int SynRetries { get; init; } = 5;
    /// <summary>Retransmissions of SYN-ACK before a half-open passive connection is dropped.</summary>
    public int SynAckRetries { get; init; } = 5;
    /// <summary>Consecutive retransmission timeouts of data before the connection is dropped.</summary>
    public int MaxRetries { get; init; } = 12;
    /// <summary>How long an ACK may be delayed (RFC 1122 allows up to 500 ms).</summary>
    public TimeSpan DelayedAckTimeout { get; init; } = TimeSpan.FromMilliseconds(40);
    /// <summary>How long CloseAsync waits for the peer to close too before resetting the connection.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>
    /// Half-open (SYN_RECEIVED) connections per stack before SYN cookies take over (Linux's tcp_max_syn_backlog is 128 to
    /// thousands with memory; somaxconn 4096). A cookie connection whose handshake ACK is lost exists only for the client
    /// until it sends, so a burst of real connects must fit: a half-open flow retransmits its SYN-ACK instead. 4096 of them
    /// cost ~10 MiB; below <see cref="MemoryLowWater"/> every new SYN gets a cookie anyway.
    /// </summary>
    public int SynBacklog { get; init; } = 4096;
    /// <summary>Discontiguous out-of-order ranges held per connection; segments that would need more are dropped.</summary>
    public int MaxOutOfOrderRanges { get; init; } = 32;
    /// <summary>RFC 5961 challenge ACKs per second per stack; more are suppressed.</summary>
    public int ChallengeAcksPerSecond { get; init; } = 100;
    /// <summary>Ephemeral port range for active opens (RFC 6335 dynamic ports by default).</summary>
    public ushort EphemeralPortFirst { get; init; } = 49152;
    public ushort EphemeralPortLast { get; init; } = 65535;
    /// <summary>Largest segment this side accepts, before the path MTU lowers it.</summary>
    public int MaxMss { get; init; } = 65495;
}
