using CosmosNet.Net.Dhcp;
using CosmosNet.Net.Dns;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Udp;

namespace CosmosNet.Net;

/// <summary>How a <see cref="NetworkStack"/> gets its address and tunes its layers.</summary>
public sealed record NetworkStackConfig
{
    /// <summary>A fixed address; null means DHCP.</summary>
    public IpConfiguration? Static { get; init; }
    /// <summary>DNS servers to use instead of those of the static configuration or the DHCP lease.</summary>
    public IReadOnlyList<Ipv4Address>? DnsServers { get; init; }
    public IpOptions Ip { get; init; } = new();
    public DhcpOptions Dhcp { get; init; } = new();
    public DnsOptions Dns { get; init; } = new();
    public TcpConfig Tcp { get; init; } = new();

    public static NetworkStackConfig WithDhcp() => new();
    public static NetworkStackConfig WithStatic(IpConfiguration configuration) => new() { Static = configuration };
}

/// <summary>
/// The composition root: one interface over a device, with UDP, DHCP, DNS (and TCP) on top, all driven by the host's
/// single logical thread (frames, timers and API calls; see <see cref="IClock"/>).
/// </summary>
public sealed class NetworkStack
{
    /// <param name="memory">How much memory is left (TCP's admission and windows follow it); null: no budget.</param>
    public NetworkStack(INetworkDevice device, IClock clock, IRandomSource random, NetworkStackConfig? config = null, IMemoryBudget? memory = null)
    {
        Config = config ?? NetworkStackConfig.WithDhcp();
        Clock = clock;
        Statistics = new NetStatistics();
        Ip = new NetworkInterface(device, clock, random, Statistics, Config.Ip);
        Udp = new UdpLayer(Ip, random, Statistics);
        Dhcp = new DhcpClient(Ip, Udp, clock, random, Statistics, Config.Dhcp);
        Dns = new DnsResolver(Udp, clock, random, () => Config.DnsServers ?? Ip.Configuration.DnsServers, Statistics, Config.Dns);
        Tcp = new TcpStack(Ip, clock, random, Config.Tcp, memory); // registers itself with Ip for IpProtocol.Tcp
    }

    public NetworkStackConfig Config { get; }
    public IClock Clock { get; }
    /// <summary>Ethernet, ARP, IPv4 and ICMP.</summary>
    public NetworkInterface Ip { get; }
    public UdpLayer Udp { get; }
    /// <summary>The DHCP client; idle when the stack has a static configuration.</summary>
    public DhcpClient Dhcp { get; }
    public DnsResolver Dns { get; }
    public TcpStack Tcp { get; }
    /// <summary>Counters of every layer below TCP.</summary>
    public NetStatistics Statistics { get; }

    /// <summary>Where the stack reports faults it contained (one line each: the kernel's console, a test's log).</summary>
    public Action<string>? Log
    {
        get => Tcp.Log;
        set { Tcp.Log = value; Ip.Log = value; }
    }

    /// <summary>
    /// Starts receiving frames and configures the interface: at once from a static configuration, otherwise by DHCP.
    /// Completes when the interface has an address (or DHCP gave up after <paramref name="dhcpTimeout"/>; it keeps trying).
    /// </summary>
    public async Task<Result<IpConfiguration, DhcpError>> StartAsync(TimeSpan? dhcpTimeout = null)
    {
        Ip.Start();
        if (Config.Static is { } configuration)
        {
            Ip.Configure(configuration);
            return configuration;
        }
        var lease = await Dhcp.StartAsync(dhcpTimeout).ConfigureAwait(true);
        return lease.IsOk ? Result<IpConfiguration, DhcpError>.Ok(lease.Value.ToConfiguration()) : Result<IpConfiguration, DhcpError>.Fail(lease.Error);
    }

    /// <summary>Tears down what runs without being asked: the DHCP client releases its lease.</summary>
    public void Stop() => Dhcp.Stop();

    public override string ToString() => $"{Ip.MacAddress} {Ip.Configuration}";
}
