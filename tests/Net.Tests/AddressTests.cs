using CosmosNet.Net.Platform;
using Xunit;

namespace CosmosNet.Net.Tests;

public class AddressTests
{
    [Theory]
    [InlineData("10.0.2.15", 0x0A00020Fu)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    [InlineData("0.0.0.0", 0u)]
    public void Ipv4ParsesAndFormats(string text, uint value)
    {
        var a = Ipv4Address.Parse(text);
        Assert.Equal(value, a.Value);
        Assert.Equal(text, a.ToString());
        Span<byte> b = stackalloc byte[4];
        a.Write(b);
        Assert.Equal(a, Ipv4Address.Read(b));
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1")]
    [InlineData("a.b.c.d")]
    [InlineData("")]
    public void Ipv4RejectsMalformed(string text) => Assert.False(Ipv4Address.TryParse(text, out _));

    [Fact]
    public void SubnetMembership()
    {
        var net = Ipv4Address.Parse("192.168.7.0");
        Assert.True(Ipv4Address.Parse("192.168.7.200").InSubnet(net, 24));
        Assert.False(Ipv4Address.Parse("192.168.8.1").InSubnet(net, 24));
        Assert.True(Ipv4Address.Parse("8.8.8.8").InSubnet(net, 0));
    }

    [Fact]
    public void MacRoundTrip()
    {
        var m = MacAddress.Parse("52:54:00:12:34:56");
        Assert.Equal("52:54:00:12:34:56", m.ToString());
        Span<byte> b = stackalloc byte[6];
        m.Write(b);
        Assert.Equal(new byte[] { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 }, b.ToArray());
        Assert.Equal(m, MacAddress.Read(b));
        Assert.False(m.IsMulticast);
        Assert.True(MacAddress.Broadcast.IsBroadcast);
    }
}

public class ChecksumTests
{
    [Fact]
    public void Rfc1071Example()
    {
        // RFC 1071 section 3 example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2 (before complement).
        byte[] data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        Assert.Equal((ushort)0x220d, Wire.Checksum.Compute(data));
    }

    [Fact]
    public void KnownIpv4HeaderVerifies()
    {
        // A real IPv4 header (checksum b861 included).
        byte[] h = Convert.FromHexString("450000730000400040110000c0a80001c0a800c7");
        var sum = Wire.Checksum.Compute(h);
        Assert.Equal(0xb861, sum);
        h[10] = 0xb8; h[11] = 0x61;
        Assert.True(Wire.Checksum.Verify(0, h));
    }

    [Fact]
    public void OddLengthAndWideLoopAgree()
    {
        var rnd = new Random(1);
        for (int len = 0; len < 100; len++)
        {
            var b = new byte[len];
            rnd.NextBytes(b);
            uint slow = 0;
            for (int i = 0; i < len; i += 2) slow += (uint)(b[i] << 8 | (i + 1 < len ? b[i + 1] : 0));
            Assert.Equal(Wire.Checksum.Finish(slow), Wire.Checksum.Compute(b));
        }
    }
}
