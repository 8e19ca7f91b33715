using System.Diagnostics;
using System.Text.RegularExpressions;
using Xunit;

namespace CosmosNet.Kernel.Tests;

/// <summary>The Platform kernel (tests/kernels/Platform): built once, booted once in QEMU (TCG) with every
/// serial line time-stamped by the host, so the kernel clock can be compared with the host's.</summary>
public sealed class PlatformKernel
{
    public static readonly TimeSpan QemuTimeout = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan BochsTimeout = TimeSpan.FromSeconds(480);
    readonly Lazy<string> _elf;
    readonly Lazy<(KernelSuiteResult Result, List<(TimeSpan At, string Line)> Lines)> _qemu;
    readonly Lazy<KernelSuiteResult> _bochs;

    public PlatformKernel()
    {
        _elf = new(() => Guest.BuildKernel("Platform", KernelFixture.BuildTimeout));
        _qemu = new(() => BootTimestamped(_elf.Value));
        _bochs = new(() => new KernelSuiteResult(Guest.BootBochs(Guest.BuildIso(_elf.Value, TimeSpan.FromMinutes(2)), BochsTimeout)));
    }

    public KernelSuiteResult Qemu => _qemu.Value.Result;
    public KernelSuiteResult Bochs => _bochs.Value;
    public IReadOnlyList<(TimeSpan At, string Line)> TimedLines => _qemu.Value.Lines;

    /// <summary>Like Guest.BootQemu, plus host arrival times per line.</summary>
    static (KernelSuiteResult, List<(TimeSpan, string)>) BootTimestamped(string elf)
    {
        var info = new ProcessStartInfo("qemu-system-x86_64")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
            UseShellExecute = false, WorkingDirectory = Guest.RepositoryRoot,
        };
        foreach (var a in new[] { "-accel", Guest.Accelerator, "-m", "256M", "-kernel", elf, "-serial", "stdio",
                     "-display", "none", "-no-reboot", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" })
            info.ArgumentList.Add(a);
        var lines = new List<(TimeSpan, string)>();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add((watch.Elapsed, e.Data.Replace("\r", ""))); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (lines) lines.Add((watch.Elapsed, e.Data)); };
        process.Start();
        bool exited;
        try
        {
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            exited = process.WaitForExit(QemuTimeout);
        }
        finally
        {
            try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit();
        }
        List<(TimeSpan, string)> copy;
        lock (lines) copy = lines.ToList();
        var run = new GuestRun(string.Join("\n", copy.Select(l => l.Item2)) + "\n", exited ? process.ExitCode : -1, !exited, watch.Elapsed);
        return (new KernelSuiteResult(run), copy);
    }

    /// <summary>The test names, read from the kernel's sources (Test("name", ...) registrations).</summary>
    public static IEnumerable<string> TestNames()
    {
        string dir = Path.Combine(Guest.RepositoryRoot, "tests", "kernels", "Platform");
        return Directory.GetFiles(dir, "*.cs").OrderBy(f => f, StringComparer.Ordinal)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), "\\bTest\\(\"([A-Za-z0-9_]+)\"").Select(m => m.Groups[1].Value));
    }
}

public sealed class PlatformSuiteTests(PlatformKernel kernel) : IClassFixture<PlatformKernel>
{
    public static TheoryData<string> Tests => new(PlatformKernel.TestNames());

    [Theory, MemberData(nameof(Tests))]
    public void Qemu(string test)
    {
        kernel.Qemu.AssertPassed(test);
    }

    [Fact]
    public void Qemu_RunsTheWholeSuiteAndShutsDownCleanly()
    {
        kernel.Qemu.AssertRanToCleanShutdown(PlatformKernel.TestNames().Count());
    }

    /// <summary>The whole suite once more on Bochs (its clock follows the instruction count, not the host).</summary>
    [Fact]
    public void Bochs_RunsTheWholeSuite()
    {
        var result = kernel.Bochs;
        var failures = PlatformKernel.TestNames().Select(t => (Name: t, Failure: result.FailureOf(t)))
            .Where(f => f.Failure is not null).Select(f => $"{f.Name}: {f.Failure}").ToList();
        Assert.True(failures.Count == 0, $"{failures.Count} failed on Bochs:\n" + string.Join("\n", failures.Take(5)));
        Assert.Contains("CosmosNet: Main returned 0", result.Run.Output);
    }

    /// <summary>The guest prints "CLOCKMARK n ms" twice, 5 s apart by its own clock; the host's clock
    /// between the two lines' arrival must agree within 5% (serial latency is small against 5 s).</summary>
    [Fact]
    public void KernelClock_AgreesWithHostClock()
    {
        var marks = kernel.TimedLines.Where(l => l.Line.StartsWith("CLOCKMARK ", StringComparison.Ordinal))
            .Select(l => (l.At, Ms: long.Parse(l.Line.Split(' ')[2]))).ToList();
        Assert.True(marks.Count == 2, "expected two CLOCKMARK lines:\n" + kernel.Qemu.Run.Tail());
        double guestMs = marks[1].Ms - marks[0].Ms, hostMs = (marks[1].At - marks[0].At).TotalMilliseconds;
        Assert.InRange(guestMs, 5000, 6000);
        Assert.InRange(hostMs / guestMs, 0.95, 1.05);
    }
}
