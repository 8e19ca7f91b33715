using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Simulation;

/// <summary>Writes packets to a pcap file stamped with virtual time (nanosecond resolution), for Wireshark/tcpdump -r.</summary>
public sealed class PcapWriter : IDisposable
{
    /// <summary>LINKTYPE_ETHERNET for frames, LINKTYPE_RAW for bare IPv4 packets.</summary>
    public const uint Ethernet = 1, RawIp = 101;

    private readonly Stream _stream;
    private readonly IClock _clock;
    private readonly byte[] _header = new byte[24];

    public PcapWriter(Stream stream, IClock clock, uint linkType = Ethernet)
    {
        _stream = stream;
        _clock = clock;
        var h = _header.AsSpan();
        BinaryPrimitives.WriteUInt32LittleEndian(h, 0xa1b23c4d); // nanosecond-resolution pcap
        BinaryPrimitives.WriteUInt16LittleEndian(h[4..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(h[6..], 4);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], 65535);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], linkType);
        _stream.Write(h);
    }

    /// <summary>Captures what both directions of <paramref name="link"/> deliver.</summary>
    public void Capture(SimulatedLink link)
    {
        link.AtoB.Observer = Write;
        link.BtoA.Observer = Write;
    }

    public void Write(ReadOnlySpan<byte> packet)
    {
        long now = _clock.NowNanoseconds;
        var h = _header.AsSpan(0, 16);
        BinaryPrimitives.WriteUInt32LittleEndian(h, (uint)(now / 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], (uint)(now % 1_000_000_000));
        BinaryPrimitives.WriteUInt32LittleEndian(h[8..], (uint)packet.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(h[12..], (uint)packet.Length);
        _stream.Write(h);
        _stream.Write(packet);
    }

    public void Dispose() => _stream.Dispose();
}
