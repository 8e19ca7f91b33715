namespace CosmosNet.Net.Http;

/// <summary>Character classes of RFC 9110/9112 and RFC 3986 as lookup tables, and small span helpers.</summary>
internal static class HttpSyntax
{
    const byte Token = 1, FieldContent = 2, Target = 4, HostChar = 8, Hex = 16;

    // One flag byte per octet, built once (a static readonly array; the tables are consulted per byte of every request).
    static readonly byte[] s_classes = Build();

    static byte[] Build()
    {
        var t = new byte[256];
        for (int c = 0; c < 256; c++)
        {
            bool alpha = c is >= 'a' and <= 'z' or >= 'A' and <= 'Z', digit = c is >= '0' and <= '9';
            if (alpha || digit || "!#$%&'*+-.^_`|~".Contains((char)c)) t[c] |= Token;
            // field-vchar = VCHAR / obs-text; SP and HTAB allowed inside a value.
            if (c is >= 0x21 and <= 0x7E or >= 0x80 or ' ' or '\t') t[c] |= FieldContent;
            // RFC 3986 characters of a request-target: unreserved, sub-delims, ":@/?", '%' (checked for two hex digits)
            // and the brackets of an IP-literal. Not '#', '\', '"', '<', '>', '^', '`', '{', '|', '}', SP, CTL, non-ASCII.
            if (alpha || digit || "-._~!$&'()*+,;=:@/?%[]".Contains((char)c)) t[c] |= Target;
            // uri-host [":" port]: reg-name (without ','), IPv4, or an IP-literal in brackets. Not '@' (userinfo), '/'.
            if (alpha || digit || "-._~!$&'()*+;=%:[]".Contains((char)c)) t[c] |= HostChar;
            if (digit || c is >= 'a' and <= 'f' or >= 'A' and <= 'F') t[c] |= Hex;
        }
        return t;
    }

    public static bool IsToken(byte b) => (s_classes[b] & Token) != 0;
    public static bool IsFieldContent(byte b) => (s_classes[b] & FieldContent) != 0;
    public static bool IsTargetChar(byte b) => (s_classes[b] & Target) != 0;
    public static bool IsHostChar(byte b) => (s_classes[b] & HostChar) != 0;
    public static bool IsHex(byte b) => (s_classes[b] & Hex) != 0;
    public static int HexValue(byte b) => b <= '9' ? b - '0' : (b | 0x20) - 'a' + 10;

    public static bool IsToken(ReadOnlySpan<byte> s)
    {
        if (s.IsEmpty) return false;
        foreach (var b in s) if (!IsToken(b)) return false;
        return true;
    }

    /// <summary>Strips optional whitespace (SP / HTAB) from both ends.</summary>
    public static ReadOnlySpan<byte> TrimOws(ReadOnlySpan<byte> s)
    {
        int a = 0, b = s.Length;
        while (a < b && s[a] is (byte)' ' or (byte)'\t') a++;
        while (b > a && s[b - 1] is (byte)' ' or (byte)'\t') b--;
        return s[a..b];
    }

    public static bool EqualsIgnoreCase(ReadOnlySpan<byte> s, ReadOnlySpan<byte> asciiLower)
    {
        if (s.Length != asciiLower.Length) return false;
        for (int i = 0; i < s.Length; i++)
        {
            int c = s[i];
            if (c is >= 'A' and <= 'Z') c |= 0x20;
            if (c != asciiLower[i]) return false;
        }
        return true;
    }

    /// <summary>1*DIGIT as a non-negative value; false for anything else or for an overflow.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 18) return false; // 18 digits cannot overflow a long
        foreach (var b in s)
        {
            if (b is < (byte)'0' or > (byte)'9') return false;
            value = value * 10 + (b - '0');
        }
        return true;
    }

    /// <summary>The next non-empty list element (OWS trimmed) and the rest of the list; false at the end.</summary>
    public static bool NextListElement(ref ReadOnlySpan<byte> list, out ReadOnlySpan<byte> element)
    {
        while (!list.IsEmpty)
        {
            int comma = list.IndexOf((byte)',');
            var part = comma < 0 ? list : list[..comma];
            list = comma < 0 ? default : list[(comma + 1)..];
            element = TrimOws(part);
            if (!element.IsEmpty) return true;
        }
        element = default;
        return false;
    }
}
