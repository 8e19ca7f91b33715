using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

// An ordinary .NET sockets program, written as for Linux (it runs unchanged on the host's .NET too):
//   tcp 7  echo server: TcpListener, AcceptTcpClientAsync, async reads and writes, half-close at the end;
//   tcp 8  echo server: blocking Socket.Accept/Receive/Send, a thread per connection;
//   udp 7  echo: UdpClient.ReceiveAsync/SendAsync.
// Arguments (the kernel command line): fetch=HOST:PORT connects out with TcpClient, reads until the server
// half-closes, prints the SHA-256 of what it got and sends it all back; refused=HOST:PORT connects to a port
// nothing listens on and prints the SocketError; quiet=HOST:PORT connects to a server that stays silent until it
// gets "go", and prints what Poll, a receive timeout and a cancelled ReceiveAsync do meanwhile, then closes with
// linger 0 (a reset); resolve=NAME prints what Dns.GetHostAddresses says; loopback talks to this same process over
// 127.0.0.1 and "localhost" (TCP and UDP echo, a listener on 127.0.0.1 only, connect refused, ICMP port unreachable).
// tcp 9 listens on 127.0.0.1 only: it greets whoever reaches it, which nobody from outside the machine can.

var tcp = new TcpListener(IPAddress.Any, 7);
tcp.Start();
var blocking = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
blocking.Bind(new IPEndPoint(IPAddress.Any, 8));
blocking.Listen(64);
var udp = new UdpClient(7);
var loopbackOnly = new TcpListener(IPAddress.Loopback, 9);
loopbackOnly.Start();
_ = GreetAsync(loopbackOnly);
Console.WriteLine($"sockets: listening on tcp {((IPEndPoint)tcp.LocalEndpoint).Port} (async), tcp {((IPEndPoint)blocking.LocalEndPoint!).Port} (blocking), udp {((IPEndPoint)udp.Client.LocalEndPoint!).Port}");

_ = ServeAsync(tcp);
new Thread(() => ServeBlocking(blocking)) { IsBackground = true, Name = "blocking echo" }.Start();
_ = EchoUdpAsync(udp);

foreach (var arg in args)
{
    if (arg.StartsWith("fetch=")) await FetchAsync(IPEndPoint.Parse(arg["fetch=".Length..]));
    else if (arg.StartsWith("refused=")) await ConnectRefusedAsync(IPEndPoint.Parse(arg["refused=".Length..]));
    else if (arg.StartsWith("quiet=")) await QuietAsync(IPEndPoint.Parse(arg["quiet=".Length..]));
    else if (arg.StartsWith("resolve=")) await ResolveAsync(arg["resolve=".Length..]);
    else if (arg == "loopback") await LoopbackAsync();
}
Console.WriteLine("sockets: ready");
await Task.Delay(Timeout.Infinite);

static async Task ServeAsync(TcpListener listener)
{
    while (true)
    {
        var client = await listener.AcceptTcpClientAsync();
        _ = EchoAsync(client);
    }
}

static async Task EchoAsync(TcpClient client)
{
    using (client)
    {
        try
        {
            var stream = client.GetStream();
            var buffer = new byte[16384];
            int n;
            while ((n = await stream.ReadAsync(buffer)) > 0) await stream.WriteAsync(buffer.AsMemory(0, n));
            client.Client.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is IOException or SocketException)
        {
            Console.WriteLine($"sockets: echo connection ended: {e.Message}");
        }
    }
}

static void ServeBlocking(Socket listener)
{
    while (true)
    {
        var client = listener.Accept();
        new Thread(() =>
        {
            using (client)
            {
                var buffer = new byte[8192];
                int n;
                while ((n = client.Receive(buffer)) > 0)
                {
                    for (int sent = 0; sent < n;) sent += client.Send(buffer, sent, n - sent, SocketFlags.None);
                }
                client.Shutdown(SocketShutdown.Send);
            }
        }) { IsBackground = true }.Start();
    }
}

static async Task EchoUdpAsync(UdpClient udp)
{
    while (true)
    {
        var datagram = await udp.ReceiveAsync();
        await udp.SendAsync(datagram.Buffer, datagram.RemoteEndPoint);
    }
}

static async Task FetchAsync(IPEndPoint server)
{
    using var client = new TcpClient();
    await client.ConnectAsync(server);
    var stream = client.GetStream();
    var received = new MemoryStream();
    await stream.CopyToAsync(received);
    var bytes = received.ToArray();
    Console.WriteLine($"sockets: fetched {bytes.Length} bytes from {server}, sha256 {Convert.ToHexStringLower(SHA256.HashData(bytes))}");
    await stream.WriteAsync(bytes);
    client.Client.Shutdown(SocketShutdown.Send);
    // The server closes after reading everything: our read sees the end.
    Console.WriteLine($"sockets: sent back {bytes.Length} bytes, then end of stream: {await stream.ReadAsync(new byte[1]) == 0}");
}

static async Task ConnectRefusedAsync(IPEndPoint target)
{
    using var client = new TcpClient();
    try
    {
        await client.ConnectAsync(target);
        Console.WriteLine($"sockets: connect to {target}: connected");
    }
    catch (SocketException e)
    {
        Console.WriteLine($"sockets: connect to {target}: {e.SocketErrorCode}");
    }
}

static async Task QuietAsync(IPEndPoint server)
{
    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    socket.Connect(server);
    Console.WriteLine($"sockets: quiet: poll before data: {socket.Poll(TimeSpan.FromMilliseconds(200), SelectMode.SelectRead)}");
    socket.ReceiveTimeout = 300;
    try { Console.WriteLine($"sockets: quiet: receive with timeout got {socket.Receive(new byte[16])} bytes"); }
    catch (SocketException e) { Console.WriteLine($"sockets: quiet: receive with timeout: {e.SocketErrorCode}"); }
    using (var cancel = new CancellationTokenSource(300))
    {
        try { Console.WriteLine($"sockets: quiet: receive got {await socket.ReceiveAsync(new byte[16], SocketFlags.None, cancel.Token)} bytes"); }
        catch (OperationCanceledException) { Console.WriteLine("sockets: quiet: pending receive cancelled"); }
    }
    socket.Send("go\n"u8);
    bool readable = socket.Poll(TimeSpan.FromSeconds(30), SelectMode.SelectRead);
    var buffer = new byte[16];
    int n = await socket.ReceiveAsync(buffer, SocketFlags.None);
    Console.WriteLine($"sockets: quiet: after go: poll {readable}, got '{Encoding.ASCII.GetString(buffer, 0, n)}'");
    socket.LingerState = new LingerOption(true, 0);
    socket.Close();
}

static async Task ResolveAsync(string name)
{
    try { Console.WriteLine($"sockets: resolve {name}: {string.Join(", ", (object[])await Dns.GetHostAddressesAsync(name))}"); }
    catch (SocketException e) { Console.WriteLine($"sockets: resolve {name}: {e.SocketErrorCode}"); }
}

static async Task GreetAsync(TcpListener listener)
{
    while (true)
    {
        using var client = await listener.AcceptTcpClientAsync();
        await client.GetStream().WriteAsync(Encoding.ASCII.GetBytes($"hello {client.Client.RemoteEndPoint} at {client.Client.LocalEndPoint}\n"));
        client.Client.Shutdown(SocketShutdown.Send);
    }
}

/// <summary>This process talking to itself, as a health check or an in-process client would.</summary>
static async Task LoopbackAsync()
{
    // TCP echo through the async server on 0.0.0.0:7, 256 KiB each way, with a half-close.
    using (var client = new TcpClient())
    {
        await client.ConnectAsync(IPAddress.Loopback, 7);
        string ends = $"local {client.Client.LocalEndPoint} remote {client.Client.RemoteEndPoint}";
        var data = RandomNumberGenerator.GetBytes(256 * 1024);
        var stream = client.GetStream();
        var send = Task.Run(async () =>
        {
            await stream.WriteAsync(data);
            client.Client.Shutdown(SocketShutdown.Send);
        });
        var back = new MemoryStream();
        await stream.CopyToAsync(back);
        await send;
        Console.WriteLine($"sockets: loopback: tcp echo {back.Length} bytes intact {back.ToArray().AsSpan().SequenceEqual(data)}, {ends}");
    }
    // By name, to the listener on 127.0.0.1 only: what the accepting side saw comes back in its greeting.
    using (var client = new TcpClient())
    {
        await client.ConnectAsync("localhost", 9);
        var greeting = await new StreamReader(client.GetStream()).ReadToEndAsync();
        Console.WriteLine($"sockets: loopback: localhost:9 says {greeting.Trim()}");
    }
    // The interface's address does not reach a listener bound to 127.0.0.1, and 127.0.0.1 not one bound to the interface's.
    var own = (await Dns.GetHostAddressesAsync(Dns.GetHostName())).First(a => a.AddressFamily == AddressFamily.InterNetwork);
    Console.WriteLine($"sockets: loopback: {own}:9 (listener on 127.0.0.1): {await TryConnectAsync(new IPEndPoint(own, 9))}");
    var interfaceOnly = new TcpListener(own, 10);
    interfaceOnly.Start();
    Console.WriteLine($"sockets: loopback: 127.0.0.1:10 (listener on {own}): {await TryConnectAsync(new IPEndPoint(IPAddress.Loopback, 10))}");
    var accepting = interfaceOnly.AcceptTcpClientAsync();
    Console.WriteLine($"sockets: loopback: {own}:10 (listener on {own}): {await TryConnectAsync(new IPEndPoint(own, 10))}");
    using (var accepted = await accepting) Console.WriteLine($"sockets: loopback: {own}:10 accepted from {accepted.Client.RemoteEndPoint}");
    interfaceOnly.Stop();
    Console.WriteLine($"sockets: loopback: 127.0.0.1:11 (nothing): {await TryConnectAsync(new IPEndPoint(IPAddress.Loopback, 11))}");

    // UDP: the echo on 0.0.0.0:7 answers from 127.0.0.1; a port nobody bound answers with ICMP port unreachable.
    using (var udp = new UdpClient())
    {
        udp.Connect(IPAddress.Loopback, 7);
        await udp.SendAsync("ping over loopback"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var answer = await udp.ReceiveAsync(cts.Token);
        Console.WriteLine($"sockets: loopback: udp echo '{Encoding.ASCII.GetString(answer.Buffer)}' from {answer.RemoteEndPoint} to {udp.Client.LocalEndPoint}");
    }
    using (var udp = new UdpClient())
    {
        udp.Connect(IPAddress.Loopback, 11);
        await udp.SendAsync("anyone?"u8.ToArray());
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try { Console.WriteLine($"sockets: loopback: udp to a closed port answered {(await udp.ReceiveAsync(cts.Token)).Buffer.Length} bytes"); }
        catch (SocketException e) { Console.WriteLine($"sockets: loopback: udp to a closed port: {e.SocketErrorCode}"); }
        catch (OperationCanceledException) { Console.WriteLine("sockets: loopback: udp to a closed port: no answer"); }
    }
}

static async Task<string> TryConnectAsync(IPEndPoint target)
{
    using var client = new TcpClient();
    try
    {
        await client.ConnectAsync(target);
        return "connected";
    }
    catch (SocketException e)
    {
        return e.SocketErrorCode.ToString();
    }
}
