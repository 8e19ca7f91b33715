namespace CosmosNet.Drivers.Net;

/// <summary>
/// Every NIC driver the host layer may probe, in preference order (without <c>nic=</c> the first card on the bus
/// that a driver claims is taken). Adding a driver: its file in Drivers/Net and one line here.
/// </summary>
public static class NicDrivers
{
    public static readonly NicDriver[] All =
    [
        new("virtio", "virtio-net, virtio 1.0 modern PCI (QEMU -device virtio-net-pci, KVM, clouds)", VirtioNet.Ids, VirtioNet.Probe),
        new("e1000", "Intel 82540EM/82545EM (QEMU -device e1000, Bochs, VMware e1000)", E1000.Ids, E1000.Probe),
        new("e1000e", "Intel 82574L (QEMU -device e1000e, q35 and VMware default)", E1000e.Ids, E1000e.Probe),
        new("rtl8139", "Realtek RTL8139 (QEMU -device rtl8139)", Rtl8139.Ids, Rtl8139.Probe),
        new("vmxnet3", "VMware vmxnet3 (QEMU -device vmxnet3, VMware)", Vmxnet3.Ids, Vmxnet3.Probe),
    ];

    /// <summary>The driver claiming a vendor/device pair, or null.</summary>
    public static NicDriver? For(PciId id)
    {
        foreach (var driver in All)
            if (Array.IndexOf(driver.Ids, id) >= 0) return driver;
        return null;
    }
}
