namespace CosmosNet.Net.Ip;

/// <summary>Tunables of the interface, ARP and IPv4 layers. The defaults follow Linux and the RFCs.</summary>
public sealed record IpOptions
{
    public byte Ttl { get; init; } = 64;

    /// <summary>How long a resolved ARP entry is trusted before it is resolved again.</summary>
    public TimeSpan ArpCacheTimeout { get; init; } = TimeSpan.FromSeconds(60);
    public int ArpCacheSize { get; init; } = 256;
    public TimeSpan ArpRetryInterval { get; init; } = TimeSpan.FromSeconds(1);
    /// <summary>Requests sent for one address before its queued packets are dropped as unreachable.</summary>
    public int ArpMaxRequests { get; init; } = 3;
    /// <summary>Packets (frames) queued for one unresolved address, and for all of them together.</summary>
    public int ArpQueuePerAddress { get; init; } = 16;
    public int ArpQueueTotal { get; init; } = 128;

    /// <summary>RFC 791 suggests 15 s; Linux uses 30 s.</summary>
    public TimeSpan ReassemblyTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Buffer bytes all partial datagrams together may hold; the oldest is evicted beyond it.</summary>
    public int ReassemblyMemoryLimit { get; init; } = 256 * 1024;
    public int ReassemblyMaxDatagrams { get; init; } = 64;

    /// <summary>Packets to this host itself waiting for the next turn of the stack's loop.</summary>
    public int LoopbackQueueLimit { get; init; } = 256;

    /// <summary>The loopback interface's MTU: packets to this host itself may be this large (Linux's lo once had 16436).</summary>
    public int LoopbackMtu { get; init; } = 16384;

    /// <summary>ICMP errors sent per second at most (token bucket, RFC 1812 4.3.2.8).</summary>
    public int IcmpErrorsPerSecond { get; init; } = 100;
}
