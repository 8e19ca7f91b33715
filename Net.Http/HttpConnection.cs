using System.Runtime.CompilerServices;
using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Http;

/// <summary>
/// One connection: reads request heads into a fixed receive buffer, parses them in place, runs the handler, frames the
/// response and the request body, and loops while the connection persists. Requests on a connection are served one after
/// another, so pipelined requests are answered in order. One timer enforces whichever timeout applies at the moment.
/// The server reuses a finished connection object (its buffers above all) for a later transport: see <see cref="RunAsync"/>.
/// </summary>
internal sealed class HttpConnection
{
    enum Wait { None, Idle, Head, Body }
    enum Chunk { Size, Data, DataEnd, Trailers, Done }

    static readonly byte[] s_continue = "HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray();
    readonly HttpServerOptions _o;
    readonly IClock _clock;
    readonly ITimer _timer;
    byte[] _in = Array.Empty<byte>();         // rented from the server while a request is under way; none while idle
    readonly RequestHead _head = new();
    int _headStart, _headEnd, _start, _end;   // received, unconsumed bytes are _in[_start.._end)
    Wait _wait;
    bool _timedOut, _handlerFailed;

    // the body of the current request
    bool _bodyDone, _chunked, _continueSent;
    long _remaining;                          // Content-Length bytes, or bytes of the current chunk, still to come
    long _bodyReceived, _bodyWaitedNs;
    long _chunkedTotal;                       // chunk sizes announced so far
    Chunk _chunkState;
    int _trailerBytes, _bodyError;

    public HttpConnection(HttpServer server)
    {
        Server = server;
        _o = server.Options;
        _clock = server.Clock;
        _timer = _clock.CreateTimer(OnTimer);
        _head.Fields = new FieldRange[_o.MaxRequestHeaderCount];
        Request = new HttpRequest(this, _head);
        Response = new HttpResponse(this, _o.ResponseBufferSize);
        Context = new HttpContext(Request, Response);
    }

    public HttpServer Server { get; }
    /// <summary>The connection being served (null between connections).</summary>
    public ITransport Transport { get; private set; } = null!;
    public HttpRequest Request { get; }
    public HttpResponse Response { get; }
    public HttpContext Context { get; }
    /// <summary>Whether the connection stays open after the current response.</summary>
    public bool KeepAlive { get; set; }

    /// <summary>Serves <paramref name="transport"/> until the connection should close; false when a handler failed and it must be
    /// aborted instead. Afterwards this object may serve another transport.</summary>
    public async Task<bool> RunAsync(ITransport transport)
    {
        Transport = transport;
        _start = _end = 0;
        _wait = Wait.None;
        _timedOut = false;
        _handlerFailed = false;
        KeepAlive = false;
        try
        {
            for (bool first = true; ; first = false)
            {
                int status = await ReadHeadAsync(first);
                if (status < 0) return true;   // closed, or idle too long: nothing to answer
                if (status == 0) status = _head.Parse(_headStart, _headEnd, _o);
                if (status == 0 && _head.Method.Length == 0) status = 501;
                if (status != 0)
                {
                    await RejectAsync(status);
                    return true;
                }
                if (!await ServeRequestAsync()) return !_handlerFailed;
                if (!KeepAlive) return true;
            }
        }
        finally
        {
            _timer.Cancel();
            ReleaseBuffers();
            Transport = null!;
        }
    }

    /// <summary>The receive size a request needs: the longest head plus a chunk line or trailers, and some slack.</summary>
    int InSize => _o.MaxRequestLineLength + _o.MaxRequestHeadersSize + Math.Max(_o.MaxChunkLineLength, _o.MaxTrailersSize) + 256;

    /// <summary>
    /// A request's head is first read into a buffer this small (a typical head is a few hundred bytes); one that does not
    /// fit, and any request with a body, moves to a buffer of <see cref="InSize"/>. On a small machine 64 requests in
    /// flight then hold 4 KiB each, not 64 KiB (InSize rounded up by the pool), which a non-moving heap of a few MiB
    /// cannot find contiguous for long.
    /// </summary>
    const int FirstInSize = 4 * 1024;

    /// <summary>Moves what is buffered into a receive buffer of the full size (a no-op when it is one already).</summary>
    void GrowIn()
    {
        if (_in.Length >= InSize) return;
        var larger = Server.Buffers.Rent(InSize);
        _in.AsSpan(0, _end).CopyTo(larger);
        if (_in.Length > 0) Server.Buffers.Return(_in);
        _in = larger;
        _head.Buffer = _in;
    }

    /// <summary>Idle between requests (nothing buffered): the buffers go back to the server's pool.</summary>
    void ReleaseBuffers()
    {
        if (_in.Length > 0) { Server.Buffers.Return(_in); _in = Array.Empty<byte>(); _head.Buffer = _in; }
        Response.ReleaseBuffers();
    }

    /// <summary>Answers a refused request with an empty-bodied status and no keep-alive; the caller then closes.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    async ValueTask RejectAsync(int status)
    {
        KeepAlive = false;
        Response.Reset();
        Response.StatusCode = status;
        Response.ContentLength = 0;
        await Response.CompleteAsync();
    }

    // ---- the head -------------------------------------------------------------------------------------------------------

    /// <summary>
    /// Receives until a complete head (every line ending in CRLF, then an empty line) is buffered at _in[_headStart.._headEnd).
    /// Returns 0, a status to refuse with (a limit, a bare LF, a timeout with a partial head), or -1 when the peer closed.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<int> ReadHeadAsync(bool first)
    {
        _headStart = _start;
        int scan = _start, lineStart = _start, fieldsStart = -1, fields = 0, leadingEmpty = 0;
        bool waiting = first || _end > _start;   // a new connection or pipelined bytes: the request is under way
        ArmWait(waiting ? Wait.Head : Wait.Idle, waiting ? _o.RequestHeadersTimeout : _o.KeepAliveTimeout);
        while (true)
        {
            while (true)
            {
                int lf = _in.AsSpan(scan, _end - scan).IndexOf((byte)'\n');
                if (lf < 0) break;
                lf += scan;
                if (lf == lineStart || _in[lf - 1] != '\r') return 400;   // a bare LF is no line end here
                int length = lf - 1 - lineStart;
                if (fieldsStart < 0)
                {
                    if (length == 0)
                    {
                        if (++leadingEmpty > 4) return 400;   // RFC 9112 2.2: ignore at least one empty line before a request
                        _headStart = lineStart = scan = lf + 1;
                        continue;
                    }
                    if (length > _o.MaxRequestLineLength) return LineTooLong(lineStart);
                    fieldsStart = lf + 1;
                }
                else
                {
                    if (lf + 1 - fieldsStart > _o.MaxRequestHeadersSize) return 431;
                    if (length == 0) { _headEnd = lf + 1; Disarm(); return 0; }
                    if (++fields > _o.MaxRequestHeaderCount) return 431;
                }
                lineStart = scan = lf + 1;
            }
            scan = _end;
            if (fieldsStart < 0 && _end - lineStart > _o.MaxRequestLineLength) return LineTooLong(lineStart);
            if (fieldsStart >= 0 && _end - fieldsStart > _o.MaxRequestHeadersSize) return 431;

            if (_end == _in.Length)
            {
                // Move the partial head to the front; the limits above guarantee it then has room to grow.
                int shift = _headStart;
                _in.AsSpan(_headStart, _end - _headStart).CopyTo(_in);
                _headStart = 0; _end -= shift; scan -= shift; lineStart -= shift;
                if (fieldsStart >= 0) fieldsStart -= shift;
                if (_in.Length > 0 && _end == _in.Length) GrowIn();   // one head fills the first, small buffer
            }
            if (_in.Length == 0)
            {
                // Idle: wait for the request's first bytes before taking a buffer for them.
                if (!await Transport.WaitReadableAsync()) { Disarm(); return -1; }
                _in = Server.Buffers.Rent(Math.Min(FirstInSize, InSize));
                _head.Buffer = _in;
            }
            int n = await Transport.ReadAsync(_in.AsMemory(_end));
            if (n == 0)
            {
                Disarm();
                return _timedOut && _end > _headStart ? 408 : -1;
            }
            if (_wait == Wait.Idle) ArmWait(Wait.Head, _o.RequestHeadersTimeout);   // the slowloris clock starts at the first byte
            _end += n;
        }
    }

    /// <summary>414 when the target makes the request line too long; 400 when no method ends in its first bytes (garbage, a giant method).</summary>
    int LineTooLong(int lineStart) => _in.AsSpan(lineStart, 64).IndexOf((byte)' ') < 0 ? 400 : 414;

    // ---- one request ------------------------------------------------------------------------------------------------

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<bool> ServeRequestAsync()
    {
        _start = _headEnd;
        KeepAlive = _head.KeepAlive;
        _chunked = _head.Chunked;
        _continueSent = false;
        _bodyReceived = _bodyWaitedNs = 0;
        _remaining = _chunked ? 0 : Math.Max(_head.ContentLength, 0);
        _bodyDone = !_chunked && _remaining == 0;
        _chunkState = Chunk.Size;
        _trailerBytes = _bodyError = 0;
        _chunkedTotal = 0;
        if (!_bodyDone) GrowIn();   // a body's chunk lines, trailers and the discarding of unread bytes use the room after the head
        Request.Begin();
        Response.Reset();

        bool sent;
        try
        {
            await Server.DispatchAsync(Context);
            if (_bodyError != 0) throw new HttpProtocolException(_bodyError, "the request body was malformed");
            // A client still waiting for 100 Continue will not send the body it announced: do not wait for it.
            if (!_bodyDone && _head.ExpectContinue && !_continueSent && !Response.HasStarted) KeepAlive = false;
            sent = await Response.CompleteAsync();
        }
        catch (Exception e) when (_bodyError != 0 || e is HttpProtocolException)
        {
            // The body broke the rules (malformed chunk, too large, too slow): answer if nothing was sent yet, then close.
            if (!Response.HasStarted) await RejectAsync(e is HttpProtocolException p ? p.Status : _bodyError);
            return false;
        }
        catch (ConnectionClosedException) when (_bodyError == 0)
        {
            return false;   // the client left: nothing to answer, nothing went wrong here
        }
        catch (Exception e) when (_bodyError == 0)
        {
            // Fault containment (issue 14): whatever the handler left behind — half a response, its own state, no
            // memory — is not trusted to end the exchange cleanly; the connection is counted, logged and reset.
            Server.Fault(Transport, $"{Request.Method} {System.Text.Encoding.Latin1.GetString(Request.RawTarget)}", e);
            _handlerFailed = true;
            return false;
        }
        if (!sent || !KeepAlive) return false;

        // The next request starts after this one's body: read and drop what the handler left unread.
        if (!_bodyDone)
        {
            var scratch = _in.AsMemory(_headEnd, Math.Min(4096, _in.Length - _headEnd));
            try
            {
                while (!_bodyDone)
                {
                    // Drop buffered bytes in place, then read into the tail (never into the bytes of a next request).
                    if (!_chunked && _start < _end)
                    {
                        int n = (int)Math.Min(_remaining, _end - _start);
                        _start += n; _remaining -= n;
                        if (_remaining == 0) _bodyDone = true;
                        continue;
                    }
                    if (await ReadBodyAsync(_chunked ? scratch : scratch[..(int)Math.Min(scratch.Length, _remaining)]) == 0) break;
                }
            }
            catch (HttpProtocolException) { return false; }
        }
        // Pipelined bytes of the next request move to the front of the buffer; with none, the connection is idle.
        _in.AsSpan(_start, _end - _start).CopyTo(_in);
        _end -= _start;
        _start = 0;
        if (_end == 0) ReleaseBuffers();
        return true;
    }

    // ---- the body ---------------------------------------------------------------------------------------------------

    /// <summary>Reads de-framed body bytes; 0 at the end of the body. Throws <see cref="HttpProtocolException"/> on a bad body.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReadBodyAsync(Memory<byte> destination)
    {
        if (_bodyDone || destination.IsEmpty) return 0;
        if (_head.ExpectContinue && !_continueSent)
        {
            _continueSent = true;
            if (!Response.HasStarted && _start == _end && !await SendAsync(s_continue, push: true))
                throw Fail(400, "connection lost");
        }
        if (!_chunked)
        {
            int max = (int)Math.Min(destination.Length, _remaining);
            int n;
            if (_start < _end)
            {
                n = Math.Min(max, _end - _start);
                _in.AsSpan(_start, n).CopyTo(destination.Span);
                _start += n;
            }
            else n = await ReceiveBodyAsync(destination[..max]);   // straight into the reader's buffer
            _remaining -= n;
            if (_remaining == 0) _bodyDone = true;
            return n;
        }
        while (true)
        {
            switch (_chunkState)
            {
                case Chunk.Size:
                {
                    int lf = await ReadLineAsync(_o.MaxChunkLineLength, 400);
                    _remaining = ParseChunkLine(_in.AsSpan(_start, lf - 1 - _start));
                    _start = lf + 1;
                    if (_remaining == 0) { _chunkState = Chunk.Trailers; continue; }
                    if (_chunkedTotal + _remaining > _o.MaxRequestBodySize) throw Fail(413, "request body too large");
                    _chunkedTotal += _remaining;
                    _chunkState = Chunk.Data;
                    continue;
                }
                case Chunk.Data:
                {
                    if (_start == _end) await FillAsync();
                    int n = (int)Math.Min(Math.Min(destination.Length, _remaining), _end - _start);
                    _in.AsSpan(_start, n).CopyTo(destination.Span);
                    _start += n;
                    _remaining -= n;
                    if (_remaining == 0) _chunkState = Chunk.DataEnd;
                    return n;
                }
                case Chunk.DataEnd:
                {
                    while (_end - _start < 2) await FillAsync();
                    if (_in[_start] != '\r' || _in[_start + 1] != '\n') throw Fail(400, "chunk data not followed by CRLF");
                    _start += 2;
                    _chunkState = Chunk.Size;
                    continue;
                }
                case Chunk.Trailers:
                {
                    // trailer-section = *( field-line CRLF ) CRLF: checked like header fields, bounded, then dropped
                    // (RFC 9110 6.5.1: nothing in a trailer may change framing, routing or authentication).
                    int lf = await ReadLineAsync(_o.MaxTrailersSize - _trailerBytes, 431);
                    var line = _in.AsSpan(_start, lf - 1 - _start);
                    _trailerBytes += lf + 1 - _start;
                    _start = lf + 1;
                    if (line.IsEmpty) { _chunkState = Chunk.Done; _bodyDone = true; return 0; }
                    if (!IsFieldLine(line)) throw Fail(400, "malformed trailer field");
                    continue;
                }
                default:
                    return 0;
            }
        }
    }

    /// <summary>Records that the body is broken (the connection cannot continue, whatever the handler does) and makes the exception.</summary>
    HttpProtocolException Fail(int status, string message)
    {
        _bodyError = status;
        return new HttpProtocolException(status, message);
    }

    /// <summary>Buffers one line (CRLF-terminated, at most <paramref name="max"/> bytes with its CRLF); returns the index of its LF.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<int> ReadLineAsync(int max, int tooLongStatus)
    {
        int scanned = _start;
        while (true)
        {
            int lf = _in.AsSpan(scanned, _end - scanned).IndexOf((byte)'\n');
            if (lf >= 0)
            {
                lf += scanned;
                if (lf + 1 - _start > max) throw Fail(tooLongStatus, "line too long");
                if (lf == _start || _in[lf - 1] != '\r') throw Fail(400, "bare LF in chunked framing");
                return lf;
            }
            if (_end - _start >= max) throw Fail(tooLongStatus, "line too long");
            scanned = _end;
            int before = _start;
            await FillAsync();
            scanned -= before - _start;   // FillAsync may have moved the bytes
        }
    }

    /// <summary>Receives more body bytes into the tail of the receive buffer (behind the head, which the handler may still read).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    async ValueTask FillAsync()
    {
        if (_start == _end) _start = _end = _headEnd;
        else if (_end == _in.Length)
        {
            _in.AsSpan(_start, _end - _start).CopyTo(_in.AsSpan(_headEnd));
            _end -= _start - _headEnd;
            _start = _headEnd;
        }
        _end += await ReceiveBodyAsync(_in.AsMemory(_end));
    }

    /// <summary>One read of body bytes from the transport, under the minimum-data-rate rule.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<int> ReceiveBodyAsync(Memory<byte> into)
    {
        long started = _clock.NowNanoseconds;
        if (_o.MinRequestBodyDataRate > 0)
        {
            // The reads so far may have waited grace + received/rate in all; the rest of that budget bounds this one.
            long budget = (long)((_o.MinRequestBodyDataRateGracePeriod.TotalSeconds + _bodyReceived / _o.MinRequestBodyDataRate) * 1e9) - _bodyWaitedNs;
            if (budget <= 0) throw Fail(408, "request body too slow");
            _wait = Wait.Body;
            _timer.Arm(started + budget);
        }
        int n = await Transport.ReadAsync(into);
        Disarm();
        _bodyWaitedNs += _clock.NowNanoseconds - started;
        if (n == 0) throw Fail(_timedOut ? 408 : 400, "request body incomplete");
        _bodyReceived += n;
        return n;
    }

    /// <summary>chunk-size [ chunk-ext ] (RFC 9112 7.1), strictly: hex digits, then ";name[=token|quoted-string]"*, no whitespace.</summary>
    long ParseChunkLine(ReadOnlySpan<byte> line)
    {
        int i = 0;
        long size = 0;
        while (i < line.Length && HttpSyntax.IsHex(line[i]))
        {
            if (i == 15) throw Fail(400, "chunk size too large");
            size = size << 4 | (uint)HttpSyntax.HexValue(line[i]);
            i++;
        }
        if (i == 0) throw Fail(400, "malformed chunk size");
        while (i < line.Length)
        {
            if (line[i++] != ';') throw Fail(400, "malformed chunk size");
            int name = i;
            while (i < line.Length && HttpSyntax.IsToken(line[i])) i++;
            if (i == name) throw Fail(400, "malformed chunk extension");
            if (i == line.Length || line[i] != '=') continue;
            i++;
            if (i < line.Length && line[i] == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= line.Length) throw Fail(400, "unterminated quoted chunk extension");
                    byte b = line[i];
                    if (b == '"') { i++; break; }
                    if (b == '\\') { if (++i >= line.Length || !HttpSyntax.IsFieldContent(line[i])) throw Fail(400, "malformed chunk extension"); continue; }
                    if (!HttpSyntax.IsFieldContent(b)) throw Fail(400, "malformed chunk extension");
                }
            }
            else
            {
                int value = i;
                while (i < line.Length && HttpSyntax.IsToken(line[i])) i++;
                if (i == value) throw Fail(400, "malformed chunk extension");
            }
        }
        return size;
    }

    /// <summary>field-line = field-name ":" OWS field-value OWS, as for header fields.</summary>
    static bool IsFieldLine(ReadOnlySpan<byte> line)
    {
        int colon = 0;
        while (colon < line.Length && HttpSyntax.IsToken(line[colon])) colon++;
        if (colon == 0 || colon == line.Length || line[colon] != ':') return false;
        foreach (var b in line[(colon + 1)..]) if (!HttpSyntax.IsFieldContent(b)) return false;
        return true;
    }

    // ---- sending and timers ------------------------------------------------------------------------------------------

    /// <summary>Sends response bytes; <paramref name="last"/>: nothing follows them on this connection (it closes), so the
    /// transport may end the stream with them (TCP: the FIN in the same segment).</summary>
    public ValueTask<bool> SendAsync(ReadOnlyMemory<byte> data, bool push, bool last = false) =>
        last ? Transport.WriteLastAsync(data) : Transport.WriteAsync(data, push);

    void ArmWait(Wait wait, TimeSpan timeout)
    {
        _wait = wait;
        _timer.Arm(_clock.NowNanoseconds + (long)(timeout.TotalSeconds * 1e9));
    }

    void Disarm()
    {
        _wait = Wait.None;
        _timer.Cancel();
    }

    void OnTimer()
    {
        if (_wait == Wait.None) return;
        _timedOut = true;
        Transport.AbortRead();   // the pending read returns end of stream; the reader sees _timedOut
    }
}
