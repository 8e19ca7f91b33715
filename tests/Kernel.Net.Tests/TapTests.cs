using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// The same image on a TAP device inside a fresh network namespace, so Linux talks to the guest directly (no
/// QEMU NAT in between): static address from the kernel command line, ping and curl from the namespace.
/// Once per NIC, with 20 parallel connections and 64 MiB through the echo port; virtio-net with the checksum offload
/// a TAP backend offers (CSUM/GUEST_CSUM) and without it. Needs root (network namespaces, /dev/net/tun). The guest and
/// the namespace are removed however the test ends.
/// </summary>
[Collection("guests")]
public sealed class TapTests(ITestOutputHelper log)
{
    const string Tap = "cnetq0", LinuxAddress = "10.78.0.1", GuestAddress = "10.78.0.2";
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(Nic.E1000)]
    [InlineData(Nic.Virtio)]
    [InlineData(Nic.E1000e)]
    [InlineData(Nic.Rtl8139)]
    [InlineData(Nic.Vmxnet3)]
    public void Linux_pings_and_curls_the_guest_over_a_tap_device(Nic nic)
    {
        using var ns = new NetworkNamespace($"cnetq{Environment.ProcessId}");
        using var guest = BootOnTap(ns, nic);

        var ping = ns.Exec(Timeout, "ping", "-c", "3", "-i", "0.2", "-W", "5", GuestAddress);
        log.WriteLine(ping.Output);
        Assert.True(ping.ExitCode == 0, ping.Output);
        Assert.Contains("3 received", ping.Output);

        var curl = ns.Exec(Timeout, "curl", "-s", "-m", "20", $"http://{GuestAddress}/");
        Assert.True(curl.ExitCode == 0, curl.Output);
        Assert.Contains("<h1>Hello from CosmosNet</h1>", curl.Output);

        // Frames larger than the guest's MTU (a 4 KiB ICMP with DF from a 9000-byte-MTU link) are dropped
        // below the stack, unanswered; the guest keeps serving.
        ns.Ip("link", "set", Tap, "mtu", "9000");
        var jumbo = ns.Exec(Timeout, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-s", "4000", "-M", "do", GuestAddress);
        Assert.Contains("0 received", jumbo.Output);
        ns.Ip("link", "set", Tap, "mtu", "1500");

        var echo = ns.Exec(Timeout, "curl", "-s", "-m", "20", "--data-binary", "over the tap", $"http://{GuestAddress}/");   // POST / echoes the body
        Assert.Equal("over the tap", echo.Output);

        // 20 connections at once, straight to the guest (no QEMU NAT and its listen backlog of 1 in between).
        var parallel = ns.Exec(Timeout, "sh", "-c",
            $"for i in $(seq 20); do curl -s -m 30 -o /dev/null -w '%{{http_code}}\\n' http://{GuestAddress}/ & done; wait");
        Assert.Equal(Enumerable.Repeat("200", 20), parallel.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Theory]
    [InlineData(Nic.E1000, null)]
    [InlineData(Nic.Virtio, null)]   // TAP offers CSUM/GUEST_CSUM: partial checksums both ways
    [InlineData(Nic.Virtio, "csum=off,guest_csum=off")]   // every checksum computed and verified by the stack
    [InlineData(Nic.E1000e, null)]
    [InlineData(Nic.Rtl8139, null)]
    [InlineData(Nic.Vmxnet3, null)]
    public void Echo_port_carries_64_MiB_each_way_over_a_tap_device(Nic nic, string? properties)
    {
        using var ns = new NetworkNamespace($"cnetq{Environment.ProcessId}");
        using var guest = BootOnTap(ns, nic, properties);
        if (nic == Nic.Virtio)
        {
            string features = guest.Output.Split('\n').First(l => l.StartsWith("virtio-net: features", StringComparison.Ordinal));
            log.WriteLine(features);
            Assert.Equal(properties is null, features.Contains(" CSUM GUEST_CSUM", StringComparison.Ordinal));
        }
        var (sent, received, seconds) = EchoInNamespace(ns.Name, GuestAddress, 7, 64 << 20);
        log.WriteLine($"{nic}: 64 MiB through echo in {seconds:F1} s, {64 * 1.048576 / seconds:F2} MB/s each way");
        Assert.Equal(sent, received);
        Assert.DoesNotContain("PANIC", guest.Output);
    }

    /// <summary>The server image on a TAP device of the namespace, static address, serving.</summary>
    static Guest BootOnTap(NetworkNamespace ns, Nic nic, string? nicProperties = null)
    {
        var tap = ns.AddTap(Tap, $"{LinuxAddress}/24");
        var guest = Qemu.Start(new QemuOptions
            {
                Kernel = ServerGuest.Elf, Nic = nic, NicProperties = nicProperties, Append = $"ip={GuestAddress}/24 gw={LinuxAddress}", Network = tap,
            },
            TimeSpan.FromMinutes(5));
        try
        {
            guest.WaitForLine("http: listening", Timeout);
            Assert.Contains($"static address {GuestAddress}/24 gw {LinuxAddress}", guest.Output);
            return guest;
        }
        catch { guest.Dispose(); throw; }
    }

    /// <summary>Sends <paramref name="bytes"/> of random data to an echo port inside the namespace while reading the
    /// echo; returns the SHA-256 of both sides. The socket is made on a thread that joined the namespace (a socket
    /// stays in the namespace it was created in).</summary>
    static (string Sent, string Received, double Seconds) EchoInNamespace(string ns, string address, int port, int bytes)
    {
        Socket? socket = null;
        var join = new Thread(() =>
        {
            using var handle = File.OpenHandle($"/var/run/netns/{ns}");
            if (setns((int)handle.DangerousGetHandle(), CloneNewNet) != 0) throw new InvalidOperationException($"setns: errno {Marshal.GetLastPInvokeError()}");
            socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        });
        join.Start();
        join.Join();
        using var s = socket!;
        s.ReceiveTimeout = s.SendTimeout = (int)Timeout.TotalMilliseconds;
        s.Connect(IPAddress.Parse(address), port);
        var watch = Stopwatch.StartNew();
        using var sentHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var sender = Task.Run(() =>
        {
            var chunk = new byte[1 << 20];
            for (int done = 0; done < bytes; done += chunk.Length)
            {
                RandomNumberGenerator.Fill(chunk);
                sentHash.AppendData(chunk);
                s.Send(chunk);
            }
            s.Shutdown(SocketShutdown.Send);
        });
        using var receivedHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        int n;
        while ((n = s.Receive(buffer)) > 0) receivedHash.AppendData(buffer, 0, n);
        sender.Wait();
        return (Convert.ToHexString(sentHash.GetHashAndReset()), Convert.ToHexString(receivedHash.GetHashAndReset()), watch.Elapsed.TotalSeconds);
    }

    const int CloneNewNet = 0x4000_0000;
    [DllImport("libc", SetLastError = true)] static extern int setns(int fd, int nstype);
}
