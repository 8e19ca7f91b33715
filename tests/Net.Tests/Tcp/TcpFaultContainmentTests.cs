using System.Text;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>
/// Issue 14, fault containment: an exception while the stack processes one flow — here an OutOfMemoryException thrown
/// by the IP layer under the server when it sends a chosen segment, as a failed frame allocation would — resets that
/// connection, is counted and logged in one line, and the stack and the other connections carry on.
/// </summary>
public class TcpFaultContainmentTests
{
    static readonly Ipv4Address ClientAddress = new(10, 0, 0, 1), ServerAddress = new(10, 0, 0, 2);

    enum Fate { Pass, Lose, Throw }

    /// <summary>Passes everything to <paramref name="inner"/> except the segments <see cref="Fault"/> picks: lost on the way, or the send throws.</summary>
    sealed class FaultyIpLayer(IIpLayer inner) : IIpLayer
    {
        public Func<ushort, int, Fate> Fault = (_, _) => Fate.Pass;   // (destination port, payload bytes) -> what happens
        public int Thrown;
        public Ipv4Address LocalAddress => inner.LocalAddress;
        public int MaxPayload(Ipv4Address destination) => inner.MaxPayload(destination);
        public void Register(IpProtocol protocol, IIpTransport transport) => inner.Register(protocol, transport);

        public bool Send(Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload)
        {
            ushort port = (ushort)(payload[2] << 8 | payload[3]);
            int dataBytes = payload.Length - (payload[12] >> 4) * 4;
            switch (Fault(port, dataBytes))
            {
                case Fate.Throw: Thrown++; throw new OutOfMemoryException("no memory for the frame");
                case Fate.Lose: return true;
                default: return inner.Send(destination, protocol, payload);
            }
        }
    }

    sealed class Bed
    {
        public readonly Simulator Sim = new(7);
        public readonly TcpStack Client, Server;
        public readonly FaultyIpLayer ServerIp;
        public readonly List<string> Log = new();

        public Bed()
        {
            var link = new SimulatedLink(Sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
            Client = new TcpStack(new PacketIpLayer(link.A, ClientAddress), Sim.Clock, Sim.Random.Fork("client"));
            ServerIp = new FaultyIpLayer(new PacketIpLayer(link.B, ServerAddress));
            Server = new TcpStack(ServerIp, Sim.Clock, Sim.Random.Fork("server")) { Log = Log.Add };
            Server.Listen(7, null, EchoAsync);
        }

        static async Task EchoAsync(TcpFlow flow)
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var r = await flow.ReadAsync(buffer);
                if (!r.IsOk || r.Value.IsEndOfStream) break;
                if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
            }
            await flow.CloseAsync();
        }

        public async Task<TcpFlow> ConnectAsync()
        {
            var r = await Client.ConnectAsync(ServerAddress, 7);
            Assert.True(r.IsOk, r.ToString());
            return r.Value;
        }
    }

    /// <summary>Sends <paramref name="data"/> and reads until it came back, the connection ended, or an error; returns what was read and the error.</summary>
    static async Task<(int Echoed, TcpError? Error)> EchoAsync(TcpFlow flow, byte[] data)
    {
        var send = flow.WriteAsync(data);
        var buffer = new byte[64 * 1024];
        int echoed = 0;
        while (echoed < data.Length)
        {
            var r = await flow.ReadAsync(buffer);
            if (!r.IsOk) return (echoed, r.Error);
            if (r.Value.IsEndOfStream) break;
            echoed += r.Value.Count;
        }
        await send;
        return (echoed, null);
    }

    [Fact]
    public void A_fault_in_one_flows_input_path_resets_it_and_the_other_flows_go_on()
    {
        var bed = new Bed();
        bed.Sim.Run(async () =>
        {
            var victim = await bed.ConnectAsync();
            var bystander = await bed.ConnectAsync();
            // The victim's 30th data segment from the server fails: by then the echo is ACK-clocked, so the send happens
            // inside the server's input path (an ACK from the client arrived and opened the window).
            int dataSegments = 0;
            bed.ServerIp.Fault = (port, bytes) => port == victim.LocalEndpoint.Port && bytes > 0 && ++dataSegments == 30 ? Fate.Throw : Fate.Pass;

            var (echoed, error) = await EchoAsync(victim, Data(1 << 20));
            Assert.True(error is { Kind: TcpErrorKind.Reset }, $"the victim should see a reset, got {error?.ToString() ?? "no error"} after {echoed} bytes");
            Assert.Equal(1, bed.ServerIp.Thrown);

            var (bystanderEchoed, bystanderError) = await EchoAsync(bystander, Data(256 * 1024));
            Assert.Null(bystanderError);
            Assert.Equal(256 * 1024, bystanderEchoed);
            var late = await bed.ConnectAsync();   // and new connections are still accepted
            Assert.Equal(1000, (await EchoAsync(late, Data(1000))).Echoed);
        }, TimeSpan.FromMinutes(2));

        Assert.Equal(1, bed.Server.Statistics.Faults);
        var line = Assert.Single(bed.Log);
        Assert.Contains("OutOfMemoryException", line);
        Assert.Contains("reset", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void A_fault_in_a_flows_timer_resets_it()
    {
        var bed = new Bed();
        bed.Sim.Run(async () =>
        {
            var victim = await bed.ConnectAsync();
            var bystander = await bed.ConnectAsync();
            // The echo's one data segment is lost; its retransmission, sent from the retransmission timer, fails.
            int dataSegments = 0;
            bed.ServerIp.Fault = (port, bytes) => port != victim.LocalEndpoint.Port || bytes == 0 ? Fate.Pass
                : ++dataSegments == 1 ? Fate.Lose : Fate.Throw;
            var (_, error) = await EchoAsync(victim, Data(1000));
            Assert.True(error is { Kind: TcpErrorKind.Reset }, $"the victim should see a reset, got {error?.ToString() ?? "no error"}");
            Assert.Equal(2, dataSegments);
            Assert.Equal(1000, (await EchoAsync(bystander, Data(1000))).Echoed);
            Assert.Equal(1, bed.Server.ConnectionCount);   // the victim left the table
        }, TimeSpan.FromMinutes(2));
        Assert.Equal(1, bed.Server.Statistics.Faults);
        Assert.Contains("Retransmit timer", Assert.Single(bed.Log));
    }

    [Fact]
    public void A_throwing_listener_callback_resets_its_connection_and_is_counted()
    {
        var bed = new Bed();
        bed.Server.Listen(9, null, async flow =>
        {
            await flow.ReadAsync(new byte[100]);
            throw new InvalidOperationException("the app broke");
        });
        bed.Sim.Run(async () =>
        {
            var r = await bed.Client.ConnectAsync(ServerAddress, 9);
            Assert.True(r.IsOk);
            await r.Value.WriteNodelayAsync("hi"u8.ToArray());
            var read = await r.Value.ReadAsync(new byte[100]);
            Assert.False(read.IsOk);
            Assert.Equal(TcpErrorKind.Reset, read.Error.Kind);
            var other = await bed.ConnectAsync();
            Assert.Equal(10, (await EchoAsync(other, Data(10))).Echoed);
        }, TimeSpan.FromMinutes(1));
        Assert.Equal(1, bed.Server.Statistics.Faults);
        Assert.Contains("the app broke", Assert.Single(bed.Log));
    }

    [Fact]
    public void Abort_resets_the_peer_and_fails_local_reads_with_aborted()
    {
        var bed = new Bed();
        bed.Sim.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            c.Abort();
            var local = await c.ReadAsync(new byte[10]);
            Assert.False(local.IsOk);
            Assert.Equal(TcpErrorKind.Aborted, local.Error.Kind);
            Assert.Equal(TcpState.Closed, c.State);
            await bed.Sim.Delay(TimeSpan.FromMilliseconds(50));
            Assert.Equal(1, bed.Server.Statistics.ResetsReceived);
        }, TimeSpan.FromMinutes(1));
    }

    static byte[] Data(int length) => Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("0123456789abcdef", length / 16 + 1)))[..length];
}
