using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Bench;

/// <summary>
/// Full-size in-order data segments through the whole input path (Ethernet → IPv4 → TCP → receive buffer) of an
/// established connection, the application reading as it goes. One operation = <see cref="Segments"/> segments, so
/// the reported time and allocation are per segment.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class InputPathBenchmarks
{
    public const int Segments = 64;
    private const int Mss = 1448;
    private const int ReadEvery = 16;

    private static readonly Ipv4Address Client = new(10, 0, 0, 1), Server = new(10, 0, 0, 2);
    private static readonly MacAddress ClientMac = new(0x0200_0000_0001), ServerMac = new(0x0200_0000_0002);
    private const ushort ClientPort = 40000, ServerPort = 80;

    private readonly byte[] _frame = new byte[14 + 20 + 20 + Mss];
    private readonly byte[] _readBuffer = new byte[ReadEvery * Mss];
    private NetworkInterface _ip = null!;
    private TcpFlow _flow = null!;
    private CaptureDevice _device = null!;
    private uint _seq, _ack;
    private uint _payloadSum;

    [GlobalSetup]
    public void Setup()
    {
        var clock = new VirtualClock();
        _device = new CaptureDevice(ServerMac);
        var stack = new NetworkStack(_device, clock, new SeededRandom(1), NetworkStackConfig.WithStatic(new IpConfiguration(Server, 24)));
        _ = stack.StartAsync();
        _ip = stack.Ip;
        var tcp = stack.Tcp;
        TcpFlow? accepted = null;
        tcp.Listen(ServerPort, null, f => { accepted = f; return Task.CompletedTask; });

        // ARP so the server knows where to answer, then the three-way handshake.
        var arp = new byte[42];
        EthernetFrame.WriteHeader(arp, ServerMac, ClientMac, EtherType.Arp);
        byte[] request = [0, 1, 8, 0, 6, 4, 0, 1];
        request.CopyTo(arp.AsSpan(14));
        ClientMac.Write(arp.AsSpan(22)); Client.Write(arp.AsSpan(28)); Server.Write(arp.AsSpan(38));
        _ip.ReceiveFrame(arp);

        _seq = 1000;
        _ip.ReceiveFrame(Segment(TcpFlags.Syn, [2, 4, Mss >> 8, Mss & 0xFF], 0));
        var synAck = _device.Last.AsSpan(14 + 20);
        _ack = BinaryPrimitives.ReadUInt32BigEndian(synAck[4..]) + 1;
        _seq++;
        _ip.ReceiveFrame(Segment(TcpFlags.Ack, [], 0));
        _flow = accepted ?? throw new InvalidOperationException("handshake failed: " + tcp.Statistics);

        new SeededRandom(3).Fill(_frame.AsSpan(14 + 40));
        _payloadSum = Checksum.Add(0, _frame.AsSpan(14 + 40, Mss));

        // Sanity: one segment must land in the receive buffer, or the figures would measure the drop path.
        WriteDataSegment();
        _ip.ReceiveFrame(_frame);
        _seq += Mss;
        if (_flow.ReadableBytes != Mss)
            throw new InvalidOperationException($"data segment not accepted: ip {_ip.Statistics.ToString().ReplaceLineEndings(" ")}; tcp {tcp.Statistics}; {_flow}");
        _flow.ReadAsync(_readBuffer.AsMemory(0, Mss));
    }

    [Benchmark(OperationsPerInvoke = Segments, Description = "data segment in (full input path, app reading)")]
    public void DataSegment()
    {
        for (int i = 0; i < Segments; i++)
        {
            WriteDataSegment();
            _ip.ReceiveFrame(_frame);
            _seq += Mss;
            if (i % ReadEvery == ReadEvery - 1) Drain();
        }
    }

    [Benchmark(OperationsPerInvoke = Segments, Description = "duplicate data segment in (all checks, dup ACK out, no read)")]
    public void DuplicateSegment()
    {
        uint next = _seq;
        _seq -= Mss; // the last segment again: already received
        WriteDataSegment();
        for (int i = 0; i < Segments; i++) _ip.ReceiveFrame(_frame);
        _seq = next;
    }

    private void Drain()
    {
        var r = _flow.ReadAsync(_readBuffer);
        if (!r.IsCompletedSuccessfully || !r.Result.IsOk || r.Result.Value.Count != _readBuffer.Length)
            throw new InvalidOperationException($"read did not return the segments: {(r.IsCompleted ? r.Result.ToString() : "pending")}");
    }

    /// <summary>Rewrites the headers of the reusable data frame for the next sequence number (payload checksum precomputed).</summary>
    private void WriteDataSegment()
    {
        var f = _frame.AsSpan();
        WriteHeaders(f, TcpFlags.Ack | TcpFlags.Psh, 0, Mss);
        var tcp = f[34..];
        uint sum = Checksum.PseudoHeader(Client, Server, 6, 20 + Mss);
        sum = Checksum.Add(sum, tcp[..20]);
        ulong total = (ulong)sum + _payloadSum; // one's-complement: fold the carry back in
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.Finish((uint)total + (uint)(total >> 32)));
    }

    private byte[] Segment(TcpFlags flags, byte[] options, int payload)
    {
        var f = new byte[14 + 20 + 20 + options.Length + payload];
        options.CopyTo(f.AsSpan(54));
        WriteHeaders(f, flags, options.Length, payload);
        var tcp = f.AsSpan(34);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[16..], Checksum.Finish(Checksum.Add(Checksum.PseudoHeader(Client, Server, 6, tcp.Length), tcp)));
        return f;
    }

    private void WriteHeaders(Span<byte> f, TcpFlags flags, int optionsLength, int payload)
    {
        EthernetFrame.WriteHeader(f, ServerMac, ClientMac, EtherType.Ipv4);
        var ip = f[14..];
        ip[0] = 0x45; ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(40 + optionsLength + payload));
        BinaryPrimitives.WriteUInt32BigEndian(ip[4..], 0x4000); // id 0, DF
        ip[8] = 64; ip[9] = 6; ip[10] = ip[11] = 0;
        Client.Write(ip[12..]); Server.Write(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum.Compute(ip[..20]));
        var tcp = ip[20..];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, ClientPort);
        BinaryPrimitives.WriteUInt16BigEndian(tcp[2..], ServerPort);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[4..], _seq);
        BinaryPrimitives.WriteUInt32BigEndian(tcp[8..], flags.HasFlag(TcpFlags.Ack) ? _ack : 0);
        tcp[12] = (byte)((20 + optionsLength) / 4 << 4);
        tcp[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(tcp[14..], 65535);
        tcp[16] = tcp[17] = tcp[18] = tcp[19] = 0;
    }

    /// <summary>A device that keeps the last frame the stack sent (the SYN-ACK, then ACKs) and drops the rest.</summary>
    private sealed class CaptureDevice(MacAddress mac) : INetworkDevice
    {
        public byte[] Last = [];
        public MacAddress MacAddress => mac;
        public int Mtu => 1500;
        public void Start(FrameHandler handler) { }
        public void Transmit(ReadOnlySpan<byte> frame) { if (Last.Length < frame.Length) Last = new byte[frame.Length]; frame.CopyTo(Last); }
    }
}
