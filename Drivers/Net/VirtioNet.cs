using CosmosNet.Drivers.Pci;
using CosmosNet.Drivers.Virtio;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// virtio-net (QEMU <c>-device virtio-net-pci</c>, transitional 1af4:1000 or modern-only 1af4:1041) over the modern
/// PCI transport: queue 0 receives, queue 1 transmits, one 2 KiB buffer per descriptor on both. Features:
/// VERSION_1 (required), EVENT_IDX, MRG_RXBUF, MAC, STATUS, CSUM and GUEST_CSUM when offered (a TAP backend offers
/// the checksum pair, QEMU's user network does not), and the TCP segmentation pair HOST_TSO4 and GUEST_TSO4 when the
/// device offers what they rest on (CSUM; GUEST_CSUM and MRG_RXBUF). With CSUM the stack leaves TCP checksums for the
/// device to finish (<see cref="IChecksumOffload"/>); with GUEST_CSUM received frames say whether their checksum was
/// checked or never computed (<see cref="RxChecksum"/>). With HOST_TSO4 the stack hands over TCP segments of up to 64
/// KiB for the device to cut (<see cref="ISegmentationOffload"/>), each a chain of the 2 KiB transmit buffers; with
/// GUEST_TSO4 the host delivers segments of up to 64 KiB across several receive buffers, joined here before the stack
/// sees them. Per-frame costs (a ring entry, QEMU's handling, the host kernel's, the stack's) are then paid once per
/// 64 KiB rather than once per 1448 bytes.
/// The receive interrupt (MSI-X, else INTx) fires once and is re-armed by <see cref="Poll"/> after it drained the
/// ring. Transmit completions are reclaimed as descriptors run short and raise no interrupt, except while frames wait
/// in the backlog for a full ring: the device empties the ring on QEMU's main loop, which a busy host may not
/// run for a while, so frames are queued rather than dropped or waited for, and the transmit interrupt wakes the
/// loop to move them on. Doorbells are rung only when the device asks for them (EVENT_IDX), at most once per
/// <see cref="Poll"/> for the frames sent while delivering, and once more when a second passed in which frames waited on
/// the device and none was sent (<see cref="CheckTransmitStall"/>).
/// </summary>
public sealed unsafe class VirtioNet : INic, IChecksumOffload, ISegmentationOffload
{
    /// <summary>Transitional (legacy + modern interface) and modern-only virtio-net.</summary>
    public static readonly PciId[] Ids = [new(VirtioPci.VendorRedHat, 0x1000), new(VirtioPci.VendorRedHat, 0x1041)];

    const int FeatureCsum = 0, FeatureGuestCsum = 1, FeatureMac = 5, FeatureGuestTso4 = 7, FeatureHostTso4 = 11,
        FeatureMergeableRx = 15, FeatureStatus = 16;
    const ulong Wanted = 1UL << VirtioPci.FeatureVersion1 | 1UL << VirtioPci.FeatureEventIdx | 1UL << FeatureMac
        | 1UL << FeatureMergeableRx | 1UL << FeatureStatus | 1UL << FeatureCsum | 1UL << FeatureGuestCsum
        | 1UL << FeatureGuestTso4 | 1UL << FeatureHostTso4;
    const ushort StatusLinkUp = 1;
    const ushort RxQueue = 0, TxQueue = 1, QueueSize = 256;
    /// <summary>struct virtio_net_hdr with VERSION_1: always 12 bytes: flags, gso_type, hdr_len, gso_size,
    /// csum_start, csum_offset, num_buffers.</summary>
    const int HeaderSize = 12, BufferSize = 2048, MaxFrame = 1514 + 4;   // + a VLAN tag
    const byte HeaderNeedsCsum = 1, HeaderDataValid = 2, GsoTcpV4 = 1;
    /// <summary>The largest frame a TCP segmentation offload moves: an IPv4 packet of 64 KiB and its Ethernet header
    /// (+ a VLAN tag), and the receive buffers one can span.</summary>
    const int MaxLargeFrame = 14 + 65535 + 4, MaxLargeBuffers = (HeaderSize + MaxLargeFrame + BufferSize - 1) / BufferSize;
    const ushort NoNext = 0xFFFF;
    /// <summary>Frames that wait for transmit descriptors (a ring's worth, ~0.5 MiB); beyond that they are dropped.</summary>
    const int BacklogSize = 256;
    /// <summary>How often <see cref="Poll"/> looks for a transmit queue that stopped moving (the loop wakes at least
    /// this often).</summary>
    const ulong StallCheckNanoseconds = 1_000_000_000;

    readonly VirtioPci _device;
    readonly Virtqueue _rx, _tx;
    readonly byte* _rxBuffers, _txBuffers, _backlog;
    readonly ushort[] _txFree, _backlogLength;
    readonly ushort[] _txNext;                               // chain links of frames spanning several buffers
    readonly bool[] _txBusy;
    readonly bool _mergeable, _hasStatus, _guestCsum, _hostTso;
    readonly byte[]? _rxLarge;                               // a frame spanning several receive buffers, joined (GUEST_TSO4)
    int _rxLargeLength, _rxLargeMissing;
    byte _rxLargeFlags;
    int _txFreeCount, _rxSkip, _backlogHead, _backlogCount;
    bool _linkUp;
    int _batchDepth;                                         // open transmit batches: frames wait for the outermost end
    ulong _nextStallCheck;
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
    /// <summary>The device finishes TCP/UDP checksums (CSUM negotiated).</summary>
    public bool FinishesChecksums { get; }

    VirtioNet(VirtioPci device, ulong features)
    {
        _device = device;
        Features = features;
        bool eventIdx = Has(VirtioPci.FeatureEventIdx);
        _mergeable = Has(FeatureMergeableRx);
        _hasStatus = Has(FeatureStatus);
        _guestCsum = Has(FeatureGuestCsum);
        FinishesChecksums = Has(FeatureCsum);
        _hostTso = Has(FeatureHostTso4);
        if (Has(FeatureGuestTso4)) _rxLarge = new byte[MaxLargeFrame];
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
        _txNext = new ushort[_tx.Size];
        Array.Fill(_txNext, NoNext);
        _backlog = (byte*)DmaMemory.AllocatePages((ulong)BacklogSize * BufferSize / 4096);
        _backlogLength = new ushort[BacklogSize];
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
        // Segmentation offload only with what it rests on (virtio 1.x 5.1.3.1): HOST_TSO4 with CSUM; GUEST_TSO4 with
        // GUEST_CSUM, and MRG_RXBUF here, as the 2 KiB receive buffers take a 64 KiB frame only as a chain of them.
        ulong wanted = Wanted, offered = device.DeviceFeatures;
        if ((offered & 1UL << FeatureCsum) == 0) wanted &= ~(1UL << FeatureHostTso4);
        if ((offered & (1UL << FeatureGuestCsum | 1UL << FeatureMergeableRx)) != (1UL << FeatureGuestCsum | 1UL << FeatureMergeableRx))
            wanted &= ~(1UL << FeatureGuestTso4);
        if (device.Negotiate(wanted, required: 1UL << VirtioPci.FeatureVersion1) is not { } features)
        {
            Console.WriteLine("virtio-net: the device refused the features");
            return null;
        }
        Console.WriteLine($"virtio-net: features {FeatureNames(features)}");
        return new VirtioNet(device, features);
    }

    /// <summary>"VERSION_1 EVENT_IDX MRG_RXBUF ...": the negotiated features by their names in the specification.</summary>
    static string FeatureNames(ulong features)
    {
        (int Bit, string Name)[] known = [(VirtioPci.FeatureVersion1, "VERSION_1"), (VirtioPci.FeatureEventIdx, "EVENT_IDX"),
            (FeatureMergeableRx, "MRG_RXBUF"), (FeatureMac, "MAC"), (FeatureStatus, "STATUS"), (FeatureCsum, "CSUM"), (FeatureGuestCsum, "GUEST_CSUM"),
            (FeatureHostTso4, "HOST_TSO4"), (FeatureGuestTso4, "GUEST_TSO4")];
        return string.Join(' ', known.Where(f => (features & 1UL << f.Bit) != 0).Select(f => f.Name));
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
            // Entry 0: the queues (receive; transmit only while frames wait in the backlog); entry 1: configuration
            // changes (with a one-entry table, entry 0 for all, and every interrupt looks at the link).
            ushort configEntry = (ushort)(entries > 1 ? 1 : 0);
            int vector = Msi.EnableMsiXEntry(Pci, 0, configEntry == 0 ? &OnConfigInterrupt : &OnQueueInterrupt, context);
            int configVector = configEntry == 0 ? vector : Msi.EnableMsiXEntry(Pci, configEntry, &OnConfigInterrupt, context);
            if (vector >= 0 && configVector >= 0 && _device.SetQueueVector(RxQueue, 0) && _device.SetQueueVector(TxQueue, 0)
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
        CheckTransmitStall();
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
                    if (++taken % 64 == 0)
                    {
                        // Long drains hand buffers back as they go, and send what they answered so far (the ACKs of
                        // the data taken): a batch's single doorbell would otherwise hold them until the ring is empty,
                        // which with a sender whose window is larger than the ring may be tens of milliseconds later —
                        // the sender runs out of window and waits (the gaps a 4 MiB window opened).
                        _rx.Kick();
                        _tx.Kick();
                    }
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
        else if (_rxLargeMissing > 0) ContinueLarge(buffer, length);
        else if (length < HeaderSize + 14 || length > BufferSize) Counters.DroppedMalformed++;
        else
        {
            int buffers = _mergeable ? *(ushort*)(buffer + 10) : 1;
            int frameLength = (int)length - HeaderSize;
            byte flags = _guestCsum ? buffer[0] : (byte)0;
            // Only a TCP segment the host's offload joined may exceed the MTU (GUEST_TSO4): any other large frame (a
            // jumbo ICMP from a link with a larger MTU) is dropped below the stack as without the feature.
            bool joined = _rxLarge is not null && buffer[1] == GsoTcpV4;
            if (buffers == 0) Counters.DroppedMalformed++;
            else if (buffers > 1 && joined && buffers <= MaxLargeBuffers)
            {
                new ReadOnlySpan<byte>(buffer + HeaderSize, frameLength).CopyTo(_rxLarge);   // the rest follows in the next buffers
                _rxLargeLength = frameLength;
                _rxLargeMissing = buffers - 1;
                _rxLargeFlags = flags;
            }
            // A joined segment may also fit one buffer (two MSS, one of them short).
            else if (buffers > 1 || frameLength > (joined ? BufferSize - HeaderSize : MaxFrame))
            { Counters.DroppedOversized++; _rxSkip = Math.Min(buffers - 1, _rx.Size); }
            else Deliver(new ReadOnlySpan<byte>(buffer + HeaderSize, frameLength), flags);
        }
        _rx.Publish((ushort)id);                             // the descriptor still points at its buffer
    }

    /// <summary>One more buffer of a frame that spans several (GUEST_TSO4); the frame goes up once all are in.</summary>
    void ContinueLarge(byte* buffer, uint length)
    {
        var large = _rxLarge!;
        if (length > BufferSize || _rxLargeLength + (int)length > large.Length)
        {
            Counters.DroppedOversized++;
            _rxSkip = _rxLargeMissing - 1;
            _rxLargeMissing = 0;
            return;
        }
        new ReadOnlySpan<byte>(buffer, (int)length).CopyTo(large.AsSpan(_rxLargeLength));
        _rxLargeLength += (int)length;
        if (--_rxLargeMissing == 0) Deliver(large.AsSpan(0, _rxLargeLength), _rxLargeFlags);
    }

    void Deliver(ReadOnlySpan<byte> frame, byte flags)
    {
        Counters.FramesIn++;
        Counters.BytesIn += (ulong)frame.Length;
        var checksum = (flags & HeaderNeedsCsum) != 0 ? RxChecksum.Partial
            : (flags & HeaderDataValid) != 0 ? RxChecksum.Valid : RxChecksum.Unverified;
        _handler?.Invoke(frame, checksum);
    }

    /// <summary>Takes back the descriptors the device has sent, then moves waiting frames into them. Returns whether
    /// anything moved.</summary>
    bool ReclaimTransmitted()
    {
        bool any = false;
        while (true)
        {
            while (_tx.TryTakeUsed(out uint id, out _))
            {
                if (id >= _tx.Size || !_txBusy[id]) continue;    // not one we handed over: a device error, ignored
                for (ushort d = (ushort)id; ;)                   // the frame's buffers: one, or a chain
                {
                    _txBusy[d] = false;
                    _txFree[_txFreeCount++] = d;
                    ushort next = _txNext[d];
                    if (next == NoNext) break;
                    _txNext[d] = NoNext;
                    _tx.Unchain(d);
                    d = next;
                }
                any = true;
            }
            while (_backlogCount > 0 && _txFreeCount > 0)
            {
                byte* slot = _backlog + _backlogHead * BufferSize;
                Publish(new ReadOnlySpan<byte>(slot, _backlogLength[_backlogHead]));
                _backlogHead = (_backlogHead + 1) % BacklogSize;
                _backlogCount--;
                any = true;
            }
            if (_backlogCount == 0) { _tx.DisableInterrupt(); return any; }   // keep "no interrupt" ahead of the used index
            // Frames still wait: the ring is full. The device may be waiting for a doorbell; ask for an interrupt once
            // three quarters of the ring is sent (or look again at once if it already is).
            _tx.Kick();
            if (_tx.EnableInterrupt((ushort)Math.Max(1, _tx.Outstanding * 3 / 4))) return any;
        }
    }

    /// <summary>
    /// A safety net, as the loop's one-second wake-up is for interrupts: frames waiting on the device and none sent
    /// for a second is what a lost doorbell looks like (the device waits for one, and every later <see
    /// cref="Virtqueue.Kick"/> compares against the same stale request). Ring it anyway, and say so: with the fence in
    /// <see cref="Virtqueue"/> this should not happen, and a line on the console shows if it still does.
    /// </summary>
    void CheckTransmitStall()
    {
        ulong now = Clock.Nanoseconds;
        if (now < _nextStallCheck) return;
        _nextStallCheck = now + StallCheckNanoseconds;
        if (!_tx.Stalled()) return;
        TransmitStalls++;
        Console.WriteLine($"virtio-net: transmit queue idle for a second with {_tx.Outstanding} frames outstanding; doorbell rung ({TransmitStalls})");
        _tx.Notify();
    }

    /// <summary>Times <see cref="CheckTransmitStall"/> found the transmit queue stopped and rang it.</summary>
    public ulong TransmitStalls { get; private set; }

    public void Transmit(ReadOnlySpan<byte> frame) => Send(frame, 0, 0, 0);

    /// <summary>Sends a TCP/UDP frame whose checksum the device finishes (<see cref="IChecksumOffload"/>; only with CSUM).</summary>
    public void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset)
    {
        if (!FinishesChecksums) throw new InvalidOperationException("virtio-net: the device did not offer checksum offload (CSUM)");
        if ((uint)checksumStart > (uint)frame.Length || (uint)(checksumStart + checksumOffset + 2) > (uint)frame.Length)
        {
            Counters.DroppedTxInvalid++;
            return;
        }
        Send(frame, HeaderNeedsCsum, (ushort)checksumStart, (ushort)checksumOffset);
    }

    public int MaxSegmentedPacket => _hostTso ? 65535 : 0;

    /// <summary>Whether <see cref="TransmitSegmented"/> would take a frame of this length now (transmitted buffers reclaimed first).</summary>
    public bool HasRoomForSegmented(int frameLength)
    {
        if (_backlogCount > 0) return false;
        int needed = (HeaderSize + frameLength + BufferSize - 1) / BufferSize;
        if (_txFreeCount < needed) ReclaimTransmitted();
        return _backlogCount == 0 && _txFreeCount >= needed;
    }

    /// <summary>Sends a TCP/IPv4 frame of up to 64 KiB for the device to cut into segments (HOST_TSO4), as a chain of
    /// transmit buffers. False when the ring has not enough free buffers, or frames wait in the backlog (they go
    /// first): the stack then sends the segments one by one.</summary>
    public bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize)
    {
        if (!_hostTso) throw new InvalidOperationException("virtio-net: the device did not offer segmentation offload (HOST_TSO4)");
        const int tcpStart = 14 + 20;
        if (frame.Length > MaxLargeFrame || headerLength < tcpStart + 20 || headerLength > frame.Length || segmentSize is <= 0 or > 65535)
        {
            Counters.DroppedTxInvalid++;
            return true;
        }
        int needed = (HeaderSize + frame.Length + BufferSize - 1) / BufferSize;
        if (_backlogCount > 0) return false;
        if (_txFreeCount < needed) ReclaimTransmitted();
        if (_txFreeCount < needed) return false;
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();
        header[0] = HeaderNeedsCsum;
        header[1] = GsoTcpV4;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[2..], (ushort)headerLength);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[4..], (ushort)segmentSize);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[6..], tcpStart);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[8..], 16);   // the TCP checksum field
        ushort head = NoNext, previous = NoNext;
        for (int offset = 0, total = HeaderSize + frame.Length; offset < total;)
        {
            ushort id = _txFree[--_txFreeCount];
            _txBusy[id] = true;
            var buffer = new Span<byte>(_txBuffers + id * BufferSize, BufferSize);
            int n = Math.Min(BufferSize, total - offset);
            if (offset == 0)
            {
                header.CopyTo(buffer);
                frame[..(n - HeaderSize)].CopyTo(buffer[HeaderSize..]);
            }
            else frame.Slice(offset - HeaderSize, n).CopyTo(buffer);
            _tx.SetLength(id, (uint)n);
            if (previous == NoNext) head = id;
            else { _tx.Chain(previous, id); _txNext[previous] = id; }
            previous = id;
            offset += n;
        }
        _tx.Publish(head);
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
        if (_batchDepth == 0) _tx.Kick();
        return true;
    }

    void Send(ReadOnlySpan<byte> frame, byte flags, ushort checksumStart, ushort checksumOffset)
    {
        if (frame.Length < 14 || frame.Length > MaxFrame) { Counters.DroppedTxInvalid++; return; }
        // The buffer as the device reads it: virtio_net_hdr, then the frame.
        Span<byte> header = stackalloc byte[HeaderSize];
        header.Clear();                                      // gso_type NONE, num_buffers 0
        header[0] = flags;
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[6..], checksumStart);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt16LittleEndian(header[8..], checksumOffset);
        if (_backlogCount == 0 && (_txFreeCount > 0 || ReclaimTransmitted() && _txFreeCount > 0))
        {
            Publish(header, frame);
            if (_batchDepth == 0) _tx.Kick();
            return;
        }
        if (_backlogCount == BacklogSize) { Counters.DroppedTxFull++; return; }
        // In order behind the frames already waiting; ReclaimTransmitted (from Poll, woken by the transmit interrupt)
        // moves them into the ring.
        int tail = (_backlogHead + _backlogCount) % BacklogSize;
        byte* slot = _backlog + tail * BufferSize;
        header.CopyTo(new Span<byte>(slot, HeaderSize));
        frame.CopyTo(new Span<byte>(slot + HeaderSize, BufferSize - HeaderSize));
        _backlogLength[tail] = (ushort)(HeaderSize + frame.Length);
        _backlogCount++;
        if (_backlogCount == 1) ReclaimTransmitted();        // arms the transmit interrupt (and rings the doorbell)
        if (_batchDepth == 0) _tx.Kick();                    // for frames it moved into the ring after all
    }

    /// <summary>Copies a header and frame (or one prepared buffer) into a free transmit descriptor and offers it.</summary>
    void Publish(ReadOnlySpan<byte> header, ReadOnlySpan<byte> frame = default)
    {
        ushort id = _txFree[--_txFreeCount];
        _txBusy[id] = true;
        byte* buffer = _txBuffers + id * BufferSize;
        header.CopyTo(new Span<byte>(buffer, BufferSize));
        frame.CopyTo(new Span<byte>(buffer + header.Length, BufferSize - header.Length));
        int length = header.Length + frame.Length;
        _tx.SetLength(id, (uint)length);
        _tx.Publish(id);
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)(length - HeaderSize);
    }

    public void BeginTransmitBatch() => _batchDepth++;

    public void EndTransmitBatch()
    {
        if (_batchDepth > 0 && --_batchDepth == 0) _tx.Kick();
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
