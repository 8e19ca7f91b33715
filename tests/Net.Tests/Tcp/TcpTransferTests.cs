using System.Diagnostics;
using System.Security.Cryptography;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Net.Tests.Tcp;

public class TcpTransferTests(ITestOutputHelper output)
{
    public static readonly LinkProfile Impaired = new()
    {
        Latency = TimeSpan.FromMilliseconds(5),
        BitsPerSecond = 1_000_000_000,
        Loss = 0.05,
        Reorder = 0.25,
        ReorderDelay = TimeSpan.FromMilliseconds(2),
        Duplicate = 0.01,
        Corrupt = 0.001,
    };

    /// <summary>Sends <paramref name="size"/> bytes each way at once and checks both by SHA-256.</summary>
    private void TransferBothWays(TcpTestBed bed, int size, TimeSpan limit)
    {
        var up = TcpTestBed.RandomBytes(size, 11);
        var down = TcpTestBed.RandomBytes(size, 12);
        var wall = Stopwatch.StartNew();
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync(5001);
            var rnd = new SeededRandom(99);
            var sendUp = TcpTestBed.SendAllAsync(c, up, rnd);
            var sendDown = TcpTestBed.SendAllAsync(s, down, rnd);
            var recvUp = TcpTestBed.ReceiveAllAsync(s);
            var recvDown = TcpTestBed.ReceiveAllAsync(c);
            await sendUp; await sendDown;
            var (hUp, nUp) = await recvUp;
            var (hDown, nDown) = await recvDown;
            Assert.Equal(size, nUp);
            Assert.Equal(size, nDown);
            Assert.Equal(SHA256.HashData(up), hUp);
            Assert.Equal(SHA256.HashData(down), hDown);
            await c.CloseAsync();
            await s.CloseAsync();
        }, limit);
        output.WriteLine($"{size} bytes each way in {bed.Sim.Now.TotalSeconds:F1} s virtual, {wall.Elapsed.TotalSeconds:F1} s wall");
        output.WriteLine($"client: {bed.Client.Statistics}");
        output.WriteLine($"server: {bed.Server.Statistics}");
        output.WriteLine(bed.Link.ToString());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void OneMegabyteOverCleanLink(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        TransferBothWays(bed, 1 << 20, TimeSpan.FromSeconds(30));
        Assert.Equal(0, bed.Client.Statistics.Retransmissions);
    }

    [Theory]
    [InlineData(CongestionControlKind.Cubic, true)]
    [InlineData(CongestionControlKind.NewReno, true)]
    [InlineData(CongestionControlKind.Cubic, false)]
    public void SixtyFourMegabytesEachWayUnderImpairment(CongestionControlKind cc, bool fullStack)
    {
        var config = new TcpConfig { CongestionControl = cc };
        var bed = new TcpTestBed(seed: 5, Impaired, config, config, fullStack: fullStack);
        TransferBothWays(bed, 64 << 20, TimeSpan.FromMinutes(30));
        Assert.True(bed.Client.Statistics.BadChecksum + bed.Server.Statistics.BadChecksum > 0 || bed.Link.AtoB.Counters.Corrupted == 0);
    }
}
