using System.Security.Cryptography;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.TapHost;

/// <summary>
/// The small servers TapHost offers Linux's tools, written against the stack's TCP API as an application would:
/// a TCP echo, a discard sink and an outgoing bulk client. The HTTP service (Net.Http) is in HttpService.cs.
/// </summary>
internal static class Services
{
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
