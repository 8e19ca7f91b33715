using System.Diagnostics;
using System.Text.Json;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Hostile.Tests;

/// <summary>
/// Issue 14, transfers under a bad link: Apps/HttpServer's echo port carries data both ways, SHA-256 checked, over a link
/// that loses 5%, reorders 25%, duplicates 1% and corrupts 0.1% of the frames each way with 5 ± 2 ms of delay, for 10
/// seeds. This kernel has no sch_netem, so the impairment is hostile.py's relay between QEMU's datagram netdev and a TAP
/// device in the namespace. The size per seed is HOSTILE_TRANSFER_MIB (default 1 MiB in make test, to bound the wall
/// time under TCG; the 64 MiB: HOSTILE_TRANSFER_MIB=64 dotnet test tests/Hostile.Tests --filter Impaired).
/// </summary>
[Collection("hostile")]
public sealed class ImpairedTransferTests(ITestOutputHelper log)
{
    const string LinuxAddress = "10.79.1.1", GuestAddress = "10.79.1.2";
    const int GuestPort = 41000, RelayPort = 41001;
    static int Mib => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_TRANSFER_MIB"), out int m) && m > 0 ? m : 1;

    [Fact]
    public void Echo_both_ways_under_loss_reordering_duplication_corruption_and_delay_for_10_seeds()
    {
        string id = $"{Environment.ProcessId % 100000}";
        using var ns = new NetworkNamespace($"hstimp{id}");
        string tap = $"hsti{id}";
        ns.AddTap(tap, $"{LinuxAddress}/24");
        var script = Path.Combine(AppContext.BaseDirectory, "hostile.py");
        Process? relay = StartRelay(ns, script, tap, seed: 1);
        try
        {
            using var guest = Qemu.Start(new QemuOptions
            {
                Kernel = Image.Build("Apps/HttpServer", Image.TestDirectory("httpserver")), Nic = Nic.E1000,
                Append = $"ip={GuestAddress}/24 gw={LinuxAddress}", Network = new DatagramNetwork(GuestPort, RelayPort, ns.Name),
            }, TimeSpan.FromMinutes(25));
            guest.WaitForLine("http: listening", TimeSpan.FromSeconds(120));
            for (int seed = 1; seed <= 10; seed++)
            {
                if (seed > 1) { StopRelay(relay); relay = StartRelay(ns, script, tap, seed); }
                var r = ns.Exec(TimeSpan.FromMinutes(10), "/usr/bin/python3", script, "transfer", GuestAddress, "7", $"{Mib << 20}");
                Assert.True(r.ExitCode == 0, $"seed {seed}: transfer failed ({r.ExitCode}): {r.Output}\n{guest.Tail()}");
                var result = JsonDocument.Parse(r.Output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
                log.WriteLine($"seed {seed}: {result}");
                Assert.Equal(Mib << 20, result.GetProperty("received").GetInt64());
                Assert.Equal(result.GetProperty("sent_sha256").GetString(), result.GetProperty("received_sha256").GetString());
                Assert.DoesNotContain("PANIC", guest.Output);
            }
        }
        finally { StopRelay(relay); }
    }

    static Process StartRelay(NetworkNamespace ns, string script, string tap, int seed)
    {
        var p = Process.Start(new ProcessStartInfo("ip", ["netns", "exec", ns.Name, "/usr/bin/python3", script, "relay", tap, $"{GuestPort}", $"{RelayPort}", $"{seed}"])
        { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var ready = p.StandardOutput.ReadLineAsync();
        if (!ready.Wait(TimeSpan.FromSeconds(60)) || ready.Result != "relay ready")
        {
            StopRelay(p);
            throw new InvalidOperationException($"the relay did not start: {ready.Result} {p.StandardError.ReadToEnd()}");
        }
        return p;
    }

    static void StopRelay(Process? p)
    {
        if (p is null || p.HasExited) return;
        Process.Start("kill", ["-TERM", $"{p.Id}"])!.WaitForExit();   // SIGTERM: the relay prints its counters and exits
        if (!p.WaitForExit(5000)) p.Kill(entireProcessTree: true);
        p.Dispose();
    }
}
