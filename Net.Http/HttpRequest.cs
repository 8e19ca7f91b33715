using System.Text;

namespace CosmosNet.Net.Http;

/// <summary>A request or response refused at the protocol level: answered with <see cref="Status"/>, then the connection closes.</summary>
public sealed class HttpProtocolException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;
}

/// <summary>One request and its response; handlers receive it. Reused by the connection for its next request.</summary>
public sealed class HttpContext
{
    internal HttpContext(HttpRequest request, HttpResponse response) { Request = request; Response = response; }
    public HttpRequest Request { get; }
    public HttpResponse Response { get; }
}

/// <summary>
/// The request being served. Method, target and headers are views into the connection's receive buffer, valid until the
/// handler completes; the string accessors (<see cref="Path"/>, <see cref="Header"/>, ...) allocate only when called.
/// </summary>
public sealed class HttpRequest
{
    readonly HttpConnection _conn;
    readonly RequestHead _head;
    string? _path;
    internal Route? Route;
    internal readonly int[] RouteValueRanges = new int[2 * Router.MaxParameters];

    internal HttpRequest(HttpConnection conn, RequestHead head)
    {
        _conn = conn;
        _head = head;
        Body = new RequestBody(conn);
    }

    internal void Begin() { _path = null; Route = null; }

    public string Method => _head.Method;
    public bool IsHead => ReferenceEquals(_head.Method, HttpMethods.Head);
    /// <summary>1 for HTTP/1.1 (and later 1.x), 0 for HTTP/1.0.</summary>
    public int VersionMinor => _head.VersionMinor;
    public string Protocol => _head.VersionMinor == 0 ? "HTTP/1.0" : "HTTP/1.1";
    /// <summary>The request-target as sent.</summary>
    public ReadOnlySpan<byte> RawTarget => _head.Target;
    /// <summary>The path, still percent-encoded (absolute-form targets: the part after the authority).</summary>
    public ReadOnlySpan<byte> RawPath => _head.Path;
    /// <summary>The query after '?', still encoded; empty when there is none.</summary>
    public ReadOnlySpan<byte> RawQuery
    {
        get
        {
            int start = _head.PathStart + _head.PathLength;
            int end = _head.TargetStart + _head.TargetLength;
            return start < end ? _head.Buffer.AsSpan(start + 1, end - start - 1) : default;
        }
    }
    internal bool IsAsteriskForm => _head.AsteriskForm;
    internal int PathOffset => _head.PathStart;

    /// <summary>The percent-decoded path.</summary>
    public string Path => _path ??= UrlDecode(RawPath, plusIsSpace: false);

    /// <summary>The first value of query parameter <paramref name="name"/>, decoded; null when absent.</summary>
    public string? Query(string name)
    {
        var query = RawQuery;
        while (!query.IsEmpty)
        {
            int amp = query.IndexOf((byte)'&');
            var pair = amp < 0 ? query : query[..amp];
            query = amp < 0 ? default : query[(amp + 1)..];
            int eq = pair.IndexOf((byte)'=');
            var key = eq < 0 ? pair : pair[..eq];
            if (UrlDecode(key, plusIsSpace: true) == name) return eq < 0 ? "" : UrlDecode(pair[(eq + 1)..], plusIsSpace: true);
        }
        return null;
    }

    public int HeaderCount => _head.FieldCount;
    public ReadOnlySpan<byte> HeaderName(int index) => (uint)index < (uint)_head.FieldCount ? _head.Name(index) : throw new ArgumentOutOfRangeException(nameof(index));
    public ReadOnlySpan<byte> HeaderValue(int index) => (uint)index < (uint)_head.FieldCount ? _head.Value(index) : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The first field named <paramref name="name"/> (case-insensitive), without allocating.</summary>
    public bool TryGetHeader(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (int i = 0; i < _head.FieldCount; i++)
            if (Ascii.EqualsIgnoreCase(_head.Name(i), name)) { value = _head.Value(i); return true; }
        value = default;
        return false;
    }

    /// <summary>The value of header <paramref name="name"/> (several fields joined with ", "), or null.</summary>
    public string? Header(string name)
    {
        string? result = null;
        for (int i = 0; i < _head.FieldCount; i++)
        {
            if (!Ascii.EqualsIgnoreCase(_head.Name(i), name)) continue;
            var value = Encoding.Latin1.GetString(_head.Value(i));
            result = result is null ? value : result + ", " + value;
        }
        return result;
    }

    /// <summary>The declared Content-Length; null for a chunked body or none.</summary>
    public long? ContentLength => _head.ContentLength >= 0 ? _head.ContentLength : null;
    public bool IsChunked => _head.Chunked;
    public bool HasBody => _head.Chunked || _head.ContentLength > 0;
    public bool KeepAlive => _conn.KeepAlive;
    public string RemoteEndpoint => _conn.Transport.RemoteEndpoint;

    /// <summary>
    /// The body (de-chunked), read from the connection as the handler reads it: nothing is buffered beyond one receive
    /// buffer, so a slow reader slows the sender (TCP back-pressure). Reading it first sends 100 Continue when asked for.
    /// </summary>
    public RequestBody Body { get; }

    /// <summary>Reads the whole body (at most <see cref="HttpServerOptions.MaxRequestBodySize"/> bytes).</summary>
    public async Task<byte[]> ReadBodyAsync()
    {
        if (!HasBody) return [];
        bool declared = _head.ContentLength > 0;
        var data = new byte[declared ? _head.ContentLength : 4096];
        int length = 0, n;
        // A declared length is filled exactly: growing the full array to look for an end that cannot follow
        // copied and zeroed twice the body (half of a 16 MB upload's time under TCG).
        while (!declared || length < data.Length)
        {
            if (length == data.Length) Array.Resize(ref data, data.Length * 2);
            if ((n = await Body.ReadAsync(data.AsMemory(length))) == 0) break;
            length += n;
        }
        return length == data.Length ? data : data[..length];
    }

    /// <summary>The value of route parameter <paramref name="name"/> (from a template like "/items/{id}"), decoded; null if none.</summary>
    public string? RouteValue(string name)
    {
        if (Route is null) return null;
        int i = Array.IndexOf(Route.ParameterNames, name);
        if (i < 0) return null;
        return UrlDecode(_head.Buffer.AsSpan(RouteValueRanges[2 * i], RouteValueRanges[2 * i + 1]), plusIsSpace: false);
    }

    static string UrlDecode(ReadOnlySpan<byte> s, bool plusIsSpace)
    {
        if (s.IndexOfAny((byte)'%', (byte)'+') < 0) return Encoding.UTF8.GetString(s);
        var bytes = s.Length <= 1024 ? stackalloc byte[s.Length] : new byte[s.Length];
        int n = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte b = s[i];
            if (b == '%' && i + 2 < s.Length && HttpSyntax.IsHex(s[i + 1]) && HttpSyntax.IsHex(s[i + 2]))
            {
                bytes[n++] = (byte)(HttpSyntax.HexValue(s[i + 1]) << 4 | HttpSyntax.HexValue(s[i + 2]));
                i += 2;
            }
            else bytes[n++] = b == '+' && plusIsSpace ? (byte)' ' : b;
        }
        return Encoding.UTF8.GetString(bytes[..n]);
    }
}

/// <summary>
/// The request body: <see cref="ReadAsync"/> returns de-framed bytes as they arrive, 0 at its end. Not a <see cref="Stream"/>
/// itself (<see cref="AsStream"/> makes one): a virtual Stream.Read call anywhere in an image makes NativeAOT compile every
/// stream's Read, the console's input among them, which the kernel does not offer.
/// </summary>
public sealed class RequestBody
{
    readonly HttpConnection _conn;
    internal RequestBody(HttpConnection conn) => _conn = conn;

    /// <summary>Reads up to <paramref name="buffer"/>.Length body bytes; 0 at the end. Throws <see cref="HttpProtocolException"/> for a malformed body.</summary>
    public ValueTask<int> ReadAsync(Memory<byte> buffer) => _conn.ReadBodyAsync(buffer);

    /// <summary>The body as a read-only <see cref="Stream"/> (for APIs that take one).</summary>
    public Stream AsStream() => new BodyStream(this);

    sealed class BodyStream(RequestBody body) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => body.ReadAsync(buffer);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            body.ReadAsync(buffer.AsMemory(offset, count)).AsTask();
        // The server has one thread: a blocking read could never be completed. Use ReadAsync.
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("the request body is read with ReadAsync");
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
