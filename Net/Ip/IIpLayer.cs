using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Ip;

/// <summary>IP protocol numbers the stack knows.</summary>
public enum IpProtocol : byte
{
    Icmp = 1,
    Tcp = 6,
    Udp = 17,
}

/// <summary>Why an ICMP error was reported to a transport (RFC 1122 4.2.3.9: hard vs soft errors).</summary>
public enum IcmpErrorKind
{
    NetUnreachable,
    HostUnreachable,
    ProtocolUnreachable,
    PortUnreachable,
    FragmentationNeeded,
    SourceRouteFailed,
    AdministrativelyProhibited,
    TimeExceeded,
    ParameterProblem,
}

/// <summary>
/// What the IPv4 layer offers to transports (TCP, UDP). The contract between Net/Ip (interface, ARP,
/// routing, fragmentation) and Net/Tcp, Net/Udp.
/// </summary>
public interface IIpLayer
{
    /// <summary>This host's address (Any while unconfigured, e.g. before DHCP completes).</summary>
    Ipv4Address LocalAddress { get; }

    /// <summary>Largest transport payload (IP payload) that goes to <paramref name="destination"/> unfragmented.</summary>
    int MaxPayload(Ipv4Address destination);

    /// <summary>
    /// Sends one IP packet whose payload is <paramref name="payload"/> (copied before returning). Resolves the next
    /// hop with ARP, queueing while it resolves. Returns false when the packet was dropped (no route, queue full).
    /// </summary>
    bool Send(Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload);

    /// <summary>Attaches the handler for one transport protocol; the IP layer calls it for every packet addressed to this host.</summary>
    void Register(IpProtocol protocol, IIpTransport transport);

    /// <summary>
    /// Answers the packet being delivered right now (call it only from inside <see cref="IIpTransport.Receive"/>) with an ICMP
    /// destination unreachable of <paramref name="kind"/>, quoting <paramref name="originalPayload"/> (the payload the transport
    /// was given). Returns false when nothing was sent: broadcasts, rate limit, or an IP layer without ICMP.
    /// </summary>
    bool SendUnreachable(IcmpErrorKind kind, ReadOnlySpan<byte> originalPayload) => false;

    /// <summary>Whether the device finishes TCP checksums: a transport may then write only the pseudo-header sum
    /// (<see cref="Wire.Checksum.PartialSeed"/>) and send with <see cref="SendPartialChecksum"/>.</summary>
    bool ChecksumOffload => false;

    /// <summary>
    /// Like <see cref="Send"/> for a TCP segment whose checksum field holds only the pseudo-header sum: the device
    /// finishes it, or the IP layer does when the packet cannot go out that way (to itself, fragmented, held for ARP).
    /// </summary>
    bool SendPartialChecksum(Ipv4Address destination, ReadOnlySpan<byte> segment)
    {
        byte[] copy = segment.ToArray();
        Wire.Checksum.FinishPartial(copy, Wire.TcpSegment.ChecksumOffset);
        return Send(destination, IpProtocol.Tcp, copy);
    }

    /// <summary>The largest TCP segment (header included) that <see cref="SendSegmented"/> takes towards
    /// <paramref name="destination"/> as one packet for the device to cut (<see cref="ISegmentationOffload"/>); 0 when
    /// segments must fit the MTU.</summary>
    int SegmentationLimit(Ipv4Address destination) => 0;

    /// <summary>
    /// Like <see cref="SendPartialChecksum"/> for a TCP segment larger than the MTU (at most
    /// <see cref="SegmentationLimit"/>): sent as segments of <paramref name="segmentSize"/> payload bytes, cut by the
    /// device, or here when the device cannot take it now.
    /// </summary>
    bool SendSegmented(Ipv4Address destination, ReadOnlySpan<byte> segment, int segmentSize) =>
        throw new NotSupportedException("this IP layer sends no segments larger than the MTU");
}

/// <summary>A transport protocol fed by the IP layer.</summary>
public interface IIpTransport
{
    /// <summary>One reassembled, header-checked IP payload addressed to this host.</summary>
    void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload);

    /// <summary>Like <see cref="Receive(Ipv4Address, Ipv4Address, ReadOnlySpan{byte})"/>, with what the device vouched
    /// for about the transport checksum: <see cref="RxChecksum.Valid"/> or <see cref="RxChecksum.Partial"/> need no
    /// verification.</summary>
    void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload, RxChecksum checksum) =>
        Receive(source, destination, payload);

    /// <summary>
    /// An ICMP error about a packet this host sent. <paramref name="originalPayload"/> is the start of the offending
    /// packet's transport header (at least 8 bytes: ports and, for TCP, the sequence number).
    /// <paramref name="mtu"/> is the next-hop MTU for <see cref="IcmpErrorKind.FragmentationNeeded"/>, else 0.
    /// </summary>
    void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu);
}
