using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Text.Json.Serialization;

// An ASP.NET Core minimal API written exactly as for Linux; nothing here knows it runs on CosmosNet.
var builder = WebApplication.CreateSlimBuilder(args);
// Port 80 on every address, and a second endpoint on localhost only (Kestrel binds 127.0.0.1 and tries [::1], which
// fails without IPv6 and is only logged, as on a Linux host without IPv6): reachable from inside the machine alone.
builder.WebHost.UseUrls("http://0.0.0.0:80", "http://localhost:5000");
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
var app = builder.Build();

app.Use(async (context, next) => { context.Response.Headers["X-Served-By"] = "CosmosNet"; await next(); });
// The server contract Http11Probe scores against (as Apps/HttpServer serves it): GET/HEAD/OPTIONS / answered, POST / echoes the body,
// POST /echo answers the request's headers as "Name: Value" lines.
app.MapMethods("/", ["GET", "HEAD"], () => "Hello from ASP.NET Core on CosmosNet");
app.MapMethods("/", ["OPTIONS"], (HttpContext context) => { context.Response.Headers.Allow = "GET, HEAD, POST, OPTIONS"; return Results.Ok(); });
app.MapGet("/hello/{name}", (string name) => new Greeting($"Hello, {name}"));
app.MapGet("/sum/{a:int}/{b:int}", (int a, int b) => Results.Ok(new Sum(a, b, a + b)));
app.MapPost("/", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    return Results.Bytes(body.ToArray(), "application/octet-stream");
});
app.MapPost("/echo", (HttpRequest request) =>
{
    var lines = new System.Text.StringBuilder();
    foreach (var (name, values) in request.Headers) foreach (var value in values) lines.Append(name).Append(": ").Append(value).Append('\n');
    return Results.Text(lines.ToString());
});

// HttpClient from inside the appliance: to the machine itself by its host name and by localhost, and to an upstream server named in the
// configuration (--Upstream=http://10.0.2.2:8000/ on the kernel command line reaches the host under QEMU's user network).
var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
app.MapGet("/self", async () => "self: " + await client.GetStringAsync($"http://{System.Net.Dns.GetHostName()}/"));
app.MapGet("/local", async () => "local: " + await client.GetStringAsync("http://localhost:5000/"));
app.MapGet("/upstream", async (IConfiguration configuration) =>
    configuration["Upstream"] is { } upstream ? Results.Text("upstream: " + await client.GetStringAsync(upstream)) : Results.NotFound());

app.Lifetime.ApplicationStarted.Register(() => app.Logger.LogInformation("aspnet: started"));
app.Lifetime.ApplicationStopping.Register(() => app.Logger.LogInformation("aspnet: stopping"));
app.Lifetime.ApplicationStopped.Register(() => app.Logger.LogInformation("aspnet: stopped"));
app.Run();

record Greeting(string Message);
record Sum(int A, int B, int Total);

[JsonSerializable(typeof(Greeting))]
[JsonSerializable(typeof(Sum))]
partial class AppJson : JsonSerializerContext;
