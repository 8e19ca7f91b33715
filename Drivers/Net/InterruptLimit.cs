namespace CosmosNet.Drivers.Net;

/// <summary>
/// The kernel command line's <c>nic.irq=msix|msi|intx</c>: the most capable interrupt mode a driver may use (MSI-X
/// when absent). It exists so the MSI and INTx fallbacks of cards that offer MSI-X can be exercised under QEMU.
/// </summary>
static class InterruptLimit
{
    static readonly string s_mode = NicOption.Read("nic.irq=", "msix");

    public static bool AllowsMsiX => s_mode == "msix";
    public static bool AllowsMsi => s_mode != "intx";
}

/// <summary>
/// The kernel command line's <c>nic.offload=on|off</c>, for the e1000 family and vmxnet3 (virtio-net negotiates its
/// offloads with the device instead). <c>on</c> (the default): checksum offload, TCP segmentation, and vmxnet3's
/// receive checksums and large receive offload. <c>off</c>: none (one MSS per frame, every checksum by the stack), so
/// the plain paths stay exercised under QEMU.
/// </summary>
static class OffloadLimit
{
    static readonly string s_mode = NicOption.Read("nic.offload=", "on");

    public static bool Allows => s_mode != "off";
}

static class NicOption
{
    public static string Read(string prefix, string fallback)
    {
        foreach (var a in Environment.GetCommandLineArgs())
            if (a.StartsWith(prefix, StringComparison.Ordinal)) return a[prefix.Length..];
        return fallback;
    }
}
