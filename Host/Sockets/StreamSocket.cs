using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;
using static CosmosNet.Host.Sockets.Errno;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// A TCP socket over the stack's flows. A connected socket has a receive buffer and a send buffer (each up to
/// SO_RCVBUF/SO_SNDBUF bytes) and two pumps on the network loop: one reads the flow into the receive buffer while
/// there is room, one writes the send buffer into the flow. A listening socket has an accept queue (the backlog)
/// that the stack's listener fills with connected sockets. After close(2) the pumps go on alone, as Linux's
/// orphaned sockets do: the data still buffered is sent, then FIN (or RST with SO_LINGER 0, or when unread data
/// was thrown away).
/// </summary>
sealed class StreamSocket : SocketDescriptor
{
    enum Phase { Unconnected, Listening, Connecting, Connected }

    Phase _phase;
    Endpoint _local, _remote;
    bool _bound;
    Endpoint _binding;   // what bind(2) claimed (its address stays 0.0.0.0 when a connection picks a source)

    // Listening.
    readonly Queue<StreamSocket> _accepted = new();
    int _backlog;

    // Connected.
    TcpFlow? _flow;                                   // the loop's
    readonly ByteRing _received = new(), _sending = new();
    bool _endOfStream, _readShutdown, _writeShutdown, _sendFailed, _abort;
    TaskCompletionSource? _roomToReceive, _dataToSend;  // a pump waiting for the app

    public StreamSocket(SocketNetwork network) : base(network) { }

    /// <summary>A connection the stack accepted for <paramref name="listener"/> (on the loop).</summary>
    StreamSocket(SocketNetwork network, StreamSocket listener, TcpFlow flow) : base(network)
    {
        ReceiveBufferSize = listener.ReceiveBufferSize;
        SendBufferSize = listener.SendBufferSize;
        NoDelay = listener.NoDelay;
        KeepAlive = listener.KeepAlive;
        Established(flow);
    }

    public override int Type => 1;
    public override int Protocol => 6;
    public override bool IsListening { get { lock (Gate) return _phase == Phase.Listening; } }
    public override string ToString() => $"tcp {_local}->{_remote} {_phase}";

    public override Endpoint LocalEndpoint { get { lock (Gate) return _local; } }
    public override Endpoint? RemoteEndpoint { get { lock (Gate) return _phase == Phase.Connected ? _remote : null; } }
    public override int BytesAvailable { get { lock (Gate) return _received.Count; } }

    // ---- addresses this layer bound (the stack's own table knows only listeners) ----
    // As on Linux: one port may be bound on several addresses (127.0.0.1 and the interface's), but not on 0.0.0.0 and
    // any other address at once.

    static readonly HashSet<Endpoint> s_bound = [];
    static readonly Dictionary<ushort, int> s_boundPorts = [];

    static bool TryClaim(Endpoint local)
    {
        lock (s_bound)
        {
            bool taken = local.Address.IsAny ? s_boundPorts.ContainsKey(local.Port)
                : s_bound.Contains(local) || s_bound.Contains(local with { Address = Ipv4Address.Any });
            if (taken) return false;
            s_bound.Add(local);
            s_boundPorts[local.Port] = s_boundPorts.GetValueOrDefault(local.Port) + 1;
            return true;
        }
    }

    static void Release(Endpoint local)
    {
        lock (s_bound)
            if (s_bound.Remove(local) && --s_boundPorts[local.Port] == 0) s_boundPorts.Remove(local.Port);
    }

    static ushort ClaimEphemeral(TcpStack tcp, Ipv4Address address)
    {
        lock (s_bound)
        {
            int start = Random.Shared.Next(EphemeralFirst, 65536);
            for (int i = 0; i < 65536 - EphemeralFirst; i++)
            {
                var port = (ushort)(EphemeralFirst + (start - EphemeralFirst + i) % (65536 - EphemeralFirst));
                if (!s_boundPorts.ContainsKey(port) && !tcp.IsListening(port) && TryClaim(new Endpoint(address, port))) return port;
            }
            return 0;
        }
    }

    const int EphemeralFirst = 49152;

    public override int Bind(Endpoint local)
    {
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (_bound || _phase != Phase.Unconnected) return -EINVAL;
        }
        // An ephemeral port is checked against the stack's listeners, which live on the loop.
        ushort port = local.Port == 0 ? Network.Invoke(() => ClaimEphemeral(Network.Stack.Tcp, local.Address))
            : TryClaim(local) ? local.Port : (ushort)0;
        if (port == 0) return -EADDRINUSE;
        lock (Gate)
        {
            if (Closed || _bound)
            {
                Release(local with { Port = port });
                return Closed ? -EBADF : -EINVAL;
            }
            _local = local with { Port = port };
            _binding = _local;
            _bound = true;
            return 0;
        }
    }

    Keepalive? KeepaliveSettings => KeepAlive
        ? new Keepalive(TimeSpan.FromSeconds(KeepAliveTime), TimeSpan.FromSeconds(KeepAliveInterval), KeepAliveProbes)
        : null;

    // ---- listening ----

    public override int Listen(int backlog)
    {
        bool bound;
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (_phase is Phase.Connected or Phase.Connecting) return -EINVAL;
            _backlog = Math.Clamp(backlog, 1, 4096);
            if (_phase == Phase.Listening) return 0;
            bound = _bound;
        }
        if (!bound && Bind(new Endpoint(Ipv4Address.Any, 0)) is var error && error < 0) return error;
        Keepalive? keepalive;
        TcpEndpoint local;
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (_phase != Phase.Unconnected) return _phase == Phase.Listening ? 0 : -EINVAL;
            _phase = Phase.Listening;
            keepalive = KeepaliveSettings;
            local = new TcpEndpoint(_binding.Address, _binding.Port);
        }
        Network.Invoke(() =>
        {
            Network.Stack.Tcp.Listen(local, new TcpListener(flow => { OnAccepted(flow); return Task.CompletedTask; }, keepalive));
            return 0;
        });
        return 0;
    }

    /// <summary>The stack established a connection for this listener (on the loop).</summary>
    void OnAccepted(TcpFlow flow)
    {
        lock (Gate)
        {
            if (Closed || _phase != Phase.Listening || _accepted.Count >= _backlog)
            {
                flow.Abort();
                return;
            }
            _accepted.Enqueue(new StreamSocket(Network, this, flow));
            ChangedLocked();
        }
    }

    public override int Accept(out SocketDescriptor? accepted)
    {
        accepted = null;
        lock (Gate)
        {
            long deadline = Deadline(ReceiveTimeout);
            while (_accepted.Count == 0)
            {
                if (Closed) return -EBADF;
                if (_phase != Phase.Listening) return -EINVAL;
                if (NonBlocking || !WaitLocked(deadline)) return -EAGAIN;
            }
            accepted = _accepted.Dequeue();
            return 0;
        }
    }

    // ---- connecting ----

    public override int Connect(Endpoint remote)
    {
        lock (Gate)
        {
            if (Closed) return -EBADF;
            switch (_phase)
            {
                case Phase.Connected: return -EISCONN;
                case Phase.Listening: return -EINVAL;
                case Phase.Connecting: return NonBlocking ? -EALREADY : WaitForConnect();
            }
            if (remote.Address.IsAny || remote.Port == 0) return -ECONNREFUSED;
            if (remote.Address.IsBroadcast || remote.Address.IsMulticast) return -ENETUNREACH;
            _phase = Phase.Connecting;
            _remote = remote;
            PendingError = 0;
            var keepalive = KeepaliveSettings;
            var local = _bound ? new TcpEndpoint(_binding.Address, _binding.Port) : new TcpEndpoint(Ipv4Address.Any, 0);
            OnLoop(async () =>
            {
                var result = await Network.Stack.Tcp.ConnectAsync(new TcpEndpoint(remote.Address, remote.Port), keepalive, local);
                lock (Gate)
                {
                    if (Closed)
                    {
                        if (result.IsOk) result.Value.Abort();
                        return;
                    }
                    if (result.IsOk) Established(result.Value);
                    else
                    {
                        _phase = Phase.Unconnected;
                        PendingError = ErrnoOf(result.Error);
                    }
                    ChangedLocked();
                }
            });
            return NonBlocking ? -EINPROGRESS : WaitForConnect();
        }
    }

    /// <summary>A blocking connect: waits (Gate held) until it ends; SO_SNDTIMEO bounds it, as on Linux.</summary>
    int WaitForConnect()
    {
        long deadline = Deadline(SendTimeout);
        while (_phase == Phase.Connecting)
        {
            if (Closed) return -EBADF;
            if (!WaitLocked(deadline)) return -EINPROGRESS;
        }
        if (_phase == Phase.Connected) return 0;
        int error = PendingError;
        PendingError = 0;
        return -(error == 0 ? ECONNABORTED : error);
    }

    static int ErrnoOf(TcpError error) => error.Kind switch
    {
        TcpErrorKind.Refused => ECONNREFUSED,
        TcpErrorKind.TimedOut => ETIMEDOUT,
        TcpErrorKind.Reset => ECONNRESET,
        TcpErrorKind.Aborted => ECONNABORTED,
        TcpErrorKind.Unreachable => EHOSTUNREACH,
        TcpErrorKind.NoRoute => ENETUNREACH,
        TcpErrorKind.StackDown => ENETDOWN,
        _ => EINVAL,
    };

    /// <summary>The flow is up (on the loop, Gate held or in the constructor): start the pumps.</summary>
    void Established(TcpFlow flow)
    {
        _flow = flow;
        _phase = Phase.Connected;
        if (!_bound) _local = new Endpoint(flow.LocalEndpoint.Address, flow.LocalEndpoint.Port);
        else _local = _local with { Address = flow.LocalEndpoint.Address };
        _remote = new Endpoint(flow.Destination.Address, flow.Destination.Port);
        _ = ReceivePump(flow);
        _ = SendPump(flow);
    }

    // ---- the pumps (on the loop) ----

    async Task ReceivePump(TcpFlow flow)
    {
        var chunk = new byte[16 * 1024];
        while (true)
        {
            Task? room = null;
            int want;
            lock (Gate)
            {
                // Once closed or shut for reading, what arrives is read and dropped so the peer is not stalled.
                want = Closed || _readShutdown ? chunk.Length : Math.Min(chunk.Length, ReceiveBufferSize - _received.Count);
                if (want <= 0) room = (_roomToReceive = new TaskCompletionSource()).Task;
            }
            if (room is not null)
            {
                await room;
                continue;
            }
            var result = await flow.ReadAsync(chunk.AsMemory(0, want));
            lock (Gate)
            {
                if (!result.IsOk || result.Value.IsEndOfStream)
                {
                    if (!result.IsOk && !Closed)
                    {
                        PendingError = ErrnoOf(result.Error);
                        _sendFailed = true;
                        _sending.Clear();
                    }
                    _endOfStream = true;
                    ChangedLocked();
                    return;
                }
                if (!Closed && !_readShutdown) _received.Append(chunk.AsSpan(0, result.Value.Count), int.MaxValue);
                ChangedLocked();
            }
        }
    }

    async Task SendPump(TcpFlow flow)
    {
        var chunk = new byte[16 * 1024];
        while (true)
        {
            Task? more = null;
            int n = 0;
            bool finish = false, nodelay;
            lock (Gate)
            {
                if (_abort || _sendFailed) return;
                if (_sending.Count > 0) n = _sending.Read(chunk, peek: true);
                else if (_writeShutdown || Closed) finish = true;
                else more = (_dataToSend = new TaskCompletionSource()).Task;
                nodelay = NoDelay;
            }
            if (more is not null)
            {
                await more;
                continue;
            }
            if (finish)
            {
                if (Closed) await flow.CloseAsync();
                else flow.Shutdown(ShutdownMode.Write);
                return;
            }
            var result = nodelay ? await flow.WriteNodelayAsync(chunk.AsMemory(0, n)) : await flow.WriteAsync(chunk.AsMemory(0, n));
            lock (Gate)
            {
                if (!result.IsOk)
                {
                    _sendFailed = true;
                    _sending.Clear();
                    ChangedLocked();
                    return;
                }
                _sending.Consume(n);
                ChangedLocked();
            }
        }
    }

    /// <summary>Wakes a pump that waits for the app (Gate held); its continuation runs on the loop.</summary>
    static void Wake(ref TaskCompletionSource? waiter)
    {
        var w = waiter;
        waiter = null;
        w?.TrySetResult();
    }

    // ---- data ----

    public override int Receive(Span<byte> buffer, bool peek, out Endpoint from, out bool truncated)
    {
        truncated = false;
        lock (Gate)
        {
            from = _remote;
            long deadline = Deadline(ReceiveTimeout);
            while (true)
            {
                if (Closed) return -EBADF;
                if (_received.Count > 0 && !_readShutdown)
                {
                    if (buffer.IsEmpty) return 0;
                    int n = _received.Read(buffer, peek);
                    if (!peek && _received.Count < ReceiveBufferSize) Wake(ref _roomToReceive);
                    return n;
                }
                if (PendingError != 0) return -TakeErrorLocked();
                if (_endOfStream || _readShutdown) return 0;
                if (_phase != Phase.Connected) return _phase == Phase.Connecting && NonBlocking ? -EAGAIN : -ENOTCONN;
                if (buffer.IsEmpty) return 0;
                if (NonBlocking || !WaitLocked(deadline)) return -EAGAIN;
            }
        }
    }

    int TakeErrorLocked()
    {
        int e = PendingError;
        PendingError = 0;
        return e;
    }

    public override int Send(ReadOnlySpan<byte> data, Endpoint? to)
    {
        lock (Gate)
        {
            long deadline = Deadline(SendTimeout);
            int sent = 0;
            while (true)
            {
                if (Closed) return -EBADF;
                if (PendingError != 0) return sent > 0 ? sent : -TakeErrorLocked();
                if (_phase != Phase.Connected) return sent > 0 ? sent : _phase == Phase.Connecting && NonBlocking ? -EAGAIN : -ENOTCONN;
                if (_writeShutdown || _sendFailed) return sent > 0 ? sent : -EPIPE;
                int n = _sending.Append(data[sent..], SendBufferSize);
                if (n > 0)
                {
                    sent += n;
                    Wake(ref _dataToSend);
                }
                // Like Linux: a blocking send returns once everything is queued; a non-blocking one takes what fits.
                if (sent == data.Length || (NonBlocking && sent > 0)) return sent;
                if (NonBlocking) return -EAGAIN;
                if (!WaitLocked(deadline)) return sent > 0 ? sent : -EAGAIN;
            }
        }
    }

    // ---- ending ----

    public override int Shutdown(int how)
    {
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (_phase == Phase.Listening && how != 1)
            {
                StopListeningLocked();
                _phase = Phase.Unconnected;
                ChangedLocked();
                return 0;
            }
            if (_phase != Phase.Connected) return -ENOTCONN;
            if (how is 0 or 2)
            {
                _readShutdown = true;
                _received.Clear();
                Wake(ref _roomToReceive);
            }
            if (how is 1 or 2)
            {
                _writeShutdown = true;
                Wake(ref _dataToSend);
            }
            ChangedLocked();
            return 0;
        }
    }

    /// <summary>connect(AF_UNSPEC): a connection is reset; the socket is unconnected and fails its calls.</summary>
    public override int Disconnect()
    {
        lock (Gate)
        {
            if (_phase == Phase.Listening) StopListeningLocked();
            else AbortLocked();
            _phase = Phase.Unconnected;
            ChangedLocked();
            return 0;
        }
    }

    /// <summary>RST (on the loop); pending calls see the connection end.</summary>
    void AbortLocked()
    {
        if (_abort) return;
        _abort = true;
        _endOfStream = _sendFailed = true;
        _sending.Clear();
        Wake(ref _dataToSend);
        Wake(ref _roomToReceive);
        Network.Post(() => _flow?.Abort());
    }

    void StopListeningLocked()
    {
        var local = new TcpEndpoint(_binding.Address, _binding.Port);
        Network.Post(() => Network.Stack.Tcp.Unlisten(local));   // posted before the port is released: a later Listen on it comes after
        while (_accepted.TryDequeue(out var pending)) pending.Reset();   // Linux resets connections left in the accept queue
    }

    /// <summary>Abortive close of a connection nobody accepted.</summary>
    void Reset()
    {
        lock (Gate)
        {
            LingerOn = true;
            LingerSeconds = 0;
        }
        Close();
    }

    public override int Close()
    {
        lock (Gate)
        {
            if (Closed) return 0;
            switch (_phase)
            {
                case Phase.Listening:
                    StopListeningLocked();
                    break;
                case Phase.Connected when (LingerOn && LingerSeconds == 0) || _received.Count > 0:
                    AbortLocked();   // Linux resets a connection closed with unread data, and with linger 0
                    break;
            }
            Closed = true;
            _received.Clear();
            Wake(ref _dataToSend);       // the send pump flushes, then FIN
            Wake(ref _roomToReceive);    // the receive pump drains and drops
            if (_bound) Release(_binding);
            UnregisterLocked();
            return 0;
        }
    }

    protected override PollEvents ReadinessLocked()
    {
        if (Closed) return PollEvents.HangUp;
        var r = PollEvents.None;
        switch (_phase)
        {
            case Phase.Listening:
                if (_accepted.Count > 0) r |= PollEvents.In;
                break;
            case Phase.Connected:
                if (_received.Count > 0 || _endOfStream || _readShutdown) r |= PollEvents.In;
                if (_sending.Count < SendBufferSize || _sendFailed || _writeShutdown) r |= PollEvents.Out;
                if (_endOfStream && (_sendFailed || _writeShutdown)) r |= PollEvents.HangUp;
                break;
            case Phase.Unconnected when _abort:
                r |= PollEvents.In | PollEvents.Out | PollEvents.HangUp;
                break;
            case Phase.Unconnected:
                r |= PollEvents.Out | PollEvents.HangUp;   // what Linux reports for a TCP socket never connected
                break;
        }
        if (PendingError != 0) r |= PollEvents.Error;
        return r;
    }
}
