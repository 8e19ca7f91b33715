using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// TCP over one IP layer (the C# form of mirage-tcpip's Tcp.Flow): the connection table, the listener table ((address,
/// port) → {process, keepalive}; address 0.0.0.0 listens on every address of the host, 127/8 included) the input path consults, active opens, SYN cookies once the SYN backlog is full, RSTs for
/// segments that belong to nothing, and the shared pieces every flow uses (ISNs, ephemeral ports, the segment buffer).
/// </summary>
public sealed class TcpStack : IIpTransport
{
    private readonly IIpLayer _ip;
    private readonly Dictionary<TcpTuple, TcpFlow> _flows = new();
    private readonly Dictionary<TcpEndpoint, TcpListener> _listeners = new();
    private readonly Dictionary<ushort, int> _listenersOnPort = new();   // how many addresses listen on each port
    private readonly InitialSequenceNumbers _isn;
    private readonly EphemeralPorts _ports;
    private readonly SynCookies _cookies;
    private readonly KeyedHash _timestampKey;
    private readonly LogLimiter _faultLog;
    private readonly TimeWaitTable _timeWait;
    private long _challengeWindowStart;
    private int _challengeAcksInWindow;
    private bool _down;

    /// <param name="memory">What memory is left (the kernel's heap figures); null: no limit beyond allocation failing.</param>
    public TcpStack(IIpLayer ip, IClock clock, IRandomSource random, TcpConfig? config = null, IMemoryBudget? memory = null)
    {
        _ip = ip;
        Clock = clock;
        Random = random;
        Config = config ?? new TcpConfig();
        Memory = new TcpMemory(memory, Config, Statistics, clock);
        _isn = new InitialSequenceNumbers(clock, random);
        _ports = new EphemeralPorts(random, Config.EphemeralPortFirst, Config.EphemeralPortLast);
        _cookies = new SynCookies(clock, random);
        _timestampKey = new KeyedHash(random);
        _faultLog = new LogLimiter(clock);
        _timeWait = new TimeWaitTable(clock, Config.Msl, _ => Statistics.ConnectionsClosed++);
        SegmentBuffer = new byte[TcpSegment.MaxHeaderLength + 65535]; // sized for any path, whatever MSS we announce
        ip.Register(IpProtocol.Tcp, this);
    }

    public TcpConfig Config { get; }
    public TcpStatistics Statistics { get; } = new();
    internal IClock Clock { get; }
    internal IRandomSource Random { get; }
    internal TcpMemory Memory { get; }

    /// <summary>Memory is short (below <see cref="TcpConfig.MemoryLowWater"/>): new SYNs get cookies or are dropped, windows shrink. Servers should stop taking work.</summary>
    public bool UnderMemoryPressure => Memory.UnderPressure;

    /// <summary>Bytes of buffer chunks the connections hold now.</summary>
    public long BufferMemory => Memory.ChunksInUse * TcpMemory.ChunkSize;

    /// <summary>Bytes of free buffer chunks the pool keeps for reuse now.</summary>
    public long PooledBufferMemory => (long)Memory.PooledChunks * TcpMemory.ChunkSize;

    /// <summary>Scratch space for building one outgoing segment; the IP layer copies it before Send returns.</summary>
    internal byte[] SegmentBuffer { get; }

    /// <summary>Connections in the table, TIME_WAIT and half-open ones included.</summary>
    public int ConnectionCount => _flows.Count + _timeWait.Count;

    /// <summary>Connections in TIME_WAIT (each a small record, no flow).</summary>
    public int TimeWaitCount => _timeWait.Count;
    internal IEnumerable<TcpFlow> ConnectionsForTests() => _flows.Values;

    /// <summary>Every connection the stack holds (any state but Listen), as a copy taken now.</summary>
    public TcpFlow[] Connections() => _flows.Values.ToArray();

    /// <summary>Passive connections in SYN_RECEIVED (the SYN backlog).</summary>
    public int HalfOpenCount { get; internal set; }

    // ---- listeners ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Accepts connections to <paramref name="local"/>: each established flow gets the keepalive, then is passed to process.
    /// Address 0.0.0.0 accepts on every address of the host (the interface's and 127/8); a specific one (the interface's,
    /// or one in 127/8) only there, and wins over 0.0.0.0 for its address. Replaces a listener on the same address and port.
    /// </summary>
    public void Listen(TcpEndpoint local, TcpListener listener)
    {
        CaptureContext();
        if (_listeners.TryAdd(local, listener)) _listenersOnPort[local.Port] = _listenersOnPort.GetValueOrDefault(local.Port) + 1;
        else _listeners[local] = listener;
    }

    /// <summary>Accepts connections on <paramref name="port"/> of every address of the host (0.0.0.0).</summary>
    public void Listen(ushort port, TcpListener listener) => Listen(new TcpEndpoint(Ipv4Address.Any, port), listener);

    /// <summary>mirage-tcpip's <c>listen t ~port ?keepalive callback</c>.</summary>
    public void Listen(ushort port, Keepalive? keepalive, Func<TcpFlow, Task> process) => Listen(port, new TcpListener(process, keepalive));

    /// <summary>Stops accepting on <paramref name="local"/>; established flows are unaffected. False when nothing listened there.</summary>
    public bool Unlisten(TcpEndpoint local)
    {
        if (!_listeners.Remove(local)) return false;
        if (--_listenersOnPort[local.Port] == 0) _listenersOnPort.Remove(local.Port);
        return true;
    }

    /// <summary>Stops the listener of 0.0.0.0:<paramref name="port"/>.</summary>
    public bool Unlisten(ushort port) => Unlisten(new TcpEndpoint(Ipv4Address.Any, port));

    /// <summary>The listener a SYN to <paramref name="local"/> reaches: the one bound to that address, else the one bound
    /// to 0.0.0.0 when the address is the host's own.</summary>
    public TcpListener? ListenerFor(TcpEndpoint local) =>
        _listeners.GetValueOrDefault(local)
        ?? (_ip.IsLocal(local.Address) ? _listeners.GetValueOrDefault(local with { Address = Ipv4Address.Any }) : null);

    /// <summary>Whether anything listens on <paramref name="port"/>, on any address.</summary>
    public bool IsListening(ushort port) => _listenersOnPort.ContainsKey(port);

    // ---- active open --------------------------------------------------------------------------------------------

    /// <summary>Opens a connection (Mirage's <c>create_connection</c>): a flow once established, or why not.</summary>
    public Task<Result<TcpFlow, TcpError>> ConnectAsync(TcpEndpoint remote, Keepalive? keepalive = null) =>
        ConnectAsync(remote, keepalive, localPort: 0);

    /// <summary>Opens a connection from a chosen local port (0 = an ephemeral one), e.g. for a simultaneous open.</summary>
    public Task<Result<TcpFlow, TcpError>> ConnectAsync(TcpEndpoint remote, Keepalive? keepalive, ushort localPort) =>
        ConnectAsync(remote, keepalive, new TcpEndpoint(Ipv4Address.Any, localPort));

    /// <summary>
    /// Opens a connection from <paramref name="localEndpoint"/>: address 0.0.0.0 picks the source the route gives
    /// (127.0.0.1 towards 127/8, else the interface's address), port 0 an ephemeral port. A specific address must be one
    /// of the host's, and a 127/8 one reaches only the host itself.
    /// </summary>
    public Task<Result<TcpFlow, TcpError>> ConnectAsync(TcpEndpoint remote, Keepalive? keepalive, TcpEndpoint localEndpoint)
    {
        if (_down) return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.StackDown)));
        if (remote.Port == 0 || remote.Address.IsAny || remote.Address.IsBroadcast || remote.Address.IsMulticast)
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"cannot connect to {remote}")));
        var local = localEndpoint.Address;
        if (local.IsAny) local = _ip.SourceFor(remote.Address);
        else if (!_ip.IsLocal(local))
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"{local} is not an address of this host")));
        else if (local.IsLoopback && !_ip.IsLocal(remote.Address))
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"{local} cannot reach {remote}")));
        if (local.IsAny) return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.NoRoute, "no local address")));
        ushort port = localEndpoint.Port;
        if (port != 0 && InUse(new TcpTuple(local, port, remote.Address, remote.Port)))
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"port {port} already connected to {remote}")));
        if (port == 0 && !_ports.TryAllocate(local, remote.Address, remote.Port,
                p => InUse(new TcpTuple(local, p, remote.Address, remote.Port)) || IsListening(p), out port))
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.NoRoute, "no free ephemeral port")));

        var tuple = new TcpTuple(local, port, remote.Address, remote.Port);
        var flow = new TcpFlow(this, tuple, _isn.Next(local, port, remote.Address, remote.Port), LocalMss(remote.Address), PathMss(remote.Address));
        flow.SetKeepalive(keepalive);
        _flows.Add(tuple, flow);
        Statistics.ConnectionsOpened++;
        return flow.Open();
    }

    public Task<Result<TcpFlow, TcpError>> ConnectAsync(Ipv4Address address, ushort port, Keepalive? keepalive = null) =>
        ConnectAsync(new TcpEndpoint(address, port), keepalive);

    /// <summary>Tears the stack down (Mirage's <c>disconnect</c>): every connection is reset, every listener removed.</summary>
    public void Disconnect()
    {
        _down = true;
        _listeners.Clear();
        _listenersOnPort.Clear();
        foreach (var flow in _flows.Values.ToArray()) flow.Terminate(new TcpError(TcpErrorKind.StackDown), sendReset: true);
        _timeWait.Clear();
    }

    private bool InUse(TcpTuple tuple) => _flows.ContainsKey(tuple) || _timeWait.Contains(tuple);

    // ---- input --------------------------------------------------------------------------------------------------

    /// <summary>
    /// One segment from the IP layer. Fault containment (issue 14): an exception while it is processed — a bug, or an
    /// OutOfMemoryException — resets the one flow it was for (or drops the segment when it belonged to none), is
    /// counted in <see cref="TcpStatistics.Faults"/> and reported to <see cref="Log"/>; the stack and every other
    /// connection carry on.
    /// </summary>
    public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload) =>
        Receive(source, destination, payload, RxChecksum.Unverified);

    /// <summary>Like <see cref="Receive(Ipv4Address, Ipv4Address, ReadOnlySpan{byte})"/>; the checksum is not verified
    /// when the device vouched for it (<see cref="RxChecksum"/>).</summary>
    public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload, RxChecksum checksum)
    {
        try { Dispatch(source, destination, payload, checksum); }
        catch (Exception e) { Contain(_processing, e, $"a segment from {source}"); }
        finally { _processing = null; }
    }

    /// <summary>The flow the segment being dispatched is for, once known: the one a fault resets.</summary>
    private TcpFlow? _processing;

    private void Dispatch(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload, RxChecksum checksum)
    {
        Statistics.SegmentsReceived++;
        switch (TcpSegment.TryParse(payload, source, destination, out var seg, verifyChecksum: checksum == RxChecksum.Unverified))
        {
            case WireError.None: break;
            case WireError.BadChecksum: Statistics.BadChecksum++; return;
            default: Statistics.Malformed++; return;
        }
        if (TcpOptions.Parse(seg.Options, out var opt) != WireError.None) { Statistics.BadOptions++; return; }
        if (seg.SourcePort == 0 || seg.DestinationPort == 0 || source.IsBroadcast || source.IsMulticast || source.IsAny)
        {
            Statistics.Malformed++;
            return;
        }
        if (_down) { Statistics.NoConnection++; return; }

        var tuple = new TcpTuple(destination, seg.DestinationPort, source, seg.SourcePort);
        if (_flows.TryGetValue(tuple, out var flow))
        {
            _processing = flow;
            flow.Input(seg, opt);
            return;
        }
        SeqNum? minIss = null;
        if (_timeWait.TryGet(tuple, out var timeWait))
        {
            if (!TimeWaitInput(tuple, timeWait, seg, opt)) return;
            // RFC 6191: the SYN ends TIME_WAIT early; the new incarnation's ISS lies beyond the old one's sequence space
            // (RFC 9293 3.6.1), with a window's room to spare as Linux leaves.
            _timeWait.Remove(tuple);
            Statistics.ConnectionsClosed++;
            Statistics.TimeWaitReused++;
            minIss = timeWait.SendNext + 65537;
        }

        var flags = seg.Flags;
        if ((flags & TcpFlags.Rst) != 0) { Statistics.NoConnection++; return; }
        if (ListenerFor(new TcpEndpoint(destination, seg.DestinationPort)) is { } listener)
        {
            if ((flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin)) == TcpFlags.Syn) { PassiveOpen(tuple, seg, opt, listener, minIss); return; }
            if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Ack && TryCookie(tuple, seg, opt, listener)) return;
        }

        // RFC 9293 3.10.7.1: a segment for no connection gets a RST (a SYN to a port nobody listens on: refused).
        Statistics.NoConnection++;
        if ((flags & TcpFlags.Ack) != 0) SendReset(tuple, new SeqNum(seg.AckNumber), default, withAck: false);
        else SendReset(tuple, default, new SeqNum(seg.SequenceNumber) + seg.SequenceLength, withAck: true);
    }

    public void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu) =>
        ReceiveIcmpError(kind, _ip.LocalAddress, originalDestination, originalPayload, mtu);

    public void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalSource, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu)
    {
        if (originalPayload.Length < 8) return;
        var tuple = new TcpTuple(originalSource, BinaryPrimitives.ReadUInt16BigEndian(originalPayload),
            originalDestination, BinaryPrimitives.ReadUInt16BigEndian(originalPayload[2..]));
        // RFC 5927 4.1: act only if the quoted sequence number is one we have sent and not yet had acknowledged, so
        // that an off-path attacker cannot reset or slow a connection with forged ICMP.
        var quotedSeq = new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(originalPayload[4..]));
        if (_flows.TryGetValue(tuple, out var flow) && flow.IsUnacknowledged(quotedSeq)) flow.IcmpError(kind, mtu);
        else Statistics.IcmpIgnored++;
    }

    /// <param name="minIss">Set when the SYN reopens a connection from TIME_WAIT: the lowest ISS the new incarnation may use.</param>
    private void PassiveOpen(TcpTuple tuple, in TcpSegment seg, in TcpOptions opt, TcpListener listener, SeqNum? minIss)
    {
        var peerIsn = new SeqNum(seg.SequenceNumber);
        bool pressure = Memory.UnderPressure;
        if (pressure)
        {
            Statistics.SynsUnderPressure++;
            Memory.Trim();
            if (Config.SynsUnderPressure == SynUnderPressure.Drop) { Statistics.SynsDroppedUnderPressure++; return; }
        }
        if (pressure || HalfOpenCount >= Config.SynBacklog)
        {
            // Backlog full, or memory short: answer statelessly with a SYN cookie.
            Statistics.SynCookiesSent++;
            int mss = opt.Mss != 0 ? opt.Mss : 536;
            var cookie = _cookies.Make(tuple.LocalAddress, tuple.LocalPort, tuple.RemoteAddress, tuple.RemotePort, peerIsn, mss);
            SendCookieSynAck(tuple, cookie, peerIsn + 1);
            return;
        }
        var iss = _isn.Next(tuple.LocalAddress, tuple.LocalPort, tuple.RemoteAddress, tuple.RemotePort);
        if (minIss is { } least && iss < least) iss = least;
        if (NewFlow(tuple, iss) is not { } flow) return; // no memory for it: the peer's SYN retransmission tries again
        _processing = flow;
        flow.AcceptSyn(peerIsn, opt, listener);
        _flows.Add(tuple, flow);
        HalfOpenCount++;
        flow.CountsAsHalfOpen = true;
        Statistics.ConnectionsOpened++;
        flow.SendAck(); // in SYN_RECEIVED this is the SYN-ACK
    }

    private bool TryCookie(TcpTuple tuple, in TcpSegment seg, in TcpOptions opt, TcpListener listener)
    {
        var peerIsn = new SeqNum(seg.SequenceNumber) - 1;
        var cookie = new SeqNum(seg.AckNumber) - 1;
        if (!_cookies.Check(tuple.LocalAddress, tuple.LocalPort, tuple.RemoteAddress, tuple.RemotePort, peerIsn, cookie, out int mss))
        {
            Statistics.SynCookiesRejected++;
            return false;
        }
        Statistics.SynCookiesAccepted++;
        if (NewFlow(tuple, cookie) is not { } flow)
        {
            SendReset(tuple, new SeqNum(seg.AckNumber), default, withAck: false); // the peer believes it is connected: tell it
            return true;
        }
        _processing = flow;
        flow.AcceptCookie(peerIsn, mss, seg.Window, listener);
        _flows.Add(tuple, flow);
        Statistics.ConnectionsOpened++;
        flow.Input(seg, opt); // the cookie's ACK completes the handshake through the SYN_RECEIVED path
        return true;
    }

    /// <summary>A flow for a passive open, or null when its memory cannot be allocated (counted; never thrown into the receive path).</summary>
    private TcpFlow? NewFlow(TcpTuple tuple, SeqNum iss)
    {
        try { return new TcpFlow(this, tuple, iss, LocalMss(tuple.RemoteAddress), PathMss(tuple.RemoteAddress)); }
        catch (OutOfMemoryException)
        {
            Statistics.AllocationFailures++;
            return null;
        }
    }

    // ---- TIME_WAIT ----------------------------------------------------------------------------------------------

    /// <summary>A flow entered TIME_WAIT: it leaves the table and a small record answers for it from now on.</summary>
    internal void EnterTimeWait(TcpFlow flow, TimeWaitTable.Record record)
    {
        if (!_flows.TryGetValue(flow.Tuple, out var f) || !ReferenceEquals(f, flow)) return;
        _flows.Remove(flow.Tuple);
        TimeWaitTable.Shrink(_flows);
        _timeWait.Add(flow.Tuple, record, Clock.NowNanoseconds);
    }

    /// <summary>The TIME_WAIT record of the incarnation that began with ISS <paramref name="iss"/> is still held.</summary>
    internal bool InTimeWait(TcpTuple tuple, SeqNum iss) => _timeWait.TryGet(tuple, out var r) && r.Initial == iss;

    /// <summary>
    /// A segment for a connection in TIME_WAIT (RFC 9293 3.10.7.4, with RFC 7323 PAWS, RFC 5961 and RFC 1337's caution),
    /// answered from its record. True when it is a SYN that may open a new incarnation (RFC 6191): a newer timestamp,
    /// or without timestamps a sequence number beyond the old connection's.
    /// </summary>
    private bool TimeWaitInput(TcpTuple tuple, in TimeWaitTable.Record r, in TcpSegment seg, in TcpOptions opt)
    {
        var flags = seg.Flags;
        var seq = new SeqNum(seg.SequenceNumber);
        bool timestamps = r.Timestamps && opt.HasTimestamps;
        if ((flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Rst)) == TcpFlags.Syn)
        {
            if (timestamps ? (int)(opt.TsVal - r.TsRecent) > 0 : seq > r.ReceiveNext) return true;
            if (AllowChallengeAck()) { Statistics.ChallengeAcksSent++; TimeWaitAck(tuple, r); } // an old duplicate SYN
            else Statistics.ChallengeAcksSuppressed++;
            return false;
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            // RFC 5961 3: only a RST exactly at RCV.NXT ends TIME_WAIT; the window is closed, so nothing else is acceptable.
            if (seq == r.ReceiveNext && _timeWait.Remove(tuple))
            {
                Statistics.ResetsReceived++;
                Statistics.ConnectionsClosed++;
            }
            return false;
        }
        bool pureAck = seg.Payload.IsEmpty && (flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0;
        if (timestamps && (int)(opt.TsVal - r.TsRecent) < 0)
        {
            Statistics.PawsRejected++;
            if (!pureAck) TimeWaitAck(tuple, r);
            return false;
        }
        if ((flags & TcpFlags.Fin) != 0)
        {
            // The peer resent its FIN, so our ACK of it was lost: acknowledge it again and wait 2·MSL from now.
            _timeWait.Restart(tuple, opt.TsVal, Clock.NowNanoseconds);
            _timeWait.TryGet(tuple, out var restarted);
            TimeWaitAck(tuple, restarted);
            return false;
        }
        if (!pureAck) { Statistics.OutOfWindow++; TimeWaitAck(tuple, r); } // data after the FIN: not acceptable, ACK it
        return false;
    }

    /// <summary>The ACK the connection in TIME_WAIT keeps sending: &lt;SEQ=SND.NXT&gt;&lt;ACK=RCV.NXT&gt;, with timestamps when it had them.</summary>
    private void TimeWaitAck(TcpTuple tuple, in TimeWaitTable.Record r)
    {
        var opt = TcpOptions.None;
        if (r.Timestamps)
        {
            opt.HasTimestamps = true;
            opt.TsVal = (uint)(Clock.NowNanoseconds / 1_000_000) + TimestampOffset(tuple);
            opt.TsEcr = r.TsRecent;
        }
        int optLen = opt.Write(SegmentBuffer.AsSpan(TcpSegment.MinHeaderLength));
        int length = TcpSegment.WriteHeader(SegmentBuffer, tuple.LocalPort, tuple.RemotePort, r.SendNext.Value, r.ReceiveNext.Value,
            TcpFlags.Ack, r.Window, optLen, 0, tuple.LocalAddress, tuple.RemoteAddress);
        Send(tuple, SegmentBuffer.AsSpan(0, length));
    }

    private void SendCookieSynAck(TcpTuple tuple, SeqNum cookie, SeqNum ack)
    {
        var opt = TcpOptions.None;
        opt.Mss = (ushort)Math.Min(LocalMss(tuple.RemoteAddress), 65535);
        int optLen = opt.Write(SegmentBuffer.AsSpan(TcpSegment.MinHeaderLength));
        int length = TcpSegment.WriteHeader(SegmentBuffer, tuple.LocalPort, tuple.RemotePort, cookie.Value, ack.Value,
            TcpFlags.Syn | TcpFlags.Ack, (ushort)Math.Min(Config.InitialReceiveBufferSize, 65535), optLen, 0, tuple.LocalAddress, tuple.RemoteAddress);
        Send(tuple, SegmentBuffer.AsSpan(0, length));
    }

    // ---- shared by flows ----------------------------------------------------------------------------------------

    /// <summary>The MSS to announce: what the path MTU allows, capped by <see cref="TcpConfig.MaxMss"/>.</summary>
    internal int LocalMss(Ipv4Address remote) => Math.Min(PathMss(remote), Config.MaxMss);

    /// <summary>The largest segment (data plus options) the route to <paramref name="remote"/> carries unfragmented.</summary>
    internal int PathMss(Ipv4Address remote) => Math.Max(_ip.MaxPayload(remote) - TcpSegment.MinHeaderLength, 64);

    /// <summary>
    /// RFC 7323 5.4: timestamps start at a secret per-connection offset — a keyed hash of the 4-tuple, so successive
    /// connections between the same ports still see one monotonic clock (which RFC 6191 TIME_WAIT reuse relies on).
    /// </summary>
    internal uint TimestampOffset(TcpTuple t) => (uint)_timestampKey.Hash(t.LocalAddress, t.LocalPort, t.RemoteAddress, t.RemotePort);

    /// <summary>Whether segments to <paramref name="destination"/> may go out with a partial checksum
    /// (<see cref="IIpLayer.ChecksumOffloadTo"/>: the device finishes it, or it never leaves the host).</summary>
    internal bool ChecksumOffloadTo(Ipv4Address destination) => _ip.ChecksumOffloadTo(destination);

    /// <summary>The largest segment (header included) the IP layer takes towards <paramref name="remote"/> for the device
    /// to cut into MSS-sized ones (<see cref="IIpLayer.SegmentationLimit"/>); 0 without segmentation offload.</summary>
    internal int SegmentationLimit(Ipv4Address remote) => _ip.SegmentationLimit(remote);

    /// <summary>Whether a segment of <paramref name="segmentLength"/> bytes (header included) would go to the device uncut now.</summary>
    internal bool SegmentationReady(Ipv4Address remote, int segmentLength) => _ip.SegmentationReady(remote, segmentLength);

    /// <summary>Sends a segment of <paramref name="tuple"/>, from its local address.</summary>
    /// <param name="partialChecksum">The checksum field holds only the pseudo-header sum (<see cref="ChecksumOffloadTo"/>).</param>
    /// <param name="segmentSize">For a segment larger than the MTU (<see cref="SegmentationLimit"/>): the payload bytes of
    /// each segment it is cut into.</param>
    /// <param name="mayWait">Such a segment waits (nothing is sent, false) when the device has no room for it now,
    /// instead of being cut into MTU-sized frames (<see cref="IIpLayer.SendSegmented"/>).</param>
    /// <returns>False only when a segment that may wait was not sent.</returns>
    internal bool Send(in TcpTuple tuple, ReadOnlySpan<byte> segment, bool partialChecksum = false, int segmentSize = 0, bool mayWait = false)
    {
        if (segmentSize > 0)
        {
            if (!_ip.SendSegmented(tuple.RemoteAddress, segment, segmentSize, cutWhenBusy: !mayWait) && mayWait)
            {
                Statistics.SegmentsDeferred++;
                return false;
            }
        }
        else if (partialChecksum) _ip.SendPartialChecksum(tuple.LocalAddress, tuple.RemoteAddress, segment);
        else _ip.Send(tuple.LocalAddress, tuple.RemoteAddress, IpProtocol.Tcp, segment);
        Statistics.SegmentsSent++;
        return true;
    }

    /// <summary>Sends a RST for <paramref name="tuple"/>: &lt;SEQ=seq&gt;&lt;CTL=RST&gt;, or &lt;SEQ=0&gt;&lt;ACK=ack&gt;&lt;CTL=RST,ACK&gt;.</summary>
    internal void SendReset(TcpTuple tuple, SeqNum seq, SeqNum ack, bool withAck)
    {
        Statistics.ResetsSent++;
        var flags = TcpFlags.Rst | (withAck ? TcpFlags.Ack : 0);
        int length = TcpSegment.WriteHeader(SegmentBuffer, tuple.LocalPort, tuple.RemotePort, withAck ? 0 : seq.Value,
            withAck ? ack.Value : 0, flags, 0, 0, 0, tuple.LocalAddress, tuple.RemoteAddress);
        Send(tuple, SegmentBuffer.AsSpan(0, length));
    }

    /// <summary>RFC 5961 7: at most <see cref="TcpConfig.ChallengeAcksPerSecond"/> challenge ACKs per second.</summary>
    internal bool AllowChallengeAck()
    {
        long now = Clock.NowNanoseconds;
        if (now - _challengeWindowStart >= 1_000_000_000) { _challengeWindowStart = now; _challengeAcksInWindow = 0; }
        return _challengeAcksInWindow++ < Config.ChallengeAcksPerSecond;
    }

    internal void Remove(TcpFlow flow)
    {
        if (_flows.TryGetValue(flow.Tuple, out var f) && ReferenceEquals(f, flow))
        {
            _flows.Remove(flow.Tuple);
            TimeWaitTable.Shrink(_flows);
            Statistics.ConnectionsClosed++;
        }
    }

    /// <summary>A passive connection completed its handshake: apply the listener's keepalive and hand the flow over.</summary>
    internal void Accepted(TcpFlow flow, TcpListener listener)
    {
        Statistics.ConnectionsAccepted++;
        flow.SetKeepalive(listener.Keepalive);
        _ = RunProcess(listener, flow);
    }

    private Task RunProcess(TcpListener listener, TcpFlow flow)
    {
        // Never run user code inside the input path: start it from a posted callback.
        var started = new TaskCompletionSource(CaptureContext());
        Complete(started);
        return started.Task.ContinueWith(async _ =>
        {
            try { await listener.Process(flow); }
            catch (Exception e) { Contain(flow, e, $"the listener of port {flow.Tuple.LocalPort}"); }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Current).Unwrap();
    }

    // ---- fault containment ------------------------------------------------------------------------------------

    /// <summary>Where contained faults are reported, one line each and at most 10 a second (the host's console, a test's log); null drops them.</summary>
    public Action<string>? Log { get; set; }

    /// <summary>
    /// Contains a fault of one flow's processing (a segment, a timer, its listener's callback): the flow is reset and
    /// leaves the table, the fault is counted and reported. Its state may be inconsistent, so if even the reset fails
    /// the flow is dropped from the table without one. <paramref name="flow"/> is null when the fault happened before
    /// a flow was known: the segment is dropped.
    /// </summary>
    internal void Contain(TcpFlow? flow, Exception fault, string during)
    {
        Statistics.Faults++;
        if (flow is not null)
        {
            try { flow.Terminate(new TcpError(TcpErrorKind.Aborted, $"{fault.GetType().Name} in the stack"), sendReset: true); }
            catch (Exception) { Remove(flow); }
        }
        if (Log is null || !_faultLog.Allow(out long suppressed)) return;
        try { Log($"tcp: {during} failed ({fault.GetType().Name}: {fault.Message}){(flow is null ? "; dropped" : $"; {flow.Tuple} reset")}{LogLimiter.Note(suppressed)}"); }
        catch (Exception) { } // reporting must not fail the containment (no memory for the message, a throwing log)
    }


    // ---- completing user operations -----------------------------------------------------------------------------

    private SynchronizationContext? _context;

    /// <summary>
    /// Remembers the host's SynchronizationContext (the one its API calls run under) and says how to create a task
    /// source. With a context, tasks complete from a callback posted to it, so every continuation — awaits, WhenAll,
    /// ContinueWith — runs on the stack's one thread and never inside the input path. Without one, continuations are
    /// forced asynchronous instead.
    /// </summary>
    internal TaskCreationOptions CaptureContext()
    {
        _context = SynchronizationContext.Current ?? _context;
        return _context is null ? TaskCreationOptions.RunContinuationsAsynchronously : TaskCreationOptions.None;
    }

    internal void Complete(IFlowRetry waiter)
    {
        if (_context is { } ctx) ctx.Post(static s => ((IFlowRetry)s!).Retry(), waiter);
        else ThreadPool.UnsafeQueueUserWorkItem(static w => w.Retry(), waiter, preferLocal: false);   // never inside the input path
    }

    internal void Complete(TaskCompletionSource tcs)
    {
        if (_context is { } ctx) ctx.Post(static s => ((TaskCompletionSource)s!).TrySetResult(), tcs);
        else tcs.TrySetResult();
    }

    internal void Complete<T>(TaskCompletionSource<T> tcs, T value)
    {
        if (_context is { } ctx) ctx.Post(_ => tcs.TrySetResult(value), null);
        else tcs.TrySetResult(value);
    }
}
