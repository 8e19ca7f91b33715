using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Udp;

/// <summary>A UDP address: IPv4 address and port.</summary>
public readonly record struct UdpEndpoint(Ipv4Address Address, ushort Port)
{
    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>Receives one datagram. The payload span is only valid during the call.</summary>
public delegate void UdpReceiver(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload);

/// <summary>An ICMP error about a datagram this socket sent (e.g. port unreachable at <paramref name="destination"/>).</summary>
public delegate void UdpErrorReceiver(IcmpErrorKind kind, UdpEndpoint destination);

public enum UdpError
{
    /// <summary>Another socket is bound to the port (on the same address, or one of the two on 0.0.0.0).</summary>
    PortInUse,
    /// <summary>The address to bind is not one of this host's.</summary>
    AddressNotAvailable,
    /// <summary>No ephemeral port is free.</summary>
    NoFreePort,
    /// <summary>The socket was closed.</summary>
    Closed,
    /// <summary>The payload exceeds the largest UDP datagram.</summary>
    TooLarge,
    /// <summary>The IP layer dropped the datagram: no route, or the ARP queue is full.</summary>
    NotSent,
}

/// <summary>
/// UDP (RFC 768) over the IP layer: a table of callbacks by (address, port) — 0.0.0.0 receives on every address of the
/// host, a specific one (the interface's, or one in 127/8) only there — checksums on the wire (none on loopback, which
/// no wire corrupts), and ICMP port unreachable for datagrams to a port nobody bound.
/// </summary>
public sealed class UdpLayer : IIpTransport
{
    public const ushort EphemeralFirst = 49152;

    private readonly IIpLayer _ip;
    private readonly IRandomSource _random;
    private readonly NetStatistics _stats;
    private readonly Dictionary<UdpEndpoint, UdpSocket> _sockets = new();
    private readonly Dictionary<ushort, int> _socketsOnPort = new();   // how many addresses are bound on each port
    private byte[] _tx = new byte[UdpDatagram.HeaderLength + 1472];

    public UdpLayer(IIpLayer ip, IRandomSource random, NetStatistics? statistics = null)
    {
        _ip = ip;
        _random = random;
        _stats = statistics ?? new NetStatistics();
        ip.Register(IpProtocol.Udp, this);
    }

    public NetStatistics Statistics => _stats;

    /// <summary>Binds <paramref name="port"/> on every address of the host (0: a random ephemeral port, RFC 6056) and
    /// calls <paramref name="receiver"/> for each datagram.</summary>
    public Result<UdpSocket, UdpError> Bind(ushort port, UdpReceiver receiver, UdpErrorReceiver? errorReceiver = null) =>
        Bind(new UdpEndpoint(Ipv4Address.Any, port), receiver, errorReceiver);

    /// <summary>Binds <paramref name="local"/>: address 0.0.0.0 receives on every address of the host, a specific one (the
    /// interface's, or one in 127/8) only datagrams sent to it, and sends from it. Port 0 picks a random ephemeral port.</summary>
    public Result<UdpSocket, UdpError> Bind(UdpEndpoint local, UdpReceiver receiver, UdpErrorReceiver? errorReceiver = null)
    {
        if (!local.Address.IsAny && !_ip.IsLocal(local.Address)) return Result<UdpSocket, UdpError>.Fail(UdpError.AddressNotAvailable);
        ushort port = local.Port;
        if (port == 0)
        {
            port = RandomFreePort();
            if (port == 0) return Result<UdpSocket, UdpError>.Fail(UdpError.NoFreePort);
        }
        else if (local.Address.IsAny ? _socketsOnPort.ContainsKey(port)
                 : _sockets.ContainsKey(local with { Port = port }) || _sockets.ContainsKey(new UdpEndpoint(Ipv4Address.Any, port)))
            return Result<UdpSocket, UdpError>.Fail(UdpError.PortInUse);
        var socket = new UdpSocket(this, new UdpEndpoint(local.Address, port), receiver, errorReceiver);
        _sockets[socket.LocalEndpoint] = socket;
        _socketsOnPort[port] = _socketsOnPort.GetValueOrDefault(port) + 1;
        return socket;
    }

    private ushort RandomFreePort()
    {
        Span<byte> r = stackalloc byte[2];
        _random.Fill(r);
        int range = 65536 - EphemeralFirst;
        int start = BinaryPrimitives.ReadUInt16BigEndian(r) % range;
        for (int i = 0; i < range; i++)
        {
            var port = (ushort)(EphemeralFirst + (start + i) % range);
            if (!_socketsOnPort.ContainsKey(port)) return port;
        }
        return 0;
    }

    internal void Unbind(UdpSocket socket)
    {
        if (!_sockets.TryGetValue(socket.LocalEndpoint, out var bound) || bound != socket) return;
        _sockets.Remove(socket.LocalEndpoint);
        if (--_socketsOnPort[socket.LocalPort] == 0) _socketsOnPort.Remove(socket.LocalPort);
    }

    /// <summary>The socket a datagram to <paramref name="destination"/> reaches: the one bound to that address, else the
    /// one bound to 0.0.0.0 on its port.</summary>
    private UdpSocket? SocketFor(UdpEndpoint destination) =>
        _sockets.GetValueOrDefault(destination) ?? _sockets.GetValueOrDefault(destination with { Address = Ipv4Address.Any });

    /// <summary>Sends one datagram from <paramref name="sourcePort"/>; the payload is copied before this returns.</summary>
    public Result<int, UdpError> Send(ushort sourcePort, UdpEndpoint destination, ReadOnlySpan<byte> payload) =>
        Send(new UdpEndpoint(Ipv4Address.Any, sourcePort), destination, payload);

    /// <summary>Sends one datagram from <paramref name="source"/> (address 0.0.0.0: the one the route gives).</summary>
    public Result<int, UdpError> Send(UdpEndpoint source, UdpEndpoint destination, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > UdpDatagram.MaxPayload) return Result<int, UdpError>.Fail(UdpError.TooLarge);
        int length = UdpDatagram.HeaderLength + payload.Length;
        if (_tx.Length < length) _tx = new byte[Math.Max(length, _tx.Length * 2)];
        var datagram = _tx.AsSpan(0, length);
        payload.CopyTo(datagram[UdpDatagram.HeaderLength..]);
        var from = source.Address.IsAny ? _ip.SourceFor(destination.Address) : source.Address;
        UdpDatagram.WriteHeader(datagram, source.Port, destination.Port, payload.Length, from, destination.Address,
            checksum: !_ip.IsLocal(destination.Address));
        if (!_ip.Send(from, destination.Address, IpProtocol.Udp, datagram))
        {
            _stats.Increment(NetCounter.UdpSendFailed);
            return Result<int, UdpError>.Fail(UdpError.NotSent);
        }
        _stats.Increment(NetCounter.UdpSent);
        return payload.Length;
    }

    void IIpTransport.Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload) =>
        ((IIpTransport)this).Receive(source, destination, payload, RxChecksum.Unverified);

    void IIpTransport.Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload, RxChecksum checksum)
    {
        _stats.Increment(NetCounter.UdpReceived);
        var error = UdpDatagram.TryParse(payload, source, destination, out var datagram, verifyChecksum: checksum == RxChecksum.Unverified);
        if (error != WireError.None)
        {
            _stats.Increment(error == WireError.BadChecksum ? NetCounter.UdpBadChecksum : NetCounter.UdpMalformed);
            return;
        }
        if (SocketFor(new UdpEndpoint(destination, datagram.DestinationPort)) is not { } socket)
        {
            _stats.Increment(NetCounter.UdpNoListener);
            _ip.SendUnreachable(IcmpErrorKind.PortUnreachable, payload);
            return;
        }
        _stats.Increment(NetCounter.UdpDelivered);
        socket.Receiver(new UdpEndpoint(source, datagram.SourcePort), destination, datagram.Payload);
    }

    void IIpTransport.ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu) =>
        ((IIpTransport)this).ReceiveIcmpError(kind, _ip.LocalAddress, originalDestination, originalPayload, mtu);

    void IIpTransport.ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalSource, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu)
    {
        if (originalPayload.Length < UdpDatagram.HeaderLength) return;
        ushort sourcePort = BinaryPrimitives.ReadUInt16BigEndian(originalPayload);
        ushort destinationPort = BinaryPrimitives.ReadUInt16BigEndian(originalPayload[2..]);
        if (SocketFor(new UdpEndpoint(originalSource, sourcePort)) is { } socket)
            socket.ErrorReceiver?.Invoke(kind, new UdpEndpoint(originalDestination, destinationPort));
    }
}

/// <summary>A bound UDP port. Dispose (or <see cref="Close"/>) unbinds it.</summary>
public sealed class UdpSocket : IDisposable
{
    private readonly UdpLayer _layer;

    internal UdpSocket(UdpLayer layer, UdpEndpoint local, UdpReceiver receiver, UdpErrorReceiver? errorReceiver)
    {
        _layer = layer;
        LocalEndpoint = local;
        Receiver = receiver;
        ErrorReceiver = errorReceiver;
    }

    /// <summary>The bound address (0.0.0.0: every address of the host) and port.</summary>
    public UdpEndpoint LocalEndpoint { get; }
    public ushort LocalPort => LocalEndpoint.Port;
    public bool IsClosed { get; private set; }
    internal UdpReceiver Receiver { get; }
    internal UdpErrorReceiver? ErrorReceiver { get; }

    public Result<int, UdpError> Send(UdpEndpoint destination, ReadOnlySpan<byte> payload) =>
        IsClosed ? Result<int, UdpError>.Fail(UdpError.Closed) : _layer.Send(LocalEndpoint, destination, payload);

    public void Close()
    {
        if (IsClosed) return;
        IsClosed = true;
        _layer.Unbind(this);
    }

    public void Dispose() => Close();

    public override string ToString() => $"udp:{LocalEndpoint}" + (IsClosed ? " (closed)" : "");
}
