using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

/// <summary>The TCP control bits (RFC 9293 3.1; ECE/CWR from RFC 3168).</summary>
[Flags]
public enum TcpFlags : byte
{
    None = 0,
    Fin = 0x01,
    Syn = 0x02,
    Rst = 0x04,
    Psh = 0x08,
    Ack = 0x10,
    Urg = 0x20,
    Ece = 0x40,
    Cwr = 0x80,
}

/// <summary>
/// A view over one TCP segment (header, options, payload) in a receive buffer. <see cref="TryParse"/> checks the
/// lengths and the checksum with the IPv4 pseudo-header; options are parsed separately by <see cref="TcpOptions.Parse"/>.
/// </summary>
public readonly ref struct TcpSegment
{
    public const int MinHeaderLength = 20;
    public const int MaxHeaderLength = 60;
    /// <summary>Where the checksum field is, from the start of the header.</summary>
    public const int ChecksumOffset = 16;

    private readonly ReadOnlySpan<byte> _bytes;

    private TcpSegment(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <param name="verifyChecksum">False when the device vouched for the checksum (<see cref="RxChecksum"/>).</param>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, Ipv4Address source, Ipv4Address destination, out TcpSegment segment,
        bool verifyChecksum = true)
    {
        segment = default;
        if (bytes.Length < MinHeaderLength) return WireError.Truncated;
        int headerLength = (bytes[12] >> 4) * 4;
        if (headerLength < MinHeaderLength || headerLength > bytes.Length) return WireError.BadLength;
        if (bytes.Length > 65535) return WireError.BadLength;
        if (verifyChecksum && !Checksum.Verify(Checksum.PseudoHeader(source, destination, 6, bytes.Length), bytes)) return WireError.BadChecksum;
        segment = new TcpSegment(bytes);
        return WireError.None;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
    public uint SequenceNumber => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
    public uint AckNumber => BinaryPrimitives.ReadUInt32BigEndian(_bytes[8..]);
    public int HeaderLength => (_bytes[12] >> 4) * 4;
    public TcpFlags Flags => (TcpFlags)_bytes[13];
    public ushort Window => BinaryPrimitives.ReadUInt16BigEndian(_bytes[14..]);
    public ushort SegmentChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[16..]);
    public ushort UrgentPointer => BinaryPrimitives.ReadUInt16BigEndian(_bytes[18..]);
    public ReadOnlySpan<byte> Options => _bytes[MinHeaderLength..HeaderLength];
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];

    public bool Has(TcpFlags flag) => (Flags & flag) != 0;

    /// <summary>Sequence space the segment occupies: payload plus one each for SYN and FIN.</summary>
    public int SequenceLength => Payload.Length + (Has(TcpFlags.Syn) ? 1 : 0) + (Has(TcpFlags.Fin) ? 1 : 0);

    /// <summary>
    /// Writes a header whose options (<paramref name="optionsLength"/> bytes, a multiple of 4) and payload are already in
    /// place after it; fills in the checksum, or with <paramref name="partialChecksum"/> only its pseudo-header part
    /// (<see cref="Checksum.PartialSeed"/>) for a device that finishes it. Returns the segment length.
    /// </summary>
    public static int WriteHeader(Span<byte> buffer, ushort sourcePort, ushort destinationPort, uint sequence, uint ack,
        TcpFlags flags, ushort window, int optionsLength, int payloadLength, Ipv4Address source, Ipv4Address destination,
        bool partialChecksum = false)
    {
        int headerLength = MinHeaderLength + optionsLength;
        int length = headerLength + payloadLength;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[8..], ack);
        buffer[12] = (byte)((headerLength / 4) << 4);
        buffer[13] = (byte)flags;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[14..], window);
        buffer[16] = buffer[17] = 0;
        buffer[18] = buffer[19] = 0;
        uint pseudo = Checksum.PseudoHeader(source, destination, 6, length);
        ushort sum = partialChecksum ? Checksum.PartialSeed(pseudo) : Checksum.Finish(Checksum.Add(pseudo, buffer[..length]));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[ChecksumOffset..], sum);
        return length;
    }
}
