using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Simulation;

/// <summary>
/// The fuzzing target for the stack's input path. Two stacks (A 10.0.0.1, B 10.0.0.2) share a simulated link; A has an
/// established connection to B's TCP echo on port 80 and B has a UDP echo on port 7. The input is a sequence of records,
/// each injected into B's <see cref="NetworkInterface.ReceiveFrame"/> as if it came from the wire, then virtual time
/// runs on so timers react. Any exception escaping is a bug (the input path must count and drop bad input).
/// </summary>
/// <remarks>
/// A record is [flags:1][length:2, little-endian][bytes]. Flags:
/// bit 0 — the bytes are a whole Ethernet frame (else an IPv4 packet, framed from A's MAC to B's);
/// bit 1 — fix the IPv4 header checksum and the TCP/UDP/ICMP checksum, so the fuzzer gets past them;
/// bit 2 — TCP "relative" mode: addresses and ports are set to A's live connection, and the sequence and
///         acknowledgement numbers are offsets from the last ones A sent, so the fuzzer reaches established-state code;
/// bits 4–7 — k: before injecting, advance virtual time by 2^(k-1) ms (k = 0: not at all).
/// </remarks>
public static class StackFuzzTarget
{
    public static readonly Ipv4Address AddressA = new(10, 0, 0, 1), AddressB = new(10, 0, 0, 2);
    public static readonly MacAddress MacA = new(0x0200_0000_0001), MacB = new(0x0200_0000_0002);
    public const ushort TcpPort = 80, UdpPort = 7;

    /// <summary>Runs one input; returns B's counters afterwards (what the input reached), or throws if the stack did.</summary>
    public static string Run(ReadOnlySpan<byte> input) => new World().Run(input);

    private sealed class World
    {
        private readonly Simulator _sim = new(1, new SimulationOptions { MaxStepsPerInstant = 2_000_000, WallClockLimit = TimeSpan.FromSeconds(30) });
        private readonly NetworkInterface _ipB;
        private readonly TcpStack _tcpA, _tcpB;
        private readonly UdpLayer _udpB;
        private ushort _portA;
        private uint _nextSeqA, _ackA;

        public World()
        {
            var link = new SimulatedLink(_sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
            var a = Stack(link.A, MacA, AddressA, "a");
            var b = Stack(link.B, MacB, AddressB, "b");
            _ipB = b.Ip;
            _tcpA = a.Tcp;
            _tcpB = b.Tcp;
            _udpB = b.Udp;
            UdpSocket? echo = null;
            echo = _udpB.Bind(UdpPort, (source, _, payload) => echo!.Send(source, payload)).Value;
            _tcpB.Listen(TcpPort, null, EchoAsync);
            link.AtoB.Observer = WatchA;
        }

        private NetworkStack Stack(LinkEnd end, MacAddress mac, Ipv4Address address, string name)
        {
            var stack = new NetworkStack(new SimulatedNetworkDevice(end, mac), _sim.Clock, _sim.Random.Fork(name),
                NetworkStackConfig.WithStatic(new IpConfiguration(address, 24)));
            _ = stack.StartAsync();
            return stack;
        }

        public string Run(ReadOnlySpan<byte> input)
        {
            _sim.Run(async () =>
            {
                var connected = await _tcpA.ConnectAsync(AddressB, TcpPort);
                var flow = connected.Value;
                await flow.WriteAsync(new byte[100]);
                var buffer = new byte[100];
                for (int got = 0; got < 100;) got += (await flow.ReadAsync(buffer)).Value.Count;
            }, TimeSpan.FromSeconds(10));

            while (input.Length >= 3)
            {
                byte flags = input[0];
                int length = Math.Min(BinaryPrimitives.ReadUInt16LittleEndian(input[1..]), input.Length - 3);
                var frame = Frame(flags, input.Slice(3, length));
                input = input[(3 + length)..];
                int k = flags >> 4;
                if (k > 0) _sim.RunFor(TimeSpan.FromMilliseconds(1 << (k - 1)));
                _sim.Post(() => _ipB.ReceiveFrame(frame));
                _sim.RunFor(TimeSpan.Zero);
            }
            _sim.RunFor(TimeSpan.FromMinutes(3)); // let retransmissions, keepalives and TIME_WAIT play out
            return $"net: {_ipB.Statistics.ToString().Trim().ReplaceLineEndings(" ")}\ntcp: {_tcpB.Statistics}";
        }

        private static async Task EchoAsync(TcpFlow flow)
        {
            var buffer = new byte[4096];
            while (true)
            {
                var r = await flow.ReadAsync(buffer);
                if (!r.IsOk || r.Value.IsEndOfStream) break;
                if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
            }
            await flow.CloseAsync();
        }

        /// <summary>Remembers the ports and sequence numbers of the last TCP segment A sent, for relative mode.</summary>
        private void WatchA(ReadOnlySpan<byte> frame)
        {
            if (frame.Length < 14 + 20 + 20 || BinaryPrimitives.ReadUInt16BigEndian(frame[12..]) != 0x0800) return;
            var ip = frame[14..];
            int ihl = (ip[0] & 0xF) * 4;
            if (ip[9] != 6 || ip.Length < ihl + 20) return;
            var tcp = ip[ihl..];
            int payload = BinaryPrimitives.ReadUInt16BigEndian(ip[2..]) - ihl - (tcp[12] >> 4) * 4;
            _portA = BinaryPrimitives.ReadUInt16BigEndian(tcp);
            _nextSeqA = BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) + (uint)Math.Max(payload, 0) + ((tcp[13] & 0x03) != 0 ? 1u : 0u);
            _ackA = BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]);
        }

        private byte[] Frame(byte flags, ReadOnlySpan<byte> bytes)
        {
            if ((flags & 1) != 0) return bytes.ToArray();
            var frame = new byte[14 + bytes.Length];
            EthernetFrame.WriteHeader(frame, MacB, MacA, EtherType.Ipv4);
            bytes.CopyTo(frame.AsSpan(14));
            var ip = frame.AsSpan(14);
            if (ip.Length < 20) return frame;
            int ihl = Math.Max((ip[0] & 0xF) * 4, 20);
            if (ip.Length < ihl) return frame;
            int total = Math.Clamp(BinaryPrimitives.ReadUInt16BigEndian(ip[2..]), ihl, ip.Length);
            bool relative = (flags & 4) != 0 && ip[9] == 6 && total >= ihl + 20;
            if (relative)
            {
                AddressA.Write(ip[12..]);
                AddressB.Write(ip[16..]);
                var tcp = ip[ihl..];
                BinaryPrimitives.WriteUInt16BigEndian(tcp, _portA);
                BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], TcpPort);
                BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], BinaryPrimitives.ReadUInt32BigEndian(tcp[4..]) + _nextSeqA);
                BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], BinaryPrimitives.ReadUInt32BigEndian(tcp[8..]) + _ackA);
            }
            if ((flags & 2) != 0 || relative) FixChecksums(ip, ihl, total);
            return frame;
        }

        private static void FixChecksums(Span<byte> ip, int ihl, int total)
        {
            ip[10] = ip[11] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..ihl]));
            if ((BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x3FFF) != 0) return; // a fragment: the checksum covers the whole datagram
            var body = ip[ihl..total];
            int at = ip[9] switch { 6 => 16, 17 => 6, 1 => 2, _ => -1 };
            if (at < 0 || body.Length < at + 2) return;
            body[at] = body[at + 1] = 0;
            uint sum = ip[9] == 1 ? 0 : Checksum.PseudoHeader(Ipv4Address.Read(ip[12..]), Ipv4Address.Read(ip[16..]), ip[9], body.Length);
            ushort c = Checksum.Finish(Checksum.Add(sum, body));
            if (ip[9] == 17 && c == 0) c = 0xFFFF; // UDP: zero means "no checksum"
            BinaryPrimitives.WriteUInt16BigEndian(body[at..], c);
        }
    }

    /// <summary>Builds one input record (for seeds and tests).</summary>
    public static byte[] Record(byte flags, ReadOnlySpan<byte> bytes)
    {
        var r = new byte[3 + bytes.Length];
        r[0] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(r.AsSpan(1), (ushort)bytes.Length);
        bytes.CopyTo(r.AsSpan(3));
        return r;
    }
}
