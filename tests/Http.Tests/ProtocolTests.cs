using System.IO.Compression;
using System.Text;
using Xunit;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.Http.Tests;

/// <summary>RFC 9110/9112 behaviour of well-formed exchanges: persistence, pipelining, framing, methods, routing.</summary>
public sealed class ProtocolTests
{
    const string H = "Host: server\r\n";

    [Fact]
    public void Get_answers_200_with_date_server_length_and_keeps_the_connection()
    {
        var r = TestServer.Create().Exchange($"GET / HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(200, r.Status);
        Assert.Equal("OK", r.Reason);
        Assert.Equal(TestServer.Page, r.Body);
        Assert.Equal(TestServer.Page.Length.ToString(), r.Header("Content-Length"));
        Assert.Equal("text/html; charset=utf-8", r.Header("Content-Type"));
        Assert.Equal("CosmosNet", r.Header("Server"));
        Assert.Null(r.Header("Connection"));
        Assert.True(DateTime.TryParseExact(r.Header("Date"), "r", null, System.Globalization.DateTimeStyles.AdjustToUniversal, out _), r.Header("Date"));
    }

    [Fact]
    public void Date_is_an_imf_fixdate_from_the_time_provider()
    {
        var clock = new FixedTime(new DateTimeOffset(2026, 3, 7, 9, 5, 3, TimeSpan.Zero));
        var bed = new HttpTestBed(new HttpServerOptions { TimeProvider = clock });
        bed.Server.MapGet("/", () => Results.Ok());
        Assert.Equal("Sat, 07 Mar 2026 09:05:03 GMT", bed.Exchange($"GET / HTTP/1.1\r\n{H}\r\n").Header("Date"));
    }

    sealed class FixedTime(DateTimeOffset now) : TimeProvider { public override DateTimeOffset GetUtcNow() => now; }

    [Fact]
    public void A_persistent_connection_serves_requests_one_after_another()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            for (int i = 0; i < 5; i++)
            {
                await c.SendAsync($"GET /items/{i} HTTP/1.1\r\n{H}\r\n");
                Assert.Equal($"item {i} q=", (await c.ReadResponseAsync())!.Text);
            }
            Assert.Equal(1, bed.Server.ActiveConnections);
        });
    }

    [Fact]
    public void Pipelined_requests_are_answered_in_order()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"GET /items/1 HTTP/1.1\r\n{H}\r\nPOST /echo HTTP/1.1\r\n{H}Content-Length: 5\r\n\r\nhelloGET /items/3?q=x HTTP/1.1\r\n{H}\r\n"
                + $"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nHEAD / HTTP/1.1\r\n{H}\r\nGET /items/6 HTTP/1.1\r\n{H}\r\n");
            Assert.Equal("item 1 q=", (await c.ReadResponseAsync())!.Text);
            Assert.Equal("hello", (await c.ReadResponseAsync())!.Text);
            Assert.Equal("item 3 q=x", (await c.ReadResponseAsync())!.Text);
            Assert.Equal("abc", (await c.ReadResponseAsync())!.Text);
            Assert.Equal(TestServer.Page.Length.ToString(), (await c.ReadResponseAsync(head: true))!.Header("Content-Length"));
            Assert.Equal("item 6 q=", (await c.ReadResponseAsync())!.Text);
        });
    }

    [Fact]
    public void Connection_close_is_answered_then_the_server_closes()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"GET / HTTP/1.1\r\n{H}Connection: close\r\n\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal("close", r!.Header("Connection"));
            Assert.True(await c.IsClosedByServerAsync());
        });
    }

    [Fact]
    public void Http10_closes_by_default_and_persists_with_keep_alive()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync("GET / HTTP/1.0\r\n\r\n");   // HTTP/1.0 needs no Host
            Assert.Equal("close", (await c.ReadResponseAsync())!.Header("Connection"));
            Assert.True(await c.IsClosedByServerAsync());

            var k = await bed.ConnectAsync();
            await k.SendAsync("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("keep-alive", (await k.ReadResponseAsync())!.Header("Connection"));
            await k.SendAsync("GET /items/2 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            Assert.Equal("item 2 q=", (await k.ReadResponseAsync())!.Text);
        });
    }

    [Fact]
    public void Head_has_the_get_headers_and_no_body()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"HEAD / HTTP/1.1\r\n{H}\r\nGET /items/9 HTTP/1.1\r\n{H}\r\n");
            var head = await c.ReadResponseAsync(head: true);
            Assert.Equal(200, head!.Status);
            Assert.Equal(TestServer.Page.Length.ToString(), head.Header("Content-Length"));
            Assert.Equal("item 9 q=", (await c.ReadResponseAsync())!.Text);   // no body bytes came in between

            await c.SendAsync($"HEAD /sized HTTP/1.1\r\n{H}\r\nGET /items/10 HTTP/1.1\r\n{H}\r\n");
            Assert.Equal(TestServer.StreamedLength.ToString(), (await c.ReadResponseAsync(head: true))!.Header("Content-Length"));
            Assert.Equal("item 10 q=", (await c.ReadResponseAsync())!.Text);
        });
    }

    [Fact]
    public void Options_lists_the_methods_of_a_path_and_of_the_server()
    {
        var bed = TestServer.Create();
        var star = bed.Exchange($"OPTIONS * HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(200, star.Status);
        Assert.Equal("GET, HEAD, POST, DELETE, OPTIONS", star.Header("Allow"));
        var root = bed.Exchange($"OPTIONS / HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(200, root.Status);
        Assert.Equal("GET, HEAD, POST, OPTIONS", root.Header("Allow"));
        Assert.Equal("0", root.Header("Content-Length"));
    }

    [Theory]
    [InlineData("POST /items/1", "GET, HEAD, DELETE, OPTIONS")]
    [InlineData("DELETE /", "GET, HEAD, POST, OPTIONS")]
    [InlineData("TRACE /", "GET, HEAD, POST, OPTIONS")]
    [InlineData("PUT /index.html", "GET, HEAD, OPTIONS")]
    public void A_known_path_with_another_method_is_405_with_allow(string line, string allow)
    {
        var r = TestServer.Create().Exchange($"{line} HTTP/1.1\r\n{H}Content-Length: 0\r\n\r\n");
        Assert.Equal(405, r.Status);
        Assert.Equal(allow, r.Header("Allow"));
    }

    [Fact]
    public void No_content_responses_carry_no_content_length_and_keep_the_connection()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"DELETE /items/1 HTTP/1.1\r\n{H}\r\nGET /items/2 HTTP/1.1\r\n{H}\r\n");
            var r = await c.ReadResponseAsync();
            Assert.Equal(204, r!.Status);
            Assert.Null(r.Header("Content-Length"));
            Assert.Null(r.Header("Transfer-Encoding"));
            Assert.Equal("item 2 q=", (await c.ReadResponseAsync())!.Text);
        });
    }

    [Fact]
    public void Unknown_paths_are_404()
    {
        Assert.Equal(404, TestServer.Create().Exchange($"GET /nothing HTTP/1.1\r\n{H}\r\n").Status);
    }

    [Theory]
    [InlineData("/items/42", "item 42 q=")]
    [InlineData("/ITEMS/42?q=a+b%21", "item 42 q=a b!")]
    [InlineData("/items/%7Bx%7D", "item {x} q=")]
    [InlineData("/files/a/b/c.txt", "a/b/c.txt")]
    [InlineData("http://server/items/5", "item 5 q=")]   // absolute-form
    public void Route_templates_bind_parameters_and_query(string target, string body)
    {
        var r = TestServer.Create().Exchange($"GET {target} HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(200, r.Status);
        Assert.Equal(body, r.Text);
    }

    [Fact]
    public void Leading_empty_lines_and_http_1_2_are_accepted()
    {
        Assert.Equal(200, TestServer.Create().Exchange($"\r\nGET / HTTP/1.1\r\n{H}\r\n").Status);
        Assert.Equal(200, TestServer.Create().Exchange($"GET / HTTP/1.2\r\n{H}\r\n").Status);
    }

    [Fact]
    public void Json_results_use_the_source_generated_context()
    {
        var r = TestServer.Create().Exchange($"GET /json HTTP/1.1\r\n{H}\r\n");
        Assert.Equal("application/json; charset=utf-8", r.Header("Content-Type"));
        Assert.Equal("""{"Id":7,"Name":"seven"}""", r.Text);
    }

    // ---- bodies ----

    [Fact]
    public void Content_length_and_chunked_bodies_are_received()
    {
        var bed = TestServer.Create();
        Assert.Equal("hello", bed.Exchange($"POST /echo HTTP/1.1\r\n{H}Content-Length: 5\r\n\r\nhello").Text);
        var chunked = bed.Exchange($"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;quoted=\"a \\\"b\\\"\"\r\nhello\r\nA\r\n0123456789\r\n000\r\nX-Trailer: yes\r\nX-Other: 2\r\n\r\n");
        Assert.Equal(200, chunked.Status);
        Assert.Equal("hello0123456789", chunked.Text);
        Assert.Equal("", bed.Exchange($"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n").Text);
        Assert.Equal("", bed.Exchange($"POST /echo HTTP/1.1\r\n{H}\r\n").Text);   // neither: no body
    }

    [Fact]
    public void A_large_body_crosses_the_receive_buffer_with_back_pressure()
    {
        var bed = TestServer.Create();
        var data = TestServer.Pattern(0, 3_000_000);
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            var chunked = new MemoryStream();
            for (int i = 0; i < data.Length; i += 70_000)
            {
                int n = Math.Min(70_000, data.Length - i);
                chunked.Write(Encoding.ASCII.GetBytes($"{n:x}\r\n"));
                chunked.Write(data, i, n);
                chunked.Write("\r\n"u8);
            }
            chunked.Write("0\r\n\r\n"u8);
            var send = c.SendAsync(Encoding.ASCII.GetBytes($"POST /echo HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n").Concat(chunked.ToArray()).ToArray());
            var r = await c.ReadResponseAsync();
            await send;
            Assert.Equal(data, r!.Body);
            Assert.Equal(data.Length.ToString(), r.Header("Content-Length"));   // larger than the response buffer: streamed with its known length
        });
    }

    [Fact]
    public void Unread_request_bodies_are_skipped_before_the_next_request()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            var body = new string('x', 100_000);
            await c.SendAsync($"POST /ignore HTTP/1.1\r\n{H}Content-Length: {body.Length}\r\n\r\n{body}"
                + $"POST /ignore HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n4\r\nGET \r\n0\r\n\r\nGET /items/1 HTTP/1.1\r\n{H}\r\n");
            Assert.Equal("ignored", (await c.ReadResponseAsync())!.Text);
            Assert.Equal("ignored", (await c.ReadResponseAsync())!.Text);
            Assert.Equal("item 1 q=", (await c.ReadResponseAsync())!.Text);
        });
    }

    [Fact]
    public void Unknown_length_responses_are_chunked_and_close_delimited_for_http10()
    {
        var bed = TestServer.Create();
        var chunked = bed.Exchange($"GET /stream HTTP/1.1\r\n{H}\r\n");
        Assert.True(chunked.Chunked);
        Assert.Null(chunked.Header("Content-Length"));
        Assert.Equal(TestServer.Pattern(0, TestServer.StreamedLength), chunked.Body);

        var old = bed.Exchange("GET /stream HTTP/1.0\r\n\r\n");
        Assert.Null(old.Header("Transfer-Encoding"));
        Assert.Equal("close", old.Header("Connection"));
        Assert.Equal(TestServer.Pattern(0, TestServer.StreamedLength), old.Body);

        var sized = bed.Exchange($"GET /sized HTTP/1.1\r\n{H}\r\n");
        Assert.False(sized.Chunked);
        Assert.Equal(TestServer.StreamedLength.ToString(), sized.Header("Content-Length"));
        Assert.Equal(TestServer.Pattern(0, TestServer.StreamedLength), sized.Body);
    }

    [Fact]
    public void Expect_100_continue_is_answered_when_the_handler_reads_the_body()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"POST /echo HTTP/1.1\r\n{H}Expect: 100-continue\r\nContent-Length: 5\r\n\r\n");
            var interim = await c.ReadResponseAsync(skipInterim: false);
            Assert.Equal(100, interim!.Status);
            await c.SendAsync("hello");
            var r = await c.ReadResponseAsync();
            Assert.Equal("hello", r!.Text);
            Assert.Null(r.Header("Connection"));
        });
    }

    [Fact]
    public void Expect_100_continue_without_reading_gets_the_final_answer_and_a_close()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"POST /nothing HTTP/1.1\r\n{H}Expect: 100-continue\r\nContent-Length: 1000000\r\n\r\n");
            var r = await c.ReadResponseAsync(skipInterim: false);
            Assert.Equal(404, r!.Status);
            Assert.Equal("close", r.Header("Connection"));
            Assert.True(await c.IsClosedByServerAsync());
        });
    }

    [Fact]
    public void Http10_never_gets_100_continue()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync("POST /echo HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
            var r = await c.ReadResponseAsync(skipInterim: false);
            Assert.Equal(200, r!.Status);
            Assert.Equal("ok", r.Text);
        });
    }

    [Theory]
    [InlineData("/throw", "InvalidOperationException: boom")]
    [InlineData("/oom", "OutOfMemoryException")]
    [InlineData("/throw-midway", "IOException: broke after the head")]
    public void A_throwing_handler_resets_its_connection_is_counted_and_logged_and_others_keep_serving(string path, string logged)
    {
        // Issue 14, fault containment: whatever the handler left behind (half a response, no memory) is not trusted to
        // end the exchange, so the connection is reset; the server and the other connections carry on.
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var other = await bed.ConnectAsync();
            var c = await bed.ConnectAsync();
            await c.SendAsync($"GET {path} HTTP/1.1\r\n{H}\r\n");
            var read = await c.Flow.ReadAsync(new byte[64 * 1024]);
            while (read.IsOk && !read.Value.IsEndOfStream) read = await c.Flow.ReadAsync(new byte[64 * 1024]);   // /throw-midway: the head came first
            Assert.False(read.IsOk, $"expected a reset, got {read}");
            Assert.Equal(TcpErrorKind.Reset, read.Error.Kind);
            await other.SendAsync($"GET /items/2 HTTP/1.1\r\n{H}\r\n");
            Assert.Equal(200, (await other.ReadResponseAsync())!.Status);
            var again = await bed.ConnectAsync();
            await again.SendAsync($"GET /items/3 HTTP/1.1\r\n{H}\r\n");
            Assert.Equal(200, (await again.ReadResponseAsync())!.Status);
            Assert.Equal(2, bed.Server.ActiveConnections);
        });
        Assert.Equal(1, bed.Server.Faults);
        var line = Assert.Single(bed.Log);
        Assert.Contains(logged, line);
        Assert.Contains($"GET {path}", line);
        Assert.DoesNotContain('\n', line);
    }

    [Fact]
    public void A_client_that_resets_mid_response_is_not_a_fault()
    {
        var bed = TestServer.Create();
        bed.Run(async () =>
        {
            var c = await bed.ConnectAsync();
            await c.SendAsync($"GET /stream HTTP/1.1\r\n{H}\r\n");
            await c.Flow.ReadAsync(new byte[1000]);   // the response has started
            c.Flow.Abort();
            await bed.Sim.Delay(TimeSpan.FromSeconds(5));
            Assert.Equal(0, bed.Server.ActiveConnections);
        });
        Assert.Equal(0, bed.Server.Faults);
        Assert.Empty(bed.Log);
    }

    // ---- static files ----

    [Fact]
    public void Static_files_have_types_etags_and_answer_304()
    {
        var bed = TestServer.Create();
        var r = bed.Exchange($"GET /index.html HTTP/1.1\r\n{H}\r\n");
        Assert.Equal(200, r.Status);
        Assert.Equal("text/html; charset=utf-8", r.Header("Content-Type"));
        Assert.Contains("<p>index</p>", r.Text);
        var etag = r.Header("ETag")!;
        Assert.Matches("^\"[0-9a-f]{16}\"$", etag);

        foreach (var match in new[] { etag, "W/" + etag, "*", $"\"other\", {etag}" })
        {
            var cached = bed.Exchange($"GET /index.html HTTP/1.1\r\n{H}If-None-Match: {match}\r\n\r\n");
            Assert.Equal(304, cached.Status);
            Assert.Equal(etag, cached.Header("ETag"));
            Assert.Null(cached.Header("Content-Length"));
        }
        Assert.Equal(200, bed.Exchange($"GET /index.html HTTP/1.1\r\n{H}If-None-Match: \"other\"\r\n\r\n").Status);
        Assert.Equal(200, bed.Exchange($"GET /index.html HTTP/1.1\r\n{H}If-None-Match: {etag.Trim('"')}\r\n\r\n").Status);   // unquoted: no tag
    }

    [Fact]
    public void Precompressed_files_are_sent_when_gzip_is_accepted()
    {
        var bed = TestServer.Create();
        var plain = bed.Exchange($"GET /css/site.css HTTP/1.1\r\n{H}\r\n");
        Assert.Equal("text/css; charset=utf-8", plain.Header("Content-Type"));
        Assert.Null(plain.Header("Content-Encoding"));
        Assert.Equal("Accept-Encoding", plain.Header("Vary"));

        var gz = bed.Exchange($"GET /css/site.css HTTP/1.1\r\n{H}Accept-Encoding: br, gzip;q=0.5\r\n\r\n");
        Assert.Equal("gzip", gz.Header("Content-Encoding"));
        Assert.True(gz.Body.Length < plain.Body.Length);
        using var unzip = new GZipStream(new MemoryStream(gz.Body), CompressionMode.Decompress);
        var inflated = new MemoryStream();
        unzip.CopyTo(inflated);
        Assert.Equal(plain.Body, inflated.ToArray());

        Assert.Null(bed.Exchange($"GET /css/site.css HTTP/1.1\r\n{H}Accept-Encoding: gzip;q=0\r\n\r\n").Header("Content-Encoding"));
    }
}
