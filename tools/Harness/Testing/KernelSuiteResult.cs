using Xunit;

namespace CosmosNet.Harness.Testing;

/// <summary>What one boot of a test kernel reported: the lines of tests/kernels/Shared/KernelTestRunner.cs
/// (KTEST-SUITE name count, KTEST-START test, KTEST-PASS test | KTEST-FAIL test message, KTEST-DONE).</summary>
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

    /// <summary>Asserts that every one of <paramref name="tests"/> passed and Main returned 0 (the emulator's
    /// status is not asserted: Bochs exits 1 however the guest stops it).</summary>
    public void AssertAllPassed(IEnumerable<string> tests, string machine)
    {
        var failures = tests.Select(t => (Name: t, Failure: FailureOf(t)))
            .Where(f => f.Failure is not null).Select(f => $"{f.Name}: {f.Failure}").ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} failed on {machine}:\n" + string.Join("\n", failures.Take(5)));
        Assert.Contains("CosmosNet: Main returned 0", Run.Output);
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
