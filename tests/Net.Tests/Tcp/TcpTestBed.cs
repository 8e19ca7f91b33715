using System.Security.Cryptography;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>
/// Two TCP stacks joined by one impaired simulated link, each over a stand-in IP layer (PacketIpLayer), on virtual
/// time. Client is 10.0.0.1, server 10.0.0.2.
/// </summary>
public sealed class TcpTestBed
{
    public static readonly Ipv4Address ClientAddress = new(10, 0, 0, 1);
    public static readonly Ipv4Address ServerAddress = new(10, 0, 0, 2);

    /// <param name="fullStack">
    /// True: two complete NetworkStacks (Ethernet, ARP, IPv4) over the link. False: TCP over a stand-in IP layer that
    /// carries IP payloads only — fewer layers between the test and TCP.
    /// </param>
    public TcpTestBed(ulong seed = 1, LinkProfile? profile = null, TcpConfig? clientConfig = null, TcpConfig? serverConfig = null,
        int mtu = 1500, bool fullStack = false, IMemoryBudget? budget = null)
    {
        Sim = new Simulator(seed);
        Link = new SimulatedLink(Sim, profile ?? new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
        if (fullStack)
        {
            ClientStack = new NetworkStack(new SimulatedNetworkDevice(Link.A, MacAddress.Parse("02:00:00:00:00:01"), mtu), Sim.Clock,
                Sim.Random.Fork("client"), NetworkStackConfig.WithStatic(new IpConfiguration(ClientAddress, 24)) with { Tcp = clientConfig ?? new() });
            ServerStack = new NetworkStack(new SimulatedNetworkDevice(Link.B, MacAddress.Parse("02:00:00:00:00:02"), mtu), Sim.Clock,
                Sim.Random.Fork("server"), NetworkStackConfig.WithStatic(new IpConfiguration(ServerAddress, 24)) with { Tcp = serverConfig ?? new() }, budget);
            Client = ClientStack.Tcp;
            Server = ServerStack.Tcp;
            Sim.Run(async () => { await ClientStack.StartAsync(); await ServerStack.StartAsync(); }, TimeSpan.FromSeconds(1));
        }
        else
        {
            var clientIp = new PacketIpLayer(Link.A, ClientAddress, mtu);
            var serverIp = new PacketIpLayer(Link.B, ServerAddress, mtu);
            Client = new TcpStack(clientIp, Sim.Clock, Sim.Random.Fork("client"), clientConfig);
            Server = new TcpStack(serverIp, Sim.Clock, Sim.Random.Fork("server"), serverConfig, budget);
        }
    }

    public Simulator Sim { get; }
    public SimulatedLink Link { get; }
    /// <summary>The full stacks when the bed was built with fullStack, else null.</summary>
    public NetworkStack? ClientStack { get; }
    public NetworkStack? ServerStack { get; }
    public TcpStack Client { get; }
    public TcpStack Server { get; }

    /// <summary>Listens on the server, connects from the client; returns both ends.</summary>
    public async Task<(TcpFlow Client, TcpFlow Server)> ConnectPairAsync(ushort port = 80)
    {
        var accepted = new TaskCompletionSource<TcpFlow>();
        Server.Listen(port, null, f => { accepted.TrySetResult(f); return Task.CompletedTask; });
        var r = await Client.ConnectAsync(ServerAddress, port);
        Assert.True(r.IsOk, r.ToString());
        var server = await accepted.Task;
        return (r.Value, server);
    }

    /// <summary>Writes <paramref name="data"/> in chunks of random sizes, then closes the write side.</summary>
    public static async Task SendAllAsync(TcpFlow flow, byte[] data, SeededRandom random, bool close = true)
    {
        int i = 0;
        while (i < data.Length)
        {
            int n = Math.Min(data.Length - i, 1 + random.NextInt32(256 * 1024));
            var r = await flow.WriteAsync(data.AsMemory(i, n));
            Assert.True(r.IsOk, $"{r} after {i} bytes: {flow.Describe()}");
            i += n;
        }
        if (close) flow.Shutdown(ShutdownMode.Write);
    }

    /// <summary>Reads to end-of-stream and returns the SHA-256 of everything read and its length.</summary>
    public static async Task<(byte[] Hash, long Length)> ReceiveAllAsync(TcpFlow flow)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (true)
        {
            var r = await flow.ReadAsync(buffer);
            Assert.True(r.IsOk, r.ToString());
            if (r.Value.IsEndOfStream) break;
            sha.AppendData(buffer, 0, r.Value.Count);
            total += r.Value.Count;
        }
        return (sha.GetHashAndReset(), total);
    }

    public static byte[] RandomBytes(int length, ulong seed)
    {
        var data = new byte[length];
        new SeededRandom(seed).Fill(data);
        return data;
    }
}
