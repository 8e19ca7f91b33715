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

    /// <summary>Whether <paramref name="address"/> is this host's: 127/8 (the loopback interface) or the interface's own
    /// address. Packets to it never reach a device.</summary>
    bool IsLocal(Ipv4Address address) => !address.IsAny && address == LocalAddress;

    /// <summary>The source address of packets to <paramref name="destination"/> from a socket bound to no address:
    /// 127.0.0.1 towards 127/8, else <see cref="LocalAddress"/>.</summary>
    Ipv4Address SourceFor(Ipv4Address destination) => LocalAddress;

    /// <summary>Like <see cref="Send(Ipv4Address, IpProtocol, ReadOnlySpan{byte})"/> from a chosen source, one of this
    /// host's addresses (<see cref="IsLocal"/>; a 127/8 source reaches only this host). False when it cannot be sent.</summary>
    bool Send(Ipv4Address source, Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload) =>
        source == LocalAddress && Send(destination, protocol, payload);

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

    /// <summary>Whether a segment to <paramref name="destination"/> may go with a partial checksum: the device finishes
    /// it, or it never leaves the host (loopback: nobody verifies it, so nobody sums it).</summary>
    bool ChecksumOffloadTo(Ipv4Address destination) => ChecksumOffload;

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

    /// <summary>Whether <see cref="SendSegmented"/> can hand a segment of <paramref name="segmentLength"/> bytes to the
    /// device now, uncut (<see cref="ISegmentationOffload.HasRoomForSegmented"/>).</summary>
    bool SegmentationReady(Ipv4Address destination, int segmentLength) => true;

    /// <summary>
    /// Like <see cref="SendPartialChecksum"/> for a TCP segment larger than the MTU (at most
    /// <see cref="SegmentationLimit"/>): sent as segments of <paramref name="segmentSize"/> payload bytes, cut by the
    /// device, or here when the device cannot take it now — unless <paramref name="cutWhenBusy"/> is false: then a device
    /// without room for it now gets nothing and the answer is false (a sender with data in flight waits for the next
    /// ACK instead of queueing its window as MTU-sized frames that the device's backlog cannot hold).
    /// </summary>
    bool SendSegmented(Ipv4Address destination, ReadOnlySpan<byte> segment, int segmentSize, bool cutWhenBusy = true) =>
        throw new NotSupportedException("this IP layer sends no segments larger than the MTU");

    /// <summary><see cref="SendPartialChecksum(Ipv4Address, ReadOnlySpan{byte})"/> from a chosen source, as <see cref="Send(Ipv4Address, Ipv4Address, IpProtocol, ReadOnlySpan{byte})"/>.</summary>
    bool SendPartialChecksum(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> segment) =>
        source == LocalAddress && SendPartialChecksum(destination, segment);
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

    /// <summary>Like <see cref="ReceiveIcmpError(IcmpErrorKind, Ipv4Address, ReadOnlySpan{byte}, int)"/>, with the
    /// offending packet's source: which of this host's addresses (the interface's, or one in 127/8) sent it.</summary>
    void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalSource, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu) =>
        ReceiveIcmpError(kind, originalDestination, originalPayload, mtu);
}
