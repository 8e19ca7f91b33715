using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CosmosNet.Harness.Testing;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.AspNet.Tests;

/// <summary>Kestrel in the appliance as a client sees it: routes, JSON, 404, a 4 MiB body, keep-alive, parallel requests.</summary>
[Collection("guests")] // one QEMU at a time on the 2-core machine
public sealed class AspNetServingTests(AspNetGuest guest, ITestOutputHelper log) : IClassFixture<AspNetGuest>
{
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(90);

    HttpClient Client(SocketsHttpHandler? handler = null) => new(handler ?? new SocketsHttpHandler()) { BaseAddress = guest.BaseAddress, Timeout = IoTimeout };

    [Fact]
    public async Task Root_is_200_text_with_the_middleware_header()
    {
        using var client = Client();
        using var response = await client.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Hello from ASP.NET Core on CosmosNet", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(["CosmosNet"], response.Headers.GetValues("X-Served-By"));
        Assert.Equal(["Kestrel"], response.Headers.GetValues("Server"));
    }

    [Fact]
    public async Task Route_parameter_answers_with_source_generated_json()
    {
        using var client = Client();
        using var response = await client.GetAsync("/hello/cosmos");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" }, response.Content.Headers.ContentType);
        Assert.Equal("""{"message":"Hello, cosmos"}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Int_route_constraints_bind_and_reject()
    {
        using var client = Client();
        using var sum = await client.GetAsync("/sum/2/40");
        Assert.Equal(HttpStatusCode.OK, sum.StatusCode);
        using var json = JsonDocument.Parse(await sum.Content.ReadAsStringAsync());
        Assert.Equal(42, json.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(2, json.RootElement.GetProperty("a").GetInt32());
        using var notInt = await client.GetAsync("/sum/two/40");
        Assert.Equal(HttpStatusCode.NotFound, notInt.StatusCode);
    }

    [Fact]
    public async Task Unknown_path_is_404_and_wrong_method_is_405()
    {
        using var client = Client();
        using var missing = await client.GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        using var wrongMethod = await client.GetAsync("/echo");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    /// <summary>Http11Probe's server contract: HEAD and OPTIONS on /, POST /echo answers the request's headers.</summary>
    [Fact]
    public async Task Serves_the_conformance_probe_contract()
    {
        using var client = Client();
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        using var options = await client.SendAsync(new HttpRequestMessage(HttpMethod.Options, "/"));
        Assert.Equal(HttpStatusCode.OK, options.StatusCode);
        Assert.Contains("POST", options.Content.Headers.Allow);
        var request = new HttpRequestMessage(HttpMethod.Post, "/echo") { Content = new StringContent("x") };
        request.Headers.Add("X-Demo", "42");
        using var echo = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, echo.StatusCode);
        Assert.Contains("X-Demo: 42", await echo.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Post_of_4_MiB_comes_back_byte_for_byte()
    {
        byte[] body = RandomNumberGenerator.GetBytes(4 << 20);
        using var client = Client();
        var started = DateTime.UtcNow;
        using var response = await client.PostAsync("/", new ByteArrayContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        byte[] back = await response.Content.ReadAsByteArrayAsync();
        log.WriteLine($"4 MiB POST / round trip: {(DateTime.UtcNow - started).TotalSeconds:F1} s");
        Assert.Equal(body.Length, back.Length);
        Assert.Equal(SHA256.HashData(body), SHA256.HashData(back));
    }

    [Fact]
    public async Task Keep_alive_serves_twenty_requests_on_one_connection()
    {
        int connections = 0;
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = 1,
            ConnectCallback = async (context, cancel) =>
            {
                Interlocked.Increment(ref connections);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                await socket.ConnectAsync(context.DnsEndPoint, cancel);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var client = Client(handler);
        for (int i = 0; i < 20; i++)
        {
            using var response = await client.GetAsync($"/hello/n{i}");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal($$"""{"message":"Hello, n{{i}}"}""", await response.Content.ReadAsStringAsync());
            Assert.False(response.Headers.ConnectionClose ?? false);
        }
        Assert.Equal(1, connections);
    }

    [Fact]
    public async Task HttpClient_in_the_guest_fetches_a_page_from_the_host()
    {
        using var client = Client();
        Assert.Equal("upstream: " + guest.UpstreamText, await client.GetStringAsync("/upstream"));
    }

    /// <summary>HttpClient to the machine's own name (its address): the request and the answer never leave the stack.</summary>
    [Fact]
    public async Task HttpClient_in_the_guest_reaches_its_own_Kestrel_by_host_name()
    {
        using var client = Client();
        Assert.Equal("self: Hello from ASP.NET Core on CosmosNet", await client.GetStringAsync("/self"));
    }

    /// <summary>HttpClient to http://localhost:5000/, Kestrel's second endpoint (UseUrls "http://localhost:5000": 127.0.0.1
    /// bound, [::1] refused with EAFNOSUPPORT and only logged): over the loopback interface.</summary>
    [Fact]
    public async Task HttpClient_in_the_guest_reaches_its_own_Kestrel_on_localhost()
    {
        using var client = Client();
        Assert.Equal("local: Hello from ASP.NET Core on CosmosNet", await client.GetStringAsync("/local"));
        // The app started although [::1]:5000 could not be bound (the fixture waited for ApplicationStarted); what Kestrel said:
        foreach (var line in guest.Serial.Split('\n').Where(l => l.Contains(":5000") || l.Contains("IPv6"))) log.WriteLine(line);
    }

    [Fact]
    public async Task Sixteen_parallel_requests_all_succeed()
    {
        using var client = Client();
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i => client.GetStringAsync($"/sum/{i}/1000")));
        for (int i = 0; i < 16; i++)
            Assert.Equal(i + 1000, JsonDocument.Parse(answers[i]).RootElement.GetProperty("total").GetInt32());
    }
}

/// <summary>A fresh boot: the first 200 after QEMU's start, then the ACPI power button (QEMU's system_powerdown) with a
/// keep-alive connection open. The kernel delivers SIGTERM, the .NET host's ConsoleLifetime stops the app
/// (ApplicationStopping, ApplicationStopped), Main returns and the machine powers off with status 0.</summary>
[Collection("guests")]
public sealed class AspNetShutdownTests(ITestOutputHelper log)
{
    [Fact]
    public async Task Power_button_stops_the_host_gracefully_and_powers_off()
    {
        using var guest = new AspNetGuest();
        using var client = new HttpClient(new SocketsHttpHandler()) { BaseAddress = guest.BaseAddress, Timeout = TimeSpan.FromSeconds(90) };
        using (var first = await client.GetAsync("/"))
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        log.WriteLine($"QEMU start to ApplicationStarted {guest.Started.TotalSeconds:F2} s, to the first 200 {guest.Elapsed.TotalSeconds:F2} s (TCG)");

        var pressed = guest.Elapsed;
        guest.PressPowerButton();
        var run = guest.WaitForExit(TimeSpan.FromSeconds(120));
        log.WriteLine($"power button to power-off: {(run.Elapsed - pressed).TotalSeconds:F2} s\n{run.Tail(16)}");
        Assert.False(run.TimedOut, "the guest did not power off:\n" + run.Tail());
        var lines = run.Serial.Select(l => l.Text).ToList();
        int signal = lines.FindIndex(l => l.Contains("CosmosNet: signal 15 (SIGTERM)")),
            stopping = lines.FindIndex(l => l.Contains("aspnet: stopping")),
            stopped = lines.FindIndex(l => l.Contains("aspnet: stopped")),
            returned = lines.FindIndex(l => l.Contains("CosmosNet: Main returned 0"));
        Assert.True(signal >= 0 && stopping > signal && stopped > stopping && returned > stopped, "out of order or missing:\n" + run.Tail(30));
        Assert.DoesNotContain(lines, l => l.Contains("terminated by signal"));
        Assert.Equal(0, run.ExitCode);
    }

    /// <summary>The diagnostics console's poweroff does what the power button does: SIGTERM, the host stops gracefully,
    /// Main returns and the machine powers off with status 0 — well before its 10 s bound.</summary>
    [Fact]
    public async Task Console_poweroff_stops_the_host_gracefully_first()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"aspnet-console-{Environment.ProcessId}-{Guid.NewGuid():N}.sock");
        try
        {
            using var guest = new AspNetGuest(256, socket);
            using (var client = new HttpClient { BaseAddress = guest.BaseAddress, Timeout = TimeSpan.FromSeconds(90) })
                Assert.Equal("Hello from ASP.NET Core on CosmosNet", await client.GetStringAsync("/"));
            using var console = new ConsoleClient(socket, TimeSpan.FromSeconds(30));
            console.Ready(TimeSpan.FromSeconds(30));
            console.Send("poweroff\r");
            var run = guest.WaitForExit(TimeSpan.FromSeconds(120));
            log.WriteLine(run.Tail(16));
            Assert.False(run.TimedOut, "the guest did not power off:\n" + run.Tail());
            Assert.Contains("powering off: SIGTERM to the app", console.Text);
            var lines = run.Serial.Select(l => l.Text).ToList();
            int signal = lines.FindIndex(l => l.Contains("CosmosNet: signal 15 (SIGTERM)")),
                stopping = lines.FindIndex(l => l.Contains("aspnet: stopping")),
                stopped = lines.FindIndex(l => l.Contains("aspnet: stopped")),
                returned = lines.FindIndex(l => l.Contains("CosmosNet: Main returned 0"));
            Assert.True(signal >= 0 && stopping > signal && stopped > stopping && returned > stopped, "out of order or missing:\n" + run.Tail(30));
            Assert.DoesNotContain(lines, l => l.Contains("did not exit after SIGTERM"));
            Assert.Equal(0, run.ExitCode);
        }
        finally
        {
            File.Delete(socket);
        }
    }
}
