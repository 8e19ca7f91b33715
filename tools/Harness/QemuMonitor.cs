using System.Net.Sockets;
using System.Text;

namespace CosmosNet.Harness;

/// <summary>A client of QEMU's human monitor on the Unix socket of <see cref="QemuOptions.MonitorSocket"/>: one
/// command at a time, its output returned once QEMU shows the prompt again.</summary>
public sealed class QemuMonitor : IDisposable
{
    const string Prompt = "(qemu) ";
    readonly Socket _socket;
    readonly StringBuilder _pending = new();

    QemuMonitor(Socket socket) => _socket = socket;

    /// <summary>Connects (retrying while QEMU has not yet made the socket) and reads the greeting.</summary>
    public static QemuMonitor Connect(string socketPath, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                socket.Connect(new UnixDomainSocketEndPoint(socketPath));
                var monitor = new QemuMonitor(socket);
                monitor.ReadToPrompt(deadline - DateTime.UtcNow);
                return monitor;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                socket.Dispose();
                Thread.Sleep(50);
            }
        }
    }

    /// <summary>Runs one command (e.g. <c>stop</c>, <c>pmemsave 0x1000 4096 "/tmp/x"</c>) and returns what QEMU
    /// printed for it, without the echoed command line.</summary>
    public string Run(string command, TimeSpan? timeout = null)
    {
        _socket.Send(Encoding.ASCII.GetBytes(command + "\n"));
        string output = ReadToPrompt(timeout ?? TimeSpan.FromSeconds(30));
        int firstLine = output.IndexOf('\n');
        return (firstLine < 0 ? "" : output[(firstLine + 1)..]).Replace("\r", "").Trim();
    }

    /// <summary>Copies guest physical memory into a host file and returns its bytes.</summary>
    public byte[] ReadPhysical(ulong address, ulong length, string scratchFile)
    {
        File.Delete(scratchFile);
        string error = Run($"pmemsave 0x{address:x} {length} \"{scratchFile}\"", TimeSpan.FromMinutes(2));
        if (error.Length > 0 || !File.Exists(scratchFile)) throw new InvalidOperationException($"pmemsave: {error}");
        byte[] bytes = File.ReadAllBytes(scratchFile);
        File.Delete(scratchFile);
        return bytes;
    }

    string ReadToPrompt(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        var buffer = new byte[64 * 1024];
        while (true)
        {
            string text = _pending.ToString();
            int at = text.IndexOf(Prompt, StringComparison.Ordinal);
            if (at >= 0)
            {
                _pending.Clear().Append(text[(at + Prompt.Length)..]);
                return StripEscapes(text[..at]);
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) throw new TimeoutException($"QEMU monitor: no prompt within {timeout.TotalSeconds:F0} s");
            _socket.ReceiveTimeout = Math.Max(1, (int)left.TotalMilliseconds);
            int n = _socket.Receive(buffer);
            if (n == 0) throw new IOException("QEMU monitor: the connection closed");
            _pending.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
    }

    /// <summary>The monitor's line editor writes terminal escape sequences around the echo.</summary>
    static string StripEscapes(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\x1b\[[0-9;]*[A-Za-z]", "");

    public void Dispose() => _socket.Dispose();
}
