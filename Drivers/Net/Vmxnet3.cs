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
/// </summary>
public sealed unsafe class Vmxnet3 : INic
{
    public static readonly PciId[] Ids = [new(0x15AD, 0x07B0)];

    // BAR0 ("pass-through") registers, BAR1 ("virtual device") registers.
    const int Imr = 0x000, TxProd = 0x600, RxProd = 0x800;
    const int Vrrs = 0x00, Uvrs = 0x08, Dsal = 0x10, Dsah = 0x18, Cmd = 0x20, Macl = 0x28, Mach = 0x30, Icr = 0x38, Ecr = 0x40;
    const uint CmdActivate = 0xCAFE_0000, CmdReset = 0xCAFE_0002, CmdUpdateRxMode = 0xCAFE_0003,
        CmdGetStats = 0xF00D_0001, CmdGetLink = 0xF00D_0002, CmdGetInterruptConfig = 0xF00D_0008;
    const uint Magic = 0xBABE_FEE1, EventLink = 0x4;
    const uint RxModeUnicast = 1, RxModeBroadcast = 4, RxModeAllMulticast = 8;

    // Driver-shared area (Vmxnet3_DriverShared) offsets.
    const int SharedMagic = 0, SharedVersion = 8, SharedGuestInfo = 12, SharedRevisions = 16, SharedUptRevisions = 20,
        SharedQueueTable = 40, SharedQueueTableLength = 52, SharedMtu = 56, SharedMaxRxFragments = 60,
        SharedTxQueues = 62, SharedRxQueues = 63, SharedAutoMask = 80, SharedInterrupts = 81, SharedEventInterrupt = 82,
        SharedModeration = 83, SharedInterruptControl = 108, SharedRxMode = 120, SharedEvents = 696, SharedSize = 720;
    // Queue descriptors (Vmxnet3_TxQueueDesc, Vmxnet3_RxQueueDesc: 256 bytes each, transmit first).
    const int QueueDescSize = 256, QueueRing0 = 16, QueueRing1 = 24, QueueCompletionRing = 32, QueueRing0Size = 56,
        QueueRing1Size = 60, QueueCompletionSize = 64, QueueInterrupt = 72, TxQueueDataRing = 24, TxQueueDataSize = 60,
        RxQueueUpdateProducer = 0, RxStatsOutOfBuffers = 152, RxStatsErrors = 160;

    const int TxCount = 256, RxCount = 256, RxBodyCount = 32, BufferSize = 2048, DataRingEntry = 128;
    const int MaxFrame = 1514 + 4;   // + a VLAN tag
    const int ReceiveInterrupt = 0, TransmitInterrupt = 1, EventInterrupt = 2;

    readonly byte* _pt, _vd;           // BAR0, BAR1
    readonly byte* _shared, _queues;
    readonly ulong* _txRing, _txCompletions, _rxRing, _rxCompletions;   // 16-byte descriptors as ulong pairs
    readonly byte* _txBuffers, _rxBuffers;
    int _txNext, _txClean, _txFree = TxCount, _txCompletionNext, _rxFill, _rxCompletionNext;
    uint _txGen = 1, _txCompletionGen = 1, _rxFillGen = 1, _rxCompletionGen = 1;
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
        ulong* rxBody = (ulong*)DmaMemory.AllocatePages(1);   // stays empty: every frame fits one head buffer
        _rxCompletions = (ulong*)DmaMemory.AllocatePages((RxCount + RxBodyCount) * 16 / 4096 + 1);
        _txBuffers = (byte*)DmaMemory.AllocatePages(TxCount * BufferSize / 4096);
        _rxBuffers = (byte*)DmaMemory.AllocatePages(RxCount * BufferSize / 4096);

        for (int i = 0; i < TxCount; i++) _txRing[2 * i] = (ulong)(_txBuffers + i * BufferSize);
        for (int i = 0; i < RxCount; i++) _rxRing[2 * i] = (ulong)(_rxBuffers + i * BufferSize);
        for (int i = 0; i < RxCount; i++) PostReceive();   // the whole head ring, generation 1

        byte* tx = _queues, rx = _queues + QueueDescSize;
        Set64(tx, QueueRing0, (ulong)_txRing); Set32(tx, QueueRing0Size, TxCount);
        Set64(tx, TxQueueDataRing, (ulong)dataRing); Set32(tx, TxQueueDataSize, TxCount);
        Set64(tx, QueueCompletionRing, (ulong)_txCompletions); Set32(tx, QueueCompletionSize, TxCount);
        Set64(rx, QueueRing0, (ulong)_rxRing); Set32(rx, QueueRing0Size, RxCount);
        Set64(rx, QueueRing1, (ulong)rxBody); Set32(rx, QueueRing1Size, RxBodyCount);
        Set64(rx, QueueCompletionRing, (ulong)_rxCompletions); Set32(rx, QueueCompletionSize, RxCount + RxBodyCount);

        Set32(_shared, SharedMagic, Magic);
        Set32(_shared, SharedVersion, 1);
        Set32(_shared, SharedGuestInfo, 2 | 1 << 2);  // 64-bit, Linux-like (frames arrive whole, not compound-split)
        Set32(_shared, SharedRevisions, 1);
        Set32(_shared, SharedUptRevisions, 1);
        Set64(_shared, SharedQueueTable, (ulong)_queues);
        Set32(_shared, SharedQueueTableLength, 2 * QueueDescSize);
        Set32(_shared, SharedMtu, 1500);
        *(ushort*)(_shared + SharedMaxRxFragments) = 1;
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
            if (queue != 0 || index >= RxCount) Counters.DroppedMalformed++;   // not a head-ring buffer of ours
            else
            {
                if (!start || !end || error) { if (length >= BufferSize) Counters.DroppedOversized++; else Counters.DroppedMalformed++; }
                else if (length < 14 || length > BufferSize) Counters.DroppedMalformed++;   // > its buffer: corrupt
                else if (length > MaxFrame) Counters.DroppedOversized++;
                else
                {
                    Counters.FramesIn++;
                    Counters.BytesIn += (ulong)length;
                    _handler?.Invoke(new ReadOnlySpan<byte>(_rxBuffers + index * BufferSize, length));
                }
                PostReceive();   // the device consumes head buffers in order: the next one to refill is the one it used
            }
            if (++_rxCompletionNext == completions) { _rxCompletionNext = 0; _rxCompletionGen ^= 1; }
            n++;
        }
        if (n > 0 && _queues[QueueDescSize + RxQueueUpdateProducer] != 0) Write(_pt, RxProd, (uint)_rxFill);
        return n;
    }

    /// <summary>Hands head-ring descriptor <c>_rxFill</c> (whose buffer is fixed) back to the device.</summary>
    void PostReceive()
    {
        ulong* d = _rxRing + 2 * _rxFill;
        Volatile.Write(ref d[1], BufferSize | (ulong)_rxFillGen << 31);   // length, head buffer, generation
        if (++_rxFill == RxCount) { _rxFill = 0; _rxFillGen ^= 1; }
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
        if (!_active || frame.Length < 14 || frame.Length > 1514) { Counters.DroppedTxInvalid++; return; }
        if (_txFree == 0)
        {
            FlushTransmit();   // the device may be waiting for our doorbell to make room
            for (int spin = 0; !ReclaimTransmitted() || _txFree == 0; spin++)
                if (spin > 100_000) { Counters.DroppedTxFull++; return; }   // TCP will retransmit
        }
        frame.CopyTo(new Span<byte>(_txBuffers + _txNext * BufferSize, BufferSize));
        ulong* d = _txRing + 2 * _txNext;
        // Second half: length | gen << 14 (dword 2); end of packet, completion requested (dword 3). The generation
        // bit hands the descriptor over, so the whole quadword is written at once, after the buffer.
        Volatile.Write(ref d[1], (ulong)(uint)frame.Length | (ulong)_txGen << 14 | (1UL << 12 | 1UL << 13) << 32);
        if (++_txNext == TxCount) { _txNext = 0; _txGen ^= 1; }
        _txFree--;
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
        if (_deferDoorbell) _txPending = true;
        else Write(_pt, TxProd, (uint)_txNext);
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
