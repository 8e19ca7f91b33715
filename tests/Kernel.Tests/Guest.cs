using System.Diagnostics;
using System.Text;

namespace CosmosNet.Kernel.Tests;

/// <summary>Builds test kernels and boots them. Every guest runs with a hard timeout and is killed (with
/// its process tree) on timeout or when the test process ends; nothing is left running.</summary>
public static class Guest
{
    public static string RepositoryRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Kernel", "CosmosNet.App.targets"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Kernel/CosmosNet.App.targets) not found");
    }

    /// <summary>Where a test kernel's images go: iso/tests/&lt;name&gt;/ (git-ignored).</summary>
    public static string ImageDirectory(string kernel) => Path.Combine(RepositoryRoot, "iso", "tests", kernel);

    /// <summary>Builds tests/kernels/&lt;name&gt; (incremental) and returns the ELF path.</summary>
    public static string BuildKernel(string kernel, TimeSpan timeout)
    {
        string output = ImageDirectory(kernel);
        Directory.CreateDirectory(output);
        var project = Path.Combine(RepositoryRoot, "tests", "kernels", kernel);
        var result = Run("dotnet", ["publish", project, "-c", "Release", "--nologo", "-v", "quiet",
            $"-p:CosmosNetRoot={RepositoryRoot}/", $"-p:CosmosImageDir={output}/"], timeout);
        string elf = Path.Combine(output, "cosmosnet.elf");
        if (result.ExitCode != 0 || !File.Exists(elf))
            throw new InvalidOperationException($"building test kernel {kernel} failed (exit {result.ExitCode}):\n{result.Output}");
        return elf;
    }

    /// <summary>Makes the GRUB ISO for an ELF (Boot/make-iso.sh).</summary>
    public static string BuildIso(string elf, TimeSpan timeout)
    {
        string iso = Path.ChangeExtension(elf, ".iso");
        var result = Run(Path.Combine(RepositoryRoot, "Boot", "make-iso.sh"), [elf, iso], timeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"make-iso.sh failed:\n{result.Output}");
        return iso;
    }

    /// <summary>QEMU accelerator: TCG unless COSMOS_ACCEL says otherwise (e.g. kvm where it works).</summary>
    public static string Accelerator => Environment.GetEnvironmentVariable("COSMOS_ACCEL") is { Length: > 0 } a ? a : "tcg";

    /// <summary>Boots an ELF with `qemu -kernel`, serial on stdout; the kernel command line is appended.</summary>
    public static GuestRun BootQemu(string elf, string commandLine, TimeSpan timeout, int memoryMiB = 256)
    {
        var args = new List<string> { "-accel", Accelerator, "-m", $"{memoryMiB}M", "-kernel", elf, "-serial", "stdio",
            "-display", "none", "-no-reboot", "-monitor", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" };
        if (commandLine.Length > 0) { args.Add("-append"); args.Add(commandLine); }
        var watch = Stopwatch.StartNew();
        var result = Run("qemu-system-x86_64", args, timeout);
        return new GuestRun(result.Output, result.ExitCode, result.TimedOut, watch.Elapsed);
    }

    /// <summary>Boots a GRUB ISO in QEMU from the CD-ROM: SeaBIOS, or UEFI with <paramref name="uefi"/> (OVMF).</summary>
    public static GuestRun BootQemuIso(string iso, bool uefi, TimeSpan timeout)
    {
        var args = new List<string> { "-accel", Accelerator, "-m", "256M", "-cdrom", iso, "-serial", "stdio",
            "-display", "none", "-no-reboot", "-monitor", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04" };
        if (uefi) { args.Add("-bios"); args.Add("/usr/share/OVMF/OVMF_CODE.fd"); }
        var watch = Stopwatch.StartNew();
        var result = Run("qemu-system-x86_64", args, timeout);
        return new GuestRun(result.Output, result.ExitCode, result.TimedOut, watch.Elapsed);
    }

    /// <summary>Boots an ISO in Bochs (Boot/bochsrc.txt), COM1 to a file.</summary>
    public static GuestRun BootBochs(string iso, TimeSpan timeout)
    {
        string dir = Path.GetDirectoryName(iso)!;
        string serial = Path.Combine(dir, "bochs-serial.txt");
        File.Delete(serial);
        var env = new Dictionary<string, string>
        {
            ["COSMOS_ISO"] = iso, ["COSMOS_SERIAL"] = serial, ["COSMOS_BOCHS_LOG"] = Path.Combine(dir, "bochs.log"),
        };
        var watch = Stopwatch.StartNew();
        var result = Run("bochs", ["-q", "-f", Path.Combine(RepositoryRoot, "Boot", "bochsrc.txt"),
            "-rc", Path.Combine(RepositoryRoot, "Boot", "bochs.rc")], timeout, env);
        string output = File.Exists(serial) ? File.ReadAllText(serial) : "";
        return new GuestRun(output, result.ExitCode, result.TimedOut, watch.Elapsed);
    }

    public readonly record struct ProcessResult(string Output, int ExitCode, bool TimedOut);

    static readonly object s_lock = new();
    static readonly HashSet<Process> s_running = [];

    static Guest()
    {
        // Whatever happens to the test run, no guest outlives it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { lock (s_lock) foreach (var p in s_running) Kill(p); };
    }

    public static ProcessResult Run(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false, WorkingDirectory = RepositoryRoot };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.Start();
        lock (s_lock) s_running.Add(process);
        try
        {
            process.StandardInput.Close();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            bool exited = process.WaitForExit(timeout);
            if (!exited) Kill(process);
            process.WaitForExit(); // drain the output
            lock (output) return new ProcessResult(output.ToString().Replace("\r", ""), exited ? process.ExitCode : -1, !exited);
        }
        finally
        {
            Kill(process);
            lock (s_lock) s_running.Remove(process);
        }
    }

    static void Kill(Process process)
    {
        try { if (!process.HasExited) process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
    }
}

/// <summary>One boot: the serial output, the emulator's exit status, whether it was killed on timeout.</summary>
public sealed record GuestRun(string Output, int ExitCode, bool TimedOut, TimeSpan Elapsed)
{
    public IEnumerable<string> Lines => Output.Split('\n');
    public string Tail(int lines = 25) => string.Join('\n', Output.Split('\n').TakeLast(lines));
}
