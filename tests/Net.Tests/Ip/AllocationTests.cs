using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using Xunit;
using static CosmosNet.Net.Tests.Ip.IpTestBed;

namespace CosmosNet.Net.Tests.Ip;

/// <summary>The input and output paths below TCP allocate nothing per packet once warmed up.</summary>
public class AllocationTests
{
    private sealed class NullDevice(MacAddress mac) : INetworkDevice
    {
        public long Sent;
        public MacAddress MacAddress { get; } = mac;
        public int Mtu => 1500;
        public void Transmit(ReadOnlySpan<byte> frame) => Sent++;
        public void Start(FrameHandler handler) { }
    }

    [Fact]
    public void SteadyStateReceiveAndReplyPathsDoNotAllocate()
    {
        var device = new NullDevice(MacA);
        var clock = new VirtualClock();
        var nic = new NetworkInterface(device, clock, new SeededRandom(1));
        nic.Configure(new IpConfiguration(AddrA, 24));
        var udp = new UdpLayer(nic, new SeededRandom(2), nic.Statistics);
        long delivered = 0;
        udp.Bind(7, (source, _, data) => { delivered += data.Length; udp.Send(7, source, data); });
        nic.ReceiveFrame(ArpFrame(ArpOperation.Request, MacB, AddrB, MacAddress.Zero, AddrA)); // learn B

        var ping = new byte[8 + 56];
        IcmpMessage.Write(ping, IcmpType.EchoRequest, 0, 0x0001_0001, new byte[56]);
        var pingFrame = IpFrame(1, ping);
        var datagram = new byte[8 + 100];
        UdpDatagram.WriteHeader(datagram, 4000, 7, 100, AddrB, AddrA);
        var udpFrame = IpFrame(17, datagram);
        var closed = (byte[])datagram.Clone();
        UdpDatagram.WriteHeader(closed, 4000, 9, 100, AddrB, AddrA);
        var closedFrame = IpFrame(17, closed);

        void Round(int n)
        {
            for (int i = 0; i < n; i++)
            {
                nic.ReceiveFrame(pingFrame);
                nic.ReceiveFrame(udpFrame);
                nic.ReceiveFrame(closedFrame); // port unreachable (until the ICMP rate limit; the clock stands still)
            }
        }

        Round(1000); // warm-up: JIT, lazy buffers
        long before = GC.GetAllocatedBytesForCurrentThread();
        long sentBefore = device.Sent;
        Round(10_000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(device.Sent - sentBefore >= 20_000, $"sent {device.Sent - sentBefore}");
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for 30,000 packets in and 20,000 out");
        Assert.Equal(11_000 * 100, delivered);
    }
}
