using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// One TCP connection: the user's side (this file: read, write, close, shutdown — the C# form of Mirage_flow and
/// Mirage_protocols.TCP's flow operations) and the protocol engine (the other TcpFlow.*.cs files: input, output,
/// acknowledgement policy, timers). Everything runs on the stack's single logical thread; user operations complete
/// through tasks completed from a callback posted to the host's context (see <see cref="TcpStack.Complete"/>), never
/// inside the input path.
/// </summary>
public sealed partial class TcpFlow
{
    private readonly TcpStack _stack;
    private readonly TcpConfig _config;
    internal readonly TcpTuple Tuple;

    // Send sequence space (RFC 9293 3.3.1). _sndMax is the highest sequence number ever sent: after a timeout
    // _sndNxt goes back to _sndUna to resend, while _sndMax remembers what the peer may legitimately acknowledge.
    private SeqNum _iss, _sndUna, _sndNxt, _sndMax, _sndWl1, _sndWl2;
    private int _sndWnd, _maxSndWnd;
    /// <summary>Sequence number of the first byte in the send buffer (one past the SYN, then SND.UNA as data is acked).</summary>
    private SeqNum _bufferStart;
    private bool _finQueued;
    private SeqNum _finSeq;
    private SeqNum _pushEdge;          // bytes below this were written with nodelay: they bypass Nagle

    // Receive sequence space.
    private SeqNum _irs, _rcvNxt, _rcvAdvEdge;
    private bool _peerFinPending;      // a FIN arrived ahead of missing data; applied when the data catches up
    private SeqNum _peerFinSeq;
    private bool _peerFinReceived;

    // Negotiated options.
    private int _sndMss;               // payload bytes per segment we send (peer's MSS minus our option overhead)
    private int _peerMss;              // MSS the peer announced (data plus options must fit in it)
    private int _rcvMss;               // MSS we announced
    private int _pathMss;              // largest segment (data + options) our route carries: the path MTU's share
    private int _sndWscale, _rcvWscale;
    private bool _tsOn, _sackOn, _wscaleOn;
    private uint _tsRecent, _tsOffset;
    private long _tsRecentTime;
    private bool _tsRecentValid;
    private SeqNum _lastAckSent;

    private SendBuffer _send;          // swapped for the stack's tiny idle buffers once TIME_WAIT no longer needs them
    private ReceiveBuffer _recv;
    private readonly SackScoreboard _scoreboard;
    private readonly RttEstimator _rtt;
    private readonly CongestionControl _cc;

    // User-facing state.
    private TaskCompletionSource<Result<TcpFlow, TcpError>>? _connectWaiter;
    private TaskCompletionSource? _readWaiter;
    private TaskCompletionSource? _writeWaiter;
    private TaskCompletionSource? _closeWaiter;
    private bool _readBusy, _writeBusy, _readShutdown, _writeShutdown;
    private int _writeNeed;            // free send-buffer space the waiting writer needs before it is woken
    private TcpError? _error;          // set when the connection died abnormally (reads report it)
    private bool _keepaliveExpired;    // Mirage: a keepalive timeout reads as end-of-stream
    internal TcpListener? Listener;    // passive opens: whom to hand the flow to once established
    internal bool CountsAsHalfOpen;

    internal TcpFlow(TcpStack stack, TcpTuple tuple, SeqNum iss, int localMss, int pathMss)
    {
        _stack = stack;
        _config = stack.Config;
        Tuple = tuple;
        _send = new SendBuffer(_config.SendBufferSize);
        _recv = new ReceiveBuffer(_config.ReceiveBufferSize, _config.MaxOutOfOrderRanges);
        _scoreboard = new SackScoreboard(_config.MaxOutOfOrderRanges);
        _rtt = new RttEstimator(Ns(_config.InitialRto), Ns(_config.MinRto), Ns(_config.MaxRto));
        _rcvMss = localMss;
        _pathMss = pathMss;
        _peerMss = 536; // RFC 9293 3.7.1 default when the peer sends no MSS option
        _sndMss = Math.Min(_peerMss, pathMss);
        _cc = CongestionControl.Create(_config.CongestionControl, _sndMss);
        _iss = _sndUna = _sndNxt = _sndMax = iss;
        _bufferStart = _pushEdge = iss + 1;
        _rcvWscale = 0;
        if (_config.WindowScaling)
            while (_rcvWscale < 14 && (_config.ReceiveBufferSize >> _rcvWscale) > 65535) _rcvWscale++;
        _tsOffset = stack.TimestampOffset(tuple);
        _rexmitTimer = stack.Clock.CreateTimer(OnRetransmitTimer);
        _delayedAckTimer = stack.Clock.CreateTimer(OnDelayedAckTimer);
        _keepaliveTimer = stack.Clock.CreateTimer(OnKeepaliveTimer);
        _lingerTimer = stack.Clock.CreateTimer(OnLingerTimer);
    }

    public TcpState State { get; private set; }

    /// <summary>The remote endpoint (Mirage's <c>dst</c>).</summary>
    public TcpEndpoint Destination => new(Tuple.RemoteAddress, Tuple.RemotePort);

    public TcpEndpoint LocalEndpoint => new(Tuple.LocalAddress, Tuple.LocalPort);

    public Keepalive? Keepalive { get; private set; }

    /// <summary>Why the connection ended abnormally (reset, timeout, ...), or null.</summary>
    public TcpError? Error => _error;

    /// <summary>Bytes buffered for sending and not yet acknowledged.</summary>
    public int UnacknowledgedBytes => _send.Count;

    /// <summary>Bytes received in order and not yet read.</summary>
    public int ReadableBytes => _recv.Count;

    public override string ToString() => $"tcp {Tuple} {State}";

    internal SeqNum ReceiveNext => _rcvNxt;
    internal SeqNum SendMax => _sndMax;
    internal SeqNum SendUnacknowledged => _sndUna;
    internal uint TsRecent => _tsRecent;
    internal int SendMss => _sndMss;

    /// <summary>The engine's variables, for diagnostics.</summary>
    public string Describe() =>
        $"{this} una={_sndUna} nxt={_sndNxt} max={_sndMax} wnd={_sndWnd} cwnd={_cc.Cwnd} ssthresh={_cc.Ssthresh} rto={_rtt.Rto / 1_000_000}ms " +
        $"recovery={_inRecovery} recover={_recoveryPoint} highRxt={_highRxt} dup={_dupAcks} sacked={_scoreboard.SackedBytes} " +
        $"buffered={_send.Count} rcvNxt={_rcvNxt} rcvAdv={_rcvAdvEdge - _rcvNxt} readable={_recv.Count} retries={_rexmitCount} error={_error}";

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
                    AfterUserRead();
                    if (State == TcpState.TimeWait) ReleaseBuffers();
                    return new TcpReadResult(n, false);
                }
                if (_readShutdown || _peerFinReceived || _keepaliveExpired) return TcpReadResult.EndOfStream;
                if (_error is { } e) return Result<TcpReadResult, TcpError>.Fail(e);
                if (State == TcpState.Closed) return TcpReadResult.EndOfStream;
                _readWaiter ??= NewWaiter();
                await _readWaiter.Task;
            }
        }
        finally { _readBusy = false; }
    }

    /// <summary>Mirage's <c>read</c>: a fresh buffer holding the next bytes (at most one receive window's worth), or end-of-stream.</summary>
    public async Task<Result<TcpData, TcpError>> ReadAsync()
    {
        var buffer = new byte[Math.Min(Math.Max(_rcvMss, 1), _config.ReceiveBufferSize) * 4];
        var r = await ReadAsync(buffer);
        if (!r.IsOk) return Result<TcpData, TcpError>.Fail(r.Error);
        return r.Value.IsEndOfStream ? TcpData.EndOfStream : new TcpData(buffer.AsMemory(0, r.Value.Count), false);
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

    private bool CanWrite => !_writeShutdown && _error is null && !_keepaliveExpired && State is TcpState.Established or TcpState.CloseWait;

    private async Task<Result<Unit, TcpWriteError>> WriteCore(ReadOnlyMemory<byte> data, bool nodelay)
    {
        if (_writeBusy) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.WriteInProgress);
        _writeBusy = true;
        try
        {
            while (true)
            {
                if (!CanWrite) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed);
                int n = _send.Append(data.Span);
                data = data[n..];
                if (nodelay) _pushEdge = _bufferStart + _send.Count;
                if (n > 0) Output();
                if (data.IsEmpty) break;
                // Wake up once a useful amount of space is free, not on every ACK.
                _writeNeed = Math.Min(data.Length, _send.Capacity / 4);
                await WaitForWriterWakeup();
            }
            if (nodelay)
            {
                var end = _bufferStart + _send.Count;
                while (_sndMax < end && SeqNum.Max(_sndUna, _bufferStart) < end)
                {
                    if (!CanWrite) return Result<Unit, TcpWriteError>.Fail(TcpWriteError.Closed);
                    _writeNeed = int.MaxValue; // woken by Output once the bytes are on the wire
                    await WaitForWriterWakeup();
                }
            }
            return Unit.Value;
        }
        finally { _writeBusy = false; }
    }

    private Task WaitForWriterWakeup()
    {
        _writeWaiter ??= NewWaiter();
        return _writeWaiter.Task;
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
        if (!_lingerTimer.IsArmed) _lingerTimer.Arm(Now + Ns(_config.CloseTimeout));
        _closeWaiter ??= NewWaiter();
        return _closeWaiter.Task;
    }

    /// <summary>shutdown(2): Read discards what arrives from now on and makes reads return end-of-stream; Write sends FIN after the buffered data.</summary>
    public void Shutdown(ShutdownMode mode)
    {
        if (mode is ShutdownMode.Read or ShutdownMode.Both)
        {
            _readShutdown = true;
            _recv.Discard();
            Wake(ref _readWaiter);
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
            case TcpState.SynReceived:
            case TcpState.Established:
                State = State == TcpState.SynReceived ? TcpState.SynReceived : TcpState.FinWait1;
                break;
            case TcpState.CloseWait:
                State = TcpState.LastAck;
                break;
            default:
                return;
        }
        _finQueued = true;
        _finSeq = _bufferStart + _send.Count;
        Wake(ref _writeWaiter);
        Output();
    }

    // ---- plumbing ---------------------------------------------------------------------------------------------

    private long Now => _stack.Clock.NowNanoseconds;

    private static long Ns(TimeSpan t) => t.Ticks * 100;

    private TaskCompletionSource NewWaiter() => new(_stack.CaptureContext());

    private void Wake(ref TaskCompletionSource? waiter)
    {
        var w = waiter;
        waiter = null;
        if (w is not null) _stack.Complete(w);
    }

    private void WakeAll()
    {
        Wake(ref _readWaiter);
        Wake(ref _writeWaiter);
    }

    internal void SetKeepalive(Keepalive? keepalive)
    {
        Keepalive = keepalive;
        if (keepalive is not null && State.IsSynchronized()) _keepaliveTimer.Arm(Now + Ns(keepalive.After));
    }

    // ---- opening ----------------------------------------------------------------------------------------------

    /// <summary>Active open: sends the SYN; the task completes when established or failed.</summary>
    internal Task<Result<TcpFlow, TcpError>> Open()
    {
        State = TcpState.SynSent;
        _connectWaiter = new(_stack.CaptureContext());
        var task = _connectWaiter.Task;
        SendSyn();
        return task;
    }

    /// <summary>Passive open: a SYN arrived for a listener; the caller sends the SYN-ACK.</summary>
    internal void AcceptSyn(SeqNum peerIsn, in Wire.TcpOptions opt, TcpListener listener)
    {
        State = TcpState.SynReceived;
        Listener = listener;
        _irs = peerIsn;
        _rcvNxt = _lastAckSent = peerIsn + 1;
        NegotiateOptions(opt);
        if (opt.HasTimestamps && _tsOn) { _tsRecent = opt.TsVal; _tsRecentTime = Now; _tsRecentValid = true; }
        _sndNxt = _sndMax = _iss + 1;
    }

    /// <summary>A valid SYN cookie came back: the connection starts established, without window scaling, SACK or timestamps.</summary>
    internal void AcceptCookie(SeqNum peerIsn, int peerMss, ushort window, TcpListener listener)
    {
        State = TcpState.SynReceived;
        Listener = listener;
        _irs = peerIsn;
        _rcvNxt = _lastAckSent = peerIsn + 1;
        _peerMss = peerMss;
        _wscaleOn = false; _sndWscale = 0; _rcvWscale = 0;
        _tsOn = false; _sackOn = false;
        UpdateMss();
        _sndNxt = _sndMax = _iss + 1;
        _rcvAdvEdge = _rcvNxt + Math.Min(_recv.Free, 65535); // what the cookie SYN-ACK advertised
        _sndWnd = window;
    }

}

/// <summary>What Mirage's <c>read</c> yields: a fresh buffer of received bytes, or end-of-stream.</summary>
public readonly record struct TcpData(ReadOnlyMemory<byte> Bytes, bool IsEndOfStream)
{
    public static readonly TcpData EndOfStream = new(default, true);
    public override string ToString() => IsEndOfStream ? "end of stream" : $"{Bytes.Length} bytes";
}
