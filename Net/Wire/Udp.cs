using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

/// <summary>A view over a UDP datagram (RFC 768). <see cref="Payload"/> is trimmed to the length field.</summary>
public readonly ref struct UdpDatagram
{
    public const int HeaderLength = 8;
    public const int MaxPayload = 65535 - HeaderLength - Ipv4Packet.MinHeaderLength;

    private readonly ReadOnlySpan<byte> _bytes;

    private UdpDatagram(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Validates the length field and, unless the sender left it zero, the checksum with the pseudo-header.</summary>
    /// <param name="verifyChecksum">False when the device vouched for the checksum (<see cref="RxChecksum"/>).</param>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, Ipv4Address source, Ipv4Address destination, out UdpDatagram datagram,
        bool verifyChecksum = true)
    {
        datagram = default;
        if (bytes.Length < HeaderLength) return WireError.Truncated;
        int length = BinaryPrimitives.ReadUInt16BigEndian(bytes[4..]);
        if (length < HeaderLength || length > bytes.Length) return WireError.BadLength;
        bytes = bytes[..length];
        if (verifyChecksum && BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]) != 0
            && !Checksum.Verify(Checksum.PseudoHeader(source, destination, 17, length), bytes))
            return WireError.BadChecksum;
        datagram = new UdpDatagram(bytes);
        return WireError.None;
    }

    public ushort SourcePort => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
    public ushort DestinationPort => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
    public int Length => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
    public ushort DatagramChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];

    /// <summary>
    /// Writes the header in front of a payload already placed at <c>buffer[8..8+payloadLength]</c> and fills in the checksum.
    /// Returns the datagram length.
    /// </summary>
    /// <param name="checksum">False leaves the checksum 0, "none" (RFC 768): for datagrams that cross no wire.</param>
    public static int WriteHeader(Span<byte> buffer, ushort sourcePort, ushort destinationPort, int payloadLength,
        Ipv4Address source, Ipv4Address destination, bool checksum = true)
    {
        int length = HeaderLength + payloadLength;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], (ushort)length);
        buffer[6] = buffer[7] = 0;
        if (!checksum) return length;
        ushort sum = Checksum.Finish(Checksum.Add(Checksum.PseudoHeader(source, destination, 17, length), buffer[..length]));
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], sum == 0 ? (ushort)0xFFFF : sum); // 0 means "no checksum"
        return length;
    }
}
