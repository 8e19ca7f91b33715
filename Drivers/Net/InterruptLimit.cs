namespace CosmosNet.Drivers.Net;

/// <summary>
/// The kernel command line's <c>nic.irq=msix|msi|intx</c>: the most capable interrupt mode a driver may use (MSI-X
/// when absent). It exists so the MSI and INTx fallbacks of cards that offer MSI-X can be exercised under QEMU.
/// </summary>
static class InterruptLimit
{
    static readonly string s_mode = Read();

    public static bool AllowsMsiX => s_mode == "msix";
    public static bool AllowsMsi => s_mode != "intx";

    static string Read()
    {
        foreach (var a in Environment.GetCommandLineArgs())
            if (a.StartsWith("nic.irq=", StringComparison.Ordinal)) return a[8..];
        return "msix";
    }
}
