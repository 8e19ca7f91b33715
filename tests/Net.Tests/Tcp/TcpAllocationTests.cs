using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>The segment paths (input, output, ACKs, timers, reassembly) allocate nothing per segment in steady state.</summary>
public class TcpAllocationTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BulkTransferDoesNotAllocatePerSegment(bool fullStack)
    {
        // Buffers at full size from the start: growing them (auto-tuning) allocates chunks once, which is not steady state.
        // The pool keeps what it has (reserve = maximum): this test counts the stack's allocations per segment, and the idle
        // trim (TcpMemoryTests) would otherwise change how many warm-up rounds it takes and so the transfer measured.
        var config = new TcpConfig { ReceiveBufferSize = 1 << 20, SendBufferSize = 1 << 20, InitialReceiveBufferSize = 1 << 20, InitialSendBufferSize = 1 << 20,
            BufferPoolReserveBytes = new TcpConfig().BufferPoolBytes };
        var profile = new LinkProfile { Latency = TimeSpan.FromMilliseconds(1), Loss = 0.01, Reorder = 0.05 }; // exercise SACK recovery too
        var bed = new TcpTestBed(seed: 21, profile, config, config, fullStack: fullStack);
        var chunk = TcpTestBed.RandomBytes(4 << 20, 5);
        long allocated = 0, segments = 0, reads = 0;
        TimeSpan start = default;
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync();
            var readBuffer = new byte[1 << 20];
            long received = 0;
            async Task Reader(long until)
            {
                // Reads rarely and in big gulps, so the application's own calls are few and the stack's work dominates.
                while (received < until)
                {
                    await bed.Sim.Delay(TimeSpan.FromMilliseconds(20));
                    while (s.ReadableBytes > 0) { received += (await s.ReadAsync(readBuffer)).Value.Count; reads++; }
                }
            }
            async Task Writer(int chunks)
            {
                for (int i = 0; i < chunks; i++) Assert.True((await c.WriteAsync(chunk)).IsOk);
            }
            // Warm-up: JIT, tables, and the buffer chunk pools, which fill up to the peak the flows ever hold at once (the
            // receive side's peak rises as the sender's window opens): until a round takes no new chunk from the heap.
            long chunks = -1, target = 0;
            for (int round = 0; round < 6 && chunks != bed.Client.Memory.ChunksAllocated + bed.Server.Memory.ChunksAllocated; round++)
            {
                chunks = bed.Client.Memory.ChunksAllocated + bed.Server.Memory.ChunksAllocated;
                target += 16L << 20;
                await Task.WhenAll(Writer(4), Reader(target));
            }
            long segmentsBefore = bed.Client.Statistics.SegmentsSent + bed.Server.Statistics.SegmentsSent;
            output.WriteLine($"chunks after warm-up: client {bed.Client.Memory.ChunksAllocated}, server {bed.Server.Memory.ChunksAllocated}");
            long before = GC.GetAllocatedBytesForCurrentThread();
            reads = 0; start = bed.Sim.Now;
            await Task.WhenAll(Writer(16), Reader(target + (64L << 20)));
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            segments = bed.Client.Statistics.SegmentsSent + bed.Server.Statistics.SegmentsSent - segmentsBefore;
        }, TimeSpan.FromMinutes(10));
        output.WriteLine($"{segments} segments, {reads} reads in {(bed.Sim.Now - start).TotalSeconds:F2} s virtual, {allocated} bytes allocated ({(double)allocated / segments:F2} bytes/segment)");
        output.WriteLine(bed.Client.Statistics.ToString());
        output.WriteLine($"chunks allocated: client {bed.Client.Memory.ChunksAllocated}, server {bed.Server.Memory.ChunksAllocated}");
        Assert.True(segments > 40_000);
        // What remains is the test's own reads and delays (a few hundred bytes each, one per 20 ms). Any object allocated
        // per segment or per ACK (24 bytes at the least) would push the average far above this.
        Assert.True(allocated < 8 * segments, $"{allocated} bytes for {segments} segments");
    }
}
