using System.Diagnostics;
using System.Text;

namespace CosmosNet.Harness;

/// <summary>One serial line and when the host saw it, from the emulator's start.</summary>
public readonly record struct SerialLine(TimeSpan At, string Text);

/// <summary>A running emulator: its serial output captured line by line with host time stamps (from its stdout,
/// or by following a file the emulator writes COM1 to). Killed with its process tree on dispose, after its
/// maximum lifetime, or when the host process exits, whichever comes first.</summary>
public sealed class Guest : IDisposable
{
    public static readonly TimeSpan DefaultMaxLifetime = TimeSpan.FromMinutes(15);

    readonly Process _process;
    readonly Stopwatch _clock = new();
    readonly List<SerialLine> _lines = [];
    readonly StringBuilder _partial = new();
    readonly Timer _killer;
    readonly Action<SerialLine>? _onLine;
    readonly string? _serialFile;
    readonly Thread? _follower;
    bool _disposed;

    public Guest(IReadOnlyList<string> command, TimeSpan? maxLifetime = null, Action<SerialLine>? onLine = null,
        string? serialFile = null, IDictionary<string, string>? environment = null)
    {
        Command = command;
        _onLine = onLine;
        _serialFile = serialFile;
        var info = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = Repository.Root,
        };
        foreach (var a in command.Skip(1)) info.ArgumentList.Add(a);
        if (environment is not null) foreach (var (k, v) in environment) info.Environment[k] = v;
        _process = new Process { StartInfo = info };
        var emulatorOutput = new StringBuilder();
        if (serialFile is null)
        {
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) Add(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Add(e.Data); };
        }
        else
        {
            File.Delete(serialFile);
            _process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (emulatorOutput) emulatorOutput.AppendLine(e.Data); };
            _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (emulatorOutput) emulatorOutput.AppendLine(e.Data); };
        }
        EmulatorOutput = () => { lock (emulatorOutput) return emulatorOutput.ToString(); };
        _clock.Start();
        _process.Start();
        Processes.Track(_process);
        _process.StandardInput.Close();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (serialFile is not null) { _follower = new Thread(Follow) { IsBackground = true, Name = "serial file" }; _follower.Start(); }
        _killer = new Timer(_ => Processes.Kill(_process), null, maxLifetime ?? DefaultMaxLifetime, Timeout.InfiniteTimeSpan);
    }

    public IReadOnlyList<string> Command { get; }
    /// <summary>The emulator's pid (QEMU's own: `ip netns exec` execs it).</summary>
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;
    public TimeSpan Elapsed => _clock.Elapsed;
    /// <summary>What the emulator itself printed when the serial port goes to a file (Bochs).</summary>
    public Func<string> EmulatorOutput { get; }

    public IReadOnlyList<SerialLine> Lines { get { lock (_lines) return _lines.ToArray(); } }
    public string Output { get { lock (_lines) return Join(_lines); } }

    static string Join(IEnumerable<SerialLine> lines) => string.Concat(lines.Select(l => l.Text + "\n"));

    void Add(string raw)
    {
        var line = new SerialLine(_clock.Elapsed, raw.Replace("\r", ""));
        lock (_lines) _lines.Add(line);
        _onLine?.Invoke(line);
    }

    /// <summary>Follows the serial file until the emulator has exited and everything it wrote was read.</summary>
    void Follow()
    {
        long offset = 0;
        var decoder = Encoding.UTF8.GetDecoder();
        var bytes = new byte[64 * 1024];
        var chars = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        while (true)
        {
            bool exited = _process.HasExited;
            if (File.Exists(_serialFile))
            {
                using var file = new FileStream(_serialFile!, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                file.Position = offset;
                int n;
                while ((n = file.Read(bytes)) > 0)
                {
                    offset += n;
                    int count = decoder.GetChars(bytes, 0, n, chars, 0);
                    for (int i = 0; i < count; i++)
                    {
                        if (chars[i] == '\n') { Add(_partial.ToString()); _partial.Clear(); }
                        else _partial.Append(chars[i]);
                    }
                }
            }
            if (exited) break;
            Thread.Sleep(20);
        }
        if (_partial.Length > 0) { Add(_partial.ToString()); _partial.Clear(); }
    }

    /// <summary>Waits for the first line containing <paramref name="text"/>; throws if the guest stops or the
    /// time runs out first, with the serial output's tail.</summary>
    public SerialLine WaitForLine(string text, TimeSpan timeout) =>
        WaitForLine(l => l.Contains(text, StringComparison.Ordinal), timeout, $"a line containing '{text}'");

    public SerialLine WaitForLine(Func<string, bool> match, TimeSpan timeout, string what = "a matching line")
    {
        var deadline = _clock.Elapsed + timeout;
        while (true)
        {
            lock (_lines) foreach (var line in _lines) if (match(line.Text)) return line;
            if (_process.HasExited && (_follower is null || !_follower.IsAlive))
            {
                _process.WaitForExit();   // flushes the last lines
                lock (_lines) foreach (var line in _lines) if (match(line.Text)) return line;
                throw new GuestException($"the guest stopped (exit {_process.ExitCode}) before {what}:\n{Tail()}");
            }
            if (_clock.Elapsed > deadline) throw new GuestException($"no {what} within {timeout.TotalSeconds:F0} s:\n{Tail()}");
            Thread.Sleep(20);
        }
    }

    /// <summary>Waits for the emulator to end; kills it after <paramref name="timeout"/>.</summary>
    public GuestRun WaitForExit(TimeSpan timeout)
    {
        bool exited = _process.WaitForExit(timeout);
        if (!exited) Processes.Kill(_process);
        _process.WaitForExit();   // drains stdout
        _follower?.Join();
        var elapsed = _clock.Elapsed;
        var lines = Lines;
        return new GuestRun(Join(lines), exited ? _process.ExitCode : -1, !exited, elapsed, lines);
    }

    public string Tail(int lines = 25) { lock (_lines) return string.Join('\n', _lines.TakeLast(lines).Select(l => l.Text)); }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _killer.Dispose();
        Processes.Kill(_process);
        _follower?.Join();
        Processes.Forget(_process);
        _process.Dispose();
    }
}

public sealed class GuestException(string message) : Exception(message);

/// <summary>One boot to its end: the serial output (also as time-stamped lines), the emulator's exit status,
/// whether it was killed on timeout.</summary>
public sealed record GuestRun(string Output, int ExitCode, bool TimedOut, TimeSpan Elapsed, IReadOnlyList<SerialLine> Serial)
{
    public IEnumerable<string> Lines => Output.Split('\n');
    public string Tail(int lines = 25) => string.Join('\n', Output.Split('\n').TakeLast(lines));
}
