// The default CosmosNet app: a small HTTP/1.1 server on port 80 (GET / a page, POST /echo echoes the body)
// and the TCP echo service on port 7, written against the Mirage-style flow API. Everything runs on the
// kernel's network loop: listen → a flow per connection → read the request → write the response → close.
using System.Text;
using CosmosNet.Host;
using CosmosNet.Net;
using CosmosNet.Net.Tcp;

static class Program
{
    const ushort HttpPort = 80, EchoPort = 7;
    const int MaxHead = 16 * 1024, MaxBody = 16 << 20;

    static readonly byte[] Page = Encoding.UTF8.GetBytes(
        "<!doctype html>\n<title>CosmosNet</title>\n<h1>Hello from CosmosNet</h1>\n<p>C# unikernel: e1000 driver, C# TCP/IP stack, real .NET CoreLib.</p>\n");

    static int Main() => NetworkHost.Run(Serve);

    static Task Serve(NetworkStack stack)
    {
        stack.Tcp.Listen(HttpPort, null, HttpAsync);
        stack.Tcp.Listen(EchoPort, null, EchoAsync);
        Console.WriteLine($"http: listening on {stack.Ip.Configuration.Address}:{HttpPort}, echo on port {EchoPort}");
        return new TaskCompletionSource().Task;   // serve forever
    }

    static async Task HttpAsync(TcpFlow flow)
    {
        var buffer = new byte[MaxHead];
        int filled = 0, headEnd;
        while ((headEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (filled == buffer.Length) { await RespondAsync(flow, 431, "Request Header Fields Too Large", []); return; }
            var r = await flow.ReadAsync(buffer.AsMemory(filled));
            if (!r.IsOk || r.Value.IsEndOfStream) { await flow.CloseAsync(); return; }
            filled += r.Value.Count;
        }
        headEnd += 4;
        var (method, target, length) = ParseHead(Encoding.ASCII.GetString(buffer, 0, headEnd));
        if (method is null || length < 0) { await RespondAsync(flow, 400, "Bad Request", []); return; }
        if (length > MaxBody) { await RespondAsync(flow, 413, "Content Too Large", []); return; }

        var body = new byte[length];
        int have = Math.Min(filled - headEnd, body.Length);
        buffer.AsSpan(headEnd, have).CopyTo(body);
        while (have < body.Length)
        {
            var r = await flow.ReadAsync(body.AsMemory(have));
            if (!r.IsOk || r.Value.IsEndOfStream) { await flow.CloseAsync(); return; }
            have += r.Value.Count;
        }
        var respond = (method, target) switch
        {
            ("GET", "/") => RespondAsync(flow, 200, "OK", Page, "text/html; charset=utf-8"),
            ("POST", "/echo") => RespondAsync(flow, 200, "OK", body),
            (_, "/" or "/echo") => RespondAsync(flow, 405, "Method Not Allowed", []),
            _ => RespondAsync(flow, 404, "Not Found", "not found\n"u8.ToArray()),
        };
        await respond;
    }

    /// <summary>Method, target and Content-Length (-1 when malformed); method null for a bad request line.</summary>
    static (string? Method, string Target, long Length) ParseHead(string head)
    {
        var lines = head.Split("\r\n");
        var parts = lines[0].Split(' ');
        if (parts.Length != 3 || !parts[1].StartsWith('/') || !parts[2].StartsWith("HTTP/1.")) return (null, "", 0);
        long length = 0;
        foreach (var line in lines.Skip(1))
        {
            int colon = line.IndexOf(':');
            if (colon > 0 && line[..colon].Trim().Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                && !long.TryParse(line[(colon + 1)..].Trim(), System.Globalization.NumberStyles.None, null, out length))
                return (parts[0], parts[1], -1);
        }
        return (parts[0], parts[1], length);
    }

    static async Task RespondAsync(TcpFlow flow, int status, string reason, byte[] body, string contentType = "application/octet-stream")
    {
        var header = Encoding.ASCII.GetBytes(
            $"HTTP/1.1 {status} {reason}\r\nServer: CosmosNet\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
        await flow.WritevAsync([header, body]);
        await flow.CloseAsync();   // Connection: close — FIN after the response
    }

    static async Task EchoAsync(TcpFlow flow)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var r = await flow.ReadAsync(buffer);
            if (!r.IsOk || r.Value.IsEndOfStream) break;
            if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
        }
        await flow.CloseAsync();   // after the peer's FIN: half-close is honoured, everything read was echoed
    }
}
