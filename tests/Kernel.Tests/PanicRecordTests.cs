using System.Text.Json;
using CosmosNet.Harness;
using Xunit;

namespace CosmosNet.Kernel.Tests;

/// <summary>What a panic leaves behind (issue 16): every frame named "Namespace.Type.Method(Args) + 0xNN", one CRASH
/// line of JSON (reason, exception type and message, frames, uptime, build id), then a halt (QEMU status 3) or, with
/// panic=reboot, a reset. Boots the Language kernel's --crash (Outer -> Middle -> Inner throws) and --overflow modes.</summary>
public sealed class PanicRecordTests(LanguageKernel kernel) : IClassFixture<LanguageKernel>
{
    const string Crasher = "Crasher.";

    [Fact]
    public void UnhandledException_FramesAreNamedAndTheCrashRecordParses()
    {
        var run = kernel.Boot("--crash");
        Assert.Equal(3, run.ExitCode);
        string[] lines = run.Output.Split('\n');

        // The printed frames: innermost first, each with its address and name + offset.
        int framesAt = Array.FindIndex(lines, l => l.Trim() == "frames:");
        Assert.True(framesAt > 0, run.Tail(40));
        var frames = lines.Skip(framesAt + 1).TakeWhile(l => l.StartsWith("    #", StringComparison.Ordinal)).ToArray();
        int inner = Array.FindIndex(frames, f => f.Contains(Crasher + "Inner()")),
            middle = Array.FindIndex(frames, f => f.Contains(Crasher + "Middle()")),
            outer = Array.FindIndex(frames, f => f.Contains(Crasher + "Outer()"));
        Assert.True(inner >= 0 && middle > inner && outer > middle, string.Join('\n', frames));
        Assert.Matches(@"^    #\d+\s+0x[0-9a-f]+\s+Crasher\.Middle\(\) \+ 0x[0-9a-f]+$", frames[middle]);

        // The record: one line of JSON after the frames.
        var record = Record(lines);
        Assert.StartsWith("Unhandled exception: System.InvalidOperationException: crash record \"test\"", record.GetProperty("reason").GetString());
        var exception = record.GetProperty("exception");
        Assert.Equal("System.InvalidOperationException", exception.GetProperty("type").GetString());
        Assert.Equal("crash record \"test\"\nsecond line", exception.GetProperty("message").GetString());
        var names = record.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString() ?? "").ToArray();
        Assert.Contains(names, n => n.StartsWith(Crasher + "Inner() + 0x", StringComparison.Ordinal));
        Assert.Contains(names, n => n.StartsWith(Crasher + "Outer() + 0x", StringComparison.Ordinal));
        Assert.All(record.GetProperty("frames").EnumerateArray(), f => Assert.Matches("^0x[0-9a-f]+$", f.GetProperty("ip").GetString()));
        Assert.True(record.GetProperty("uptime_ms").GetInt64() > 0);
        Assert.Equal(BuildId(kernel.Elf), record.GetProperty("build").GetString());
    }

    [Fact]
    public void StackOverflow_FramesContinueThroughTheFaultIntoTheRecursion()
    {
        var run = kernel.Boot("--overflow");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("PANIC: stack overflow", run.Output);
        var record = Record(run.Output.Split('\n'));
        Assert.Equal(JsonValueKind.Null, record.GetProperty("exception").ValueKind);
        var names = record.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString() ?? "").ToArray();
        Assert.True(names.Count(n => n.StartsWith(Crasher + "Recurse(Int32) + 0x", StringComparison.Ordinal)) >= 10, string.Join('\n', names));
    }

    [Fact]
    public void PanicReboot_ResetsTheMachine()
    {
        using var guest = Qemu.Start(new QemuOptions { Kernel = kernel.Elf, Append = "--crash panic=reboot", NoReboot = false }, TimeSpan.FromMinutes(5));
        guest.WaitForLine("CosmosNet: rebooting (panic=reboot)", TimeSpan.FromSeconds(180));
        // The machine starts again: a second boot line after the record.
        guest.WaitForLine(_ => guest.Lines.Count(l => l.Text == "CosmosNet: boot") >= 2, TimeSpan.FromSeconds(120), "a second boot");
        Assert.Single(guest.Lines, l => l.Text.StartsWith("CRASH {", StringComparison.Ordinal));
    }

    static JsonElement Record(string[] lines)
    {
        var records = lines.Where(l => l.StartsWith("CRASH {", StringComparison.Ordinal)).ToArray();
        Assert.True(records.Length == 1, string.Join('\n', lines.TakeLast(40)));
        return JsonDocument.Parse(records[0]["CRASH ".Length..]).RootElement;
    }

    /// <summary>The ELF's GNU build id, as `file` shows it.</summary>
    static string BuildId(string elf)
    {
        var result = Processes.Run("readelf", ["-n", elf], TimeSpan.FromSeconds(30));
        var line = result.Output.Split('\n').Single(l => l.Contains("Build ID:"));
        return line[(line.IndexOf("Build ID:", StringComparison.Ordinal) + "Build ID:".Length)..].Trim();
    }
}
