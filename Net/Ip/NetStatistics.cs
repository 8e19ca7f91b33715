using System.Text;

namespace CosmosNet.Net.Ip;

/// <summary>Every event the layers below TCP count: traffic, and one counter per reason a frame or packet is dropped.</summary>
public enum NetCounter
{
    // Ethernet
    FramesReceived,
    FramesSent,
    EthernetTruncated,
    EthernetNotForUs,
    EthernetUnknownType,

    // ARP
    ArpMalformed,
    ArpUnsupported,
    ArpNotForUs,
    ArpRequestsReceived,
    ArpRepliesReceived,
    ArpRequestsSent,
    ArpRepliesSent,
    ArpGratuitousSent,
    ArpAddressConflicts,
    /// <summary>A packet dropped because the queue of packets waiting for an ARP reply was full.</summary>
    ArpQueueFull,
    /// <summary>A queued packet dropped because its next hop never answered ARP.</summary>
    ArpUnresolved,
    ArpCacheEvictions,

    // IPv4
    IpReceived,
    IpTruncated,
    IpBadVersion,
    IpBadLength,
    IpBadChecksum,
    IpBadOptions,
    IpBadFragment,
    IpBadSource,
    IpNotForUs,
    IpUnknownProtocol,
    IpDelivered,
    IpSent,
    /// <summary>A packet to this host's own address or 127/8, queued on the loopback interface (never the device).</summary>
    IpLoopback,
    /// <summary>A loopback packet handed back to the stack's input on the next turn of its loop.</summary>
    IpLoopbackDelivered,
    IpLoopbackQueueFull,
    /// <summary>RFC 1122 3.2.1.3: a packet from the wire with a 127/8 source or destination, dropped.</summary>
    IpMartian,
    IpNoRoute,
    IpTooLarge,
    IpFragmentsSent,
    IpFragmentsReceived,
    IpReassembled,
    IpReassemblyOverlaps,
    IpReassemblyTimeouts,
    /// <summary>A partial datagram evicted to stay within the reassembly memory bound.</summary>
    IpReassemblyEvictions,

    // ICMP
    IcmpReceived,
    IcmpMalformed,
    IcmpBadChecksum,
    IcmpEchoRequests,
    IcmpEchoRepliesSent,
    IcmpEchoRepliesReceived,
    IcmpErrorsReceived,
    IcmpErrorsDelivered,
    /// <summary>An ICMP error whose quoted packet is not one this host could have sent.</summary>
    IcmpErrorsIgnored,
    IcmpErrorsSent,
    IcmpErrorsRateLimited,
    IcmpUnknownType,

    // UDP
    UdpReceived,
    UdpMalformed,
    UdpBadChecksum,
    UdpNoListener,
    UdpDelivered,
    UdpSent,
    UdpSendFailed,

    // DHCP and DNS
    DhcpMalformed,
    DhcpIgnored,
    DnsMalformed,
    DnsIgnored,

    /// <summary>An exception while a received frame was processed below TCP (a bug, or out of memory): the frame was
    /// dropped and the stack carried on (TCP contains its own, see TcpStatistics.Faults).</summary>
    InputFaults,
}

/// <summary>Counters of the Ethernet, ARP, IPv4, ICMP, UDP, DHCP and DNS layers of one stack. Read any time; never reset by the stack.</summary>
public sealed class NetStatistics
{
    private static readonly NetCounter[] All = Enum.GetValues<NetCounter>();
    private readonly long[] _counts = new long[All.Length];

    public long this[NetCounter counter] => _counts[(int)counter];

    internal void Increment(NetCounter counter) => _counts[(int)counter]++;

    /// <summary>The non-zero counters, one "Name=value" per line.</summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        foreach (var c in All)
            if (_counts[(int)c] != 0) sb.Append(c).Append('=').Append(_counts[(int)c]).Append('\n');
        return sb.ToString();
    }
}
