// The default CosmosNet app: HTTP/1.1 on port 80 (Net.Http: the demo page from wwwroot/, a JSON status, and the
// endpoints of Http11Probe's server contract so anyone can score it) and the TCP echo service on port 7, written
// against the Mirage-style flow API. Everything runs on the kernel's network loop.
using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;
using CosmosNet.Host;
using CosmosNet.Net;
using CosmosNet.Net.Http;
using CosmosNet.Net.Tcp;

static class Program
{
    const ushort HttpPort = 80, EchoPort = 7;

    static int Main() => NetworkHost.Run(Serve);

    static Task Serve(NetworkStack stack)
    {
        // Connections are admitted by memory (the server answers 503 while the stack is under memory pressure), not by a
        // fixed count: an idle keep-alive connection holds no HTTP buffers and a few KiB of TCP state.
        var options = new HttpServerOptions { MaxConcurrentConnections = 50_000, KeepAliveTimeout = TimeSpan.FromMinutes(5) };
        var http = new HttpServer(stack, options) { Log = Console.WriteLine };
        http.UseStaticFiles(StaticFiles.FromAssembly(typeof(Program).Assembly));   // GET/HEAD/OPTIONS / -> wwwroot/index.html
        http.MapPost("/", async ctx => Results.Bytes(await ctx.Request.ReadBodyAsync()));   // the body echoed
        http.MapPost("/echo", ctx => Results.Text(HeaderLines(ctx.Request)));             // the received headers, "Name: Value"
        http.MapGet("/status", ctx => Results.Json(Status.Of(stack, http, collect: ctx.Request.Query("collect") == "1"), AppJson.Default.Status));
        http.Start(HttpPort);
        stack.Tcp.Listen(EchoPort, null, EchoAsync);
        Console.WriteLine($"http: listening on {stack.Ip.Configuration.Address}:{HttpPort}, echo on port {EchoPort}");
        return new TaskCompletionSource().Task;   // serve forever
    }

    static string HeaderLines(HttpRequest request)
    {
        var lines = new StringBuilder();
        for (int i = 0; i < request.HeaderCount; i++)
            lines.Append(Encoding.Latin1.GetString(request.HeaderName(i))).Append(": ").Append(Encoding.Latin1.GetString(request.HeaderValue(i))).Append('\n');
        return lines.ToString();
    }

    /// <summary>Echo buffers, each taken only while a connection is echoing: 20,000 connections that echoed once hold none.</summary>
    static readonly ArrayPool<byte> s_echoBuffers = ArrayPool<byte>.Create(64 * 1024, 4);

    static async Task EchoAsync(TcpFlow flow)
    {
        while (await flow.WaitReadableAsync())
        {
            var buffer = s_echoBuffers.Rent(64 * 1024);
            try
            {
                var r = await flow.ReadAsync(buffer);
                if (!r.IsOk || r.Value.IsEndOfStream) break;
                if (!(await flow.WriteAsync(buffer.AsMemory(0, r.Value.Count))).IsOk) break;
            }
            finally { s_echoBuffers.Return(buffer); }
        }
        await flow.CloseAsync();   // after the peer's FIN: half-close is honoured, everything read was echoed
    }
}

/// <summary>
/// GET /status: connections, memory, the collector and every contained fault, for monitoring and the hostile-client
/// and soak tests. <c>?collect=1</c> runs a full collection first, so HeapLiveBytes is what is really live.
/// </summary>
record Status(int TcpConnections, int TcpHalfOpen, int TcpTimeWait, long TcpBufferBytes, long TcpPooledBytes,
    int HttpConnections, int HttpQueued, long HttpRejected, int HttpReusable,
    long HeapLiveBytes, long HeapCommittedBytes, long MemoryUsedBytes, long MemoryTotalBytes,
    int GcCollections, double GcPauseTotalMs, double GcPauseMaxUs,
    long HttpFaults, long TcpFaults, long InputFaults, long LoopFaults, string Tcp)
{
    public static Status Of(NetworkStack stack, HttpServer http, bool collect)
    {
        if (collect) GC.Collect();
        var memory = GC.GetGCMemoryInfo();
        return new Status(stack.Tcp.ConnectionCount, stack.Tcp.HalfOpenCount, stack.Tcp.TimeWaitCount, stack.Tcp.BufferMemory, stack.Tcp.PooledBufferMemory,
            http.ActiveConnections, http.QueuedConnections, http.RejectedConnections, http.ReusableConnections,
            memory.HeapSizeBytes, memory.TotalCommittedBytes, memory.MemoryLoadBytes, memory.TotalAvailableMemoryBytes,
            GC.CollectionCount(0), GC.GetTotalPauseDuration().TotalMilliseconds, CosmosNet.Kernel.GcDiagnostics.MaxPauseMicroseconds,
            http.Faults, stack.Tcp.Statistics.Faults, stack.Statistics[CosmosNet.Net.Ip.NetCounter.InputFaults], NetworkHost.LoopFaults,
            stack.Tcp.Statistics.ToString());
    }
}

[JsonSerializable(typeof(Status))]
partial class AppJson : JsonSerializerContext;
