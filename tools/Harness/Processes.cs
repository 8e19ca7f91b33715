using System.Diagnostics;
using System.Runtime.InteropServices;

namespace CosmosNet.Harness;

/// <summary>Child processes of the harness. Every one started here is killed (with its process tree) when the
/// host process exits, whatever else happens.</summary>
public static class Processes
{
    static readonly object s_lock = new();
    static readonly HashSet<Process> s_running = [];

    static readonly PosixSignalRegistration[] s_signals;

    static Processes()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAll();
        // Killed by a signal (timeout(1), a script's `kill`, Ctrl-C), the host process takes its children along;
        // the signal's default action (ending this process) follows.
        s_signals = [.. new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP }
            .Select(signal => PosixSignalRegistration.Create(signal, _ => KillAll()))];
    }

    static void KillAll() { lock (s_lock) foreach (var p in s_running) Kill(p); }

    internal static void Track(Process process) { lock (s_lock) s_running.Add(process); }
    internal static void Forget(Process process) { lock (s_lock) s_running.Remove(process); }

    internal static void Kill(Process process)
    {
        try { if (!process.HasExited) { process.Kill(entireProcessTree: true); process.WaitForExit(5000); } }
        catch (InvalidOperationException) { }
    }

    /// <summary>Runs a command in the foreground with this process's stdin, stdout and stderr (e.g. QEMU with
    /// the terminal as its serial console); killed after <paramref name="timeout"/>. Returns its exit status,
    /// or null on timeout.</summary>
    public static int? Foreground(IReadOnlyList<string> command, TimeSpan timeout)
    {
        var info = new ProcessStartInfo(command[0]) { UseShellExecute = false };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        Track(process);
        try
        {
            bool exited = process.WaitForExit(timeout);
            if (!exited) Kill(process);
            return exited ? process.ExitCode : null;
        }
        finally
        {
            Kill(process);
            Forget(process);
        }
    }

    public readonly record struct Result(string Output, int ExitCode, bool TimedOut);

    /// <summary>Runs a command to its end, killed after <paramref name="timeout"/>. The output is its stdout
    /// exactly as written, then its stderr (CRs removed).</summary>
    public static Result Run(string file, IEnumerable<string> args, TimeSpan timeout, IDictionary<string, string>? env = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        if (env is not null) foreach (var (k, v) in env) info.Environment[k] = v;
        using var process = new Process { StartInfo = info };
        process.Start();
        Track(process);
        try
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            bool exited = process.WaitForExit(timeout);
            if (!exited) Kill(process);
            process.WaitForExit();
            string output = (stdout.Result + stderr.Result).Replace("\r", "");
            return new Result(output, exited ? process.ExitCode : -1, !exited);
        }
        finally
        {
            Kill(process);
            Forget(process);
        }
    }
}
