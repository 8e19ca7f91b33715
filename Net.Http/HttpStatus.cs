namespace CosmosNet.Net.Http;

/// <summary>Reason phrases (RFC 9110 15) and the statuses that never carry content.</summary>
public static class HttpStatus
{
    public static string ReasonPhrase(int status) => status switch
    {
        100 => "Continue", 101 => "Switching Protocols",
        200 => "OK", 201 => "Created", 202 => "Accepted", 203 => "Non-Authoritative Information", 204 => "No Content",
        205 => "Reset Content", 206 => "Partial Content",
        300 => "Multiple Choices", 301 => "Moved Permanently", 302 => "Found", 303 => "See Other", 304 => "Not Modified",
        307 => "Temporary Redirect", 308 => "Permanent Redirect",
        400 => "Bad Request", 401 => "Unauthorized", 403 => "Forbidden", 404 => "Not Found", 405 => "Method Not Allowed",
        406 => "Not Acceptable", 408 => "Request Timeout", 409 => "Conflict", 410 => "Gone", 411 => "Length Required",
        412 => "Precondition Failed", 413 => "Content Too Large", 414 => "URI Too Long", 415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable", 417 => "Expectation Failed", 422 => "Unprocessable Content", 426 => "Upgrade Required",
        429 => "Too Many Requests", 431 => "Request Header Fields Too Large",
        500 => "Internal Server Error", 501 => "Not Implemented", 502 => "Bad Gateway", 503 => "Service Unavailable",
        504 => "Gateway Timeout", 505 => "HTTP Version Not Supported",
        _ => "",
    };

    /// <summary>1xx, 204 and 304 responses end at the header section (RFC 9112 6.3).</summary>
    public static bool HasNoContent(int status) => status is < 200 or 204 or 304;
}

/// <summary>The "Date: ...\r\n" line (IMF-fixdate, RFC 9110 5.6.7), formatted once per second.</summary>
internal sealed class HttpDate(TimeProvider time)
{
    readonly byte[] _line = new byte[6 + 29 + 2];
    long _second = long.MinValue;

    public ReadOnlySpan<byte> Line
    {
        get
        {
            var now = time.GetUtcNow();
            long second = now.UtcTicks / TimeSpan.TicksPerSecond;
            if (second != _second)
            {
                _second = second;
                "Date: "u8.CopyTo(_line);
                System.Buffers.Text.Utf8Formatter.TryFormat(now.UtcDateTime, _line.AsSpan(6), out _, new System.Buffers.StandardFormat('R'));
                "\r\n"u8.CopyTo(_line.AsSpan(35));
            }
            return _line;
        }
    }
}
