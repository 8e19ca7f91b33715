using System.Buffers.Binary;

namespace CosmosNet.Net.Platform;

/// <summary>An IPv4 address in host order (first octet most significant).</summary>
public readonly record struct Ipv4Address(uint Value) : IComparable<Ipv4Address>
{
    public static readonly Ipv4Address Any = new(0);
    public static readonly Ipv4Address Broadcast = new(0xFFFF_FFFF);
    /// <summary>127.0.0.1, the loopback interface's own address (the source of packets to 127/8).</summary>
    public static readonly Ipv4Address Loopback = new(127, 0, 0, 1);

    public Ipv4Address(byte a, byte b, byte c, byte d) : this(((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d) { }

    public static Ipv4Address Read(ReadOnlySpan<byte> b) => new(BinaryPrimitives.ReadUInt32BigEndian(b));
    public void Write(Span<byte> b) => BinaryPrimitives.WriteUInt32BigEndian(b, Value);

    public bool IsAny => Value == 0;
    public bool IsBroadcast => Value == 0xFFFF_FFFF;
    public bool IsMulticast => (Value >> 28) == 0xE;
    /// <summary>In 127.0.0.0/8: every such address is this host's loopback interface (RFC 1122 3.2.1.3).</summary>
    public bool IsLoopback => (Value >> 24) == 127;

    public bool InSubnet(Ipv4Address network, int prefixLength) =>
        prefixLength == 0 || ((Value ^ network.Value) >> (32 - prefixLength)) == 0;

    public static Ipv4Address Parse(string s) =>
        TryParse(s, out var a) ? a : throw new FormatException($"not an IPv4 address: '{s}'");

    public static bool TryParse(ReadOnlySpan<char> s, out Ipv4Address address)
    {
        address = Any;
        uint v = 0;
        int octets = 0;
        foreach (var range in s.Split('.'))
        {
            if (!byte.TryParse(s[range], System.Globalization.NumberStyles.None, null, out var octet)) return false;
            v = (v << 8) | octet;
            octets++;
        }
        if (octets != 4) return false;
        address = new Ipv4Address(v);
        return true;
    }

    public int CompareTo(Ipv4Address other) => Value.CompareTo(other.Value);

    public override string ToString() => $"{Value >> 24}.{(Value >> 16) & 0xFF}.{(Value >> 8) & 0xFF}.{Value & 0xFF}";
}
