using System.Diagnostics;
using System.Text;
using System.Threading.Tasks.Sources;
using BenchmarkDotNet.Attributes;
using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Http.Bench;

/// <summary>
/// One request served per operation over an in-memory transport on a persistent connection: parse, route, respond.
/// [MemoryDiagnoser] shows what the server allocates per request in steady state (the TCP stack's own cost is measured
/// in bench/Net.Bench).
/// </summary>
[MemoryDiagnoser]
public class RequestBenchmarks
{
    static readonly byte[] Page = Encoding.UTF8.GetBytes("<!doctype html>\n<title>CosmosNet</title>\n<h1>Hello from CosmosNet</h1>\n");
    static readonly IResult PageResult = Results.Bytes(Page, "text/html; charset=utf-8");

    readonly byte[] _static = Encoding.ASCII.GetBytes(
        "GET / HTTP/1.1\r\nHost: bench\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) bench/1.0\r\nAccept: text/html,application/xhtml+xml\r\n" +
        "Accept-Encoding: gzip, deflate\r\nAccept-Language: en-US,en;q=0.9\r\nConnection: keep-alive\r\n\r\n");
    readonly byte[] _file = Encoding.ASCII.GetBytes("GET /site.css HTTP/1.1\r\nHost: bench\r\nAccept-Encoding: gzip\r\n\r\n");
    byte[] _notModified = [];
    readonly byte[] _post = Encoding.ASCII.GetBytes("POST /sink HTTP/1.1\r\nHost: bench\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n0\r\n\r\n");
    MemoryTransport _transport = null!;

    [GlobalSetup]
    public void Setup()
    {
        var server = new HttpServer(null, new StopwatchClock());
        server.MapGet("/", () => PageResult);
        var sink = new byte[256];
        server.MapPost("/sink", async ctx => { while (await ctx.Request.Body.ReadAsync(sink) > 0) { } return Results.NoContent(); });
        var css = Encoding.UTF8.GetBytes(new string('c', 2000));
        server.UseStaticFiles(new StaticFiles().Add("/site.css", css, gzip: new byte[300]));
        var etag = new StaticFile("/site.css", css, null, "text/css").ETag;
        _notModified = Encoding.ASCII.GetBytes($"GET /site.css HTTP/1.1\r\nHost: bench\r\nIf-None-Match: \"x\", {etag}\r\n\r\n");
        _transport = new MemoryTransport();
        _ = server.ServeAsync(_transport);
        foreach (var (request, status) in new[] { (_static, "200"), (_file, "200"), (_notModified, "304"), (_post, "204") })
        {
            var head = Encoding.ASCII.GetString(_transport.Deliver(request));
            if (!head.StartsWith($"HTTP/1.1 {status}")) throw new InvalidOperationException($"expected {status}, got {head}");
        }
    }

    [Benchmark(Description = "GET / (static route, 7 headers)")]
    public int StaticRoute() => _transport.Deliver(_static).Length;

    [Benchmark(Description = "GET static file, gzip accepted")]
    public int StaticFile() => _transport.Deliver(_file).Length;

    [Benchmark(Description = "GET static file, If-None-Match -> 304")]
    public int NotModified() => _transport.Deliver(_notModified).Length;

    [Benchmark(Description = "POST chunked body, read and dropped -> 204")]
    public int ChunkedPost() => _transport.Deliver(_post).Length;
}

/// <summary>A connection in memory: each Deliver hands the server one request and returns what it wrote back.</summary>
sealed class MemoryTransport : ITransport, IValueTaskSource<int>
{
    ManualResetValueTaskSourceCore<int> _read;   // completes synchronously: the server runs inside Deliver
    Memory<byte> _destination;
    readonly byte[] _written = new byte[64 * 1024];
    int _writtenLength;

    public string RemoteEndpoint => "memory";

    public ReadOnlySpan<byte> Deliver(byte[] request)
    {
        _writtenLength = 0;
        request.CopyTo(_destination);
        _read.SetResult(request.Length);
        return _written.AsSpan(0, _writtenLength);
    }

    public ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        _read.Reset();
        _destination = buffer;
        return new ValueTask<int>(this, _read.Version);
    }

    public ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, bool push)
    {
        data.Span.CopyTo(_written.AsSpan(_writtenLength));
        _writtenLength += data.Length;
        return new ValueTask<bool>(true);
    }

    public void AbortRead() { }
    public Task CloseAsync() => Task.CompletedTask;
    public void Abort() { }

    public int GetResult(short token) => _read.GetResult(token);
    public ValueTaskSourceStatus GetStatus(short token) => _read.GetStatus(token);
    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
}

/// <summary>Monotonic time from Stopwatch; timers never fire within a benchmark's run.</summary>
sealed class StopwatchClock : IClock
{
    public long NowNanoseconds => (long)(Stopwatch.GetTimestamp() * (1e9 / Stopwatch.Frequency));
    public ITimer CreateTimer(Action callback) => new Timer();

    sealed class Timer : ITimer
    {
        public void Arm(long deadlineNanoseconds) => IsArmed = true;
        public void Cancel() => IsArmed = false;
        public bool IsArmed { get; private set; }
    }
}
