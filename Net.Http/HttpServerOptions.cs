namespace CosmosNet.Net.Http;

/// <summary>
/// Limits and timeouts of an <see cref="HttpServer"/>. The defaults are safe for a server facing the internet; each
/// limit names the status a request that exceeds it gets (the connection is closed after every rejection).
/// </summary>
public sealed record HttpServerOptions
{
    /// <summary>Longest request line (method, target, version) in bytes; longer gets 414.</summary>
    public int MaxRequestLineLength { get; init; } = 8 * 1024;
    /// <summary>Largest header section (every field line with its CRLF) in bytes; larger gets 431.</summary>
    public int MaxRequestHeadersSize { get; init; } = 32 * 1024;
    /// <summary>Most header fields in one request; more gets 431.</summary>
    public int MaxRequestHeaderCount { get; init; } = 100;
    /// <summary>Largest request body (declared or received); larger gets 413.</summary>
    public long MaxRequestBodySize { get; init; } = 30_000_000;
    /// <summary>Longest chunk-size line (size and extensions) of a chunked body; longer gets 400.</summary>
    public int MaxChunkLineLength { get; init; } = 1024;
    /// <summary>Largest trailer section of a chunked body; larger gets 431.</summary>
    public int MaxTrailersSize { get; init; } = 4 * 1024;

    /// <summary>Time from a request's first byte to the end of its header section (slowloris); then 408 and close.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>How long an idle persistent connection waits for the next request before it is closed.</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(120);
    /// <summary>Slowest average request-body rate accepted once <see cref="MinRequestBodyDataRateGracePeriod"/> has passed.</summary>
    public double MinRequestBodyDataRate { get; init; } = 240;
    public TimeSpan MinRequestBodyDataRateGracePeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Connections served at once; the next <see cref="MaxQueuedConnections"/> wait unread, any beyond get 503.</summary>
    public int MaxConcurrentConnections { get; init; } = 128;
    public int MaxQueuedConnections { get; init; } = 128;

    /// <summary>Response bytes buffered before the head is sent: a body that fits gets Content-Length, a longer one is streamed.</summary>
    public int ResponseBufferSize { get; init; } = 16 * 1024;
    /// <summary>The <c>Server</c> header; null sends none.</summary>
    public string? ServerName { get; init; } = "CosmosNet";
    /// <summary>The source of the <c>Date</c> header.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (MaxRequestLineLength < 64 || MaxRequestHeadersSize < 64 || MaxRequestHeaderCount < 1 || MaxRequestBodySize < 0
            || MaxChunkLineLength < 16 || MaxTrailersSize < 2 || MaxConcurrentConnections < 1 || MaxQueuedConnections < 0
            || ResponseBufferSize < 256 || MinRequestBodyDataRate < 0)
            throw new ArgumentException($"invalid HttpServerOptions: {this}");
    }
}
