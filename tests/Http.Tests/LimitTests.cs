using System.Text;
using Xunit;

namespace CosmosNet.Net.Http.Tests;

/// <summary>Limits (414, 431, 413), timeouts on virtual time (408, idle close), and the connection limit (queue, 503).</summary>
public sealed class LimitTests
{
    const string H = "Host: server\r\n";

    static (int Status, string? Connection, bool Closed) Answer(HttpTestBed bed, string request) => bed.Run(async () =>
    {
        var c = await bed.ConnectAsync();
        var sending = c.SendRefusableAsync(request);
        var r = await c.ReadResponseAsync();
        Assert.NotNull(r);
        var answer = (r!.Status, r.Header("Connection"), await c.IsClosedByServerAsync());
        await sending;
        return answer;
    });

    [Fact]
    public void A_request_line_over_the_limit_is_414_and_8000_octets_are_fine()
    {
        var bed = TestServer.Create();
        Assert.Equal((414, "close", true), Answer(bed, $"GET /{new string('a', 9000)} HTTP/1.1\r\n{H}\r\n"));
        Assert.Equal(404, Answer(bed, $"GET /{new string('a', 8000)} HTTP/1.1\r\n{H}\r\n").Status);
        // Over the limit before any line end: refused as soon as the limit is passed, not when the line ends.
        Assert.Equal((414, "close", true), Answer(bed, $"GET /{new string('a', 100_000)}"));
        // A line too long because of its method is no URI problem: 400.
        Assert.Equal((400, "close", true), Answer(bed, $"{new string('A', 100_000)} / HTTP/1.1\r\n{H}\r\n"));
    }

    [Fact]
    public void Header_sections_over_the_size_or_count_limit_are_431()
    {
        var bed = TestServer.Create();
        Assert.Equal((431, "close", true), Answer(bed, $"GET / HTTP/1.1\r\n{H}X-Big: {new string('v', 40_000)}\r\n\r\n"));
        var many = new StringBuilder();
        for (int i = 0; i < 101; i++) many.Append($"X-{i}: v\r\n");
        Assert.Equal((431, "close", true), Answer(bed, $"GET / HTTP/1.1\r\n{H}{many}\r\n"));
        var fine = new StringBuilder();
        for (int i = 0; i < 99; i++) fine.Append($"X-{i}: v\r\n");
        Assert.Equal(200, Answer(bed, $"GET / HTTP/1.1\r\n{H}{fine}\r\n").Status);
    }

    [Fact]
    public void Bodies_over_the_limit_are_413_declared_or_chunked()
    {
        var bed = TestServer.Create(new HttpServerOptions { MaxRequestBodySize = 1000 });
        Assert.Equal((413, "close", true), Answer(bed, $"POST /echo HTTP/1.1\r\n{H}Content-Length: 1001\r\n\r\n"));
        Assert.Equal(200, Answer(bed, $"POST /echo HTTP/1.1\r\n{H}Content-Length: 1000\r\n\r\n{new string('x', 1000)}").Status);
        Assert.Equal((413, "close", true), Answer(bed, $"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n200\r\n{new string('x', 512)}\r\n200\r\n{new string('x', 512)}\r\n0\r\n\r\n"));
    }

    [Fact]
    public void Trailers_and_chunk_lines_over_their_limits_are_refused()
    {
        var bed = TestServer.Create();
        Assert.Equal((431, "close", true), Answer(bed, $"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n0\r\nX-T: {new string('t', 5000)}\r\n\r\n"));
        Assert.Equal((400, "close", true), Answer(bed, $"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5;ext={new string('e', 65536)}\r\nhello\r\n0\r\n\r\n"));
    }

    [Fact]
    public void A_slow_header_section_gets_408_at_the_header_timeout()
    {
        var bed = TestServer.Create(new HttpServerOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(10) });
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            var start = bed.Sim.Now;
            await c.SendAsync($"GET / HTTP/1.1\r\n{H}");
            for (int i = 0; i < 5; i++) { await bed.Sim.Delay(TimeSpan.FromSeconds(1.5)); await c.SendAsync("X-Slow: 1\r\n"); }   // slowloris: bytes keep coming
            var r = await c.ReadResponseAsync();
            Assert.Equal(408, r!.Status);
            var elapsed = bed.Sim.Now - start;
            Assert.InRange(elapsed.TotalSeconds, 10, 10.1);
            Assert.True(await c.IsClosedByServerAsync());
        });
    }

    [Fact]
    public void A_connection_that_sends_nothing_is_closed_at_the_header_timeout()
    {
        var bed = TestServer.Create(new HttpServerOptions { RequestHeadersTimeout = TimeSpan.FromSeconds(10) });
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            var start = bed.Sim.Now;
            Assert.True(await c.IsClosedByServerAsync());   // closed without a response
            Assert.InRange((bed.Sim.Now - start).TotalSeconds, 10, 10.1);
        });
    }

    [Fact]
    public void An_idle_persistent_connection_is_closed_at_the_keep_alive_timeout()
    {
        var bed = TestServer.Create(new HttpServerOptions { KeepAliveTimeout = TimeSpan.FromSeconds(20), RequestHeadersTimeout = TimeSpan.FromSeconds(5) });
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"GET / HTTP/1.1\r\n{H}\r\n");
            Assert.Equal(200, (await c.ReadResponseAsync())!.Status);
            var idle = bed.Sim.Now;
            Assert.False(await c.AnythingWithinAsync(TimeSpan.FromSeconds(19)));   // longer than the header timeout: still open
            Assert.True(await c.IsClosedByServerAsync());
            Assert.InRange((bed.Sim.Now - idle).TotalSeconds, 20, 20.1);
        });
        Assert.Equal(0, bed.Server.ActiveConnections);
    }

    [Fact]
    public void A_body_slower_than_the_minimum_rate_gets_408_and_one_at_the_rate_passes()
    {
        var options = new HttpServerOptions { MinRequestBodyDataRate = 100, MinRequestBodyDataRateGracePeriod = TimeSpan.FromSeconds(3) };
        var bed = TestServer.Create(options);
        bed.Run(async () =>
        {
            var slow = await bed.ConnectAsync();
            await slow.SendAsync($"POST /echo HTTP/1.1\r\n{H}Content-Length: 1000\r\n\r\n");
            var start = bed.Sim.Now;
            var response = slow.ReadResponseAsync();
            for (int i = 0; i < 20 && !response.IsCompleted; i++) { await slow.SendAsync("0123456789"); await bed.Sim.Delay(TimeSpan.FromSeconds(1)); }   // 10 B/s
            var r = await response;
            Assert.Equal(408, r!.Status);
            Assert.InRange((bed.Sim.Now - start).TotalSeconds, 3, 5);

            var steady = await bed.ConnectAsync();
            await steady.SendAsync($"POST /echo HTTP/1.1\r\n{H}Content-Length: 1500\r\n\r\n");
            for (int i = 0; i < 10; i++) { await bed.Sim.Delay(TimeSpan.FromSeconds(1)); await steady.SendAsync(new string('x', 150)); }   // 150 B/s
            Assert.Equal(1500, (await steady.ReadResponseAsync())!.Body.Length);
        });
    }

    [Fact]
    public void Connections_over_the_limit_wait_in_the_queue_then_get_503()
    {
        var bed = TestServer.Create(new HttpServerOptions { MaxConcurrentConnections = 1, MaxQueuedConnections = 1 });
        bed.Run(async () =>
        {
            var a = await bed.ConnectAsync();
            await a.SendAsync($"GET /items/a HTTP/1.1\r\n{H}\r\n");
            Assert.Equal("item a q=", (await a.ReadResponseAsync())!.Text);

            var b = await bed.ConnectAsync();
            await b.SendAsync($"GET /items/b HTTP/1.1\r\n{H}\r\n");
            Assert.False(await b.AnythingWithinAsync(TimeSpan.FromSeconds(2)));   // queued, unread
            Assert.Equal(1, bed.Server.QueuedConnections);

            var c = await bed.ConnectAsync();
            var refused = await c.ReadResponseAsync();
            Assert.Equal(503, refused!.Status);
            Assert.True(await c.IsClosedByServerAsync());

            await a.SendAsync($"GET /items/a2 HTTP/1.1\r\n{H}\r\n");   // the served connection keeps being served
            Assert.Equal("item a2 q=", (await a.ReadResponseAsync())!.Text);
            await a.SendAsync($"GET / HTTP/1.1\r\n{H}Connection: close\r\n\r\n");
            await a.ReadResponseAsync();
            Assert.Equal("item b q=", (await b.ReadResponseAsync())!.Text);   // a's slot went to b
            Assert.Equal(1, bed.Server.RejectedConnections);
        });
    }
}
