using System.Text;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.TapHost;

// TapHost's own small HTTP/1.1 responder, kept in this one file: when the Net.Http library exists, the HTTP
// port is served by it and this file is deleted (Host.cs names HttpService.HandleAsync once).

/// <summary>The HTTP responder TapHost offers Linux's tools: GET / → a page, POST /echo → the body, Connection: close.</summary>
internal static class HttpService
{
    public const int MaxBody = 64 << 20;

    private static readonly byte[] Page = Encoding.UTF8.GetBytes(
        "<!doctype html>\n<title>CosmosNet</title>\n<h1>CosmosNet</h1>\n<p>Served by the CosmosNet C# TCP/IP stack over a TAP device.</p>\n");

    public static async Task HandleAsync(TcpFlow flow)
    {
        var peer = flow.Destination;
        var buffer = new byte[HttpRequestHead.MaxLength];
        int filled = 0, headLength;
        while ((headLength = HttpRequestHead.FindEnd(buffer.AsSpan(0, filled))) < 0)
        {
            if (filled == buffer.Length) { await RespondAsync(flow, peer, "?", 431, "Request Header Fields Too Large", []); return; }
            var r = await flow.ReadAsync(buffer.AsMemory(filled));
            if (!r.IsOk || r.Value.IsEndOfStream)
            {
                Log.Info($"http {peer}: closed before a complete request ({(r.IsOk ? "end of stream" : r.Error.ToString())})");
                await flow.CloseAsync();
                return;
            }
            filled += r.Value.Count;
        }

        var head = HttpRequestHead.Parse(buffer.AsSpan(0, headLength), out var error);
        if (head is null) { Log.Info($"http {peer}: bad request: {error}"); await RespondAsync(flow, peer, "?", 400, "Bad Request", []); return; }
        string request = $"{head.Method} {head.Target}";
        if (head.Chunked) { await RespondAsync(flow, peer, request, 501, "Not Implemented", "chunked bodies are not supported\n"u8.ToArray()); return; }
        if (head.ContentLength > MaxBody) { await RespondAsync(flow, peer, request, 413, "Content Too Large", []); return; }

        var body = new byte[head.ContentLength];
        int have = Math.Min(filled - headLength, body.Length);
        buffer.AsSpan(headLength, have).CopyTo(body);
        while (have < body.Length)
        {
            var r = await flow.ReadAsync(body.AsMemory(have));
            if (!r.IsOk || r.Value.IsEndOfStream)
            {
                Log.Info($"http {peer}: {request}: body ended after {have} of {body.Length} bytes");
                await flow.CloseAsync();
                return;
            }
            have += r.Value.Count;
        }

        switch (head.Method, head.Target)
        {
            case ("GET", "/"): await RespondAsync(flow, peer, request, 200, "OK", Page, "text/html; charset=utf-8"); break;
            case ("POST", "/echo"): await RespondAsync(flow, peer, request, 200, "OK", body); break;
            case (_, "/" or "/echo"): await RespondAsync(flow, peer, request, 405, "Method Not Allowed", []); break;
            default: await RespondAsync(flow, peer, request, 404, "Not Found", "not found\n"u8.ToArray()); break;
        }
    }

    private static async Task RespondAsync(TcpFlow flow, TcpEndpoint peer, string request, int status, string reason, byte[] body,
        string contentType = "application/octet-stream")
    {
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nServer: CosmosNet\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        var w = await flow.WritevAsync([header, body]);
        Log.Info($"http {peer}: {request} -> {status} ({body.Length} bytes){(w.IsOk ? "" : $", write failed: {w.Error}")}");
        await flow.CloseAsync(); // Connection: close — FIN after the response; completes when the client has closed too
    }
}

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
