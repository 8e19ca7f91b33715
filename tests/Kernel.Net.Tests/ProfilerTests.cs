using CosmosNet.Harness;
using CosmosNet.Harness.Profiling;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Kernel.Net.Tests;

[Collection("guests")] // one QEMU at a time on the 2-core machine
/// <summary>The guest profiler end to end (what `make profile` does): Apps/HttpServer booted with profile=997 serves
/// wrk for a few seconds; the samples read out of guest memory are many, symbolize to the server's real methods with
/// whole stacks down to Main, cross interrupt frames, and the counters saw the NIC's registers and interrupts.</summary>
public sealed class ProfilerTests(ITestOutputHelper log)
{
    [Fact]
    public void Profile_of_the_server_under_load_names_its_methods_down_to_main()
    {
        const int Seconds = 3, Hz = 997;
        var result = ProfileSession.Run(new ProfileOptions
        {
            Kernel = ServerGuest.Elf, Nic = Nic.E1000, Hz = Hz, Seconds = Seconds, MemoryMiB = 256,
            Load = "wrk -t1 -c4 -d{seconds}s {url}", BootTimeout = TimeSpan.FromMinutes(3),
        }, log.WriteLine);
        log.WriteLine(result.Report(10));

        Assert.True(result.Requests > 0, "wrk reported no requests:\n" + result.LoadOutput);
        // The PIT runs on host time: a loaded host delays samples, it does not lose most of them.
        Assert.True(result.Samples.Count >= Hz * Seconds / 4, $"only {result.Samples.Count} samples in {result.Window.TotalSeconds:F1} s");
        Assert.Equal(0UL, result.End.Dropped);

        var stacks = result.Samples.Select(s => result.Symbols.Symbolize(s.Frames)).ToList();
        Assert.All(stacks, s => Assert.DoesNotContain(s, name => name.StartsWith("0x", StringComparison.Ordinal)));   // every address is in a symbol
        var busy = stacks.Where(s => s[^1] != "cosmos_wait_for_interrupt").ToList();
        Assert.NotEmpty(busy);
        // Whole stacks: most busy samples reach the network loop and Main through the rbp chain.
        int rooted = busy.Count(s => s.Contains("CosmosNet.Host.NetworkHost.Run") && s.Contains("Program.Main"));
        Assert.True(rooted * 2 > busy.Count, $"only {rooted} of {busy.Count} busy stacks reach NetworkHost.Run and Main");
        // The stack and the driver at work, by their readable names.
        Assert.Contains(busy, s => s.Any(n => n.StartsWith("CosmosNet.Net.Tcp.", StringComparison.Ordinal)));
        Assert.Contains(busy, s => s.Any(n => n.StartsWith("CosmosNet.Drivers.Net.E1000.", StringComparison.Ordinal) || n.StartsWith("CosmosNet.Drivers.Net.IntelLegacyRings.", StringComparison.Ordinal)));
        // NMIs land inside interrupt handlers too, and the walk goes on into the interrupted code.
        Assert.Contains(stacks, s => s.Contains("[interrupt]") && s.ToList().IndexOf("[interrupt]") > s.ToList().IndexOf("Program.Main"));

        var c = result.Counters;
        // Doorbells are counted (one per loop pass since transmit batching: fewer than one per request under wrk -c16).
        Assert.True(c.MmioWrites > 0 && result.Requests > 0, $"{c.MmioWrites} MMIO writes for {result.Requests} requests");
        Assert.True(c.Vectors.Skip(0x30).Take(0xF0 - 0x30).Any(v => v > 0), "no device interrupt counted");
    }
}
