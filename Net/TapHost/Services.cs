using System.Security.Cryptography;
using System.Text;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.TapHost;

/// <summary>
/// The small servers TapHost offers Linux's tools, written against the stack's TCP API as an application would:
/// an HTTP responder (GET / → a page, POST /echo → the body), a TCP echo, and an outgoing bulk client.
/// </summary>
internal static class Services
{
    public const int MaxBody = 64 << 20;

    private static readonly byte[] Page = Encoding.UTF8.GetBytes(
        "<!doctype html>\n<title>CosmosNet</title>\n<h1>CosmosNet</h1>\n<p>Served by the CosmosNet C# TCP/IP stack over a TAP device.</p>\n");

    public static async Task HttpAsync(TcpFlow flow)
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

    public static async Task EchoAsync(TcpFlow flow)
    {
        var peer = flow.Destination;
        Log.Info($"echo {peer}: connected");
        var buffer = new byte[64 * 1024];
        long total = 0;
        string end = "end of stream";
        while (true)
        {
            var r = await flow.ReadAsync(buffer);
            if (!r.IsOk) { end = r.Error.ToString(); break; }
            if (r.Value.IsEndOfStream) break;
            var w = await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count));
            if (!w.IsOk) { end = $"write: {w.Error}"; break; }
            total += r.Value.Count;
        }
        await flow.CloseAsync();
        Log.Info($"echo {peer}: {total} bytes echoed, {end}");
    }

    public static async Task DiscardAsync(TcpFlow flow, IClock clock)
    {
        var peer = flow.Destination;
        var buffer = new byte[256 * 1024];
        long total = 0, start = clock.NowNanoseconds;
        string end = "end of stream";
        while (true)
        {
            var r = await flow.ReadAsync(buffer);
            if (!r.IsOk) { end = r.Error.ToString(); break; }
            if (r.Value.IsEndOfStream) break;
            total += r.Value.Count;
        }
        await flow.CloseAsync();
        Log.Info($"discard {peer}: {total} bytes, {end}, {Rate(total, clock.NowNanoseconds - start)}");
    }

    private static string Rate(long bytes, long nanoseconds) =>
        $"{nanoseconds / 1e9:F3} s, {bytes * 8 / Math.Max(nanoseconds, 1.0):F3} Gbit/s";

    /// <summary>
    /// Connects to <paramref name="remote"/> (retrying while refused, so the listener may start later), sends
    /// <paramref name="sendBytes"/> pseudo-random bytes, half-closes, reads to end-of-stream, and logs the SHA-256 of each direction.
    /// </summary>
    public static async Task ConnectOutAsync(TcpStack tcp, TcpEndpoint remote, long sendBytes, IClock clock, Func<TimeSpan, Task> delay)
    {
        Result<TcpFlow, TcpError> connected = default;
        for (int attempt = 1; attempt <= 50; attempt++)
        {
            connected = await tcp.ConnectAsync(remote);
            if (connected.IsOk || connected.Error.Kind != TcpErrorKind.Refused) break;
            await delay(TimeSpan.FromMilliseconds(200));
        }
        if (!connected.IsOk) { Log.Info($"connect {remote}: failed: {connected.Error}"); return; }
        var flow = connected.Value;
        Log.Info($"connect {remote}: established from {flow.LocalEndpoint}");
        long start = clock.NowNanoseconds;

        var reading = ReadAllAsync(flow);
        using var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var chunk = new byte[64 * 1024];
        var random = new Random(1);
        long left = sendBytes;
        while (left > 0)
        {
            int n = (int)Math.Min(left, chunk.Length);
            random.NextBytes(chunk.AsSpan(0, n));
            sent.AppendData(chunk, 0, n);
            var w = await flow.WriteAsync(chunk.AsMemory(0, n));
            if (!w.IsOk) { Log.Info($"connect {remote}: write failed: {w.Error}"); break; }
            left -= n;
        }
        flow.Shutdown(ShutdownMode.Write);
        Log.Info($"connect {remote}: sent {sendBytes - left} bytes, FIN queued, {Rate(sendBytes - left, clock.NowNanoseconds - start)}");
        var (received, receivedHash, end) = await reading;
        await flow.CloseAsync();
        Log.Info($"connect {remote}: done: sent {sendBytes - left} bytes sha256={Convert.ToHexStringLower(sent.GetHashAndReset())}, " +
                 $"received {received} bytes sha256={receivedHash} ({end})");
    }

    private static async Task<(long Length, string Sha256, string End)> ReadAllAsync(TcpFlow flow)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[64 * 1024];
        long total = 0;
        while (true)
        {
            var r = await flow.ReadAsync(buffer);
            if (!r.IsOk) return (total, Convert.ToHexStringLower(hash.GetHashAndReset()), r.Error.ToString());
            if (r.Value.IsEndOfStream) return (total, Convert.ToHexStringLower(hash.GetHashAndReset()), "end of stream");
            hash.AppendData(buffer, 0, r.Value.Count);
            total += r.Value.Count;
        }
    }
}
