using System.Buffers.Binary;

namespace CosmosNet.Net.Wire;

public enum DnsType : ushort
{
    A = 1,
    Ns = 2,
    Cname = 5,
    Soa = 6,
    Aaaa = 28,
}

public enum DnsResponseCode : byte
{
    NoError = 0,
    FormatError = 1,
    ServerFailure = 2,
    NameError = 3,
    NotImplemented = 4,
    Refused = 5,
}

/// <summary>One resource record of a parsed message: owner name (by offset), type, class, TTL and data.</summary>
public readonly ref struct DnsRecord
{
    public DnsRecord(int nameOffset, DnsType type, ushort @class, uint ttl, ReadOnlySpan<byte> data)
    {
        NameOffset = nameOffset; Type = type; Class = @class; Ttl = ttl; Data = data;
    }

    public int NameOffset { get; }
    public DnsType Type { get; }
    public ushort Class { get; }
    public uint Ttl { get; }
    public ReadOnlySpan<byte> Data { get; }
}

/// <summary>
/// A view over a DNS message (RFC 1035). <see cref="TryParse"/> walks every section once, so later reads
/// (names with compression pointers included) cannot run out of bounds or loop.
/// </summary>
public readonly ref struct DnsMessage
{
    public const int HeaderLength = 12;
    public const ushort Port = 53;
    public const ushort ClassInternet = 1;
    public const int MaxNameLength = 255;
    /// <summary>Largest message over UDP without EDNS (RFC 1035 2.3.4).</summary>
    public const int MaxUdpLength = 512;

    private readonly ReadOnlySpan<byte> _bytes;

    private DnsMessage(ReadOnlySpan<byte> bytes) => _bytes = bytes;

    public static WireError TryParse(ReadOnlySpan<byte> bytes, out DnsMessage message)
    {
        message = default;
        if (bytes.Length < HeaderLength) return WireError.Truncated;
        var candidate = new DnsMessage(bytes);
        int offset = HeaderLength;
        for (int q = 0; q < candidate.QuestionCount; q++)
        {
            var error = SkipName(bytes, ref offset);
            if (error != WireError.None) return error;
            if (offset + 4 > bytes.Length) return WireError.Truncated;
            offset += 4;
        }
        int records = candidate.AnswerCount + candidate.AuthorityCount + candidate.AdditionalCount;
        for (int r = 0; r < records; r++)
        {
            var error = ReadRecord(bytes, ref offset, out var record);
            if (error != WireError.None) return error;
            if (record.Type == DnsType.A && record.Class == ClassInternet && record.Data.Length != 4) return WireError.BadLength;
        }
        message = candidate;
        return WireError.None;
    }

    public ushort Id => BinaryPrimitives.ReadUInt16BigEndian(_bytes);
    public bool IsResponse => (_bytes[2] & 0x80) != 0;
    public int Opcode => (_bytes[2] >> 3) & 0xF;
    public bool IsTruncated => (_bytes[2] & 0x02) != 0;
    public bool RecursionDesired => (_bytes[2] & 0x01) != 0;
    public bool RecursionAvailable => (_bytes[3] & 0x80) != 0;
    public DnsResponseCode ResponseCode => (DnsResponseCode)(_bytes[3] & 0xF);
    public int QuestionCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[4..]);
    public int AnswerCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[6..]);
    public int AuthorityCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[8..]);
    public int AdditionalCount => BinaryPrimitives.ReadUInt16BigEndian(_bytes[10..]);

    /// <summary>True when the message carries exactly one question, for <paramref name="name"/> (case-insensitive), type and class IN.</summary>
    public bool HasQuestion(ReadOnlySpan<char> name, DnsType type)
    {
        if (QuestionCount != 1) return false;
        int offset = HeaderLength;
        if (!NameEquals(HeaderLength, name)) return false;
        SkipName(_bytes, ref offset);
        return BinaryPrimitives.ReadUInt16BigEndian(_bytes[offset..]) == (ushort)type
            && BinaryPrimitives.ReadUInt16BigEndian(_bytes[(offset + 2)..]) == ClassInternet;
    }

    /// <summary>The answer section's records, in order.</summary>
    public AnswerEnumerator Answers
    {
        get
        {
            int offset = HeaderLength;
            for (int q = 0; q < QuestionCount; q++) { SkipName(_bytes, ref offset); offset += 4; }
            return new AnswerEnumerator(_bytes, offset, AnswerCount);
        }
    }

    public ref struct AnswerEnumerator
    {
        private readonly ReadOnlySpan<byte> _bytes;
        private int _offset;
        private int _remaining;

        internal AnswerEnumerator(ReadOnlySpan<byte> bytes, int offset, int count) { _bytes = bytes; _offset = offset; _remaining = count; Current = default; }

        public DnsRecord Current { get; private set; }
        public readonly AnswerEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_remaining == 0) return false;
            _remaining--;
            ReadRecord(_bytes, ref _offset, out var record);
            Current = record;
            return true;
        }
    }

    /// <summary>Compares the (possibly compressed) name at <paramref name="offset"/> with dotted text, ignoring ASCII case and a trailing dot.</summary>
    public bool NameEquals(int offset, ReadOnlySpan<char> name)
    {
        if (name.EndsWith(".")) name = name[..^1];
        int position = 0; // in name
        for (int jumps = 0; jumps < MaxNameLength; )
        {
            int length = _bytes[offset];
            if (length == 0) return position == name.Length;
            if ((length & 0xC0) == 0xC0) { offset = ((length & 0x3F) << 8) | _bytes[offset + 1]; jumps++; continue; }
            if (position != 0)
            {
                if (position >= name.Length || name[position] != '.') return false;
                position++;
            }
            if (position + length > name.Length) return false;
            for (int i = 0; i < length; i++)
                if (AsciiLower(_bytes[offset + 1 + i]) != AsciiLower(name[position + i])) return false;
            position += length;
            offset += 1 + length;
        }
        return false;
    }

    private static int AsciiLower(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    /// <summary>
    /// Steps over a name. Labels are at most 63 bytes, the name at most 255, and a compression pointer must point
    /// strictly backwards, which rules out loops.
    /// </summary>
    private static WireError SkipName(ReadOnlySpan<byte> bytes, scoped ref int offset)
    {
        int cursor = offset, total = 1, limit = offset;
        bool jumped = false;
        while (true)
        {
            if (cursor >= bytes.Length) return WireError.Truncated;
            int length = bytes[cursor];
            if ((length & 0xC0) == 0xC0)
            {
                if (cursor + 1 >= bytes.Length) return WireError.Truncated;
                int target = ((length & 0x3F) << 8) | bytes[cursor + 1];
                if (!jumped) { offset = cursor + 2; jumped = true; }
                if (target >= limit) return WireError.BadValue;
                limit = target;
                cursor = target;
                continue;
            }
            if ((length & 0xC0) != 0) return WireError.BadValue; // 0x40 / 0x80: reserved label types
            if (length == 0)
            {
                if (!jumped) offset = cursor + 1;
                return WireError.None;
            }
            total += length + 1;
            if (total > MaxNameLength) return WireError.BadValue;
            cursor += 1 + length;
        }
    }

    private static WireError ReadRecord(ReadOnlySpan<byte> bytes, scoped ref int offset, out DnsRecord record)
    {
        record = default;
        int nameOffset = offset;
        var error = SkipName(bytes, ref offset);
        if (error != WireError.None) return error;
        if (offset + 10 > bytes.Length) return WireError.Truncated;
        var type = (DnsType)BinaryPrimitives.ReadUInt16BigEndian(bytes[offset..]);
        ushort @class = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 2)..]);
        uint ttl = BinaryPrimitives.ReadUInt32BigEndian(bytes[(offset + 4)..]);
        int dataLength = BinaryPrimitives.ReadUInt16BigEndian(bytes[(offset + 8)..]);
        offset += 10;
        if (offset + dataLength > bytes.Length) return WireError.BadLength;
        if ((ttl & 0x8000_0000) != 0) ttl = 0; // RFC 2181 8: a TTL with the top bit set means zero
        record = new DnsRecord(nameOffset, type, @class, ttl, bytes.Slice(offset, dataLength));
        offset += dataLength;
        return WireError.None;
    }

    /// <summary>
    /// Writes a recursive query for one name into <paramref name="buffer"/> (at least <see cref="MaxUdpLength"/> bytes).
    /// Fails with <see cref="WireError.BadValue"/> for a name that is empty, non-ASCII, or breaks the label or name length limits.
    /// </summary>
    public static WireError WriteQuery(Span<byte> buffer, ushort id, ReadOnlySpan<char> name, DnsType type, out int length)
    {
        length = 0;
        if (name.EndsWith(".")) name = name[..^1];
        if (name.IsEmpty || name.Length + 2 > MaxNameLength) return WireError.BadValue;
        BinaryPrimitives.WriteUInt16BigEndian(buffer, id);
        buffer[2] = 0x01; // RD
        buffer[3] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[4..], 1);
        buffer[6..HeaderLength].Clear();
        int offset = HeaderLength;
        foreach (var range in name.Split('.'))
        {
            var label = name[range];
            if (label.IsEmpty || label.Length > 63) return WireError.BadValue;
            buffer[offset++] = (byte)label.Length;
            foreach (char c in label)
            {
                if (c is <= ' ' or > '~') return WireError.BadValue;
                buffer[offset++] = (byte)c;
            }
        }
        buffer[offset++] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], (ushort)type);
        BinaryPrimitives.WriteUInt16BigEndian(buffer[(offset + 2)..], ClassInternet);
        length = offset + 4;
        return WireError.None;
    }
}
