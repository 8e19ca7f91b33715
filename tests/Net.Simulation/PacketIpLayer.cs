using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Simulation;

/// <summary>
/// A stand-in IP layer over a packet port, so a transport (TCP, UDP) can be tested before or without the real
/// Ethernet/ARP/IPv4 layers. Each packet is a 9-byte pseudo header (source, destination, protocol) followed by
/// the transport payload. Corruption on the link can hit that header too; transports catch it through their
/// pseudo-header checksum, as they would with a real IP header.
/// </summary>
public sealed class PacketIpLayer : IIpLayer
{
    public const int HeaderLength = 9;

    private readonly LinkEnd _port;
    private readonly int _mtu;
    private readonly IIpTransport?[] _transports = new IIpTransport?[256];
    private readonly byte[] _sendBuffer;

    public PacketIpLayer(LinkEnd port, Ipv4Address localAddress, int mtu = 1500)
    {
        _port = port;
        _mtu = mtu;
        LocalAddress = localAddress;
        _sendBuffer = new byte[HeaderLength + mtu];
        port.Receiver = Receive;
    }

    public Ipv4Address LocalAddress { get; set; }

    public long Sent { get; private set; }
    public long Delivered { get; private set; }
    public long Malformed { get; private set; }
    public long NotForUs { get; private set; }
    public long NoTransport { get; private set; }
    public long TooBig { get; private set; }

    /// <summary>As for IPv4 without options: the MTU minus a 20-byte header.</summary>
    public int MaxPayload(Ipv4Address destination) => _mtu - 20;

    public bool Send(Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload)
    {
        if (payload.Length > MaxPayload(destination)) { TooBig++; return false; }
        var packet = _sendBuffer.AsSpan(0, HeaderLength + payload.Length);
        LocalAddress.Write(packet);
        destination.Write(packet[4..]);
        packet[8] = (byte)protocol;
        payload.CopyTo(packet[HeaderLength..]);
        Sent++;
        _port.Send(packet);
        return true;
    }

    public void Register(IpProtocol protocol, IIpTransport transport) => _transports[(byte)protocol] = transport;

    private void Receive(ReadOnlySpan<byte> packet)
    {
        if (packet.Length < HeaderLength) { Malformed++; return; }
        var source = Ipv4Address.Read(packet);
        var destination = Ipv4Address.Read(packet[4..]);
        if (destination != LocalAddress) { NotForUs++; return; }
        var transport = _transports[packet[8]];
        if (transport is null) { NoTransport++; return; }
        Delivered++;
        transport.Receive(source, destination, packet[HeaderLength..]);
    }
}
