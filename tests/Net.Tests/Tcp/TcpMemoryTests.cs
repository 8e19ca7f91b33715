using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>
/// Memory that follows use (issue 14): buffers that hold nothing while idle, receive windows that grow with the
/// bandwidth-delay product, TIME_WAIT as a small record, and admission under memory pressure.
/// </summary>
public class TcpMemoryTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>The segments the server sends, parsed.</summary>
    private static List<(uint Seq, uint Ack, TcpFlags Flags, ushort Window)> WatchServer(TcpTestBed bed)
    {
        var seen = new List<(uint, uint, TcpFlags, ushort)>();
        bed.Link.BtoA.Observer = packet =>
        {
            var tcp = packet[PacketIpLayer.HeaderLength..];
            if (TcpSegment.TryParse(tcp, TcpTestBed.ServerAddress, TcpTestBed.ClientAddress, out var seg) == WireError.None)
                seen.Add((seg.SequenceNumber, seg.AckNumber, seg.Flags, seg.Window));
        };
        return seen;
    }

    /// <summary>Hands the server a forged segment from the client, then lets its answer cross the link.</summary>
    private static async Task Inject(TcpTestBed bed, byte[] segment)
    {
        bed.Server.Receive(TcpTestBed.ClientAddress, TcpTestBed.ServerAddress, segment);
        await bed.Sim.Delay(TimeSpan.FromMilliseconds(5));
    }

    private static TcpOptions Timestamp(uint value)
    {
        var opt = TcpOptions.None;
        opt.HasTimestamps = true;
        opt.TsVal = value;
        return opt;
    }

    /// <summary>The server closes first, so its side ends in TIME_WAIT; returns the server's flow (detached by then).</summary>
    private static async Task<(TcpFlow Client, TcpFlow Server)> ServerInTimeWait(TcpTestBed bed)
    {
        var (c, s) = await bed.ConnectPairAsync();
        var closing = s.CloseAsync();
        Assert.True((await c.ReadAsync()).Value.IsEndOfStream);
        await c.CloseAsync();
        await closing;
        await bed.Sim.Delay(TimeSpan.FromMilliseconds(5));
        Assert.Equal(TcpState.TimeWait, s.State);
        // From here the test forges the client's segments; the real client stack (its side closed) would answer the
        // server's ACKs with RSTs that end TIME_WAIT, so it is taken down.
        bed.Client.Disconnect();
        return (c, s);
    }

    [Fact]
    public void AnIdleConnectionHoldsNoBufferMemory()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.Equal(4096, s.ReceiveLimit);                 // TcpConfig.InitialReceiveBufferSize
            Assert.Equal(0, c.BufferedMemory + s.BufferedMemory);
            Assert.True((await c.WriteAsync(new byte[10_000])).IsOk);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(20));
            Assert.True(s.BufferedMemory > 0);                   // the bytes wait for the reader in chunks
            Assert.True(c.BufferedMemory > 0);                   // the rest waits for the 4 KiB window to open
            var buffer = new byte[20_000];
            int read = 0;
            while (read < 10_000) read += (await s.ReadAsync(buffer)).Value.Count;
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(100)); // past the delayed ACK
            Assert.Equal(0, s.BufferedMemory);
            Assert.Equal(0, c.BufferedMemory);                   // acknowledged: the sender's chunks are back in the pool
            Assert.Equal(0, bed.Server.BufferMemory + bed.Client.BufferMemory);
        }, Minute);
    }

    [Fact]
    public void TheReceiveWindowGrowsWithTheBandwidthDelayProductAndNoFurther()
    {
        // 20 Mbit/s and 40 ms RTT: a bandwidth-delay product of 100 kB.
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(20), BitsPerSecond = 20_000_000, QueueLimit = 1000 };
        var config = new TcpConfig { ReceiveBufferSize = 4 << 20, SendBufferSize = 4 << 20 };
        var bed = new TcpTestBed(seed: 3, profile, config, config);
        var data = TcpTestBed.RandomBytes(8 << 20, 1);
        int maxLimit = 0;
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.Equal(4096, s.ReceiveLimit);
            var sending = TcpTestBed.SendAllAsync(c, data, new SeededRandom(2));
            var buffer = new byte[64 * 1024];
            long received = 0;
            var start = bed.Sim.Now;
            while (true)
            {
                var r = await s.ReadAsync(buffer);
                if (r.Value.IsEndOfStream) break;
                received += r.Value.Count;
                maxLimit = Math.Max(maxLimit, s.ReceiveLimit);
            }
            await sending;
            Assert.Equal(data.Length, received);
            double seconds = (bed.Sim.Now - start).TotalSeconds;
            output.WriteLine($"8 MiB in {seconds:F2} s virtual, receive limit grew from 4096 to {maxLimit}");
            Assert.True(seconds < 8 * 8.4 / 20 * 1.3, $"{seconds} s: the window held the transfer back"); // within 30% of line rate
        }, TimeSpan.FromMinutes(5));
        Assert.InRange(maxLimit, 100_000, 1 << 20); // the BDP fits; the 4 MiB maximum is not taken for nothing
    }

    [Fact]
    public void AReaderThatReadsSlowlyKeepsASmallWindow()
    {
        var bed = new TcpTestBed(profile: new LinkProfile { Latency = TimeSpan.FromMilliseconds(5) });
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var sending = TcpTestBed.SendAllAsync(c, new byte[200_000], new SeededRandom(2));
            var buffer = new byte[500];
            for (int i = 0; i < 100; i++)
            {
                await bed.Sim.Delay(TimeSpan.FromMilliseconds(50));
                Assert.True((await s.ReadAsync(buffer)).IsOk);
            }
            Assert.InRange(s.ReceiveLimit, 4096, 4096);   // 10 kB/s, far below what the path carries, never asks for more
            Assert.True(s.BufferedMemory <= 8192, $"{s.BufferedMemory} bytes held");
            Assert.True(c.UnacknowledgedBytes <= c.SendLimit);
        }, Minute);
    }

    [Fact]
    public void TimeWaitIsASmallRecordThatReacknowledgesARetransmittedFin()
    {
        var config = new TcpConfig { Msl = TimeSpan.FromSeconds(5) };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config);
        var sent = WatchServer(bed);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await ServerInTimeWait(bed);
            Assert.Equal(1, bed.Server.TimeWaitCount);
            Assert.Empty(bed.Server.ConnectionsForTests());      // no flow object stays in the table
            Assert.Equal(0, s.BufferedMemory);
            var enteredAt = bed.Sim.Now;

            // The client's FIN again, as if the server's ACK of it had been lost.
            await bed.Sim.Delay(TimeSpan.FromSeconds(8));
            sent.Clear();
            var src = TcpTestBed.ClientAddress;
            var fin = SegmentForge.Build(src, c.LocalEndpoint.Port, TcpTestBed.ServerAddress, 80, (s.ReceiveNext - 1).Value,
                s.SendMax.Value, TcpFlags.Fin | TcpFlags.Ack, options: Timestamp(s.TsRecent + 8000));
            await Inject(bed, fin);
            var ack = Assert.Single(sent);
            Assert.Equal(TcpFlags.Ack, ack.Flags);
            Assert.Equal(s.ReceiveNext.Value, ack.Ack);
            Assert.Equal(s.SendMax.Value, ack.Seq);

            // 2·MSL runs again from the retransmitted FIN: still there 10 s after entering, gone 10 s after the FIN.
            await bed.Sim.Delay(TimeSpan.FromSeconds(4));
            Assert.Equal(TcpState.TimeWait, s.State);
            Assert.Equal(1, bed.Server.ConnectionCount);
            await bed.Sim.Delay(TimeSpan.FromSeconds(6.1));
            Assert.Equal(TcpState.Closed, s.State);
            Assert.Equal(0, bed.Server.ConnectionCount);
            Assert.InRange((bed.Sim.Now - enteredAt).TotalSeconds, 18, 18.2);
        }, Minute);
    }

    [Fact]
    public void TimeWaitAcknowledgesDataAndEndsOnlyOnAnExactReset()
    {
        var bed = new TcpTestBed();
        var sent = WatchServer(bed);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await ServerInTimeWait(bed);
            var src = TcpTestBed.ClientAddress;
            ushort port = c.LocalEndpoint.Port;
            sent.Clear();
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                s.ReceiveNext.Value, s.SendMax.Value, TcpFlags.Ack | TcpFlags.Psh, payload: "late"u8.ToArray(), options: Timestamp(s.TsRecent + 1)));
            Assert.Equal(s.ReceiveNext.Value, Assert.Single(sent).Ack);   // not acceptable after the FIN: acknowledged, nothing more
            // A pure ACK is not answered (no ACK war); a RST off RCV.NXT does nothing (RFC 5961).
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                s.ReceiveNext.Value, s.SendMax.Value, TcpFlags.Ack, options: Timestamp(s.TsRecent + 1)));
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                (s.ReceiveNext + 100).Value, 0, TcpFlags.Rst));
            Assert.Single(sent);
            Assert.Equal(1, bed.Server.TimeWaitCount);
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                s.ReceiveNext.Value, 0, TcpFlags.Rst));
            Assert.Equal(0, bed.Server.TimeWaitCount);
            Assert.Equal(TcpState.Closed, s.State);
        }, Minute);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ASynReopensTimeWaitOnlyWhenItCannotBeAnOldDuplicate(bool timestamps)
    {
        var config = new TcpConfig { Timestamps = timestamps };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config);
        var sent = WatchServer(bed);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await ServerInTimeWait(bed);
            var src = TcpTestBed.ClientAddress;
            ushort port = c.LocalEndpoint.Port;
            TcpOptions? opt = timestamps ? Timestamp(s.TsRecent - 1) : null;   // older timestamp, or a sequence number in the old space
            sent.Clear();
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                (s.ReceiveNext - 10).Value, 0, TcpFlags.Syn, options: opt));
            var answer = Assert.Single(sent);
            Assert.Equal(TcpFlags.Ack, answer.Flags);                          // a challenge ACK, no SYN-ACK
            Assert.Equal(1, bed.Server.TimeWaitCount);

            sent.Clear();
            opt = timestamps ? Timestamp(s.TsRecent + 1) : null;
            uint newIsn = timestamps ? (s.ReceiveNext - 10).Value : (s.ReceiveNext + 100_000).Value;
            await Inject(bed, SegmentForge.Build(src, port, TcpTestBed.ServerAddress, 80,
                newIsn, 0, TcpFlags.Syn, options: opt));
            var synAck = Assert.Single(sent);
            Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, synAck.Flags);
            Assert.Equal(newIsn + 1, synAck.Ack);
            Assert.True(new SeqNum(synAck.Seq) > s.SendMax, "the new incarnation's ISS lies beyond the old sequence space");
            Assert.Equal(0, bed.Server.TimeWaitCount);
            Assert.Equal(1, bed.Server.Statistics.TimeWaitReused);
            Assert.Equal(TcpState.Closed, s.State);                            // the old flow's incarnation is over
        }, Minute);
    }

    [Fact]
    public void MemoryPerConnection()
    {
        const int n = 2000;
        var config = new TcpConfig { Msl = TimeSpan.FromSeconds(60) };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config);
        long idle = 0, timeWait = 0;
        bed.Sim.Run(async () =>
        {
            var accepted = new List<TcpFlow>();
            bed.Server.Listen(80, null, f => { accepted.Add(f); return Task.CompletedTask; });
            var clients = new List<TcpFlow>();
            for (int i = 0; i < 10; i++) clients.Add((await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80)).Value); // warm-up
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(10));
            long before = GC.GetTotalMemory(forceFullCollection: true);
            var connecting = new List<Task<Result<TcpFlow, TcpError>>>();
            for (int i = 0; i < n; i++) connecting.Add(bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80));
            foreach (var t in connecting) clients.Add((await t).Value);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(50));
            Assert.Equal(n + 10, accepted.Count);
            long after = GC.GetTotalMemory(forceFullCollection: true);
            idle = (after - before) / (2 * n);   // both ends of each connection live in this process

            GC.KeepAlive(clients);
        }, TimeSpan.FromMinutes(5));

        // TIME_WAIT: the table alone holds what is left of a connection.
        var clock = new VirtualClock();
        var table = new TimeWaitTable(clock, TimeSpan.FromSeconds(60), _ => { });
        long empty = GC.GetTotalMemory(forceFullCollection: true);
        const int records = 15_000;
        for (int i = 0; i < records; i++)
            table.Add(new TcpTuple(new Ipv4Address(10, 0, 0, 2), 80, new Ipv4Address(10, 1, (byte)(i >> 8), (byte)i), (ushort)(1024 + i)),
                new TimeWaitTable.Record { SendNext = new SeqNum((uint)i), ReceiveNext = new SeqNum((uint)i * 7) }, clock.NowNanoseconds);
        timeWait = (GC.GetTotalMemory(forceFullCollection: true) - empty) / records;
        Assert.Equal(records, table.Count);
        output.WriteLine($"idle established connection: {idle} bytes per end; TIME_WAIT: {timeWait} bytes per record");
        Assert.InRange(idle, 1, 5 * 1024);  // "at most a few KiB": ~4.1 KiB per end with the flow's reusable read/write waiters
        Assert.InRange(timeWait, 1, 256);   // a record, not a flow: 15,000 of them in a few MiB
    }

    /// <summary>
    /// What an idle connection costs does not depend on how large its buffers may grow: the maximum (4 MiB by default,
    /// 256 KiB before) only bounds auto-tuning and picks the window scale. Counted as the bytes this thread allocates to
    /// open the connections (both ends), which other tests running at the same time cannot disturb, unlike the heap.
    /// </summary>
    [Fact]
    public void AnIdleConnectionCostsTheSameWhateverTheMaximumBufferSizes()
    {
        long PerConnection(TcpConfig config, out long promised)
        {
            const int n = 200;
            var bed = new TcpTestBed(clientConfig: config, serverConfig: config);
            long allocated = 0, promisedNow = 0;
            bed.Sim.Run(async () =>
            {
                var accepted = new List<TcpFlow>();
                bed.Server.Listen(80, null, f => { accepted.Add(f); return Task.CompletedTask; });
                var clients = new List<TcpFlow>(2 * n);
                accepted.Capacity = 2 * n;
                for (int i = 0; i < n; i++) clients.Add((await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80)).Value); // warm-up
                await bed.Sim.Delay(TimeSpan.FromMilliseconds(10));
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < n; i++) clients.Add((await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80)).Value);
                await bed.Sim.Delay(TimeSpan.FromMilliseconds(50));
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                Assert.Equal(2 * n, accepted.Count);
                foreach (var f in clients.Concat(accepted))
                {
                    Assert.Equal(0, f.BufferedMemory);
                    Assert.Equal(config.InitialReceiveBufferSize, f.ReceiveLimit);
                    Assert.InRange(f.SendLimit, 1, 2 * CongestionControl.InitialWindow(f.SendMss)); // a limit, not memory
                    Assert.InRange(f.AdvertisedWindow, 1, config.InitialReceiveBufferSize);
                }
                promisedNow = bed.Server.Memory.Promised + bed.Client.Memory.Promised;
            }, Minute);
            promised = promisedNow / (4 * n);
            return allocated / (2 * n);
        }
        long small = PerConnection(new TcpConfig { ReceiveBufferSize = 256 * 1024, SendBufferSize = 256 * 1024 }, out long promisedSmall);
        long large = PerConnection(new TcpConfig(), out long promisedLarge);
        long huge = PerConnection(new TcpConfig { ReceiveBufferSize = 64 << 20, SendBufferSize = 64 << 20 }, out long promisedHuge);
        output.WriteLine($"allocated per connection (both ends): {small} bytes with 256 KiB maxima, {large} with the defaults (4 MiB), " +
            $"{huge} with 64 MiB; promised per end {promisedSmall} / {promisedLarge} / {promisedHuge}");
        Assert.Equal(4 << 20, new TcpConfig().ReceiveBufferSize);
        Assert.InRange(large, small - 64, small + 64);
        Assert.InRange(huge, small - 64, small + 64);
        Assert.Equal(promisedSmall, promisedLarge);
        Assert.Equal(promisedSmall, promisedHuge);
    }

    /// <summary>
    /// Issue 14's hostile suite: the heap returns to its size before a flood once the flood's connections are gone. 2,000
    /// connections each hold a few KiB of unread data at once (far more chunks than the pool may keep), then close, and
    /// TIME_WAIT expires: each stack's pool is back to its reserve. (It kept its 2 MiB maximum before; the hostile suite's
    /// guest measures the heap itself.)
    /// </summary>
    [Fact]
    public void WhenAFloodsConnectionsAreGoneThePoolKeepsOnlyItsReserve()
    {
        const int n = 2000;
        var config = new TcpConfig { Msl = TimeSpan.FromSeconds(5) };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config);
        long peakInUse = 0, pooledAtPeak = 0;
        bed.Sim.Run(async () =>
        {
            var accepted = new List<TcpFlow>();
            bed.Server.Listen(80, null, f => { accepted.Add(f); return Task.CompletedTask; });
            var clients = new List<TcpFlow>();
            for (int i = 0; i < n; i++) clients.Add((await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80)).Value);
            foreach (var c in clients) Assert.True((await c.WriteAsync(new byte[3000])).IsOk);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(100));
            Assert.Equal(n, accepted.Count);
            peakInUse = bed.Server.BufferMemory;
            var buffer = new byte[4096];
            foreach (var s in accepted)   // read it all, then the server closes first: its side ends in TIME_WAIT
            {
                int read = 0;
                while (read < 3000) read += (await s.ReadAsync(buffer)).Value.Count;
                _ = s.CloseAsync();
                pooledAtPeak = Math.Max(pooledAtPeak, bed.Server.PooledBufferMemory);
            }
            foreach (var c in clients)
            {
                Assert.True((await c.ReadAsync(buffer)).Value.IsEndOfStream);
                await c.CloseAsync();
            }
            await bed.Sim.Delay(TimeSpan.FromSeconds(1));
            Assert.Equal(n, bed.Server.TimeWaitCount);
            await bed.Sim.Delay(TimeSpan.FromSeconds(10));   // 2·MSL
            Assert.Equal(0, bed.Server.ConnectionCount + bed.Client.ConnectionCount);
            Assert.Equal(0, bed.Server.BufferMemory + bed.Client.BufferMemory);
        }, TimeSpan.FromMinutes(5));
        output.WriteLine($"{n} connections: {peakInUse >> 10} KiB of server buffers at once, up to {pooledAtPeak >> 10} KiB pooled while " +
            $"they were read; once they are gone {bed.Server.PooledBufferMemory >> 10} KiB (server) and {bed.Client.PooledBufferMemory >> 10} KiB (client)");
        int reserve = new TcpConfig().BufferPoolReserveBytes;
        Assert.True(peakInUse >= n * TcpMemory.ChunkSize, $"{peakInUse}");   // the pool's 2 MiB maximum was within reach...
        Assert.True(pooledAtPeak > reserve, $"{pooledAtPeak}");               // ...and it did keep more than the reserve while in use
        Assert.InRange(bed.Server.PooledBufferMemory, 0, reserve);
        Assert.InRange(bed.Client.PooledBufferMemory, 0, reserve);
    }

    /// <summary>
    /// A connection that ends with bytes still queued to send (the peer never read them) and bytes received but never
    /// read gives its chunks back when it ends: the stack's <see cref="TcpStack.BufferMemory"/> counts what live
    /// connections hold, not what they ever held (it read 9-13 MiB in a 16 MiB guest). Aborting discards the unread
    /// bytes; the reset peer keeps what it can still read until it reads it.
    /// </summary>
    [Fact]
    public void ConnectionsThatEndWithBytesBufferedGiveTheirChunksBack()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.True((await c.WriteAsync(new byte[3000])).IsOk);   // the server never reads these
            _ = s.WriteAsync(new byte[60_000]);                       // nor the client these: its window fills
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(200));
            Assert.True(bed.Server.BufferMemory > 0 && bed.Client.BufferMemory > 0);
            s.Abort();
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(50));
            Assert.Equal(TcpState.Closed, s.State);
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(0, bed.Server.BufferMemory);   // its unsent bytes and the client's unread request: both gone
            Assert.Equal(0, s.BufferedMemory);
            Assert.True(c.ReadableBytes > 0);           // the reset client may still read what had arrived
            Assert.Equal(c.BufferedMemory, bed.Client.BufferMemory);
            var buffer = new byte[4096];
            while (c.ReadableBytes > 0) Assert.True((await c.ReadAsync(buffer)).IsOk);
            Assert.Equal(0, bed.Client.BufferMemory);
        }, Minute);
    }

    /// <summary>The flow and TIME_WAIT tables give the arrays of a flood back once it is gone (a table keeps its largest size otherwise).</summary>
    [Fact]
    public void AConnectionTableShrinksWhenAFloodIsGone()
    {
        var table = new Dictionary<int, long>();
        for (int i = 0; i < 20_000; i++) table.Add(i, i);
        int peak = table.Capacity;
        for (int i = 0; i < 19_990; i++)
        {
            table.Remove(i);
            TimeWaitTable.Shrink(table);
        }
        output.WriteLine($"capacity {peak} with 20,000 entries, {table.Capacity} with 10");
        Assert.InRange(table.Capacity, 10, 1024);
        for (int i = 19_990; i < 20_000; i++) Assert.Equal(i, table[i]);
    }

    [Theory]
    [InlineData(SynUnderPressure.Cookies)]
    [InlineData(SynUnderPressure.Drop)]
    public void UnderPressureNewSynsGetCookiesOrAreDroppedAndWindowsStaySmall(SynUnderPressure policy)
    {
        var budget = new FakeMemoryBudget { AvailableBytes = 1L << 30 };
        var serverConfig = new TcpConfig { MemoryLowWater = 1 << 20, SynsUnderPressure = policy };
        var bed = new TcpTestBed(serverConfig: serverConfig, budget: budget);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            // A bulk transfer grows the window while memory is plentiful.
            var sending = TcpTestBed.SendAllAsync(c, new byte[4 << 20], new SeededRandom(1), close: false);
            var buffer = new byte[64 * 1024];
            long received = 0;
            while (received < 4 << 20) received += (await s.ReadAsync(buffer)).Value.Count;
            await sending;
            int grown = s.ReceiveLimit;
            Assert.True(grown > 16 * 1024, $"{grown}");

            budget.AvailableBytes = 512 * 1024;                  // below the low-water mark
            Assert.True(bed.Server.UnderMemoryPressure);
            // What was advertised stays promised (the right edge never moves left, RFC 9293 3.8.6.2.2): the window
            // closes as that data arrives and is read. Until it is small, its right edge moves on only by the rounding
            // up of the scaled window field (as Linux's, so as never to shrink it: under 2^scale bytes per segment the
            // server sends); after, by no more than the initial window. The larger the window had grown, the more data
            // it takes to drain: grown + 1 MiB here.
            var edgeAtPressure = s.ReceiveNext + s.AdvertisedWindow;
            long sentAtPressure = bed.Server.Statistics.SegmentsSent;
            int granularity = 1 << ReceiveSequence.ScaleFor(new TcpConfig().ReceiveBufferSize, enabled: true);
            int after = grown + (1 << 20);
            var more = TcpTestBed.SendAllAsync(c, new byte[after], new SeededRandom(1), close: false);
            received = 0;
            int maxWindowLate = 0;
            while (received < after)
            {
                received += (await s.ReadAsync(buffer)).Value.Count;
                var edge = s.ReceiveNext + s.AdvertisedWindow;
                if (edge - s.ReceiveNext > 8192)
                    Assert.True(edge - edgeAtPressure <= (bed.Server.Statistics.SegmentsSent - sentAtPressure) * granularity,
                        $"the window grew under pressure: its edge moved {edge - edgeAtPressure} bytes right");
                if (received > grown + 256 * 1024) maxWindowLate = Math.Max(maxWindowLate, s.AdvertisedWindow);
            }
            await more;
            Assert.Equal(4096, s.ReceiveLimit);                  // back to the initial window...
            Assert.InRange(maxWindowLate, 1, 8192);              // ...and the peer is offered no more, yet still served

            var second = bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(100));
            Assert.Equal(1, bed.Server.Statistics.SynsUnderPressure);
            if (policy == SynUnderPressure.Cookies)
            {
                Assert.True((await second).IsOk);
                Assert.Equal(1, bed.Server.Statistics.SynCookiesAccepted);
            }
            else
            {
                Assert.False(second.IsCompleted);                // no answer: the client retransmits its SYN
                Assert.Equal(1, bed.Server.Statistics.SynsDroppedUnderPressure);
                budget.AvailableBytes = 1L << 30;
                var r = await second;
                Assert.True(r.IsOk, r.ToString());
                Assert.Equal(0, bed.Server.Statistics.SynCookiesSent);
            }
        }, TimeSpan.FromMinutes(2));
    }
}
