using System.Text;
using CosmosNet.Net.Http;

namespace CosmosNet.Net.TapHost;

/// <summary>The HTTP service TapHost offers Linux's tools, on Net.Http: GET / → a page, POST /echo → the body; each request logged.</summary>
internal static class HttpService
{
    public const int MaxBody = 64 << 20;

    private static readonly IResult Page = Results.Bytes(Encoding.UTF8.GetBytes(
        "<!doctype html>\n<title>CosmosNet</title>\n<h1>CosmosNet</h1>\n<p>Served by the CosmosNet C# TCP/IP stack over a TAP device.</p>\n"),
        "text/html; charset=utf-8");

    public static HttpServer Start(NetworkStack stack, ushort port)
    {
        var http = new HttpServer(stack, new HttpServerOptions { MaxRequestBodySize = MaxBody }) { Log = Log.Info };
        http.MapGet("/", ctx => Logged(ctx, Page));
        http.MapPost("/echo", async ctx =>
        {
            var body = await ctx.Request.ReadBodyAsync();
            return Logged(ctx, Results.Bytes(body));
        });
        http.Start(port);
        return http;
    }

    private static IResult? Logged(HttpContext ctx, IResult result)
    {
        Log.Info($"http {ctx.Request.RemoteEndpoint}: {ctx.Request.Method} {ctx.Request.Path}");
        return result;
    }
}
