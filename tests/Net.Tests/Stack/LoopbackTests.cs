using System.Security.Cryptography;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Tests.Ip;
using CosmosNet.Net.Tests.Tcp;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Stack;

/// <summary>
/// The loopback interface: a whole <see cref="NetworkStack"/> (A, 10.0.0.1/24) talking to itself over 127/8 and its own
/// address, with either a second stack (B, 10.0.0.2) or a raw port on the other end of the wire, whose frames the test
/// sees. Nothing sent to the host itself may reach the wire; nothing from the wire may claim to be 127/8.
/// </summary>
public class LoopbackTests
{
    static readonly Ipv4Address AddrA = new(10, 0, 0, 1), AddrB = new(10, 0, 0, 2);
    static readonly Ipv4Address Localhost = Ipv4Address.Loopback, OtherLoopback = new(127, 9, 8, 7);

    sealed class Bed
    {
        public readonly Simulator Sim;
        public readonly NetworkStack A;
        public readonly NetworkStack? B;
        /// <summary>Frames on the wire (A's, when the peer is raw; both ways otherwise).</summary>
        public readonly List<byte[]> Wire = [];
        readonly SimulatedLink _link;

        public Bed(bool withPeer = true, bool configured = true, ulong seed = 5)
        {
            Sim = new Simulator(seed);
            _link = new SimulatedLink(Sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
            A = new NetworkStack(new SimulatedNetworkDevice(_link.A, IpTestBed.MacA), Sim.Clock, Sim.Random.Fork("A"),
                configured ? NetworkStackConfig.WithStatic(new IpConfiguration(AddrA, 24)) : NetworkStackConfig.WithDhcp());
            if (withPeer)
            {
                B = new NetworkStack(new SimulatedNetworkDevice(_link.B, IpTestBed.MacB), Sim.Clock, Sim.Random.Fork("B"),
                    NetworkStackConfig.WithStatic(new IpConfiguration(AddrB, 24)));
                Sim.Run(async () => { await A.StartAsync(); await B.StartAsync(); }, TimeSpan.FromSeconds(1));
            }
            else
            {
                _link.B.Receiver = frame => Wire.Add(frame.ToArray());
                if (configured) Sim.Run(async () => await A.StartAsync(), TimeSpan.FromSeconds(1));
                else A.Ip.Start();   // no address: DHCP would go on the wire, so it is never started
            }
            Sim.RunFor(TimeSpan.FromMilliseconds(10));
            Wire.Clear();
        }

        public void Inject(byte[] frame) => _link.B.Send(frame);

        public T Run<T>(Func<Task<T>> body) => Sim.Run(body, TimeSpan.FromMinutes(2));
    }

    /// <summary>An echo server: everything read is written back, then FIN after the client's FIN.</summary>
    static TcpListener Echo(List<TcpFlow>? accepted = null) => new(async flow =>
    {
        accepted?.Add(flow);
        var buffer = new byte[32 * 1024];
        while (await flow.ReadAsync(buffer) is { IsOk: true, Value.IsEndOfStream: false } r)
            if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
        await flow.CloseAsync();
    });

    static async Task<(bool Intact, TcpFlow Flow)> EchoOverAsync(NetworkStack client, Ipv4Address server, ushort port, int length)
    {
        var connect = await client.Tcp.ConnectAsync(server, port);
        Assert.True(connect.IsOk, connect.ToString());
        var data = TcpTestBed.RandomBytes(length, (ulong)length);
        var send = TcpTestBed.SendAllAsync(connect.Value, data, new SeededRandom(9));   // then half-closes
        var (hash, received) = await TcpTestBed.ReceiveAllAsync(connect.Value);       // to the server's FIN
        await send;
        return (received == length && hash.AsSpan().SequenceEqual(SHA256.HashData(data)), connect.Value);
    }

    [Fact]
    public void Tcp_to_127_0_0_1_connects_accepts_echoes_and_half_closes_without_the_wire()
    {
        var bed = new Bed(withPeer: false);
        var accepted = new List<TcpFlow>();
        bed.A.Tcp.Listen(7, Echo(accepted));
        long framesBefore = bed.A.Statistics[NetCounter.FramesSent];   // the gratuitous ARP of the start-up
        var (intact, flow) = bed.Run(() => EchoOverAsync(bed.A, Localhost, 7, 1 << 20));
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(10));   // the last ACK

        Assert.True(intact);
        Assert.Equal(Localhost, flow.LocalEndpoint.Address);                 // the source a 127/8 destination gets
        Assert.Equal(new TcpEndpoint(Localhost, 7), flow.Destination);
        var server = Assert.Single(accepted);
        Assert.Equal(new TcpEndpoint(Localhost, 7), server.LocalEndpoint);
        Assert.Equal(flow.LocalEndpoint, server.Destination);
        Assert.Empty(bed.Wire);                                             // not one frame: no ARP, no segment
        var stats = bed.A.Statistics;
        Assert.True(stats[NetCounter.IpLoopback] > 20, stats.ToString());
        Assert.Equal(stats[NetCounter.IpLoopback], stats[NetCounter.IpLoopbackDelivered]);
        Assert.Equal(framesBefore, stats[NetCounter.FramesSent]);
        Assert.Equal(0, bed.A.Tcp.Statistics.BadChecksum);                  // partial checksums, never verified
        Assert.Equal(16384 - 40, bed.A.Tcp.LocalMss(Localhost));             // the loopback MTU, not the NIC's
    }

    [Fact]
    public void Tcp_to_the_interfaces_own_address_also_loops_locally()
    {
        var bed = new Bed(withPeer: false);
        bed.A.Tcp.Listen(7, Echo());
        var (intact, flow) = bed.Run(() => EchoOverAsync(bed.A, AddrA, 7, 200_000));
        Assert.True(intact);
        Assert.Equal(AddrA, flow.LocalEndpoint.Address);
        Assert.Empty(bed.Wire);
    }

    [Fact]
    public void Loopback_works_before_the_interface_has_an_address()
    {
        var bed = new Bed(withPeer: false, configured: false);
        Assert.True(bed.A.Ip.LocalAddress.IsAny);
        bed.A.Tcp.Listen(7, Echo());
        Assert.True(bed.Run(() => EchoOverAsync(bed.A, Localhost, 7, 10_000)).Intact);
        var toTheWorld = bed.Run(() => bed.A.Tcp.ConnectAsync(AddrB, 7));
        Assert.Equal(TcpErrorKind.NoRoute, toTheWorld.Error.Kind);         // only loopback works without an address
        Assert.Empty(bed.Wire);
    }

    [Fact]
    public void A_closed_port_on_127_0_0_1_refuses_with_a_reset()
    {
        var bed = new Bed(withPeer: false);
        var connect = bed.Run(() => bed.A.Tcp.ConnectAsync(Localhost, 81));
        Assert.False(connect.IsOk);
        Assert.Equal(TcpErrorKind.Refused, connect.Error.Kind);
        Assert.Equal(1, bed.A.Tcp.Statistics.ResetsSent);
        Assert.Equal(0, bed.A.Tcp.ConnectionCount);
        Assert.Empty(bed.Wire);
    }

    [Fact]
    public void A_reset_over_loopback_ends_the_peers_reads()
    {
        var bed = new Bed(withPeer: false);
        var accepted = new TaskCompletionSource<TcpFlow>();
        bed.A.Tcp.Listen(7, new TcpListener(f => { accepted.TrySetResult(f); return Task.CompletedTask; }));
        var read = bed.Run(async () =>
        {
            var client = (await bed.A.Tcp.ConnectAsync(Localhost, 7)).Value;
            (await accepted.Task).Abort();
            return await client.ReadAsync(new byte[16]);
        });
        Assert.Equal(TcpErrorKind.Reset, read.Error.Kind);
    }

    /// <summary>0.0.0.0 listens on every address of the host; 127.0.0.1 only on loopback; the interface's address only
    /// there; a specific address wins over 0.0.0.0 on the same port.</summary>
    [Fact]
    public void Listeners_accept_only_on_the_address_they_are_bound_to()
    {
        var bed = new Bed(withPeer: true);
        var seen = new List<string>();
        TcpListener Tag(string name) => new(async flow =>
        {
            seen.Add($"{name} {flow.LocalEndpoint.Address}");
            await flow.CloseAsync();
        });
        bed.A.Tcp.Listen(new TcpEndpoint(Localhost, 90), Tag("loopback-only"));
        bed.A.Tcp.Listen(new TcpEndpoint(AddrA, 91), Tag("interface-only"));
        bed.A.Tcp.Listen(new TcpEndpoint(Ipv4Address.Any, 92), Tag("any"));
        bed.A.Tcp.Listen(new TcpEndpoint(Ipv4Address.Any, 93), Tag("any"));
        bed.A.Tcp.Listen(new TcpEndpoint(Localhost, 93), Tag("specific"));

        string Try(NetworkStack from, Ipv4Address to, ushort port)
        {
            var r = bed.Run(() => from.Tcp.ConnectAsync(to, port));
            bed.Sim.RunFor(TimeSpan.FromMilliseconds(50));
            return r.IsOk ? "ok" : r.Error.Kind.ToString();
        }

        Assert.Equal("ok", Try(bed.A, Localhost, 90));
        Assert.Equal("Refused", Try(bed.A, AddrA, 90));
        Assert.Equal("Refused", Try(bed.A, OtherLoopback, 90));
        Assert.Equal("Refused", Try(bed.B!, AddrA, 90));             // from the wire: never a loopback-only listener
        Assert.Equal("Refused", Try(bed.A, Localhost, 91));
        Assert.Equal("ok", Try(bed.A, AddrA, 91));
        Assert.Equal("ok", Try(bed.B!, AddrA, 91));
        Assert.Equal("ok", Try(bed.A, Localhost, 92));
        Assert.Equal("ok", Try(bed.A, OtherLoopback, 92));            // all of 127/8 is ours
        Assert.Equal("ok", Try(bed.A, AddrA, 92));
        Assert.Equal("ok", Try(bed.B!, AddrA, 92));
        Assert.Equal("ok", Try(bed.A, Localhost, 93));
        Assert.Equal("ok", Try(bed.A, AddrA, 93));
        Assert.Equal(
            ["loopback-only 127.0.0.1", "interface-only 10.0.0.1", "interface-only 10.0.0.1", "any 127.0.0.1", "any 127.9.8.7",
             "any 10.0.0.1", "any 10.0.0.1", "specific 127.0.0.1", "any 10.0.0.1"],
            seen);

        Assert.True(bed.A.Tcp.Unlisten(new TcpEndpoint(Localhost, 93)));
        Assert.True(bed.A.Tcp.IsListening(93));                         // 0.0.0.0:93 stays
        Assert.Equal("ok", Try(bed.A, Localhost, 93));
        Assert.Equal("any 127.0.0.1", seen[^1]);
        Assert.True(bed.A.Tcp.Unlisten(93));
        Assert.False(bed.A.Tcp.IsListening(93));
    }

    [Fact]
    public void Connecting_from_a_chosen_local_address()
    {
        var bed = new Bed(withPeer: true);
        bed.A.Tcp.Listen(7, Echo());
        bed.B!.Tcp.Listen(7, Echo());
        var fromInterface = bed.Run(() => bed.A.Tcp.ConnectAsync(new TcpEndpoint(Localhost, 7), null, new TcpEndpoint(AddrA, 0)));
        Assert.True(fromInterface.IsOk);
        Assert.Equal(AddrA, fromInterface.Value.LocalEndpoint.Address);    // bound to the interface's address, talking to 127.0.0.1
        var fromOtherLoopback = bed.Run(() => bed.A.Tcp.ConnectAsync(new TcpEndpoint(Localhost, 7), null, new TcpEndpoint(OtherLoopback, 4000)));
        Assert.True(fromOtherLoopback.IsOk);
        Assert.Equal(new TcpEndpoint(OtherLoopback, 4000), fromOtherLoopback.Value.LocalEndpoint);

        var loopbackToTheWire = bed.Run(() => bed.A.Tcp.ConnectAsync(new TcpEndpoint(AddrB, 7), null, new TcpEndpoint(Localhost, 0)));
        Assert.Equal(TcpErrorKind.InvalidOperation, loopbackToTheWire.Error.Kind);   // 127/8 never leaves the host
        var notOurs = bed.Run(() => bed.A.Tcp.ConnectAsync(new TcpEndpoint(AddrB, 7), null, new TcpEndpoint(new Ipv4Address(10, 0, 0, 9), 0)));
        Assert.Equal(TcpErrorKind.InvalidOperation, notOurs.Error.Kind);
    }

    [Fact]
    public void Udp_sockets_by_address_and_port()
    {
        var bed = new Bed(withPeer: true);
        var got = new List<string>();
        UdpReceiver Tag(string name) => (source, destination, data) => got.Add($"{name} {source.Address}->{destination} {System.Text.Encoding.ASCII.GetString(data)}");
        var any = bed.A.Udp.Bind(new UdpEndpoint(Ipv4Address.Any, 7), Tag("any")).Value;
        Assert.True(bed.A.Udp.Bind(new UdpEndpoint(Localhost, 8), Tag("loopback-only")).IsOk);
        Assert.True(bed.A.Udp.Bind(new UdpEndpoint(AddrA, 8), Tag("interface-only")).IsOk);   // same port, another address
        Assert.Equal(UdpError.PortInUse, bed.A.Udp.Bind(new UdpEndpoint(Ipv4Address.Any, 8), Tag("x")).Error);
        Assert.Equal(UdpError.PortInUse, bed.A.Udp.Bind(new UdpEndpoint(Localhost, 7), Tag("x")).Error);
        Assert.Equal(UdpError.AddressNotAvailable, bed.A.Udp.Bind(new UdpEndpoint(AddrB, 9), Tag("x")).Error);
        var client = bed.A.Udp.Bind(0, (_, _, _) => { }).Value;
        var remote = bed.B!.Udp.Bind(0, (_, _, _) => { }).Value;

        Assert.True(client.Send(new UdpEndpoint(Localhost, 7), "a"u8).IsOk);
        Assert.True(client.Send(new UdpEndpoint(AddrA, 7), "b"u8).IsOk);
        Assert.True(client.Send(new UdpEndpoint(Localhost, 8), "c"u8).IsOk);
        Assert.True(client.Send(new UdpEndpoint(AddrA, 8), "d"u8).IsOk);
        Assert.True(client.Send(new UdpEndpoint(OtherLoopback, 8), "e"u8).IsOk);   // nobody on 127.9.8.7:8
        Assert.Empty(got);                                                          // never inside the sender's call
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(1));
        Assert.True(remote.Send(new UdpEndpoint(AddrA, 7), "f"u8).IsOk);
        Assert.True(remote.Send(new UdpEndpoint(AddrA, 8), "g"u8).IsOk);
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(20));
        Assert.Equal(
            ["any 127.0.0.1->127.0.0.1 a", "any 10.0.0.1->10.0.0.1 b", "loopback-only 127.0.0.1->127.0.0.1 c",
             "interface-only 10.0.0.1->10.0.0.1 d", "any 10.0.0.2->10.0.0.1 f", "interface-only 10.0.0.2->10.0.0.1 g"],
            got);
        Assert.Equal(1, bed.A.Statistics[NetCounter.UdpNoListener]);
        Assert.Equal(0, bed.A.Statistics[NetCounter.UdpBadChecksum]);
        any.Close();
        Assert.True(bed.A.Udp.Bind(new UdpEndpoint(Localhost, 7), Tag("again")).IsOk);   // free once closed
    }

    [Fact]
    public void Udp_to_a_closed_loopback_port_reports_port_unreachable_to_the_sender()
    {
        var bed = new Bed(withPeer: false);
        var errors = new List<(IcmpErrorKind, UdpEndpoint)>();
        var socket = bed.A.Udp.Bind(new UdpEndpoint(Localhost, 5000), (_, _, _) => { }, (kind, to) => errors.Add((kind, to))).Value;
        Assert.True(socket.Send(new UdpEndpoint(OtherLoopback, 6000), "anyone?"u8).IsOk);
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(5));
        Assert.Equal([(IcmpErrorKind.PortUnreachable, new UdpEndpoint(OtherLoopback, 6000))], errors);
        Assert.Equal(1, bed.A.Statistics[NetCounter.IcmpErrorsSent]);
        Assert.Empty(bed.Wire);
    }

    [Fact]
    public void Loopback_udp_carries_no_checksum_and_a_wire_datagram_does()
    {
        var bed = new Bed(withPeer: false);
        var socket = bed.A.Udp.Bind(new UdpEndpoint(Ipv4Address.Any, 5000), (_, _, _) => { }).Value;
        var datagram = new byte[UdpDatagram.HeaderLength + 3];
        "abc"u8.CopyTo(datagram.AsSpan(UdpDatagram.HeaderLength));
        UdpDatagram.WriteHeader(datagram, 1, 2, 3, Localhost, Localhost, checksum: false);
        Assert.Equal(0, datagram[6] | datagram[7]);
        UdpDatagram.WriteHeader(datagram, 1, 2, 3, AddrA, AddrB);
        Assert.NotEqual(0, datagram[6] | datagram[7]);
        Assert.True(socket.Send(new UdpEndpoint(Localhost, 5000), "abc"u8).IsOk);
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, bed.A.Statistics[NetCounter.UdpDelivered]);
    }

    /// <summary>RFC 1122 3.2.1.3: 127/8 never appears on a wire; such packets are dropped and counted, and ARP learns nothing for them.</summary>
    [Fact]
    public void Martians_from_the_wire_are_dropped_and_counted()
    {
        var bed = new Bed(withPeer: false);
        bed.A.Tcp.Listen(7, Echo());
        var got = new List<string>();
        bed.A.Udp.Bind(7, (source, _, _) => got.Add(source.ToString()));
        var syn = new byte[20];
        TcpSegment.WriteHeader(syn, 1234, 7, 1, 0, TcpFlags.Syn, 65535, 0, 0, Localhost, AddrA);
        bed.Inject(IpTestBed.IpFrame(6, syn, source: Localhost, destination: AddrA));          // spoofed source
        var udp = new byte[UdpDatagram.HeaderLength + 1];
        UdpDatagram.WriteHeader(udp, 1234, 7, 1, AddrB, Localhost);
        bed.Inject(IpTestBed.IpFrame(17, udp, source: AddrB, destination: Localhost));         // to 127.0.0.1 over the wire
        bed.Inject(IpTestBed.ArpFrame(ArpOperation.Request, IpTestBed.MacB, Localhost, MacAddress.Zero, AddrA));
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(10));

        Assert.Equal(2, bed.A.Statistics[NetCounter.IpMartian]);
        Assert.Empty(got);
        Assert.Equal(0, bed.A.Tcp.ConnectionCount);
        Assert.DoesNotContain(bed.A.Ip.ArpTable(), e => e.Address.IsLoopback);
        Assert.Empty(bed.Wire);                                          // no SYN-ACK, no RST, no ICMP, no ARP reply
    }

    [Fact]
    public void Ping_to_any_127_address_is_answered_from_that_address()
    {
        var bed = new Bed(withPeer: false);
        var replies = new List<Ipv4Address>();
        bed.A.Ip.EchoReplyReceived += (source, _, _) => replies.Add(source);
        Assert.True(bed.A.Ip.SendEchoRequest(OtherLoopback, 1, 1, new byte[8]));
        Assert.True(bed.A.Ip.SendEchoRequest(AddrA, 1, 2, new byte[8]));
        bed.Sim.RunFor(TimeSpan.FromMilliseconds(1));
        Assert.Equal([OtherLoopback, AddrA], replies);
        Assert.Empty(bed.Wire);
    }

    [Fact]
    public void The_stacks_resolver_answers_localhost_without_a_query()
    {
        var bed = new Bed(withPeer: false);
        foreach (var name in new[] { "localhost", "LocalHost.", "app.localhost" })
        {
            var resolved = bed.Run(() => bed.A.Dns.ResolveAsync(name));
            Assert.True(resolved.IsOk, resolved.ToString());
            Assert.Equal([Localhost], resolved.Value);
        }
        Assert.False(CosmosNet.Net.Dns.DnsResolver.IsLocalhost("localhost.example"));
        Assert.Empty(bed.Wire);                                          // no DNS query, no ARP for a server
    }
}
