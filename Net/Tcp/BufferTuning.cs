namespace CosmosNet.Net.Tcp;

/// <summary>
/// How large a connection's buffers may be, following use (as Linux's receive-buffer auto-tuning, DRS, and its send
/// buffer growth do): the receive limit starts small and, at the end of a round trip in which the user read at least half
/// of it (the window, not the reader, held the sender back), becomes twice what was read plus a few segments of slack —
/// a sender that fills the window doubles it each RTT until the bandwidth-delay product fits — up to the configured
/// maximum. A reader slower than the path keeps the small window. The send limit is twice the congestion window. Under memory pressure both fall back to their
/// initial size (the receive window then closes gradually: its right edge never moves left).
/// </summary>
internal sealed class BufferTuning
{
    private const long DefaultRttNs = 100_000_000; // until the connection has a round-trip sample

    private readonly int _initialReceive, _maxReceive, _initialSend, _maxSend;
    private long _roundStart;
    private int _readInRound;

    public BufferTuning(TcpConfig config)
    {
        _maxReceive = Math.Max(config.ReceiveBufferSize, 1);
        _maxSend = Math.Max(config.SendBufferSize, 1);
        _initialReceive = Math.Clamp(config.InitialReceiveBufferSize, 1, _maxReceive);
        _initialSend = Math.Clamp(config.InitialSendBufferSize, 1, _maxSend);
        ReceiveLimit = _initialReceive;
    }

    /// <summary>The receive window's budget now.</summary>
    public int ReceiveLimit { get; private set; }

    /// <summary>The user read <paramref name="bytes"/>; at the end of a round trip the receive limit follows what one round trip carried.</summary>
    public void Read(int bytes, long nowNs, long rttNs, int mss, bool pressure)
    {
        if (pressure) { ReceiveLimit = _initialReceive; _readInRound = 0; _roundStart = nowNs; return; }
        _readInRound += bytes;
        if (nowNs - _roundStart < (rttNs > 0 ? rttNs : DefaultRttNs)) return;
        // Slack of 4 segments: a window of a few MSS is also cut short by sender silly-window avoidance.
        long wanted = 2L * _readInRound + 4L * mss;
        if (2L * _readInRound >= ReceiveLimit && wanted > ReceiveLimit) ReceiveLimit = (int)Math.Min(wanted, _maxReceive);
        _roundStart = nowNs;
        _readInRound = 0;
    }

    /// <summary>Memory ran short: stop growing, back to the initial window.</summary>
    public void Pressure() => ReceiveLimit = _initialReceive;

    /// <summary>The send buffer's limit for congestion window <paramref name="cwnd"/>.</summary>
    public int SendLimit(int cwnd, bool pressure) =>
        pressure ? _initialSend : (int)Math.Clamp(2L * cwnd, _initialSend, _maxSend);
}
