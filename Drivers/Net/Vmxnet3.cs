using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// VMware vmxnet3 (QEMU's <c>-device vmxnet3</c>), device revision 1: a driver-shared area describing one transmit
/// queue (descriptor, completion and data rings) and one receive queue (a 2 KiB-buffer head ring, an empty body
/// ring, a completion ring), ownership passed by generation bits. Interrupts: MSI-X (receive on vector 0, transmit
/// left masked, link events on vector 2), else MSI, else INTx; the device masks a vector as it fires (auto-mask)
/// and <see cref="Poll"/> unmasks it after draining. Transmit rings the TXPROD doorbell once per receive batch.
/// Offloads (unless <c>nic.offload=off</c>): transmit checksums (offload mode CSUM: the checksum's start in hlen, its
/// field in msscof) and TCP segmentation (mode TSO: the header length in hlen, the MSS in msscof, the frame of up to
/// 64 KiB over 2 KiB descriptors); receive checksums (UPT1_F_RXCSUM: a completion that says the TCP/UDP checksum was
/// checked goes up as <see cref="RxChecksum.Valid"/>) and large receive offload (UPT1_F_LRO: the device may join the
/// host's TCP segments into one of up to 64 KiB, delivered as a 2 KiB head buffer and 8 KiB buffers of the body ring,
/// joined here before the stack sees them, as virtio-net's GUEST_TSO4 frames are).
/// </summary>
public sealed unsafe class Vmxnet3 : INic, IChecksumOffload, ISegmentationOffload
{
    public static readonly PciId[] Ids = [new(0x15AD, 0x07B0)];

    // BAR0 ("pass-through") registers, BAR1 ("virtual device") registers.
    const int Imr = 0x000, TxProd = 0x600, RxProd = 0x800, RxProd2 = 0xA00;
    const int Vrrs = 0x00, Uvrs = 0x08, Dsal = 0x10, Dsah = 0x18, Cmd = 0x20, Macl = 0x28, Mach = 0x30, Icr = 0x38, Ecr = 0x40;
    const uint CmdActivate = 0xCAFE_0000, CmdReset = 0xCAFE_0002, CmdUpdateRxMode = 0xCAFE_0003,
        CmdGetStats = 0xF00D_0001, CmdGetLink = 0xF00D_0002, CmdGetInterruptConfig = 0xF00D_0008;
    const uint Magic = 0xBABE_FEE1, EventLink = 0x4;
    const uint RxModeUnicast = 1, RxModeBroadcast = 4, RxModeAllMulticast = 8;

    // Driver-shared area (Vmxnet3_DriverShared) offsets.
    const int SharedMagic = 0, SharedVersion = 8, SharedGuestInfo = 12, SharedRevisions = 16, SharedUptRevisions = 20,
        SharedUptFeatures = 24, SharedQueueTable = 40, SharedQueueTableLength = 52, SharedMtu = 56, SharedMaxRxFragments = 60,
        SharedTxQueues = 62, SharedRxQueues = 63, SharedAutoMask = 80, SharedInterrupts = 81, SharedEventInterrupt = 82,
        SharedModeration = 83, SharedInterruptControl = 108, SharedRxMode = 120, SharedEvents = 696, SharedSize = 720;
    // Queue descriptors (Vmxnet3_TxQueueDesc, Vmxnet3_RxQueueDesc: 256 bytes each, transmit first).
    const int QueueDescSize = 256, QueueRing0 = 16, QueueRing1 = 24, QueueCompletionRing = 32, QueueRing0Size = 56,
        QueueRing1Size = 60, QueueCompletionSize = 64, QueueInterrupt = 72, TxQueueDataRing = 24, TxQueueDataSize = 60,
        RxQueueUpdateProducer = 0, RxStatsOutOfBuffers = 152, RxStatsErrors = 160;

    const int TxCount = 256, RxCount = 256, RxBodyCount = 128, BufferSize = 2048, BodyBufferSize = 8192, DataRingEntry = 128;
    const int MaxFrame = 1514 + 4;   // + a VLAN tag
    /// <summary>The largest frame LRO delivers (an IPv4 packet of 64 KiB, its Ethernet header and a VLAN tag), and the
    /// buffers it may span: the head and the body buffers (maxNumRxSG).</summary>
    const int MaxLargeFrame = TcpOffload.MaxFrame + 4, MaxRxFragments = 1 + (MaxLargeFrame - BufferSize + BodyBufferSize - 1) / BodyBufferSize;
    const ulong FeatureRxChecksum = 0x1, FeatureLro = 0x8;   // UPT1_F_RXCSUM, UPT1_F_LRO
    /// <summary>Transmit descriptor offload modes (om): none, checksum, TCP segmentation.</summary>
    const uint OffloadNone = 0, OffloadChecksum = 2, OffloadTso = 3;
    const int ReceiveInterrupt = 0, TransmitInterrupt = 1, EventInterrupt = 2;

    readonly byte* _pt, _vd;           // BAR0, BAR1
    readonly byte* _shared, _queues;
    readonly ulong* _txRing, _txCompletions, _rxRing, _rxCompletions;   // 16-byte descriptors as ulong pairs
    readonly byte* _txBuffers, _rxBuffers, _bodyBuffers;
    readonly ulong* _rxBody;
    readonly bool _offloads;
    readonly byte[]? _rxLarge;         // a frame spanning several receive buffers (LRO), joined
    int _rxLargeLength;
    bool _rxJoining, _rxDiscarding;
    int _txNext, _txClean, _txFree = TxCount, _txCompletionNext, _rxFill, _bodyFill, _rxCompletionNext;
    uint _txGen = 1, _txCompletionGen = 1, _rxFillGen = 1, _bodyFillGen = 1, _rxCompletionGen = 1;
    bool _active, _msiX, _maskByHand, _interruptBound, _deferDoorbell, _txPending, _linkUp;
    volatile bool _linkEvent;
    FrameHandler? _handler;

    public string Model => "vmxnet3";
    public PciConfig Pci { get; }
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public NicCounters Counters { get; } = new();
    public bool LinkUp => (Command(CmdGetLink) & 1) != 0;

    delegate*<void> _wake;

    public static INic? Probe(PciConfig pci)
    {
        ulong pt = pci.MemoryBar(0), vd = pci.MemoryBar(1);
        if (pt == 0 || vd == 0) return null;
        Mmio.Map(pt, 0x1000);
        Mmio.Map(vd, 0x1000);
        pci.SetCommand(0x6, 0);                       // memory space + bus master (DMA)
        if ((Volatile.Read(ref *(uint*)(vd + Vrrs)) & 1) == 0) return null;   // revision 1 not offered
        return new Vmxnet3(pci, (byte*)pt, (byte*)vd);
    }

    Vmxnet3(PciConfig pci, byte* pt, byte* vd)
    {
        Pci = pci;
        _pt = pt;
        _vd = vd;
        Write(_vd, Cmd, CmdReset);
        Write(_vd, Vrrs, 1);                          // select device revision 1 and UPT version 1
        Write(_vd, Uvrs, 1);
        uint lo = Read(_vd, Macl), hi = Read(_vd, Mach);
        MacAddress = new MacAddress((ulong)(byte)lo << 40 | (ulong)(byte)(lo >> 8) << 32 | (ulong)(byte)(lo >> 16) << 24
            | (ulong)(byte)(lo >> 24) << 16 | (ulong)(byte)hi << 8 | (byte)(hi >> 8));

        _shared = (byte*)DmaMemory.AllocatePages(1);
        _queues = (byte*)DmaMemory.AllocatePages(1);
        _txRing = (ulong*)DmaMemory.AllocatePages(TxCount * 16 / 4096);
        _txCompletions = (ulong*)DmaMemory.AllocatePages(TxCount * 16 / 4096);
        byte* dataRing = (byte*)DmaMemory.AllocatePages(TxCount * DataRingEntry / 4096);
        _rxRing = (ulong*)DmaMemory.AllocatePages(RxCount * 16 / 4096);
        _rxBody = (ulong*)DmaMemory.AllocatePages(1);   // body buffers: the rest of a frame longer than a head buffer (LRO)
        _rxCompletions = (ulong*)DmaMemory.AllocatePages((RxCount + RxBodyCount) * 16 / 4096 + 1);
        _txBuffers = (byte*)DmaMemory.AllocatePages(TxCount * BufferSize / 4096);
        _rxBuffers = (byte*)DmaMemory.AllocatePages(RxCount * BufferSize / 4096);

        for (int i = 0; i < TxCount; i++) _txRing[2 * i] = (ulong)(_txBuffers + i * BufferSize);
        for (int i = 0; i < RxCount; i++) _rxRing[2 * i] = (ulong)(_rxBuffers + i * BufferSize);
        for (int i = 0; i < RxCount; i++) PostReceive();   // the whole head ring, generation 1
        _offloads = OffloadLimit.Allows;
        if (_offloads)
        {
            _rxLarge = new byte[MaxLargeFrame];
            _bodyBuffers = (byte*)DmaMemory.AllocatePages(RxBodyCount * BodyBufferSize / 4096);
            for (int i = 0; i < RxBodyCount; i++) _rxBody[2 * i] = (ulong)(_bodyBuffers + i * BodyBufferSize);
            for (int i = 0; i < RxBodyCount; i++) PostBody();
        }

        byte* tx = _queues, rx = _queues + QueueDescSize;
        Set64(tx, QueueRing0, (ulong)_txRing); Set32(tx, QueueRing0Size, TxCount);
        Set64(tx, TxQueueDataRing, (ulong)dataRing); Set32(tx, TxQueueDataSize, TxCount);
        Set64(tx, QueueCompletionRing, (ulong)_txCompletions); Set32(tx, QueueCompletionSize, TxCount);
        Set64(rx, QueueRing0, (ulong)_rxRing); Set32(rx, QueueRing0Size, RxCount);
        Set64(rx, QueueRing1, (ulong)_rxBody); Set32(rx, QueueRing1Size, RxBodyCount);
        Set64(rx, QueueCompletionRing, (ulong)_rxCompletions); Set32(rx, QueueCompletionSize, RxCount + RxBodyCount);

        Set32(_shared, SharedMagic, Magic);
        Set32(_shared, SharedVersion, 1);
        Set32(_shared, SharedGuestInfo, 2 | 1 << 2);  // 64-bit, Linux-like (frames arrive whole, not compound-split)
        Set32(_shared, SharedRevisions, 1);
        Set32(_shared, SharedUptRevisions, 1);
        Set64(_shared, SharedQueueTable, (ulong)_queues);
        Set32(_shared, SharedQueueTableLength, 2 * QueueDescSize);
        Set32(_shared, SharedMtu, 1500);
        *(ushort*)(_shared + SharedMaxRxFragments) = (ushort)(_offloads ? MaxRxFragments : 1);
        if (_offloads) *(ulong*)(_shared + SharedUptFeatures) = FeatureRxChecksum | FeatureLro;
        Console.WriteLine(_offloads ? "vmxnet3: offloads tx-checksum tso4 rx-checksum lro" : "vmxnet3: offloads off (nic.offload=off)");
        _shared[SharedTxQueues] = 1;
        _shared[SharedRxQueues] = 1;
        Set32(_shared, SharedRxMode, RxModeUnicast | RxModeBroadcast | RxModeAllMulticast);
        for (int i = 0; i < 25; i++) _shared[SharedModeration + i] = 8;   // adaptive moderation (ESXi; QEMU ignores it)
        Set32(_shared, SharedInterruptControl, 0);                       // not "disable all"
        _shared[SharedInterrupts] = 1;                                   // polled until BindInterrupt says otherwise
        _linkUp = LinkUp;
    }

    /// <summary>Binds MSI-X, else MSI, else INTx, then activates the device (it reads the interrupt layout then).</summary>
    public string? BindInterrupt(delegate*<void> wake)
    {
        if (_active) return null;
        _wake = wake;
        nint context = InterruptContext.For(this);
        string? how = null;
        if (InterruptLimit.AllowsMsiX && Msi.MsiXTableSize(Pci) > EventInterrupt)
        {
            int rx = Msi.EnableMsiXEntry(Pci, ReceiveInterrupt, &OnReceiveVector, context);
            int events = rx < 0 ? -1 : Msi.EnableMsiXEntry(Pci, EventInterrupt, &OnEventVector, context);
            if (events >= 0) { _msiX = true; how = $"MSI-X vectors 0x{rx:x} (receive), 0x{events:x} (link)"; }
        }
        if (how is null)
        {
            int vector = InterruptLimit.AllowsMsi ? Msi.EnableMsi(Pci, &OnEventVector, context) : -1;
            if (vector >= 0) how = $"MSI vector 0x{vector:x}";
            else
            {
                int line = Pci.Read8(0x3C);
                vector = line is > 0 and < 16 ? Irq.AttachIsa(line, &OnLineInterrupt, context) : -1;
                if (vector >= 0) how = $"INTx IRQ {line} vector 0x{vector:x}";
            }
        }
        if (how is null) { Activate(); return null; }
        // Without MSI-X the device has one interrupt, so every index must be 0 (QEMU rejects others).
        _queues[QueueInterrupt] = _msiX ? (byte)TransmitInterrupt : (byte)0;
        _queues[QueueDescSize + QueueInterrupt] = ReceiveInterrupt;
        _shared[SharedEventInterrupt] = _msiX ? (byte)EventInterrupt : (byte)0;
        _shared[SharedInterrupts] = _msiX ? (byte)3 : (byte)1;
        // Auto-mask unless the device asks for masking by hand (GET_CONF_INTR bits 2-3: 1 = active masking).
        _maskByHand = ((Command(CmdGetInterruptConfig) >> 2) & 3) == 1;
        _shared[SharedAutoMask] = _maskByHand ? (byte)0 : (byte)1;
        if (!Activate()) return null;
        _interruptBound = true;
        Write(_pt, Imr + 8 * ReceiveInterrupt, 0);
        if (_msiX) Write(_pt, Imr + 8 * EventInterrupt, 0);   // the transmit interrupt stays masked: completions are polled
        return how;
    }

    bool Activate()
    {
        if (_active) return true;
        ulong shared = (ulong)_shared;
        Write(_vd, Dsal, (uint)shared);
        Write(_vd, Dsah, (uint)(shared >> 32));
        if (Command(CmdActivate) != 0) { Console.WriteLine("vmxnet3: the device refused activation"); return false; }
        Write(_vd, Cmd, CmdUpdateRxMode);           // a "set" command: nothing to read back
        Write(_pt, RxProd, (uint)_rxFill);
        if (_rxLarge is not null) Write(_pt, RxProd2, (uint)_bodyFill);
        _active = true;
        return true;
    }

    static void OnReceiveVector(nint context)
    {
        if (InterruptContext.Get<Vmxnet3>(context) is not { } card) return;
        if (card._maskByHand) card.Write(card._pt, Imr + 8 * ReceiveInterrupt, 1);
        card.Counters.Interrupts++;
        card._wake();
    }

    /// <summary>MSI-X link events, or the only vector under MSI.</summary>
    static void OnEventVector(nint context)
    {
        if (InterruptContext.Get<Vmxnet3>(context) is not { } card) return;
        if (card._maskByHand) card.Write(card._pt, Imr + 8 * (card._msiX ? EventInterrupt : 0), 1);
        card._linkEvent = true;
        card.Counters.Interrupts++;
        card._wake();
    }

    /// <summary>INTx: reading ICR tells whether the line is ours and deasserts it (auto-masking interrupt 0).</summary>
    static void OnLineInterrupt(nint context)
    {
        if (InterruptContext.Get<Vmxnet3>(context) is not { } card || card.Read(card._vd, Icr) == 0) return;   // a shared line: not ours
        if (card._maskByHand) card.Write(card._pt, Imr, 1);
        card._linkEvent = true;
        card.Counters.Interrupts++;
        card._wake();
    }

    public void Start(FrameHandler handler)
    {
        _handler = handler;
        Activate();   // polled when no interrupt was bound
    }

    public bool Poll()
    {
        if (!_active) return false;
        bool work = ReclaimTransmitted();
        if (_linkEvent || !_interruptBound)
        {
            _linkEvent = false;
            uint events = Volatile.Read(ref *(uint*)(_shared + SharedEvents));
            if (events != 0) Write(_vd, Ecr, events);   // acknowledge
            if ((events & EventLink) != 0 || !_interruptBound)
            {
                bool up = LinkUp;
                if (up != _linkUp) { _linkUp = up; Counters.LinkChanges++; work = true; }
            }
            if (_msiX) Write(_pt, Imr + 8 * EventInterrupt, 0);
        }
        _deferDoorbell = true;
        int frames = DrainReceive();
        _deferDoorbell = false;
        FlushTransmit();
        if (frames >= 64) ReadDeviceDrops();
        if (_interruptBound) Write(_pt, Imr + 8 * ReceiveInterrupt, 0);   // fires at once if a frame landed since
        return work | frames > 0;
    }

    int DrainReceive()
    {
        int n = 0, completions = RxCount + RxBodyCount;
        while (n < completions)
        {
            ulong* c = _rxCompletions + 2 * _rxCompletionNext;
            ulong high = Volatile.Read(ref c[1]);
            if ((uint)(high >> 63) != _rxCompletionGen) break;
            ulong low = c[0];
            int index = (int)(low & 0xFFF), queue = (int)((low >> 16) & 0x3FF);
            bool end = (low & (1u << 14)) != 0, start = (low & (1u << 15)) != 0;
            int length = NicFault.RxLength((int)(high & 0x3FFF));
            bool error = (high & (1u << 14)) != 0;
            if (queue == 0 && index < RxCount)
            {
                Receive(_rxBuffers + index * BufferSize, BufferSize, length, start, end, error, high);
                PostReceive();   // the device consumes head buffers in order: the next one to refill is the one it used
            }
            else if (queue == 1 && index < RxBodyCount && _rxLarge is not null)
            {
                Receive(_bodyBuffers + index * BodyBufferSize, BodyBufferSize, length, start, end, error, high);
                PostBody();      // likewise in the body ring
            }
            else Counters.DroppedMalformed++;   // not a buffer of ours
            if (++_rxCompletionNext == completions) { _rxCompletionNext = 0; _rxCompletionGen ^= 1; }
            n++;
        }
        if (n > 0 && _queues[QueueDescSize + RxQueueUpdateProducer] != 0)
        {
            Write(_pt, RxProd, (uint)_rxFill);
            if (_rxLarge is not null) Write(_pt, RxProd2, (uint)_bodyFill);
        }
        return n;
    }

    /// <summary>
    /// One completed receive buffer: a whole frame (start and end of packet) goes up at once; with LRO a frame that
    /// spans buffers is joined first, and only a TCP/IPv4 one (what the device's coalescing makes) may exceed the
    /// MTU. A buffer out of sequence, an error, or a frame too long is counted once and dropped with the rest of its
    /// buffers.
    /// </summary>
    void Receive(byte* buffer, int size, int length, bool start, bool end, bool error, ulong status)
    {
        if (start)
        {
            if (_rxJoining) { Counters.DroppedMalformed++; _rxJoining = false; }   // a frame that never ended
            _rxDiscarding = false;
        }
        else if (!_rxJoining)
        {
            if (!_rxDiscarding) Counters.DroppedMalformed++;   // a body without its head
            _rxDiscarding = !end;
            return;
        }
        if (error || length > size || (start && length < 14))
        {
            // An error on a full buffer: the frame did not fit the buffers the device may use (maxNumRxSG).
            if (error && length == size) Counters.DroppedOversized++; else Counters.DroppedMalformed++;
            _rxJoining = false;
            _rxDiscarding = !end;
            return;
        }
        if (start && end)
        {
            if (length > MaxFrame && !(_rxLarge is not null && IsTcpIpv4(status))) { Counters.DroppedOversized++; return; }
            Deliver(new ReadOnlySpan<byte>(buffer, length), status);
            return;
        }
        var large = _rxLarge;
        if (large is null || (start ? 0 : _rxLargeLength) + length > large.Length)
        {
            Counters.DroppedOversized++;   // spans buffers without LRO, or longer than 64 KiB
            _rxJoining = false;
            _rxDiscarding = !end;
            return;
        }
        if (start) _rxLargeLength = 0;
        new ReadOnlySpan<byte>(buffer, length).CopyTo(large.AsSpan(_rxLargeLength));
        _rxLargeLength += length;
        _rxJoining = !end;
        if (!end) return;
        if (_rxLargeLength > MaxFrame && !IsTcpIpv4(status)) { Counters.DroppedOversized++; return; }
        Deliver(large.AsSpan(0, _rxLargeLength), status);
    }

    /// <summary>The completion's second quadword says TCP over IPv4 (the only frames the device joins).</summary>
    static bool IsTcpIpv4(ulong status) => (status & (1UL << 50 | 1UL << 53)) == (1UL << 50 | 1UL << 53);

    void Deliver(ReadOnlySpan<byte> frame, ulong status)
    {
        Counters.FramesIn++;
        Counters.BytesIn += (ulong)frame.Length;
        // TCP/UDP checksum correct (tuc) and IP checksum correct (ipc), set only when the device checked them (cnc
        // clear), on TCP or UDP.
        const ulong correct = 1UL << 48 | 1UL << 51;
        bool valid = _offloads && (status & correct) == correct && (status & (1UL << 49 | 1UL << 50)) != 0;
        _handler?.Invoke(frame, valid ? RxChecksum.Valid : RxChecksum.Unverified);
    }

    /// <summary>Hands head-ring descriptor <c>_rxFill</c> (whose buffer is fixed) back to the device.</summary>
    void PostReceive()
    {
        ulong* d = _rxRing + 2 * _rxFill;
        Volatile.Write(ref d[1], BufferSize | (ulong)_rxFillGen << 31);   // length, head buffer, generation
        if (++_rxFill == RxCount) { _rxFill = 0; _rxFillGen ^= 1; }
    }

    /// <summary>Hands body-ring descriptor <c>_bodyFill</c> back to the device (LRO).</summary>
    void PostBody()
    {
        ulong* d = _rxBody + 2 * _bodyFill;
        Volatile.Write(ref d[1], BodyBufferSize | 1UL << 14 | (ulong)_bodyFillGen << 31);   // length, body buffer, generation
        if (++_bodyFill == RxBodyCount) { _bodyFill = 0; _bodyFillGen ^= 1; }
    }

    bool ReclaimTransmitted()
    {
        bool any = false;
        for (int n = 0; n < TxCount; n++)
        {
            ulong* c = _txCompletions + 2 * _txCompletionNext;
            if ((uint)(Volatile.Read(ref c[1]) >> 63) != _txCompletionGen) break;
            int index = (int)(c[0] & 0xFFF);
            if (index < TxCount)
            {
                int freed = (index - _txClean + TxCount) % TxCount + 1;   // through the frame's last descriptor
                if (freed <= TxCount - _txFree) { _txFree += freed; _txClean = (index + 1) % TxCount; }
            }
            if (++_txCompletionNext == TxCount) { _txCompletionNext = 0; _txCompletionGen ^= 1; }
            any = true;
        }
        return any;
    }

    public void Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || frame.Length > 1514) { Counters.DroppedTxInvalid++; return; }
        Send(frame, OffloadNone, 0, 0, -1);
    }

    /// <summary>The device finishes TCP/UDP checksums (offload mode CSUM), unless <c>nic.offload=off</c>.</summary>
    public bool FinishesChecksums => _offloads;

    /// <summary>Sends a frame whose checksum the device finishes (<see cref="IChecksumOffload"/>): hlen = where the sum
    /// starts, msscof = the checksum field.</summary>
    public void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset)
    {
        if (!_offloads) throw new InvalidOperationException("vmxnet3: checksum offload is off (nic.offload=off)");
        int field = checksumStart + checksumOffset;
        if (frame.Length < 14 || frame.Length > 1514 || checksumStart < TcpOffload.IpStart + 20 || checksumOffset < 0
            || checksumStart > 0x3FF || field + 2 > frame.Length)
        { Counters.DroppedTxInvalid++; return; }
        Send(frame, OffloadChecksum, checksumStart, field, -1, checksumOffset: checksumOffset);
    }

    public int MaxSegmentedPacket => _offloads ? 65535 : 0;

    /// <summary>Sends a TCP/IPv4 frame of up to 64 KiB for the device to cut (offload mode TSO: hlen = the headers,
    /// msscof = the MSS) over 2 KiB descriptors. False when the ring has no room for it: the stack then cuts it.</summary>
    public bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize)
    {
        if (!_offloads) throw new InvalidOperationException("vmxnet3: segmentation offload is off (nic.offload=off)");
        int tcpStart = TcpOffload.TcpStart(frame, headerLength, segmentSize);
        if (tcpStart < 0) { Counters.DroppedTxInvalid++; return true; }
        return Send(frame, OffloadTso, headerLength, segmentSize, tcpStart, dropWhenFull: false);
    }

    /// <summary>
    /// Copies a frame into as many descriptors as it needs (one per 2 KiB) and hands them over, the first one last
    /// (its generation bit passes the whole chain to the device). The first descriptor carries the offload mode, hlen
    /// and msscof; the last ends the packet and asks for a completion. False when the ring stays full: counted as a
    /// drop (<paramref name="dropWhenFull"/>) or left to the caller.
    /// </summary>
    bool Send(ReadOnlySpan<byte> frame, uint mode, int headerLength, int mssOrField, int tcpStart, bool dropWhenFull = true,
        int checksumOffset = 0)
    {
        if (!_active) { Counters.DroppedTxInvalid++; return true; }
        int count = (frame.Length + BufferSize - 1) / BufferSize;
        if (_txFree < count) ReclaimTransmitted();
        if (_txFree < count)
        {
            FlushTransmit();   // the device may be waiting for our doorbell to make room
            for (int spin = 0; !ReclaimTransmitted() || _txFree < count; spin++)
                if (spin > 100_000)
                {
                    if (!dropWhenFull) return false;
                    Counters.DroppedTxFull++;   // TCP will retransmit
                    return true;
                }
        }
        int first = _txNext;
        ulong firstWord = 0;
        for (int offset = 0; offset < frame.Length; offset += BufferSize)
        {
            int n = Math.Min(BufferSize, frame.Length - offset);
            byte* buffer = _txBuffers + _txNext * BufferSize;
            frame.Slice(offset, n).CopyTo(new Span<byte>(buffer, BufferSize));
            if (offset == 0 && tcpStart >= 0) TcpOffload.PrepareHeaders(buffer, tcpStart, frame.Length - tcpStart);
            if (offset == 0 && mode == OffloadChecksum)
            {
                int padded = TcpOffload.FinishIfPadded(buffer, frame.Length, headerLength, checksumOffset);
                if (padded < 0) { Counters.DroppedTxInvalid++; return true; }   // nothing handed over yet
                if (padded > 0) mode = OffloadNone;
            }
            // Second half: len | gen << 14 | msscof << 18 (dword 2); hlen | om << 10 | eop << 12 | cq << 13 (dword 3).
            ulong word = (ulong)(uint)n | (ulong)_txGen << 14;
            if (offset + n == frame.Length) word |= (1UL << 12 | 1UL << 13) << 32;
            if (offset == 0) firstWord = word | (ulong)(uint)mssOrField << 18 | (ulong)((uint)headerLength | mode << 10) << 32;
            else Volatile.Write(ref _txRing[2 * _txNext + 1], word);
            if (++_txNext == TxCount) { _txNext = 0; _txGen ^= 1; }
            _txFree--;
        }
        Volatile.Write(ref _txRing[2 * first + 1], firstWord);
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
        if (_deferDoorbell) _txPending = true;
        else Write(_pt, TxProd, (uint)_txNext);
        return true;
    }

    void FlushTransmit()
    {
        if (!_txPending) return;
        _txPending = false;
        Write(_pt, TxProd, (uint)_txNext);
    }

    /// <summary>The device's own count of frames dropped for want of a buffer or in error (cumulative).</summary>
    void ReadDeviceDrops()
    {
        Write(_vd, Cmd, CmdGetStats);               // the device writes the queues' statistics blocks
        byte* rx = _queues + QueueDescSize;
        Counters.DroppedRxFull = *(ulong*)(rx + RxStatsOutOfBuffers);
    }

    uint Command(uint command)
    {
        ulong flags = InterruptGuard.Disable();   // a command and its result are one exchange
        Write(_vd, Cmd, command);
        uint result = Read(_vd, Cmd);
        InterruptGuard.Restore(flags);
        return result;
    }

    static void Set32(byte* p, int offset, uint value) => *(uint*)(p + offset) = value;
    static void Set64(byte* p, int offset, ulong value) => *(ulong*)(p + offset) = value;
    uint Read(byte* bar, int register) => Mmio.Read32(bar + register);
    void Write(byte* bar, int register, uint value) => Mmio.Write32(bar + register, value);
}
