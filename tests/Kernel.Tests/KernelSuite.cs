using Xunit;
namespace CosmosNet.Kernel.Tests;

/// <summary>What one boot of a test kernel reported (the KTEST-* lines of KernelTestRunner).</summary>
public sealed class KernelSuiteResult
{
    readonly Dictionary<string, string?> _outcomes = new();   // test -> null (passed) or failure message
    readonly HashSet<string> _started = [];

    public GuestRun Run { get; }
    public int? DeclaredCount { get; private set; }
    public bool Done { get; private set; }
    public IReadOnlyDictionary<string, string?> Outcomes => _outcomes;

    public KernelSuiteResult(GuestRun run)
    {
        Run = run;
        foreach (var raw in run.Lines)
        {
            string line = raw.TrimEnd();
            if (Take(line, "KTEST-SUITE ") is { } suite) DeclaredCount = int.Parse(suite.Split(' ')[1]);
            else if (Take(line, "KTEST-START ") is { } started) _started.Add(started);
            else if (Take(line, "KTEST-PASS ") is { } passed) _outcomes[passed] = null;
            else if (Take(line, "KTEST-FAIL ") is { } failed)
            {
                int space = failed.IndexOf(' ');
                _outcomes[space < 0 ? failed : failed[..space]] = space < 0 ? "failed" : failed[(space + 1)..];
            }
            else if (line.StartsWith("KTEST-DONE ", StringComparison.Ordinal)) Done = true;
        }
    }

    static string? Take(string line, string prefix) => line.StartsWith(prefix, StringComparison.Ordinal) ? line[prefix.Length..] : null;

    /// <summary>Asserts that one kernel test passed in the guest (the failure message says why not).</summary>
    public void AssertPassed(string test)
    {
        string? failure = FailureOf(test);
        Assert.True(failure is null, failure);
    }

    /// <summary>Asserts that the guest ran all <paramref name="expectedTests"/> tests and powered off after Main returned 0.</summary>
    public void AssertRanToCleanShutdown(int expectedTests)
    {
        Assert.False(Run.TimedOut, "timed out:\n" + Run.Tail());
        Assert.Equal(expectedTests, DeclaredCount);
        Assert.True(Done, Run.Tail());
        Assert.Contains("CosmosNet: Main returned 0", Run.Output);
        Assert.Equal(0, Run.ExitCode);
    }

    /// <summary>Null if the test passed in the guest, otherwise why not.</summary>
    public string? FailureOf(string test)
    {
        if (_outcomes.TryGetValue(test, out var failure)) return failure;
        string how = Run.TimedOut ? $"the guest timed out after {Run.Elapsed.TotalSeconds:F0} s" : $"the guest stopped (exit {Run.ExitCode})";
        return _started.Contains(test)
            ? $"{how} during this test:\n{Run.Tail()}"
            : $"not run: {how} before it:\n{Run.Tail()}";
    }
}

/// <summary>A test kernel built once per test run and booted once per machine (QEMU, Bochs); the boots are
/// shared by all tests of a class through this fixture.</summary>
public abstract class KernelFixture
{
    readonly Lazy<string> _elf;
    readonly Lazy<KernelSuiteResult> _qemu;
    readonly Lazy<string> _iso;
    readonly Lazy<KernelSuiteResult> _bochs;

    public static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(10);
    public static readonly TimeSpan QemuTimeout = TimeSpan.FromSeconds(120);
    public static readonly TimeSpan BochsTimeout = TimeSpan.FromSeconds(300);

    protected KernelFixture(string kernel)
    {
        Kernel = kernel;
        _elf = new(() => Guest.BuildKernel(kernel, BuildTimeout));
        _qemu = new(() => new KernelSuiteResult(Guest.BootQemu(Elf, "", QemuTimeout)));
        _iso = new(() => Guest.BuildIso(Elf, TimeSpan.FromMinutes(2)));
        _bochs = new(() => new KernelSuiteResult(Guest.BootBochs(Iso, BochsTimeout)));
    }

    public string Kernel { get; }
    public string Elf => _elf.Value;
    public KernelSuiteResult Qemu => _qemu.Value;
    public KernelSuiteResult Bochs => _bochs.Value;
    /// <summary>The GRUB ISO of the same kernel (BIOS and UEFI).</summary>
    public string Iso => _iso.Value;

    /// <summary>An extra QEMU boot of the same image with a kernel command line.</summary>
    public GuestRun Boot(string commandLine, int memoryMiB = 256) => Guest.BootQemu(Elf, commandLine, QemuTimeout, memoryMiB);
}
