using System.Diagnostics;
using System.Text;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

/// <summary>
/// The same image on a TAP device inside a fresh network namespace, so Linux talks to the guest directly (no
/// QEMU NAT in between): static address from the kernel command line, ping and curl from the namespace.
/// Needs root (network namespaces, /dev/net/tun). The guest and the namespace are removed however the test ends.
/// </summary>
[Collection("guests")]
public sealed class TapTests(ITestOutputHelper log)
{
    const string Tap = "cnetq0", LinuxAddress = "10.78.0.1", GuestAddress = "10.78.0.2";
    static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public void Linux_pings_and_curls_the_guest_over_a_tap_device()
    {
        string elf = ServerGuest.Elf;
        string ns = $"cnetq{Environment.ProcessId}";
        Must("ip", "netns", "add", ns);
        Process? qemu = null;
        var serial = new StringBuilder();
        try
        {
            Must("ip", "-n", ns, "link", "set", "lo", "up");
            Must("ip", "-n", ns, "tuntap", "add", "dev", Tap, "mode", "tap");
            Must("ip", "-n", ns, "addr", "add", $"{LinuxAddress}/24", "dev", Tap);
            Must("ip", "-n", ns, "link", "set", Tap, "up");

            var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
            foreach (var a in new[] { "netns", "exec", ns, "qemu-system-x86_64", "-accel", "tcg", "-m", "256M", "-kernel", elf,
                "-append", $"ip={GuestAddress}/24 gw={LinuxAddress}", "-serial", "stdio", "-display", "none", "-no-reboot", "-monitor", "none",
                "-netdev", $"tap,id=n0,ifname={Tap},script=no,downscript=no", "-device", "e1000,netdev=n0" })
                info.ArgumentList.Add(a);
            qemu = new Process { StartInfo = info };
            qemu.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (serial) serial.AppendLine(e.Data); };
            qemu.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (serial) serial.AppendLine(e.Data); };
            qemu.Start();
            qemu.BeginOutputReadLine();
            qemu.BeginErrorReadLine();
            var watch = Stopwatch.StartNew();
            while (!Text(serial).Contains("http: listening"))
            {
                Assert.False(qemu.HasExited || watch.Elapsed > Timeout, $"guest did not start:\n{Text(serial)}");
                Thread.Sleep(20);
            }
            Assert.Contains($"static address {GuestAddress}/24 gw {LinuxAddress}", Text(serial));

            var ping = ServerGuest.RunToEnd("ip", ["netns", "exec", ns, "ping", "-c", "3", "-i", "0.2", "-W", "5", GuestAddress], "/", Timeout);
            log.WriteLine(ping.Output);
            Assert.True(ping.ExitCode == 0, ping.Output);
            Assert.Contains("3 received", ping.Output);

            var curl = ServerGuest.RunToEnd("ip", ["netns", "exec", ns, "curl", "-s", "-m", "20", $"http://{GuestAddress}/"], "/", Timeout);
            Assert.True(curl.ExitCode == 0, curl.Output);
            Assert.Contains("<h1>Hello from CosmosNet</h1>", curl.Output);

            // Frames larger than the guest's MTU (a 4 KiB ICMP with DF from a 9000-byte-MTU link) are dropped
            // below the stack, unanswered; the guest keeps serving.
            Must("ip", "-n", ns, "link", "set", Tap, "mtu", "9000");
            var jumbo = ServerGuest.RunToEnd("ip", ["netns", "exec", ns, "ping", "-c", "2", "-i", "0.2", "-W", "1", "-s", "4000", "-M", "do", GuestAddress], "/", Timeout);
            Assert.Contains("0 received", jumbo.Output);
            Must("ip", "-n", ns, "link", "set", Tap, "mtu", "1500");

            var echo = ServerGuest.RunToEnd("ip", ["netns", "exec", ns, "curl", "-s", "-m", "20", "--data-binary", "over the tap", $"http://{GuestAddress}/"], "/", Timeout);   // POST / echoes the body
            Assert.Equal("over the tap", echo.Output);
        }
        finally
        {
            try { if (qemu is { HasExited: false }) { qemu.Kill(entireProcessTree: true); qemu.WaitForExit(5000); } } catch (InvalidOperationException) { }
            qemu?.Dispose();
            ServerGuest.RunToEnd("ip", ["netns", "del", ns], "/", TimeSpan.FromSeconds(10));
        }
    }

    static string Text(StringBuilder b) { lock (b) return b.ToString(); }

    static void Must(params string[] command)
    {
        var r = ServerGuest.RunToEnd(command[0], command[1..], "/", TimeSpan.FromSeconds(10));
        Assert.True(r.ExitCode == 0, $"{string.Join(' ', command)} failed ({r.ExitCode}): {r.Output} (needs root and /dev/net/tun)");
    }
}
