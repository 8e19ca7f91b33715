using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;

namespace CosmosNet.Drivers.Virtio;

/// <summary>
/// The virtio 1.x "modern" PCI transport (§4.1): the vendor capabilities locate the common configuration, the
/// notification area, the ISR byte and the device-specific configuration inside the memory BARs. Transitional
/// devices (legacy I/O BAR as well) are driven through the same capabilities; the legacy interface is never used.
/// </summary>
public sealed unsafe class VirtioPci
{
    public const ushort VendorRedHat = 0x1AF4;

    /// <summary>Device status bits (§2.1).</summary>
    public const byte Acknowledge = 1, Driver = 2, DriverOk = 4, FeaturesOk = 8, NeedsReset = 64, Failed = 128;
    public const int FeatureVersion1 = 32, FeatureEventIdx = 29;
    public const ushort NoVector = 0xFFFF;

    const byte VendorCapability = 0x09;
    const byte CommonCfg = 1, NotifyCfg = 2, IsrCfg = 3, DeviceCfg = 4;

    // Common configuration registers (struct virtio_pci_common_cfg).
    const int DeviceFeatureSelect = 0, DeviceFeature = 4, DriverFeatureSelect = 8, DriverFeature = 12, MsixConfig = 16,
        NumQueues = 18, DeviceStatus = 20, ConfigGeneration = 21, QueueSelect = 22, QueueSize = 24, QueueMsixVector = 26,
        QueueEnable = 28, QueueNotifyOff = 30, QueueDesc = 32, QueueDriver = 40, QueueDevice = 48;

    readonly byte* _common, _notify, _isr, _device;
    readonly uint _notifyMultiplier;

    public PciConfig Pci { get; }

    VirtioPci(PciConfig pci, byte* common, byte* notify, uint notifyMultiplier, byte* isr, byte* device)
    {
        Pci = pci;
        _common = common; _notify = notify; _notifyMultiplier = notifyMultiplier; _isr = isr; _device = device;
    }

    /// <summary>Finds the modern capabilities, maps their BARs and enables memory decoding and bus mastering.
    /// Null when a required structure is missing (a legacy-only device) or lives in an I/O BAR.</summary>
    public static VirtioPci? Open(PciConfig pci)
    {
        byte* common = null, notify = null, isr = null, device = null;
        uint multiplier = 0;
        if ((pci.Read16(0x06) & 0x10) == 0) return null;      // no capability list
        int offset = pci.Read8(0x34) & 0xFC;
        for (int guard = 0; offset >= 0x40 && guard < 48; guard++, offset = pci.Read8(offset + 1) & 0xFC)
        {
            if (pci.Read8(offset) != VendorCapability) continue;
            byte type = pci.Read8(offset + 3), bar = pci.Read8(offset + 4);
            uint at = pci.Read32(offset + 8), length = pci.Read32(offset + 12);
            if (bar > 5 || length == 0) continue;
            ulong baseAddress = pci.MemoryBar(bar);
            if (baseAddress == 0) continue;
            byte* p = (byte*)(baseAddress + at);
            // The first structure of each type is the one to use (§4.1.4).
            switch (type)
            {
                case CommonCfg when common == null: Map(p, length); common = p; break;
                case NotifyCfg when notify == null: Map(p, length); notify = p; multiplier = pci.Read32(offset + 16); break;
                case IsrCfg when isr == null: Map(p, length); isr = p; break;
                case DeviceCfg when device == null: Map(p, length); device = p; break;
            }
        }
        if (common == null || notify == null || device == null) return null;
        pci.SetCommand(0x6, 0);                               // memory space + bus master (DMA)
        return new VirtioPci(pci, common, notify, multiplier, isr, device);
    }

    static void Map(byte* p, uint length) => Mmio.Map((ulong)p, length);

    public byte Status
    {
        get => Mmio.Read8(_common + DeviceStatus);
        set => Mmio.Write8(_common + DeviceStatus, value);
    }

    /// <summary>Resets the device and waits (bounded) until it reports status 0. Returns whether it did.</summary>
    public bool Reset()
    {
        Status = 0;
        for (int i = 0; i < 1_000_000; i++)
            if (Status == 0) return true;
        return false;
    }

    public ulong DeviceFeatures
    {
        get
        {
            Write32(DeviceFeatureSelect, 0);
            ulong low = Read32(DeviceFeature);
            Write32(DeviceFeatureSelect, 1);
            return low | (ulong)Read32(DeviceFeature) << 32;
        }
    }

    /// <summary>Acknowledges the device, accepts <paramref name="wanted"/> ∩ offered and sets FEATURES_OK. Returns
    /// the accepted set, or null when the device rejects it or lacks a <paramref name="required"/> feature (the
    /// device is then marked FAILED).</summary>
    public ulong? Negotiate(ulong wanted, ulong required)
    {
        if (!Reset()) return null;
        Status = Acknowledge;
        Status = Acknowledge | Driver;
        ulong accepted = DeviceFeatures & wanted;
        if ((accepted & required) != required) { Status = Failed; return null; }
        Write32(DriverFeatureSelect, 0);
        Write32(DriverFeature, (uint)accepted);
        Write32(DriverFeatureSelect, 1);
        Write32(DriverFeature, (uint)(accepted >> 32));
        Status = Acknowledge | Driver | FeaturesOk;
        if ((Status & FeaturesOk) == 0) { Status = Failed; return null; }
        return accepted;
    }

    public int QueueCount => Read16(NumQueues);

    /// <summary>Largest size the device allows for queue <paramref name="index"/> (0: the queue does not exist).</summary>
    public ushort MaxQueueSize(ushort index)
    {
        Write16(QueueSelect, index);
        return Read16(QueueSize);
    }

    /// <summary>Creates queue <paramref name="index"/> with at most <paramref name="maxSize"/> entries, programs it into
    /// the device and enables it. Null when the device has no such queue.</summary>
    public Virtqueue? CreateQueue(ushort index, ushort maxSize, bool eventIdx)
    {
        ushort deviceMax = MaxQueueSize(index);
        if (deviceMax == 0) return null;
        ushort size = 1;
        while (size * 2 <= Math.Min(deviceMax, maxSize)) size *= 2;
        Write16(QueueSelect, index);
        ushort* doorbell = (ushort*)(_notify + (ulong)Read16(QueueNotifyOff) * _notifyMultiplier);
        var queue = new Virtqueue(index, size, doorbell, eventIdx);
        Write16(QueueSize, size);
        Write64(QueueDesc, queue.DescriptorTable);
        Write64(QueueDriver, queue.DriverRing);
        Write64(QueueDevice, queue.DeviceRing);
        Write16(QueueMsixVector, NoVector);
        Write16(QueueEnable, 1);
        return queue;
    }

    /// <summary>Routes a queue's interrupts to MSI-X table entry <paramref name="entry"/> (or <see cref="NoVector"/>).
    /// Returns whether the device accepted it.</summary>
    public bool SetQueueVector(ushort index, ushort entry)
    {
        Write16(QueueSelect, index);
        Write16(QueueMsixVector, entry);
        return Read16(QueueMsixVector) == entry;
    }

    /// <summary>Routes configuration-change interrupts to MSI-X table entry <paramref name="entry"/>.</summary>
    public bool SetConfigVector(ushort entry)
    {
        Write16(MsixConfig, entry);
        return Read16(MsixConfig) == entry;
    }

    /// <summary>Reads and thereby clears the ISR status (bit 0 queue, bit 1 configuration change), which also deasserts
    /// INTx. 0 without an ISR structure.</summary>
    public byte ReadIsr() => _isr == null ? (byte)0 : Mmio.Read8(_isr);

    public bool HasIsr => _isr != null;

    public byte ConfigGenerationCount => Mmio.Read8(_common + ConfigGeneration);

    public byte DeviceConfig8(int offset) => Mmio.Read8(_device + offset);
    public ushort DeviceConfig16(int offset) => Mmio.Read16(_device + offset);

    uint Read32(int register) => Mmio.Read32(_common + register);
    void Write32(int register, uint value) => Mmio.Write32(_common + register, value);
    ushort Read16(int register) => Mmio.Read16(_common + register);
    void Write16(int register, ushort value) => Mmio.Write16(_common + register, value);
    void Write64(int register, ulong value)
    {
        Write32(register, (uint)value);                  // two 32-bit halves, low first (§4.1.3.1)
        Write32(register + 4, (uint)(value >> 32));
    }
}
