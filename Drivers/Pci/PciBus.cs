namespace CosmosNet.Drivers.Pci;

/// <summary>A base address register as the firmware programmed it: a memory or I/O address (0 = unassigned).</summary>
public readonly record struct PciBar(ulong Address, bool IsIo)
{
    public override string ToString() => Address == 0 ? "-" : IsIo ? $"io {Address:x}" : $"mem {Address:x}";
}

/// <summary>One PCI function found on the bus: where it is, what it is (IDs, class) and its BARs.</summary>
public sealed record PciFunction(PciConfig Config, ushort VendorId, ushort DeviceId, byte Class, byte Subclass, byte ProgIf, PciBar[] Bars)
{
    /// <summary>bus:device.function, as lspci prints it.</summary>
    public string Address => $"{Config.Bus:x2}:{Config.Device:x2}.{Config.Function}";

    public override string ToString() => $"{Address} {VendorId:x4}:{DeviceId:x4} class {Class:x2}:{Subclass:x2}";
}

/// <summary>Enumeration of PCI functions through configuration mechanism #1: bus 0 (and the root buses of further
/// host bridges), then every bus behind a PCI-to-PCI bridge, depth first. Only buses that exist are probed: a blind
/// walk of all 256 costs 8192 configuration reads, each a port write and read that an emulator runs in its device
/// model (tens of ms of the boot under TCG).</summary>
public static class PciBus
{
    /// <summary>Every function present, in discovery order (bus 0 by device and function, each bridge's bus where the
    /// bridge is found).</summary>
    public static List<PciFunction> Functions()
    {
        var found = new List<PciFunction>();
        var scanned = new bool[256];
        var hostBridge = new PciConfig(0, 0, 0);
        int roots = hostBridge.Exists && (hostBridge.Read8(0x0E) & 0x80) != 0 ? 8 : 1;   // one root bus per host bridge function
        for (int fn = 0; fn < roots; fn++)
            if (fn == 0 || new PciConfig(0, 0, (byte)fn).Exists) ScanBus(fn, found, scanned);
        return found;
    }

    static void ScanBus(int bus, List<PciFunction> found, bool[] scanned)
    {
        if (scanned[bus]) return;
        scanned[bus] = true;
        for (int dev = 0; dev < 32; dev++)
        {
            var f0 = new PciConfig((byte)bus, (byte)dev, 0);
            if (!f0.Exists) continue;
            int functions = (f0.Read8(0x0E) & 0x80) != 0 ? 8 : 1;   // header type bit 7: multi-function
            for (int fn = 0; fn < functions; fn++)
            {
                var f = new PciConfig((byte)bus, (byte)dev, (byte)fn);
                if (!f.Exists) continue;
                found.Add(Describe(f));
                if ((f.Read8(0x0E) & 0x7F) == 1) ScanBus(f.Read8(0x19), found, scanned);   // PCI-to-PCI bridge: its secondary bus
            }
        }
    }

    static PciFunction Describe(PciConfig f)
    {
        uint classReg = f.Read32(0x08);
        int barCount = (f.Read8(0x0E) & 0x7F) switch { 0 => 6, 1 => 2, _ => 0 };   // device, PCI bridge, other
        var bars = new PciBar[barCount];
        for (int i = 0; i < barCount; i++)
        {
            uint low = f.Read32(0x10 + i * 4);
            if ((low & 1) != 0) bars[i] = new PciBar(low & 0xFFFC, IsIo: true);
            else
            {
                bars[i] = new PciBar(f.MemoryBar(i), IsIo: false);
                if (((low >> 1) & 3) == 2 && i + 1 < barCount) bars[++i] = default;   // the upper half of a 64-bit BAR
            }
        }
        return new PciFunction(f, f.Read16(0), f.Read16(2), (byte)(classReg >> 24), (byte)(classReg >> 16), (byte)(classReg >> 8), bars);
    }
}
