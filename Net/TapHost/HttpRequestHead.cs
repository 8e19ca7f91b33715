using System.Text;

namespace CosmosNet.Net.TapHost;

/// <summary>The request line and the headers the responder needs, parsed from the bytes before the blank line.</summary>
internal sealed record HttpRequestHead(string Method, string Target, string Version, long ContentLength, bool Chunked, bool Close)
{
    public const int MaxLength = 16 * 1024;

    /// <summary>Length of the head including its terminating blank line, or -1 when <paramref name="buffer"/> does not hold a complete head yet.</summary>
    public static int FindEnd(ReadOnlySpan<byte> buffer)
    {
        int i = buffer.IndexOf("\r\n\r\n"u8);
        return i < 0 ? -1 : i + 4;
    }

    /// <summary>Parses a complete head; returns null (with a reason) for anything malformed.</summary>
    public static HttpRequestHead? Parse(ReadOnlySpan<byte> head, out string? error)
    {
        error = null;
        string text;
        try { text = new UTF8Encoding(false, true).GetString(head); }
        catch (DecoderFallbackException) { error = "request head is not UTF-8"; return null; }

        var lines = text.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || parts[0].Length == 0 || !parts[1].StartsWith('/') || !parts[2].StartsWith("HTTP/1."))
        {
            error = $"malformed request line '{lines[0]}'";
            return null;
        }
        long length = 0;
        bool chunked = false, close = parts[2] == "HTTP/1.0";
        foreach (var line in lines.Skip(1))
        {
            if (line.Length == 0) continue;
            int colon = line.IndexOf(':');
            if (colon <= 0) { error = $"malformed header '{line}'"; return null; }
            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, System.Globalization.NumberStyles.None, null, out length))
                {
                    error = $"bad Content-Length '{value}'";
                    return null;
                }
            }
            else if (name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase))
                chunked = value.Contains("chunked", StringComparison.OrdinalIgnoreCase);
            else if (name.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                close |= value.Equals("close", StringComparison.OrdinalIgnoreCase);
        }
        return new HttpRequestHead(parts[0], parts[1], parts[2], length, chunked, close);
    }
}
