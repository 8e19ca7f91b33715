using CosmosNet.Drivers.Pci;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static class PciTests
    {
        public static void Register()
        {
            Test("pci_config_space_reads_the_host_bridge", () =>
            {
                var bridge = new PciConfig(0, 0, 0);
                Check(bridge.Exists, "no device at 00:00.0");
                Check(bridge.Read16(0) == 0x8086, $"host bridge vendor {bridge.Read16(0):x4}");
                Check(bridge.Read8(0x0B) == 0x06, $"host bridge class {bridge.Read8(0x0B):x2}");   // bridge device
            });

            Test("pci_capability_walk_is_bounded_and_valid", () =>
            {
                int devices = 0;
                for (byte device = 0; device < 32; device++)
                {
                    var pci = new PciConfig(0, device, 0);
                    if (!pci.Exists) continue;
                    devices++;
                    foreach (byte id in new byte[] { 0x05, 0x11, 0x01 })
                    {
                        int offset = pci.FindCapability(id);
                        Check(offset == 0 || (offset >= 0x40 && offset < 0x100 && pci.Read8(offset) == id), $"{device}: capability {id:x2} at {offset:x2}");
                    }
                    Check(Msi.MsiXTableSize(pci) is >= 0 and <= 2048, "MSI-X table size out of range");
                }
                Check(devices >= 2, $"{devices} devices on bus 0");
            });
        }
    }
}
