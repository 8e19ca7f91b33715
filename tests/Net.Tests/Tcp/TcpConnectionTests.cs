using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

public class TcpConnectionTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void HandshakeEstablishesBothEnds(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync(80);
            Assert.Equal(TcpState.Established, c.State);
            Assert.Equal(TcpState.Established, s.State);
            Assert.Equal(new TcpEndpoint(TcpTestBed.ServerAddress, 80), c.Destination);
            Assert.Equal(TcpTestBed.ClientAddress, s.Destination.Address);
            Assert.Equal(c.LocalEndpoint.Port, s.Destination.Port);
            Assert.InRange(c.LocalEndpoint.Port, 49152, 65535);
        }, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SmallExchangeBothWays(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Sim.Run(async () =>
        {
            var (c, s) = await bed.ConnectPairAsync(7);
            Assert.True((await c.WriteAsync("hello"u8.ToArray())).IsOk);
            var r = await s.ReadAsync();
            Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(r.Value.Bytes.Span));
            Assert.True((await s.WriteNodelayAsync("world"u8.ToArray())).IsOk);
            r = await c.ReadAsync();
            Assert.Equal("world", System.Text.Encoding.ASCII.GetString(r.Value.Bytes.Span));
        }, TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SynToClosedPortIsRefused(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        var r = bed.Sim.Run(() => bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 81), TimeSpan.FromSeconds(10));
        Assert.False(r.IsOk);
        Assert.Equal(TcpErrorKind.Refused, r.Error.Kind);
        Assert.Equal("connection refused", r.Error.ToString());
        Assert.Equal(1, bed.Server.Statistics.ResetsSent);
        Assert.Equal(0, bed.Client.ConnectionCount);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConnectToSilentHostTimesOut(bool fullStack)
    {
        var bed = new TcpTestBed(fullStack: fullStack);
        bed.Link.IsUp = false;
        var r = bed.Sim.Run(() => bed.Client.ConnectAsync(TcpTestBed.ServerAddress, 80), TimeSpan.FromMinutes(5));
        Assert.False(r.IsOk);
        Assert.Equal(TcpErrorKind.TimedOut, r.Error.Kind);
        // 5 retries with exponential backoff from 1 s: 1+2+4+8+16+32 = 63 s.
        Assert.InRange(bed.Sim.Now.TotalSeconds, 62, 64);
        Assert.Equal(0, bed.Client.ConnectionCount);
    }
}
