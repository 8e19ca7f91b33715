namespace CosmosNet.Net.Tcp;

/// <summary>
/// One TCP connection: the user's side (this file: read, write, close, shutdown — the C# form of Mirage_flow and
/// Mirage_protocols.TCP's flow operations) composed over the protocol's parts, each a small state machine with its own
/// fields and tests: the sequence spaces (<see cref="SendSequence"/>, <see cref="ReceiveSequence"/>), timestamps,
/// segment sizes (<see cref="PathMtu"/>), <see cref="LossRecovery"/>, the <see cref="RetransmitTimer"/>,
/// <see cref="AckPolicy"/>, <see cref="KeepaliveMonitor"/> and <see cref="Termination"/>. TcpFlow.Input.cs routes
/// arriving segments to them, TcpFlow.Output.cs decides what to send and builds segments, TcpFlow.Lifecycle.cs holds
/// the one place the connection state changes, the timer handlers and ICMP. Everything runs on the stack's single
/// logical thread; user operations complete from a callback posted to the host's context (see
/// <see cref="TcpStack.Complete"/>), never inside the input path.
/// </summary>
public sealed partial class TcpFlow
{
    private readonly TcpStack _stack;
    private readonly TcpConfig _config;
    internal readonly TcpTuple Tuple;

    private readonly SendSequence _snd;
    private readonly ReceiveSequence _rcv;
    private readonly Timestamps _ts;
    private readonly PathMtu _mtu;
    private readonly LossRecovery _loss;
    private readonly RetransmitTimer _rexmit;
    private readonly AckPolicy _ack;
    private readonly KeepaliveMonitor _keepalive;
    private readonly Termination _end;
    private bool _windowScaling;       // both sides sent the window scale option
    private long _retransmits;         // segments sent again (SYN, data, FIN)

    private readonly SendBuffer _send;
    private readonly ReceiveBuffer _recv;
    private readonly BufferTuning _tuning;
    private int _promised;             // what this connection has promised the peer (TcpMemory.Promised): buffered + advertised

    // User-facing state.
    private TaskCompletionSource<Result<TcpFlow, TcpError>>? _connectWaiter;
    private readonly FlowWaiter _readable, _writable, _closed;
    private bool _readBusy, _writeBusy, _readShutdown, _writeShutdown;
    private int _writeNeed;            // free send-buffer space the waiting writer needs before it is woken
    internal TcpListener? Listener;    // passive opens: whom to hand the flow to once established
    internal bool CountsAsHalfOpen;

    internal TcpFlow(TcpStack stack, TcpTuple tuple, SeqNum iss, int localMss, int pathMss)
    {
        _stack = stack;
        _config = stack.Config;
        Tuple = tuple;
        _tuning = new BufferTuning(_config);
        _send = new SendBuffer(stack.Memory, _config.InitialSendBufferSize);
        _recv = new ReceiveBuffer(stack.Memory, _tuning.ReceiveLimit, _config.MaxOutOfOrderRanges);
        _snd = new SendSequence(iss);
        _rcv = new ReceiveSequence(ReceiveSequence.ScaleFor(_config.ReceiveBufferSize, _config.WindowScaling));
        _ts = new Timestamps(stack.TimestampOffset(tuple));
        _mtu = new PathMtu(localMss, pathMss);
        _loss = new LossRecovery(_config, _mtu.SendMss, iss);
        var clock = stack.Clock;
        _rexmit = new RetransmitTimer(clock.CreateTimer(() => OnTimer(FlowTimer.Retransmit)), Ns(_config.MinRto), Ns(_config.MaxRto));
        _ack = new AckPolicy(clock.CreateTimer(() => OnTimer(FlowTimer.DelayedAck)), Ns(_config.DelayedAckTimeout));
        _keepalive = new KeepaliveMonitor(clock.CreateTimer(() => OnTimer(FlowTimer.Keepalive)));
        _end = new Termination(clock.CreateTimer(() => OnTimer(FlowTimer.Linger)), Ns(_config.CloseTimeout));
        _readable = new FlowWaiter(stack);
        _writable = new FlowWaiter(stack);
        _closed = new FlowWaiter(stack);
    }

    /// <summary>
    /// The connection state; it changes in one place only, <see cref="Transition"/>. In TIME_WAIT the stack holds only a
    /// record of the connection (<see cref="TimeWaitTable"/>), so the flow reads Closed once that record is gone.
    /// </summary>
    public TcpState State
    {
        get => _state == TcpState.TimeWait && !_stack.InTimeWait(Tuple, _snd.Initial) ? TcpState.Closed : _state;
        private set => _state = value;
    }
    private TcpState _state;

    /// <summary>The remote endpoint (Mirage's <c>dst</c>).</summary>
    public TcpEndpoint Destination => new(Tuple.RemoteAddress, Tuple.RemotePort);

    public TcpEndpoint LocalEndpoint => new(Tuple.LocalAddress, Tuple.LocalPort);

    public Keepalive? Keepalive => _keepalive.Settings;

    /// <summary>Why the connection ended abnormally (reset, timeout, ...), or null.</summary>
    public TcpError? Error => _end.Error;

    /// <summary>Bytes buffered for sending and not yet acknowledged.</summary>
    public int UnacknowledgedBytes => _send.Count;

    /// <summary>Bytes received in order and not yet read.</summary>
    public int ReadableBytes => _recv.Count;

    public override string ToString() => $"tcp {Tuple} {State}";

    internal SeqNum ReceiveNext => _rcv.Next;
    internal SeqNum SendMax => _snd.Max;
    internal SeqNum SendUnacknowledged => _snd.Unacknowledged;
    internal uint TsRecent => _ts.Recent;
    internal int SendMss => _mtu.SendMss;
    internal int ReceiveLimit => _recv.Limit;
    internal int SendLimit => _send.Limit;
    internal int AdvertisedWindow => _rcv.Window;

    /// <summary>A copy of what diagnostics show of this connection (take it on the stack's thread).</summary>
    public TcpFlowStatistics Statistics => new(State, LocalEndpoint, Destination, _snd.Window, _rcv.Window,
        _loss.Rtt.SmoothedRtt, _loss.Rtt.Rto, _loss.Congestion.Cwnd, _loss.Congestion.Ssthresh, _mtu.SendMss,
        DataBytes((uint)(_snd.Unacknowledged - _snd.Initial), finCounted: State is TcpState.FinWait2 or TcpState.TimeWait),
        DataBytes((uint)(_rcv.Next - _rcv.Initial), finCounted: _rcv.FinReceived), _retransmits, _send.Count, _recv.Count);

    /// <summary>Sequence space used minus the SYN and the FIN, which occupy one number each but carry no data.</summary>
    private static uint DataBytes(uint sequenceSpace, bool finCounted) =>
        sequenceSpace == 0 ? 0 : sequenceSpace - 1 - (finCounted && sequenceSpace > 1 ? 1u : 0u);

    /// <summary>The engine's variables, for diagnostics.</summary>
    public string Describe() =>
        $"{this} una={_snd.Unacknowledged} nxt={_snd.Next} max={_snd.Max} wnd={_snd.Window} {_loss} " +
        $"buffered={_send.Count} rcvNxt={_rcv.Next} rcvAdv={_rcv.Window} readable={_recv.Count} retries={_rexmit.Timeouts} error={Error}";

    // ---- reading ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Waits for data and copies up to <paramref name="destination"/>.Length bytes into it. End-of-stream once the peer's
    /// FIN arrived and every byte before it was read (or after Shutdown(Read), or a keepalive timeout); an error if the
    /// connection was reset or timed out.
    /// </summary>
    public async Task<Result<TcpReadResult, TcpError>> ReadAsync(Memory<byte> destination)
    {
        if (_readBusy) return Result<TcpReadResult, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, "a read is already pending"));
        if (destination.IsEmpty) return Result<TcpReadResult, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, "empty read buffer"));
        _readBusy = true;
        try
        {
            while (true)
            {
                if (_recv.Count > 0 && !_readShutdown)
                {
                    int n = _recv.Read(destination.Span);
                    _tuning.Read(n, Now, _loss.Rtt.SmoothedRtt, _mtu.LocalMss, _stack.Memory.UnderPressure);
                    AfterUserRead();
                    return new TcpReadResult(n, false);
                }
                if (_readShutdown || _rcv.FinReceived || _keepalive.Expired) return TcpReadResult.EndOfStream;
                if (Error is { } e) return Result<TcpReadResult, TcpError>.Fail(e);
                if (State == TcpState.Closed) return TcpReadResult.EndOfStream;
                await _readable.Wait();
            }
        }
        finally { _readBusy = false; }
    }

    /// <summary>Mirage's <c>read</c>: a fresh buffer holding the next bytes (at most one receive window's worth), or end-of-stream.</summary>
    public async Task<Result<TcpData, TcpError>> ReadAsync()
    {
        var buffer = new byte[Math.Min(Math.Max(_mtu.LocalMss, 1), _config.ReceiveBufferSize) * 4];
        var r = await ReadAsync(buffer);
        if (!r.IsOk) return Result<TcpData, TcpError>.Fail(r.Error);
        return r.Value.IsEndOfStream ? TcpData.EndOfStream : new TcpData(buffer.AsMemory(0, r.Value.Count), false);
    }

    /// <summary>After the user reads: tell the peer when the window has opened usefully (and always out of a small one).</summary>
    private void AfterUserRead()
    {
        if (State.CanReceiveData() && _rcv.WindowUpdateWorthSending(OfferableWindow(), _recv.Limit, _mtu.LocalMss)) SendAck();
        else UpdatePromise();
    }

    // ---- writing ----------------------------------------------------------------------------------------------

    /// <summary>Queues <paramref name="data"/>; completes once it all fits in the send buffer (back-pressure), or Closed.</summary>
    public Task<Result<Unit, TcpWriteError>> WriteAsync(ReadOnlyMemory<byte> data) => WriteCore(data, nodelay: false);

    /// <summary>Writes the buffers in order, as one stream.</summary>
    public async Task<Result<Unit, TcpWriteError>> WritevAsync(IEnumerable<ReadOnlyMemory<byte>> buffers)
    {
        foreach (var b in buffers)
        {
            var r = await WriteCore(b, nodelay: false);
            if (!r.IsOk) return r;
        }
        return Unit.Value;
    }

    /// <summary>Writes bypassing Nagle's algorithm; completes once every byte has been transmitted (not necessarily acknowledged).</summary>
    public Task<Result<Unit, TcpWriteError>> WriteNodelayAsync(ReadOnlyMemory<byte> data) => WriteCore(data, nodelay: true);

    public async Task<Result<Unit, TcpWriteError>> WritevNodelayAsync(IEnumerable<ReadOnlyMemory<byte>> buffers)
    {
        foreach (var b in buffers)
        {
            var r = await WriteCore(b, nodelay: true);
            if (!r.IsOk) return r;
        }
        return Unit.Value;
    }

    private bool CanWrite => !_writeShutdown && Error is null && !_keepalive.Expired && State is TcpState.Established or TcpState.CloseWait;

    private async Task<Result<Unit, TcpWriteError>> WriteCore(ReadOnlyMemory<byte> data, bool nodelay)
    {
        if (_writeBusy) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.WriteInProgress);
        _writeBusy = true;
        try
        {
            while (true)
            {
                if (!CanWrite) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed);
                UpdateSendLimit();
                int n = _send.Append(data.Span);
                data = data[n..];
                if (nodelay) _snd.Push(_send.Count);
                if (n > 0) Output();
                if (data.IsEmpty) break;
                // Wake up once a useful amount of space is free, not on every ACK.
                _writeNeed = Math.Min(data.Length, Math.Max(_send.Limit / 4, 1));
                await _writable.Wait();
            }
            if (nodelay)
            {
                var end = DataEnd;
                while (_snd.Max < end && SeqNum.Max(_snd.Unacknowledged, _snd.BufferStart) < end)
                {
                    if (!CanWrite) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed);
                    _writeNeed = int.MaxValue; // woken by Output once the bytes are on the wire
                    await _writable.Wait();
                }
            }
            return Unit.Value;
        }
        finally { _writeBusy = false; }
    }

    // ---- closing ----------------------------------------------------------------------------------------------

    /// <summary>
    /// Mirage's <c>close</c>: flushes pending writes, sends FIN (reads continue, like shutdown(SHUT_WR)), and completes
    /// when the peer has closed too — or after <see cref="TcpConfig.CloseTimeout"/>, when the connection is reset.
    /// </summary>
    public Task CloseAsync()
    {
        if (State is TcpState.Closed or TcpState.TimeWait) return Task.CompletedTask;
        ShutdownWrite();
        if (State is TcpState.Closed or TcpState.TimeWait) return Task.CompletedTask;
        _end.StartCloseTimeout(Now);
        return _closed.Wait();
    }

    /// <summary>
    /// Resets the connection now (close with SO_LINGER 0): a RST to the peer, buffered data discarded, pending and later
    /// reads and writes fail with <see cref="TcpErrorKind.Aborted"/>. For a server that gives up on a client.
    /// </summary>
    public void Abort() => Terminate(new TcpError(TcpErrorKind.Aborted), sendReset: true);

    /// <summary>shutdown(2): Read discards what arrives from now on and makes reads return end-of-stream; Write sends FIN after the buffered data.</summary>
    public void Shutdown(ShutdownMode mode)
    {
        if (mode is ShutdownMode.Read or ShutdownMode.Both)
        {
            _readShutdown = true;
            _recv.Discard();
            UpdatePromise();
            _readable.Wake();
        }
        if (mode is ShutdownMode.Write or ShutdownMode.Both) ShutdownWrite();
    }

    private void ShutdownWrite()
    {
        if (_writeShutdown) return;
        _writeShutdown = true;
        switch (State)
        {
            case TcpState.SynSent:
                Terminate(new TcpError(TcpErrorKind.InvalidOperation, "closed before connecting"), sendReset: false);
                return;
            case TcpState.SynReceived: // the FIN waits for the handshake (EnterEstablished replays the close)
            case TcpState.Established:
            case TcpState.CloseWait:
                Transition(TcpEvent.Close);
                break;
            default:
                return;
        }
        _snd.QueueFin(_send.Count);
        _writable.Wake();
        Output();
    }

    internal void SetKeepalive(Keepalive? keepalive) => _keepalive.Configure(keepalive, State.IsSynchronized(), Now);

    // ---- memory -----------------------------------------------------------------------------------------------

    /// <summary>Bytes of buffer memory this connection holds now (both directions).</summary>
    public int BufferedMemory => _send.AllocatedBytes + _recv.AllocatedBytes;

    /// <summary>
    /// The receive window that may be offered now: up to the auto-tuned limit, as far as the stack's memory can back it
    /// (<see cref="TcpMemory.Grant"/>), and never less than what was already promised. Under pressure a connection still
    /// gets its initial window from the reserve below the low-water mark, so it slows down instead of stalling.
    /// </summary>
    private int OfferableWindow()
    {
        int promised = _rcv.Window;
        _recv.Limit = Math.Max(_tuning.ReceiveLimit, _recv.Count + promised);
        int wanted = _recv.Free;
        if (wanted <= promised) return wanted;
        var memory = _stack.Memory;
        int grant = memory.Grant(wanted - promised, reserve: false);
        int floor = _config.InitialReceiveBufferSize - (_recv.Count + promised);
        if (grant < floor) grant = Math.Max(grant, memory.Grant(Math.Min(floor, wanted - promised), reserve: true));
        return promised + grant;
    }

    /// <summary>Tells the stack what this connection has promised: its buffered bytes and the window it advertised.</summary>
    private void UpdatePromise() => _stack.Memory.Promise(ref _promised, State is TcpState.Closed or TcpState.TimeWait ? 0 : _recv.Count + _rcv.Window);

    /// <summary>The send buffer grows with the congestion window (twice its largest), or falls back to its initial size under pressure.</summary>
    private void UpdateSendLimit()
    {
        bool pressure = _stack.Memory.UnderPressure;
        int limit = _tuning.SendLimit(_loss.Congestion.Cwnd, pressure);
        _send.Limit = pressure ? limit : Math.Max(_send.Limit, limit);
    }

    /// <summary>A writer waiting for room is woken once a useful part of the buffer is free (the limit may have shrunk meanwhile).</summary>
    private bool WriterMayContinue => _writeNeed != int.MaxValue && _send.Free >= Math.Min(_writeNeed, Math.Max(_send.Limit / 4, 1));

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private long Now => _stack.Clock.NowNanoseconds;

    private static long Ns(TimeSpan t) => t.Ticks * 100;

    private void WakeAll()
    {
        _readable.Wake();
        _writable.Wake();
    }
}

/// <summary>What Mirage's <c>read</c> yields: a fresh buffer of received bytes, or end-of-stream.</summary>
public readonly record struct TcpData(ReadOnlyMemory<byte> Bytes, bool IsEndOfStream)
{
    public static readonly TcpData EndOfStream = new(default, true);
    public override string ToString() => IsEndOfStream ? "end of stream" : $"{Bytes.Length} bytes";
}
