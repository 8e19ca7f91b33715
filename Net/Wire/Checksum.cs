using System.Buffers.Binary;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Wire;

/// <summary>The Internet checksum (RFC 1071): one's-complement sum of 16-bit big-endian words.</summary>
public static class Checksum
{
    /// <summary>Adds <paramref name="data"/> to a running 32-bit partial sum (not yet folded).</summary>
    public static uint Add(uint sum, ReadOnlySpan<byte> data)
    {
        ulong acc = sum;
        int i = 0;
        // 8 bytes at a time: one's-complement addition is associative, so wide adds fold down to the same result.
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong w = BinaryPrimitives.ReadUInt64BigEndian(data[i..]);
            acc += (w >> 32) + (w & 0xFFFF_FFFF);
        }
        for (; i + 2 <= data.Length; i += 2) acc += BinaryPrimitives.ReadUInt16BigEndian(data[i..]);
        if (i < data.Length) acc += (uint)data[i] << 8;
        while ((acc >> 32) != 0) acc = (acc & 0xFFFF_FFFF) + (acc >> 32);
        return (uint)acc;
    }

    /// <summary>Folds a partial sum to 16 bits and complements it: the value to store in a header.</summary>
    public static ushort Finish(uint sum)
    {
        while ((sum >> 16) != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    public static ushort Compute(ReadOnlySpan<byte> data) => Finish(Add(0, data));

    /// <summary>Partial sum of the IPv4 pseudo-header used by TCP and UDP (RFC 9293 3.1, RFC 768).</summary>
    public static uint PseudoHeader(Ipv4Address source, Ipv4Address destination, byte protocol, int length) =>
        (source.Value >> 16) + (source.Value & 0xFFFF) + (destination.Value >> 16) + (destination.Value & 0xFFFF)
        + protocol + (uint)length;

    /// <summary>What a transport stores in its checksum field when the device finishes the sum (checksum offload): the
    /// pseudo-header sum folded to 16 bits, not complemented.</summary>
    public static ushort PartialSeed(uint pseudoHeaderSum) => (ushort)~Finish(pseudoHeaderSum);

    /// <summary>
    /// Finishes a partial checksum in software, as a device with checksum offload does: sums <paramref name="transport"/>
    /// (a TCP segment or UDP datagram whose field at <paramref name="checksumOffset"/> holds <see cref="PartialSeed"/>)
    /// and stores the complement there. A result of 0 is stored as 0xFFFF, the same number in one's complement
    /// (UDP reserves 0 for "no checksum").
    /// </summary>
    public static void FinishPartial(Span<byte> transport, int checksumOffset)
    {
        ushort sum = Finish(Add(0, transport));
        BinaryPrimitives.WriteUInt16BigEndian(transport[checksumOffset..], sum == 0 ? (ushort)0xFFFF : sum);
    }

    /// <summary>True when a received header or segment (checksum field included) sums to all ones.</summary>
    public static bool Verify(uint partialSum, ReadOnlySpan<byte> data) => Finish(Add(partialSum, data)) == 0;
}
