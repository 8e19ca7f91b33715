using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Tests.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Ip;

/// <summary>
/// The checksum-offload seam (<see cref="IChecksumOffload"/>, <see cref="RxChecksum"/>): with a device that finishes
/// checksums the stack sends TCP segments carrying only the pseudo-header sum, and it accepts received frames whose
/// checksum the device vouched for or that were never finished.
/// </summary>
public class ChecksumOffloadTests
{
    static readonly Ipv4Address ClientAddress = new(10, 0, 0, 1), ServerAddress = new(10, 0, 0, 2);

    /// <summary>A simulated NIC with checksum offload, as virtio-net with CSUM/GUEST_CSUM: partial frames are finished
    /// on the way out (like a host NIC) or left partial (like a host kernel handing a local sender's frame to a
    /// VM), and every received frame is delivered with <see cref="Deliver"/>.</summary>
    sealed class OffloadDevice(LinkEnd port, MacAddress mac, bool finishOnTransmit) : INetworkDevice, IChecksumOffload
    {
        FrameHandler? _handler;
        public MacAddress MacAddress { get; } = mac;
        public int Mtu => 1500;
        public bool FinishesChecksums { get; set; } = true;
        public RxChecksum Deliver { get; set; }
        public int PartialFrames, FullFrames;
        public readonly List<string> Misplaced = [];

        public void Transmit(ReadOnlySpan<byte> frame) { FullFrames++; port.Send(frame); }

        public void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset)
        {
            PartialFrames++;
            var copy = frame.ToArray();
            // The stack's promise: an IPv4/TCP frame, the field holding the folded pseudo-header sum of the segment.
            var ip = copy.AsSpan(14, 20);
            int segmentLength = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]) - 20;
            uint pseudo = Checksum.PseudoHeader(new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[12..])),
                new Ipv4Address(BinaryPrimitives.ReadUInt32BigEndian(ip[16..])), 6, segmentLength);
            ushort field = BinaryPrimitives.ReadUInt16BigEndian(copy.AsSpan(checksumStart + checksumOffset));
            if (checksumStart != 34 || checksumOffset != TcpSegment.ChecksumOffset || ip[9] != 6 || field != Checksum.PartialSeed(pseudo))
                Misplaced.Add($"start {checksumStart} offset {checksumOffset} protocol {ip[9]} field {field:x4}");
            if (finishOnTransmit) Checksum.FinishPartial(copy.AsSpan(checksumStart), checksumOffset);
            port.Send(copy);
        }

        public void Start(FrameHandler handler)
        {
            _handler = handler;
            port.Receiver = frame => _handler(frame, Deliver);
        }
    }

    sealed class Bed
    {
        public readonly Simulator Sim = new(7);
        public readonly OffloadDevice ClientDevice, ServerDevice;
        public readonly NetworkStack Client, Server;

        public Bed(bool finishOnTransmit, RxChecksum serverSees, bool clientOffloads = true)
        {
            var link = new SimulatedLink(Sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
            ClientDevice = new OffloadDevice(link.A, MacAddress.Parse("02:00:00:00:00:01"), finishOnTransmit) { FinishesChecksums = clientOffloads };
            ServerDevice = new OffloadDevice(link.B, MacAddress.Parse("02:00:00:00:00:02"), finishOnTransmit) { FinishesChecksums = false, Deliver = serverSees };
            Client = new NetworkStack(ClientDevice, Sim.Clock, Sim.Random.Fork("client"), NetworkStackConfig.WithStatic(new IpConfiguration(ClientAddress, 24)));
            Server = new NetworkStack(ServerDevice, Sim.Clock, Sim.Random.Fork("server"), NetworkStackConfig.WithStatic(new IpConfiguration(ServerAddress, 24)));
            Sim.Run(async () => { await Client.StartAsync(); await Server.StartAsync(); }, TimeSpan.FromSeconds(1));
        }

        /// <summary>1 MiB each way through an echo server; returns whether both directions arrived intact.</summary>
        public bool EchoOneMiB(Ipv4Address serverAddress, NetworkStack server)
        {
            var data = TcpTestBed.RandomBytes(1 << 20, 3);
            server.Tcp.Listen(7, null, async flow =>
            {
                var buffer = new byte[32 * 1024];
                while (await flow.ReadAsync(buffer) is { IsOk: true, Value.IsEndOfStream: false } r)
                    if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
                await flow.CloseAsync();
            });
            return Sim.Run(async () =>
            {
                var connect = await Client.Tcp.ConnectAsync(serverAddress, 7);
                Assert.True(connect.IsOk, connect.ToString());
                var send = TcpTestBed.SendAllAsync(connect.Value, data, new SeededRandom(4));
                var (hash, length) = await TcpTestBed.ReceiveAllAsync(connect.Value);
                await send;
                return length == data.Length && hash.AsSpan().SequenceEqual(System.Security.Cryptography.SHA256.HashData(data));
            }, TimeSpan.FromSeconds(60));
        }
    }

    [Fact]
    public void A_partial_seed_finished_like_a_device_gives_the_checksum_the_stack_computes()
    {
        var random = new Random(11);
        for (int payload = 0; payload < 1500; payload += 1 + random.Next(37))
        {
            var full = new byte[20 + payload];
            random.NextBytes(full.AsSpan(20));
            var partial = (byte[])full.Clone();
            TcpSegment.WriteHeader(full, 1234, 80, 1, 2, TcpFlags.Ack, 512, 0, payload, ClientAddress, ServerAddress);
            TcpSegment.WriteHeader(partial, 1234, 80, 1, 2, TcpFlags.Ack, 512, 0, payload, ClientAddress, ServerAddress, partialChecksum: true);
            Assert.Equal(Checksum.PartialSeed(Checksum.PseudoHeader(ClientAddress, ServerAddress, 6, full.Length)),
                BinaryPrimitives.ReadUInt16BigEndian(partial.AsSpan(TcpSegment.ChecksumOffset)));
            Checksum.FinishPartial(partial, TcpSegment.ChecksumOffset);
            Assert.Equal(WireError.None, TcpSegment.TryParse(partial, ClientAddress, ServerAddress, out _));
            ushort a = BinaryPrimitives.ReadUInt16BigEndian(full.AsSpan(16)), b = BinaryPrimitives.ReadUInt16BigEndian(partial.AsSpan(16));
            Assert.True(a == b || (a == 0 && b == 0xFFFF), $"payload {payload}: {a:x4} vs {b:x4}");   // 0 and 0xFFFF: the same one's-complement zero
        }
    }

    [Fact]
    public void With_offload_tcp_segments_leave_partial_and_arrive_intact()
    {
        var bed = new Bed(finishOnTransmit: true, serverSees: RxChecksum.Unverified);
        Assert.True(bed.Client.Ip.ChecksumOffload);
        Assert.True(bed.EchoOneMiB(ServerAddress, bed.Server));
        Assert.True(bed.ClientDevice.PartialFrames > 700, $"{bed.ClientDevice.PartialFrames} partial frames");
        Assert.Empty(bed.ClientDevice.Misplaced);
        Assert.Equal(0, bed.Server.Tcp.Statistics.BadChecksum);   // every checksum the device finished is right
        Assert.Equal(0, bed.ServerDevice.PartialFrames);            // the server's device does not offload
    }

    [Fact]
    public void Without_the_negotiated_feature_every_checksum_is_computed_by_the_stack()
    {
        var bed = new Bed(finishOnTransmit: true, serverSees: RxChecksum.Unverified, clientOffloads: false);
        Assert.False(bed.Client.Ip.ChecksumOffload);
        Assert.True(bed.EchoOneMiB(ServerAddress, bed.Server));
        Assert.Equal(0, bed.ClientDevice.PartialFrames);
        Assert.Equal(0, bed.Server.Tcp.Statistics.BadChecksum);
    }

    [Fact]
    public void Frames_marked_partial_are_accepted_unverified_ones_with_the_same_bytes_are_not()
    {
        // The client's device leaves the seed in place, as a host kernel does for a local sender.
        var accepted = new Bed(finishOnTransmit: false, serverSees: RxChecksum.Partial);
        Assert.True(accepted.EchoOneMiB(ServerAddress, accepted.Server));
        Assert.Equal(0, accepted.Server.Tcp.Statistics.BadChecksum);

        var refused = new Bed(finishOnTransmit: false, serverSees: RxChecksum.Unverified);
        refused.Server.Tcp.Listen(7, null, _ => Task.CompletedTask);
        // Resolve the server's MAC first: a segment held for ARP is finished in software and would get through.
        refused.Client.Ip.SendEchoRequest(ServerAddress, 1, 1, []);
        refused.Sim.RunFor(TimeSpan.FromMilliseconds(100));
        var connect = refused.Sim.Run(() => refused.Client.Tcp.ConnectAsync(ServerAddress, 7), TimeSpan.FromMinutes(5));
        Assert.False(connect.IsOk);                                   // every SYN had a checksum that does not add up
        Assert.True(refused.Server.Tcp.Statistics.BadChecksum > 0);
    }

    [Fact]
    public void Frames_the_device_checked_skip_verification()
    {
        var bed = new Bed(finishOnTransmit: false, serverSees: RxChecksum.Valid);
        Assert.True(bed.EchoOneMiB(ServerAddress, bed.Server));
        Assert.Equal(0, bed.Server.Tcp.Statistics.BadChecksum);
    }

    [Fact]
    public void Segments_to_the_stack_itself_are_finished_in_software()
    {
        var bed = new Bed(finishOnTransmit: true, serverSees: RxChecksum.Unverified);
        Assert.True(bed.EchoOneMiB(ClientAddress, bed.Client));      // the client talks to its own address: loopback
        Assert.Equal(0, bed.Client.Tcp.Statistics.BadChecksum);
        Assert.Equal(0, bed.ClientDevice.PartialFrames);
    }
}
