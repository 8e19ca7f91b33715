using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// TCP over one IP layer (the C# form of mirage-tcpip's Tcp.Flow): the connection table, the listener table (port →
/// {process, keepalive}) the input path consults, active opens, SYN cookies once the SYN backlog is full, RSTs for
/// segments that belong to nothing, and the shared pieces every flow uses (ISNs, ephemeral ports, the segment buffer).
/// </summary>
public sealed class TcpStack : IIpTransport
{
    private readonly IIpLayer _ip;
    private readonly Dictionary<TcpTuple, TcpFlow> _flows = new();
    private readonly Dictionary<ushort, TcpListener> _listeners = new();
    private readonly InitialSequenceNumbers _isn;
    private readonly EphemeralPorts _ports;
    private readonly SynCookies _cookies;
    private readonly KeyedHash _timestampKey;
    private long _challengeWindowStart;
    private int _challengeAcksInWindow;
    private bool _down;

    public TcpStack(IIpLayer ip, IClock clock, IRandomSource random, TcpConfig? config = null)
    {
        _ip = ip;
        Clock = clock;
        Random = random;
        Config = config ?? new TcpConfig();
        _isn = new InitialSequenceNumbers(clock, random);
        _ports = new EphemeralPorts(random, Config.EphemeralPortFirst, Config.EphemeralPortLast);
        _cookies = new SynCookies(clock, random);
        _timestampKey = new KeyedHash(random);
        SegmentBuffer = new byte[TcpSegment.MaxHeaderLength + 65535]; // sized for any path, whatever MSS we announce
        ip.Register(IpProtocol.Tcp, this);
    }

    public TcpConfig Config { get; }
    public TcpStatistics Statistics { get; } = new();
    internal IClock Clock { get; }
    internal IRandomSource Random { get; }
    /// <summary>Stand-ins for the buffers of flows in TIME_WAIT: always empty, shared by them all.</summary>
    internal SendBuffer IdleSendBuffer { get; } = new(1);
    internal ReceiveBuffer IdleReceiveBuffer { get; } = new(1, 1);

    /// <summary>Scratch space for building one outgoing segment; the IP layer copies it before Send returns.</summary>
    internal byte[] SegmentBuffer { get; }

    /// <summary>Connections in the table, TIME_WAIT and half-open ones included.</summary>
    public int ConnectionCount => _flows.Count;
    internal IEnumerable<TcpFlow> ConnectionsForTests() => _flows.Values;

    /// <summary>Passive connections in SYN_RECEIVED (the SYN backlog).</summary>
    public int HalfOpenCount { get; internal set; }

    // ---- listeners ----------------------------------------------------------------------------------------------

    /// <summary>Accepts connections on <paramref name="port"/>: each established flow gets the keepalive, then is passed to process.</summary>
    public void Listen(ushort port, TcpListener listener)
    {
        CaptureContext();
        _listeners[port] = listener;
    }

    /// <summary>mirage-tcpip's <c>listen t ~port ?keepalive callback</c>.</summary>
    public void Listen(ushort port, Keepalive? keepalive, Func<TcpFlow, Task> process) => Listen(port, new TcpListener(process, keepalive));

    /// <summary>Stops accepting on <paramref name="port"/>; established flows are unaffected. False when nothing listened there.</summary>
    public bool Unlisten(ushort port) => _listeners.Remove(port);

    /// <summary>The listener table the input path consults.</summary>
    public TcpListener? ListenerFor(ushort port) => _listeners.GetValueOrDefault(port);

    // ---- active open --------------------------------------------------------------------------------------------

    /// <summary>Opens a connection (Mirage's <c>create_connection</c>): a flow once established, or why not.</summary>
    public Task<Result<TcpFlow, TcpError>> ConnectAsync(TcpEndpoint remote, Keepalive? keepalive = null) =>
        ConnectAsync(remote, keepalive, localPort: 0);

    /// <summary>Opens a connection from a chosen local port (0 = an ephemeral one), e.g. for a simultaneous open.</summary>
    public Task<Result<TcpFlow, TcpError>> ConnectAsync(TcpEndpoint remote, Keepalive? keepalive, ushort localPort)
    {
        if (_down) return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.StackDown)));
        var local = _ip.LocalAddress;
        if (local.IsAny) return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.NoRoute, "no local address")));
        if (remote.Port == 0 || remote.Address.IsAny || remote.Address.IsBroadcast || remote.Address.IsMulticast)
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"cannot connect to {remote}")));
        ushort port = localPort;
        if (port != 0 && _flows.ContainsKey(new TcpTuple(local, port, remote.Address, remote.Port)))
            return Task.FromResult(Result<TcpFlow, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, $"port {port} already connected to {remote}")));
        if (port == 0 && !_ports.TryAllocate(local, remote.Address, remote.Port,
                p => _flows.ContainsKey(new TcpTuple(local, p, remote.Address, remote.Port)) || _listeners.ContainsKey(p), out port))
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
        foreach (var flow in _flows.Values.ToArray()) flow.Terminate(new TcpError(TcpErrorKind.StackDown), sendReset: true);
    }

    // ---- input --------------------------------------------------------------------------------------------------

    public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload) =>
        Receive(source, destination, payload, RxChecksum.Unverified);

    public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload, RxChecksum checksum)
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
            if (!flow.AcceptsNewIncarnation(seg, opt))
            {
                flow.Input(seg, opt);
                return;
            }
            flow.Terminate(null, sendReset: false); // RFC 6191: a new SYN ends TIME_WAIT early; open it below
        }

        var flags = seg.Flags;
        if ((flags & TcpFlags.Rst) != 0) { Statistics.NoConnection++; return; }
        if (_listeners.TryGetValue(seg.DestinationPort, out var listener) && destination == _ip.LocalAddress)
        {
            if ((flags & (TcpFlags.Syn | TcpFlags.Ack | TcpFlags.Fin)) == TcpFlags.Syn) { PassiveOpen(tuple, seg, opt, listener); return; }
            if ((flags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Ack && TryCookie(tuple, seg, opt, listener)) return;
        }

        // RFC 9293 3.10.7.1: a segment for no connection gets a RST (a SYN to a port nobody listens on: refused).
        Statistics.NoConnection++;
        if ((flags & TcpFlags.Ack) != 0) SendReset(tuple, new SeqNum(seg.AckNumber), default, withAck: false);
        else SendReset(tuple, default, new SeqNum(seg.SequenceNumber) + seg.SequenceLength, withAck: true);
    }

    public void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu)
    {
        if (originalPayload.Length < 8) return;
        var tuple = new TcpTuple(_ip.LocalAddress, BinaryPrimitives.ReadUInt16BigEndian(originalPayload),
            originalDestination, BinaryPrimitives.ReadUInt16BigEndian(originalPayload[2..]));
        // RFC 5927 4.1: act only if the quoted sequence number is one we have sent and not yet had acknowledged, so
        // that an off-path attacker cannot reset or slow a connection with forged ICMP.
        var quotedSeq = new SeqNum(BinaryPrimitives.ReadUInt32BigEndian(originalPayload[4..]));
        if (_flows.TryGetValue(tuple, out var flow) && flow.IsUnacknowledged(quotedSeq)) flow.IcmpError(kind, mtu);
        else Statistics.IcmpIgnored++;
    }

    private void PassiveOpen(TcpTuple tuple, in TcpSegment seg, in TcpOptions opt, TcpListener listener)
    {
        var peerIsn = new SeqNum(seg.SequenceNumber);
        if (HalfOpenCount >= Config.SynBacklog)
        {
            // Backlog full: answer statelessly with a SYN cookie.
            Statistics.SynCookiesSent++;
            int mss = opt.Mss != 0 ? opt.Mss : 536;
            var cookie = _cookies.Make(tuple.LocalAddress, tuple.LocalPort, tuple.RemoteAddress, tuple.RemotePort, peerIsn, mss);
            SendCookieSynAck(tuple, cookie, peerIsn + 1);
            return;
        }
        var flow = new TcpFlow(this, tuple, _isn.Next(tuple.LocalAddress, tuple.LocalPort, tuple.RemoteAddress, tuple.RemotePort),
            LocalMss(tuple.RemoteAddress), PathMss(tuple.RemoteAddress));
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
        var flow = new TcpFlow(this, tuple, cookie, LocalMss(tuple.RemoteAddress), PathMss(tuple.RemoteAddress));
        flow.AcceptCookie(peerIsn, mss, seg.Window, listener);
        _flows.Add(tuple, flow);
        Statistics.ConnectionsOpened++;
        flow.Input(seg, opt); // the cookie's ACK completes the handshake through the SYN_RECEIVED path
        return true;
    }

    private void SendCookieSynAck(TcpTuple tuple, SeqNum cookie, SeqNum ack)
    {
        var opt = TcpOptions.None;
        opt.Mss = (ushort)Math.Min(LocalMss(tuple.RemoteAddress), 65535);
        int optLen = opt.Write(SegmentBuffer.AsSpan(TcpSegment.MinHeaderLength));
        int length = TcpSegment.WriteHeader(SegmentBuffer, tuple.LocalPort, tuple.RemotePort, cookie.Value, ack.Value,
            TcpFlags.Syn | TcpFlags.Ack, (ushort)Math.Min(Config.ReceiveBufferSize, 65535), optLen, 0, tuple.LocalAddress, tuple.RemoteAddress);
        Send(tuple.RemoteAddress, SegmentBuffer.AsSpan(0, length));
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

    /// <summary>Whether segments may go out with a partial checksum (<see cref="IIpLayer.ChecksumOffload"/>).</summary>
    internal bool ChecksumOffload => _ip.ChecksumOffload;

    /// <param name="partialChecksum">The checksum field holds only the pseudo-header sum (<see cref="ChecksumOffload"/>).</param>
    internal void Send(Ipv4Address destination, ReadOnlySpan<byte> segment, bool partialChecksum = false)
    {
        Statistics.SegmentsSent++;
        if (partialChecksum) _ip.SendPartialChecksum(destination, segment);
        else _ip.Send(destination, IpProtocol.Tcp, segment);
    }

    /// <summary>Sends a RST for <paramref name="tuple"/>: &lt;SEQ=seq&gt;&lt;CTL=RST&gt;, or &lt;SEQ=0&gt;&lt;ACK=ack&gt;&lt;CTL=RST,ACK&gt;.</summary>
    internal void SendReset(TcpTuple tuple, SeqNum seq, SeqNum ack, bool withAck)
    {
        Statistics.ResetsSent++;
        var flags = TcpFlags.Rst | (withAck ? TcpFlags.Ack : 0);
        int length = TcpSegment.WriteHeader(SegmentBuffer, tuple.LocalPort, tuple.RemotePort, withAck ? 0 : seq.Value,
            withAck ? ack.Value : 0, flags, 0, 0, 0, tuple.LocalAddress, tuple.RemoteAddress);
        Send(tuple.RemoteAddress, SegmentBuffer.AsSpan(0, length));
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
            catch (Exception) { flow.Terminate(new TcpError(TcpErrorKind.InvalidOperation, "listener callback failed"), sendReset: true); }
        }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Current).Unwrap();
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
