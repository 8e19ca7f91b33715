using System.Net.Sockets;
using System.Text;

namespace CosmosNet.Harness.Testing;

/// <summary>
/// The host's end of a guest serial port the emulator serves on a socket (QEMU <c>unix:PATH,server=on,wait=off</c>, Bochs
/// <c>socket-server</c> on a TCP port): all text the guest wrote since the connection ("\r" dropped), and the diagnostics
/// console's protocol on top: send a line, the answer is what follows the echoed line up to the next prompt at the
/// start of a line.
/// </summary>
public sealed class ConsoleClient : IDisposable
{
    public const string Prompt = "cosmos> ";
    readonly Socket _socket;
    readonly StringBuilder _text = new();
    readonly Thread _reader;
    readonly ManualResetEventSlim _reading = new(initialState: true);

    /// <summary>Connects to a Unix socket (QEMU), retrying until it exists or <paramref name="timeout"/>.</summary>
    public ConsoleClient(string socketPath, TimeSpan timeout) : this(new UnixDomainSocketEndPoint(socketPath), timeout) { }

    /// <summary>Connects to a TCP port of 127.0.0.1 (Bochs), retrying until it listens or <paramref name="timeout"/>.</summary>
    public ConsoleClient(int tcpPort, TimeSpan timeout) : this(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, tcpPort), timeout) { }

    ConsoleClient(System.Net.EndPoint endPoint, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, endPoint is UnixDomainSocketEndPoint ? ProtocolType.Unspecified : ProtocolType.Tcp);
            try { socket.Connect(endPoint); _socket = socket; break; }
            catch (SocketException) when (DateTime.UtcNow < deadline) { socket.Dispose(); Thread.Sleep(100); }
        }
        _reader = new Thread(Read) { IsBackground = true, Name = "console client" };
        _reader.Start();
    }

    public string Text { get { lock (_text) return _text.ToString(); } }

    void Read()
    {
        var buffer = new byte[4096];
        try
        {
            int n;
            while (_reading.Wait(Timeout.Infinite) && (n = _socket.Receive(buffer)) > 0)
                lock (_text) _text.Append(Encoding.Latin1.GetString(buffer, 0, n).Replace("\r", ""));
        }
        catch (SocketException) { }
        catch (ObjectDisposedException) { }
    }

    /// <summary>Stops taking the guest's output from the socket until the result is disposed (at most one receive that
    /// is under way completes): a host that reads late, as a loaded machine does.</summary>
    public IDisposable HoldReading()
    {
        _reading.Reset();
        return new Release(_reading);
    }

    sealed class Release(ManualResetEventSlim reading) : IDisposable
    {
        public void Dispose() => reading.Set();
    }

    public void Send(ReadOnlySpan<byte> bytes) => _socket.Send(bytes);
    public void Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    /// <summary>Waits until the text since <paramref name="from"/> contains <paramref name="what"/>; returns where it ends.</summary>
    public int WaitFor(string what, int from, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string text = Text;
            int at = text.IndexOf(what, Math.Min(from, text.Length), StringComparison.Ordinal);
            if (at >= 0) return at + what.Length;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no '{what}' within {timeout.TotalSeconds:F0} s; the port said:\n{text[Math.Max(0, text.Length - 3000)..]}");
            Thread.Sleep(20);
        }
    }

    /// <summary>An empty line, then its prompt: the console is there and the line is clean.</summary>
    public void Ready(TimeSpan timeout)
    {
        int mark = Text.Length;
        Send("\r");
        WaitFor("\n" + Prompt, mark, timeout);
    }

    /// <summary>Types a command and returns its answer (the lines between the echoed command and the next prompt).</summary>
    public string Run(string command, TimeSpan timeout) => Run(Encoding.Latin1.GetBytes(command), timeout);

    public string Run(byte[] line, TimeSpan timeout)
    {
        int mark = Text.Length;
        Send([.. line, (byte)'\r']);
        int echoed = WaitFor("\n", mark, timeout);   // the prompt is out already: the echo ends the line
        int end = WaitFor("\n" + Prompt, echoed - 1, timeout);
        return Text[echoed..(end - Prompt.Length)];
    }

    public void Dispose()
    {
        _socket.Dispose();
        _reading.Set();
        _reader.Join(TimeSpan.FromSeconds(5));
        _reading.Dispose();
    }
}
