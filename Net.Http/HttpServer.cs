using System.Text;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.Http;

/// <summary>
/// An HTTP/1.1 server (RFC 9110/9112) over the stack's TCP flows, in the shape of ASP.NET Core's minimal APIs:
/// <code>
/// var http = new HttpServer(stack);
/// http.MapGet("/", () => Results.Text("hello"));
/// http.MapGet("/items/{id}", ctx => Results.Text($"item {ctx.Request.RouteValue("id")}"));
/// http.MapPost("/echo", async ctx => Results.Bytes(await ctx.Request.ReadBodyAsync()));
/// http.Start(80);
/// </code>
/// Everything runs on the stack's single thread; handlers must not block it (await instead).
/// </summary>
public sealed class HttpServer
{
    readonly TcpStack? _tcp;
    readonly Router _router = new();
    readonly Queue<TaskCompletionSource> _queued = new();
    readonly LogLimiter _faultLog;

    /// <summary>Finished connections kept for reuse: each holds ~60 KiB of buffers (with the default limits) that a new
    /// connection would otherwise allocate and zero. Enough for a burst of short connections, little memory when idle.</summary>
    const int IdleConnectionsKept = 16;
    readonly Stack<HttpConnection> _idle = new();
    StaticFiles? _files;

    public HttpServer(NetworkStack stack, HttpServerOptions? options = null) : this(stack.Tcp, stack.Clock, options) { }

    /// <param name="tcp">The TCP stack to listen on; null for a server that only serves transports handed to <see cref="ServeAsync"/>.</param>
    public HttpServer(TcpStack? tcp, IClock clock, HttpServerOptions? options = null)
    {
        _tcp = tcp;
        Clock = clock;
        _faultLog = new LogLimiter(clock);
        Options = options ?? new HttpServerOptions();
        Options.Validate();
        Date = new HttpDate(Options.TimeProvider);
        ServerLine = Options.ServerName is { } name ? Encoding.ASCII.GetBytes($"Server: {name}\r\n") : null;
    }

    public HttpServerOptions Options { get; }
    public IClock Clock { get; }
    /// <summary>Where failures of handlers are reported, at most 10 lines a second (the kernel's console, a test's log); null drops them.</summary>
    public Action<string>? Log { get; set; }
    /// <summary>Connections being served now.</summary>
    public int ActiveConnections { get; private set; }
    /// <summary>Finished connection objects kept for reuse now.</summary>
    public int ReusableConnections => _idle.Count;
    /// <summary>Connections waiting (unread) for a free slot.</summary>
    public int QueuedConnections => _queued.Count;
    /// <summary>Connections turned away with 503 because the queue was full.</summary>
    public long RejectedConnections { get; private set; }
    /// <summary>Connections reset because a handler (or the server while serving them) threw, out of memory included:
    /// each was logged in one line and aborted (RST); the server and the other connections carried on.</summary>
    public long Faults { get; private set; }

    /// <summary>
    /// Request and response buffers, lent to connections only while they serve a request; up to 8 of each size are kept
    /// for reuse while connections come and go. Once none is served the spares go back to the heap (at most once a second,
    /// so that a busy server that is idle now and then does not reallocate them for every connection): after a burst the
    /// heap returns to its size before it.
    /// </summary>
    internal System.Buffers.ArrayPool<byte> Buffers { get; private set; } = NewBufferPool();
    static System.Buffers.ArrayPool<byte> NewBufferPool() => System.Buffers.ArrayPool<byte>.Create(128 * 1024, 8);
    long _buffersReleasedAt;

    void ReleaseSpareBuffers()
    {
        long now = Clock.NowNanoseconds;
        if (now - _buffersReleasedAt < 1_000_000_000) return;
        _buffersReleasedAt = now;
        Buffers = NewBufferPool();   // buffers still lent out (a closing connection's) are returned to the new pool
    }

    internal HttpDate Date { get; }
    internal byte[]? ServerLine { get; }

    // ---- routes -----------------------------------------------------------------------------------------------------

    /// <summary>Adds a route; <paramref name="handler"/> returns the result to send, or null after writing the response itself.</summary>
    public HttpServer Map(string method, string template, Func<HttpContext, IResult?> handler) =>
        Add(method, template, ctx => handler(ctx) is { } result ? result.ExecuteAsync(ctx) : default);

    public HttpServer Map(string method, string template, Func<IResult?> handler) =>
        Add(method, template, ctx => handler() is { } result ? result.ExecuteAsync(ctx) : default);

    public HttpServer Map(string method, string template, Func<HttpContext, Task<IResult?>> handler) =>
        Add(method, template, async ctx => { if (await handler(ctx) is { } result) await result.ExecuteAsync(ctx); });

    public HttpServer Map(string method, string template, Func<HttpContext, Task> handler) =>
        Add(method, template, ctx => new ValueTask(handler(ctx)));

    public HttpServer MapGet(string template, Func<HttpContext, IResult?> handler) => Map(HttpMethods.Get, template, handler);
    public HttpServer MapGet(string template, Func<IResult?> handler) => Map(HttpMethods.Get, template, handler);
    public HttpServer MapGet(string template, Func<HttpContext, Task<IResult?>> handler) => Map(HttpMethods.Get, template, handler);
    public HttpServer MapGet(string template, Func<HttpContext, Task> handler) => Map(HttpMethods.Get, template, handler);
    public HttpServer MapPost(string template, Func<HttpContext, IResult?> handler) => Map(HttpMethods.Post, template, handler);
    public HttpServer MapPost(string template, Func<HttpContext, Task<IResult?>> handler) => Map(HttpMethods.Post, template, handler);
    public HttpServer MapPost(string template, Func<HttpContext, Task> handler) => Map(HttpMethods.Post, template, handler);
    public HttpServer MapPut(string template, Func<HttpContext, Task<IResult?>> handler) => Map(HttpMethods.Put, template, handler);
    public HttpServer MapDelete(string template, Func<HttpContext, IResult?> handler) => Map(HttpMethods.Delete, template, handler);

    /// <summary>Serves <paramref name="files"/> (GET and HEAD) for paths no route takes.</summary>
    public HttpServer UseStaticFiles(StaticFiles files)
    {
        _files = files;
        return this;
    }

    HttpServer Add(string method, string template, Func<HttpContext, ValueTask> handler)
    {
        var interned = HttpMethods.Intern(Encoding.ASCII.GetBytes(method));
        if (interned.Length == 0) throw new ArgumentException($"unknown method '{method}'", nameof(method));
        if (interned == HttpMethods.Head || interned == HttpMethods.Options) throw new ArgumentException($"{method} is answered by the server (HEAD from GET routes, OPTIONS from the route table)");
        _router.Add(new Route(interned, template, handler));
        return this;
    }

    // ---- serving ----------------------------------------------------------------------------------------------------

    /// <summary>Listens on <paramref name="port"/> of the TCP stack.</summary>
    public void Start(ushort port)
    {
        if (_tcp is null) throw new InvalidOperationException("this server has no TCP stack: hand it transports with ServeAsync");
        _tcp.Listen(port, null, flow => ServeAsync(new TcpFlowTransport(flow)));
    }

    public void Stop(ushort port) => _tcp?.Unlisten(port);

    /// <summary>
    /// Serves one connection until it closes: waits for a slot when all are busy, or answers 503 when the queue is full
    /// too — or when the TCP stack is short of memory (<see cref="TcpStack.UnderMemoryPressure"/>): a server that stops
    /// taking connections early keeps serving those it has.
    /// </summary>
    public async Task ServeAsync(ITransport transport)
    {
        if (_tcp is { UnderMemoryPressure: true })
        {
            RejectedConnections++;
            await transport.WriteAsync(s_unavailable, push: true);
            await transport.CloseAsync();
            return;
        }
        if (ActiveConnections >= Options.MaxConcurrentConnections)
        {
            if (_queued.Count >= Options.MaxQueuedConnections)
            {
                RejectedConnections++;
                await transport.WriteAsync(s_unavailable, push: true);
                await transport.CloseAsync();
                return;
            }
            var slot = new TaskCompletionSource();
            _queued.Enqueue(slot);
            await slot.Task;   // the finishing connection hands its slot over (ActiveConnections stays counted)
        }
        else ActiveConnections++;

        Task closing;
        var connection = _idle.TryPop(out var reused) ? reused : new HttpConnection(this);
        bool failed = true;   // also after an exception: nothing of the connection is trusted then
        try
        {
            failed = !await connection.RunAsync(transport);
        }
        catch (Exception e)
        {
            Fault(transport, "serving", e);
        }
        finally
        {
            closing = failed ? Abort(transport) : transport.CloseAsync();
            if (!failed && _idle.Count < IdleConnectionsKept) _idle.Push(connection);
            if (_queued.TryDequeue(out var next)) next.SetResult();
            else if (--ActiveConnections == 0) ReleaseSpareBuffers();
        }
        await closing;
    }

    /// <summary>Counts and logs (one line) a fault on one connection; the caller then aborts it.</summary>
    internal void Fault(ITransport transport, string during, Exception e)
    {
        Faults++;
        if (Log is null || !_faultLog.Allow(out long suppressed)) return;
        try { Log($"http: {during} for {transport.RemoteEndpoint} failed ({e.GetType().Name}: {e.Message}); connection reset{LogLimiter.Note(suppressed)}"); }
        catch (Exception) { } // no memory for the message: the count still says it happened
    }

    static Task Abort(ITransport transport)
    {
        try { transport.Abort(); }
        catch (Exception) { } // the transport's own containment counts it; the slot must still be given back
        return Task.CompletedTask;
    }

    static readonly byte[] s_unavailable = Encoding.ASCII.GetBytes(
        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\nRetry-After: 1\r\n\r\n");

    internal ValueTask DispatchAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var response = ctx.Response;
        if (request.IsAsteriskForm)   // OPTIONS *: the server's capabilities
        {
            response.AppendHeader("Allow", _router.AllMethods(_files is not null));
            response.ContentLength = 0;
            return default;
        }
        if (_router.Find(request) is { } route)
        {
            request.Route = route;
            return route.Handler(ctx);
        }
        bool get = request.IsHead || ReferenceEquals(request.Method, HttpMethods.Get);
        StaticFile? file = null;
        if (_files is not null && _files.TryFind(request.RawPath, out file) && get) return file.ExecuteAsync(ctx);

        var allow = _router.AllowedMethods(request.RawPath, file is not null);
        if (allow is null) return Results.NotFound().ExecuteAsync(ctx);
        response.AppendHeader("Allow", allow);
        response.ContentLength = 0;
        if (!ReferenceEquals(request.Method, HttpMethods.Options)) response.StatusCode = 405;
        return default;
    }
}
