using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tests.Dhcp;
using CosmosNet.Net.Tests.Dns;
using CosmosNet.Net.Udp;
using Xunit;

namespace CosmosNet.Net.Tests.Stack;

public class NetworkStackTests
{
    [Fact]
    public void ClientBootsByDhcpThenResolvesAndTalksUdp()
    {
        var sim = new Simulator(3);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(2) });
        var serverAddress = new Ipv4Address(10, 0, 0, 2);
        var server = new NetworkStack(new SimulatedNetworkDevice(link.B, MacAddress.Parse("52:54:00:00:00:02")), sim.Clock, sim.Random.Fork("server"),
            NetworkStackConfig.WithStatic(new IpConfiguration(serverAddress, 24)));
        var client = new NetworkStack(new SimulatedNetworkDevice(link.A, MacAddress.Parse("52:54:00:00:00:01")), sim.Clock, sim.Random.Fork("client"));
        _ = new TestDhcpServer(server.Ip, server.Udp);
        var dns = new TestDnsResponder(server.Udp);
        dns.A.Add("server.test", [serverAddress]);
        var echoed = new List<string>();
        server.Udp.Bind(7, (source, _, data) => server.Udp.Send(7, source, data));

        sim.Run(async () =>
        {
            Assert.True((await server.StartAsync()).IsOk);
            var configured = await client.StartAsync();
            Assert.True(configured.IsOk, configured.ToString());
            Assert.Equal(TestDhcpServer.Offered, configured.Value.Address);

            var resolved = await client.Dns.ResolveAsync("server.test"); // DNS servers from the lease
            Assert.Equal([serverAddress], resolved.Value);

            var reply = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            var socket = client.Udp.Bind(0, (_, _, data) => reply.TrySetResult(System.Text.Encoding.ASCII.GetString(data))).Value;
            Assert.True(socket.Send(new UdpEndpoint(resolved.Value[0], 7), "over the simulated wire"u8).IsOk);
            echoed.Add(await reply.Task);
        }, TimeSpan.FromMinutes(2));

        Assert.Equal(["over the simulated wire"], echoed);
        Assert.Equal(TestDhcpServer.Offered, client.Ip.LocalAddress);
        Assert.Equal(0, client.Statistics[NetCounter.IpBadChecksum]);
        Assert.True(client.Statistics[NetCounter.UdpDelivered] >= 3); // offer, ack, dns answer, echo
        Assert.Contains("UdpDelivered=", client.Statistics.ToString());
    }

    [Fact]
    public void StaticConfigurationAnswersPing()
    {
        var sim = new Simulator(4);
        var link = new SimulatedLink(sim);
        var a = new NetworkStack(new SimulatedNetworkDevice(link.A, MacAddress.Parse("02:00:00:00:00:0a")), sim.Clock, sim.Random.Fork("a"),
            NetworkStackConfig.WithStatic(IpConfiguration.TryParse("192.168.7.1/24")!));
        var b = new NetworkStack(new SimulatedNetworkDevice(link.B, MacAddress.Parse("02:00:00:00:00:0b")), sim.Clock, sim.Random.Fork("b"),
            NetworkStackConfig.WithStatic(IpConfiguration.TryParse("192.168.7.2/24")!));
        int replies = 0;
        a.Ip.EchoReplyReceived += (_, _, _) => replies++;
        sim.Run(async () =>
        {
            await a.StartAsync();
            await b.StartAsync();
            for (ushort i = 0; i < 5; i++) a.Ip.SendEchoRequest(b.Ip.LocalAddress, 1, i, new byte[32]);
            await sim.Delay(TimeSpan.FromMilliseconds(10));
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(5, replies);
        Assert.Equal(5, b.Statistics[NetCounter.IcmpEchoRepliesSent]);
    }
}
