namespace CosmosNet.Harness;

/// <summary>The one definition of the Bochs boot: Boot/bochsrc.txt with the ISO, COM1 and the log named by
/// environment variables (Bochs exits 1 however the guest stops it; the serial output tells how it ended).</summary>
public static class Bochs
{
    public const string Executable = "bochs";

    /// <summary>The MAC of the e1000 that <see cref="Start"/> gives a guest with a network (QEMU's default too).</summary>
    public const string NicMac = "52:54:00:12:34:56";

    /// <summary>Starts Bochs on <paramref name="iso"/>; COM1 goes to bochs-serial.txt beside the ISO and is
    /// followed line by line. With <paramref name="consolePort"/>, COM2 (the diagnostics console) is a TCP server on
    /// that port of 127.0.0.1, and Bochs waits for a client to connect before it starts the guest. With
    /// <paramref name="network"/> the guest gets Bochs's e1000 (82540EM, INTx) on its slirp network (10.0.2.0/24, DHCP;
    /// QEMU's user network in Bochs), with the forwards in bochs-slirp.conf beside the ISO.</summary>
    public static Guest Start(string iso, TimeSpan? maxLifetime = null, Action<SerialLine>? onLine = null, int? consolePort = null,
        UserNetwork? network = null)
    {
        iso = Repository.PathOf(iso);
        string dir = Path.GetDirectoryName(iso)!;
        // A boot with the console gets files of its own: it may run beside the plain boot of the same ISO.
        string suffix = consolePort is null ? "" : "-console";
        string serial = Path.Combine(dir, $"bochs-serial{suffix}.txt");
        var env = new Dictionary<string, string>
        {
            ["COSMOS_ISO"] = iso, ["COSMOS_SERIAL"] = serial, ["COSMOS_BOCHS_LOG"] = Path.Combine(dir, $"bochs{suffix}.log"),
            ["COSMOS_CONSOLE_MODE"] = consolePort is null ? "null" : "socket-server",
            ["COSMOS_CONSOLE_DEV"] = consolePort is { } port ? $"127.0.0.1:{port}" : "none",
        };
        List<string> command = [Executable, "-q", "-f", Path.Combine(Repository.Root, "Boot", "bochsrc.txt"),
            "-rc", Path.Combine(Repository.Root, "Boot", "bochs.rc")];
        if (network is not null) command.Add(NetworkOption(network, dir));   // bochsrc lines may follow the options
        return new Guest(command, maxLifetime, onLine, serial, env);
    }

    /// <summary>The bochsrc line of the NIC; writes the slirp configuration its forwards need.</summary>
    static string NetworkOption(UserNetwork network, string dir)
    {
        string conf = Path.Combine(dir, "bochs-slirp.conf");
        File.WriteAllLines(conf, ["# slirp config", .. network.Forwards.Select(f => $"hostfwd = tcp:{f.HostAddress}:{f.HostPort}-:{f.GuestPort}")]);
        return $"e1000: enabled=1, mac={NicMac}, ethmod=slirp, script={conf}";
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
