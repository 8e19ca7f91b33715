namespace CosmosNet.Harness;

/// <summary>The network cards a guest can be given; each maps to one QEMU device model.</summary>
public enum Nic { Virtio, Rtl8139, E1000, E1000e, Vmxnet3 }

public static class Nics
{
    /// <summary>The NIC when nothing says otherwise: COSMOS_NIC if set (e.g. `make test NIC=virtio` via the
    /// Makefile), else e1000.</summary>
    public static Nic Default { get; } = Environment.GetEnvironmentVariable("COSMOS_NIC") is { Length: > 0 } n ? Parse(n) : Nic.E1000;

    public static string QemuDevice(this Nic nic) => nic switch
    {
        Nic.Virtio => "virtio-net-pci",
        Nic.Rtl8139 => "rtl8139",
        Nic.E1000 => "e1000",
        Nic.E1000e => "e1000e",
        Nic.Vmxnet3 => "vmxnet3",
        _ => throw new ArgumentOutOfRangeException(nameof(nic), nic, null),
    };

    /// <summary>"virtio", "rtl8139", "e1000", "e1000e" or "vmxnet3" (any case).</summary>
    public static Nic Parse(string name) => Enum.TryParse<Nic>(name, ignoreCase: true, out var nic) && Enum.IsDefined(nic)
        ? nic
        : throw new ArgumentException($"unknown NIC '{name}' (one of: {string.Join(", ", Enum.GetNames<Nic>().Select(n => n.ToLowerInvariant()))})");
}
