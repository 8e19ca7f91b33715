using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace CosmosNet.Net.Http;

/// <summary>What a handler answers with. Results built once (a static page, a status) can be returned for every request.</summary>
public interface IResult
{
    ValueTask ExecuteAsync(HttpContext context);
}

/// <summary>Factories for the common results, in the spirit of ASP.NET Core's <c>Results</c>.</summary>
public static class Results
{
    static readonly IResult s_ok = new StatusResult(200), s_noContent = new StatusResult(204), s_notFound = new TextResult("not found\n", TextPlain, 404),
        s_badRequest = new StatusResult(400), s_empty = new EmptyResult();
    internal const string TextPlain = "text/plain; charset=utf-8";

    public static IResult Ok() => s_ok;
    public static IResult NoContent() => s_noContent;
    public static IResult NotFound() => s_notFound;
    public static IResult BadRequest() => s_badRequest;
    /// <summary>The handler wrote the response itself.</summary>
    public static IResult Empty => s_empty;
    public static IResult StatusCode(int status) => new StatusResult(status);
    public static IResult Text(string content, string contentType = TextPlain, int statusCode = 200) => new TextResult(content, contentType, statusCode);
    public static IResult Bytes(ReadOnlyMemory<byte> content, string contentType = "application/octet-stream", int statusCode = 200) =>
        new BytesResult(content, contentType, statusCode);
    /// <summary>JSON through a source-generated <see cref="JsonTypeInfo{T}"/> (no reflection: works trimmed and under NativeAOT).</summary>
    public static IResult Json<T>(T value, JsonTypeInfo<T> typeInfo, int statusCode = 200) => new JsonResult<T>(value, typeInfo, statusCode);
    /// <summary>A file held in memory, with its content type and validator (see <see cref="StaticFile"/>).</summary>
    public static IResult File(byte[] content, string contentType, string? fileName = null) =>
        new StaticFile(fileName ?? "file", content, null, contentType);
    public static IResult Redirect(string location, bool permanent = false) => new RedirectResult(location, permanent);

    sealed class StatusResult(int status) : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = status;
            context.Response.ContentLength = HttpStatus.HasNoContent(status) ? null : 0;
            return default;
        }
    }

    sealed class EmptyResult : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context) => default;
    }

    sealed class TextResult(string content, string contentType, int status) : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context)
        {
            var r = context.Response;
            r.StatusCode = status;
            r.ContentType = contentType;
            return r.WriteAsync(content);
        }
    }

    sealed class BytesResult(ReadOnlyMemory<byte> content, string contentType, int status) : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context)
        {
            var r = context.Response;
            r.StatusCode = status;
            r.ContentType = contentType;
            r.ContentLength = content.Length;
            return r.TryWrite(content.Span) ? default : r.WriteAsync(content);
        }
    }

    sealed class JsonResult<T>(T value, JsonTypeInfo<T> typeInfo, int status) : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context)
        {
            var r = context.Response;
            r.StatusCode = status;
            r.ContentType = "application/json; charset=utf-8";
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var writer = new Utf8JsonWriter(buffer)) JsonSerializer.Serialize(writer, value, typeInfo);
            return r.WriteAsync(buffer.WrittenMemory);
        }
    }

    sealed class RedirectResult(string location, bool permanent) : IResult
    {
        public ValueTask ExecuteAsync(HttpContext context)
        {
            var r = context.Response;
            r.StatusCode = permanent ? 308 : 307;
            r.AppendHeader("Location", location);
            r.ContentLength = 0;
            return default;
        }
    }
}
