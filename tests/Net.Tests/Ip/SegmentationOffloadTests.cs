using System.Buffers.Binary;
using System.Security.Cryptography;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tests.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Ip;

/// <summary>
/// The segmentation-offload seam (<see cref="ISegmentationOffload"/>): with a device that cuts large TCP segments the
/// stack sends segments of many MSS in one packet — or cuts them itself when the device has no room — and a receiver
/// takes the 64 KiB segments a host's offload delivers.
/// </summary>
public class SegmentationOffloadTests
{
    static readonly Ipv4Address ClientAddress = new(10, 0, 0, 1), ServerAddress = new(10, 0, 0, 2);

    /// <summary>
    /// A simulated NIC with checksum and segmentation offload, as virtio-net with CSUM and HOST_TSO4 over a TAP device:
    /// the host kernel finishes the checksum and, delivering locally, takes the large segment whole — as this device
    /// passes it on. <see cref="Refuse"/> plays a device whose ring is full.
    /// </summary>
    sealed class TsoDevice(LinkEnd port, MacAddress mac) : INetworkDevice, IChecksumOffload, ISegmentationOffload
    {
        public MacAddress MacAddress { get; } = mac;
        public int Mtu => 1500;
        public bool FinishesChecksums => true;
        public int MaxSegmentedPacket => 65535;
        public bool Refuse { get; set; }
        /// <summary>With a ring: how many large frames it holds at once; each leaves it (is sent) 1 ms after the last.</summary>
        public int RingSlots { get; set; }
        public Simulator? Sim;
        private int _inRing;
        private TimeSpan _ringFreeAt;
        public int LargeFrames, Refused, PartialFrames, PartialWhileFull;
        public readonly List<string> Wrong = [];

        public void Transmit(ReadOnlySpan<byte> frame) => port.Send(frame);

        public void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset)
        {
            PartialFrames++;
            if (RingSlots > 0 && _inRing >= RingSlots && frame.Length > 1000) PartialWhileFull++;
            if (frame.Length > 1514) Wrong.Add($"a partial frame of {frame.Length} bytes");
            var copy = frame.ToArray();
            Checksum.FinishPartial(copy.AsSpan(checksumStart), checksumOffset);
            port.Send(copy);
        }

        /// <summary>Answers the stack's question before it builds a segment only when <see cref="AnswerRoom"/> (else it
        /// learns from a refused <see cref="TransmitSegmented"/>).</summary>
        public bool AnswerRoom { get; set; }
        public bool HasRoomForSegmented(int frameLength) => !AnswerRoom || !(Refuse || (RingSlots > 0 && _inRing >= RingSlots));

        public bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize)
        {
            if (Refuse || (RingSlots > 0 && _inRing >= RingSlots)) { Refused++; return false; }
            LargeFrames++;
            if (RingSlots > 0)
            {
                _inRing++;
                var now = Sim!.Now;
                _ringFreeAt = (_ringFreeAt > now ? _ringFreeAt : now) + TimeSpan.FromMilliseconds(1);
                _ = LeaveRing(_ringFreeAt - now);
            }
            int tcpHeader = (frame[14 + 20 + 12] >> 4) * 4;
            if (frame.Length <= 1514 || headerLength != 14 + 20 + tcpHeader || segmentSize + tcpHeader + 20 > Mtu
                || (frame.Length - headerLength) % segmentSize != 0 || BinaryPrimitives.ReadUInt16BigEndian(frame[16..]) != frame.Length - 14)
                Wrong.Add($"frame {frame.Length} header {headerLength} segments of {segmentSize}");
            var copy = frame.ToArray();
            Checksum.FinishPartial(copy.AsSpan(14 + 20), TcpSegment.ChecksumOffset);
            port.Send(copy);
            return true;
        }

        private async Task LeaveRing(TimeSpan after)
        {
            await Sim!.Delay(after);
            _inRing--;
        }

        public void Start(FrameHandler handler) => port.Receiver = frame => handler(frame);
    }

    sealed class Bed
    {
        public readonly Simulator Sim = new(9);
        public readonly TsoDevice ClientDevice;
        public readonly SimulatedNetworkDevice ServerDevice;
        public readonly NetworkStack Client, Server;

        public Bed()
        {
            var link = new SimulatedLink(Sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
            ClientDevice = new TsoDevice(link.A, MacAddress.Parse("02:00:00:00:00:01")) { Sim = Sim };
            ServerDevice = new SimulatedNetworkDevice(link.B, MacAddress.Parse("02:00:00:00:00:02"), 1500);
            Client = new NetworkStack(ClientDevice, Sim.Clock, Sim.Random.Fork("client"), NetworkStackConfig.WithStatic(new IpConfiguration(ClientAddress, 24)));
            Server = new NetworkStack(ServerDevice, Sim.Clock, Sim.Random.Fork("server"), NetworkStackConfig.WithStatic(new IpConfiguration(ServerAddress, 24)));
            Sim.Run(async () => { await Client.StartAsync(); await Server.StartAsync(); }, TimeSpan.FromSeconds(1));
        }

        /// <summary>4 MiB from the client to the server, which answers with a SHA-256 of what it read.</summary>
        public void Upload()
        {
            var data = TcpTestBed.RandomBytes(4 << 20, 5);
            byte[]? received = null;
            Server.Tcp.Listen(9, null, async flow =>
            {
                var (hash, _) = await TcpTestBed.ReceiveAllAsync(flow);
                received = hash;
                await flow.CloseAsync();
            });
            Sim.Run(async () =>
            {
                var connect = await Client.Tcp.ConnectAsync(ServerAddress, 9);
                Assert.True(connect.IsOk, connect.ToString());
                await TcpTestBed.SendAllAsync(connect.Value, data, new SeededRandom(6));
                Assert.True((await connect.Value.ReadAsync()).Value.IsEndOfStream);
                await connect.Value.CloseAsync();
            }, TimeSpan.FromSeconds(60));
            Assert.Equal(SHA256.HashData(data), received);
            Assert.Equal(0, Server.Tcp.Statistics.BadChecksum);
            Assert.Empty(ClientDevice.Wrong);
        }
    }

    [Fact]
    public void Large_segments_go_to_the_device_whole_and_a_receiver_takes_them()
    {
        var bed = new Bed();
        Assert.Equal(65515, bed.Client.Ip.SegmentationLimit(ServerAddress));
        Assert.Equal(0, bed.Client.Ip.SegmentationLimit(ClientAddress));   // to itself: nothing to cut
        bed.Upload();
        Assert.True(bed.ClientDevice.LargeFrames > 20, $"{bed.ClientDevice.LargeFrames} large frames");
        Assert.True(bed.Server.Tcp.Statistics.SegmentsReceived < 2000,
            $"{bed.Server.Tcp.Statistics.SegmentsReceived} segments for 4 MiB: the large ones were taken whole");
    }

    [Fact]
    public void A_device_without_room_gets_the_segments_cut_by_the_stack()
    {
        var bed = new Bed();
        bed.ClientDevice.Refuse = true;
        bed.Upload();
        Assert.True(bed.ClientDevice.Refused > 20, $"{bed.ClientDevice.Refused} refused");
        Assert.Equal(0, bed.ClientDevice.LargeFrames);
        Assert.True(bed.ClientDevice.PartialFrames >= 4 * 1024 * 1024 / 1448, $"{bed.ClientDevice.PartialFrames} MTU-sized frames");
    }

    /// <summary>
    /// A device whose ring holds few large frames (as virtio-net's 256 buffers hold seven of 64 KiB): while data is in
    /// flight the stack waits for the ring instead of cutting its window into MTU-sized frames that a real driver would
    /// have to queue or drop (it did so with every window larger than the ring, losing what its backlog could not hold).
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_device_whose_ring_is_full_makes_the_sender_wait_rather_than_cut(bool answersRoom)
    {
        var bed = new Bed();
        bed.ClientDevice.RingSlots = 4;
        bed.ClientDevice.AnswerRoom = answersRoom;
        bed.Upload();
        if (answersRoom) Assert.Equal(0, bed.ClientDevice.Refused);   // asked first: no segment was built to be refused
        else Assert.True(bed.ClientDevice.Refused > 0, "the ring filled");
        Assert.True(bed.Client.Tcp.Statistics.SegmentsDeferred > 0);
        Assert.Equal(0, bed.ClientDevice.PartialWhileFull);   // nothing cut into MTU-sized frames behind a full ring
        Assert.True(bed.ClientDevice.LargeFrames > 4 * 1024 * 1024 / 65535, $"{bed.ClientDevice.LargeFrames} large frames");
    }
}
