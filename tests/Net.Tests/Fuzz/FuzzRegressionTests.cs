using CosmosNet.Net.Simulation;
using Xunit;

namespace CosmosNet.Net.Tests.Fuzz;

/// <summary>The fuzzing target run on its seeds and on every crasher `make fuzz` ever found.</summary>
public class FuzzRegressionTests
{
    [Fact]
    public void EveryRecordedCrasherNowRunsCleanly()
    {
        var dir = Path.Combine(CosmosNet.Harness.Repository.Root, "tests", "Net.Tests", "Fuzz", "crashers");
        var failures = new List<string>();
        foreach (var file in Directory.GetFiles(dir, "*.bin").Order())
        {
            try { StackFuzzTarget.Run(File.ReadAllBytes(file)); }
            catch (Exception e) { failures.Add($"{Path.GetFileName(file)}: {e}"); }
        }
        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    [Theory]
    [InlineData("udp", "UdpDelivered=1")]
    [InlineData("icmp-echo", "IcmpEchoRepliesSent=1")]
    [InlineData("ip-fragments", "IpReassembled=1")]
    [InlineData("arp-request", "ArpRepliesSent=2")]
    [InlineData("tcp-syn", "rst-in 1")]   // B's SYN-ACK reaches A, which never sent that SYN: A resets it
    [InlineData("tcp-rst", "rst-in 1")]   // an in-window RST from A's live connection is accepted
    [InlineData("tcp-ooo-sack", "ooo 1/0")]
    [InlineData("tcp-options", "paws 1")]  // TSval 1 is older than the connection's TS.Recent: PAWS drops it
    public void SeedsReachTheCodeTheyAreMeantFor(string seed, string expectedCounter)
    {
        var input = StackFuzzSeeds.All().Single(s => s.Name == seed).Input;
        var report = StackFuzzTarget.Run(input);
        Assert.Contains(expectedCounter, report);
        Assert.DoesNotContain("badsum 1", report); // the harness's checksum fix-up worked
    }

    [Fact]
    public void MalformedRecordsAreHarmless()
    {
        var rng = new SeededRandom(99);
        for (int i = 0; i < 200; i++)
        {
            var input = new byte[1 + rng.NextInt32(300)];
            rng.Fill(input);
            StackFuzzTarget.Run(input);
        }
    }
}
