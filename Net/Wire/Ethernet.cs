using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

public enum EtherType : ushort
{
    Ipv4 = 0x0800,
    Arp = 0x0806,
}

/// <summary>A view over an Ethernet II frame (no FCS, no VLAN tag).</summary>
public readonly ref struct EthernetFrame
{
    public const int HeaderLength = 14;
    /// <summary>Smallest frame on the wire without FCS; shorter frames are padded on transmit.</summary>
    public const int MinFrameLength = 60;

    private readonly ReadOnlySpan<byte> _bytes;

    private EthernetFrame(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static WireError TryParse(ReadOnlySpan<byte> bytes, out EthernetFrame frame)
    {
        frame = default;
        if (bytes.Length < HeaderLength) return WireError.Truncated;
        frame = new EthernetFrame(bytes);
        return WireError.None;
    }

    public MacAddress Destination => MacAddress.Read(_bytes);
    public MacAddress Source => MacAddress.Read(_bytes[6..]);
    public EtherType EtherType => (EtherType)BinaryPrimitives.ReadUInt16BigEndian(_bytes[12..]);
    public ReadOnlySpan<byte> Payload => _bytes[HeaderLength..];

    /// <summary>Writes the 14-byte header at the start of <paramref name="frame"/>.</summary>
    public static void WriteHeader(Span<byte> frame, MacAddress destination, MacAddress source, EtherType type)
    {
        destination.Write(frame);
        source.Write(frame[6..]);
        BinaryPrimitives.WriteUInt16BigEndian(frame[12..], (ushort)type);
    }
}
