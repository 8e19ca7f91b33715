using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tests.Dhcp;

/// <summary>A tiny DHCP server for tests: one address for any client, scripted misbehaviour, a log of what it heard.</summary>
internal sealed class TestDhcpServer
{
    public static readonly Ipv4Address Offered = new(10, 0, 0, 50);

    private readonly NetworkInterface _nic;
    private readonly UdpSocket _socket;
    private readonly byte[] _tx = new byte[DhcpWriter.MaxLength];

    public TestDhcpServer(NetworkInterface nic, UdpLayer udp)
    {
        _nic = nic;
        _socket = udp.Bind(DhcpMessage.ServerPort, Receive).Value;
    }

    public uint LeaseSeconds { get; set; } = 3600;
    /// <summary>DISCOVERs to ignore before answering.</summary>
    public int DropDiscovers { get; set; }
    /// <summary>REQUESTs to answer with a NAK before ACKing again.</summary>
    public int NakRequests { get; set; }
    /// <summary>Ignore REQUESTs sent to us by unicast (a server the client can no longer reach directly).</summary>
    public bool IgnoreUnicast { get; set; }
    public bool Silent { get; set; }

    public readonly List<(DhcpMessageType Type, bool Broadcast, Ipv4Address ClientAddress, TimeSpan At)> Heard = new();
    public Func<TimeSpan> Now { get; set; } = () => TimeSpan.Zero;

    private void Receive(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload)
    {
        if (DhcpMessage.TryParse(payload, out var m) != WireError.None || m.Op != DhcpMessage.OpRequest) return;
        bool broadcast = destination.IsBroadcast;
        Heard.Add((m.MessageType, broadcast, m.ClientAddress, Now()));
        if (Silent || (!broadcast && IgnoreUnicast)) return;
        switch (m.MessageType)
        {
            case DhcpMessageType.Discover:
                if (DropDiscovers > 0) { DropDiscovers--; return; }
                Reply(m, DhcpMessageType.Offer);
                return;
            case DhcpMessageType.Request:
                if (m.TryGetAddress(DhcpOption.ServerIdentifier, out var server) && server != _nic.LocalAddress) return; // chose another server
                if (NakRequests > 0) { NakRequests--; Reply(m, DhcpMessageType.Nak); return; }
                Reply(m, DhcpMessageType.Ack);
                return;
        }
    }

    private void Reply(in DhcpMessage request, DhcpMessageType type)
    {
        var w = new DhcpWriter(_tx, DhcpMessage.OpReply, request.TransactionId, request.ClientHardware, request.Broadcast,
            yourAddress: type == DhcpMessageType.Nak ? Ipv4Address.Any : Offered, serverAddress: _nic.LocalAddress);
        w.Option(DhcpOption.MessageType, (byte)type);
        w.Option(DhcpOption.ServerIdentifier, _nic.LocalAddress);
        if (type != DhcpMessageType.Nak)
        {
            w.Option(DhcpOption.LeaseTime, LeaseSeconds);
            w.Option(DhcpOption.SubnetMask, new Ipv4Address(255, 255, 255, 0));
            w.Option(DhcpOption.Router, _nic.LocalAddress);
            w.Option(DhcpOption.DnsServers, [10, 0, 0, 2, 10, 0, 0, 3]);
        }
        int n = w.Finish();
        var client = request.ClientAddress;
        var destination = client.IsAny || request.Broadcast || type == DhcpMessageType.Nak ? Ipv4Address.Broadcast : client;
        _socket.Send(new UdpEndpoint(destination, DhcpMessage.ClientPort), _tx.AsSpan(0, n));
    }

    /// <summary>Sends garbage and a reply for someone else's transaction to the client port.</summary>
    public void SendJunk()
    {
        _socket.Send(new UdpEndpoint(Ipv4Address.Broadcast, DhcpMessage.ClientPort), "not dhcp at all"u8);
        var w = new DhcpWriter(_tx, DhcpMessage.OpReply, 0xDEAD, MacAddress.Parse("02:00:00:00:00:99"), true, yourAddress: Offered);
        w.Option(DhcpOption.MessageType, (byte)DhcpMessageType.Offer);
        w.Option(DhcpOption.ServerIdentifier, _nic.LocalAddress);
        _socket.Send(new UdpEndpoint(Ipv4Address.Broadcast, DhcpMessage.ClientPort), _tx.AsSpan(0, w.Finish()));
    }
}
