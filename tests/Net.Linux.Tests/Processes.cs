using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace CosmosNet.Net.Linux.Tests;

public sealed record ProcessResult(int ExitCode, string StandardOutput, string StandardError, bool TimedOut)
{
    public override string ToString() =>
        $"exit {ExitCode}{(TimedOut ? " (killed after timeout)" : "")}\n--- stdout\n{Tail(StandardOutput)}\n--- stderr\n{Tail(StandardError)}";

    private static string Tail(string s) => s.Length <= 4000 ? s : "…" + s[^4000..];
}

/// <summary>A process started by a test, with its output collected line by line; killed (whole tree) on dispose.</summary>
public sealed class RunningProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _out = new(), _err = new();
    private readonly List<string> _lines = new();
    private readonly object _gate = new();
    private int _streamsClosed;

    public RunningProcess(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args) info.ArgumentList.Add(a);
        CommandLine = file + " " + string.Join(' ', info.ArgumentList);
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) => Append(_out, e.Data);
        _process.ErrorDataReceived += (_, e) => Append(_err, e.Data);
        _process.Start();
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string CommandLine { get; }
    public int Id => _process.Id;
    public bool HasExited => _process.HasExited;

    public string StandardOutput { get { lock (_gate) return _out.ToString(); } }
    public string StandardError { get { lock (_gate) return _err.ToString(); } }

    /// <summary>One line of output, or null when that stream has ended.</summary>
    private void Append(StringBuilder sb, string? line)
    {
        lock (_gate)
        {
            if (line is null) _streamsClosed++;
            else { sb.AppendLine(line); _lines.Add(line); }
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits for an output line (stdout or stderr) matching <paramref name="predicate"/>; null on timeout or exit.</summary>
    public string? WaitForLine(Func<string, bool> predicate, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        lock (_gate)
        {
            int seen = 0;
            while (true)
            {
                for (; seen < _lines.Count; seen++) if (predicate(_lines[seen])) return _lines[seen];
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero || _streamsClosed == 2) return null;
                Monitor.Wait(_gate, left);
            }
        }
    }

    public async Task<ProcessResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        bool timedOut = false;
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { timedOut = true; Kill(); await _process.WaitForExitAsync(); }
        _process.WaitForExit(); // drains the asynchronous output readers
        return new ProcessResult(_process.ExitCode, StandardOutput, StandardError, timedOut);
    }

    /// <summary>Asks the process to stop (SIGTERM), then kills it if it has not exited within <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited) return;
        kill(_process.Id, 15);
        using var cts = new CancellationTokenSource(grace);
        try { await _process.WaitForExitAsync(cts.Token); }
        catch (OperationCanceledException) { Kill(); }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);

    public static async Task<ProcessResult> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout)
    {
        using var p = new RunningProcess(file, args);
        return await p.WaitAsync(timeout);
    }
}
