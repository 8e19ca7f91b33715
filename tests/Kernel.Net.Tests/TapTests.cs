using CosmosNet.Harness;
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
        using var ns = new NetworkNamespace($"cnetq{Environment.ProcessId}");
        var tap = ns.AddTap(Tap, $"{LinuxAddress}/24");
        using var guest = Qemu.Start(new QemuOptions { Kernel = elf, Append = $"ip={GuestAddress}/24 gw={LinuxAddress}", Network = tap },
            TimeSpan.FromMinutes(5));
        guest.WaitForLine("http: listening", Timeout);
        Assert.Contains($"static address {GuestAddress}/24 gw {LinuxAddress}", guest.Output);

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
    }
}
