using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

public enum ArpOperation : ushort
{
    Request = 1,
    Reply = 2,
}

/// <summary>A view over an ARP packet for IPv4 over Ethernet (RFC 826), the only kind the stack speaks.</summary>
public readonly ref struct ArpPacket
{
    public const int Length = 28;

    private readonly ReadOnlySpan<byte> _bytes;

    private ArpPacket(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    /// <summary>Accepts Ethernet/IPv4 requests and replies; trailing padding is ignored.</summary>
    public static WireError TryParse(ReadOnlySpan<byte> bytes, out ArpPacket packet)
    {
        packet = default;
        if (bytes.Length < Length) return WireError.Truncated;
        if (BinaryPrimitives.ReadUInt16BigEndian(bytes) != 1 || BinaryPrimitives.ReadUInt16BigEndian(bytes[2..]) != (ushort)EtherType.Ipv4
            || bytes[4] != 6 || bytes[5] != 4)
            return WireError.Unsupported;
        var op = BinaryPrimitives.ReadUInt16BigEndian(bytes[6..]);
        if (op != (ushort)ArpOperation.Request && op != (ushort)ArpOperation.Reply) return WireError.BadValue;
        packet = new ArpPacket(bytes[..Length]);
        return WireError.None;
    }

    public ArpOperation Operation => (ArpOperation)BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    public MacAddress SenderHardware => MacAddress.Read(_bytes[8..]);
    public Ipv4Address SenderProtocol => Ipv4Address.Read(_bytes[14..]);
    public MacAddress TargetHardware => MacAddress.Read(_bytes[18..]);
    public Ipv4Address TargetProtocol => Ipv4Address.Read(_bytes[24..]);

    /// <summary>Writes a 28-byte ARP packet at the start of <paramref name="buffer"/>.</summary>
    public static void Write(Span<byte> buffer, ArpOperation operation, MacAddress senderHardware, Ipv4Address senderProtocol,
        MacAddress targetHardware, Ipv4Address targetProtocol)
    {
        BinaryPrimitives.WriteUInt16BigEndian(buffer, 1);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[2..], (ushort)EtherType.Ipv4);
        buffer[4] = 6;
        buffer[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], (ushort)operation);
        senderHardware.Write(buffer[8..]);
        senderProtocol.Write(buffer[14..]);
        targetHardware.Write(buffer[18..]);
        targetProtocol.Write(buffer[24..]);
    }
}
