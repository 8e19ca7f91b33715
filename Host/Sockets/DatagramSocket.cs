using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Udp;
using static CosmosNet.Host.Sockets.Errno;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// A UDP socket over the stack's port table: datagrams that arrive wait in a queue of at most SO_RCVBUF bytes (more
/// are dropped, as on Linux); sends go to the loop at once. Connected, it takes datagrams from its peer only and an
/// ICMP port unreachable from the peer becomes ECONNREFUSED on the next call.
/// </summary>
sealed class DatagramSocket(SocketNetwork network) : SocketDescriptor(network)
{
    UdpSocket? _port;                              // the stack's binding; created and closed on the loop
    Endpoint _local;
    Endpoint? _peer;
    readonly Queue<(Endpoint From, byte[] Data)> _queue = new();
    int _queuedBytes;

    public override int Type => 2;
    public override int Protocol => 17;
    public override string ToString() => $"udp {_local}";

    /// <summary>Bound to 0.0.0.0 and connected, it reports the source the route picks for the peer, as Linux does.</summary>
    public override Endpoint LocalEndpoint
    {
        get
        {
            lock (Gate)
                return _peer is { } peer && _local.Address.IsAny && _port is not null
                    ? _local with { Address = Network.Stack.Ip.SourceFor(peer.Address) } : _local;
        }
    }
    public override Endpoint? RemoteEndpoint { get { lock (Gate) return _peer; } }
    public override int BytesAvailable { get { lock (Gate) return _queue.TryPeek(out var d) ? d.Data.Length : 0; } }

    public override int Bind(Endpoint local)
    {
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (_port is not null) return -EINVAL;
        }
        var result = Network.Invoke(() => Network.Stack.Udp.Bind(new UdpEndpoint(local.Address, local.Port), OnDatagram, OnIcmpError));
        if (!result.IsOk) return result.Error == UdpError.PortInUse ? -EADDRINUSE : -EADDRNOTAVAIL;
        lock (Gate)
        {
            if (Closed || _port is not null)
            {
                var extra = result.Value;
                Network.Post(extra.Close);
                return Closed ? -EBADF : -EINVAL;
            }
            _port = result.Value;
            _local = local with { Port = _port.LocalPort };
            return 0;
        }
    }

    int EnsureBound()
    {
        lock (Gate) if (_port is not null) return 0;
        int r = Bind(new Endpoint(Ipv4Address.Any, 0));
        return r == -EINVAL ? 0 : r;   // bound meanwhile by another thread
    }

    /// <summary>A datagram for this port (on the loop).</summary>
    void OnDatagram(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload)
    {
        lock (Gate)
        {
            if (Closed) return;
            var from = new Endpoint(source.Address, source.Port);
            if (_peer is { } peer && peer != from) return;
            if (_queuedBytes + payload.Length > ReceiveBufferSize) return;
            _queue.Enqueue((from, payload.ToArray()));
            _queuedBytes += payload.Length;
            ChangedLocked();
        }
    }

    void OnIcmpError(IcmpErrorKind kind, UdpEndpoint destination)
    {
        lock (Gate)
        {
            if (Closed || _peer is not { } peer || peer != new Endpoint(destination.Address, destination.Port)) return;
            PendingError = kind == IcmpErrorKind.PortUnreachable ? ECONNREFUSED : EHOSTUNREACH;
            ChangedLocked();
        }
    }

    public override int Connect(Endpoint remote)
    {
        if (remote.Address.IsAny && remote.Port == 0) return Disconnect();   // connect(AF_UNSPEC)
        if (remote.Port == 0) return -EINVAL;
        int bound = EnsureBound();
        if (bound < 0) return bound;
        lock (Gate)
        {
            _peer = remote;
            // Datagrams from others that were already queued stay readable, as on Linux.
            return 0;
        }
    }

    public override int Disconnect()
    {
        lock (Gate)
        {
            _peer = null;
            return 0;
        }
    }

    public override int Receive(Span<byte> buffer, bool peek, out Endpoint from, out bool truncated)
    {
        from = default;
        truncated = false;
        lock (Gate)
        {
            long deadline = Deadline(ReceiveTimeout);
            while (true)
            {
                if (Closed) return -EBADF;
                if (PendingError != 0)
                {
                    int e = PendingError;
                    PendingError = 0;
                    return -e;
                }
                if (_queue.TryPeek(out var datagram))
                {
                    from = datagram.From;
                    int n = Math.Min(buffer.Length, datagram.Data.Length);
                    datagram.Data.AsSpan(0, n).CopyTo(buffer);
                    truncated = n < datagram.Data.Length;
                    if (!peek)
                    {
                        _queue.Dequeue();
                        _queuedBytes -= datagram.Data.Length;
                    }
                    return n;
                }
                if (NonBlocking || !WaitLocked(deadline)) return -EAGAIN;
            }
        }
    }

    public override int Send(ReadOnlySpan<byte> data, Endpoint? to)
    {
        Endpoint destination;
        lock (Gate)
        {
            if (Closed) return -EBADF;
            if (PendingError != 0)
            {
                int e = PendingError;
                PendingError = 0;
                return -e;
            }
            if (to is null && _peer is null) return -EDESTADDRREQ;
            destination = to ?? _peer!.Value;
        }
        if (destination.Port == 0) return -EINVAL;
        if (destination.Address.IsBroadcast && !Broadcast) return -EACCES;
        int bound = EnsureBound();
        if (bound < 0) return bound;
        UdpSocket port;
        lock (Gate) port = _port!;
        var copy = data.ToArray();
        var result = Network.Invoke(() => port.Send(new UdpEndpoint(destination.Address, destination.Port), copy));
        if (result.IsOk) return copy.Length;
        return result.Error switch
        {
            UdpError.TooLarge => -EMSGSIZE,
            UdpError.Closed => -EBADF,
            _ => -ENETUNREACH,
        };
    }

    public override int Shutdown(int how)
    {
        lock (Gate) return _peer is null ? -ENOTCONN : 0;
    }

    public override int Close()
    {
        lock (Gate)
        {
            if (Closed) return 0;
            Closed = true;
            _queue.Clear();
            _queuedBytes = 0;
            if (_port is { } port) Network.Post(port.Close);
            UnregisterLocked();
            return 0;
        }
    }

    protected override PollEvents ReadinessLocked()
    {
        if (Closed) return PollEvents.HangUp;
        var r = PollEvents.Out;
        if (_queue.Count > 0) r |= PollEvents.In;
        if (PendingError != 0) r |= PollEvents.Error;
        return r;
    }
}
