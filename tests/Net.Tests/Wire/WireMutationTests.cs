using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.WireFormat;

/// <summary>
/// Mutated and truncated copies of valid messages through every parser, and through every accessor of whatever parses:
/// nothing may throw. Seeded, so a failure replays.
/// </summary>
public class WireMutationTests
{
    private static void Mutate(byte[] seed, SeededRandom rng, int iterations, Action<ReadOnlySpan<byte>> parse)
    {
        var input = new byte[seed.Length + 8];
        for (int i = 0; i < iterations; i++)
        {
            int length = rng.Chance(0.25) ? rng.NextInt32(seed.Length + 1) : seed.Length;
            seed.AsSpan(0, length).CopyTo(input);
            int flips = 1 + rng.NextInt32(6);
            for (int f = 0; f < flips && length > 0; f++) input[rng.NextInt32(length)] = (byte)rng.NextInt32(256);
            parse(input.AsSpan(0, length));
        }
    }

    [Fact]
    public void DnsParserNeverThrows()
    {
        var seeds = new[]
        {
            Convert.FromHexString("00018180000100010000000003777777076578616d706c6503636f6d0000010001c00c000100010000000a00040a000001"),
            Convert.FromHexString("beef8180000100020000000003777777076578616d706c6503636f6d000001000103777777076578616d706c6503636f6d00000500010000012c0011"
                + "03776562076578616d706c6503636f6d0003776562076578616d706c6503636f6d00000100010000003c00045db8d822"),
        };
        var rng = new SeededRandom(11);
        int parsed = 0;
        foreach (var seed in seeds)
            Mutate(seed, rng, 20_000, bytes =>
            {
                if (DnsMessage.TryParse(bytes, out var m) != WireError.None) return;
                parsed++;
                m.HasQuestion("www.example.com", DnsType.A);
                foreach (var r in m.Answers) { m.NameEquals(r.NameOffset, "web.example.com"); _ = r.Data.Length + r.Ttl; }
            });
        Assert.True(parsed > 1000, $"only {parsed} mutants parsed: the test explores too little");
    }

    [Fact]
    public void DhcpParserNeverThrows()
    {
        var buffer = new byte[DhcpWriter.MaxLength];
        var w = new DhcpWriter(buffer, DhcpMessage.OpReply, 7, MacAddress.Parse("52:54:00:00:00:02"), true, yourAddress: new Ipv4Address(10, 0, 0, 5));
        w.Option(DhcpOption.MessageType, (byte)DhcpMessageType.Ack);
        w.Option(DhcpOption.ServerIdentifier, new Ipv4Address(10, 0, 0, 1));
        w.Option(DhcpOption.LeaseTime, 100u);
        w.Option(DhcpOption.DnsServers, new byte[] { 1, 1, 1, 1, 8, 8, 8, 8 });
        var seed = buffer[..w.Finish()];
        var rng = new SeededRandom(12);
        int parsed = 0;
        Mutate(seed, rng, 20_000, bytes =>
        {
            if (DhcpMessage.TryParse(bytes, out var m) != WireError.None) return;
            parsed++;
            _ = m.MessageType;
            m.TryGetAddress(DhcpOption.ServerIdentifier, out _);
            m.TryGetUInt32(DhcpOption.LeaseTime, out _);
            m.TryGetOption(DhcpOption.DnsServers, out _);
            m.TryGetOption(DhcpOption.End, out _);
        });
        Assert.True(parsed > 1000, $"only {parsed} mutants parsed");
    }

    [Fact]
    public void PacketParsersNeverThrow()
    {
        // The ICMP echo and UDP frames of WireTests (10.0.0.1 -> 10.0.0.2).
        var frames = new[]
        {
            Convert.FromHexString("52540000000252540000000108004500002512340000400154a20a0000010a000002080028dc0077000370696e672d64617461"),
            Convert.FromHexString("52540000000252540000000108004500002500010000401166c50a0000010a000002138800070011aee368656c6c6f20756470"),
        };
        var rng = new SeededRandom(13);
        Ipv4Address a = new(10, 0, 0, 1), b = new(10, 0, 0, 2);
        int parsedIp = 0;
        foreach (var frame in frames)
        Mutate(frame, rng, 30_000, bytes =>
        {
            if (EthernetFrame.TryParse(bytes, out var eth) != WireError.None) return;
            _ = eth.EtherType;
            ArpPacket.TryParse(eth.Payload, out _);
            if (Ipv4Packet.TryParseQuoted(eth.Payload, out var quoted) == WireError.None) _ = quoted.Payload.Length + quoted.Protocol;
            if (Ipv4Packet.TryParse(eth.Payload, out var ip) != WireError.None) return;
            parsedIp++;
            _ = ip.Options.Length + ip.FragmentOffset + ip.Ttl;
            if (IcmpMessage.TryParse(ip.Payload, out var icmp) == WireError.None)
            {
                _ = icmp.Data.Length + icmp.NextHopMtu;
                Ipv4Packet.TryParseQuoted(icmp.Data, out _);
            }
            if (UdpDatagram.TryParse(ip.Payload, a, b, out var udp) == WireError.None) _ = udp.Payload.Length;
        });
        Assert.True(parsedIp > 5000, $"only {parsedIp} mutants got past the IP header");
    }
}
