namespace CosmosNet.Kernel.Hal;

/// <summary>
/// The diagnostics console on a serial port (COM2 by default; <c>console=com1</c> shares COM1 with the log,
/// <c>console=off</c> has none): type <c>help</c> there. The kernel registers its own commands (uptime, mem, gc,
/// threads, irq, trace, log, reboot, poweroff), the host layer the network's (net, conns); an app adds its own:
/// <code>DiagnosticsConsole.Register("cache", "cache [clear]: entries and hit rate", args => cache.Describe(args));</code>
/// A handler runs on the console's kernel thread (not the network loop: post to it for anything single-threaded)
/// and gets the words typed after the command's name; what it returns is the answer (lines). An exception it
/// throws is answered with one line, "error: name: message".
/// </summary>
public static class DiagnosticsConsole
{
    /// <summary>Adds a command. <paramref name="name"/>: 1-16 characters of a-z, 0-9, '-' and '_', not taken yet
    /// (<see cref="ArgumentException"/> otherwise); <paramref name="help"/>: its line in <c>help</c>.</summary>
    public static void Register(string name, string help, Func<string[], string> handler) => Console.Shell.Register(name, help, handler);

    /// <summary>"COM1" or "COM2" while the console runs, null without one.</summary>
    public static string? Port => Console.Shell.PortName;
}
