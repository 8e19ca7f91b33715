using System.Reflection;
using System.Text;

namespace CosmosNet.Net.Http;

/// <summary>
/// Files served from memory: typically an app's <c>wwwroot/</c> compiled into the image as embedded resources
/// (<c>&lt;EmbeddedResource Include="wwwroot/**" LogicalName="wwwroot/%(RecursiveDir)%(Filename)%(Extension)" /&gt;</c>).
/// A <c>name.gz</c> beside <c>name</c> is its precompressed form, sent when the client accepts gzip. Directories serve
/// their <c>index.html</c>.
/// </summary>
public sealed class StaticFiles
{
    readonly Dictionary<string, StaticFile> _files = new(StringComparer.Ordinal);
    readonly Dictionary<string, StaticFile>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public StaticFiles() => _lookup = _files.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The embedded resources of <paramref name="assembly"/> named <c>{root}/...</c>, served as <c>/...</c>.</summary>
    public static StaticFiles FromAssembly(Assembly assembly, string root = "wwwroot")
    {
        var files = new StaticFiles();
        var prefix = root.TrimEnd('/') + "/";
        var names = assembly.GetManifestResourceNames();
        foreach (var name in names)
        {
            if (!name.StartsWith(prefix, StringComparison.Ordinal) || name.EndsWith(".gz", StringComparison.Ordinal)) continue;
            byte[]? gzip = Array.IndexOf(names, name + ".gz") >= 0 ? Read(assembly, name + ".gz") : null;
            files.Add("/" + name[prefix.Length..].Replace('\\', '/'), Read(assembly, name), gzip);
        }
        return files;
    }

    static unsafe byte[] Read(Assembly assembly, string name)
    {
        // Embedded resources are mapped in memory: copy them out without Stream.Read (see RequestBody on why no virtual reads).
        using var stream = assembly.GetManifestResourceStream(name) as UnmanagedMemoryStream
            ?? throw new InvalidOperationException($"resource {name} is not an in-memory resource");
        return new ReadOnlySpan<byte>(stream.PositionPointer, checked((int)stream.Length)).ToArray();
    }

    /// <summary>Adds (or replaces) the file served at <paramref name="path"/>.</summary>
    public StaticFiles Add(string path, byte[] content, byte[]? gzip = null, string? contentType = null)
    {
        if (!path.StartsWith('/')) throw new ArgumentException($"path '{path}' must start with '/'", nameof(path));
        var file = new StaticFile(path, content, gzip, contentType ?? ContentTypeOf(path));
        _files[path] = file;
        if (path.EndsWith("/index.html", StringComparison.Ordinal)) _files[path[..^"index.html".Length]] = file;
        return this;
    }

    public int Count => _files.Count;

    internal bool TryFind(ReadOnlySpan<byte> rawPath, out StaticFile file)
    {
        file = null!;
        if (rawPath.Length > 512) return false;
        Span<char> chars = stackalloc char[rawPath.Length];
        for (int i = 0; i < rawPath.Length; i++) chars[i] = (char)rawPath[i];   // raw paths are ASCII (the parser saw to it)
        return _lookup.TryGetValue(chars, out file!);
    }

    public static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".html" or ".htm" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" or ".mjs" => "text/javascript; charset=utf-8",
        ".json" => "application/json; charset=utf-8",
        ".txt" => "text/plain; charset=utf-8",
        ".xml" => "application/xml",
        ".svg" => "image/svg+xml",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".gif" => "image/gif",
        ".webp" => "image/webp",
        ".ico" => "image/x-icon",
        ".wasm" => "application/wasm",
        ".pdf" => "application/pdf",
        ".woff" => "font/woff",
        ".woff2" => "font/woff2",
        _ => "application/octet-stream",
    };
}

/// <summary>One file in memory with its strong ETag; as a result it answers GET/HEAD with 200 or 304, gzip when accepted.</summary>
public sealed class StaticFile : IResult
{
    readonly byte[] _content;
    readonly byte[]? _gzip;

    public StaticFile(string path, byte[] content, byte[]? gzip, string contentType)
    {
        Path = path;
        _content = content;
        _gzip = gzip;
        ContentType = contentType;
        // FNV-1a over the bytes: the ETag changes whenever the content does (and is the same across boots).
        ulong hash = 14695981039346656037;
        foreach (var b in content) hash = (hash ^ b) * 1099511628211;
        ETag = $"\"{hash:x16}\"";
    }

    public string Path { get; }
    public string ContentType { get; }
    public string ETag { get; }
    public int Length => _content.Length;

    public ValueTask ExecuteAsync(HttpContext context)
    {
        var request = context.Request;
        var response = context.Response;
        response.AppendHeader("ETag", ETag);
        if (_gzip is not null) response.AppendHeader("Vary", "Accept-Encoding");
        if (request.TryGetHeader("if-none-match"u8, out var tags) && Matches(tags))
        {
            response.StatusCode = 304;
            return default;
        }
        var body = _content;
        if (_gzip is not null && request.TryGetHeader("accept-encoding"u8, out var accept) && AcceptsGzip(accept))
        {
            body = _gzip;
            response.AppendHeader("Content-Encoding", "gzip");
        }
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        return response.TryWrite(body) ? default : response.WriteAsync(body);
    }

    /// <summary>If-None-Match (RFC 9110 13.1.2): "*" or a list of entity-tags compared weakly.</summary>
    bool Matches(ReadOnlySpan<byte> list)
    {
        if (HttpSyntax.TrimOws(list).SequenceEqual("*"u8)) return true;
        Span<byte> mine = stackalloc byte[ETag.Length];
        Encoding.ASCII.GetBytes(ETag, mine);
        while (HttpSyntax.NextListElement(ref list, out var tag))
        {
            if (tag.StartsWith("W/"u8)) tag = tag[2..];
            if (tag.SequenceEqual(mine)) return true;
        }
        return false;
    }

    /// <summary>Accept-Encoding (RFC 9110 12.5.3) lists gzip (or *) without q=0.</summary>
    static bool AcceptsGzip(ReadOnlySpan<byte> list)
    {
        while (HttpSyntax.NextListElement(ref list, out var element))
        {
            int semi = element.IndexOf((byte)';');
            var coding = HttpSyntax.TrimOws(semi < 0 ? element : element[..semi]);
            if (!HttpSyntax.EqualsIgnoreCase(coding, "gzip"u8) && !coding.SequenceEqual("*"u8)) continue;
            if (semi < 0) return true;
            var q = HttpSyntax.TrimOws(element[(semi + 1)..]);
            if (!q.StartsWith("q="u8) && !q.StartsWith("Q="u8)) return true;
            foreach (var b in q[2..]) if (b is >= (byte)'1' and <= (byte)'9') return true;   // any non-zero digit: q > 0
            return false;
        }
        return false;
    }
}
