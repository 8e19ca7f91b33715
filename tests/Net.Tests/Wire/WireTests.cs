using System.Buffers.Binary;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.WireFormat; // not ".Wire": that would shadow CosmosNet.Net.Wire inside CosmosNet.Net.Tests

/// <summary>Literal packets (generated once with scapy) parsed field by field, re-emitted byte for byte, and mangled.</summary>
public class WireTests
{
    // Ether 52:54:00:00:00:01 -> :02 / IP 10.0.0.1 -> 10.0.0.2 id 0x1234 / ICMP echo request id 0x77 seq 3 "ping-data"
    private static readonly byte[] IcmpFrame = Convert.FromHexString(
        "52540000000252540000000108004500002512340000400154a20a0000010a000002080028dc0077000370696e672d64617461");
    // ... / IP id 1 / UDP 5000 -> 7 "hello udp"
    private static readonly byte[] UdpFrame = Convert.FromHexString(
        "52540000000252540000000108004500002500010000401166c50a0000010a000002138800070011aee368656c6c6f20756470");

    private static readonly Ipv4Address A1 = new(10, 0, 0, 1), A2 = new(10, 0, 0, 2);

    [Fact]
    public void EthernetParsesAndEmits()
    {
        Assert.Equal(WireError.None, EthernetFrame.TryParse(IcmpFrame, out var frame));
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:02"), frame.Destination);
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:01"), frame.Source);
        Assert.Equal(EtherType.Ipv4, frame.EtherType);
        Assert.Equal(IcmpFrame.Length - 14, frame.Payload.Length);

        var header = new byte[14];
        EthernetFrame.WriteHeader(header, frame.Destination, frame.Source, EtherType.Ipv4);
        Assert.Equal(IcmpFrame[..14], header);
        Assert.Equal(WireError.Truncated, EthernetFrame.TryParse(IcmpFrame.AsSpan(0, 13), out _));
    }

    [Fact]
    public void Ipv4ParsesFieldsAndReemitsSameHeader()
    {
        var ip = IcmpFrame.AsSpan(14);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(ip, out var packet));
        Assert.Equal(20, packet.HeaderLength);
        Assert.Equal(0x25, packet.TotalLength);
        Assert.Equal(0x1234, packet.Identification);
        Assert.False(packet.IsFragment);
        Assert.Equal(64, packet.Ttl);
        Assert.Equal(1, packet.Protocol);
        Assert.Equal(0x54a2, packet.HeaderChecksum);
        Assert.Equal(A1, packet.Source);
        Assert.Equal(A2, packet.Destination);
        Assert.Equal(17, packet.Payload.Length);

        var header = new byte[20];
        Ipv4Packet.WriteHeader(header, 17, 0x1234, false, false, 0, 64, 1, A1, A2);
        Assert.Equal(ip[..20].ToArray(), header);
    }

    [Fact]
    public void Ipv4TrimsLinkPadding()
    {
        var padded = new byte[IcmpFrame.Length - 14 + 9];
        IcmpFrame.AsSpan(14).CopyTo(padded);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(padded, out var packet));
        Assert.Equal(17, packet.Payload.Length);
    }

    [Fact]
    public void Ipv4RejectsEveryMalformedHeader()
    {
        byte[] Mangle(Action<byte[]> edit, bool fixChecksum = true)
        {
            var b = IcmpFrame[14..];
            edit(b);
            if (fixChecksum)
            {
                int ihl = Math.Min((b[0] & 0xF) * 4, b.Length);
                b[10] = b[11] = 0;
                if (ihl >= 20) BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), Checksum.Compute(b.AsSpan(0, ihl)));
            }
            return b;
        }

        Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(IcmpFrame.AsSpan(14, 19), out _));
        Assert.Equal(WireError.Unsupported, Ipv4Packet.TryParse(Mangle(b => b[0] = 0x65), out _));
        Assert.Equal(WireError.BadLength, Ipv4Packet.TryParse(Mangle(b => b[0] = 0x44), out _));       // IHL 16 bytes
        Assert.Equal(WireError.Truncated, Ipv4Packet.TryParse(Mangle(b => b[0] = 0x4F), out _));       // IHL 60 > 37 bytes
        Assert.Equal(WireError.BadLength, Ipv4Packet.TryParse(Mangle(b => b[3] = 0x13), out _));       // total 19 < header
        Assert.Equal(WireError.BadLength, Ipv4Packet.TryParse(Mangle(b => b[3] = 0x40), out _));       // total > buffer
        Assert.Equal(WireError.BadChecksum, Ipv4Packet.TryParse(Mangle(b => b[8] = 1, fixChecksum: false), out _));
        // More-fragments with a payload that is not a multiple of 8.
        Assert.Equal(WireError.BadValue, Ipv4Packet.TryParse(Mangle(b => b[6] = 0x20), out _));
        // Offset 65528 + 17 bytes runs past the largest datagram.
        Assert.Equal(WireError.BadValue, Ipv4Packet.TryParse(Mangle(b => { b[6] = 0x1F; b[7] = 0xFF; }), out _));
    }

    [Theory]
    [InlineData("01010101", WireError.None)]            // NOPs
    [InlineData("00000000", WireError.None)]            // End of options
    [InlineData("07040000", WireError.None)]            // a 4-byte record-route-like option
    [InlineData("01010107", WireError.BadOptions)]      // type with no length byte
    [InlineData("07010000", WireError.BadOptions)]      // length < 2
    [InlineData("07090000", WireError.BadOptions)]      // length runs past the header
    public void Ipv4ValidatesOptions(string optionsHex, WireError expected)
    {
        var options = Convert.FromHexString(optionsHex);
        var b = new byte[24 + 4];
        Ipv4Packet.WriteHeader(b, 8, 1, false, false, 0, 64, 17, A1, A2);
        b[0] = 0x46;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(2), 28);
        options.CopyTo(b, 20);
        b[10] = b[11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(10), Checksum.Compute(b.AsSpan(0, 24)));
        Assert.Equal(expected, Ipv4Packet.TryParse(b, out var p));
        if (expected == WireError.None) Assert.Equal(4, p.Options.Length);
    }

    [Fact]
    public void Ipv4FragmentFields()
    {
        var b = new byte[20 + 16];
        Ipv4Packet.WriteHeader(b, 16, 99, false, true, 1480, 64, 17, A1, A2);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(b, out var p));
        Assert.True(p.MoreFragments);
        Assert.False(p.DontFragment);
        Assert.Equal(1480, p.FragmentOffset);
        Assert.True(p.IsFragment);
    }

    [Fact]
    public void IcmpEchoParsesAndEmits()
    {
        var bytes = IcmpFrame.AsSpan(34);
        Assert.Equal(WireError.None, IcmpMessage.TryParse(bytes, out var icmp));
        Assert.Equal(IcmpType.EchoRequest, icmp.Type);
        Assert.Equal(0, icmp.Code);
        Assert.Equal(0x77, icmp.Identifier);
        Assert.Equal(3, icmp.SequenceNumber);
        Assert.Equal("ping-data"u8.ToArray(), icmp.Data.ToArray());
        Assert.False(icmp.IsError);

        var emitted = new byte[bytes.Length];
        int n = IcmpMessage.Write(emitted, IcmpType.EchoRequest, 0, 0x0077_0003, "ping-data"u8);
        Assert.Equal(bytes.Length, n);
        Assert.Equal(bytes.ToArray(), emitted);

        var corrupt = bytes.ToArray();
        corrupt[^1] ^= 1;
        Assert.Equal(WireError.BadChecksum, IcmpMessage.TryParse(corrupt, out _));
        Assert.Equal(WireError.Truncated, IcmpMessage.TryParse(bytes[..7], out _));
    }

    [Fact]
    public void UdpParsesAndEmits()
    {
        var bytes = UdpFrame.AsSpan(34);
        Assert.Equal(WireError.None, UdpDatagram.TryParse(bytes, A1, A2, out var udp));
        Assert.Equal(5000, udp.SourcePort);
        Assert.Equal(7, udp.DestinationPort);
        Assert.Equal(17, udp.Length);
        Assert.Equal(0xaee3, udp.DatagramChecksum);
        Assert.Equal("hello udp"u8.ToArray(), udp.Payload.ToArray());

        var emitted = new byte[17];
        "hello udp"u8.CopyTo(emitted.AsSpan(8));
        Assert.Equal(17, UdpDatagram.WriteHeader(emitted, 5000, 7, 9, A1, A2));
        Assert.Equal(bytes.ToArray(), emitted);
    }

    [Fact]
    public void UdpRejectsMalformed()
    {
        var good = UdpFrame[34..];
        Assert.Equal(WireError.Truncated, UdpDatagram.TryParse(good.AsSpan(0, 7), A1, A2, out _));
        var shortLength = (byte[])good.Clone(); shortLength[5] = 7;
        Assert.Equal(WireError.BadLength, UdpDatagram.TryParse(shortLength, A1, A2, out _));
        var longLength = (byte[])good.Clone(); longLength[5] = 18;
        Assert.Equal(WireError.BadLength, UdpDatagram.TryParse(longLength, A1, A2, out _));
        var corrupt = (byte[])good.Clone(); corrupt[10] ^= 0x40;
        Assert.Equal(WireError.BadChecksum, UdpDatagram.TryParse(corrupt, A1, A2, out _));
        // The pseudo-header counts: the same bytes from another source fail.
        Assert.Equal(WireError.BadChecksum, UdpDatagram.TryParse(good, new Ipv4Address(10, 0, 0, 9), A2, out _));
        // Checksum 0 means "none": accepted even though the data changed.
        var none = (byte[])corrupt.Clone(); none[6] = none[7] = 0;
        Assert.Equal(WireError.None, UdpDatagram.TryParse(none, A1, A2, out _));
    }

    [Fact]
    public void ArpRoundTrip()
    {
        var bytes = Convert.FromHexString("0001080006040001525400000001" + "0a000001" + "000000000000" + "0a000002");
        Assert.Equal(WireError.None, ArpPacket.TryParse(bytes, out var arp));
        Assert.Equal(ArpOperation.Request, arp.Operation);
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:01"), arp.SenderHardware);
        Assert.Equal(A1, arp.SenderProtocol);
        Assert.Equal(MacAddress.Zero, arp.TargetHardware);
        Assert.Equal(A2, arp.TargetProtocol);

        var emitted = new byte[28];
        ArpPacket.Write(emitted, ArpOperation.Request, arp.SenderHardware, A1, MacAddress.Zero, A2);
        Assert.Equal(bytes, emitted);

        Assert.Equal(WireError.Truncated, ArpPacket.TryParse(bytes.AsSpan(0, 27), out _));
        var ipv6 = (byte[])bytes.Clone(); ipv6[2] = 0x86; ipv6[3] = 0xDD;
        Assert.Equal(WireError.Unsupported, ArpPacket.TryParse(ipv6, out _));
        var badOp = (byte[])bytes.Clone(); badOp[7] = 9;
        Assert.Equal(WireError.BadValue, ArpPacket.TryParse(badOp, out _));
    }
}
