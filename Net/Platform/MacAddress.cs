using System.Buffers.Binary;

namespace CosmosNet.Net.Platform;

/// <summary>A 48-bit Ethernet address, stored in the low 48 bits of a ulong (first octet most significant).</summary>
public readonly record struct MacAddress(ulong Value)
{
    public static readonly MacAddress Broadcast = new(0xFFFF_FFFF_FFFFUL);
    public static readonly MacAddress Zero = new(0);

    public static MacAddress Read(ReadOnlySpan<byte> b) =>
        new(((ulong)BinaryPrimitives.ReadUInt16BigEndian(b) << 32) | BinaryPrimitives.ReadUInt32BigEndian(b[2..]));

    public void Write(Span<byte> b)
    {
        BinaryPrimitives.WriteUInt16BigEndian(b, (ushort)(Value >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(b[2..], (uint)Value);
    }

    public bool IsBroadcast => Value == Broadcast.Value;
    public bool IsMulticast => ((Value >> 40) & 1) != 0;

    public static MacAddress Parse(string s)
    {
        var parts = s.Split(':', '-');
        if (parts.Length != 6) throw new FormatException($"not a MAC address: '{s}'");
        ulong v = 0;
        foreach (var p in parts) v = (v << 8) | Convert.ToByte(p, 16);
        return new MacAddress(v);
    }

    public override string ToString() =>
        $"{(byte)(Value >> 40):x2}:{(byte)(Value >> 32):x2}:{(byte)(Value >> 24):x2}:{(byte)(Value >> 16):x2}:{(byte)(Value >> 8):x2}:{(byte)Value:x2}";
}
