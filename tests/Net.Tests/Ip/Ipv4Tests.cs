using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Wire;
using Xunit;
using static CosmosNet.Net.Tests.Ip.IpTestBed;

namespace CosmosNet.Net.Tests.Ip;

public class Ipv4Tests
{
    private const IpProtocol Test = (IpProtocol)253;

    private static byte[] Pattern(int length, int seed = 0) => Enumerable.Range(0, length).Select(i => (byte)(i * 7 + seed)).ToArray();

    [Fact]
    public void RoutesOnLinkDirectlyAndOffLinkViaTheGateway()
    {
        var bed = new IpTestBed(rawPeer: true);
        var gateway = new Ipv4Address(10, 0, 0, 254);
        Assert.False(bed.A.Send(new Ipv4Address(8, 8, 8, 8), Test, [1]));   // no gateway yet
        Assert.Equal(1, bed.A.Statistics[NetCounter.IpNoRoute]);
        bed.A.Configure(new IpConfiguration(AddrA, 24, gateway));
        bed.RunMs(5);
        bed.Captured.Clear();
        Assert.True(bed.A.Send(new Ipv4Address(8, 8, 8, 8), Test, [1]));
        Assert.True(bed.A.Send(AddrB, Test, [2]));
        bed.RunMs(5);
        var targets = bed.Captured.Select(f => { ArpPacket.TryParse(f.AsSpan(14), out var a); return a.TargetProtocol; }).ToArray();
        Assert.Equal([gateway, AddrB], targets);
    }

    [Fact]
    public void UnconfiguredOnlyBroadcastsFromTheZeroAddress()
    {
        var bed = new IpTestBed(rawPeer: true);
        bed.A.Configure(IpConfiguration.Unconfigured);
        bed.RunMs(5);
        bed.Captured.Clear();
        Assert.False(bed.A.Send(AddrB, Test, [1]));
        Assert.True(bed.A.Send(Ipv4Address.Broadcast, Test, [2]));
        bed.RunMs(5);
        var frame = Assert.Single(bed.Captured);
        Assert.True(MacAddress.Read(frame).IsBroadcast);
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(frame.AsSpan(14), out var ip));
        Assert.Equal(Ipv4Address.Any, ip.Source);
        Assert.Equal(Ipv4Address.Broadcast, ip.Destination);
    }

    [Fact]
    public void LargePayloadIsFragmentedToTheMtu()
    {
        var bed = new IpTestBed(rawPeer: true);
        bed.TeachArp();
        var payload = Pattern(4000);
        Assert.True(bed.A.Send(AddrB, Test, payload));
        bed.RunMs(5);
        Assert.Equal(3, bed.Captured.Count);
        var reassembled = new byte[4000];
        int expectedOffset = 0;
        ushort id = 0;
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(WireError.None, Ipv4Packet.TryParse(bed.Captured[i].AsSpan(14), out var ip));
            Assert.True(ip.TotalLength <= 1500);
            Assert.Equal(expectedOffset, ip.FragmentOffset);
            Assert.Equal(i < 2, ip.MoreFragments);
            if (i == 0) id = ip.Identification; else Assert.Equal(id, ip.Identification);
            ip.Payload.CopyTo(reassembled.AsSpan(ip.FragmentOffset));
            expectedOffset += ip.Payload.Length;
        }
        Assert.Equal(4000, expectedOffset);
        Assert.Equal(payload, reassembled);
        Assert.Equal(3, bed.A.Statistics[NetCounter.IpFragmentsSent]);
        Assert.False(bed.A.Send(AddrB, Test, new byte[65516]));
        Assert.Equal(1, bed.A.Statistics[NetCounter.IpTooLarge]);
    }

    [Fact]
    public void FragmentedDatagramsSurviveReorderingDuplicationAndLoss()
    {
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(1), Reorder = 0.3, ReorderDelay = TimeSpan.FromMilliseconds(3), Duplicate = 0.1, Loss = 0.02 };
        var bed = new IpTestBed(rawPeer: false, seed: 7, profile: profile, mtu: 576);
        var sink = new RecordingTransport();
        bed.B!.Register(Test, sink);
        var sent = new List<byte[]>();
        for (int i = 0; i < 60; i++)
        {
            var p = Pattern(100 + i * 97, i);
            sent.Add(p);
            bed.A.Send(AddrB, Test, p);
            bed.RunMs(2);
        }
        bed.Run(TimeSpan.FromSeconds(40)); // long enough for every incomplete datagram to time out
        var received = sink.Received.Select(r => Convert.ToHexString(r.Payload)).ToHashSet();
        var expected = sent.Select(Convert.ToHexString).ToHashSet();
        Assert.Subset(expected, received);              // nothing corrupt or invented
        Assert.True(received.Count >= 40, $"only {received.Count} of 60 datagrams arrived");
        Assert.True(bed.B.Statistics[NetCounter.IpReassembled] >= 35);
        Assert.Equal(0, bed.B.ReassemblyDatagrams);
        Assert.Equal(0, bed.B.ReassemblyMemory);
    }

    private static (IpTestBed Bed, RecordingTransport Sink) RawBed(IpOptions? options = null)
    {
        var bed = new IpTestBed(rawPeer: true, options: options);
        var sink = new RecordingTransport();
        bed.A.Register(Test, sink);
        bed.TeachArp();
        return (bed, sink);
    }

    [Fact]
    public void ReassemblesOutOfOrderAndIgnoresExactDuplicates()
    {
        var (bed, sink) = RawBed();
        var payload = Pattern(40);
        bed.Inject(IpFrame(253, payload.AsSpan(32), id: 9, more: false, offset: 32));
        bed.Inject(IpFrame(253, payload.AsSpan(16, 16), id: 9, more: true, offset: 16));
        bed.Inject(IpFrame(253, payload.AsSpan(16, 16), id: 9, more: true, offset: 16)); // duplicate
        bed.Inject(IpFrame(253, payload.AsSpan(0, 16), id: 10, more: true, offset: 0));  // another datagram
        bed.Inject(IpFrame(253, payload.AsSpan(0, 16), id: 9, more: true, offset: 0));
        bed.RunMs(5);
        var r = Assert.Single(sink.Received);
        Assert.Equal(payload, r.Payload);
        Assert.Equal(AddrB, r.Source);
        Assert.Equal(1, bed.A.ReassemblyDatagrams); // id 10 still waiting
        Assert.Equal(0, bed.A.Statistics[NetCounter.IpReassemblyOverlaps]);
    }

    [Fact]
    public void OverlappingFragmentsWithDifferentDataDiscardTheDatagram()
    {
        var (bed, sink) = RawBed();
        var payload = Pattern(48);
        bed.Inject(IpFrame(253, payload.AsSpan(0, 24), id: 3, more: true, offset: 0));
        var forged = Pattern(24, 99);
        bed.Inject(IpFrame(253, forged, id: 3, more: true, offset: 16));                 // overlaps bytes 16..23
        bed.Inject(IpFrame(253, payload.AsSpan(24), id: 3, more: false, offset: 24));
        bed.RunMs(5);
        Assert.Empty(sink.Received);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IpReassemblyOverlaps]);
        // A conflicting end: two "last" fragments that disagree on the length.
        bed.Inject(IpFrame(253, payload.AsSpan(0, 8), id: 4, more: false, offset: 16));
        bed.Inject(IpFrame(253, payload.AsSpan(0, 16), id: 4, more: false, offset: 16));
        bed.RunMs(5);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IpBadFragment]);
        Assert.Empty(sink.Received);
    }

    [Fact]
    public void IncompleteDatagramsTimeOutAndTheSenderHearsTimeExceeded()
    {
        var (bed, sink) = RawBed(new IpOptions { ReassemblyTimeout = TimeSpan.FromSeconds(5) });
        bed.Inject(IpFrame(253, Pattern(16), id: 5, more: true, offset: 0));
        bed.Inject(IpFrame(253, Pattern(16), id: 6, more: false, offset: 16)); // never gets its first half
        bed.Run(TimeSpan.FromSeconds(4));
        Assert.Equal(2, bed.A.ReassemblyDatagrams);
        bed.Run(TimeSpan.FromSeconds(2));
        Assert.Equal(0, bed.A.ReassemblyDatagrams);
        Assert.Equal(0, bed.A.ReassemblyMemory);
        Assert.Equal(2, bed.A.Statistics[NetCounter.IpReassemblyTimeouts]);
        Assert.Empty(sink.Received);
        var error = Assert.Single(bed.Captured); // only for the datagram whose first fragment came
        Assert.Equal(WireError.None, Ipv4Packet.TryParse(error.AsSpan(14), out var ip));
        Assert.Equal(AddrB, ip.Destination);
        Assert.Equal(WireError.None, IcmpMessage.TryParse(ip.Payload, out var icmp));
        Assert.Equal(IcmpType.TimeExceeded, icmp.Type);
        Assert.Equal(1, icmp.Code);
        Assert.Equal(WireError.None, Ipv4Packet.TryParseQuoted(icmp.Data, out var quoted));
        Assert.Equal(5, quoted.Identification);
    }

    [Fact]
    public void ReassemblyMemoryAndCountAreBounded()
    {
        var (bed, sink) = RawBed(new IpOptions { ReassemblyMemoryLimit = 16 * 1024, ReassemblyMaxDatagrams = 8 });
        for (ushort id = 0; id < 100; id++)
        {
            bed.Inject(IpFrame(253, Pattern(1480), id: id, more: true, offset: 0));
            bed.Inject(IpFrame(253, Pattern(8), id: id, more: true, offset: 20000)); // a big hole: forces a large buffer
        }
        bed.RunMs(5);
        Assert.True(bed.A.ReassemblyMemory <= 16 * 1024, $"reassembly holds {bed.A.ReassemblyMemory} bytes");
        Assert.True(bed.A.ReassemblyDatagrams <= 8);
        Assert.True(bed.A.Statistics[NetCounter.IpReassemblyEvictions] >= 92);
        // Still works for a well-behaved datagram afterwards.
        var payload = Pattern(24);
        bed.Inject(IpFrame(253, payload.AsSpan(0, 16), id: 500, more: true, offset: 0));
        bed.Inject(IpFrame(253, payload.AsSpan(16), id: 500, more: false, offset: 16));
        bed.RunMs(5);
        Assert.Equal(payload, Assert.Single(sink.Received).Payload);
    }

    [Fact]
    public void MalformedPacketsAreCountedByReason()
    {
        var (bed, sink) = RawBed();
        var good = IpFrame(253, Pattern(8));
        byte[] Edit(Action<byte[]> edit, bool fixChecksum = true)
        {
            var f = (byte[])good.Clone();
            edit(f);
            if (fixChecksum)
            {
                f[24] = f[25] = 0;
                int ihl = (f[14] & 0xF) * 4;
                if (ihl >= 20 && 14 + ihl <= f.Length) BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(24), Checksum.Compute(f.AsSpan(14, ihl)));
            }
            return f;
        }
        bed.Inject(good[..10]);                                             // EthernetTruncated
        bed.Inject(good[..30]);                                             // IpTruncated
        bed.Inject(Edit(f => f[14] = 0x65));                                // IpBadVersion
        bed.Inject(Edit(f => f[17] = 200));                                 // IpBadLength
        bed.Inject(Edit(f => f[22] = 1, fixChecksum: false));               // IpBadChecksum
        bed.Inject(Edit(f => { f[14] = 0x46; f[34] = 7; f[35] = 1; }));     // IpBadOptions
        bed.Inject(Edit(f => f[20] = 0x20));                                // valid: a first fragment of 8 bytes, kept for reassembly
        bed.Inject(Edit(f => { f[20] = 0x3F; f[21] = 0xFF; }));            // IpBadFragment: past 64 KiB
        bed.Inject(Edit(f => new Ipv4Address(10, 0, 0, 3).Write(f.AsSpan(30)))); // IpNotForUs
        bed.Inject(Edit(f => Ipv4Address.Broadcast.Write(f.AsSpan(26))));  // IpBadSource
        bed.Inject(Edit(f => MacAddress.Parse("52:54:00:00:00:77").Write(f))); // EthernetNotForUs
        bed.Inject(Edit(f => f[13] = 0xDD));                                // EthernetUnknownType
        bed.RunMs(5);
        var s = bed.A.Statistics;
        Assert.Equal(1, s[NetCounter.EthernetTruncated]);
        Assert.Equal(1, s[NetCounter.IpTruncated]);
        Assert.Equal(1, s[NetCounter.IpBadVersion]);
        Assert.Equal(1, s[NetCounter.IpBadLength]);
        Assert.Equal(1, s[NetCounter.IpBadChecksum]);
        Assert.Equal(1, s[NetCounter.IpBadOptions]);
        Assert.Equal(1, s[NetCounter.IpBadFragment]);
        Assert.Equal(1, s[NetCounter.IpNotForUs]);
        Assert.Equal(1, s[NetCounter.IpBadSource]);
        Assert.Equal(1, s[NetCounter.EthernetNotForUs]);
        Assert.Equal(1, s[NetCounter.EthernetUnknownType]);
        Assert.Empty(sink.Received);
        Assert.Equal(1, bed.A.ReassemblyDatagrams);
        Assert.Contains("IpBadChecksum=1", s.ToString());
    }

    [Fact]
    public void RandomlyMutatedFramesNeverThrow()
    {
        var (bed, _) = RawBed();
        var rng = new SeededRandom(42);
        var seeds = new[]
        {
            IpFrame(253, Pattern(64)),
            IpFrame(1, new byte[] { 8, 0, 0xF7, 0xFF, 0, 0, 0, 0 }),
            IpFrame(17, new byte[] { 0x13, 0x88, 0, 7, 0, 12, 0, 0, 1, 2, 3, 4 }),
            IpFrame(253, Pattern(16), more: true),
            ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA),
        };
        var input = new byte[200];
        for (int i = 0; i < 20_000; i++)
        {
            var seed = seeds[rng.NextInt32(seeds.Length)];
            int length = rng.Chance(0.2) ? rng.NextInt32(seed.Length + 1) : seed.Length;
            seed.AsSpan(0, length).CopyTo(input);
            int flips = 1 + rng.NextInt32(4);
            for (int f = 0; f < flips && length > 0; f++) input[rng.NextInt32(length)] = (byte)rng.NextInt32(256);
            bed.A.ReceiveFrame(input.AsSpan(0, length));
        }
        Assert.Equal(20_000, bed.A.Statistics[NetCounter.FramesReceived] - 1); // plus the ARP that TeachArp sent
    }
}
