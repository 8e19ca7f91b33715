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
        long PoolsGrown() => bed.Client.Memory.ChunksAllocated + bed.Server.Memory.ChunksAllocated
            + bed.Link.AtoB.Counters.BuffersAllocated + bed.Link.BtoA.Counters.BuffersAllocated;
        bed.Link.AtoB.Reserve(1024, 2048);   // more than a 1 MiB window's segments (718) can be in flight at once
        bed.Link.BtoA.Reserve(1024, 2048);
        FillPool(bed.Client.Memory, config);
        FillPool(bed.Server.Memory, config);
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
            // Warm-up: JIT and tables, until two rounds in a row in which no pool took anything from the heap. The pools
            // (the stacks' buffer chunks, the simulated link's packets) were filled to their maximum before: otherwise each
            // grows to the peak it is ever asked for — the most bytes held, the most packets in flight at once — and such a
            // peak follows the congestion window's, which losses, reordering and slow start's byte counting may first
            // reach at any time, in the warm-up or in the measured transfer.
            long target = 0;
            for (int round = 0, quiet = 0; round < 12 && quiet < 2; round++)
            {
                long pools = PoolsGrown();
                target += 16L << 20;
                await Task.WhenAll(Writer(4), Reader(target));
                quiet = PoolsGrown() == pools ? quiet + 1 : 0;
            }
            long segmentsBefore = bed.Client.Statistics.SegmentsSent + bed.Server.Statistics.SegmentsSent;
            output.WriteLine($"after warm-up: chunks client {bed.Client.Memory.ChunksAllocated}, server {bed.Server.Memory.ChunksAllocated}; " +
                $"link buffers {bed.Link.AtoB.Counters.BuffersAllocated} + {bed.Link.BtoA.Counters.BuffersAllocated}");
            long before = GC.GetAllocatedBytesForCurrentThread();
            reads = 0; start = bed.Sim.Now;
            await Task.WhenAll(Writer(16), Reader(target + (64L << 20)));
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            segments = bed.Client.Statistics.SegmentsSent + bed.Server.Statistics.SegmentsSent - segmentsBefore;
        }, TimeSpan.FromMinutes(10));
        output.WriteLine($"{segments} segments, {reads} reads in {(bed.Sim.Now - start).TotalSeconds:F2} s virtual, {allocated} bytes allocated ({(double)allocated / segments:F2} bytes/segment)");
        output.WriteLine(bed.Client.Statistics.ToString());
        output.WriteLine($"chunks allocated: client {bed.Client.Memory.ChunksAllocated}, server {bed.Server.Memory.ChunksAllocated}; " +
            $"link buffers {bed.Link.AtoB.Counters.BuffersAllocated} + {bed.Link.BtoA.Counters.BuffersAllocated}");
        Assert.True(segments > 40_000);
        // What remains is the test's own reads and delays (a few hundred bytes each, one per 20 ms). Any object allocated
        // per segment or per ACK (24 bytes at the least) would push the average far above this.
        Assert.True(allocated < 8 * segments, $"{allocated} bytes for {segments} segments");
    }

    /// <summary>Fills a stack's pool of free buffer chunks to its maximum (<see cref="TcpConfig.BufferPoolBytes"/>), as a busy stack's is.</summary>
    private static void FillPool(TcpMemory memory, TcpConfig config)
    {
        var chunks = new List<byte[]>();
        for (int i = 0; i < config.BufferPoolBytes / TcpMemory.ChunkSize; i++) chunks.Add(memory.Rent()!);
        foreach (var chunk in chunks) memory.Return(chunk);
        Assert.Equal(chunks.Count, memory.PooledChunks);
    }
}
