using CosmosNet.Drivers.Net;
using CosmosNet.Drivers.Pci;

namespace CosmosNet.Host;

/// <summary>Finds the NIC to use: scans the PCI bus, prints every function with the driver that claims it, and probes
/// the first claimed card (or the one <c>nic=</c> names, by driver or MAC address).</summary>
static class NicProbe
{
    /// <summary>The started card, or null (with the reason printed) when there is none to use.</summary>
    public static INic? Select(BootConfiguration boot)
    {
        string? model = boot.NicModel;
        if (model is not null && Array.FindIndex(NicDrivers.All, d => d.Name == model) < 0)
        {
            Console.WriteLine($"net: nic={model} names no driver (known: {string.Join(", ", NicDrivers.All.Select(d => d.Name))}); taking the first supported NIC");
            model = null;
        }

        var candidates = new List<(PciFunction Function, NicDriver Driver)>();
        foreach (var f in PciBus.Functions())
        {
            var driver = NicDrivers.For(new PciId(f.VendorId, f.DeviceId));
            Console.WriteLine(driver is null ? $"pci {f}" : $"pci {f} -> {driver.Name}");
            if (driver is not null && (model is null || driver.Name == model)) candidates.Add((f, driver));
        }

        foreach (var (function, driver) in candidates)
        {
            INic? nic;
            try { nic = driver.Probe(function.Config); }
            catch (Exception e) { Console.WriteLine($"net: {driver.Name} at {function.Address} failed: {e.Message}"); continue; }
            if (nic is null) { Console.WriteLine($"net: {driver.Name} cannot drive {function.Address}"); continue; }
            if (boot.NicMac is { } mac && nic.MacAddress != mac) continue;   // probed only to read its MAC
            return nic;
        }

        string wanted = boot.NicMac is { } m ? $"with MAC {m}" : model is not null ? $"for nic={model}" : "supported";
        Console.WriteLine($"net: no NIC {wanted} found (drivers: {string.Join(", ", NicDrivers.All.Select(d => d.Name))})");
        return null;
    }
}
