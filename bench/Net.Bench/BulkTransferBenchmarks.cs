using BenchmarkDotNet.Attributes;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.Bench;

/// <summary>
/// Two complete stacks (Ethernet, ARP, IPv4, TCP) over an unimpaired simulated link (100 µs latency, no bandwidth
/// limit) on virtual time: one op moves <see cref="Bytes"/> from A to B and back to end-of-stream. The CPU cost of
/// both stacks, the simulator and the link copy is in the figure; throughput = MiB / mean time. The 1 MiB run gives
/// the fixed cost (stacks, buffers, handshake), so (Allocated[32] - Allocated[1]) / segments is the steady-state
/// allocation per segment.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class BulkTransferBenchmarks
{
    private readonly byte[] _data = new byte[1 << 20];
    private readonly byte[] _readBuffer = new byte[64 << 10];

    [Params(1, 32)]
    public int MiB { get; set; }

    private int Bytes => MiB << 20;

    [GlobalSetup]
    public void Setup() => new SeededRandom(5).Fill(_data);

    [Benchmark(Description = "A→B bulk, two stacks over a simulated link")]
    public long Transfer()
    {
        var sim = new Simulator(1);
        var link = new SimulatedLink(sim, new LinkProfile { Latency = TimeSpan.FromMicroseconds(100) });
        var config = new TcpConfig();
        var tcpA = Stack(sim, link.A, 1, config);
        var tcpB = Stack(sim, link.B, 2, config);
        long received = 0;
        var done = new TaskCompletionSource();
        tcpB.Listen(5001, null, async flow =>
        {
            while (true)
            {
                var r = await flow.ReadAsync(_readBuffer);
                if (!r.IsOk || r.Value.IsEndOfStream) break;
                received += r.Value.Count;
            }
            await flow.CloseAsync();
            done.TrySetResult();
        });
        sim.Run(async () =>
        {
            var flow = (await tcpA.ConnectAsync(new Ipv4Address(10, 0, 0, 2), 5001)).Value;
            for (int sent = 0; sent < Bytes; sent += _data.Length)
                if (!(await flow.WriteAsync(_data)).IsOk) throw new InvalidOperationException("write failed");
            await flow.CloseAsync();
            await done.Task;
        }, TimeSpan.FromMinutes(10));
        if (received != Bytes) throw new InvalidOperationException($"received {received} of {Bytes}: {link}");
        return received;
    }

    private static TcpStack Stack(Simulator sim, LinkEnd end, byte host, TcpConfig config)
    {
        var stack = new NetworkStack(new SimulatedNetworkDevice(end, new MacAddress(0x0200_0000_0000UL | host)), sim.Clock,
            sim.Random.Fork($"host{host}"), NetworkStackConfig.WithStatic(new IpConfiguration(new Ipv4Address(10, 0, 0, host), 24)) with { Tcp = config });
        _ = stack.StartAsync();
        return stack.Tcp;
    }
}
