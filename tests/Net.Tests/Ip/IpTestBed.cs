using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tests.Ip;

/// <summary>
/// Host A (a real <see cref="NetworkInterface"/>, 10.0.0.1/24) on a simulated link whose other end is either a second
/// interface (host B, 10.0.0.2) or a raw port where the test reads and writes frames itself.
/// </summary>
internal sealed class IpTestBed
{
    public static readonly MacAddress MacA = MacAddress.Parse("52:54:00:00:00:01");
    public static readonly MacAddress MacB = MacAddress.Parse("52:54:00:00:00:02");
    public static readonly Ipv4Address AddrA = new(10, 0, 0, 1), AddrB = new(10, 0, 0, 2);

    public readonly Simulator Sim;
    public readonly SimulatedLink Link;
    public readonly NetworkInterface A;
    public readonly NetworkInterface? B;
    /// <summary>Frames A sent, when B is raw.</summary>
    public readonly List<byte[]> Captured = new();

    public IpTestBed(bool rawPeer, ulong seed = 1, LinkProfile? profile = null, IpOptions? options = null, int mtu = 1500)
    {
        Sim = new Simulator(seed);
        Link = new SimulatedLink(Sim, profile ?? new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
        A = new NetworkInterface(new SimulatedNetworkDevice(Link.A, MacA, mtu), Sim.Clock, Sim.Random.Fork("A"), options: options);
        A.Configure(new IpConfiguration(AddrA, 24));
        A.Start();
        if (rawPeer)
        {
            Link.B.Receiver = frame => Captured.Add(frame.ToArray());
        }
        else
        {
            B = new NetworkInterface(new SimulatedNetworkDevice(Link.B, MacB, mtu), Sim.Clock, Sim.Random.Fork("B"), options: options);
            B.Configure(new IpConfiguration(AddrB, 24));
            B.Start();
        }
        Sim.RunFor(TimeSpan.FromMilliseconds(10)); // gratuitous ARPs go by
        Captured.Clear();
    }

    public void Run(TimeSpan t) => Sim.RunFor(t);
    public void RunMs(int ms) => Sim.RunFor(TimeSpan.FromMilliseconds(ms));

    /// <summary>Sends a frame from the raw peer (B's MAC) to A.</summary>
    public void Inject(ReadOnlySpan<byte> frame) => Link.B.Send(frame);

    /// <summary>An Ethernet+IPv4 frame from B to A. Fragment fields as given; payload copied verbatim.</summary>
    public static byte[] IpFrame(byte protocol, ReadOnlySpan<byte> payload, ushort id = 1, bool more = false, int offset = 0,
        Ipv4Address? source = null, Ipv4Address? destination = null, MacAddress? destinationMac = null)
    {
        var frame = new byte[14 + 20 + payload.Length];
        EthernetFrame.WriteHeader(frame, destinationMac ?? MacA, MacB, EtherType.Ipv4);
        Ipv4Packet.WriteHeader(frame.AsSpan(14), payload.Length, id, false, more, offset, 64, protocol, source ?? AddrB, destination ?? AddrA);
        payload.CopyTo(frame.AsSpan(34));
        return frame;
    }

    public static byte[] ArpFrame(ArpOperation op, MacAddress senderMac, Ipv4Address senderIp, MacAddress targetMac, Ipv4Address targetIp,
        MacAddress? ethernetDestination = null)
    {
        var frame = new byte[60];
        EthernetFrame.WriteHeader(frame, ethernetDestination ?? MacAddress.Broadcast, senderMac, EtherType.Arp);
        ArpPacket.Write(frame.AsSpan(14), op, senderMac, senderIp, targetMac, targetIp);
        return frame;
    }

    /// <summary>Makes A learn B's MAC without any ARP exchange on the wire being captured.</summary>
    public void TeachArp()
    {
        Inject(ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA));
        RunMs(5);
        Captured.Clear();
    }
}

/// <summary>A transport that records what the IP layer hands it.</summary>
internal sealed class RecordingTransport : IIpTransport
{
    public readonly List<(Ipv4Address Source, Ipv4Address Destination, byte[] Payload)> Received = new();
    public readonly List<(IcmpErrorKind Kind, Ipv4Address Destination, byte[] Payload, int Mtu)> Errors = new();

    public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload) =>
        Received.Add((source, destination, payload.ToArray()));

    public void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu) =>
        Errors.Add((kind, originalDestination, originalPayload.ToArray(), mtu));
}
