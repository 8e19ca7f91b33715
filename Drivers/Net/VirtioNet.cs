using CosmosNet.Drivers.Pci;
using CosmosNet.Drivers.Virtio;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// virtio-net (QEMU <c>-device virtio-net-pci</c>, transitional 1af4:1000 or modern-only 1af4:1041) over the modern
/// PCI transport: queue 0 receives, queue 1 transmits, one 2 KiB buffer per descriptor on both. Features:
/// VERSION_1 (required), EVENT_IDX, MRG_RXBUF, MAC, STATUS when offered; no checksum or segmentation offload, so every
/// frame carries its own checksums and no frame exceeds 1518 bytes. The receive interrupt (MSI-X, else INTx) fires
/// once and is re-armed by <see cref="Poll"/> after it drained the ring; transmit completions raise no interrupt
/// and are reclaimed when descriptors run short. Doorbells are rung only when the device asks for them (EVENT_IDX),
/// at most once per <see cref="Poll"/> for the frames sent while delivering.
/// </summary>
public sealed unsafe class VirtioNet : INic
{
    /// <summary>Transitional (legacy + modern interface) and modern-only virtio-net.</summary>
    public static readonly PciId[] Ids = [new(VirtioPci.VendorRedHat, 0x1000), new(VirtioPci.VendorRedHat, 0x1041)];

    const int FeatureMac = 5, FeatureMergeableRx = 15, FeatureStatus = 16;
    const ulong Wanted = 1UL << VirtioPci.FeatureVersion1 | 1UL << VirtioPci.FeatureEventIdx | 1UL << FeatureMac
        | 1UL << FeatureMergeableRx | 1UL << FeatureStatus;
    const ushort StatusLinkUp = 1;
    const ushort RxQueue = 0, TxQueue = 1, QueueSize = 256;
    /// <summary>struct virtio_net_hdr with VERSION_1: always 12 bytes, num_buffers last.</summary>
    const int HeaderSize = 12, BufferSize = 2048, MaxFrame = 1514 + 4;   // + a VLAN tag
    /// <summary>How long a full transmit ring is waited for (the device's transmit runs on QEMU's main loop, which a
    /// busy host may not schedule for milliseconds) before the frame is dropped and TCP has to retransmit it.</summary>
    const ulong TxWaitNanoseconds = 20_000_000;

    readonly VirtioPci _device;
    readonly Virtqueue _rx, _tx;
    readonly byte* _rxBuffers, _txBuffers;
    readonly ushort[] _txFree;
    readonly bool[] _txBusy;
    readonly bool _mergeable, _hasStatus;
    int _txFreeCount, _rxSkip;
    bool _linkUp, _txStalled;
    int _batchDepth;                                         // open transmit batches: frames wait for the outermost end
    volatile bool _configChanged;
    delegate*<void> _wake;
    FrameHandler? _handler;

    public string Model => "virtio";
    public PciConfig Pci => _device.Pci;
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public bool LinkUp => _linkUp;
    public NicCounters Counters { get; } = new();
    /// <summary>The features both sides agreed on (bit numbers as in the virtio specification).</summary>
    public ulong Features { get; }
    /// <summary>Doorbells rung on the receive and transmit queues (each one runs device code under TCG).</summary>
    public ulong RxNotifications => _rx.Notifications;
    public ulong TxNotifications => _tx.Notifications;

    VirtioNet(VirtioPci device, ulong features)
    {
        _device = device;
        Features = features;
        bool eventIdx = Has(VirtioPci.FeatureEventIdx);
        _mergeable = Has(FeatureMergeableRx);
        _hasStatus = Has(FeatureStatus);
        _rx = device.CreateQueue(RxQueue, QueueSize, eventIdx)!;   // Probe checked that both exist
        _tx = device.CreateQueue(TxQueue, QueueSize, eventIdx)!;

        _rxBuffers = (byte*)DmaMemory.AllocatePages((ulong)_rx.Size * BufferSize / 4096);
        for (ushort i = 0; i < _rx.Size; i++)
        {
            _rx.SetDescriptor(i, (ulong)(_rxBuffers + i * BufferSize), BufferSize, deviceWrites: true);
            _rx.Publish(i);
        }
        _rx.DisableInterrupt();                              // until an interrupt is bound
        _txBuffers = (byte*)DmaMemory.AllocatePages((ulong)_tx.Size * BufferSize / 4096);
        _txFree = new ushort[_tx.Size];
        _txBusy = new bool[_tx.Size];
        for (ushort i = 0; i < _tx.Size; i++)
        {
            _tx.SetDescriptor(i, (ulong)(_txBuffers + i * BufferSize), 0, deviceWrites: false);
            _txFree[_txFreeCount++] = i;
        }
        _tx.DisableInterrupt();

        MacAddress = Has(FeatureMac) ? ReadMac() : RandomMac();
        _linkUp = !_hasStatus || (device.DeviceConfig16(6) & StatusLinkUp) != 0;
        device.Status = VirtioPci.Acknowledge | VirtioPci.Driver | VirtioPci.FeaturesOk | VirtioPci.DriverOk;
        _rx.Kick();                                          // the device may look at the filled ring now
    }

    bool Has(int feature) => (Features & 1UL << feature) != 0;

    /// <summary>Resets and initialises the card (queues filled, no interrupt yet); null when it is not a modern
    /// virtio-net or refuses the features.</summary>
    public static INic? Probe(PciConfig pci)
    {
        ushort vendor = pci.Read16(0), id = pci.Read16(2);
        if (vendor != VirtioPci.VendorRedHat || (id != 0x1041 && !(id == 0x1000 && pci.Read16(0x2E) == 1))) return null;
        var device = VirtioPci.Open(pci);
        if (device is null) { Console.WriteLine("virtio-net: no modern (virtio 1.0) interface; legacy-only devices are not supported"); return null; }
        if (device.MaxQueueSize(RxQueue) == 0 || device.MaxQueueSize(TxQueue) == 0) { Console.WriteLine("virtio-net: no receive/transmit queue pair"); return null; }
        if (device.Negotiate(Wanted, required: 1UL << VirtioPci.FeatureVersion1) is not { } features)
        {
            Console.WriteLine("virtio-net: the device refused the features");
            return null;
        }
        return new VirtioNet(device, features);
    }

    /// <summary>A locally administered unicast address, for a device that offers none.</summary>
    static MacAddress RandomMac()
    {
        Span<byte> b = stackalloc byte[6];
        System.Security.Cryptography.RandomNumberGenerator.Fill(b);
        b[0] = (byte)((b[0] & 0xFE) | 0x02);
        return MacAddress.Read(b);
    }

    MacAddress ReadMac()
    {
        // The 6 bytes may change under us (config_generation): read until the generation holds (a bounded number of times).
        ulong v = 0;
        for (int attempt = 0; attempt < 100; attempt++)
        {
            byte generation = _device.ConfigGenerationCount;
            v = 0;
            for (int i = 0; i < 6; i++) v = v << 8 | _device.DeviceConfig8(i);
            if (generation == _device.ConfigGenerationCount) break;
        }
        return new MacAddress(v);
    }

    public string? BindInterrupt(delegate*<void> wake)
    {
        _wake = wake;
        nint context = InterruptContext.For(this);
        string? how = null;
        int entries = Msi.MsiXTableSize(Pci);
        if (entries > 0)
        {
            // Entry 0: receive; entry 1: configuration changes (with a one-entry table, entry 0 for both, and every
            // interrupt looks at the link). Transmit completions: no interrupt.
            ushort configEntry = (ushort)(entries > 1 ? 1 : 0);
            int vector = Msi.EnableMsiXEntry(Pci, 0, configEntry == 0 ? &OnConfigInterrupt : &OnQueueInterrupt, context);
            int configVector = configEntry == 0 ? vector : Msi.EnableMsiXEntry(Pci, configEntry, &OnConfigInterrupt, context);
            if (vector >= 0 && configVector >= 0 && _device.SetQueueVector(RxQueue, 0) && _device.SetQueueVector(TxQueue, VirtioPci.NoVector)
                && (!_hasStatus || _device.SetConfigVector(configEntry)))
                how = $"MSI-X vector 0x{vector:x}" + (configEntry != 0 ? $", configuration 0x{configVector:x}" : "");
            else DisableMsiX();
        }
        if (how is null && _device.HasIsr)
        {
            int line = Pci.Read8(0x3C);
            int vector = line is > 0 and < 16 ? Irq.AttachIsa(line, &OnIntx, context) : -1;
            if (vector >= 0)
            {
                Pci.SetCommand(0, 0x400);                      // INTx enabled
                how = $"INTx IRQ {line} vector 0x{vector:x}";
            }
        }
        if (how is null) return null;
        if (!_rx.EnableInterrupt()) wake();                  // frames already waiting
        return how;
    }

    void DisableMsiX()
    {
        int cap = Pci.FindCapability(0x11);
        if (cap != 0) Pci.Write16(cap + 2, (ushort)(Pci.Read16(cap + 2) & ~0x8000));
    }

    static void OnQueueInterrupt(nint context)
    {
        if (InterruptContext.Get<VirtioNet>(context) is not { } card) return;
        card.Counters.Interrupts++;
        if (card._wake != null) card._wake();
    }

    static void OnConfigInterrupt(nint context)
    {
        if (InterruptContext.Get<VirtioNet>(context) is not { } card) return;
        card._configChanged = true;
        OnQueueInterrupt(context);
    }

    static void OnIntx(nint context)
    {
        if (InterruptContext.Get<VirtioNet>(context) is not { } card) return;
        byte isr = card._device.ReadIsr();                  // acknowledges and deasserts the level-triggered line
        if (isr == 0) return;                                // a device sharing the line
        if ((isr & 2) != 0) card._configChanged = true;
        card.Counters.Interrupts++;
        if (card._wake != null) card._wake();
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public bool Poll()
    {
        bool work = false;
        if (_configChanged) { _configChanged = false; work |= CheckLink(); }
        work |= ReclaimTransmitted();
        BeginTransmitBatch();                                // frames sent while delivering share one doorbell
        try
        {
            _rx.DisableInterrupt();                          // quiet while draining (without EVENT_IDX it is not one-shot)
            while (true)
            {
                int taken = 0;
                while (_rx.TryTakeUsed(out uint id, out uint length))
                {
                    Receive(id, length);
                    if (++taken % 64 == 0) _rx.Kick();       // long drains hand buffers back as they go
                }
                work |= taken != 0;
                _rx.Kick();
                if (_wake == null || _rx.EnableInterrupt()) break;   // polled only: nothing to re-arm
            }
        }
        finally
        {
            EndTransmitBatch();
        }
        return work;
    }

    void Receive(uint id, uint length)
    {
        length = (uint)NicFault.RxLength((int)length);
        if (id >= _rx.Size) { Counters.DroppedMalformed++; return; }   // not a buffer of ours: nothing to give back
        byte* buffer = _rxBuffers + id * BufferSize;
        if (_rxSkip > 0) _rxSkip--;                          // the rest of a frame too big to take
        else if (length < HeaderSize + 14 || length > BufferSize) Counters.DroppedMalformed++;
        else
        {
            int buffers = _mergeable ? *(ushort*)(buffer + 10) : 1;
            int frameLength = (int)length - HeaderSize;
            if (buffers == 0) Counters.DroppedMalformed++;
            else if (buffers > 1 || frameLength > MaxFrame) { Counters.DroppedOversized++; _rxSkip = Math.Min(buffers - 1, _rx.Size); }
            else
            {
                Counters.FramesIn++;
                Counters.BytesIn += (ulong)frameLength;
                _handler?.Invoke(new ReadOnlySpan<byte>(buffer + HeaderSize, frameLength));
            }
        }
        _rx.Publish((ushort)id);                             // the descriptor still points at its buffer
    }

    bool ReclaimTransmitted()
    {
        bool any = false;
        while (_tx.TryTakeUsed(out uint id, out _))
        {
            if (id >= _tx.Size || !_txBusy[id]) continue;    // not one we handed over: a device error, ignored
            _txBusy[id] = false;
            _txFree[_txFreeCount++] = (ushort)id;
            any = true;
        }
        if (any)
        {
            _txStalled = false;
            _tx.DisableInterrupt();                          // keep the "no interrupt" mark ahead of the used index
        }
        return any;
    }

    public void Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || frame.Length > MaxFrame) { Counters.DroppedTxInvalid++; return; }
        if (_txFreeCount == 0 && !WaitForTransmitDescriptor()) { Counters.DroppedTxFull++; return; }
        ushort id = _txFree[--_txFreeCount];
        _txBusy[id] = true;
        byte* buffer = _txBuffers + id * BufferSize;
        new Span<byte>(buffer, HeaderSize).Clear();           // no offload: flags, gso_type = 0
        frame.CopyTo(new Span<byte>(buffer + HeaderSize, BufferSize - HeaderSize));
        _tx.SetLength(id, (uint)(HeaderSize + frame.Length));
        _tx.Publish(id);
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
        if (_batchDepth == 0) _tx.Kick();
    }

    public void BeginTransmitBatch() => _batchDepth++;

    public void EndTransmitBatch()
    {
        if (_batchDepth > 0 && --_batchDepth == 0) _tx.Kick();
    }

    /// <summary>The ring is full: ring the doorbell (the device may be waiting for it) and wait a little for it to
    /// finish some frames. After one wait in vain (a stuck device) frames are dropped at once until it moves again.</summary>
    bool WaitForTransmitDescriptor()
    {
        _tx.Kick();
        if (ReclaimTransmitted()) return true;
        if (_txStalled) return false;
        ulong deadline = Clock.Nanoseconds + TxWaitNanoseconds;
        while (!ReclaimTransmitted())
            if (Clock.Nanoseconds > deadline) { _txStalled = true; return false; }
        return true;
    }

    /// <summary>Reads the link bit after a configuration-change interrupt; returns whether it changed.</summary>
    bool CheckLink()
    {
        if (!_hasStatus) return false;
        bool up = (_device.DeviceConfig16(6) & StatusLinkUp) != 0;
        if (up == _linkUp) return false;
        _linkUp = up;
        Counters.LinkChanges++;
        Console.WriteLine($"virtio-net {MacAddress}: link {(up ? "up" : "down")}");
        return true;
    }
}
