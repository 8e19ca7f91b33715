using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.WireFormat; // not ".Wire": that would shadow CosmosNet.Net.Wire inside CosmosNet.Net.Tests

public class DhcpDnsWireTests
{
    // BOOTP reply xid 0x11223344 yiaddr 10.0.0.50 siaddr 10.0.0.1 chaddr 52:54:00:00:00:02, options: OFFER, server id,
    // lease 3600, mask /24, router, two DNS servers, end (generated with scapy).
    private static readonly byte[] Offer = Convert.FromHexString(
        "020106001122334400000000000000000a0000320a00000100000000525400000002" + new string('0', 404)
        + "6382536335010236040a000001330400000e100104ffffff0003040a00000106080a0000010a000003ff");

    [Fact]
    public void DhcpOfferParses()
    {
        Assert.Equal(WireError.None, DhcpMessage.TryParse(Offer, out var m));
        Assert.Equal(DhcpMessage.OpReply, m.Op);
        Assert.Equal(0x11223344u, m.TransactionId);
        Assert.Equal(new Ipv4Address(10, 0, 0, 50), m.YourAddress);
        Assert.Equal(MacAddress.Parse("52:54:00:00:00:02"), m.ClientHardware);
        Assert.Equal(DhcpMessageType.Offer, m.MessageType);
        Assert.True(m.TryGetAddress(DhcpOption.ServerIdentifier, out var server));
        Assert.Equal(new Ipv4Address(10, 0, 0, 1), server);
        Assert.True(m.TryGetUInt32(DhcpOption.LeaseTime, out var lease));
        Assert.Equal(3600u, lease);
        Assert.True(m.TryGetOption(DhcpOption.DnsServers, out var dns));
        Assert.Equal(8, dns.Length);
        Assert.False(m.TryGetOption(DhcpOption.RenewalTime, out _));
    }

    [Fact]
    public void DhcpWriterRoundTrips()
    {
        var buffer = new byte[DhcpWriter.MaxLength];
        var w = new DhcpWriter(buffer, DhcpMessage.OpRequest, 0xCAFE, MacAddress.Parse("52:54:00:00:00:02"), broadcast: true);
        w.Option(DhcpOption.MessageType, (byte)DhcpMessageType.Request);
        w.Option(DhcpOption.RequestedAddress, new Ipv4Address(10, 0, 0, 50));
        w.Option(DhcpOption.LeaseTime, 60u);
        int n = w.Finish();
        Assert.Equal(300, n);
        Assert.Equal(WireError.None, DhcpMessage.TryParse(buffer.AsSpan(0, n), out var m));
        Assert.Equal(DhcpMessageType.Request, m.MessageType);
        Assert.True(m.Broadcast);
        Assert.True(m.TryGetAddress(DhcpOption.RequestedAddress, out var requested));
        Assert.Equal(new Ipv4Address(10, 0, 0, 50), requested);
        Assert.True(m.TryGetUInt32(DhcpOption.LeaseTime, out var lease));
        Assert.Equal(60u, lease);
    }

    [Fact]
    public void DhcpRejectsMalformed()
    {
        Assert.Equal(WireError.Truncated, DhcpMessage.TryParse(Offer.AsSpan(0, 239), out _));
        var noCookie = (byte[])Offer.Clone(); noCookie[236] = 0;
        Assert.Equal(WireError.Unsupported, DhcpMessage.TryParse(noCookie, out _));
        Assert.Equal(WireError.BadOptions, DhcpMessage.TryParse(Offer.AsSpan(0, Offer.Length - 1), out _)); // no End
        var overlong = (byte[])Offer.Clone(); overlong[241] = 200; // message-type length runs off the end
        Assert.Equal(WireError.BadOptions, DhcpMessage.TryParse(overlong, out _));
        var badType = (byte[])Offer.Clone(); badType[242] = 42;
        Assert.Equal(WireError.BadOptions, DhcpMessage.TryParse(badType, out _));
        var badOp = (byte[])Offer.Clone(); badOp[0] = 3;
        Assert.Equal(WireError.BadValue, DhcpMessage.TryParse(badOp, out _));
    }

    // id 0xbeef, response, RD RA, question www.example.com A, answers: www.example.com CNAME web.example.com (ttl 300),
    // web.example.com A 93.184.216.34 (ttl 60), written without compression (scapy).
    private static readonly byte[] Response = Convert.FromHexString(
        "beef8180000100020000000003777777076578616d706c6503636f6d000001000103777777076578616d706c6503636f6d00000500010000012c0011"
        + "03776562076578616d706c6503636f6d0003776562076578616d706c6503636f6d00000100010000003c00045db8d822");

    [Fact]
    public void DnsResponseParses()
    {
        Assert.Equal(WireError.None, DnsMessage.TryParse(Response, out var m));
        Assert.Equal(0xbeef, m.Id);
        Assert.True(m.IsResponse);
        Assert.Equal(DnsResponseCode.NoError, m.ResponseCode);
        Assert.True(m.HasQuestion("WWW.Example.com.", DnsType.A));
        Assert.False(m.HasQuestion("www.example.org", DnsType.A));
        Assert.False(m.HasQuestion("www.example.com", DnsType.Aaaa));
        var types = new List<DnsType>();
        Ipv4Address address = default;
        uint ttl = 0;
        foreach (var r in m.Answers)
        {
            types.Add(r.Type);
            if (r.Type == DnsType.A) { address = Ipv4Address.Read(r.Data); ttl = r.Ttl; Assert.True(m.NameEquals(r.NameOffset, "web.example.com")); }
        }
        Assert.Equal([DnsType.Cname, DnsType.A], types);
        Assert.Equal(new Ipv4Address(93, 184, 216, 34), address);
        Assert.Equal(60u, ttl);
    }

    [Fact]
    public void DnsFollowsCompressionPointers()
    {
        // Question www.example.com at offset 12; the answer's owner is a pointer to it (0xC00C).
        var bytes = Convert.FromHexString("00018180000100010000000003777777076578616d706c6503636f6d0000010001"
            + "c00c000100010000000a00040a000001");
        Assert.Equal(WireError.None, DnsMessage.TryParse(bytes, out var m));
        var e = m.Answers;
        Assert.True(e.MoveNext());
        Assert.True(m.NameEquals(e.Current.NameOffset, "www.example.com"));
        Assert.Equal(new Ipv4Address(10, 0, 0, 1), Ipv4Address.Read(e.Current.Data));
        Assert.False(e.MoveNext());
    }

    [Theory]
    [InlineData("0001818000010000000000000377777700", WireError.Truncated)]                 // question without type/class
    [InlineData("00018180000100000000000003777777", WireError.Truncated)]                   // name runs off the end
    [InlineData("000181800001000000000000c00c00010001", WireError.BadValue)]               // pointer to itself (loop)
    [InlineData("000181800001000000000000c0ff00010001", WireError.BadValue)]               // pointer forwards
    [InlineData("0001818000010000000000004177777700010001", WireError.BadValue)]           // reserved label type 0x40
    [InlineData("00018180000000010000000000000100010000000a0005", WireError.BadLength)]     // rdata past the end
    [InlineData("00018180000000010000000000000100010000000a00020a00", WireError.BadLength)] // A record of 2 bytes
    [InlineData("0001818000000001000000000000010001", WireError.Truncated)]                 // record header cut short
    [InlineData("00018180", WireError.Truncated)]
    public void DnsRejectsMalformed(string hex, WireError expected) =>
        Assert.Equal(expected, DnsMessage.TryParse(Convert.FromHexString(hex), out _));

    [Fact]
    public void DnsRejectsOverlongNames()
    {
        var bytes = new List<byte>(Convert.FromHexString("000181800001000000000000"));
        for (int i = 0; i < 5; i++) { bytes.Add(63); bytes.AddRange(new byte[63].Select(_ => (byte)'a')); }
        bytes.AddRange(new byte[] { 0, 0, 1, 0, 1 });
        Assert.Equal(WireError.BadValue, DnsMessage.TryParse(bytes.ToArray(), out _));
    }

    [Fact]
    public void DnsQueryIsWrittenAndReadBack()
    {
        var buffer = new byte[DnsMessage.MaxUdpLength];
        Assert.Equal(WireError.None, DnsMessage.WriteQuery(buffer, 0x1234, "host.example.", DnsType.A, out int n));
        Assert.Equal(Convert.FromHexString("12340100000100000000000004686f7374076578616d706c650000010001"), buffer[..n]);
        Assert.Equal(WireError.None, DnsMessage.TryParse(buffer.AsSpan(0, n), out var m));
        Assert.False(m.IsResponse);
        Assert.True(m.HasQuestion("host.example", DnsType.A));

        Assert.Equal(WireError.BadValue, DnsMessage.WriteQuery(buffer, 1, "", DnsType.A, out _));
        Assert.Equal(WireError.BadValue, DnsMessage.WriteQuery(buffer, 1, "a..b", DnsType.A, out _));
        Assert.Equal(WireError.BadValue, DnsMessage.WriteQuery(buffer, 1, new string('a', 64) + ".com", DnsType.A, out _));
        Assert.Equal(WireError.BadValue, DnsMessage.WriteQuery(buffer, 1, "bad name", DnsType.A, out _));
        Assert.Equal(WireError.BadValue, DnsMessage.WriteQuery(buffer, 1, string.Join('.', Enumerable.Repeat("abcdefgh", 30)), DnsType.A, out _));
    }
}
