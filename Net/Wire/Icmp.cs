using System.Buffers.Binary;

namespace CosmosNet.Net.Wire;

public enum IcmpType : byte
{
    EchoReply = 0,
    DestinationUnreachable = 3,
    SourceQuench = 4,
    Redirect = 5,
    EchoRequest = 8,
    TimeExceeded = 11,
    ParameterProblem = 12,
}

/// <summary>Codes of <see cref="IcmpType.DestinationUnreachable"/> (RFC 792, RFC 1122, RFC 1812).</summary>
public enum IcmpUnreachableCode : byte
{
    Net = 0,
    Host = 1,
    Protocol = 2,
    Port = 3,
    FragmentationNeeded = 4,
    SourceRouteFailed = 5,
    NetUnknown = 6,
    HostUnknown = 7,
    NetProhibited = 9,
    HostProhibited = 10,
    AdministrativelyProhibited = 13,
}

/// <summary>A view over an ICMPv4 message (RFC 792): 8-byte header, then data.</summary>
public readonly ref struct IcmpMessage
{
    public const int HeaderLength = 8;
    /// <summary>How much of an offending packet an error quotes: the IP header plus 8 bytes at least (RFC 792); we quote up to this many bytes.</summary>
    public const int MaxQuoteLength = 548; // keeps the error within 576 bytes (RFC 1812 4.3.2.3)

    private readonly ReadOnlySpan<byte> _bytes;

    private IcmpMessage(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Validates the length and the checksum over the whole message.</summary>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, out IcmpMessage message)
    {
        message = default;
        if (bytes.Length < HeaderLength) return WireError.Truncated;
        if (!Checksum.Verify(0, bytes)) return WireError.BadChecksum;
        message = new IcmpMessage(bytes);
        return WireError.None;
    }

    public IcmpType Type => (IcmpType)_bytes[0];
    public byte Code => _bytes[1];
    public ushort MessageChecksum => BinaryPrimitives.ReadUInt16BigEndian(_bytes[2..]);
    /// <summary>Echo identifier (bytes 4-5 of the header).</summary>
    public ushort Identifier => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
    /// <summary>Echo sequence number (bytes 6-7 of the header).</summary>
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    /// <summary>Next-hop MTU of a "fragmentation needed" error (RFC 1191), 0 when the router did not say.</summary>
    public int NextHopMtu => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    /// <summary>The 4 bytes after type, code and checksum.</summary>
    public ReadOnlySpan<byte> RestOfHeader => _bytes[4..HeaderLength];
    public ReadOnlySpan<byte> Data => _bytes[HeaderLength..];
    public bool IsError => Type is IcmpType.DestinationUnreachable or IcmpType.SourceQuench or IcmpType.Redirect
        or IcmpType.TimeExceeded or IcmpType.ParameterProblem;

    /// <summary>
    /// Writes a message of 8 header bytes plus <paramref name="data"/> into <paramref name="buffer"/> and returns its length.
    /// <paramref name="data"/> may already sit at <c>buffer[8..]</c> (it is copied with overlap-safe semantics).
    /// </summary>
    public static int Write(Span<byte> buffer, IcmpType type, byte code, uint restOfHeader, ReadOnlySpan<byte> data)
    {
        int length = HeaderLength + data.Length;
        data.CopyTo(buffer[HeaderLength..]);
        buffer[0] = (byte)type;
        buffer[1] = code;
        buffer[2] = buffer[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], restOfHeader);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], Checksum.Compute(buffer[..length]));
        return length;
    }
}
