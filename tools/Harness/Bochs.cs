namespace CosmosNet.Harness;

/// <summary>The one definition of the Bochs boot: Boot/bochsrc.txt with the ISO, COM1 and the log named by
/// environment variables (Bochs exits 1 however the guest stops it; the serial output tells how it ended).</summary>
public static class Bochs
{
    public const string Executable = "bochs";

    /// <summary>Starts Bochs on <paramref name="iso"/>; COM1 goes to bochs-serial.txt beside the ISO and is
    /// followed line by line. With <paramref name="consolePort"/>, COM2 (the diagnostics console) is a TCP server on
    /// that port of 127.0.0.1, and Bochs waits for a client to connect before it starts the guest.</summary>
    public static Guest Start(string iso, TimeSpan? maxLifetime = null, Action<SerialLine>? onLine = null, int? consolePort = null)
    {
        iso = Repository.PathOf(iso);
        string dir = Path.GetDirectoryName(iso)!;
        string serial = Path.Combine(dir, "bochs-serial.txt");
        var env = new Dictionary<string, string>
        {
            ["COSMOS_ISO"] = iso, ["COSMOS_SERIAL"] = serial, ["COSMOS_BOCHS_LOG"] = Path.Combine(dir, "bochs.log"),
            ["COSMOS_CONSOLE_MODE"] = consolePort is null ? "null" : "socket-server",
            ["COSMOS_CONSOLE_DEV"] = consolePort is { } port ? $"127.0.0.1:{port}" : "none",
        };
        string[] command = [Executable, "-q", "-f", Path.Combine(Repository.Root, "Boot", "bochsrc.txt"),
            "-rc", Path.Combine(Repository.Root, "Boot", "bochs.rc")];
        return new Guest(command, maxLifetime, onLine, serial, env);
    }

    /// <summary>Boots an ISO to its end (killed after <paramref name="timeout"/>).</summary>
    public static GuestRun Run(string iso, TimeSpan timeout)
    {
        using var guest = Start(iso, timeout + TimeSpan.FromMinutes(1));
        return guest.WaitForExit(timeout);
    }

    /// <summary>The status `make run-bochs` reports, from the serial output: 0 after Main returned 0, 3 on a
    /// panic, 1 otherwise.</summary>
    public static int Status(GuestRun run) =>
        run.Output.Contains("PANIC:") ? 3 : run.Output.Contains("Main returned 0") ? 0 : 1;
}
