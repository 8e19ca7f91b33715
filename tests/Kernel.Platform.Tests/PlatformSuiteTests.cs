using CosmosNet.Harness.Testing;
using CosmosNet.KernelTests;
using Xunit;

namespace CosmosNet.Kernel.Tests;

/// <summary>The Platform kernel (tests/kernels/Platform): built once, booted once in QEMU (TCG); the harness
/// time-stamps every serial line, so the kernel clock can be compared with the host's.</summary>
public sealed class PlatformKernel() : KernelFixture("Platform", qemuTimeout: TimeSpan.FromSeconds(600), bochsTimeout: TimeSpan.FromSeconds(480));

public sealed class PlatformSuiteTests(PlatformKernel kernel) : IClassFixture<PlatformKernel>
{
    public static TheoryData<string> Tests => new(PlatformSuite.Tests.Select(t => t.Name));

    [Theory, MemberData(nameof(Tests))]
    public void Qemu(string test)
    {
        kernel.Qemu.AssertPassed(test);
    }

    [Fact]
    public void Qemu_RunsTheWholeSuiteAndShutsDownCleanly()
    {
        kernel.Qemu.AssertRanToCleanShutdown(PlatformSuite.Tests.Length);
    }

    /// <summary>The whole suite once more on Bochs (its clock follows the instruction count, not the host).</summary>
    [Fact]
    public void Bochs_RunsTheWholeSuite()
    {
        kernel.Bochs.AssertAllPassed(PlatformSuite.Tests.Select(t => t.Name), "Bochs");
    }

    /// <summary>The guest prints "CLOCKMARK n ms" twice, 5 s apart by its own clock; the host's clock
    /// between the two lines' arrival must agree within 5% (serial latency is small against 5 s).</summary>
    [Fact]
    public void KernelClock_AgreesWithHostClock()
    {
        var marks = kernel.Qemu.Run.Serial.Where(l => l.Text.StartsWith("CLOCKMARK ", StringComparison.Ordinal))
            .Select(l => (l.At, Ms: long.Parse(l.Text.Split(' ')[2]))).ToList();
        Assert.True(marks.Count == 2, "expected two CLOCKMARK lines:\n" + kernel.Qemu.Run.Tail());
        double guestMs = marks[1].Ms - marks[0].Ms, hostMs = (marks[1].At - marks[0].At).TotalMilliseconds;
        Assert.InRange(guestMs, 5000, 6000);
        Assert.InRange(hostMs / guestMs, 0.95, 1.05);
    }
}
