using System.Text.RegularExpressions;
using CosmosNet.Harness;
using CosmosNet.Harness.Testing;
using CosmosNet.KernelTests;
using Xunit;

namespace CosmosNet.Gc.Tests;

/// <summary>The GC kernel, booted with little RAM so that the 10x-RAM-of-garbage test stays quick under TCG.</summary>
public sealed class GcKernel : KernelFixture
{
    public const int SmallMemoryMiB = 64;
    readonly Lazy<GuestRun> _oom;

    public GcKernel() : base("Gc", SmallMemoryMiB, qemuTimeout: TimeSpan.FromSeconds(600))
    {
        _oom = new(() => Boot("--oom", SmallMemoryMiB));
    }

    public GuestRun OutOfMemoryRun => _oom.Value;
}

/// <summary>Every GC kernel test as its own xunit test on QEMU (TCG, 64 MiB), the whole suite once on Bochs,
/// and the out-of-memory boot.</summary>
public sealed class GcSuiteTests(GcKernel kernel) : IClassFixture<GcKernel>
{
    public static TheoryData<string> Tests => new(GcSuite.Tests.Select(t => t.Name));

    [Theory, MemberData(nameof(Tests))]
    public void Qemu(string test)
    {
        kernel.Qemu.AssertPassed(test);
    }

    [Fact]
    public void Qemu_RunsTheWholeSuiteAndShutsDownCleanly()
    {
        kernel.Qemu.AssertRanToCleanShutdown(GcSuite.Tests.Length);
    }

    [Fact]
    public void OutOfMemory_IsThrownWhenTheLiveSetExceedsRam_IsCatchableWithNoByteLeft_AndMemoryIsUsableAfterwards()
    {
        var run = kernel.OutOfMemoryRun;
        Assert.False(run.TimedOut, "timed out:\n" + run.Tail());
        var caught = Regex.Match(run.Output, @"OOM-CAUGHT (\d+) MiB");
        Assert.True(caught.Success, run.Tail());
        long live = long.Parse(caught.Groups[1].Value);
        Assert.InRange(live, GcKernel.SmallMemoryMiB / 2, GcKernel.SmallMemoryMiB);   // most of RAM was usable, not more
        var recovered = Regex.Match(run.Output, @"OOM-RECOVERED (\d+) MiB");
        Assert.True(recovered.Success, run.Tail());
        Assert.Equal(live * 3 / 4, long.Parse(recovered.Groups[1].Value));
        Assert.Contains("OOM-HUGE thrown", run.Output);
        // Exception dispatch with no byte of the heap left: no fail-fast, the preallocated exception, filters and finally blocks run.
        // Normally all 100 fail and the dereference arrives as OutOfMemoryException. On a loaded host CI once saw another
        // line: a collection step can still free a few bytes after the fill, so a later allocation may succeed; what must
        // hold is that every failure was caught (the one exception, finally blocks run) and nothing failed fast.
        var dispatch = Regex.Match(run.Output, @"OOM-DISPATCH caught (\d+) same (\d) finally (\d+) null-deref (\w+)");
        Assert.True(dispatch.Success, run.Tail());
        Assert.True(int.Parse(dispatch.Groups[1].Value) >= 1, dispatch.Value);
        Assert.Equal("1", dispatch.Groups[2].Value);
        Assert.Equal("100", dispatch.Groups[3].Value);
        Assert.Contains(dispatch.Groups[4].Value, new[] { "OutOfMemoryException", "NullReferenceException" });
        if (dispatch.Value != "OOM-DISPATCH caught 100 same 1 finally 100 null-deref OutOfMemoryException")
            Console.Error.WriteLine($"GC out-of-memory dispatch: {dispatch.Value} (memory came free after the fill)");
        Assert.Contains("OOM-AFTER null-deref NullReferenceException", run.Output);
        Assert.Equal(0, run.ExitCode);
    }

    [Fact]
    public void Bochs_RunsTheWholeSuite()
    {
        kernel.Bochs.AssertAllPassed(GcSuite.Tests.Select(t => t.Name), "Bochs");
    }
}
