using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;
using Xunit;
using static CosmosNet.Net.Tests.Ip.IpTestBed;

namespace CosmosNet.Net.Tests.Ip;

public class IcmpTests
{
    private const IpProtocol Test = (IpProtocol)253;

    private static byte[] Icmp(IcmpType type, byte code, uint rest, ReadOnlySpan<byte> data)
    {
        var b = new byte[8 + data.Length];
        IcmpMessage.Write(b, type, code, rest, data);
        return b;
    }

    [Fact]
    public void AnswersEchoRequestsWithTheSameIdentifierSequenceAndData()
    {
        var bed = new IpTestBed(rawPeer: true);
        bed.TeachArp();
        bed.Inject(IpFrame(1, Icmp(IcmpType.EchoRequest, 0, 0x1234_0007, "abcdefgh"u8)));
        bed.RunMs(5);
        var frame = Assert.Single(bed.Captured);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame.AsSpan(14), out var ip));
        Assert.Equal(AddrA, ip.Source);
        Assert.Equal(AddrB, ip.Destination);
        Assert.Equal(WireError.None, IcmpMessage.TryParse(ip.Payload, out var reply));
        Assert.Equal(IcmpType.EchoReply, reply.Type);
        Assert.Equal(0x1234, reply.Identifier);
        Assert.Equal(7, reply.SequenceNumber);
        Assert.Equal("abcdefgh"u8.ToArray(), reply.Data.ToArray());
    }

    [Fact]
    public void IgnoresBroadcastPingsAndCountsBadIcmp()
    {
        var bed = new IpTestBed(rawPeer: true);
        bed.TeachArp();
        bed.Inject(IpFrame(1, Icmp(IcmpType.EchoRequest, 0, 1, "x"u8), destination: Ipv4Address.Broadcast, destinationMac: MacAddress.Broadcast));
        var corrupt = Icmp(IcmpType.EchoRequest, 0, 1, "x"u8);
        corrupt[8] ^= 0xFF;
        bed.Inject(IpFrame(1, corrupt));
        bed.Inject(IpFrame(1, new byte[] { 8, 0, 0 }));
        bed.Inject(IpFrame(1, Icmp((IcmpType)42, 0, 0, default)));
        bed.RunMs(5);
        Assert.Empty(bed.Captured);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpEchoRequests]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpBadChecksum]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpMalformed]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpUnknownType]);
    }

    [Fact]
    public void PingsAcrossTwoStacksIncludingAFragmentedPing()
    {
        var bed = new IpTestBed(rawPeer: false);
        var replies = new List<(Ipv4Address, ushort, ushort)>();
        bed.A.EchoReplyReceived += (s, id, seq) => replies.Add((s, id, seq));
        Assert.True(bed.A.SendEchoRequest(AddrB, 77, 1, new byte[56]));
        Assert.True(bed.A.SendEchoRequest(AddrB, 77, 2, new byte[3000]));
        bed.RunMs(20);
        Assert.Equal([(AddrB, (ushort)77, (ushort)1), (AddrB, (ushort)77, (ushort)2)], replies);
        Assert.Equal(2, bed.B!.Statistics[NetCounter.IcmpEchoRepliesSent]);
        Assert.Equal(1, bed.B.Statistics[NetCounter.IpReassembled]);
    }

    /// <summary>An ICMP error from B quoting a packet A sent to B with the given transport header start.</summary>
    private static byte[] ErrorAbout(IcmpType type, byte code, uint rest, ReadOnlySpan<byte> transportHeader, Ipv4Address? quotedSource = null)
    {
        var quoted = new byte[20 + transportHeader.Length];
        Ipv4Packet.WriteHeader(quoted, transportHeader.Length, 1, false, false, 0, 64, 253, quotedSource ?? AddrA, AddrB);
        transportHeader.CopyTo(quoted.AsSpan(20));
        return IpFrame(1, Icmp(type, code, rest, quoted));
    }

    [Fact]
    public void ErrorsReachTheTransportThatSentTheOffendingPacket()
    {
        var bed = new IpTestBed(rawPeer: true);
        var transport = new RecordingTransport();
        bed.A.Register(Test, transport);
        var header = new byte[] { 0x13, 0x88, 0x00, 0x07, 1, 2, 3, 4 };
        bed.Inject(ErrorAbout(IcmpType.DestinationUnreachable, 3, 0, header));
        bed.Inject(ErrorAbout(IcmpType.DestinationUnreachable, 4, 1400, header));
        bed.Inject(ErrorAbout(IcmpType.TimeExceeded, 0, 0, header));
        bed.Inject(ErrorAbout(IcmpType.DestinationUnreachable, 13, 0, header));
        bed.Inject(ErrorAbout(IcmpType.DestinationUnreachable, 3, 0, header, quotedSource: new Ipv4Address(10, 0, 0, 66))); // not ours
        bed.Inject(ErrorAbout(IcmpType.DestinationUnreachable, 3, 0, header[..4]));                                        // quote too short
        bed.RunMs(5);
        Assert.Equal(
            [IcmpErrorKind.PortUnreachable, IcmpErrorKind.FragmentationNeeded, IcmpErrorKind.TimeExceeded, IcmpErrorKind.AdministrativelyProhibited],
            transport.Errors.Select(e => e.Kind).ToArray());
        Assert.Equal(1400, transport.Errors[1].Mtu);
        Assert.All(transport.Errors, e => { Assert.Equal(AddrB, e.Destination); Assert.Equal(header, e.Payload); });
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpErrorsIgnored]);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpMalformed]);
    }

    [Fact]
    public void UnknownProtocolGetsProtocolUnreachableWithinTheRateLimit()
    {
        var bed = new IpTestBed(rawPeer: true, options: new IpOptions { IcmpErrorsPerSecond = 10 });
        bed.TeachArp();
        for (int i = 0; i < 25; i++) bed.Inject(IpFrame(99, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }, id: (ushort)i));
        bed.RunMs(5);
        Assert.Equal(10, bed.Captured.Count);
        Assert.Equal(15, bed.A.Statistics[NetCounter.IcmpErrorsRateLimited]);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(bed.Captured[0].AsSpan(14), out var ip));
        Assert.Equal(WireError.None, IcmpMessage.TryParse(ip.Payload, out var icmp));
        Assert.Equal(IcmpType.DestinationUnreachable, icmp.Type);
        Assert.Equal((byte)IcmpUnreachableCode.Protocol, icmp.Code);
        Assert.Equal(28, icmp.Data.Length); // the offending header and its 8 payload bytes
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(icmp.Data[4..])); // quoted id of the first packet
        // A second later the bucket has refilled.
        bed.Run(TimeSpan.FromSeconds(1));
        bed.Captured.Clear();
        bed.Inject(IpFrame(99, new byte[8]));
        bed.RunMs(5);
        Assert.Single(bed.Captured);
    }
}
