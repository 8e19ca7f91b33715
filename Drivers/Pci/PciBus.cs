namespace CosmosNet.Drivers.Pci;

/// <summary>Brute-force enumeration of PCI functions through configuration mechanism #1.</summary>
public static class PciBus
{
    /// <summary>The first function with this vendor/device ID, or null.</summary>
    public static PciConfig? Find(ushort vendor, ushort device)
    {
        for (int bus = 0; bus < 256; bus++)
            for (int dev = 0; dev < 32; dev++)
            {
                var f0 = new PciConfig((byte)bus, (byte)dev, 0);
                if (!f0.Exists) continue;
                int functions = (f0.Read8(0x0E) & 0x80) != 0 ? 8 : 1;   // header type bit 7: multi-function
                for (int fn = 0; fn < functions; fn++)
                {
                    var f = new PciConfig((byte)bus, (byte)dev, (byte)fn);
                    if (f.Exists && f.Read16(0) == vendor && f.Read16(2) == device) return f;
                }
            }
        return null;
    }
}
