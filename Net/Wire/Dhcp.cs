using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

public enum DhcpMessageType : byte
{
    Discover = 1,
    Offer = 2,
    Request = 3,
    Decline = 4,
    Ack = 5,
    Nak = 6,
    Release = 7,
    Inform = 8,
}

/// <summary>DHCP option codes the stack reads or writes (RFC 2132).</summary>
public static class DhcpOption
{
    public const byte Pad = 0;
    public const byte SubnetMask = 1;
    public const byte Router = 3;
    public const byte DnsServers = 6;
    public const byte HostName = 12;
    public const byte RequestedAddress = 50;
    public const byte LeaseTime = 51;
    public const byte MessageType = 53;
    public const byte ServerIdentifier = 54;
    public const byte ParameterRequestList = 55;
    public const byte MaxMessageSize = 57;
    public const byte RenewalTime = 58;
    public const byte RebindingTime = 59;
    public const byte ClientIdentifier = 61;
    public const byte End = 255;
}

/// <summary>A view over a DHCP message (RFC 2131): the BOOTP fixed part, the magic cookie, then options.</summary>
public readonly ref struct DhcpMessage
{
    public const int FixedLength = 236;
    public const int OptionsOffset = FixedLength + 4;
    public const uint MagicCookie = 0x63825363;
    public const ushort ServerPort = 67;
    public const ushort ClientPort = 68;
    public const byte OpRequest = 1;
    public const byte OpReply = 2;

    private readonly ReadOnlySpan<byte> _bytes;

    private DhcpMessage(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Validates op, hardware type, the cookie and that every option fits before an End option.</summary>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, out DhcpMessage message)
    {
        message = default;
        if (bytes.Length < OptionsOffset) return WireError.Truncated;
        if (bytes[0] != OpRequest && bytes[0] != OpReply) return WireError.BadValue;
        if (bytes[1] != 1 || bytes[2] != 6) return WireError.Unsupported;
        if (BinaryPrimitives.ReadUInt32BigEndian(bytes[FixedLength..]) != MagicCookie) return WireError.Unsupported;
        int i = OptionsOffset;
        while (true)
        {
            if (i >= bytes.Length) return WireError.BadOptions; // no End option
            byte code = bytes[i];
            if (code == DhcpOption.End) break;
            if (code == DhcpOption.Pad) { i++; continue; }
            if (i + 1 >= bytes.Length || i + 2 + bytes[i + 1] > bytes.Length) return WireError.BadOptions;
            i += 2 + bytes[i + 1];
        }
        var candidate = new DhcpMessage(bytes);
        if (candidate.TryGetOption(DhcpOption.MessageType, out var type) && (type.Length != 1 || type[0] is 0 or > 8))
            return WireError.BadOptions;
        message = candidate;
        return WireError.None;
    }

    public byte Op => _bytes[0];
    public uint TransactionId => BinaryPrimitives.ReadUInt32BigEndian(_bytes[4..]);
    public ushort Seconds => BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]);
    public bool Broadcast => (_bytes[10] & 0x80) != 0;
    public Ipv4Address ClientAddress => Ipv4Address.Read(_bytes[12..]);
    public Ipv4Address YourAddress => Ipv4Address.Read(_bytes[16..]);
    public Ipv4Address ServerAddress => Ipv4Address.Read(_bytes[20..]);
    public Ipv4Address RelayAddress => Ipv4Address.Read(_bytes[24..]);
    public MacAddress ClientHardware => MacAddress.Read(_bytes[28..]);

    /// <summary>The message type option; 0 when absent (a plain BOOTP message).</summary>
    public DhcpMessageType MessageType => TryGetOption(DhcpOption.MessageType, out var v) ? (DhcpMessageType)v[0] : 0;

    /// <summary>Finds the first option with <paramref name="code"/> (the options were validated by <see cref="TryParse"/>).</summary>
    public bool TryGetOption(byte code, out ReadOnlySpan<byte> value)
    {
        value = default;
        int i = OptionsOffset;
        while (i < _bytes.Length && _bytes[i] != DhcpOption.End)
        {
            if (_bytes[i] == DhcpOption.Pad) { i++; continue; }
            int length = _bytes[i + 1];
            if (_bytes[i] == code) { value = _bytes.Slice(i + 2, length); return true; }
            i += 2 + length;
        }
        return false;
    }

    /// <summary>An option holding one address (or the first of a list); false when absent or shorter than 4 bytes.</summary>
    public bool TryGetAddress(byte code, out Ipv4Address address)
    {
        address = Ipv4Address.Any;
        if (!TryGetOption(code, out var v) || v.Length < 4) return false;
        address = Ipv4Address.Read(v);
        return true;
    }

    /// <summary>An option holding a 32-bit number (lease times); false when absent or not exactly 4 bytes.</summary>
    public bool TryGetUInt32(byte code, out uint value)
    {
        value = 0;
        if (!TryGetOption(code, out var v) || v.Length != 4) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(v);
        return true;
    }
}

/// <summary>Builds a DHCP message in a caller's buffer: the fixed part, then options, then <see cref="Finish"/>.</summary>
public ref struct DhcpWriter
{
    /// <summary>Room for the fixed part plus every option the client writes.</summary>
    public const int MaxLength = 576 - Ipv4Packet.MinHeaderLength - UdpDatagram.HeaderLength;

    private readonly Span<byte> _buffer;
    private int _length;

    public DhcpWriter(Span<byte> buffer, byte op, uint transactionId, MacAddress clientHardware, bool broadcast,
        Ipv4Address clientAddress = default, Ipv4Address yourAddress = default, Ipv4Address serverAddress = default)
    {
        _buffer = buffer;
        buffer[..DhcpMessage.OptionsOffset].Clear();
        buffer[0] = op;
        buffer[1] = 1;
        buffer[2] = 6;
        BinaryPrimitives.WriteUInt32BigEndian(buffer[4..], transactionId);
        if (broadcast) buffer[10] = 0x80;
        clientAddress.Write(buffer[12..]);
        yourAddress.Write(buffer[16..]);
        serverAddress.Write(buffer[20..]);
        clientHardware.Write(buffer[28..]);
        BinaryPrimitives.WriteUInt32BigEndian(buffer[DhcpMessage.FixedLength..], DhcpMessage.MagicCookie);
        _length = DhcpMessage.OptionsOffset;
    }

    public void Option(byte code, scoped ReadOnlySpan<byte> value)
    {
        _buffer[_length] = code;
        _buffer[_length + 1] = (byte)value.Length;
        value.CopyTo(_buffer[(_length + 2)..]);
        _length += 2 + value.Length;
    }

    public void Option(byte code, byte value) => Option(code, [value]);

    public void Option(byte code, Ipv4Address value)
    {
        Span<byte> b = stackalloc byte[4];
        value.Write(b);
        Option(code, b);
    }

    public void Option(byte code, uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, value);
        Option(code, b);
    }

    /// <summary>Writes the End option, pads to the BOOTP minimum of 300 bytes, and returns the message length.</summary>
    public int Finish()
    {
        _buffer[_length++] = DhcpOption.End;
        while (_length < 300) _buffer[_length++] = 0;
        return _length;
    }
}
