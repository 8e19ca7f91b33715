using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// How many concurrent connections Apps/HttpServer holds in little memory (issue 14): the image on a TAP device in a
/// namespace of the test's own, thousands of keep-alive connections opened from Linux, each answered once and then left
/// idle; then requests on new and on old connections must still be answered, and after all are closed the guest still
/// serves. Counts: COSMOS_CAPACITY_CONNECTIONS (default 3,000 for make test under TCG; 10,000 was measured by hand) and
/// COSMOS_CAPACITY_MIB (default 128). Needs root.
/// </summary>
[Collection("guests")]
public sealed class CapacityTests(ITestOutputHelper log)
{
    const string LinuxAddress = "10.79.0.1", GuestAddress = "10.79.0.2";
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    static readonly byte[] Get = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\nHost: guest\r\n\r\n");

    static int Setting(string name, int fallback) => int.TryParse(Environment.GetEnvironmentVariable(name), out int v) ? v : fallback;

    [Fact]
    public void Thousands_of_idle_keep_alive_connections_fit_and_are_still_served()
    {
        int count = Setting("COSMOS_CAPACITY_CONNECTIONS", 3000), memory = Setting("COSMOS_CAPACITY_MIB", 128);
        RaiseFileLimit(count + 1000);
        using var ns = new NetworkNamespace($"cnrm{Environment.ProcessId}");
        var tap = ns.AddTap($"cnrm{Environment.ProcessId % 10000}", $"{LinuxAddress}/24");
        using var guest = Qemu.Start(new QemuOptions
        {
            Kernel = ServerGuest.Elf, Nic = Nic.E1000, MemoryMiB = memory, Append = $"ip={GuestAddress}/24 gw={LinuxAddress}", Network = tap,
        }, TimeSpan.FromMinutes(20));
        guest.WaitForLine("http: listening", Timeout);

        var sockets = new List<Socket>(count);
        var watch = Stopwatch.StartNew();
        try
        {
            InNamespace(ns.Name, () =>
            {
                for (int i = 0; i < count; i++)
                {
                    var s = Connect();
                    sockets.Add(s);
                    Assert.Equal(200, Request(s));
                    if ((i + 1) % 1000 == 0) log.WriteLine($"{i + 1} connections open after {watch.Elapsed.TotalSeconds:F0} s");
                }
                log.WriteLine($"{count} keep-alive connections open and idle at {memory} MiB after {watch.Elapsed.TotalSeconds:F0} s");

                // New connections and old idle ones are still served.
                for (int i = 0; i < 5; i++)
                {
                    using var fresh = Connect();
                    Assert.Equal(200, Request(fresh));
                }
                for (int i = 0; i < count; i += Math.Max(count / 20, 1)) Assert.Equal(200, Request(sockets[i]));
            });
            Assert.False(guest.HasExited, guest.Output);
        }
        finally
        {
            foreach (var s in sockets) s.Dispose();
        }

        // All closed: the guest serves as before.
        Thread.Sleep(2000);
        InNamespace(ns.Name, () =>
        {
            using var after = Connect();
            Assert.Equal(200, Request(after));
        });
        Assert.DoesNotContain("PANIC", guest.Output);
        log.WriteLine(string.Join('\n', guest.Output.Split('\n').TakeLast(5)));
    }

    static Socket Connect()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.ReceiveTimeout = s.SendTimeout = (int)Timeout.TotalMilliseconds;
        s.Connect(IPAddress.Parse(GuestAddress), 80);
        return s;
    }

    /// <summary>GET / on a keep-alive connection: the status, after reading the whole response (Content-Length).</summary>
    static int Request(Socket s)
    {
        s.Send(Get);
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n"))
        {
            if (s.Receive(one) == 0) return 0;
            head.Append((char)one[0]);
        }
        var text = head.ToString();
        int status = int.Parse(text.AsSpan(9, 3));
        int length = 0;
        foreach (var line in text.Split("\r\n"))
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = int.Parse(line.AsSpan(15).Trim());
        var body = new byte[length];
        for (int got = 0; got < length;)
        {
            int n = s.Receive(body, got, length - got, SocketFlags.None);
            if (n == 0) return 0;
            got += n;
        }
        return status;
    }

    /// <summary>Runs <paramref name="action"/> on a thread that joined the namespace (sockets stay in the namespace they were made in).</summary>
    static void InNamespace(string ns, Action action)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var handle = File.OpenHandle($"/var/run/netns/{ns}");
                if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0) throw new InvalidOperationException($"setns: errno {Marshal.GetLastPInvokeError()}");
                action();
            }
            catch (Exception e) { failure = e; }
        });
        thread.Start();
        thread.Join();
        if (failure is not null) throw new AggregateException(failure);
    }

    static void RaiseFileLimit(int wanted)
    {
        var limit = new RLimit();
        if (getrlimit(RlimitNoFile, ref limit) != 0 || limit.Current >= (ulong)wanted) return;
        limit.Current = Math.Min(Math.Max((ulong)wanted, limit.Current), limit.Maximum);
        setrlimit(RlimitNoFile, ref limit);
    }

    struct RLimit { public ulong Current, Maximum; }
    const int CloneNewNet = 0x4000_0000, RlimitNoFile = 7;
    [DllImport("libc", SetLastError = true)] static extern int setns(int fd, int nstype);
    [DllImport("libc", SetLastError = true)] static extern int getrlimit(int resource, ref RLimit limit);
    [DllImport("libc", SetLastError = true)] static extern int setrlimit(int resource, ref RLimit limit);
}
