using System.Text;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Http.Tests;

/// <summary>
/// An <see cref="HttpServer"/> on one TCP stack and a raw client on another, joined by a simulated link on virtual time
/// (client 10.0.0.1, server 10.0.0.2:80). Tests write exact bytes and read exact responses.
/// </summary>
public sealed class HttpTestBed
{
    public static readonly Ipv4Address ServerAddress = new(10, 0, 0, 2);

    public HttpTestBed(HttpServerOptions? options = null, ulong seed = 1)
    {
        Sim = new Simulator(seed);
        var link = Link = new SimulatedLink(Sim, new LinkProfile { Latency = TimeSpan.FromMilliseconds(1) });
        Client = new TcpStack(new PacketIpLayer(link.A, new Ipv4Address(10, 0, 0, 1)), Sim.Clock, Sim.Random.Fork("client"));
        // The limit tests send whole oversized requests before reading the answer: a first window that takes them lets the
        // client's write complete before the server refuses and closes (the 100 kB ones too; with the 4 KiB default it would see the reset).
        var serverTcp = ServerTcp = new TcpStack(new PacketIpLayer(link.B, ServerAddress), Sim.Clock, Sim.Random.Fork("server"),
            new TcpConfig { InitialReceiveBufferSize = 256 * 1024 });
        Server = new HttpServer(serverTcp, Sim.Clock, options) { Log = line => Log.Add(line) };
        Server.Start(80);
    }

    public Simulator Sim { get; }
    /// <summary>Client (A) to server (B): <c>Link.BtoA.Observer</c> sees what the server sends.</summary>
    public SimulatedLink Link { get; }
    public TcpStack Client { get; }
    /// <summary>The server's TCP stack (under <see cref="Server"/>).</summary>
    public TcpStack ServerTcp { get; }
    public HttpServer Server { get; }
    public List<string> Log { get; } = new();

    public T Run<T>(Func<Task<T>> body) => Sim.Run(body, TimeSpan.FromMinutes(30));
    public void Run(Func<Task> body) => Sim.Run(body, TimeSpan.FromMinutes(30));

    public async Task<RawClient> ConnectAsync()
    {
        var r = await Client.ConnectAsync(ServerAddress, 80);
        Assert.True(r.IsOk, r.ToString());
        return new RawClient(r.Value, Sim);
    }

    /// <summary>Sends <paramref name="request"/> on a new connection and reads one response.</summary>
    public RawResponse Exchange(string request, bool head = false) => Run(async () =>
    {
        var c = await ConnectAsync();
        await c.SendAsync(request);
        return await c.ReadResponseAsync(head) ?? throw new Xunit.Sdk.XunitException("connection closed without a response");
    });
}

public sealed record RawResponse(int Status, string Reason, List<KeyValuePair<string, string>> Headers, byte[] Body, bool Chunked)
{
    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
    public string Text => Encoding.UTF8.GetString(Body);
    public override string ToString() => $"{Status} {Reason} [{string.Join("; ", Headers.Select(h => h.Key + ": " + h.Value))}] {Body.Length} bytes";
}

/// <summary>A client connection that speaks bytes: sends exactly what a test says and parses responses strictly.</summary>
public sealed class RawClient(TcpFlow flow, Simulator sim)
{
    readonly List<byte> _buffer = new();
    bool _eof;

    public TcpFlow Flow => flow;

    public Task SendAsync(string ascii) => SendAsync(Encoding.Latin1.GetBytes(ascii));

    public async Task SendAsync(byte[] data)
    {
        var r = await flow.WriteNodelayAsync(data);
        Assert.True(r.IsOk, r.ToString());
    }

    /// <summary>Sends a request the server may refuse before it has read it all: with small send buffers the write
    /// is still waiting for window when the server answers and closes, and then fails, as it would for any client.</summary>
    public Task SendRefusableAsync(string ascii) => flow.WriteNodelayAsync(Encoding.Latin1.GetBytes(ascii)).AsTask();

    Task<bool> FillAsync()
    {
        if (_pending is { } p) { _pending = null; return p; }
        return FillCoreAsync();
    }

    async Task<bool> FillCoreAsync()
    {
        if (_eof) return false;
        var chunk = new byte[64 * 1024];
        var r = await flow.ReadAsync(chunk);
        if (!r.IsOk || r.Value.IsEndOfStream) { _eof = true; return false; }
        _buffer.AddRange(chunk.AsSpan(0, r.Value.Count).ToArray());
        return true;
    }

    async Task<string?> ReadLineAsync()
    {
        while (true)
        {
            for (int i = 1; i < _buffer.Count; i++)
            {
                if (_buffer[i] != '\n') continue;
                Assert.Equal((byte)'\r', _buffer[i - 1]);
                var line = Encoding.Latin1.GetString(_buffer.GetRange(0, i - 1).ToArray());
                _buffer.RemoveRange(0, i + 1);
                return line;
            }
            if (!await FillAsync()) return null;
        }
    }

    async Task<byte[]> ReadExactAsync(int n)
    {
        while (_buffer.Count < n) Assert.True(await FillAsync(), $"connection closed {n - _buffer.Count} bytes short");
        var data = _buffer.GetRange(0, n).ToArray();
        _buffer.RemoveRange(0, n);
        return data;
    }

    /// <summary>Reads one final response (skipping 1xx when <paramref name="skipInterim"/>); null if the server closed first.</summary>
    public async Task<RawResponse?> ReadResponseAsync(bool head = false, bool skipInterim = true)
    {
        while (true)
        {
            var status = await ReadLineAsync();
            if (status is null) return null;
            Assert.StartsWith("HTTP/1.1 ", status);
            int code = int.Parse(status.AsSpan(9, 3));
            var headers = new List<KeyValuePair<string, string>>();
            string? line;
            while ((line = await ReadLineAsync()) is { Length: > 0 })
            {
                int colon = line.IndexOf(':');
                Assert.True(colon > 0, $"bad header line '{line}'");
                headers.Add(new(line[..colon], line[(colon + 1)..].Trim()));
            }
            Assert.NotNull(line);
            var response = new RawResponse(code, status[13..], headers, [], false);
            if (code < 200) { if (skipInterim) continue; return response; }
            if (head || code is 204 or 304) return response;
            if (response.Header("Transfer-Encoding") is { } te)
            {
                Assert.Equal("chunked", te);
                var body = new List<byte>();
                while (true)
                {
                    var size = Convert.ToInt32(await ReadLineAsync() ?? throw new Xunit.Sdk.XunitException("closed in a chunk"), 16);
                    if (size == 0) { Assert.Equal("", await ReadLineAsync()); break; }
                    body.AddRange(await ReadExactAsync(size));
                    Assert.Equal("", await ReadLineAsync());
                }
                return response with { Body = body.ToArray(), Chunked = true };
            }
            if (response.Header("Content-Length") is { } cl) return response with { Body = await ReadExactAsync(int.Parse(cl)) };
            while (await FillAsync()) { }   // delimited by the close
            var rest = _buffer.ToArray();
            _buffer.Clear();
            return response with { Body = rest };
        }
    }

    /// <summary>True when the server closed the connection and sent nothing more.</summary>
    public async Task<bool> IsClosedByServerAsync()
    {
        if (_buffer.Count > 0) return false;
        return !await FillAsync();
    }

    /// <summary>Whether anything arrives (or the connection closes) within <paramref name="time"/> of virtual time.</summary>
    public async Task<bool> AnythingWithinAsync(TimeSpan time)
    {
        if (_buffer.Count > 0 || _eof) return true;
        var read = FillAsync();
        var done = await Task.WhenAny(read, sim.Delay(time));
        if (done == read) return true;
        _pending = read;
        return false;
    }

    Task<bool>? _pending;   // a read AnythingWithinAsync left running; the next read takes it over
}
