using System.Runtime.CompilerServices;

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
    private readonly FlowWaiter<Result<TcpReadResult, TcpError>> _readable;
    private readonly FlowWaiter<Result<Unit, TcpWriteError>> _writable;
    private TaskCompletionSource? _closeWaiter;   // CloseAsync may be awaited by several callers: a task, made once per flow
    private bool _readBusy, _writeBusy, _readShutdown, _writeShutdown;
    private bool _readPeek;                       // the pending read is WaitReadableAsync: report, take nothing
    private int _writeNeed;            // free send-buffer space the waiting writer needs before it is woken
    private Memory<byte> _readDestination;        // the pending read's buffer
    private ReadOnlyMemory<byte> _writeData;      // what the pending write has not appended yet
    private bool _writeNodelay;
    private bool _writeLast;                      // WriteLastAsync: shut sending down once the data is appended
    private SeqNum? _writePushEnd;                // a nodelay write: the sequence number its bytes end at, once all are appended
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
        _readable = new(stack, TryRead);
        _writable = new(stack, TryWrite);
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
        DataBytes((uint)(_rcv.Next - _rcv.Initial), finCounted: _rcv.FinReceived), _retransmits, _send.Count, _recv.Count,
        _loss.Describe(_snd.Unacknowledged, _snd.Max));

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
    public ValueTask<Result<TcpReadResult, TcpError>> ReadAsync(Memory<byte> destination)
    {
        if (_readBusy) return new(Result<TcpReadResult, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, "a read is already pending")));
        if (destination.IsEmpty) return new(Result<TcpReadResult, TcpError>.Fail(new TcpError(TcpErrorKind.InvalidOperation, "empty read buffer")));
        _readDestination = destination;
        if (TryRead(out var result)) { _readDestination = default; return new(result); }
        _readBusy = true;
        return _readable.Park();
    }

    /// <summary>The read's attempt (first call, then at every wake): false while there is nothing to report yet.</summary>
    private bool TryRead(out Result<TcpReadResult, TcpError> result)
    {
        bool peek = _readPeek;
        if (_recv.Count > 0 && !_readShutdown)
        {
            if (peek) result = new TcpReadResult(0, false);   // WaitReadableAsync: there is data; nothing is taken
            else
            {
                int n = _recv.Read(_readDestination.Span);
                _tuning.Read(n, Now, _loss.Rtt.SmoothedRtt, _mtu.LocalMss, _stack.Memory.UnderPressure);
                result = new TcpReadResult(n, false);
            }
        }
        else if (_readShutdown || _rcv.FinReceived || _keepalive.Expired || (Error is null && State == TcpState.Closed)) result = TcpReadResult.EndOfStream;
        else if (Error is { } e) result = Result<TcpReadResult, TcpError>.Fail(e);
        else { result = default; return false; }
        _readBusy = false;
        _readPeek = false;
        _readDestination = default;   // not kept alive by the flow
        if (!peek && result.IsOk && !result.Value.IsEndOfStream) AfterUserRead();
        return true;
    }

    /// <summary>
    /// Waits until bytes can be read (true) or the stream has ended (false: the peer's FIN, a reset, Shutdown(Read)),
    /// taking nothing: a server can hold no buffer of its own for a connection that is idle.
    /// </summary>
    public ValueTask<bool> WaitReadableAsync()
    {
        if (_readBusy) return new(_recv.Count > 0);
        _readPeek = true;
        if (TryRead(out var result)) return new(IsData(result));
        _readBusy = true;
        return Await(_readable.Park());

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<bool> Await(ValueTask<Result<TcpReadResult, TcpError>> wait) => IsData(await wait);
        static bool IsData(Result<TcpReadResult, TcpError> r) => r.IsOk && !r.Value.IsEndOfStream;
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
    public ValueTask<Result<Unit, TcpWriteError>> WriteAsync(ReadOnlyMemory<byte> data) => WriteCore(data, nodelay: false);

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
    public ValueTask<Result<Unit, TcpWriteError>> WriteNodelayAsync(ReadOnlyMemory<byte> data) => WriteCore(data, nodelay: true);

    public async Task<Result<Unit, TcpWriteError>> WritevNodelayAsync(IEnumerable<ReadOnlyMemory<byte>> buffers)
    {
        foreach (var b in buffers)
        {
            var r = await WriteCore(b, nodelay: true);
            if (!r.IsOk) return r;
        }
        return Unit.Value;
    }

    /// <summary>
    /// Writes <paramref name="data"/> and then shuts down sending, as one step: the FIN rides on the segment that carries
    /// the last byte instead of following in a segment of its own (a server's last response before it closes). Completes
    /// once all of the data is in the send buffer; <see cref="CloseAsync"/> then waits for the peer as usual.
    /// </summary>
    public ValueTask<Result<Unit, TcpWriteError>> WriteLastAsync(ReadOnlyMemory<byte> data) => WriteCore(data, nodelay: true, last: true);

    private bool CanWrite => !_writeShutdown && Error is null && !_keepalive.Expired && State is TcpState.Established or TcpState.CloseWait;

    private ValueTask<Result<Unit, TcpWriteError>> WriteCore(ReadOnlyMemory<byte> data, bool nodelay, bool last = false)
    {
        if (_writeBusy) return new(Result<Unit, TcpWriteError>.Fail(TcpWriteError.WriteInProgress));
        _writeData = data;
        _writeNodelay = nodelay;
        _writeLast = last;
        _writePushEnd = null;
        _writeBusy = true;
        return TryWrite(out var result) ? new(result) : _writable.Park();
    }

    /// <summary>The write's attempt (first call, then at every wake): appends what fits, and for a nodelay write waits
    /// until every byte was transmitted. False while it must wait.</summary>
    private bool TryWrite(out Result<Unit, TcpWriteError> result)
    {
        result = Unit.Value;
        if (_writePushEnd is null)
        {
            while (true)
            {
                if (!CanWrite) return EndWrite(Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed), out result);
                UpdateSendLimit();
                int n = _send.Append(_writeData.Span);
                _writeData = _writeData[n..];
                if (_writeNodelay) _snd.Push(_send.Count);
                if (_writeData.IsEmpty && _writeLast)
                {
                    ShutdownWrite();   // queues the FIN behind the data, then sends both
                    return EndWrite(Unit.Value, out result);
                }
                if (n > 0) Output();
                if (_writeData.IsEmpty) break;
                // Wake up once a useful amount of space is free, not on every ACK.
                _writeNeed = Math.Min(_writeData.Length, Math.Max(_send.Limit / 4, 1));
                return false;
            }
            if (!_writeNodelay) return EndWrite(Unit.Value, out result);
            _writePushEnd = DataEnd;
        }
        var end = _writePushEnd.Value;
        if (_snd.Max < end && SeqNum.Max(_snd.Unacknowledged, _snd.BufferStart) < end)
        {
            if (!CanWrite) return EndWrite(Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed), out result);
            _writeNeed = int.MaxValue; // woken by Output once the bytes are on the wire
            return false;
        }
        return EndWrite(Unit.Value, out result);
    }

    private bool EndWrite(Result<Unit, TcpWriteError> outcome, out Result<Unit, TcpWriteError> result)
    {
        _writeBusy = false;
        _writeData = default;
        result = outcome;
        return true;
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
        _closeWaiter ??= new TaskCompletionSource(_stack.CaptureContext());
        return _closeWaiter.Task;
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

    private void WakeCloser()
    {
        var closer = _closeWaiter;
        _closeWaiter = null;
        if (closer is not null) _stack.Complete(closer);
    }

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
