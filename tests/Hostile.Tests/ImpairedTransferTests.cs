using System.Diagnostics;
using System.Text.Json;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Hostile.Tests;

/// <summary>
/// Issue 14, transfers under a bad link: Apps/HttpServer's echo port carries data both ways, SHA-256 checked, over a link
/// that loses 5%, reorders 25%, duplicates 1% and corrupts 0.1% of the frames each way with 5 ± 2 ms of delay. This
/// kernel has no sch_netem, so the impairment is hostile.py's relay between QEMU's datagram netdev and a TAP device in the
/// namespace. make test runs 3 seeds of 1 MiB each way (bounded time under TCG); the 10 seeds of 64 MiB run with
/// HOSTILE_FULL=1 (make test-hostile). HOSTILE_TRANSFER_MIB and HOSTILE_TRANSFER_SEEDS override either.
/// </summary>
[Collection("hostile")]
public sealed class ImpairedTransferTests(ITestOutputHelper log)
{
    const string LinuxAddress = "10.79.1.1", GuestAddress = "10.79.1.2";
    const int GuestPort = 41000, RelayPort = 41001;
    static int Mib => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_TRANSFER_MIB"), out int m) && m > 0 ? m : HostileGuest.Full ? 64 : 1;
    static int Seeds => int.TryParse(Environment.GetEnvironmentVariable("HOSTILE_TRANSFER_SEEDS"), out int n) && n > 0 ? n : HostileGuest.Full ? 10 : 3;

    [Fact]
    public void Echo_both_ways_under_loss_reordering_duplication_corruption_and_delay()
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
            }, TimeSpan.FromMinutes(HostileGuest.Full ? 90 : 25));   // 64 MiB each way takes ~4 min per seed under TCG
            guest.WaitForLine("http: listening", TimeSpan.FromSeconds(120));
            for (int seed = 1; seed <= Seeds; seed++)
            {
                if (seed > 1) { AssertImpaired(StopRelay(relay), seed - 1); relay = StartRelay(ns, script, tap, seed); }
                var r = ns.Exec(TimeSpan.FromMinutes(10), "/usr/bin/python3", script, "transfer", GuestAddress, "7", $"{Mib << 20}", $"{seed}");
                Assert.True(r.ExitCode == 0, $"seed {seed}: transfer failed ({r.ExitCode}): {r.Output}\n{guest.Tail()}");
                var result = JsonDocument.Parse(r.Output.Split('\n').Last(l => l.StartsWith('{'))).RootElement;
                log.WriteLine($"seed {seed}, {Mib} MiB each way: {result}");
                Assert.Equal(Mib << 20, result.GetProperty("received").GetInt64());
                Assert.Equal(result.GetProperty("sent_sha256").GetString(), result.GetProperty("received_sha256").GetString());
                Assert.DoesNotContain("PANIC", guest.Output);
            }
            AssertImpaired(StopRelay(relay), Seeds);
            relay = null;
        }
        finally { StopRelay(relay); }
    }

    /// <summary>The relay really impaired the link: it lost, reordered and duplicated frames.</summary>
    void AssertImpaired(string counters, int seed)
    {
        log.WriteLine($"relay, seed {seed}: {counters}");
        var c = JsonDocument.Parse(counters).RootElement;
        Assert.True(c.GetProperty("lost").GetInt32() > 0 && c.GetProperty("reordered").GetInt32() > 0, $"seed {seed}: the link was not impaired: {counters}");
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

    /// <summary>Stops the relay; returns the JSON line of its counters ("{}" when it printed none).</summary>
    static string StopRelay(Process? p)
    {
        if (p is null) return "{}";
        if (!p.HasExited) Process.Start("kill", ["-TERM", $"{p.Id}"])!.WaitForExit();   // SIGTERM: the relay prints its counters and exits
        if (!p.WaitForExit(5000)) p.Kill(entireProcessTree: true);
        string counters = p.StandardOutput.ReadToEnd().Split('\n').LastOrDefault(l => l.StartsWith('{')) ?? "{}";
        p.Dispose();
        return counters;
    }
}
