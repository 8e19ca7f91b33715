using CosmosNet.Net.Dns;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tests.Ip;
using CosmosNet.Net.Udp;
using Xunit;

namespace CosmosNet.Net.Tests.Dns;

public class DnsResolverTests
{
    private static readonly Ipv4Address Web = new(192, 0, 2, 80);

    private sealed class Setup
    {
        public readonly IpTestBed Bed = new(rawPeer: false);
        public readonly TestDnsResponder Server;
        public readonly DnsResolver Resolver;
        public List<Ipv4Address> Servers = [IpTestBed.AddrB];

        public Setup(DnsOptions? options = null, bool withResponder = true)
        {
            var udpB = new UdpLayer(Bed.B!, Bed.Sim.Random.Fork("udpB"));
            Server = withResponder ? new TestDnsResponder(udpB) : null!;
            Server?.A.Add("www.test", [Web]);
            Resolver = new DnsResolver(new UdpLayer(Bed.A, Bed.Sim.Random.Fork("udpA"), Bed.A.Statistics), Bed.Sim.Clock,
                Bed.Sim.Random.Fork("dns"), () => Servers, options: options);
        }

        public Result<IReadOnlyList<Ipv4Address>, DnsError> Resolve(string name) =>
            Bed.Sim.Run(() => Resolver.ResolveAsync(name), TimeSpan.FromMinutes(5));
    }

    [Fact]
    public void ResolvesARecordsWithRandomIdsAndPorts()
    {
        var s = new Setup(new DnsOptions { CacheSize = 0 });
        s.Server.A.Add("multi.test", [new Ipv4Address(10, 1, 1, 1), new Ipv4Address(10, 1, 1, 2)]);
        Assert.Equal([Web], s.Resolve("www.test").Value);
        Assert.Equal([new Ipv4Address(10, 1, 1, 1), new Ipv4Address(10, 1, 1, 2)], s.Resolve("MULTI.test.").Value);
        for (int i = 0; i < 20; i++) Assert.True(s.Resolve("www.test").IsOk);
        var ports = s.Server.Queries.Select(q => q.From.Port).ToHashSet();
        var ids = s.Server.Queries.Select(q => q.Id).ToHashSet();
        Assert.True(ports.Count >= 20, $"{ports.Count} distinct source ports in 22 queries");
        Assert.True(ids.Count >= 20, $"{ids.Count} distinct ids in 22 queries");
        Assert.All(ports, p => Assert.True(p >= UdpLayer.EphemeralFirst));
    }

    [Fact]
    public void FollowsCnameChains()
    {
        var s = new Setup();
        s.Server.Cname.Add("alias.test", "other.test");
        s.Server.Cname.Add("other.test", "www.test");
        Assert.Equal([Web], s.Resolve("alias.test").Value);
    }

    [Fact]
    public void ReportsNxdomainNodataAndTruncation()
    {
        var s = new Setup();
        s.Server.NoData.Add("mail.test");
        s.Server.A.Add("big.test", [Web]);
        s.Server.Truncate.Add("big.test");
        Assert.Equal(DnsError.NameNotFound, s.Resolve("nope.test").Error);
        Assert.Equal(DnsError.NoAddresses, s.Resolve("mail.test").Error);
        Assert.Equal(DnsError.Truncated, s.Resolve("big.test").Error);
        Assert.Equal(3, s.Server.Queries.Count); // definite answers are not retried
    }

    [Fact]
    public void RetriesAfterTimeouts()
    {
        var s = new Setup();
        s.Server.DropQueries = 2;
        var start = s.Bed.Sim.Now;
        Assert.Equal([Web], s.Resolve("www.test").Value);
        Assert.Equal(3, s.Server.Queries.Count);
        Assert.InRange((s.Bed.Sim.Now - start).TotalSeconds, 4, 4.5);
        Assert.Equal(3, s.Server.Queries.Select(q => q.Id).Distinct().Count()); // a fresh id per attempt
    }

    [Fact]
    public void GivesUpAfterTheLastAttempt()
    {
        var s = new Setup(new DnsOptions { Attempts = 3, Timeout = TimeSpan.FromSeconds(1) });
        s.Server.DropQueries = 100;
        var start = s.Bed.Sim.Now;
        Assert.Equal(DnsError.TimedOut, s.Resolve("www.test").Error);
        Assert.Equal(3, s.Server.Queries.Count);
        Assert.InRange((s.Bed.Sim.Now - start).TotalSeconds, 3, 3.5);
    }

    [Fact]
    public void ServerFailureMovesOnAtOnce()
    {
        var s = new Setup();
        s.Server.ServFailQueries = 1;
        var start = s.Bed.Sim.Now;
        Assert.Equal([Web], s.Resolve("www.test").Value);
        Assert.True((s.Bed.Sim.Now - start).TotalSeconds < 0.1);
        s.Server.ServFailQueries = 100;
        Assert.Equal(DnsError.ServerFailure, s.Resolve("nope.test").Error);
    }

    [Fact]
    public void RotatesToTheNextServer()
    {
        var s = new Setup(new DnsOptions { Timeout = TimeSpan.FromSeconds(1) });
        s.Servers = [new Ipv4Address(10, 0, 0, 3), IpTestBed.AddrB]; // the first one does not exist
        Assert.Equal([Web], s.Resolve("www.test").Value);
    }

    [Fact]
    public void IgnoresForgedAnswers()
    {
        var s = new Setup();
        s.Server.Spoof = true;
        Assert.Equal([Web], s.Resolve("www.test").Value);
        Assert.Equal(2, s.Bed.A.Statistics[NetCounter.DnsIgnored]);
    }

    [Fact]
    public void PortUnreachableFailsFast()
    {
        var s = new Setup(withResponder: false);
        var start = s.Bed.Sim.Now;
        Assert.Equal(DnsError.TimedOut, s.Resolve("www.test").Error);
        Assert.True((s.Bed.Sim.Now - start).TotalSeconds < 1, "ICMP port unreachable cuts each attempt short");
    }

    [Fact]
    public void CachesForTheTtl()
    {
        var s = new Setup();
        s.Server.Ttl = 30;
        Assert.True(s.Resolve("www.test").IsOk);
        Assert.True(s.Resolve("WWW.test").IsOk);
        Assert.Single(s.Server.Queries);
        s.Bed.Run(TimeSpan.FromSeconds(31));
        Assert.True(s.Resolve("www.test").IsOk);
        Assert.Equal(2, s.Server.Queries.Count);
    }

    [Fact]
    public void LiteralsInvalidNamesAndNoServers()
    {
        var s = new Setup();
        Assert.Equal([new Ipv4Address(1, 2, 3, 4)], s.Resolve("1.2.3.4").Value);
        Assert.Equal(DnsError.InvalidName, s.Resolve("bad..name").Error);
        Assert.Equal(DnsError.InvalidName, s.Resolve(new string('a', 64) + ".test").Error);
        s.Servers = [];
        Assert.Equal(DnsError.NoServers, s.Resolve("www.test").Error);
        Assert.Empty(s.Server.Queries);
    }
}
