using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Simulation;

public class PacketIpLayerTests
{
    private sealed class Recorder : IIpTransport
    {
        public readonly List<(Ipv4Address Source, Ipv4Address Destination, byte[] Payload)> Received = new();
        public void Receive(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> payload) => Received.Add((source, destination, payload.ToArray()));
        public void ReceiveIcmpError(IcmpErrorKind kind, Ipv4Address originalDestination, ReadOnlySpan<byte> originalPayload, int mtu) { }
    }

    [Fact]
    public void CarriesTransportPayloadsWithAddressesBetweenTwoHosts()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
        var ipA = new PacketIpLayer(link.A, Ipv4Address.Parse("10.0.0.1"));
        var ipB = new PacketIpLayer(link.B, Ipv4Address.Parse("10.0.0.2"));
        var tcpB = new Recorder();
        ipB.Register(IpProtocol.Tcp, tcpB);

        sim.Run(async () =>
        {
            Assert.True(ipA.Send(ipB.LocalAddress, IpProtocol.Tcp, [1, 2, 3]));
            Assert.True(ipA.Send(ipB.LocalAddress, IpProtocol.Udp, [4]));                  // no UDP transport at B
            Assert.True(ipA.Send(Ipv4Address.Parse("10.0.0.9"), IpProtocol.Tcp, [5]));     // not B's address
            Assert.False(ipA.Send(ipB.LocalAddress, IpProtocol.Tcp, new byte[1481]));     // exceeds MaxPayload
            link.A.Send([1, 2]);                                                           // malformed
            await sim.Delay(TimeSpan.FromMilliseconds(5));
        }, TimeSpan.FromMinutes(1));

        var (source, destination, payload) = Assert.Single(tcpB.Received);
        Assert.Equal(ipA.LocalAddress, source);
        Assert.Equal(ipB.LocalAddress, destination);
        Assert.Equal(new byte[] { 1, 2, 3 }, payload);
        Assert.Equal(1480, ipA.MaxPayload(ipB.LocalAddress));
        Assert.Equal((1, 1, 1, 1), (ipB.NoTransport, ipB.NotForUs, ipB.Malformed, ipA.TooBig));
    }
}
