using CosmosNet.Harness.Testing;
using CosmosNet.KernelTests;
using Xunit;

namespace CosmosNet.Kernel.Tests;

public sealed class LanguageKernel() : KernelFixture("Language");

/// <summary>The Language test kernel (tests/kernels/Language): every kernel test as its own xunit test, on
/// QEMU (TCG), plus one Bochs boot of the whole suite and the ways a kernel ends (exit codes, panics).</summary>
public sealed class LanguageSuiteTests(LanguageKernel kernel) : IClassFixture<LanguageKernel>
{
    public static TheoryData<string> Tests => new(LanguageSuite.Tests.Select(t => t.Name));

    [Theory, MemberData(nameof(Tests))]
    public void Qemu(string test)
    {
        kernel.Qemu.AssertPassed(test);
    }

    /// <summary>The same test on the host's .NET: proves the expected values themselves.</summary>
    [Theory, MemberData(nameof(Tests))]
    public void HostReference(string test)
    {
        var check = new Check();
        LanguageSuite.Tests.Single(t => t.Name == test).Run(check);
        Assert.True(check.Failure is null, check.Failure);
    }

    [Fact]
    public void Qemu_RunsTheWholeSuiteAndShutsDownCleanly()
    {
        kernel.Qemu.AssertRanToCleanShutdown(LanguageSuite.Tests.Length);
    }

    [Fact]
    public void Bochs_RunsTheWholeSuite()
    {
        kernel.Bochs.AssertAllPassed(LanguageSuite.Tests.Select(t => t.Name), "Bochs");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GrubIso_BootsOnBiosAndUefi(bool uefi)
    {
        var result = new KernelSuiteResult(kernel.BootIso(uefi, TimeSpan.FromSeconds(180)));
        Assert.True(result.Done, result.Run.Tail());
        Assert.Equal(LanguageSuite.Tests.Length, result.Outcomes.Count(o => o.Value is null));
        Assert.Contains("CosmosNet: Main returned 0", result.Run.Output);
        Assert.Equal(0, result.Run.ExitCode);
    }

    [Fact]
    public void UnhandledException_PanicsNamingTypeAndMessage()
    {
        var run = kernel.Boot("--throw");
        Assert.Contains("PANIC: ", run.Output);
        Assert.Contains("InvalidOperationException", run.Output);
        Assert.Contains("thrown by the test kernel", run.Output);
        Assert.Contains("rip=", run.Output);
        Assert.Equal(3, run.ExitCode);
    }

    [Fact]
    public void NullDereference_Panics()
    {
        var run = kernel.Boot("--null");
        Assert.Contains("PANIC: ", run.Output);
        Assert.Contains("null", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("rip=", run.Output);
        Assert.Equal(3, run.ExitCode);
    }

    [Fact]
    public void NonZeroExitCode_IsReportedAndFailsTheRun()
    {
        var run = kernel.Boot("--exit 7");
        Assert.Contains("CosmosNet: Main returned 7", run.Output);
        Assert.Equal(5, run.ExitCode);
    }

    /// <summary>With 5 GiB of RAM part of it lies above 4 GiB: every usable region the loader reports is mapped.</summary>
    [Fact]
    public void AllUsableRam_IsMapped_Above4GiBToo()
    {
        var run = kernel.Boot("--memory", memoryMiB: 5120);
        var line = run.Lines.FirstOrDefault(l => l.StartsWith("MEMORY ", StringComparison.Ordinal));
        Assert.True(line is not null, run.Tail());
        string[] fields = line!.Split(' ');
        Assert.True(int.Parse(fields[2]) > 5000, line);
        Assert.True(Convert.ToUInt64(fields[3], 16) > 0x1_0000_0000UL, line);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void CommandLine_BecomesMainArguments()
    {
        var run = kernel.Boot("--args alpha b=2");
        Assert.Contains("ARGS alpha|b=2", run.Output);
        Assert.Equal(0, run.ExitCode);
    }
}
