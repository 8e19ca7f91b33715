// Kestrel defaults, serving the same contract as Apps/HttpServer: GET/HEAD/OPTIONS / -> 200, POST / -> the body
// echoed, POST /echo -> the received headers as "Name: Value" lines. Usage: dotnet run -- --urls http://127.0.0.1:PORT
using System.Text;

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapMethods("/", ["GET", "HEAD"], () => Results.Text("<!doctype html>\n<h1>Hello</h1>\n", "text/html; charset=utf-8"));
app.MapMethods("/", ["OPTIONS"], (HttpContext ctx) => { ctx.Response.Headers.Allow = "GET, HEAD, POST, OPTIONS"; return Results.Ok(); });
app.MapPost("/", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    return Results.Bytes(body.ToArray(), "application/octet-stream");
});
app.MapPost("/echo", (HttpRequest request) =>
{
    var lines = new StringBuilder();
    foreach (var (name, values) in request.Headers) foreach (var value in values) lines.Append(name).Append(": ").Append(value).Append('\n');
    return Results.Text(lines.ToString());
});
app.Run();
