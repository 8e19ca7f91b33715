using CosmosNet.Harness.Testing;
using CosmosNet.KernelTests;
using Xunit;

namespace CosmosNet.Kernel.Tests;

public sealed class ExceptionsKernel() : KernelFixture("Exceptions");

/// <summary>The Exceptions test kernel (tests/kernels/Exceptions): every kernel test as its own xunit test on
/// QEMU (TCG), the same tests on the host's .NET as the reference, and the fatal ends: an unhandled exception
/// and a stack overflow. Cost: one kernel build (~40 s) and three boots (a few seconds each).</summary>
public sealed class ExceptionsSuiteTests(ExceptionsKernel kernel) : IClassFixture<ExceptionsKernel>
{
    public static TheoryData<string> Tests => new(ExceptionsSuite.Tests.Select(t => t.Name));

    [Theory, MemberData(nameof(Tests))]
    public void Qemu(string test)
    {
        kernel.Qemu.AssertPassed(test);
    }

    /// <summary>The same test on the host's .NET: proves the expected values and orders themselves.</summary>
    [Theory, MemberData(nameof(Tests))]
    public void HostReference(string test)
    {
        var check = new Check();
        ExceptionsSuite.Tests.Single(t => t.Name == test).Run(check);
        Assert.True(check.Failure is null, check.Failure);
    }

    [Fact]
    public void Qemu_RunsTheWholeSuiteAndShutsDownCleanly()
    {
        kernel.Qemu.AssertRanToCleanShutdown(ExceptionsSuite.Tests.Length);
    }

    /// <summary>Type, message and every managed frame of the stack trace, innermost first, then the registers.</summary>
    [Fact]
    public void UnhandledException_PanicsWithTypeMessageAndStackTrace()
    {
        var run = kernel.Boot("--unhandled");
        string output = run.Output;
        Assert.Contains("PANIC: Unhandled exception: System.InvalidOperationException: nobody catches this", output);
        int inner = output.IndexOf("at CosmosNet.KernelTests.Fatal.Inner(", StringComparison.Ordinal);
        int outer = output.IndexOf("at CosmosNet.KernelTests.Fatal.ThrowUnhandled(", StringComparison.Ordinal);
        int main = output.IndexOf("at Program.<Main>$(", StringComparison.Ordinal);
        Assert.True(inner >= 0 && outer > inner && main > outer, output);
        Assert.Equal(4, run.Lines.Count(l => l.Contains("at CosmosNet.KernelTests.Fatal.Inner(", StringComparison.Ordinal)));
        Assert.Contains("rip=", output);
        Assert.Equal(3, run.ExitCode);
    }

    /// <summary>Unbounded recursion hits the guard page below the stack: a clear panic, not a triple fault
    /// (which would reboot, i.e. end QEMU -no-reboot with status 0 and no PANIC line).</summary>
    [Fact]
    public void StackOverflow_PanicsFromTheGuardPage()
    {
        var run = kernel.Boot("--overflow");
        Assert.Contains("PANIC: stack overflow: the stack ran into its guard page", run.Output);
        Assert.Contains("vector=0000000000000008", run.Output);   // delivered as #DF on its own stack
        Assert.Contains("at CosmosNet.KernelTests.Fatal.Recurse(Int32)", run.Output);   // the recursing method, by name
        Assert.Equal(3, run.ExitCode);

        // 16 KiB frames: RhpStackProbe touches the guard page before the frame can jump over it.
        var large = kernel.Boot("--overflow-large");
        Assert.Contains("PANIC: stack overflow: the stack ran into its guard page", large.Output);
        Assert.Equal(3, large.ExitCode);
    }

    /// <summary>The same ends on a second thread: its own stack has a guard page, its unhandled exception
    /// names the thread's frames down to the thread entry point.</summary>
    [Fact]
    public void OnAThread_StackOverflowAndUnhandledExceptionPanic()
    {
        var overflow = kernel.Boot("--overflow-thread");
        Assert.Contains("PANIC: stack overflow: the stack ran into its guard page", overflow.Output);
        Assert.Equal(3, overflow.ExitCode);

        var unhandled = kernel.Boot("--unhandled-thread");
        Assert.Contains("PANIC: Unhandled exception: System.InvalidOperationException: nobody catches this", unhandled.Output);
        Assert.Contains("at System.Threading.Thread.StartThread(", unhandled.Output);
        Assert.Equal(3, unhandled.ExitCode);
    }
}
