using System.Text;
using System.Text.Json.Serialization;

namespace CosmosNet.Net.Http.Tests;

public sealed record Item(int Id, string Name);

[JsonSerializable(typeof(Item))]
internal sealed partial class TestJson : JsonSerializerContext;

/// <summary>The routes every test server has.</summary>
public static class TestServer
{
    public static readonly byte[] Page = Encoding.UTF8.GetBytes("<!doctype html>\n<h1>hello</h1>\n");
    public static readonly IResult PageResult = Results.Bytes(Page, "text/html; charset=utf-8");
    public const int StreamedLength = 100_000;

    public static HttpTestBed Create(HttpServerOptions? options = null)
    {
        var bed = new HttpTestBed(options);
        var http = bed.Server;
        http.MapGet("/", () => PageResult);
        http.MapPost("/", async ctx => Results.Bytes(await ctx.Request.ReadBodyAsync()));
        http.MapPost("/echo", async ctx => Results.Bytes(await ctx.Request.ReadBodyAsync()));
        http.MapPost("/ignore", _ => Results.Text("ignored"));
        http.MapGet("/items/{id}", ctx => Results.Text($"item {ctx.Request.RouteValue("id")} q={ctx.Request.Query("q")}"));
        http.MapDelete("/items/{id}", _ => Results.NoContent());
        http.MapGet("/files/{*path}", ctx => Results.Text(ctx.Request.RouteValue("path")!));
        http.MapGet("/json", () => Results.Json(new Item(7, "seven"), TestJson.Default.Item));
        http.MapGet("/throw", IResult? (HttpContext _) => throw new InvalidOperationException("boom"));
        http.MapGet("/oom", IResult? (HttpContext _) => throw new OutOfMemoryException());
        http.MapGet("/throw-midway", async ctx =>
        {
            ctx.Response.ContentLength = StreamedLength;
            await ctx.Response.WriteAsync(Pattern(0, 20_000));   // past the response buffer: the head is on the wire
            throw new IOException("broke after the head");
        });
        http.MapGet("/stream", async ctx =>
        {
            ctx.Response.ContentType = "application/octet-stream";
            for (int i = 0; i < StreamedLength / 1000; i++) await ctx.Response.WriteAsync(Pattern(i * 1000, 1000));
        });
        http.MapGet("/sized", async ctx =>
        {
            ctx.Response.ContentLength = StreamedLength;
            for (int i = 0; i < StreamedLength / 1000; i++) await ctx.Response.WriteAsync(Pattern(i * 1000, 1000));
        });
        http.UseStaticFiles(StaticFiles.FromAssembly(typeof(TestServer).Assembly));
        return bed;
    }

    public static byte[] Pattern(int offset, int length)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++) data[i] = (byte)((offset + i) * 7 % 251);
        return data;
    }
}
