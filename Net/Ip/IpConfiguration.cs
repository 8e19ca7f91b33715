using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Ip;

/// <summary>An interface's IPv4 configuration, static or from a DHCP lease.</summary>
public sealed record IpConfiguration(Ipv4Address Address, int PrefixLength, Ipv4Address Gateway, IReadOnlyList<Ipv4Address> DnsServers)
{
    /// <summary>No address yet: the stack can only send from 0.0.0.0 to the broadcast address (what DHCP needs).</summary>
    public static readonly IpConfiguration Unconfigured = new(Ipv4Address.Any, 0, Ipv4Address.Any, []);

    public IpConfiguration(Ipv4Address address, int prefixLength, Ipv4Address gateway = default)
        : this(address, prefixLength, gateway, []) { }

    /// <summary>Parses "10.0.0.2/24" plus an optional gateway; null when malformed.</summary>
    public static IpConfiguration? TryParse(string cidr, string? gateway = null)
    {
        var slash = cidr.IndexOf('/');
        if (slash < 0 || !Ipv4Address.TryParse(cidr.AsSpan(0, slash), out var address)
            || !int.TryParse(cidr.AsSpan(slash + 1), out var prefix) || prefix is < 0 or > 32)
            return null;
        var gw = Ipv4Address.Any;
        if (gateway != null && !Ipv4Address.TryParse(gateway, out gw)) return null;
        return new IpConfiguration(address, prefix, gw);
    }

    public Ipv4Address SubnetBroadcast => PrefixLength >= 31 ? Ipv4Address.Broadcast
        : new Ipv4Address(Address.Value | (0xFFFF_FFFFu >> PrefixLength));

    public bool IsOnLink(Ipv4Address destination) => !Address.IsAny && destination.InSubnet(Address, PrefixLength);

    public override string ToString() =>
        $"{Address}/{PrefixLength}" + (Gateway.IsAny ? "" : $" via {Gateway}") + (DnsServers.Count == 0 ? "" : $" dns {string.Join(",", DnsServers)}");
}
