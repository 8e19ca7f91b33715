using System.Buffers.Binary;
using System.Security.Cryptography;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>
/// An echo service (read 64 KiB, write it back) under a client that writes everything and reads at once, over lossy,
/// reordering, queue-limited links. The echo's reader stops while its writer waits for ACKs, so its receive window
/// closes: every ACK the client sends must still be read. Numbered SND.MAX beyond the closed window (data the echo
/// never took), they were all dropped and both sides waited until they timed out — 20 of 120 of these seeds
/// deadlocked before pure ACKs were kept inside the peer's window.
/// </summary>
public class TcpSenderStallTests(ITestOutputHelper output)
{
    public static IEnumerable<object[]> Seeds() =>
        new ulong[] { 2, 24, 39, 40, 45, 54, 56, 60, 63, 64, 73, 79, 80, 83, 87, 88, 96, 97, 109, 118 }.Select(s => new object[] { s });

    [Theory]
    [MemberData(nameof(Seeds))]
    public void AnEchoWhoseWindowClosesWhileItsWriterWaitsFinishes(ulong seed)
    {
        var r = new SeededRandom(seed * 7919);
        var profile = new LinkProfile
        {
            Latency = TimeSpan.FromMicroseconds(100 + r.NextInt32(2000)),
            BitsPerSecond = 50_000_000 + r.NextInt32(500) * 1_000_000L,
            QueueLimit = 8 + r.NextInt32(200),
            Loss = r.NextInt32(4) == 0 ? 0 : r.NextInt32(30) / 1000.0,
            Reorder = r.NextInt32(3) == 0 ? 0 : r.NextInt32(30) / 100.0,
            ReorderDelay = TimeSpan.FromMicroseconds(100 + r.NextInt32(3000)),
        };
        var bed = new TcpTestBed(seed, profile);
        var trace = new Queue<string>();   // the last segments each way, shown if the test fails
        void Watch(LinkChannel channel, string direction) => channel.Observer = packet =>
        {
            var t = packet[PacketIpLayer.HeaderLength..];
            trace.Enqueue($"{bed.Sim.Now.TotalMilliseconds:F3} {direction} seq={BinaryPrimitives.ReadUInt32BigEndian(t[4..])} " +
                $"ack={BinaryPrimitives.ReadUInt32BigEndian(t[8..])} win={BinaryPrimitives.ReadUInt16BigEndian(t[14..])} len={t.Length - (t[12] >> 4) * 4}");
            if (trace.Count > 40) trace.Dequeue();
        };
        Watch(bed.Link.AtoB, "client>echo");
        Watch(bed.Link.BtoA, "echo>client");
        int size = 8 << 20;
        var data = TcpTestBed.RandomBytes(size, seed);
        TcpFlow? client = null, echo = null;
        try
        {
            bed.Sim.Run(async () =>
            {
                var accepted = new TaskCompletionSource<TcpFlow>();
                bed.Server.Listen(7, null, f => { accepted.TrySetResult(f); return Task.CompletedTask; });
                var connected = await bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 7);
                Assert.True(connected.IsOk, connected.ToString());
                client = connected.Value;
                echo = await accepted.Task;
                var echoing = Echo(echo);
                var sending = TcpTestBed.SendAllAsync(client, data, new SeededRandom(seed));
                var (hash, length) = await TcpTestBed.ReceiveAllAsync(client);
                await sending;
                await echoing;
                Assert.Equal(size, length);
                Assert.Equal(SHA256.HashData(data), hash);
            }, TimeSpan.FromMinutes(10));
        }
        catch (Exception)
        {
            output.WriteLine($"{profile}\nclient {client?.Describe()}\necho {echo?.Describe()}");
            output.WriteLine($"client: {bed.Client.Statistics}\necho: {bed.Server.Statistics}");
            foreach (var line in trace) output.WriteLine(line);
            throw;
        }

        static async Task Echo(TcpFlow flow)
        {
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var read = await flow.ReadAsync(buffer);
                Assert.True(read.IsOk, read.ToString());
                if (read.Value.IsEndOfStream) { flow.Shutdown(ShutdownMode.Write); return; }
                var written = await flow.WriteAsync(buffer.AsMemory(0, read.Value.Count));
                Assert.True(written.IsOk, $"{written} {flow.Describe()}");
            }
        }
    }
}
