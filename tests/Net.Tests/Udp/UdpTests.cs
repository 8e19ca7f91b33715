using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tests.Ip;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using Xunit;
using static CosmosNet.Net.Tests.Ip.IpTestBed;

namespace CosmosNet.Net.Tests.Udp;

public class UdpTests
{
    private sealed record Datagram(UdpEndpoint Source, Ipv4Address Destination, byte[] Payload);

    private static (IpTestBed Bed, UdpLayer A, UdpLayer B) TwoHosts()
    {
        var bed = new IpTestBed(rawPeer: false);
        return (bed, new UdpLayer(bed.A, bed.Sim.Random.Fork("udpA"), bed.A.Statistics), new UdpLayer(bed.B!, bed.Sim.Random.Fork("udpB"), bed.B!.Statistics));
    }

    [Fact]
    public void DatagramsFlowBothWaysWithTheirEndpoints()
    {
        var (bed, udpA, udpB) = TwoHosts();
        var atB = new List<Datagram>();
        var atA = new List<Datagram>();
        UdpSocket server = null!;
        server = udpB.Bind(7, (src, dst, data) =>
        {
            atB.Add(new(src, dst, data.ToArray()));
            Assert.True(server.Send(src, data).IsOk); // echo
        }).Value;
        var client = udpA.Bind(0, (src, dst, data) => atA.Add(new(src, dst, data.ToArray()))).Value;
        Assert.InRange(client.LocalPort, UdpLayer.EphemeralFirst, 65535);

        Assert.Equal(5, client.Send(new UdpEndpoint(AddrB, 7), "hello"u8).Value);
        var big = Enumerable.Range(0, 8000).Select(i => (byte)i).ToArray();
        Assert.True(client.Send(new UdpEndpoint(AddrB, 7), big).IsOk); // fragmented on the way, both ways
        bed.RunMs(20);

        Assert.Equal(2, atB.Count);
        Assert.Equal(new UdpEndpoint(AddrA, client.LocalPort), atB[0].Source);
        Assert.Equal(AddrB, atB[0].Destination);
        Assert.Equal("hello"u8.ToArray(), atB[0].Payload);
        Assert.Equal(big, atB[1].Payload);
        Assert.Equal(2, atA.Count);
        Assert.Equal(new UdpEndpoint(AddrB, 7), atA[0].Source);
        Assert.Equal(big, atA[1].Payload);
    }

    [Fact]
    public void UnboundPortAnswersPortUnreachableToTheSendingSocket()
    {
        var (bed, udpA, udpB) = TwoHosts();
        var errors = new List<(IcmpErrorKind, UdpEndpoint)>();
        var client = udpA.Bind(5000, (_, _, _) => { }, (kind, dst) => errors.Add((kind, dst))).Value;
        client.Send(new UdpEndpoint(AddrB, 9999), "anyone?"u8);
        client.Send(new UdpEndpoint(Ipv4Address.Broadcast, 9999), "anyone?"u8); // broadcasts get no ICMP
        bed.RunMs(20);
        Assert.Equal([(IcmpErrorKind.PortUnreachable, new UdpEndpoint(AddrB, 9999))], errors);
        Assert.Equal(2, bed.B!.Statistics[NetCounter.UdpNoListener]);
        Assert.Equal(1, bed.B.Statistics[NetCounter.IcmpErrorsSent]);
    }

    [Fact]
    public void BindRulesAndClose()
    {
        var (bed, udpA, _) = TwoHosts();
        var s = udpA.Bind(53, (_, _, _) => { }).Value;
        var again = udpA.Bind(53, (_, _, _) => { });
        Assert.False(again.IsOk);
        Assert.Equal(UdpError.PortInUse, again.Error);
        s.Dispose();
        Assert.Equal(UdpError.Closed, s.Send(new UdpEndpoint(AddrB, 1), "x"u8).Error);
        Assert.True(udpA.Bind(53, (_, _, _) => { }).IsOk);
        Assert.Equal(UdpError.TooLarge, udpA.Send(1, new UdpEndpoint(AddrB, 1), new byte[65508]).Error);
        Assert.Equal(UdpError.NotSent, udpA.Send(1, new UdpEndpoint(new Ipv4Address(192, 0, 2, 1), 1), "x"u8).Error); // no route
        var ports = Enumerable.Range(0, 50).Select(_ => udpA.Bind(0, (_, _, _) => { }).Value.LocalPort).ToHashSet();
        Assert.Equal(50, ports.Count);
        Assert.True(ports.Max() - ports.Min() > 1000, "ephemeral ports are randomized, not sequential");
    }

    [Fact]
    public void BadDatagramsAreCounted()
    {
        var bed = new IpTestBed(rawPeer: true);
        var udp = new UdpLayer(bed.A, bed.Sim.Random, bed.A.Statistics);
        var got = new List<byte[]>();
        udp.Bind(7, (_, _, d) => got.Add(d.ToArray()));
        bed.TeachArp();
        var datagram = new byte[8 + 4];
        "ping"u8.CopyTo(datagram.AsSpan(8));
        UdpDatagram.WriteHeader(datagram, 1234, 7, 4, AddrB, AddrA);
        bed.Inject(IpFrame(17, datagram));
        var corrupt = (byte[])datagram.Clone(); corrupt[9] ^= 1;
        bed.Inject(IpFrame(17, corrupt));
        bed.Inject(IpFrame(17, datagram.AsSpan(0, 6)));
        var badLength = (byte[])datagram.Clone(); badLength[5] = 40;
        bed.Inject(IpFrame(17, badLength));
        bed.RunMs(5);
        Assert.Equal(["ping"u8.ToArray()], got);
        Assert.Equal(1, bed.A.Statistics[NetCounter.UdpBadChecksum]);
        Assert.Equal(2, bed.A.Statistics[NetCounter.UdpMalformed]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.UdpDelivered]);
    }
}

public class LoopbackTests
{
    [Fact]
    public void DatagramsAndPingsToOurselvesAreDeliveredWithoutTheWire()
    {
        var bed = new IpTestBed(rawPeer: true);
        var udp = new UdpLayer(bed.A, bed.Sim.Random, bed.A.Statistics);
        var got = new List<(UdpEndpoint, Ipv4Address, string)>();
        udp.Bind(7, (src, dst, data) => got.Add((src, dst, System.Text.Encoding.ASCII.GetString(data))));
        var client = udp.Bind(0, (_, _, _) => { }).Value;
        var replies = 0;
        bed.A.EchoReplyReceived += (_, _, _) => replies++;

        Assert.True(client.Send(new UdpEndpoint(AddrA, 7), "to myself"u8).IsOk);
        Assert.True(client.Send(new UdpEndpoint(new Ipv4Address(127, 0, 0, 1), 7), "via loopback"u8).IsOk);
        Assert.True(bed.A.SendEchoRequest(AddrA, 1, 1, new byte[10]));
        Assert.Empty(got); // never re-entrant: delivered on the next turn of the loop
        bed.RunMs(1);

        Assert.Equal(
            [(new UdpEndpoint(AddrA, client.LocalPort), AddrA, "to myself"),
             (new UdpEndpoint(Ipv4Address.Loopback, client.LocalPort), Ipv4Address.Loopback, "via loopback")], // from 127.0.0.1, as Linux
            got);
        Assert.Equal(1, replies);
        Assert.Empty(bed.Captured); // nothing went out on the wire
        Assert.Equal(4, bed.A.Statistics[NetCounter.IpLoopback]);
    }
}
