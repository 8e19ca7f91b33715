namespace CosmosNet.Net.Http;

/// <summary>Where one header field lies in the connection's receive buffer.</summary>
internal readonly record struct FieldRange(int NameStart, int NameLength, int ValueStart, int ValueLength);

/// <summary>
/// The parsed head of one request, as offsets into the connection's receive buffer (nothing is copied or allocated).
/// <see cref="Parse"/> applies RFC 9112's grammar strictly: anything that is not exactly a valid request is refused with
/// the status to answer, so no two parsers can disagree about where this request ends.
/// </summary>
internal sealed class RequestHead
{
    public byte[] Buffer = [];
    public string Method = "";
    public int TargetStart, TargetLength, PathLength;   // PathLength: the part of the target before '?'
    public int PathStart;                               // absolute-form: where the path begins inside the target
    public bool AsteriskForm;
    public int VersionMinor;                            // HTTP/1.x
    public FieldRange[] Fields = [];
    public int FieldCount;
    public long ContentLength;                          // -1: none
    public bool Chunked, KeepAlive, ExpectContinue;

    public ReadOnlySpan<byte> Target => Buffer.AsSpan(TargetStart, TargetLength);
    public ReadOnlySpan<byte> Path => Buffer.AsSpan(PathStart, PathLength);
    public ReadOnlySpan<byte> Name(int i) => Buffer.AsSpan(Fields[i].NameStart, Fields[i].NameLength);
    public ReadOnlySpan<byte> Value(int i) => Buffer.AsSpan(Fields[i].ValueStart, Fields[i].ValueLength);

    /// <summary>
    /// Parses the head in <c>Buffer[start..end)</c> (request line, field lines, the empty line; every line already known to
    /// end in CRLF). Returns 0, or the status to refuse the request with.
    /// </summary>
    public int Parse(int start, int end, HttpServerOptions options)
    {
        var buf = Buffer;
        FieldCount = 0; ContentLength = -1; Chunked = ExpectContinue = AsteriskForm = false;
        int lineEnd = buf.AsSpan(start, end - start).IndexOf((byte)'\r') + start;
        if (buf[lineEnd + 1] != '\n') return 400;   // a bare CR is no line end

        // ---- request-line = method SP request-target SP HTTP-version (exactly one SP each) ----
        int i = start;
        while (i < lineEnd && HttpSyntax.IsToken(buf[i])) i++;
        if (i == start || i >= lineEnd || buf[i] != ' ') return 400;
        var method = buf.AsSpan(start, i - start);
        TargetStart = ++i;
        while (i < lineEnd && buf[i] != ' ')
        {
            byte b = buf[i];
            if (!HttpSyntax.IsTargetChar(b)) return 400;
            if (b == '%' && (i + 2 >= lineEnd || !HttpSyntax.IsHex(buf[i + 1]) || !HttpSyntax.IsHex(buf[i + 2])
                || (buf[i + 1] == '0' && buf[i + 2] == '0'))) return 400;   // malformed escape, or an encoded NUL
            i++;
        }
        TargetLength = i - TargetStart;
        if (TargetLength == 0 || i >= lineEnd) return 400;   // no target, or no version (HTTP/0.9)
        var version = buf.AsSpan(i + 1, lineEnd - i - 1);
        if (version.Length != 8 || !version.StartsWith("HTTP/"u8) || version[6] != '.'
            || version[5] is < (byte)'0' or > (byte)'9' || version[7] is < (byte)'0' or > (byte)'9') return 400;
        if (version[5] != '1') return 505;
        VersionMinor = version[7] - '0';
        Method = HttpMethods.Intern(method);

        int status = ParseTarget();
        if (status != 0) return status;

        // ---- field lines ----
        int hostCount = 0, hostIndex = -1, clCount = 0, teCount = 0;
        bool close = false, keepAlive = false;
        for (i = lineEnd + 2; i < end - 2;)
        {
            int eol = buf.AsSpan(i, end - i).IndexOf((byte)'\r') + i;
            if (buf[eol + 1] != '\n') return 400;
            byte first = buf[i];
            if (first is (byte)' ' or (byte)'\t') return 400;   // obs-fold, or whitespace before the first field
            int colon = i;
            while (colon < eol && HttpSyntax.IsToken(buf[colon])) colon++;
            if (colon == i || colon == eol || buf[colon] != ':') return 400;   // empty name, no colon, SP or non-token in the name
            int v = colon + 1, ve = eol;
            for (int k = v; k < ve; k++) if (!HttpSyntax.IsFieldContent(buf[k])) return 400;   // CTL, NUL, bare CR, DEL
            while (v < ve && buf[v] is (byte)' ' or (byte)'\t') v++;
            while (ve > v && buf[ve - 1] is (byte)' ' or (byte)'\t') ve--;
            if (FieldCount == Fields.Length) return 431;
            var field = new FieldRange(i, colon - i, v, ve - v);
            Fields[FieldCount++] = field;
            ReadOnlySpan<byte> name = buf.AsSpan(i, colon - i), value = buf.AsSpan(v, ve - v);
            switch (name.Length)
            {
                case 4 when HttpSyntax.EqualsIgnoreCase(name, "host"u8):
                    hostCount++; hostIndex = FieldCount - 1; break;
                case 14 when HttpSyntax.EqualsIgnoreCase(name, "content-length"u8):
                    clCount++;
                    if (!HttpSyntax.TryParseDecimal(value, out ContentLength)) return 400;
                    break;
                case 17 when HttpSyntax.EqualsIgnoreCase(name, "transfer-encoding"u8):
                    teCount++;
                    break;
                case 10 when HttpSyntax.EqualsIgnoreCase(name, "connection"u8):
                    for (var list = value; HttpSyntax.NextListElement(ref list, out var option);)
                    {
                        if (HttpSyntax.EqualsIgnoreCase(option, "close"u8)) close = true;
                        else if (HttpSyntax.EqualsIgnoreCase(option, "keep-alive"u8)) keepAlive = true;
                    }
                    break;
                case 6 when HttpSyntax.EqualsIgnoreCase(name, "expect"u8):
                    if (!HttpSyntax.EqualsIgnoreCase(value, "100-continue"u8)) return 417;
                    ExpectContinue = VersionMinor >= 1;   // never a 1xx to an HTTP/1.0 client
                    break;
            }
            i = eol + 2;
        }

        // ---- Host: exactly one for HTTP/1.1, a valid uri-host [":" port] ----
        if (hostCount > 1 || (hostCount == 0 && VersionMinor >= 1)) return 400;
        if (hostIndex >= 0 && !IsValidHost(Value(hostIndex))) return 400;

        // ---- message framing (RFC 9112 6): one Content-Length, or Transfer-Encoding ending in chunked, never both ----
        if (clCount > 1) return 400;
        if (teCount > 0)
        {
            if (clCount > 0 || VersionMinor == 0) return 400;
            status = ParseTransferCoding();
            if (status != 0) return status;
            Chunked = true;
        }
        else if (ContentLength > options.MaxRequestBodySize) return 413;

        KeepAlive = VersionMinor >= 1 ? !close : keepAlive && !close;
        return 0;
    }

    int ParseTarget()
    {
        var target = Target;
        PathStart = TargetStart;
        if (target[0] == '/')
        {
            if (target.Length > 1 && target[1] == '/') return 400;   // "//x" is not an origin-form's absolute-path start
        }
        else if (target.Length == 1 && target[0] == '*')
        {
            if (Method != HttpMethods.Options) return 400;   // asterisk-form is OPTIONS only
            AsteriskForm = true;
            PathLength = 1;
            return 0;
        }
        else
        {
            // absolute-form: http(s)://authority[/path][?query]. Its authority was checked against the Host rules' characters.
            int scheme = target.StartsWith("http://"u8) ? 7 : target.StartsWith("https://"u8) ? 8 : -1;
            if (scheme < 0) return 400;   // authority-form (CONNECT) or garbage: this origin server takes neither
            var rest = target[scheme..];
            int slash = rest.IndexOfAny((byte)'/', (byte)'?');
            var authority = slash < 0 ? rest : rest[..slash];
            if (!IsValidHost(authority)) return 400;
            if (slash < 0 || rest[slash] != '/') return 400;   // no path to route (an empty path would have to mean "/")
            PathStart = TargetStart + scheme + slash;
        }
        int pathEnd = Buffer.AsSpan(PathStart, TargetStart + TargetLength - PathStart).IndexOf((byte)'?');
        PathLength = pathEnd < 0 ? TargetStart + TargetLength - PathStart : pathEnd;
        return 0;
    }

    /// <summary>The Transfer-Encoding list of every TE field: it must end in exactly one "chunked", without parameters.</summary>
    int ParseTransferCoding()
    {
        int elements = 0, chunkedAt = -1, unknown = 0;
        for (int f = 0; f < FieldCount; f++)
        {
            if (!HttpSyntax.EqualsIgnoreCase(Name(f), "transfer-encoding"u8)) continue;
            for (var list = Value(f); HttpSyntax.NextListElement(ref list, out var coding);)
            {
                elements++;
                if (HttpSyntax.EqualsIgnoreCase(coding, "chunked"u8))
                {
                    if (chunkedAt >= 0) return 400;   // chunked twice
                    chunkedAt = elements;
                }
                else if (!HttpSyntax.IsToken(coding) || !IsKnownCoding(coding)) unknown++;
            }
        }
        if (elements == 0) return 400;                  // empty value
        if (chunkedAt == elements) return unknown > 0 || elements > 1 ? 501 : 0;   // we decode chunked alone
        return unknown > 0 && chunkedAt < 0 ? 501 : 400; // chunked missing or not final
    }

    static bool IsKnownCoding(ReadOnlySpan<byte> c) =>
        HttpSyntax.EqualsIgnoreCase(c, "gzip"u8) || HttpSyntax.EqualsIgnoreCase(c, "deflate"u8) || HttpSyntax.EqualsIgnoreCase(c, "compress"u8)
        || HttpSyntax.EqualsIgnoreCase(c, "x-gzip"u8) || HttpSyntax.EqualsIgnoreCase(c, "x-compress"u8) || HttpSyntax.EqualsIgnoreCase(c, "identity"u8);

    /// <summary>uri-host [":" port] (RFC 9110 7.2): non-empty, no userinfo, path or list; brackets only around an IP-literal.</summary>
    internal static bool IsValidHost(ReadOnlySpan<byte> host)
    {
        if (host.IsEmpty) return false;
        foreach (var b in host) if (!HttpSyntax.IsHostChar(b)) return false;
        ReadOnlySpan<byte> port = default;
        if (host[0] == '[')
        {
            int close = host.IndexOf((byte)']');
            if (close < 2) return false;
            foreach (var b in host[1..close]) if (!(HttpSyntax.IsHex(b) || b is (byte)':' or (byte)'.')) return false;
            var after = host[(close + 1)..];
            if (!after.IsEmpty) { if (after[0] != ':') return false; port = after[1..]; if (port.IsEmpty) return true; }
        }
        else
        {
            if (host.IndexOfAny((byte)'[', (byte)']') >= 0) return false;
            int colon = host.IndexOf((byte)':');
            if (colon == 0) return false;
            if (colon > 0) { port = host[(colon + 1)..]; if (port.IsEmpty) return true; }
        }
        if (port.IsEmpty) return true;
        return port.Length <= 5 && HttpSyntax.TryParseDecimal(port, out long p) && p <= 65535;
    }
}
