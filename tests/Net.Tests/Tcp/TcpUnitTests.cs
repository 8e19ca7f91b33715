using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

public class SequenceNumberTests
{
    [Theory]
    [InlineData(1u, 2u)]
    [InlineData(0xFFFF_FFF0u, 0x10u)]          // across the wrap
    [InlineData(0x7FFF_FFFFu, 0x8000_0000u)]
    public void ComparesModulo2To32(uint a, uint b)
    {
        var x = new SeqNum(a);
        var y = new SeqNum(b);
        Assert.True(x < y);
        Assert.True(y > x);
        Assert.True(x <= y && y >= x && !(y <= x));
        Assert.Equal(y, SeqNum.Max(x, y));
        Assert.Equal(x, SeqNum.Min(x, y));
        Assert.Equal((int)(b - a), y - x);
        Assert.Equal(y, x + (y - x));
    }

    [Fact]
    public void RangesAndArithmeticWrap()
    {
        var s = new SeqNum(0xFFFF_FFFE);
        Assert.Equal(new SeqNum(3), s + 5);
        Assert.Equal(s, new SeqNum(3) - 5);
        Assert.True(new SeqNum(1).InRange(s, s + 10));
        Assert.False((s + 10).InRange(s, s + 10));
        Assert.False((s - 1).InRange(s, s + 10));
    }
}

public class TcpWireTests
{
    private static readonly Ipv4Address A = new(10, 0, 0, 1), B = new(10, 0, 0, 2);

    [Fact]
    public void SegmentRoundTrip()
    {
        var opt = TcpOptions.None;
        opt.Mss = 1460; opt.WindowScale = 7; opt.SackPermitted = true; opt.HasTimestamps = true; opt.TsVal = 123456; opt.TsEcr = 654321;
        var bytes = SegmentForge.Build(A, 1234, B, 80, 0xDEADBEEF, 0x01020304, TcpFlags.Syn | TcpFlags.Ack, 29200, "hi"u8.ToArray(), opt);
        Assert.Equal(WireError.None, TcpSegment.TryParse(bytes, A, B, out var seg));
        Assert.Equal(1234, seg.SourcePort);
        Assert.Equal(80, seg.DestinationPort);
        Assert.Equal(0xDEADBEEFu, seg.SequenceNumber);
        Assert.Equal(0x01020304u, seg.AckNumber);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, seg.Flags);
        Assert.Equal(29200, seg.Window);
        Assert.Equal(20 + 20, seg.HeaderLength); // MSS 4 + SACK-perm/TS 12 + WS 4
        Assert.Equal("hi"u8.ToArray(), seg.Payload.ToArray());
        Assert.Equal(3, seg.SequenceLength);
        Assert.Equal(WireError.None, TcpOptions.Parse(seg.Options, out var parsed));
        Assert.Equal(1460, parsed.Mss);
        Assert.Equal(7, parsed.WindowScale);
        Assert.True(parsed.SackPermitted);
        Assert.True(parsed.HasTimestamps);
        Assert.Equal(123456u, parsed.TsVal);
        Assert.Equal(654321u, parsed.TsEcr);
        // The same segment seen from another address pair fails the pseudo-header checksum.
        Assert.Equal(WireError.BadChecksum, TcpSegment.TryParse(bytes, A, new Ipv4Address(10, 0, 0, 3), out _));
    }

    [Fact]
    public void SackBlocksRoundTrip()
    {
        var opt = TcpOptions.None;
        opt.HasTimestamps = true; opt.TsVal = 1; opt.TsEcr = 2;
        opt.SackCount = 3;
        opt.Sack[0] = new SackBlock(100, 200); opt.Sack[1] = new SackBlock(300, 400); opt.Sack[2] = new SackBlock(0xFFFF_FF00, 5);
        Assert.Equal(40, opt.Length);
        var area = new byte[40];
        Assert.Equal(40, opt.Write(area));
        Assert.Equal(WireError.None, TcpOptions.Parse(area, out var parsed));
        Assert.Equal(3, parsed.SackCount);
        Assert.Equal(new SackBlock(300, 400), parsed.Sack[1]);
        Assert.Equal(new SackBlock(0xFFFF_FF00, 5), parsed.Sack[2]);
    }

    [Theory]
    [InlineData(new byte[] { 2 })]                            // kind without a length byte
    [InlineData(new byte[] { 2, 4, 5 })]                      // MSS running past the area (overlong)
    [InlineData(new byte[] { 2, 3, 5, 0 })]                   // MSS with the wrong length
    [InlineData(new byte[] { 3, 4, 7, 0 })]                   // window scale with the wrong length
    [InlineData(new byte[] { 4, 3, 0, 0 })]                   // SACK-permitted with the wrong length
    [InlineData(new byte[] { 5, 6, 0, 0, 0, 0 })]             // SACK that is not a whole block
    [InlineData(new byte[] { 8, 8, 0, 0, 0, 0, 0, 0 })]       // timestamps too short
    [InlineData(new byte[] { 99, 1, 0, 0 })]                  // unknown kind with length below 2
    [InlineData(new byte[] { 99, 0, 0, 0 })]                  // zero length would loop forever
    [InlineData(new byte[] { 1, 1, 99, 30 })]                 // unknown kind longer than the area
    public void MalformedOptionsAreRejected(byte[] area)
    {
        Assert.Equal(WireError.BadOptions, TcpOptions.Parse(area, out _));
    }

    [Fact]
    public void UnknownOptionsAreSkippedAndEndStopsParsing()
    {
        byte[] area = { 99, 4, 0xAA, 0xBB, 1, 3, 3, 20, 0, 2, 1 }; // unknown(4), NOP, WS=20 (clamped), EOL, garbage after
        Assert.Equal(WireError.None, TcpOptions.Parse(area, out var opt));
        Assert.Equal(14, opt.WindowScale);
        Assert.Equal(0, opt.Mss);
    }

    [Fact]
    public void MalformedSegmentsAreCountedAndDropped()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim);
        var ip = new PacketIpLayer(link.A, B);
        var tcp = new TcpStack(ip, sim.Clock, sim.Random);
        tcp.Listen(80, null, _ => Task.CompletedTask);
        var good = SegmentForge.Build(A, 1000, B, 80, 1, 0, TcpFlags.Syn);

        tcp.Receive(A, B, good.AsSpan(0, 19));                       // truncated header
        var badOffset = (byte[])good.Clone(); badOffset[12] = 0x40;  // data offset 16 bytes < 20
        tcp.Receive(A, B, badOffset);
        var longOffset = (byte[])good.Clone(); longOffset[12] = 0xF0; // 60-byte header in a 20-byte segment
        tcp.Receive(A, B, longOffset);
        var corrupt = (byte[])good.Clone(); corrupt[4] ^= 0x10;       // flipped bit: checksum fails
        tcp.Receive(A, B, corrupt);
        var badOptions = SegmentForge.Build(A, 1000, B, 80, 1, 0, TcpFlags.Syn,
            options: new TcpOptions { WindowScale = -1, SackCount = 0 });
        badOptions = WithRawOptions(A, B, new byte[] { 2, 8, 0, 0 }); // MSS claiming 8 bytes in a 4-byte area
        tcp.Receive(A, B, badOptions);
        var zeroPort = SegmentForge.Build(A, 0, B, 80, 1, 0, TcpFlags.Syn);
        tcp.Receive(A, B, zeroPort);

        Assert.Equal(6, tcp.Statistics.SegmentsReceived);
        Assert.Equal(1, tcp.Statistics.BadChecksum);
        Assert.Equal(1, tcp.Statistics.BadOptions);
        Assert.Equal(4, tcp.Statistics.Malformed);
        Assert.Equal(0, tcp.ConnectionCount);
        Assert.Equal(0, tcp.Statistics.SegmentsSent);

        tcp.Receive(A, B, good); // and a good SYN still opens a connection
        Assert.Equal(1, tcp.ConnectionCount);
        Assert.Equal(1, tcp.Statistics.SegmentsSent);
    }

    private static byte[] WithRawOptions(Ipv4Address src, Ipv4Address dst, byte[] options)
    {
        var buffer = new byte[20 + options.Length];
        options.CopyTo(buffer, 20);
        TcpSegment.WriteHeader(buffer, 1000, 80, 1, 0, TcpFlags.Syn, 1000, options.Length, 0, src, dst);
        return buffer;
    }
}

public class TcpBufferTests
{
    private readonly TcpMemory _memory = new(null, new TcpConfig(), new TcpStatistics(), new VirtualClock());

    [Fact]
    public void ReassemblesOutOfOrderDataAndReportsSackBlocks()
    {
        var rb = new ReceiveBuffer(_memory, 64, 4);
        var nxt = new SeqNum(0xFFFF_FFF8); // reassembly across the sequence wrap
        byte[] data = Enumerable.Range(0, 40).Select(i => (byte)i).ToArray();
        Assert.Equal(0, rb.Accept(nxt, nxt + 10, data.AsSpan(10, 10), out var o1));
        Assert.Equal(ReceiveBuffer.Outcome.OutOfOrder, o1);
        Assert.Equal(0, rb.Accept(nxt, nxt + 30, data.AsSpan(30, 10), out _));
        var blocks = new SackBlocks();
        Assert.Equal(2, rb.FillSackBlocks(ref blocks, 3));
        Assert.Equal(new SackBlock((nxt + 30).Value, (nxt + 40).Value), blocks[0]); // most recent first
        Assert.Equal(new SackBlock((nxt + 10).Value, (nxt + 20).Value), blocks[1]);

        Assert.Equal(20, rb.Accept(nxt, nxt, data.AsSpan(0, 12), out var o2)); // fills the first hole, overlaps stored data
        Assert.Equal(ReceiveBuffer.Outcome.FilledHole, o2);
        nxt += 20;
        Assert.Equal(0, rb.Accept(nxt, nxt - 5, data.AsSpan(15, 5), out var dup));
        Assert.Equal(ReceiveBuffer.Outcome.Duplicate, dup);
        Assert.Equal(20, rb.Accept(nxt, nxt, data.AsSpan(20, 10), out _));
        Assert.False(rb.HasOutOfOrderData);
        var read = new byte[64];
        Assert.Equal(40, rb.Read(read));
        Assert.Equal(data, read[..40]);
    }

    [Fact]
    public void OutOfOrderTableIsBounded()
    {
        var rb = new ReceiveBuffer(_memory, 1000, 2);
        var nxt = new SeqNum(0);
        rb.Accept(nxt, nxt + 100, new byte[10], out _);
        rb.Accept(nxt, nxt + 200, new byte[10], out _);
        rb.Accept(nxt, nxt + 300, new byte[10], out var o);
        Assert.Equal(ReceiveBuffer.Outcome.Dropped, o);
        rb.Accept(nxt, nxt + 110, new byte[10], out o); // still merges with a stored range
        Assert.Equal(ReceiveBuffer.Outcome.OutOfOrder, o);
        rb.Accept(nxt, nxt + 990, new byte[20], out o);  // beyond the buffer: trimmed to fit
        Assert.Equal(ReceiveBuffer.Outcome.Dropped, o);
    }

    [Fact]
    public void SendBufferWrapsAndConsumes()
    {
        var sb = new SendBuffer(_memory, 10);
        Assert.Equal(8, sb.Append(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 }));
        sb.Consume(6);
        Assert.Equal(8, sb.Append(new byte[] { 9, 10, 11, 12, 13, 14, 15, 16, 17 })); // only 8 fit
        var out1 = new byte[10];
        sb.CopyTo(0, out1);
        Assert.Equal(new byte[] { 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 }, out1);
        Assert.Equal(0, sb.Free);
    }

    [Fact]
    public void BuffersHoldChunksOnlyWhileTheyHoldBytes()
    {
        var data = Enumerable.Range(0, 20_000).Select(i => (byte)(i * 7)).ToArray();
        var rb = new ReceiveBuffer(_memory, 64 * 1024, 8);
        Assert.Equal(0, rb.AllocatedBytes);
        var nxt = new SeqNum(0xFFFF_F000);
        // Out of order, far ahead: only the chunks under the stored bytes are taken, not the span up to them.
        rb.Accept(nxt, nxt + 15_000, data.AsSpan(0, 100), out var o);
        Assert.Equal(ReceiveBuffer.Outcome.OutOfOrder, o);
        Assert.Equal(TcpMemory.ChunkSize, rb.AllocatedBytes);
        Assert.Equal(10_000, rb.Accept(nxt, nxt, data.AsSpan(0, 10_000), out _)); // crosses chunk boundaries
        var read = new byte[20_000];
        Assert.Equal(10_000, rb.Read(read));
        Assert.Equal(data[..10_000], read[..10_000]);
        Assert.True(rb.HasOutOfOrderData);
        Assert.True(rb.AllocatedBytes > 0);
        nxt += 10_000;
        Assert.Equal(5_100, rb.Accept(nxt, nxt, data.AsSpan(100, 5_000), out _)); // fills the gap up to the stored range
        Assert.False(rb.HasOutOfOrderData);
        Assert.Equal(5_100, rb.Count);
        Assert.Equal(5_000, rb.Read(read.AsSpan(0, 5_000)));
        Assert.Equal(100, rb.Read(read));
        Assert.Equal(0, rb.AllocatedBytes); // empty: every chunk went back to the pool
        Assert.Equal(0, _memory.ChunksInUse);

        var sb = new SendBuffer(_memory, 64 * 1024);
        Assert.Equal(20_000, sb.Append(data));
        Assert.Equal(5 * TcpMemory.ChunkSize, sb.AllocatedBytes);
        sb.Consume(9_000);
        Assert.Equal(3 * TcpMemory.ChunkSize, sb.AllocatedBytes); // the chunks behind the front are returned at once
        var copy = new byte[11_000];
        sb.CopyTo(0, copy);
        Assert.Equal(data[9_000..], copy);
        sb.Consume(11_000);
        Assert.Equal(0, sb.AllocatedBytes);
        Assert.Equal(0, _memory.ChunksInUse);
        Assert.True(_memory.PooledChunks > 0); // kept for the next buffer
    }

    [Fact]
    public void PromisesAreGrantedOnlyAboveTheLowWaterMark()
    {
        var budget = new FakeMemoryBudget { AvailableBytes = 10 << 20 };
        var memory = new TcpMemory(budget, new TcpConfig { MemoryLowWater = 4 << 20 }, new TcpStatistics(), new VirtualClock());
        Assert.Equal(1000, memory.Grant(1000, reserve: false));
        int promised = 0;
        memory.Promise(ref promised, 5 << 20); // 5 MiB promised and not yet held by any chunk
        Assert.Equal(1 << 20, memory.Grant(4 << 20, reserve: false)); // 10 - 5 - 4 MiB left above the mark
        Assert.False(memory.UnderPressure);
        memory.Promise(ref promised, (6 << 20) + 1);
        Assert.True(memory.UnderPressure);
        Assert.Equal(0, memory.Grant(4096, reserve: false));
        Assert.Equal(4096, memory.Grant(4096, reserve: true)); // an initial window still comes from the reserve
        budget.AvailableBytes = 0;
        Assert.Equal(0, memory.Grant(4096, reserve: true));
        memory.Promise(ref promised, 0);
        budget.AvailableBytes = 10 << 20;
        Assert.False(memory.UnderPressure);
    }

    [Fact]
    public void ScoreboardFindsLostHoles()
    {
        var sb = new SackScoreboard(8);
        var una = new SeqNum(1000);
        var max = una + 10_000;
        const int mss = 1000;
        sb.Add(new SackBlock((una + 1000).Value, (una + 2000).Value), una, max);
        Assert.Equal(una, sb.LostEdge(una, 3, mss)); // one SACKed segment above: not yet lost
        sb.Add(new SackBlock((una + 3000).Value, (una + 5000).Value), una, max);
        sb.Add(new SackBlock((una + 1500).Value, (una + 2500).Value), una, max); // overlaps: merged
        Assert.Equal(3500, sb.SackedBytes);
        var edge = sb.LostEdge(una, 3, mss);
        Assert.Equal(una + 1000, edge); // 3500 SACKed bytes above una..una+1000 (> 2 * MSS)
        Assert.True(sb.NextHole(una, edge, out var hole, out var holeEnd));
        Assert.Equal(una, hole);
        Assert.Equal(una + 1000, holeEnd);
        Assert.Equal(10_000 - 3500, sb.Unsacked(una, max));
        Assert.Equal(una + 5000, sb.SkipSacked(una + 3000));
        sb.Acknowledge(una + 2000);
        Assert.Equal(2500, sb.SackedBytes);
    }
}

public class TcpAlgorithmTests
{
    [Fact]
    public void RtoFollowsRfc6298()
    {
        var rtt = new RttEstimator(1_000_000_000, 200_000_000, 60_000_000_000);
        Assert.Equal(1_000_000_000, rtt.Rto);
        rtt.Sample(100_000_000); // SRTT 100 ms, RTTVAR 50 ms: RTO = 300 ms
        Assert.Equal(300_000_000, rtt.Rto);
        rtt.Backoff();
        Assert.Equal(600_000_000, rtt.Rto);
        for (int i = 0; i < 10; i++) rtt.Backoff();
        Assert.Equal(60_000_000_000, rtt.Rto); // bounded
        rtt.Sample(10_000_000);
        Assert.True(rtt.Rto >= 200_000_000); // clamped to the minimum
    }

    [Theory]
    [InlineData(CongestionControlKind.NewReno, 0.5)]
    [InlineData(CongestionControlKind.Cubic, 0.7)]
    public void LossReducesTheWindowByBeta(CongestionControlKind kind, double beta)
    {
        const int mss = 1000;
        var cc = CongestionControl.Create(kind, mss);
        Assert.Equal(10 * mss, cc.Cwnd); // RFC 6928 initial window
        long now = 0;
        while (cc.Cwnd < 100 * mss) cc.OnAck(mss, now += 1_000_000, 10_000_000); // slow start
        int before = cc.Cwnd;
        cc.OnCongestionEvent(before, now);
        Assert.Equal((int)(before * beta), cc.Cwnd, tolerance: mss);
        cc.OnTimeout(cc.Cwnd, now);
        Assert.Equal(mss, cc.Cwnd);
    }

    /// <summary>
    /// Slow start counts acknowledged bytes (RFC 3465): a peer that ACKs 64 KiB at once (GRO) grows the window by as much
    /// as 45 ACKs of one segment each do, up to the limit L per ACK; after a retransmission timeout L is one MSS; the
    /// window stops at ssthresh.
    /// </summary>
    [Theory]
    [InlineData(CongestionControlKind.NewReno)]
    [InlineData(CongestionControlKind.Cubic)]
    public void SlowStartGrowsByTheBytesAcknowledgedUpToTheLimit(CongestionControlKind kind)
    {
        const int mss = 1448, limit = 64 * 1024;
        var cc = CongestionControl.Create(kind, mss, limit);
        int w = cc.Cwnd;
        cc.OnAck(45 * mss, 1, 10_000_000);             // one stretch ACK of 45 segments (65,160 bytes)
        Assert.Equal(w + 45 * mss, cc.Cwnd);
        w = cc.Cwnd;
        cc.OnAck(100 * mss, 2, 10_000_000);            // more than L in one ACK: L
        Assert.Equal(w + limit, cc.Cwnd);
        w = cc.Cwnd;
        cc.OnAck(500, 3, 10_000_000);                  // less than an MSS: just that
        Assert.Equal(w + 500, cc.Cwnd);

        cc.OnTimeout(cc.Cwnd, 4);                      // ssthresh = half (or 0.7) of the flight, cwnd one MSS
        Assert.Equal(mss, cc.Cwnd);
        int ssthresh = cc.Ssthresh;
        cc.OnAck(45 * mss, 5, 10_000_000);             // after a timeout: at most one MSS per ACK
        Assert.Equal(2 * mss, cc.Cwnd);
        while (cc.InSlowStart) cc.OnAck(45 * mss, 6, 10_000_000);
        Assert.Equal(ssthresh, cc.Cwnd);               // never past ssthresh in slow start
    }

    /// <summary>With the default limit, a congestion window in slow start doubles every round trip of 64 KiB ACKs.</summary>
    [Fact]
    public void SlowStartDoublesPerRoundTripWithStretchAcks()
    {
        const int mss = 1448, ackBytes = 45 * mss;
        var cc = CongestionControl.Create(CongestionControlKind.Cubic, mss, new TcpConfig().SlowStartAckLimit);
        int start = 40 * ackBytes;
        while (cc.Cwnd < start) cc.OnAck(ackBytes, 1, 10_000_000);
        int before = cc.Cwnd, acks = before / ackBytes;
        for (int i = 0; i < acks; i++) cc.OnAck(ackBytes, 2, 10_000_000);   // one window's worth of ACKs
        Assert.Equal(before + acks * ackBytes, cc.Cwnd);                    // ~2x (it grew by one MSS per ACK before: +2%)
    }

    [Fact]
    public void CubicPlateausAtWmaxAfterKSecondsThenProbesBeyond()
    {
        const int mss = 1000;
        const long rtt = 50_000_000;
        var cc = CongestionControl.Create(CongestionControlKind.Cubic, mss);
        long t = 0;
        while (cc.Cwnd < 200 * mss) cc.OnAck(mss, t += 1_000_000, rtt);
        double wMax = (double)cc.Cwnd / mss;
        cc.OnCongestionEvent(cc.Cwnd, t);
        cc.OnRecoveryExit();
        Assert.Equal(0.7 * wMax, (double)cc.Cwnd / mss, 1.0);
        double k = Math.Cbrt(wMax * (1 - 0.7) / 0.4); // RFC 9438 eq. 2, seconds
        double Run(double seconds)
        {
            long end = t + (long)(seconds * 1e9);
            while (t < end)
            {
                int acks = cc.Cwnd / mss; // one window of ACKs per RTT
                for (int i = 0; i < acks; i++) cc.OnAck(mss, t, rtt);
                t += rtt;
            }
            return (double)cc.Cwnd / mss;
        }
        double atK = Run(k);
        Assert.InRange(atK, 0.93 * wMax, 1.07 * wMax);      // concave approach flattens at W_max
        double at2K = Run(k);
        Assert.True(at2K > 1.15 * wMax, $"{at2K} segments"); // convex region: probing beyond W_max
    }

    [Fact]
    public void SynCookiesVerifyOnlyTheirOwnConnection()
    {
        var clock = new VirtualClock();
        var cookies = new SynCookies(clock, new SeededRandom(5));
        Ipv4Address a = new(10, 0, 0, 1), b = new(10, 0, 0, 2);
        var isn = new SeqNum(12345);
        var cookie = cookies.Make(b, 80, a, 4000, isn, 1460);
        Assert.True(cookies.Check(b, 80, a, 4000, isn, cookie, out int mss));
        Assert.Equal(1460, mss);
        Assert.False(cookies.Check(b, 80, a, 4001, isn, cookie, out _));      // another port
        Assert.False(cookies.Check(b, 80, a, 4000, isn + 1, cookie, out _));  // another peer ISN
        Assert.False(cookies.Check(b, 80, a, 4000, isn, cookie + 8, out _));  // forged
        clock.Advance(TimeSpan.FromSeconds(200));
        Assert.False(cookies.Check(b, 80, a, 4000, isn, cookie, out _));      // expired
    }

    [Fact]
    public void IsnsAreKeyedPerConnectionAndAdvanceWithTheClock()
    {
        var clock = new VirtualClock();
        var isn = new InitialSequenceNumbers(clock, new SeededRandom(9));
        Ipv4Address a = new(10, 0, 0, 1), b = new(10, 0, 0, 2);
        var x = isn.Next(a, 5000, b, 80);
        var y = isn.Next(a, 5001, b, 80);
        Assert.NotEqual(x, y);
        clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(x + 250, isn.Next(a, 5000, b, 80)); // M ticks every 4 microseconds
        var other = new InitialSequenceNumbers(clock, new SeededRandom(10));
        Assert.NotEqual(isn.Next(a, 5000, b, 80), other.Next(a, 5000, b, 80)); // another secret, another sequence
    }

    [Fact]
    public void EphemeralPortsAreSpreadAndAvoidPortsInUse()
    {
        var ports = new EphemeralPorts(new SeededRandom(3), 49152, 65535);
        Ipv4Address a = new(10, 0, 0, 1), b = new(10, 0, 0, 2);
        var used = new HashSet<ushort>();
        for (int i = 0; i < 1000; i++)
        {
            Assert.True(ports.TryAllocate(a, b, 80, used.Contains, out var p));
            Assert.InRange(p, 49152, 65535);
            Assert.True(used.Add(p));
        }
        var small = new EphemeralPorts(new SeededRandom(3), 100, 101);
        Assert.True(small.TryAllocate(a, b, 80, p => p == 100, out var only));
        Assert.Equal(101, only);
        Assert.False(small.TryAllocate(a, b, 80, _ => true, out _));
    }
}
