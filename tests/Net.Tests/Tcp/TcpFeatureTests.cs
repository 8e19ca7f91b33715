using System.Buffers.Binary;
using System.Security.Cryptography;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>Options and policies, each observed on the wire or in timing: MSS, window scaling, PAWS, Nagle, delayed ACKs.</summary>
public class TcpFeatureTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    /// <summary>TCP payload lengths of the data segments one link direction carried (stand-in IP layer: 9-byte header).</summary>
    private static List<int> WatchDataSegments(LinkChannel channel)
    {
        var sizes = new List<int>();
        channel.Observer = packet =>
        {
            var tcp = packet[PacketIpLayer.HeaderLength..];
            int payload = tcp.Length - (tcp[12] >> 4) * 4;
            if (payload > 0) sizes.Add(payload);
        };
        return sizes;
    }

    [Fact]
    public void MssIsClampedToWhatThePeerAnnounced()
    {
        var bed = new TcpTestBed(serverConfig: new TcpConfig { MaxMss = 536 });
        var up = WatchDataSegments(bed.Link.AtoB);
        var down = WatchDataSegments(bed.Link.BtoA);
        var data = TcpTestBed.RandomBytes(100_000, 1);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.Equal(536 - 12, c.SendMss);   // the server's MSS, less the timestamp option
            Assert.Equal(1460 - 12, s.SendMss);  // the client's, from its 1500-byte MTU
            await Task.WhenAll(TcpTestBed.SendAllAsync(c, data, new SeededRandom(1)), TcpTestBed.SendAllAsync(s, data, new SeededRandom(2)),
                TcpTestBed.ReceiveAllAsync(c), TcpTestBed.ReceiveAllAsync(s));
        }, Minute);
        Assert.Equal(536 - 12, up.Max());
        Assert.Equal(1460 - 12, down.Max());
    }

    [Theory]
    [InlineData(true, 2, 4)]
    [InlineData(false, 20, 40)]
    public void WindowScalingLetsTheWindowExceed64K(bool scaling, double minSeconds, double maxSeconds)
    {
        // RTT 100 ms: a 64 KiB window caps the rate at 640 KiB/s; a scaled 1 MiB window allows ~10 MiB/s.
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(50) };
        var server = new TcpConfig { ReceiveBufferSize = 1 << 20, WindowScaling = scaling };
        var client = new TcpConfig { SendBufferSize = 1 << 20 };
        var bed = new TcpTestBed(profile: profile, clientConfig: client, serverConfig: server);
        var data = TcpTestBed.RandomBytes(16 << 20, 2);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var start = bed.Sim.Now;
            var receiving = TcpTestBed.ReceiveAllAsync(s);
            await TcpTestBed.SendAllAsync(c, data, new SeededRandom(3));
            var (hash, _) = await receiving;
            Assert.Equal(SHA256.HashData(data), hash);
            Assert.InRange((bed.Sim.Now - start).TotalSeconds, minSeconds, maxSeconds);
        }, TimeSpan.FromMinutes(5));
    }

    /// <summary>
    /// The default maximum receive window (<see cref="TcpConfig.ReceiveBufferSize"/>, 4 MiB as Linux's tcp_rmem maximum
    /// is of that order) is reachable: the SYN announces a shift that fits it in the 16-bit field, and over a path whose
    /// bandwidth-delay product is 2.5 MB (200 Mbit/s, 100 ms) auto-tuning does open the window well past the old 256 KiB.
    /// </summary>
    [Fact]
    public void TheDefaultWindowScaleFitsTheMaximumAndTheWindowGrowsPastAQuarterMiB()
    {
        var config = new TcpConfig();
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(50), BitsPerSecond = 200_000_000, QueueLimit = 4000 };
        var bed = new TcpTestBed(seed: 4, profile, config, config);
        int synScale = -1, maxWindow = 0;
        bed.Link.BtoA.Observer = packet =>
        {
            var tcp = packet[PacketIpLayer.HeaderLength..];
            int headerLength = (tcp[12] >> 4) * 4;
            if ((tcp[13] & 0x02) != 0 && TcpOptions.Parse(tcp[20..headerLength], out var opt) == WireError.None) synScale = opt.WindowScale;
            else if (synScale >= 0) maxWindow = Math.Max(maxWindow, BinaryPrimitives.ReadUInt16BigEndian(tcp[14..]) << synScale);
        };
        var data = TcpTestBed.RandomBytes(32 << 20, 3);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var receiving = TcpTestBed.ReceiveAllAsync(s);
            await TcpTestBed.SendAllAsync(c, data, new SeededRandom(5));
            var (hash, _) = await receiving;
            Assert.Equal(SHA256.HashData(data), hash);
        }, TimeSpan.FromMinutes(5));
        Assert.True(65535L << synScale >= config.ReceiveBufferSize, $"scale {synScale}");
        Assert.True(65535L << (synScale - 1) < config.ReceiveBufferSize, $"scale {synScale}: more than needed (coarser windows)");
        Assert.InRange(maxWindow, 1 << 20, config.ReceiveBufferSize);
    }

    [Fact]
    public void PawsDropsSegmentsWithOldTimestamps()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.True((await c.WriteAsync("fresh"u8.ToArray())).IsOk);
            await s.ReadAsync();
            var opt = TcpOptions.None;
            opt.HasTimestamps = true;
            opt.TsVal = s.TsRecent - 1000; // an old duplicate from a previous wrap of the sequence space
            var src = TcpTestBed.ClientAddress;
            var old = SegmentForge.Build(src, c.LocalEndpoint.Port, TcpTestBed.ServerAddress, 80, s.ReceiveNext.Value,
                s.SendMax.Value, TcpFlags.Ack | TcpFlags.Psh, payload: "stale"u8.ToArray(), options: opt);
            bed.Server.Receive(src, TcpTestBed.ServerAddress, old);
            Assert.Equal(1, bed.Server.Statistics.PawsRejected);
            Assert.Equal(0, s.ReadableBytes);
            opt.TsVal = s.TsRecent + 1; // the same segment with a current timestamp is accepted
            bed.Server.Receive(src, TcpTestBed.ServerAddress, SegmentForge.Build(src, c.LocalEndpoint.Port, TcpTestBed.ServerAddress, 80,
                s.ReceiveNext.Value, s.SendMax.Value, TcpFlags.Ack | TcpFlags.Psh, payload: "valid"u8.ToArray(), options: opt));
            Assert.Equal(5, s.ReadableBytes);
        }, Minute);
    }

    [Fact]
    public void NagleHoldsSmallSegmentsWhileDataIsUnacknowledgedAndNodelayBypassesIt()
    {
        var bed = new TcpTestBed(profile: new LinkProfile { Latency = TimeSpan.FromMilliseconds(50) });
        var up = WatchDataSegments(bed.Link.AtoB);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            await c.WriteAsync("a"u8.ToArray());
            await c.WriteAsync("b"u8.ToArray());
            await c.WriteAsync("c"u8.ToArray());
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(60));
            Assert.Single(up); // "a" is on its way; "b" and "c" wait for its ACK
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(200));
            Assert.Equal([1, 2], up); // then go out together
            up.Clear();

            var start = bed.Sim.Now;
            await c.WriteNodelayAsync("x"u8.ToArray());
            await c.WriteNodelayAsync("y"u8.ToArray());
            Assert.Equal(start, bed.Sim.Now); // complete once transmitted, without waiting for ACKs
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(60));
            Assert.Equal([1, 1], up);
        }, Minute);
    }

    [Fact]
    public void AcksAreDelayedButSentForEverySecondFullSegment()
    {
        var bed = new TcpTestBed();
        var data = TcpTestBed.RandomBytes(1 << 20, 4);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            long serverSentBefore = bed.Server.Statistics.SegmentsSent;
            var receiving = TcpTestBed.ReceiveAllAsync(s);
            await TcpTestBed.SendAllAsync(c, data, new SeededRandom(5), close: false);
            while (c.UnacknowledgedBytes > 0) await bed.Sim.Delay(TimeSpan.FromMilliseconds(1));
            long dataSegments = (data.Length + c.SendMss - 1) / c.SendMss;
            long acks = bed.Server.Statistics.SegmentsSent - serverSentBefore;
            Assert.InRange(acks, dataSegments * 4 / 10, dataSegments * 6 / 10 + 10);

            // A lone segment is ACKed when the delayed-ACK timer (40 ms) fires.
            var start = bed.Sim.Now;
            await c.WriteNodelayAsync("z"u8.ToArray());
            while (c.UnacknowledgedBytes > 0) await bed.Sim.Delay(TimeSpan.FromMilliseconds(1));
            Assert.InRange((bed.Sim.Now - start).TotalMilliseconds, 41, 44); // 1 ms there, 40 ms delay, 1 ms back
        }, Minute);
    }

    [Fact]
    public void TransferWithoutSackRecoversWithNewReno()
    {
        var config = new TcpConfig { Sack = false, CongestionControl = CongestionControlKind.NewReno };
        var bed = new TcpTestBed(seed: 8, TcpTransferTests.Impaired, config, config);
        var data = TcpTestBed.RandomBytes(8 << 20, 6);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var receiving = TcpTestBed.ReceiveAllAsync(s);
            await TcpTestBed.SendAllAsync(c, data, new SeededRandom(7));
            var (hash, length) = await receiving;
            Assert.Equal(data.Length, length);
            Assert.Equal(SHA256.HashData(data), hash);
        }, TimeSpan.FromMinutes(10));
        Assert.True(bed.Client.Statistics.FastRecoveries > 10, bed.Client.Statistics.ToString());
    }
}

/// <summary>The user-facing operations beyond read/write: listeners, shutdown, disconnect, misuse.</summary>
public class TcpApiTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Fact]
    public void UnlistenRefusesNewConnectionsButKeepsEstablishedOnes()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync(80);
            Assert.True(bed.Server.Unlisten(80));
            Assert.False(bed.Server.Unlisten(80));
            var r = await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80);
            Assert.Equal(TcpErrorKind.Refused, r.Error.Kind);
            Assert.True((await c.WriteAsync("still here"u8.ToArray())).IsOk);
            Assert.Equal(10, (await s.ReadAsync()).Value.Bytes.Length);
        }, Minute);
    }

    [Fact]
    public void ListenerKeepaliveIsAppliedToAcceptedFlows()
    {
        var bed = new TcpTestBed();
        var keepalive = new Keepalive(TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(1), 2);
        bed.Sim.Run(async () =>
        {
            var accepted = new TaskCompletionSource<TcpFlow>();
            bed.Server.Listen(9, new TcpListener(f => { accepted.TrySetResult(f); return Task.CompletedTask; }, keepalive));
            var c = (await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 9)).Value;
            var s = await accepted.Task;
            Assert.Equal(keepalive, s.Keepalive);
            Assert.Null(c.Keepalive);
            bed.Link.IsUp = false;
            Assert.True((await s.ReadAsync()).Value.IsEndOfStream);
            Assert.Equal(1, bed.Server.Statistics.KeepaliveTimeouts);
        }, Minute);
    }

    [Fact]
    public void ShutdownReadDiscardsIncomingDataAndReadsEndOfStream()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            s.Shutdown(ShutdownMode.Read);
            Assert.True((await s.ReadAsync()).Value.IsEndOfStream);
            await c.WriteNodelayAsync(new byte[5000]);
            while (c.UnacknowledgedBytes > 0) await bed.Sim.Delay(TimeSpan.FromMilliseconds(5)); // still acknowledged
            Assert.Equal(0, s.ReadableBytes);
            Assert.True((await s.WriteAsync("reply"u8.ToArray())).IsOk); // the write side is untouched
            Assert.Equal(5, (await c.ReadAsync()).Value.Bytes.Length);
        }, Minute);
    }

    [Fact]
    public void DisconnectResetsEveryFlowAndRefusesNewWork()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var pendingRead = c.ReadAsync();
            bed.Client.Disconnect();
            var local = await pendingRead;
            Assert.Equal(TcpErrorKind.StackDown, local.Error.Kind);
            Assert.Equal("network stack disconnected", local.Error.ToString());
            var remote = await s.ReadAsync();
            Assert.Equal(TcpErrorKind.Reset, remote.Error.Kind); // the peer got our RST
            Assert.Equal(TcpErrorKind.StackDown, (await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80)).Error.Kind);
            Assert.Equal(0, bed.Client.ConnectionCount);
            Assert.Equal(0, bed.Server.ConnectionCount);
        }, Minute);
    }

    [Fact]
    public void MisuseGetsClearErrors()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var first = c.ReadAsync();
            var second = await c.ReadAsync(new byte[10]);
            Assert.Equal(TcpErrorKind.InvalidOperation, second.Error.Kind);
            Assert.Contains("already pending", second.Error.ToString());
            Assert.False(first.IsCompleted);
            var toNowhere = await bed.Client.ConnectAsync(Platform.Ipv4Address.Broadcast, 80);
            Assert.Equal(TcpErrorKind.InvalidOperation, toNowhere.Error.Kind);
            var bigWrite = c.WriteAsync(new byte[300_000]); // more than the send buffer: waits for the peer to take some
            var concurrent = await c.WriteAsync(new byte[1]);
            Assert.Equal(TcpWriteError.WriteInProgress, concurrent.Error);
            Assert.False(bigWrite.IsCompleted);
            var buffer = new byte[64 * 1024];
            long read = 0;
            while (read < 300_000) read += (await s.ReadAsync(buffer)).Value.Count;
            await bigWrite;
        }, Minute);
    }
}

/// <summary>ICMP errors the IP layer hands to TCP (RFC 1122 4.2.3.9, RFC 1191).</summary>
public class TcpIcmpTests
{
    [Fact]
    public void PortUnreachableFailsAConnectionAttemptAtOnce()
    {
        var bed = new TcpTestBed();
        bed.Link.IsUp = false;
        var r = bed.Sim.Run(async () =>
        {
            var connecting = bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(10));
            var flow = Assert.Single(bed.Client.ConnectionsForTests());
            var quote = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(quote, flow.LocalEndpoint.Port);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(2), 80);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(quote.AsSpan(4), flow.SendUnacknowledged.Value + 1);
            bed.Client.ReceiveIcmpError(CosmosNet.Net.Ip.IcmpErrorKind.PortUnreachable, TcpTestBed.ServerAddress, quote, 0);
            Assert.Equal(1, bed.Client.Statistics.IcmpIgnored); // quotes a sequence number never sent: forged
            Assert.Equal(TcpState.SynSent, flow.State);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(quote.AsSpan(4), flow.SendUnacknowledged.Value); // the SYN's
            bed.Client.ReceiveIcmpError(CosmosNet.Net.Ip.IcmpErrorKind.PortUnreachable, TcpTestBed.ServerAddress, quote, 0);
            return await connecting;
        }, TimeSpan.FromSeconds(5));
        Assert.Equal(TcpErrorKind.Unreachable, r.Error.Kind);
        Assert.Equal("destination unreachable (PortUnreachable)", r.Error.ToString());
        Assert.True(bed.Sim.Now < TimeSpan.FromSeconds(1)); // no SYN retransmission was waited for
    }

    [Fact]
    public void FragmentationNeededLowersTheSegmentSize()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var (c, _) = await bed.ConnectPairAsync();
            Assert.Equal(1448, c.SendMss);
            var quote = new byte[8];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(quote, c.LocalEndpoint.Port);
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(quote.AsSpan(2), 80);
            await c.WriteAsync(new byte[3000]); // something unacknowledged for the ICMP message to quote
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(quote.AsSpan(4), c.SendUnacknowledged.Value);
            bed.Client.ReceiveIcmpError(CosmosNet.Net.Ip.IcmpErrorKind.FragmentationNeeded, TcpTestBed.ServerAddress, quote, 1280);
            Assert.Equal(1280 - 40 - 12, c.SendMss);
            bed.Client.ReceiveIcmpError(CosmosNet.Net.Ip.IcmpErrorKind.FragmentationNeeded, TcpTestBed.ServerAddress, quote, 60); // absurd: ignored
            Assert.Equal(1280 - 40 - 12, c.SendMss);
        }, TimeSpan.FromSeconds(5));
    }
}
