using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;
using Xunit;
using static CosmosNet.Net.Tests.Ip.IpTestBed;

namespace CosmosNet.Net.Tests.Ip;

public class ArpTests
{
    private const IpProtocol Test = (IpProtocol)253; // RFC 3692 experimental protocol number

    [Fact]
    public void PacketsQueuedWhileResolvingAreDeliveredInOrder()
    {
        var bed = new IpTestBed(rawPeer: false);
        var sink = new RecordingTransport();
        bed.B!.Register(Test, sink);
        for (byte i = 0; i < 3; i++) Assert.True(bed.A.Send(AddrB, Test, [i]));
        Assert.Equal(3, bed.A.ArpWaitingFrames);
        bed.RunMs(10);
        Assert.Equal(new byte[][] { [0], [1], [2] }, sink.Received.Select(r => r.Payload).ToArray());
        Assert.Equal(1, bed.A.Statistics[NetCounter.ArpRequestsSent]);
        Assert.Equal(1, bed.B.Statistics[NetCounter.ArpRepliesSent]);
        Assert.Equal(0, bed.A.ArpWaitingFrames);
        // B learned A from the request itself: its answer needed no ARP of its own.
        Assert.Equal(0, bed.B.Statistics[NetCounter.ArpRequestsSent]);
    }

    [Fact]
    public void EntriesExpireAndAreResolvedAgain()
    {
        var bed = new IpTestBed(rawPeer: false, options: new IpOptions { ArpCacheTimeout = TimeSpan.FromSeconds(10) });
        var sink = new RecordingTransport();
        bed.B!.Register(Test, sink);
        bed.A.Send(AddrB, Test, [1]);
        bed.RunMs(10);
        bed.Run(TimeSpan.FromSeconds(5));
        bed.A.Send(AddrB, Test, [2]);               // still cached
        bed.RunMs(10);
        Assert.Equal(1, bed.A.Statistics[NetCounter.ArpRequestsSent]);
        bed.Run(TimeSpan.FromSeconds(6));
        bed.A.Send(AddrB, Test, [3]);               // expired: asks again
        bed.RunMs(10);
        Assert.Equal(2, bed.A.Statistics[NetCounter.ArpRequestsSent]);
        Assert.Equal(3, sink.Received.Count);
    }

    [Fact]
    public void SilentNextHopBoundsTheQueueRetriesThenReportsHostUnreachable()
    {
        var bed = new IpTestBed(rawPeer: true, options: new IpOptions { ArpQueuePerAddress = 4, ArpMaxRequests = 3 });
        var transport = new RecordingTransport();
        bed.A.Register(Test, transport);
        int accepted = 0;
        for (byte i = 0; i < 10; i++) accepted += bed.A.Send(AddrB, Test, [i, 0, 0, 0, 0, 0, 0, 0]) ? 1 : 0;
        Assert.Equal(4, accepted);
        Assert.Equal(6, bed.A.Statistics[NetCounter.ArpQueueFull]);

        bed.Run(TimeSpan.FromSeconds(10));
        var requests = bed.Captured.Where(f => f[12] == 0x08 && f[13] == 0x06).ToList();
        Assert.Equal(3, requests.Count);
        Assert.Equal(3, bed.A.Statistics[NetCounter.ArpRequestsSent]);
        Assert.Equal(4, bed.A.Statistics[NetCounter.ArpUnresolved]);
        Assert.Equal(0, bed.A.ArpWaitingFrames);
        Assert.Equal(4, transport.Errors.Count);
        Assert.All(transport.Errors, e => { Assert.Equal(IcmpErrorKind.HostUnreachable, e.Kind); Assert.Equal(AddrB, e.Destination); });
        Assert.Equal(new byte[] { 0, 1, 2, 3 }, transport.Errors.Select(e => e.Payload[0]).ToArray());
    }

    [Fact]
    public void TotalQueueIsBoundedAcrossAddresses()
    {
        var bed = new IpTestBed(rawPeer: true, options: new IpOptions { ArpQueuePerAddress = 4, ArpQueueTotal = 6 });
        int accepted = 0;
        for (byte host = 10; host < 20; host++) accepted += bed.A.Send(new Ipv4Address(10, 0, 0, host), Test, [1]) ? 1 : 0;
        Assert.Equal(6, accepted);
        Assert.Equal(6, bed.A.ArpWaitingFrames);
    }

    [Fact]
    public void AnswersRequestsForItsAddressOnly()
    {
        var bed = new IpTestBed(rawPeer: true);
        bed.Inject(ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA));
        bed.Inject(ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, new Ipv4Address(10, 0, 0, 77)));
        bed.RunMs(5);
        var reply = Assert.Single(bed.Captured);
        Assert.Equal(WireError.None, EthernetFrame.TryParse(reply, out var eth));
        Assert.Equal(MacB, eth.Destination);
        Assert.Equal(EtherType.Arp, eth.EtherType);
        Assert.Equal(WireError.None, ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal(ArpOperation.Reply, arp.Operation);
        Assert.Equal(MacA, arp.SenderHardware);
        Assert.Equal(AddrA, arp.SenderProtocol);
        Assert.Equal(MacB, arp.TargetHardware);
        Assert.Equal(AddrB, arp.TargetProtocol);
        Assert.Equal(1, bed.A.Statistics[NetCounter.ArpNotForUs]);
        Assert.Equal(60, reply.Length); // padded to the Ethernet minimum
    }

    [Fact]
    public void AddressChangeSendsGratuitousArp()
    {
        var bed = new IpTestBed(rawPeer: true);
        var newAddress = new Ipv4Address(10, 0, 0, 9);
        bed.A.Configure(new IpConfiguration(newAddress, 24));
        bed.A.Configure(new IpConfiguration(newAddress, 24)); // unchanged: nothing sent
        bed.RunMs(5);
        var frame = Assert.Single(bed.Captured);
        Assert.Equal(WireError.None, EthernetFrame.TryParse(frame, out var eth));
        Assert.True(eth.Destination.IsBroadcast);
        Assert.Equal(WireError.None, ArpPacket.TryParse(eth.Payload, out var arp));
        Assert.Equal(newAddress, arp.SenderProtocol);
        Assert.Equal(newAddress, arp.TargetProtocol);
        Assert.Equal(2, bed.A.Statistics[NetCounter.ArpGratuitousSent]); // one at start-up, one now
    }

    [Fact]
    public void MalformedAndConflictingArpIsCounted()
    {
        var bed = new IpTestBed(rawPeer: true);
        var truncated = ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA)[..30];
        bed.Inject(truncated);
        var badOp = ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA);
        badOp[21] = 7;
        bed.Inject(badOp);
        var ipv6 = ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA);
        ipv6[16] = 0x86; ipv6[17] = 0xDD;
        bed.Inject(ipv6);
        bed.Inject(ArpFrame(ArpOperation.Reply, MacB, AddrA, MacA, AddrA)); // someone else claims our address
        bed.RunMs(5);
        Assert.Empty(bed.Captured);
        Assert.Equal(2, bed.A.Statistics[NetCounter.ArpMalformed]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.ArpUnsupported]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.ArpAddressConflicts]);
        Assert.Equal(0, bed.A.ArpEntries);
    }

    [Fact]
    public void UnsolicitedArpOnlyRefreshesKnownEntries()
    {
        var bed = new IpTestBed(rawPeer: true);
        var stranger = new Ipv4Address(10, 0, 0, 50);
        bed.Inject(ArpFrame(ArpOperation.Request, MacB, stranger, MacAddress.Zero, new Ipv4Address(10, 0, 0, 51)));
        bed.RunMs(5);
        Assert.Equal(0, bed.A.ArpEntries);
        bed.TeachArp();
        Assert.Equal(1, bed.A.ArpEntries);
        // B moves to a new MAC and announces it: A follows.
        var moved = MacAddress.Parse("52:54:00:00:00:99");
        bed.Inject(ArpFrame(ArpOperation.Request, moved, AddrB, MacAddress.Zero, AddrB));
        bed.RunMs(5);
        bed.A.Send(AddrB, Test, [1]);
        bed.RunMs(5);
        var frame = Assert.Single(bed.Captured);
        Assert.Equal(moved, MacAddress.Read(frame));
    }
}
