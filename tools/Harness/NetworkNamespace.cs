namespace CosmosNet.Harness;

/// <summary>A fresh network namespace with a TAP device for a guest (needs root and /dev/net/tun); deleted on
/// dispose. Name it with something unique to the caller (e.g. its pid) so runs cannot collide.</summary>
public sealed class NetworkNamespace : IDisposable
{
    public string Name { get; }

    public NetworkNamespace(string name)
    {
        Name = name;
        Must("ip", "netns", "add", name);
        try { Must("ip", "-n", name, "link", "set", "lo", "up"); }
        catch { Dispose(); throw; }
    }

    /// <summary>Adds a TAP device with <paramref name="address"/> (CIDR) on the Linux side and brings it up.</summary>
    public TapNetwork AddTap(string device, string address)
    {
        Must("ip", "-n", Name, "tuntap", "add", "dev", device, "mode", "tap");
        Must("ip", "-n", Name, "addr", "add", address, "dev", device);
        Must("ip", "-n", Name, "link", "set", device, "up");
        return new TapNetwork(device, Name);
    }

    /// <summary>Runs a command inside the namespace to its end.</summary>
    public Processes.Result Exec(TimeSpan timeout, params string[] command) =>
        Processes.Run("ip", ["netns", "exec", Name, .. command], timeout, workingDirectory: "/");

    /// <summary>Runs `ip -n NAME ...` and throws if it fails.</summary>
    public void Ip(params string[] args) => Must(["ip", "-n", Name, .. args]);

    static void Must(params string[] command)
    {
        var r = Processes.Run(command[0], command[1..], TimeSpan.FromSeconds(10), workingDirectory: "/");
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"{string.Join(' ', command)} failed ({r.ExitCode}): {r.Output} (needs root and /dev/net/tun)");
    }

    public void Dispose() => Processes.Run("ip", ["netns", "del", Name], TimeSpan.FromSeconds(10), workingDirectory: "/");
}
