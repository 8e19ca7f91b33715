using System.Security.Cryptography;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

public class TcpScenarioTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static async Task<string> ReadTextToEnd(TcpFlow flow)
    {
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var r = await flow.ReadAsync();
            Assert.True(r.IsOk, r.ToString());
            if (r.Value.IsEndOfStream) return text.ToString();
            text.Append(System.Text.Encoding.ASCII.GetString(r.Value.Bytes.Span));
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void HalfCloseKeepsTheOtherDirectionOpen(bool clientClosesFirst, bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var (first, second) = clientClosesFirst ? (c, s) : (s, c);
            Assert.True((await first.WriteAsync("request"u8.ToArray())).IsOk);
            var firstClosed = first.CloseAsync(); // FIN after the data; completes only once the peer closes too
            Assert.Equal("request", await ReadTextToEnd(second));
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(10)); // the ACK of the FIN is on its way
            Assert.Equal(TcpState.CloseWait, second.State);
            Assert.Equal(TcpState.FinWait2, first.State);
            Assert.False(firstClosed.IsCompleted);
            // The half-closed side still receives.
            for (int i = 0; i < 3; i++) Assert.True((await second.WriteAsync("reply "u8.ToArray())).IsOk);
            Assert.False((await first.WriteAsync("late"u8.ToArray())).IsOk);
            await second.CloseAsync();
            Assert.Equal("reply reply reply ", await ReadTextToEnd(first));
            await firstClosed;
            Assert.Equal(TcpState.TimeWait, first.State);
            Assert.Equal(TcpState.Closed, second.State);
            Assert.Equal(TcpWriteError.Closed, (await second.WriteAsync("x"u8.ToArray())).Error);
        }, Minute);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TimeWaitLastsTwoMslThenTheConnectionIsGone(bool fullStack)
    {
        var config = new TcpConfig { Msl = TimeSpan.FromSeconds(5) };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config, fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var closing = c.CloseAsync();
            Assert.True((await s.ReadAsync()).Value.IsEndOfStream);
            await s.CloseAsync();
            await closing;
            Assert.Equal(TcpState.TimeWait, c.State);
            var enteredAt = bed.Sim.Now;
            Assert.Equal(1, bed.Client.ConnectionCount);
            Assert.Equal(0, bed.Server.ConnectionCount);
            await bed.Sim.Delay(TimeSpan.FromSeconds(9.9));
            Assert.Equal(TcpState.TimeWait, c.State);
            await bed.Sim.Delay(TimeSpan.FromSeconds(0.2));
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(0, bed.Client.ConnectionCount);
            Assert.InRange((bed.Sim.Now - enteredAt).TotalSeconds, 10, 10.2);
        }, Minute);
    }

    [Fact]
    public void NewSynForAPortInTimeWaitOpensANewConnection()
    {
        var bed = new TcpTestBed();
        bed.Sim.Run(async () =>
        {
            var accepted = new List<TcpFlow>();
            bed.Server.Listen(80, null, async f => { accepted.Add(f); await f.CloseAsync(); });
            // The server closes first, so its side of the first connection sits in TIME_WAIT.
            var first = (await bed.Client.ConnectAsync(new TcpEndpoint(TcpTestBed.ServerAddress, 80), null, localPort: 5555)).Value;
            Assert.True((await first.ReadAsync()).Value.IsEndOfStream);
            await first.CloseAsync();
            Assert.Equal(TcpState.TimeWait, accepted[0].State);
            Assert.Equal(TcpState.Closed, first.State);
            // The client reuses the same port at once: its SYN carries a newer timestamp, so TIME_WAIT yields.
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(5));
            var start = bed.Sim.Now;
            var second = await bed.Client.ConnectAsync(new TcpEndpoint(TcpTestBed.ServerAddress, 80), null, localPort: 5555);
            Assert.True(second.IsOk, second.ToString());
            Assert.True((bed.Sim.Now - start).TotalMilliseconds < 10); // no SYN retransmission was needed
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(5));           // the handshake's last ACK reaches the server
            Assert.Equal(2, accepted.Count);
        }, Minute);
    }

    [Fact]
    public void CloseGivesUpAfterTheCloseTimeoutWhenThePeerNeverCloses()
    {
        var config = new TcpConfig { CloseTimeout = TimeSpan.FromSeconds(5) };
        var bed = new TcpTestBed(clientConfig: config);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var start = bed.Sim.Now;
            await c.CloseAsync(); // the server reads EOF but never closes its side
            Assert.InRange((bed.Sim.Now - start).TotalSeconds, 5, 5.1);
            Assert.Equal(TcpState.Closed, c.State);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(10));
            Assert.Equal(TcpErrorKind.Reset, (await s.WriteAsync(new byte[1])).IsOk ? TcpErrorKind.InvalidOperation : TcpErrorKind.Reset);
            Assert.Equal(TcpState.Closed, s.State); // our RST ended the peer's half too
        }, Minute);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SimultaneousCloseEndsInTimeWaitOnBothSides(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var a = c.CloseAsync();
            var b = s.CloseAsync(); // both FINs cross on the wire
            Assert.Equal(TcpState.FinWait1, c.State);
            Assert.Equal(TcpState.FinWait1, s.State);
            await Task.WhenAll(a, b);
            Assert.Equal(TcpState.TimeWait, c.State);
            Assert.Equal(TcpState.TimeWait, s.State);
            Assert.True((await c.ReadAsync()).Value.IsEndOfStream);
        }, Minute);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SimultaneousOpenConnectsBothEnds(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var a = bed.Client.ConnectAsync(new TcpEndpoint(TcpTestBed.ServerAddress, 7000), null, localPort: 6000);
            var b = bed.Server.ConnectAsync(new TcpEndpoint(TcpTestBed.ClientAddress, 6000), null, localPort: 7000);
            var ra = await a;
            var rb = await b;
            Assert.True(ra.IsOk, ra.ToString());
            Assert.True(rb.IsOk, rb.ToString());
            Assert.Equal(TcpState.Established, ra.Value.State);
            Assert.Equal(TcpState.Established, rb.Value.State);
            Assert.True((await ra.Value.WriteAsync("ping"u8.ToArray())).IsOk);
            Assert.Equal("ping", System.Text.Encoding.ASCII.GetString((await rb.Value.ReadAsync()).Value.Bytes.Span));
        }, Minute);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void KeepaliveDetectsADeadPeer(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        var keepalive = new Keepalive(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), 3);
        bed.Sim.Run(async () =>
        {
            var accepted = new TaskCompletionSource<TcpFlow>();
            bed.Server.Listen(80, null, f => { accepted.TrySetResult(f); return Task.CompletedTask; });
            var c = (await bed.Client.ConnectAsync(new TcpEndpoint(TcpTestBed.ServerAddress, 80), keepalive)).Value;
            await accepted.Task;
            // A live, idle peer answers the probes: the connection survives a long silence.
            await bed.Sim.Delay(TimeSpan.FromSeconds(60));
            Assert.Equal(TcpState.Established, c.State);
            long probesAnswered = bed.Server.Statistics.SegmentsReceived;
            Assert.True(probesAnswered >= 5, $"server saw {probesAnswered} segments");

            bed.Link.IsUp = false; // the peer vanishes
            var start = bed.Sim.Now;
            var read = await c.ReadAsync();
            Assert.True(read.IsOk && read.Value.IsEndOfStream, read.ToString()); // Mirage: a keepalive timeout reads as Eof
            // Dead after: the idle period (<= 10 s since the last answer) + 3 unanswered probes 2 s apart.
            Assert.InRange((bed.Sim.Now - start).TotalSeconds, 5, 17);
            Assert.Equal(TcpState.Closed, c.State);
            Assert.Equal(1, bed.Client.Statistics.KeepaliveTimeouts);
            Assert.Equal(TcpWriteError.Closed, (await c.WriteAsync(new byte[1])).Error);
        }, TimeSpan.FromMinutes(5));
    }

    [Theory]
    [InlineData(false, 0.0)]
    [InlineData(true, 0.0)]
    [InlineData(false, 0.2)] // lost window updates and probes: the persist timer still reopens the flow
    public void ZeroWindowStallsTheSenderUntilTheReaderCatchesUp(bool fullStack, double loss)
    {
        var config = new TcpConfig { ReceiveBufferSize = 16 * 1024, SendBufferSize = 16 * 1024, InitialReceiveBufferSize = 16 * 1024, InitialSendBufferSize = 16 * 1024 };
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(1), Loss = loss };
        var bed = new TcpTestBed(seed: 31, profile, clientConfig: config, serverConfig: config, fullStack: fullStack);
        var data = TcpTestBed.RandomBytes(200_000, 3);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var sending = TcpTestBed.SendAllAsync(c, data, new SeededRandom(4));
            await bed.Sim.Delay(TimeSpan.FromSeconds(30)); // nobody reads on the server
            Assert.False(sending.IsCompleted);
            Assert.Equal(16 * 1024, s.ReadableBytes);               // the receiver's buffer is full...
            Assert.InRange(c.UnacknowledgedBytes, 12 * 1024, 16 * 1024); // ...and the sender's is (nearly) full
            Assert.True(bed.Client.Statistics.ZeroWindowProbes >= 3, bed.Client.Statistics.ToString());
            Assert.Equal(TcpState.Established, c.State);
            var (hash, length) = await TcpTestBed.ReceiveAllAsync(s); // the window reopens
            await sending;
            Assert.Equal(data.Length, length);
            Assert.Equal(SHA256.HashData(data), hash);
        }, TimeSpan.FromMinutes(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SynFloodBeyondTheBacklogFallsBackToSynCookies(bool fullStack)
    {
        var config = new TcpConfig { SynBacklog = 64 };
        var bed = new TcpTestBed(serverConfig: config, fullStack: fullStack);
        var data = TcpTestBed.RandomBytes(300_000, 8);
        bed.Sim.Run(async () =>
        {
            byte[]? received = null;
            bed.Server.Listen(80, null, async f =>
            {
                var (hash, _) = await TcpTestBed.ReceiveAllAsync(f);
                received = hash;
                await f.CloseAsync();
            });
            // 1000 SYNs from spoofed addresses that never complete the handshake.
            var rnd = new SeededRandom(77);
            for (int i = 0; i < 1000; i++)
            {
                var src = new Platform.Ipv4Address(192, 168, (byte)(i >> 8), (byte)i);
                var syn = SegmentForge.Build(src, (ushort)(1024 + i), TcpTestBed.ServerAddress, 80, (uint)rnd.NextUInt64(), 0, TcpFlags.Syn,
                    options: new TcpOptions { Mss = 1460, WindowScale = -1 });
                bed.Server.Receive(src, TcpTestBed.ServerAddress, syn);
            }
            Assert.Equal(64, bed.Server.HalfOpenCount);
            Assert.Equal(1000 - 64, bed.Server.Statistics.SynCookiesSent);

            // A legitimate client still gets in, through a cookie, and its data arrives intact.
            var r = await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80);
            Assert.True(r.IsOk, r.ToString());
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(10)); // the handshake's last ACK reaches the server
            Assert.Equal(1, bed.Server.Statistics.SynCookiesAccepted);
            await TcpTestBed.SendAllAsync(r.Value, data, rnd);
            await r.Value.CloseAsync();
            Assert.Equal(SHA256.HashData(data), received);

            // The spoofed half-open connections expire after their SYN-ACK retries.
            await bed.Sim.Delay(TimeSpan.FromMinutes(3));
            Assert.Equal(0, bed.Server.HalfOpenCount);
        }, TimeSpan.FromMinutes(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlindInjectionIsIgnoredWithChallengeAcks(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            Assert.True((await c.WriteAsync("legit-1 "u8.ToArray())).IsOk);
            Assert.Equal("legit-1 ", System.Text.Encoding.ASCII.GetString((await s.ReadAsync()).Value.Bytes.Span));

            var src = TcpTestBed.ClientAddress;
            ushort sport = c.LocalEndpoint.Port;
            uint rcvNxt = s.ReceiveNext.Value;
            uint sndMax = s.SendMax.Value;
            void Inject(uint seq, uint ack, TcpFlags flags, byte[]? payload = null) =>
                bed.Server.Receive(src, TcpTestBed.ServerAddress, SegmentForge.Build(src, sport, TcpTestBed.ServerAddress, 80, seq, ack, flags, payload: payload));

            long challenges = bed.Server.Statistics.ChallengeAcksSent;
            Inject(rcvNxt + 1000, 0, TcpFlags.Rst);                  // in window, not exact: challenge ACK
            Inject(rcvNxt + 100_000_000, 0, TcpFlags.Rst);           // out of window: silently dropped
            Inject(rcvNxt + 5, 0, TcpFlags.Syn);                     // SYN on an established connection: challenge ACK
            Inject(rcvNxt, sndMax + 1_000_000, TcpFlags.Ack | TcpFlags.Psh, "EVIL"u8.ToArray()); // ACK of unsent data: challenge ACK, data dropped
            Inject(rcvNxt, sndMax - 1_500_000_000, TcpFlags.Ack | TcpFlags.Psh, "EVIL"u8.ToArray()); // ACK far in the past: same
            Assert.Equal(challenges + 4, bed.Server.Statistics.ChallengeAcksSent);
            Assert.Equal(TcpState.Established, s.State);
            Assert.Equal(0, s.ReadableBytes);

            Assert.True((await c.WriteAsync("legit-2"u8.ToArray())).IsOk);
            Assert.Equal("legit-2", System.Text.Encoding.ASCII.GetString((await s.ReadAsync()).Value.Bytes.Span));

            // Challenge ACKs are rate-limited (100 per second by default).
            long before = bed.Server.Statistics.ChallengeAcksSent;
            for (int i = 0; i < 500; i++) Inject(s.ReceiveNext.Value + 10 + (uint)i, 0, TcpFlags.Rst);
            long sent = bed.Server.Statistics.ChallengeAcksSent - before;
            Assert.InRange(sent, 1, 100);
            Assert.True(bed.Server.Statistics.ChallengeAcksSuppressed >= 400);
            Assert.Equal(TcpState.Established, s.State);

            // Only an RST at exactly RCV.NXT resets.
            Inject(s.ReceiveNext.Value, 0, TcpFlags.Rst);
            Assert.Equal(TcpState.Closed, s.State);
            var read = await s.ReadAsync();
            Assert.Equal(TcpErrorKind.Reset, read.Error.Kind);
        }, Minute);
    }
}

/// <summary>Measures the heap, so it must not share the process with tests that allocate at the same time.</summary>
[CollectionDefinition(nameof(HeapMeasurement), DisableParallelization = true)]
public sealed class HeapMeasurement;

[Collection(nameof(HeapMeasurement))]
public class TcpResourceTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void TenThousandConnectionsLeaveNothingBehind()
    {
        var config = new TcpConfig { Msl = TimeSpan.FromMilliseconds(10), ReceiveBufferSize = 16 * 1024, SendBufferSize = 16 * 1024 };
        var bed = new TcpTestBed(clientConfig: config, serverConfig: config, fullStack: true);
        long baseline = 0, after = 0;
        bed.Sim.Run(async () =>
        {
            bed.Server.Listen(80, null, async f =>
            {
                var r = await f.ReadAsync();
                if (r.IsOk && !r.Value.IsEndOfStream) await f.WriteAsync(r.Value.Bytes);
                await f.CloseAsync();
            });
            async Task OneConnection()
            {
                var r = await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80);
                Assert.True(r.IsOk, r.ToString());
                var flow = r.Value;
                await flow.WriteAsync("hello"u8.ToArray());
                var echo = await flow.ReadAsync();
                Assert.Equal(5, echo.Value.Bytes.Length);
                await flow.CloseAsync();
            }
            async Task Batch(int count)
            {
                for (int done = 0; done < count; done += 100)
                {
                    await Task.WhenAll(Enumerable.Range(0, 100).Select(_ => OneConnection()));
                    await bed.Sim.Delay(TimeSpan.FromMilliseconds(25)); // TIME_WAIT (20 ms here) keeps ~100 flows at most
                }
                await bed.Sim.Delay(TimeSpan.FromSeconds(1)); // every TIME_WAIT expires
            }
            await Batch(2_000); // warm-up: JIT, pools, and the tables' working size
            Assert.Equal(0, bed.Client.ConnectionCount);
            Assert.Equal(0, bed.Server.ConnectionCount);
            baseline = GC.GetTotalMemory(forceFullCollection: true);
            await Batch(10_000);
            Assert.Equal(0, bed.Client.ConnectionCount);
            Assert.Equal(0, bed.Server.ConnectionCount);
            Assert.Equal(0, bed.Server.HalfOpenCount);
            after = GC.GetTotalMemory(forceFullCollection: true); // measured at the same point of the run as the baseline
        }, TimeSpan.FromHours(1));
        output.WriteLine($"heap after warm-up {baseline} bytes, after 10,000 more connections {after} bytes ({after - baseline:+#;-#;0})");
        Assert.Equal(12_000, bed.Server.Statistics.ConnectionsAccepted);
        // Anything kept per connection — a flow with its two 16 KiB buffers, or even one 56-byte object — would add
        // 560 KB or more over 10,000 connections. What remains (~0.1-0.3 MB) is the runtime's own one-time growth.
        Assert.True(after - baseline < 512 * 1024, $"heap grew from {baseline} to {after} bytes");
    }
}
