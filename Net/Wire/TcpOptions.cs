using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace CosmosNet.Net.Wire;

/// <summary>One SACK block (RFC 2018): the sequence range [Left, Right) the receiver holds above its cumulative ACK.</summary>
public readonly record struct SackBlock(uint Left, uint Right);

/// <summary>Room for the at most four SACK blocks that fit in 40 bytes of options, without a heap array.</summary>
[InlineArray(4)]
public struct SackBlocks
{
    private SackBlock _first;
}

/// <summary>
/// The TCP options this stack understands: MSS (RFC 9293), window scale and timestamps (RFC 7323), SACK-permitted and
/// SACK (RFC 2018). A plain value: parsed from a segment without allocating and emitted into an outgoing header.
/// </summary>
public struct TcpOptions
{
    public const byte KindEnd = 0, KindNop = 1, KindMss = 2, KindWindowScale = 3, KindSackPermitted = 4, KindSack = 5, KindTimestamps = 8;
    public const int MaxWindowScale = 14;

    /// <summary>Maximum segment size the sender can receive; 0 when absent.</summary>
    public ushort Mss;
    /// <summary>Window shift count; -1 when absent. Values above 14 are clamped to 14 (RFC 7323 2.3).</summary>
    public sbyte WindowScale;
    public bool SackPermitted;
    public bool HasTimestamps;
    public uint TsVal;
    public uint TsEcr;
    public int SackCount;
    public SackBlocks Sack;

    public static TcpOptions None => new() { WindowScale = -1 };

    public readonly bool HasWindowScale => WindowScale >= 0;

    /// <summary>
    /// Parses the options area of a header. Unknown kinds are skipped by their length; a length that is below 2, runs past
    /// the area, or does not match a known kind's fixed size makes the whole segment malformed.
    /// </summary>
    public static WireError Parse(ReadOnlySpan<byte> area, out TcpOptions options)
    {
        options = None;
        int i = 0;
        while (i < area.Length)
        {
            byte kind = area[i];
            if (kind == KindEnd) break;
            if (kind == KindNop) { i++; continue; }
            if (i + 1 >= area.Length) return WireError.BadOptions;
            int length = area[i + 1];
            if (length < 2 || i + length > area.Length) return WireError.BadOptions;
            var body = area.Slice(i + 2, length - 2);
            switch (kind)
            {
                case KindMss:
                    if (length != 4) return WireError.BadOptions;
                    options.Mss = BinaryPrimitives.ReadUInt16BigEndian(body);
                    break;
                case KindWindowScale:
                    if (length != 3) return WireError.BadOptions;
                    options.WindowScale = (sbyte)Math.Min((int)body[0], MaxWindowScale);
                    break;
                case KindSackPermitted:
                    if (length != 2) return WireError.BadOptions;
                    options.SackPermitted = true;
                    break;
                case KindSack:
                    if ((length - 2) % 8 != 0 || length == 2 || (length - 2) / 8 > 4) return WireError.BadOptions;
                    options.SackCount = (length - 2) / 8;
                    for (int b = 0; b < options.SackCount; b++)
                        options.Sack[b] = new SackBlock(BinaryPrimitives.ReadUInt32BigEndian(body[(b * 8)..]),
                            BinaryPrimitives.ReadUInt32BigEndian(body[(b * 8 + 4)..]));
                    break;
                case KindTimestamps:
                    if (length != 10) return WireError.BadOptions;
                    options.HasTimestamps = true;
                    options.TsVal = BinaryPrimitives.ReadUInt32BigEndian(body);
                    options.TsEcr = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    break;
            }
            i += length;
        }
        return WireError.None;
    }

    /// <summary>Bytes <see cref="Write"/> produces: each option NOP-padded to a 4-byte boundary.</summary>
    public readonly int Length =>
        (Mss != 0 ? 4 : 0) + (HasWindowScale ? 4 : 0) + (HasTimestamps || SackPermitted ? (HasTimestamps ? 12 : 4) : 0)
        + (SackCount > 0 ? 4 + 8 * SackCount : 0);

    /// <summary>Writes the options in the layout most stacks use (SACK-permitted shares its word with timestamps). Returns the length.</summary>
    public readonly int Write(Span<byte> b)
    {
        int i = 0;
        if (Mss != 0)
        {
            b[i] = KindMss; b[i + 1] = 4; BinaryPrimitives.WriteUInt16BigEndian(b[(i + 2)..], Mss); i += 4;
        }
        if (SackPermitted)
        {
            if (HasTimestamps) { b[i] = KindSackPermitted; b[i + 1] = 2; i += 2; }
            else { b[i] = KindNop; b[i + 1] = KindNop; b[i + 2] = KindSackPermitted; b[i + 3] = 2; i += 4; }
        }
        else if (HasTimestamps)
        {
            b[i] = KindNop; b[i + 1] = KindNop; i += 2;
        }
        if (HasTimestamps)
        {
            b[i] = KindTimestamps; b[i + 1] = 10;
            BinaryPrimitives.WriteUInt32BigEndian(b[(i + 2)..], TsVal);
            BinaryPrimitives.WriteUInt32BigEndian(b[(i + 6)..], TsEcr);
            i += 10;
        }
        if (HasWindowScale)
        {
            b[i] = KindNop; b[i + 1] = KindWindowScale; b[i + 2] = 3; b[i + 3] = (byte)WindowScale; i += 4;
        }
        if (SackCount > 0)
        {
            b[i] = KindNop; b[i + 1] = KindNop; b[i + 2] = KindSack; b[i + 3] = (byte)(2 + 8 * SackCount); i += 4;
            for (int k = 0; k < SackCount; k++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(b[i..], Sack[k].Left);
                BinaryPrimitives.WriteUInt32BigEndian(b[(i + 4)..], Sack[k].Right);
                i += 8;
            }
        }
        return i;
    }
}
