using System.Runtime.CompilerServices;
using System.Buffers.Text;
using System.Text;

namespace CosmosNet.Net.Http;

/// <summary>
/// The response to one request. Body bytes are buffered (<see cref="HttpServerOptions.ResponseBufferSize"/>): a body that
/// fits goes out with its head in one write and a <c>Content-Length</c>; a longer one starts streaming with the length the
/// handler set in <see cref="ContentLength"/>, or chunked when it set none (HTTP/1.0: delimited by closing the connection).
/// </summary>
public sealed class HttpResponse
{
    const int HeadRoom = 8 * 1024;   // the head (at most HeadRoom - 32 bytes) and a chunk-size line go right before the body
    // A response starts in a 16 KiB buffer (8 KiB of it for the body) and moves to the full-size one only when its body
    // does not fit: most bodies are small, and on a small machine 64 requests in flight must not each hold 32 KiB.
    const int FirstBufferBytes = 16 * 1024;
    readonly HttpConnection _conn;
    byte[] _out = Array.Empty<byte>();   // [HeadRoom .. HeadRoom + capacity) body; rented per request from the server's pool
    byte[] _head = Array.Empty<byte>();
    readonly int _capacity;
    readonly List<KeyValuePair<string, string>> _headers = new();
    int _bodyLength;                 // bytes in the body buffer
    long _sent;                      // body bytes sent (or counted, for HEAD)
    bool _chunked;

    internal HttpResponse(HttpConnection conn, int capacity)
    {
        _conn = conn;
        _capacity = capacity;
    }

    public int StatusCode { get; set; } = 200;
    /// <summary>The <c>Content-Type</c> header, or null for none.</summary>
    public string? ContentType { get; set; }
    /// <summary>The body's length when known before it is written; null lets the server measure or chunk it.</summary>
    public long? ContentLength { get; set; }
    /// <summary>Whether the head is on the wire (status and headers can no longer change).</summary>
    public bool HasStarted { get; private set; }
    /// <summary>Headers beyond the ones the server writes (Date, Server, Content-Type, Content-Length, Transfer-Encoding, Connection).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers => _headers;

    /// <summary>Adds a header; names must be tokens and values must not contain CR, LF or NUL (no response splitting).</summary>
    public void AppendHeader(string name, string value)
    {
        if (HasStarted) throw new InvalidOperationException("the response has started: headers can no longer change");
        foreach (char c in name) if (c > 0x7F || !HttpSyntax.IsToken((byte)c)) throw new ArgumentException($"'{name}' is not a header field name", nameof(name));
        foreach (char c in value) if (c is '\r' or '\n' or '\0' || c > 0xFF) throw new ArgumentException($"header value of '{name}' has a forbidden character", nameof(value));
        _headers.Add(new(name, value));
    }

    /// <summary>Writes body bytes, sending once the buffer is full (waits while the connection's send buffer is full).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        if (_conn.Request.IsHead || HttpStatus.HasNoContent(StatusCode)) { _sent += data.Length; return; }
        while (!data.IsEmpty)
        {
            if (_bodyLength == BufferCapacity) Grow();
            int n = Math.Min(data.Length, BufferCapacity - _bodyLength);
            data.Span[..n].CopyTo(_out.AsSpan(HeadRoom + _bodyLength));
            _bodyLength += n;
            data = data[n..];
            if (_bodyLength == _capacity && !await SendAsync(final: false)) throw new ConnectionClosedException();
        }
    }

    /// <summary>Writes body bytes that fit the buffer without waiting; false when they do not fit (use <see cref="WriteAsync(ReadOnlyMemory{byte})"/>).</summary>
    public bool TryWrite(ReadOnlySpan<byte> data)
    {
        if (_conn.Request.IsHead || HttpStatus.HasNoContent(StatusCode)) { _sent += data.Length; return true; }
        if (data.Length > _capacity - _bodyLength) return false;
        if (data.Length > BufferCapacity - _bodyLength) Grow();
        data.CopyTo(_out.AsSpan(HeadRoom + _bodyLength));
        _bodyLength += data.Length;
        return true;
    }

    /// <summary>Writes text as UTF-8.</summary>
    public ValueTask WriteAsync(string text)
    {
        int max = Encoding.UTF8.GetMaxByteCount(text.Length);
        if (max <= _capacity - _bodyLength && !_conn.Request.IsHead && !HttpStatus.HasNoContent(StatusCode))
        {
            if (max > BufferCapacity - _bodyLength) Grow();
            _bodyLength += Encoding.UTF8.GetBytes(text, _out.AsSpan(HeadRoom + _bodyLength));
            return default;
        }
        return WriteAsync(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Sends the head and what is buffered now (the response streams from here on).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask FlushAsync()
    {
        if (!await SendAsync(final: false)) throw new ConnectionClosedException();
    }

    internal void Reset()
    {
        if (_out.Length == 0)
        {
            _out = _conn.Server.Buffers.Rent(Math.Min(HeadRoom + _capacity + 7, FirstBufferBytes));   // + a chunk's CRLF and the last-chunk line
            _head = _conn.Server.Buffers.Rent(HeadRoom - 32);
        }
        StatusCode = 200; ContentType = null; ContentLength = null; HasStarted = false;
        _headers.Clear(); _bodyLength = 0; _sent = 0; _chunked = false;
    }

    /// <summary>Body bytes the current buffer holds: the first, small one's or the full capacity.</summary>
    int BufferCapacity => Math.Min(_capacity, _out.Length - HeadRoom - 7);

    /// <summary>The body outgrew the first buffer: it moves to one of the full capacity.</summary>
    void Grow()
    {
        if (BufferCapacity == _capacity) return;
        var larger = _conn.Server.Buffers.Rent(HeadRoom + _capacity + 7);
        _out.AsSpan(HeadRoom, _bodyLength).CopyTo(larger.AsSpan(HeadRoom));
        _conn.Server.Buffers.Return(_out);
        _out = larger;
    }

    /// <summary>The connection is idle: the buffers go back to the server's pool.</summary>
    internal void ReleaseBuffers()
    {
        if (_out.Length == 0) return;
        _conn.Server.Buffers.Return(_out);
        _conn.Server.Buffers.Return(_head);
        _out = _head = Array.Empty<byte>();
    }

    /// <summary>Throws away an unsent response so an error can replace it; false once it has started.</summary>
    internal bool TryDiscard()
    {
        if (HasStarted) return false;
        Reset();
        return true;
    }

    /// <summary>Ends the response: sends whatever is left (with the chunked terminator); false if the connection must close.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<bool> CompleteAsync()
    {
        bool ok = await SendAsync(final: true);
        // A handler that promised a Content-Length and wrote another amount leaves the stream unframed: close it.
        if (ContentLength is { } length && !_chunked && !_conn.Request.IsHead && !HttpStatus.HasNoContent(StatusCode) && length != _sent) return false;
        return ok;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    async ValueTask<bool> SendAsync(bool final)
    {
        int start = HeadRoom, end = HeadRoom + _bodyLength;
        if (!HasStarted)
        {
            bool noContent = HttpStatus.HasNoContent(StatusCode);
            bool head = _conn.Request.IsHead;
            long? length = noContent ? null
                : final && (ContentLength is null || head) ? (head ? ContentLength ?? _sent : _bodyLength)
                : ContentLength;
            _chunked = !noContent && length is null && !head && _conn.Request.VersionMinor >= 1;
            if (!noContent && length is null && !_chunked && !head) _conn.KeepAlive = false;   // HTTP/1.0: the close ends the body
            if (_chunked && _bodyLength > 0) start -= WriteChunkPrefix(start, _bodyLength);
            int headLength = FormatHead(length);
            start -= headLength;
            _head.AsSpan(0, headLength).CopyTo(_out.AsSpan(start));
            HasStarted = true;
        }
        else if (_chunked && _bodyLength > 0) start -= WriteChunkPrefix(start, _bodyLength);

        if (_chunked && _bodyLength > 0) { "\r\n"u8.CopyTo(_out.AsSpan(end)); end += 2; }
        if (final && _chunked)
        {
            "0\r\n\r\n"u8.CopyTo(_out.AsSpan(end));   // the last chunk and an empty trailer section
            end += 5;
        }
        _sent += _bodyLength;
        _bodyLength = 0;
        return end == start || await _conn.SendAsync(_out.AsMemory(start, end - start), push: final, last: final && !_conn.KeepAlive);
    }

    /// <summary>Writes "size-in-hex CRLF" right before <paramref name="at"/>; returns its length.</summary>
    int WriteChunkPrefix(int at, int size)
    {
        Span<byte> tmp = stackalloc byte[16];
        Utf8Formatter.TryFormat(size, tmp, out int n, new System.Buffers.StandardFormat('X'));
        tmp[n++] = (byte)'\r'; tmp[n++] = (byte)'\n';
        tmp[..n].CopyTo(_out.AsSpan(at - n));
        return n;
    }

    int FormatHead(long? length)
    {
        var w = new HeadWriter(_head);
        w.Write("HTTP/1.1 "u8);
        w.WriteNumber(StatusCode);
        w.Write(" "u8);
        w.WriteAscii(HttpStatus.ReasonPhrase(StatusCode));
        w.Write("\r\n"u8);
        w.Write(_conn.Server.Date.Line);
        if (_conn.Server.ServerLine is { } server) w.Write(server);
        if (ContentType is { } type) { w.Write("Content-Type: "u8); w.WriteAscii(type); w.Write("\r\n"u8); }
        if (length is { } l) { w.Write("Content-Length: "u8); w.WriteNumber(l); w.Write("\r\n"u8); }
        else if (_chunked) w.Write("Transfer-Encoding: chunked\r\n"u8);
        if (!_conn.KeepAlive) w.Write("Connection: close\r\n"u8);
        else if (_conn.Request.VersionMinor == 0) w.Write("Connection: keep-alive\r\n"u8);
        foreach (var (name, value) in _headers)
        {
            w.WriteAscii(name); w.Write(": "u8); w.WriteAscii(value); w.Write("\r\n"u8);
        }
        w.Write("\r\n"u8);
        return w.Length;
    }

    ref struct HeadWriter(Span<byte> buffer)
    {
        readonly Span<byte> _buffer = buffer;
        public int Length;

        public void Write(ReadOnlySpan<byte> s)
        {
            if (!s.TryCopyTo(_buffer[Length..])) throw new InvalidOperationException("response head too large");
            Length += s.Length;
        }

        public void WriteAscii(string s)
        {
            if (s.Length > _buffer.Length - Length) throw new InvalidOperationException("response head too large");
            Length += Encoding.Latin1.GetBytes(s, _buffer[Length..]);
        }

        public void WriteNumber(long n)
        {
            if (!Utf8Formatter.TryFormat(n, _buffer[Length..], out int w)) throw new InvalidOperationException("response head too large");
            Length += w;
        }
    }
}

/// <summary>A response write found the connection closed (the client went away, or reset it): not a fault of the handler.</summary>
public sealed class ConnectionClosedException() : IOException("the connection closed");
