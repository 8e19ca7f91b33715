using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

/// <summary>A view over an IPv4 packet (RFC 791). <see cref="Payload"/> is trimmed to the total length, so link padding is gone.</summary>
public readonly ref struct Ipv4Packet
{
    public const int MinHeaderLength = 20;
    public const int MaxHeaderLength = 60;
    public const int MaxPacketLength = 65535;
    public const byte DefaultTtl = 64;

    private readonly ReadOnlySpan<byte> _bytes;

    private Ipv4Packet(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Validates version, lengths, options, fragment fields and the header checksum.</summary>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, out Ipv4Packet packet)
    {
        packet = default;
        var error = CheckHeader(bytes, out int headerLength);
        if (error != WireError.None) return error;
        int total = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (total < headerLength || total > bytes.Length) return WireError.BadLength;
        if (!Checksum.Verify(0, bytes[..headerLength])) return WireError.BadChecksum;
        var candidate = new Ipv4Packet(bytes[..total]);
        if (candidate.FragmentOffset + candidate.Payload.Length > MaxPacketLength - MinHeaderLength) return WireError.BadValue;
        if (candidate.MoreFragments && (candidate.Payload.Length == 0 || candidate.Payload.Length % 8 != 0)) return WireError.BadValue;
        packet = candidate;
        return WireError.None;
    }

    /// <summary>
    /// Parses the copy of a packet this host sent, as quoted inside an ICMP error: the quote is usually cut short,
    /// so only the header and the first 8 payload bytes must be present; the checksum is not checked (routers may rewrite it).
    /// </summary>
    public static WireError TryParseQuoted(ReadOnlySpan<byte> bytes, out Ipv4Packet packet)
    {
        packet = default;
        var error = CheckHeader(bytes, out int headerLength);
        if (error != WireError.None) return error;
        if (bytes.Length < headerLength + 8) return WireError.Truncated;
        int total = BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]);
        if (total < headerLength) return WireError.BadLength;
        packet = new Ipv4Packet(bytes[..Math.Min(total, bytes.Length)]);
        return WireError.None;
    }

    private static WireError CheckHeader(ReadOnlySpan<byte> bytes, out int headerLength)
    {
        headerLength = 0;
        if (bytes.Length < MinHeaderLength) return WireError.Truncated;
        if (bytes[0] >> 4 != 4) return WireError.Unsupported;
        headerLength = (bytes[0] & 0xF) * 4;
        if (headerLength < MinHeaderLength) return WireError.BadLength;
        if (headerLength > bytes.Length) return WireError.Truncated;
        return CheckOptions(bytes[MinHeaderLength..headerLength]);
    }

    /// <summary>Every option must fit in the header: End (0) and NOP (1) are one byte, all others type-length-value with length ≥ 2.</summary>
    private static WireError CheckOptions(ReadOnlySpan<byte> options)
    {
        int i = 0;
        while (i < options.Length)
        {
            byte type = options[i];
            if (type == 0) return WireError.None;
            if (type == 1) { i++; continue; }
            if (i + 1 >= options.Length) return WireError.BadOptions;
            int length = options[i + 1];
            if (length < 2 || i + length > options.Length) return WireError.BadOptions;
            i += length;
        }
        return WireError.None;
    }

    public int HeaderLength => (_bytes[0] & 0xF) * 4;
    public byte TypeOfService => _bytes[1];
    public int TotalLength => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
    public ushort Identification => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
    public bool DontFragment => (_bytes[6] & 0x40) != 0;
    public bool MoreFragments => (_bytes[6] & 0x20) != 0;
    /// <summary>Offset of this fragment's payload in the original payload, in bytes.</summary>
    public int FragmentOffset => (BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]) & 0x1FFF) * 8;
    public bool IsFragment => MoreFragments || FragmentOffset != 0;
    public byte Ttl => _bytes[8];
    public byte Protocol => _bytes[9];
    public ushort HeaderChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);
    public Ipv4Address Source => Ipv4Address.Read(_bytes[12..]);
    public Ipv4Address Destination => Ipv4Address.Read(_bytes[16..]);
    public ReadOnlySpan<byte> Header => _bytes[..HeaderLength];
    public ReadOnlySpan<byte> Options => _bytes[MinHeaderLength..HeaderLength];
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];
    /// <summary>The whole packet (header and payload, padding excluded).</summary>
    public ReadOnlySpan<byte> Bytes => _bytes;

    /// <summary>Writes a 20-byte header (no options) with a valid checksum at the start of <paramref name="buffer"/>.</summary>
    public static void WriteHeader(Span<byte> buffer, int payloadLength, ushort identification, bool dontFragment, bool moreFragments,
        int fragmentOffset, byte ttl, byte protocol, Ipv4Address source, Ipv4Address destination)
    {
        buffer[0] = 0x45;
        buffer[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)(MinHeaderLength + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], identification);
        int flags = (dontFragment ? 0x4000 : 0) | (moreFragments ? 0x2000 : 0);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], (ushort)(flags | (fragmentOffset / 8)));
        buffer[8] = ttl;
        buffer[9] = protocol;
        buffer[10] = buffer[11] = 0;
        source.Write(buffer[12..]);
        destination.Write(buffer[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[10..], Checksum.Compute(buffer[..MinHeaderLength]));
    }
}
