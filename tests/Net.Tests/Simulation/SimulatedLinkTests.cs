using System.Buffers.Binary;
using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Simulation;

public class SimulatedLinkTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static byte[] Numbered(int n, int length = 100)
    {
        var p = new byte[length];
        BinaryPrimitives.WriteInt32BigEndian(p, n);
        for (int i = 4; i < length; i++) p[i] = (byte)(n * 31 + i);
        return p;
    }

    /// <summary>Sends <paramref name="count"/> numbered packets A→B, one every <paramref name="spacing"/>, and returns what B received.</summary>
    private static List<byte[]> Pump(Simulator sim, SimulatedLink link, int count, TimeSpan spacing, int length = 100)
    {
        var received = new List<byte[]>();
        link.B.Receiver = p => received.Add(p.ToArray());
        sim.Run(async () =>
        {
            for (int i = 0; i < count; i++)
            {
                link.A.Send(Numbered(i, length));
                if (spacing > TimeSpan.Zero) await sim.Delay(spacing);
            }
            await sim.Delay(TimeSpan.FromSeconds(1)); // let everything in flight arrive
        }, TimeSpan.FromHours(10));
        return received;
    }

    [Fact]
    public void IdealLinkDeliversEverythingInOrderAfterTheLatency()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(10) });
        var arrivals = new List<(TimeSpan, byte[])>();
        link.B.Receiver = p => arrivals.Add((sim.Now, p.ToArray()));
        sim.Run(async () =>
        {
            link.A.Send(Numbered(0));
            await sim.Delay(TimeSpan.FromMilliseconds(3));
            link.A.Send(Numbered(1));
            await sim.Delay(TimeSpan.FromMilliseconds(50));
        }, Minute);
        Assert.Equal(2, arrivals.Count);
        Assert.Equal(TimeSpan.FromMilliseconds(10), arrivals[0].Item1);
        Assert.Equal(TimeSpan.FromMilliseconds(13), arrivals[1].Item1);
        Assert.Equal(Numbered(0), arrivals[0].Item2);
        Assert.Equal(Numbered(1), arrivals[1].Item2);
        Assert.Equal(2, link.AtoB.Counters.Delivered);
        Assert.Equal(200, link.AtoB.Counters.BytesDelivered);
        Assert.Equal(0, link.BtoA.Counters.Sent);
    }

    [Fact]
    public void DirectionsAreIndependent()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) },
                                          new LinkProfile { Latency = TimeSpan.FromMilliseconds(7) });
        TimeSpan atB = default, atA = default;
        link.B.Receiver = _ => atB = sim.Now;
        link.A.Receiver = _ => atA = sim.Now;
        sim.Run(async () => { link.A.Send([1]); link.B.Send([2]); await sim.Delay(TimeSpan.FromSeconds(1)); }, Minute);
        Assert.Equal(TimeSpan.FromMilliseconds(1), atB);
        Assert.Equal(TimeSpan.FromMilliseconds(7), atA);
    }

    [Fact]
    public void BandwidthSerialisesPacketsBackToBack()
    {
        var sim = new Simulator(1);
        // 1000 bytes at 8 Mbit/s = 1 ms on the wire.
        var link = new SimulatedLink(sim, new LinkProfile { BitsPerSecond = 8_000_000, Latency = TimeSpan.FromMilliseconds(2) });
        var times = new List<TimeSpan>();
        link.B.Receiver = _ => times.Add(sim.Now);
        sim.Run(async () =>
        {
            for (int i = 0; i < 3; i++) link.A.Send(new byte[1000]);
            await sim.Delay(TimeSpan.FromSeconds(1));
        }, Minute);
        Assert.Equal([TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(4), TimeSpan.FromMilliseconds(5)], times);
    }

    [Fact]
    public void FullQueueTailDrops()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { BitsPerSecond = 8_000_000, QueueLimit = 4 });
        var got = Pump(sim, link, 10, TimeSpan.Zero, 1000);
        Assert.Equal(4, got.Count);
        Assert.Equal(6, link.AtoB.Counters.QueueDropped);
        Assert.Equal([0, 1, 2, 3], got.Select(p => BinaryPrimitives.ReadInt32BigEndian(p)));
    }

    [Fact]
    public void QueueDrainsAsTheWireFrees()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { BitsPerSecond = 8_000_000, QueueLimit = 2 });
        // One packet per ms at exactly the line rate never overflows a queue of 2.
        var got = Pump(sim, link, 50, TimeSpan.FromMilliseconds(1), 1000);
        Assert.Equal(50, got.Count);
        Assert.Equal(0, link.AtoB.Counters.QueueDropped);
    }

    [Fact]
    public void OversizePacketsAndPacketsWhileDownAreDroppedAndCounted()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { MaxPacketSize = 100 });
        var got = new List<int>();
        link.B.Receiver = p => got.Add(p.Length);
        sim.Run(async () =>
        {
            link.A.Send(new byte[101]);
            link.A.Send(new byte[100]);
            link.IsUp = false;
            link.A.Send(new byte[10]);
            link.IsUp = true;
            link.A.Send(new byte[20]);
            await sim.Delay(TimeSpan.FromSeconds(1));
        }, Minute);
        Assert.Equal([100, 20], got);
        Assert.Equal(1, link.AtoB.Counters.Oversize);
        Assert.Equal(1, link.AtoB.Counters.DroppedWhileDown);
    }

    [Fact]
    public void PacketsWithoutAReceiverAreCountedAsUnclaimed()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim);
        sim.Run(async () => { link.A.Send([1, 2, 3]); await sim.Delay(TimeSpan.FromSeconds(1)); }, Minute);
        Assert.Equal(1, link.AtoB.Counters.Unclaimed);
        Assert.Equal(0, link.AtoB.Counters.Delivered);
    }

    [Fact]
    public void ImpairmentRatesAreWithinTolerance()
    {
        const int n = 40_000;
        var sim = new Simulator(2024);
        var link = new SimulatedLink(sim, new LinkProfile
        {
            Latency = TimeSpan.FromMilliseconds(5),
            Loss = 0.05, Duplicate = 0.01, Corrupt = 0.001, Reorder = 0.25,
            ReorderDelay = TimeSpan.FromMilliseconds(2),
        });
        var got = Pump(sim, link, n, TimeSpan.FromMicroseconds(100));
        var c = link.AtoB.Counters;

        Assert.Equal(n, c.Sent);
        Assert.InRange(c.Lost, n * 0.05 * 0.9, n * 0.05 * 1.1);
        Assert.InRange(c.Reordered, (n - c.Lost) * 0.25 * 0.95, (n - c.Lost) * 0.25 * 1.05);
        Assert.InRange(c.Duplicated, (n - c.Lost) * 0.01 * 0.8, (n - c.Lost) * 0.01 * 1.2);
        Assert.InRange(c.Corrupted, 10, 80); // expected ~38
        Assert.Equal(n - c.Lost + c.Duplicated, c.Delivered);
        Assert.Equal(c.Delivered, got.Count);
        Assert.True(c.DeliveredOutOfOrder > c.Reordered / 2, $"out-of-order {c.DeliveredOutOfOrder} vs held back {c.Reordered}");

        // Every received packet is either intact or differs from what was sent by exactly one bit.
        int corrupted = 0;
        foreach (var p in got)
        {
            int id = BinaryPrimitives.ReadInt32BigEndian(p);
            int bits = id is >= 0 and < n ? BitDifference(p, Numbered(id)) : -1;
            if (bits == 0) continue;
            corrupted++;
            if (bits != -1) Assert.Equal(1, bits);
        }
        Assert.Equal(c.Corrupted, corrupted);
    }

    [Fact]
    public void WithoutReorderingDeliveryIsInOrderEvenWithLossAndDuplication()
    {
        var sim = new Simulator(5);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(3), Loss = 0.1, Duplicate = 0.1, BitsPerSecond = 100_000_000 });
        var got = Pump(sim, link, 5000, TimeSpan.FromMicroseconds(50));
        var ids = got.Select(p => BinaryPrimitives.ReadInt32BigEndian(p)).ToList();
        Assert.Equal(ids.OrderBy(x => x), ids);
        Assert.Equal(0, link.AtoB.Counters.DeliveredOutOfOrder);
        Assert.True(ids.Count < 5000 * 1.05 && ids.Count > 5000 * 0.95);
    }

    [Fact]
    public void SameSeedReplaysIdenticalTraceAndOtherSeedDiffers()
    {
        static SimulationTrace Once(ulong seed)
        {
            var sim = new Simulator(seed, new SimulationOptions { Trace = true });
            var link = new SimulatedLink(sim, new LinkProfile
            {
                Latency = TimeSpan.FromMilliseconds(1), BitsPerSecond = 10_000_000,
                Loss = 0.05, Reorder = 0.25, Duplicate = 0.01, Corrupt = 0.01, QueueLimit = 8,
            });
            // An echo at B makes traffic in both directions depend on what arrived.
            link.B.Receiver = p => { if (p.Length > 1) link.B.Send(p[..^1]); };
            link.A.Receiver = _ => { };
            sim.Run(async () =>
            {
                for (int i = 0; i < 2000; i++)
                {
                    link.A.Send(Numbered(i, 50 + i % 200));
                    if (i % 3 == 0) await sim.Delay(TimeSpan.FromMicroseconds(200));
                }
                await sim.Delay(TimeSpan.FromSeconds(1));
            }, Minute);
            return sim.Trace!;
        }

        var first = Once(77);
        var again = Once(77);
        var other = Once(78);
        Assert.True(first.Count > 6000);
        Assert.Equal(first.Digest, again.Digest);
        Assert.Equal(first.Lines, again.Lines);
        Assert.NotEqual(first.Digest, other.Digest);
    }

    [Fact]
    public void DeviceAdapterCarriesFramesBetweenTwoEnds()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMicroseconds(10) });
        var a = new SimulatedNetworkDevice(link.A, CosmosNet.Net.Platform.MacAddress.Parse("02:00:00:00:00:01"));
        var b = new SimulatedNetworkDevice(link.B, CosmosNet.Net.Platform.MacAddress.Parse("02:00:00:00:00:02"));
        var got = new List<byte[]>();
        b.Start((f, _) => got.Add(f.ToArray()));
        a.Start((_, _) => { });
        sim.Run(async () =>
        {
            a.Transmit(new byte[60]);
            a.Transmit(new byte[1514]);
            a.Transmit(new byte[1515]); // longer than MTU + Ethernet header
            await sim.Delay(TimeSpan.FromMilliseconds(1));
        }, Minute);
        Assert.Equal([60, 1514], got.Select(f => f.Length));
        Assert.Equal(2, a.FramesSent);
        Assert.Equal(1, a.OversizeDropped);
        Assert.Equal(2, b.FramesReceived);
    }

    [Fact]
    public void PcapWriterRecordsDeliveriesWithVirtualTimestamps()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1500) });
        var file = new MemoryStream();
        var pcap = new PcapWriter(file, sim.Clock);
        pcap.Capture(link);
        link.B.Receiver = _ => { };
        sim.Run(async () => { link.A.Send([1, 2, 3, 4]); await sim.Delay(TimeSpan.FromSeconds(2)); }, Minute);
        var bytes = file.ToArray();
        Assert.Equal(24 + 16 + 4, bytes.Length);
        Assert.Equal(0xa1b23c4du, BinaryPrimitives.ReadUInt32LittleEndian(bytes));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(24)));
        Assert.Equal(500_000_000u, BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(28)));
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, bytes[40..]);
    }

    private static int BitDifference(byte[] a, byte[] b) =>
        a.Length != b.Length ? -1 : a.Zip(b).Sum(x => System.Numerics.BitOperations.PopCount((uint)(x.First ^ x.Second)));
}
