using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Sockets.Tests;

/// <summary>
/// Apps/SocketEcho — an ordinary System.Net.Sockets program with no CosmosNet code of its own — in QEMU TCG on
/// user-mode networking. Before the boot the fixture listens on the host for the guest's outgoing TcpClient (it
/// sends 1 MiB of random bytes, half-closes, and takes them back) and picks a port where nothing listens; the guest
/// gets both on its command line and reports on the serial line. It also talks to itself over 127.0.0.1 and "localhost"
/// (the loopback interface), and keeps a listener on 127.0.0.1:9 that the host's forwarded port must not reach.
/// </summary>
public sealed class SocketGuest : IDisposable
{
    static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(120), MaxLifetime = TimeSpan.FromMinutes(8);
    public const int Payload = 1 << 20;

    readonly Guest _guest;
    readonly TcpListener _fetchServer, _quietServer;

    public int AsyncEchoPort { get; } = FreePort();
    public int BlockingEchoPort { get; } = FreePort();
    public int UdpEchoPort { get; } = FreeUdpPort();
    public int RefusedPort { get; } = FreePort();
    /// <summary>Forwarded to the guest's port 9, where only a listener on 127.0.0.1 waits.</summary>
    public int LoopbackOnlyPort { get; } = FreePort();
    public byte[] Sent { get; } = RandomNumberGenerator.GetBytes(Payload);
    /// <summary>What the guest sent back to the fetch server (after the server's half-close).</summary>
    public Task<byte[]> Returned { get; }
    /// <summary>How the quiet connection ended, seen from the host.</summary>
    public Task<string> QuietEnd { get; }
    public string Serial => _guest.Output;
    public SerialLine WaitForLine(string text, TimeSpan timeout) => _guest.WaitForLine(text, timeout);

    public static string Elf => Image.Build("Apps/SocketEcho", Image.TestDirectory("socketecho"));

    public SocketGuest()
    {
        _fetchServer = new TcpListener(IPAddress.Loopback, 0);
        _fetchServer.Start();
        Returned = ServeFetchAsync();
        _quietServer = new TcpListener(IPAddress.Loopback, 0);
        _quietServer.Start();
        QuietEnd = ServeQuietAsync();
        int fetchPort = ((IPEndPoint)_fetchServer.LocalEndpoint).Port, quietPort = ((IPEndPoint)_quietServer.LocalEndpoint).Port;
        var options = new QemuOptions
        {
            Kernel = Elf,
            Network = new UserNetwork(new(AsyncEchoPort, 7), new(BlockingEchoPort, 8), new(UdpEchoPort, 7, Udp: true), new(LoopbackOnlyPort, 9)),
            // QEMU's user network reaches the host's loopback at 10.0.2.2.
            Append = $"fetch=10.0.2.2:{fetchPort} refused=10.0.2.2:{RefusedPort} quiet=10.0.2.2:{quietPort} resolve=localhost resolve=cosmosnet loopback",
        };
        _guest = Qemu.Start(options, MaxLifetime);
        try { _guest.WaitForLine("sockets: ready", BootTimeout); }
        catch
        {
            _guest.Dispose();
            throw;
        }
    }

    async Task<byte[]> ServeFetchAsync()
    {
        using var client = await _fetchServer.AcceptTcpClientAsync();
        var stream = client.GetStream();
        await stream.WriteAsync(Sent);
        client.Client.Shutdown(SocketShutdown.Send);
        var back = new MemoryStream();
        await stream.CopyToAsync(back);
        return back.ToArray();
    }

    /// <summary>Silent until the guest sends "go", then answers "done" and waits for the guest to end the connection.</summary>
    async Task<string> ServeQuietAsync()
    {
        using var client = await _quietServer.AcceptTcpClientAsync();
        var stream = client.GetStream();
        var go = new byte[3];
        await stream.ReadExactlyAsync(go);
        if (!go.AsSpan().SequenceEqual("go\n"u8)) return "unexpected request";
        await stream.WriteAsync("done"u8.ToArray());
        try { return await stream.ReadAsync(new byte[1]) == 0 ? "closed" : "unexpected data"; }
        catch (IOException) { return "closed"; }   // a reset: QEMU's user network turns the guest's RST into a close or a reset
    }

    public void Dispose()
    {
        _guest.Dispose();
        _fetchServer.Stop();
        _quietServer.Stop();
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    static int FreeUdpPort()
    {
        using var u = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)u.Client.LocalEndPoint!).Port;
    }
}

[Collection("guests")] // one QEMU at a time on the 2-core machine
public sealed class SocketTests(SocketGuest guest, ITestOutputHelper log) : IClassFixture<SocketGuest>
{
    static readonly TimeSpan IoTimeout = TimeSpan.FromSeconds(60);

    public static TheoryData<string> Servers => ["async", "blocking"];
    int Port(string server) => server == "async" ? guest.AsyncEchoPort : guest.BlockingEchoPort;

    static async Task<TcpClient> ConnectAsync(int port)
    {
        var client = new TcpClient();
        using var cts = new CancellationTokenSource(IoTimeout);
        await client.ConnectAsync(IPAddress.Loopback, port, cts.Token);
        return client;
    }

    static async Task<byte[]> EchoAsync(int port, byte[] data)
    {
        using var client = await ConnectAsync(port);
        return await EchoAsync(client, data);
    }

    /// <summary>Sends <paramref name="data"/>, half-closes, and reads until the server's end of stream.</summary>
    static async Task<byte[]> EchoAsync(TcpClient client, byte[] data)
    {
        using var cts = new CancellationTokenSource(IoTimeout);
        var stream = client.GetStream();
        var send = Task.Run(async () =>
        {
            await stream.WriteAsync(data, cts.Token);
            client.Client.Shutdown(SocketShutdown.Send);
        });
        var back = new MemoryStream();
        await stream.CopyToAsync(back, cts.Token);
        await send;
        return back.ToArray();
    }

    [Fact]
    public async Task TcpClient_connects_out_and_moves_1_MiB_each_way()
    {
        string expected = Convert.ToHexStringLower(SHA256.HashData(guest.Sent));
        guest.WaitForLine($"sockets: fetched {SocketGuest.Payload} bytes from 10.0.2.2:", IoTimeout);
        Assert.Contains($"bytes from 10.0.2.2:", guest.Serial);
        Assert.Contains($", sha256 {expected}", guest.Serial);
        var returned = await guest.Returned.WaitAsync(IoTimeout);
        Assert.Equal(expected, Convert.ToHexStringLower(SHA256.HashData(returned)));
        // The guest half-closed, and its read then saw the host's close as end of stream.
        Assert.Contains($"sockets: sent back {SocketGuest.Payload} bytes, then end of stream: True", guest.Serial);
    }

    [Fact]
    public void Connect_to_a_closed_port_is_ConnectionRefused()
    {
        Assert.Contains($"sockets: connect to 10.0.2.2:{guest.RefusedPort}: ConnectionRefused", guest.Serial);
    }

    /// <summary>The guest's Socket.Poll, SO_RCVTIMEO and a cancelled ReceiveAsync on a connection that stays silent,
    /// then the same connection still working, then an abortive close (linger 0).</summary>
    [Fact]
    public async Task Poll_receive_timeout_and_cancellation_behave_as_on_Linux()
    {
        guest.WaitForLine("sockets: quiet: after go", IoTimeout);
        Assert.Contains("sockets: quiet: poll before data: False", guest.Serial);
        Assert.Contains("sockets: quiet: receive with timeout: TimedOut", guest.Serial);
        Assert.Contains("sockets: quiet: pending receive cancelled", guest.Serial);
        Assert.Contains("sockets: quiet: after go: poll True, got 'done'", guest.Serial);
        Assert.Equal("closed", await guest.QuietEnd.WaitAsync(IoTimeout));
    }

    /// <summary>Dns by name: localhost and the machine's own name (gethostname) without a query, as /etc/hosts would answer.</summary>
    [Fact]
    public void Dns_resolves_localhost_and_the_machines_own_name()
    {
        Assert.Contains("sockets: resolve localhost: 127.0.0.1", guest.Serial);
        Assert.Contains("sockets: resolve cosmosnet: 10.0.2.15", guest.Serial);
    }

    /// <summary>The program talks to itself as a health check would: TcpClient to its own TcpListener over 127.0.0.1 (both
    /// ends report 127.0.0.1), by "localhost" to a listener on 127.0.0.1 only, listeners bound to one address refusing
    /// the other, and UdpClient to 127.0.0.1 (an echo; ICMP port unreachable from a closed port as ConnectionRefused).
    /// The expected lines are what the same program prints on Linux.</summary>
    [Fact]
    public void The_program_talks_to_itself_over_loopback()
    {
        guest.WaitForLine("sockets: loopback: udp to a closed port", IoTimeout);
        string serial = guest.Serial;
        Assert.Matches(@"sockets: loopback: tcp echo 262144 bytes intact True, local 127\.0\.0\.1:\d+ remote 127\.0\.0\.1:7\b", serial);
        Assert.Matches(@"sockets: loopback: localhost:9 says hello 127\.0\.0\.1:\d+ at 127\.0\.0\.1:9\b", serial);
        Assert.Contains("sockets: loopback: 10.0.2.15:9 (listener on 127.0.0.1): ConnectionRefused", serial);
        Assert.Contains("sockets: loopback: 127.0.0.1:10 (listener on 10.0.2.15): ConnectionRefused", serial);
        Assert.Contains("sockets: loopback: 10.0.2.15:10 (listener on 10.0.2.15): connected", serial);
        Assert.Matches(@"sockets: loopback: 10\.0\.2\.15:10 accepted from 10\.0\.2\.15:\d+", serial);
        Assert.Contains("sockets: loopback: 127.0.0.1:11 (nothing): ConnectionRefused", serial);
        Assert.Matches(@"sockets: loopback: udp echo 'ping over loopback' from 127\.0\.0\.1:7 to 127\.0\.0\.1:\d+", serial);
        Assert.Contains("sockets: loopback: udp to a closed port: ConnectionRefused", serial);
    }

    /// <summary>A listener bound to 127.0.0.1 takes no connection from the wire: the host's forwarded connection to the
    /// guest's port 9 is refused (QEMU's user network turns the guest's RST into a close or a reset), never greeted.</summary>
    [Fact]
    public async Task A_listener_on_127_0_0_1_is_unreachable_from_outside()
    {
        guest.WaitForLine("sockets: ready", IoTimeout);
        using var client = new TcpClient();
        using var cts = new CancellationTokenSource(IoTimeout);
        string got;
        try
        {
            await client.ConnectAsync(IPAddress.Loopback, guest.LoopbackOnlyPort, cts.Token);   // QEMU accepts, then asks the guest
            var received = new MemoryStream();
            await client.GetStream().CopyToAsync(received, cts.Token);
            got = System.Text.Encoding.ASCII.GetString(received.ToArray());
        }
        catch (Exception e) when (e is IOException or SocketException) { got = ""; }
        Assert.DoesNotContain("hello", got);
        Assert.Equal("", got);
    }

    /// <summary>A thousand connections, twenty at a time, each echoing a little: the socket table, the accept queue and
    /// the stack's flows are all given back.</summary>
    [Fact]
    public async Task A_thousand_connections_come_and_go()
    {
        for (int batch = 0; batch < 50; batch++)
        {
            var clients = new List<TcpClient>();
            try
            {
                for (int i = 0; i < 20; i++) clients.Add(await ConnectAsync(guest.AsyncEchoPort));
                var echoes = await Task.WhenAll(clients.Select((c, i) => EchoAsync(c, BitConverter.GetBytes(batch * 20 + i))));
                for (int i = 0; i < 20; i++) Assert.Equal(batch * 20 + i, BitConverter.ToInt32(echoes[i]));
            }
            finally
            {
                foreach (var c in clients) c.Dispose();
            }
        }
    }

    /// <summary>More connections open at once than the 256 descriptors the table once had (a Kestrel under wrk -c256 ran out
    /// with its listener and event port): each accepted socket is a descriptor, and all of them echo.</summary>
    [Fact]
    public async Task Four_hundred_connections_held_at_once_all_echo()
    {
        var clients = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 400; i++) clients.Add(await ConnectAsync(guest.AsyncEchoPort));
            var echoes = await Task.WhenAll(clients.Select((c, i) => EchoAsync(c, BitConverter.GetBytes(i))));
            for (int i = 0; i < clients.Count; i++) Assert.Equal(i, BitConverter.ToInt32(echoes[i]));
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Theory, MemberData(nameof(Servers))]
    public async Task Echo_of_1_MiB_is_intact(string server)
    {
        var data = RandomNumberGenerator.GetBytes(SocketGuest.Payload);
        var back = await EchoAsync(Port(server), data);
        Assert.Equal(data.Length, back.Length);
        Assert.Equal(SHA256.HashData(data), SHA256.HashData(back));
    }

    /// <summary>20 connections open at once, each echoing 64 KiB in parallel. They are opened one after the other:
    /// QEMU's user-mode network accepts on a forwarded port with a backlog of 1 (see Kernel.Net.Tests/NicTests).</summary>
    [Theory, MemberData(nameof(Servers))]
    public async Task Twenty_parallel_clients_each_get_their_own_bytes(string server)
    {
        var clients = new List<TcpClient>();
        try
        {
            for (int i = 0; i < 20; i++) clients.Add(await ConnectAsync(Port(server)));
            var payloads = clients.Select(_ => RandomNumberGenerator.GetBytes(64 * 1024)).ToArray();
            var echoes = await Task.WhenAll(clients.Select((c, i) => EchoAsync(c, payloads[i])));
            for (int i = 0; i < payloads.Length; i++) Assert.Equal(payloads[i], echoes[i]);
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    /// <summary>After the client's FIN the server still sends: everything comes back, then the server's FIN.</summary>
    [Theory, MemberData(nameof(Servers))]
    public async Task Half_close_lets_the_server_finish_sending(string server)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Port(server));
        var stream = client.GetStream();
        var data = RandomNumberGenerator.GetBytes(100_000);
        await stream.WriteAsync(data);
        client.Client.Shutdown(SocketShutdown.Send);
        var back = new MemoryStream();
        using var cts = new CancellationTokenSource(IoTimeout);
        await stream.CopyToAsync(back, cts.Token);   // ends only at the server's FIN
        Assert.Equal(data, back.ToArray());
        Assert.Equal(0, await stream.ReadAsync(new byte[1], cts.Token));
    }

    [Fact]
    public async Task Udp_datagrams_come_back_whole()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var target = new IPEndPoint(IPAddress.Loopback, guest.UdpEchoPort);
        foreach (int size in new[] { 1, 100, 1400 })
        {
            var datagram = RandomNumberGenerator.GetBytes(size);
            // UDP may lose a datagram on the way: try a few times, but every answer must be the datagram itself.
            byte[]? answer = null;
            for (int attempt = 0; attempt < 5 && answer is null; attempt++)
            {
                await udp.SendAsync(datagram, target);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                try { answer = (await udp.ReceiveAsync(cts.Token)).Buffer; }
                catch (OperationCanceledException) { log.WriteLine($"udp {size}: no answer on attempt {attempt + 1}"); }
            }
            Assert.Equal(datagram, answer);
        }
    }
}
