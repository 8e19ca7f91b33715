namespace CosmosNet.Drivers.Net;

/// <summary>
/// Every NIC driver the host layer may probe, in preference order (without <c>nic=</c> the first card on the bus
/// that a driver claims is taken). Adding a driver: its file in Drivers/Net and one line here.
/// </summary>
public static class NicDrivers
{
    public static readonly NicDriver[] All =
    [
        new("e1000", "Intel 82540EM/82545EM (QEMU -device e1000, Bochs, VMware e1000)", E1000.Ids, E1000.Probe),
    ];

    /// <summary>The driver claiming a vendor/device pair, or null.</summary>
    public static NicDriver? For(PciId id)
    {
        foreach (var driver in All)
            if (Array.IndexOf(driver.Ids, id) >= 0) return driver;
        return null;
    }
}
