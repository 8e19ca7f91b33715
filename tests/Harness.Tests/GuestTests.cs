using System.Diagnostics;
using CosmosNet.Harness.Testing;
using Xunit;

namespace CosmosNet.Harness.Tests;

/// <summary>The capture and cleanup of <see cref="Guest"/>, with ordinary processes standing in for the emulator.</summary>
public sealed class GuestTests
{
    static Guest Shell(string script, string? serialFile = null) =>
        new(["sh", "-c", script], TimeSpan.FromMinutes(1), serialFile: serialFile);

    [Fact]
    public void Lines_AreCapturedInOrder_WithRisingTimeStamps_AndTheExitStatus()
    {
        using var guest = Shell("echo one; sleep 0.3; printf 'two\\r\\n'; echo err >&2; exit 5");
        var two = guest.WaitForLine("two", TimeSpan.FromSeconds(30));
        var run = guest.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.Equal(5, run.ExitCode);
        Assert.False(run.TimedOut);
        Assert.Equal("one", run.Serial[0].Text);
        Assert.Equal("two", two.Text);   // CR removed
        Assert.True(two.At - run.Serial[0].At >= TimeSpan.FromMilliseconds(250), $"{two.At} vs {run.Serial[0].At}");
        Assert.Contains("err", run.Output);
    }

    [Fact]
    public void Timeout_KillsTheProcessTree()
    {
        using var guest = Shell("sleep 60 & echo child $!; wait");
        int child = int.Parse(guest.WaitForLine("child", TimeSpan.FromSeconds(30)).Text.Split(' ')[1]);
        var run = guest.WaitForExit(TimeSpan.FromMilliseconds(300));
        Assert.True(run.TimedOut);
        Assert.Equal(-1, run.ExitCode);
        Assert.True(Gone(child), "the guest's child outlived the timeout");
    }

    [Fact]
    public void Dispose_KillsARunningGuest_AndWaitingForALineThatNeverComesFailsWithTheTail()
    {
        var guest = Shell("echo booting; exec sleep 60");
        var error = Assert.Throws<GuestException>(() => guest.WaitForLine("ready", TimeSpan.FromMilliseconds(500)));
        Assert.Contains("booting", error.Message);
        int pid = guest.ProcessId;
        guest.Dispose();
        Assert.True(Gone(pid));

        using var stopped = Shell("echo bye");
        Assert.Contains("stopped (exit 0)", Assert.Throws<GuestException>(() => stopped.WaitForLine("ready", TimeSpan.FromSeconds(30))).Message);
    }

    [Fact]
    public void SerialFile_IsFollowedLineByLine_UntilTheEmulatorEnds()
    {
        string file = Path.Combine(Path.GetTempPath(), $"harness-serial-{Environment.ProcessId}.txt");
        using var guest = Shell($"echo not-serial; printf 'a\\n' >> {file}; sleep 0.2; printf 'b\\nlast-without-newline' >> {file}", file);
        Assert.Equal("a", guest.WaitForLine("a", TimeSpan.FromSeconds(30)).Text);
        var run = guest.WaitForExit(TimeSpan.FromSeconds(30));
        Assert.Equal(["a", "b", "last-without-newline"], run.Serial.Select(l => l.Text));
        Assert.Contains("not-serial", guest.EmulatorOutput());
        File.Delete(file);
    }

    [Fact]
    public void KernelSuiteResult_ReadsTheKtestLines()
    {
        var lines = new[] { "KTEST-SUITE S 3", "KTEST-START a", "KTEST-PASS a", "KTEST-START b", "KTEST-FAIL b x was 2", "KTEST-START c" };
        var run = new GuestRun(string.Join('\n', lines) + "\n", 3, false, TimeSpan.FromSeconds(1), []);
        var result = new KernelSuiteResult(run);
        Assert.Equal(3, result.DeclaredCount);
        Assert.False(result.Done);
        Assert.Null(result.FailureOf("a"));
        Assert.Equal("x was 2", result.FailureOf("b"));
        Assert.StartsWith("the guest stopped (exit 3) during this test", result.FailureOf("c"));
        Assert.StartsWith("not run:", result.FailureOf("d"));
        Assert.Equal(3, Bochs.Status(run with { Output = "PANIC: x\n" }));
        Assert.Equal(0, Bochs.Status(run with { Output = "CosmosNet: Main returned 0\n" }));
        Assert.Equal(1, Bochs.Status(run));
    }

    static bool Gone(int pid)
    {
        for (int i = 0; i < 100; i++)
        {
            // A killed child of sh becomes a zombie until reaped: count that as gone.
            string stat = $"/proc/{pid}/stat";
            if (!File.Exists(stat)) return true;
            try { if (File.ReadAllText(stat).Split(") ")[1].StartsWith('Z')) return true; } catch (IOException) { return true; }
            Thread.Sleep(50);
        }
        return false;
    }
}

public sealed class ProcessesTests
{
    [Fact]
    public void Run_ReturnsTheOutputExactly_AndKillsOnTimeout()
    {
        var echo = Processes.Run("sh", ["-c", "printf 'no newline'; printf ' err' >&2; exit 3"], TimeSpan.FromSeconds(30));
        Assert.Equal("no newline err", echo.Output);
        Assert.Equal(3, echo.ExitCode);
        var slow = Processes.Run("sleep", ["30"], TimeSpan.FromMilliseconds(200));
        Assert.True(slow.TimedOut);
        Assert.Equal(-1, slow.ExitCode);
    }
}
