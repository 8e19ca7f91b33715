using CosmosNet.Net.Dhcp;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tests.Ip;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Dhcp;

public class DhcpClientTests
{
    private sealed class Setup
    {
        public readonly IpTestBed Bed;
        public readonly TestDhcpServer Server;
        public readonly DhcpClient Client;
        public readonly List<DhcpLease?> Changes = new();

        public Setup(DhcpOptions? options = null, LinkProfile? profile = null, ulong seed = 1)
        {
            Bed = new IpTestBed(rawPeer: false, seed: seed, profile: profile);
            Bed.A.Configure(IpConfiguration.Unconfigured);
            Server = new TestDhcpServer(Bed.B!, new UdpLayer(Bed.B!, Bed.Sim.Random.Fork("server"))) { Now = () => Bed.Sim.Now };
            Client = new DhcpClient(Bed.A, new UdpLayer(Bed.A, Bed.Sim.Random.Fork("udp"), Bed.A.Statistics), Bed.Sim.Clock,
                Bed.Sim.Random.Fork("dhcp"), options: options);
            Client.LeaseChanged += l => Changes.Add(l);
        }

        public Result<DhcpLease, DhcpError> Acquire(TimeSpan? timeout = null) =>
            Bed.Sim.Run(() => Client.StartAsync(timeout), TimeSpan.FromMinutes(10));

        public DhcpMessageType[] Heard => Server.Heard.Select(h => h.Type).ToArray();
    }

    [Fact]
    public void AcquiresALeaseAndConfiguresTheInterface()
    {
        var s = new Setup();
        var result = s.Acquire();
        Assert.True(result.IsOk, result.ToString());
        var lease = result.Value;
        Assert.Equal(TestDhcpServer.Offered, lease.Address);
        Assert.Equal(24, lease.PrefixLength);
        Assert.Equal(IpTestBed.AddrB, lease.Gateway);
        Assert.Equal(IpTestBed.AddrB, lease.Server);
        Assert.Equal([IpTestBed.AddrB, new Ipv4Address(10, 0, 0, 3)], lease.DnsServers);
        Assert.Equal(TimeSpan.FromHours(1), lease.LeaseTime);
        Assert.Equal(TimeSpan.FromMinutes(30), lease.RenewalTime);
        Assert.Equal(TimeSpan.FromMinutes(52.5), lease.RebindingTime);
        Assert.Equal(DhcpState.Bound, s.Client.State);
        Assert.Equal(TestDhcpServer.Offered, s.Bed.A.LocalAddress);
        Assert.Equal([DhcpMessageType.Discover, DhcpMessageType.Request], s.Heard);
        Assert.All(s.Server.Heard, h => Assert.True(h.Broadcast));
        Assert.Equal([lease], s.Changes);
    }

    [Fact]
    public void RetransmitsDiscoverWithBackoff()
    {
        var s = new Setup();
        s.Server.DropDiscovers = 3;
        var result = s.Acquire();
        Assert.True(result.IsOk);
        var discovers = s.Server.Heard.Where(h => h.Type == DhcpMessageType.Discover).Select(h => h.At.TotalSeconds).ToArray();
        Assert.Equal(4, discovers.Length);
        // Gaps of about 4, 8 and 16 seconds, each within ±1 s.
        Assert.InRange(discovers[1] - discovers[0], 3, 5);
        Assert.InRange(discovers[2] - discovers[1], 7, 9);
        Assert.InRange(discovers[3] - discovers[2], 15, 17);
    }

    [Theory]
    [InlineData(1ul)]
    [InlineData(2ul)]
    [InlineData(3ul)]
    public void AcquiresAndRenewsOverALossyLink(ulong seed)
    {
        var s = new Setup(new DhcpOptions { MinRenewRetransmit = TimeSpan.FromSeconds(5) },
            new LinkProfile { Latency = TimeSpan.FromMilliseconds(5), Loss = 0.3, Duplicate = 0.05, Reorder = 0.1 }, seed);
        s.Server.LeaseSeconds = 120;
        var result = s.Acquire(TimeSpan.FromMinutes(5));
        Assert.True(result.IsOk, result.ToString());
        // Renewals lose packets too, but with retransmissions the address is never lost over ten lease times.
        for (int i = 0; i < 20; i++)
        {
            s.Bed.Run(TimeSpan.FromSeconds(60));
            Assert.Equal(TestDhcpServer.Offered, s.Bed.A.LocalAddress);
        }
        Assert.True(s.Server.Heard.Count(h => h.Type == DhcpMessageType.Request) >= 20);
    }

    [Fact]
    public void IgnoresJunkAndOtherClientsReplies()
    {
        var s = new Setup();
        s.Server.DropDiscovers = 1;
        s.Bed.Sim.Run(async () =>
        {
            var pending = s.Client.StartAsync();
            await s.Bed.Sim.Delay(TimeSpan.FromSeconds(1));
            s.Server.SendJunk();
            Assert.True((await pending).IsOk);
        }, TimeSpan.FromMinutes(1));
        Assert.Equal(1, s.Bed.A.Statistics[NetCounter.DhcpMalformed]);
        Assert.Equal(1, s.Bed.A.Statistics[NetCounter.DhcpIgnored]);
    }

    [Fact]
    public void RenewsByUnicastAtT1()
    {
        var s = new Setup();
        s.Server.LeaseSeconds = 100;
        Assert.True(s.Acquire().IsOk);
        s.Bed.Run(TimeSpan.FromSeconds(49));
        Assert.Equal(2, s.Server.Heard.Count);
        s.Bed.Run(TimeSpan.FromSeconds(2));
        var renewal = s.Server.Heard[2];
        Assert.Equal(DhcpMessageType.Request, renewal.Type);
        Assert.False(renewal.Broadcast);
        Assert.Equal(TestDhcpServer.Offered, renewal.ClientAddress);
        Assert.Equal(DhcpState.Bound, s.Client.State);
        Assert.Equal(2, s.Changes.Count);                    // the renewed lease
        // The renewal restarted the clock: no expiry at the original 100 s.
        s.Bed.Run(TimeSpan.FromSeconds(60));
        Assert.Equal(TestDhcpServer.Offered, s.Bed.A.LocalAddress);
    }

    [Fact]
    public void RebindsByBroadcastAtT2WhenTheServerIgnoresRenewals()
    {
        var s = new Setup(new DhcpOptions { MinRenewRetransmit = TimeSpan.FromSeconds(10) });
        s.Server.LeaseSeconds = 200;
        Assert.True(s.Acquire().IsOk);
        s.Server.IgnoreUnicast = true;
        s.Bed.Run(TimeSpan.FromSeconds(174)); // T2 = 175 s
        Assert.Equal(DhcpState.Renewing, s.Client.State);
        Assert.All(s.Server.Heard.Skip(2), h => Assert.False(h.Broadcast));
        Assert.True(s.Server.Heard.Count >= 4, "renewal requests are retransmitted");
        s.Bed.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(DhcpState.Bound, s.Client.State);
        var last = s.Server.Heard[^1];
        Assert.True(last.Broadcast);
        Assert.Equal(TestDhcpServer.Offered, last.ClientAddress);
    }

    [Fact]
    public void NakRestartsFromDiscover()
    {
        var s = new Setup();
        s.Server.NakRequests = 1;
        Assert.True(s.Acquire().IsOk);
        Assert.Equal([DhcpMessageType.Discover, DhcpMessageType.Request, DhcpMessageType.Discover, DhcpMessageType.Request], s.Heard);

        // A NAK to a renewal drops the address at once and starts over.
        s.Server.LeaseSeconds = 20;
        s.Server.NakRequests = 0;
        s.Bed.Run(TimeSpan.FromHours(1));
        s.Server.NakRequests = 1;
        s.Server.DropDiscovers = 1000;
        s.Bed.Run(TimeSpan.FromSeconds(11));
        Assert.Equal(DhcpState.Selecting, s.Client.State);
        Assert.Equal(Ipv4Address.Any, s.Bed.A.LocalAddress);
        Assert.Null(s.Changes[^1]);
    }

    [Fact]
    public void LeaseExpiresWhenNoServerAnswers()
    {
        var s = new Setup(new DhcpOptions { MinRenewRetransmit = TimeSpan.FromSeconds(5) });
        s.Server.LeaseSeconds = 40;
        Assert.True(s.Acquire().IsOk);
        s.Server.Silent = true;
        s.Bed.Run(TimeSpan.FromSeconds(39));
        Assert.Equal(TestDhcpServer.Offered, s.Bed.A.LocalAddress);
        Assert.Equal(DhcpState.Rebinding, s.Client.State);
        s.Bed.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(Ipv4Address.Any, s.Bed.A.LocalAddress);
        Assert.Equal(DhcpState.Selecting, s.Client.State);
        Assert.Null(s.Client.Lease);
        Assert.Equal(DhcpMessageType.Discover, s.Server.Heard[^1].Type);
    }

    [Fact]
    public void TimesOutWithoutAServerAndStops()
    {
        var s = new Setup();
        s.Server.Silent = true;
        var result = s.Acquire(TimeSpan.FromSeconds(30));
        Assert.False(result.IsOk);
        Assert.Equal(DhcpError.TimedOut, result.Error);
        Assert.Equal(DhcpState.Selecting, s.Client.State); // keeps trying
        s.Client.Stop();
        Assert.Equal(DhcpState.Stopped, s.Client.State);
        int heard = s.Server.Heard.Count;
        s.Bed.Run(TimeSpan.FromMinutes(5));
        Assert.Equal(heard, s.Server.Heard.Count);
    }

    [Fact]
    public void StopReleasesTheLease()
    {
        var s = new Setup();
        Assert.True(s.Acquire().IsOk);
        s.Client.Stop();
        s.Bed.RunMs(10);
        Assert.Equal(DhcpMessageType.Release, s.Server.Heard[^1].Type);
        Assert.Equal(Ipv4Address.Any, s.Bed.A.LocalAddress);
    }
}
