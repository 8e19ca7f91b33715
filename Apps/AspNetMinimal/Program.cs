using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Text.Json.Serialization;

var builder = WebApplication.CreateSlimBuilder(args);
builder.WebHost.UseUrls("http://0.0.0.0:80");
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJson.Default));
var app = builder.Build();
app.Use(async (context, next) => { context.Response.Headers["X-Served-By"] = "CosmosNet"; await next(); });
app.MapGet("/", () => "Hello from ASP.NET Core on CosmosNet");
app.MapGet("/hello/{name}", (string name) => new Greeting($"Hello, {name}"));
app.MapPost("/echo", async (HttpRequest request) =>
{
    using var body = new MemoryStream();
    await request.Body.CopyToAsync(body);
    return Results.Bytes(body.ToArray(), "application/octet-stream");
});
app.Lifetime.ApplicationStopping.Register(() => Console.WriteLine("aspnet: stopping"));
app.Run();

record Greeting(string Message);

[JsonSerializable(typeof(Greeting))]
partial class AppJson : JsonSerializerContext;
