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
// linger 0 (a reset).

var tcp = new TcpListener(IPAddress.Any, 7);
tcp.Start();
var blocking = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
blocking.Bind(new IPEndPoint(IPAddress.Any, 8));
blocking.Listen(64);
var udp = new UdpClient(7);
Console.WriteLine($"sockets: listening on tcp {((IPEndPoint)tcp.LocalEndpoint).Port} (async), tcp {((IPEndPoint)blocking.LocalEndPoint!).Port} (blocking), udp {((IPEndPoint)udp.Client.LocalEndPoint!).Port}");

_ = ServeAsync(tcp);
new Thread(() => ServeBlocking(blocking)) { IsBackground = true, Name = "blocking echo" }.Start();
_ = EchoUdpAsync(udp);

foreach (var arg in args)
{
    if (arg.StartsWith("fetch=")) await FetchAsync(IPEndPoint.Parse(arg["fetch=".Length..]));
    else if (arg.StartsWith("refused=")) await ConnectRefusedAsync(IPEndPoint.Parse(arg["refused=".Length..]));
    else if (arg.StartsWith("quiet=")) await QuietAsync(IPEndPoint.Parse(arg["quiet=".Length..]));
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
