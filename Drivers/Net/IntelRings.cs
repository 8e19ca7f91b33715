using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>Register offsets and bits the Intel 8254x (E1000.cs) and 82574L (E1000e.cs) share: queue 0 of the 82574L sits
/// where the 8254x's only queue does.</summary>
static class IntelRegister
{
    public const int Ctrl = 0x0000, Status = 0x0008, CtrlExt = 0x0018, Icr = 0x00C0, Ims = 0x00D0, Imc = 0x00D8,
        Rctl = 0x0100, Tctl = 0x0400, Tipg = 0x0410, Rdbal = 0x2800, Rdbah = 0x2804, Rdlen = 0x2808, Rdh = 0x2810,
        Rdt = 0x2818, Tdbal = 0x3800, Tdbah = 0x3804, Tdlen = 0x3808, Tdh = 0x3810, Tdt = 0x3818, Mta = 0x5200,
        Ral = 0x5400, Rah = 0x5404;
    public const uint CtrlReset = 1u << 26, CtrlSetLinkUp = 1u << 6, CtrlAutoSpeed = 1u << 5, StatusLinkUp = 1u << 1;
    public const uint IcrLinkChange = 1u << 2, IcrRxDescriptorsLow = 1u << 4, IcrRxOverrun = 1u << 6, IcrRxTimer = 1u << 7;
    /// <summary>Enable, accept broadcast, 2 KiB buffers (BSIZE 00), strip the CRC.</summary>
    public const uint RctlDefault = (1u << 1) | (1u << 15) | (1u << 26);
    /// <summary>Enable, pad short packets, collision threshold 15, collision distance 64 (full duplex).</summary>
    public const uint TctlDefault = (1u << 1) | (1u << 3) | (0x0Fu << 4) | (0x40u << 12);
    public const uint TipgDefault = 10 | (8 << 10) | (6 << 20);
}

/// <summary>
/// The legacy receive and transmit descriptor rings of the Intel gigabit family (one 2 KiB buffer per descriptor,
/// identity-mapped DMA pages): programs queue 0, drains received frames with one RDT write per batch, and queues
/// transmitted frames with one TDT write per transmit batch (<see cref="BeginBatch"/> .. <see cref="EndBatch"/>).
/// </summary>
sealed unsafe class IntelLegacyRings
{
#pragma warning disable CS0649 // written by the device
    /// <summary>Receive: address, length, checksum, status, errors, special. Transmit shares the layout:
    /// Checksum = CSO | CMD &lt;&lt; 8, Status, Errors = CSS.</summary>
    struct Descriptor { public ulong Address; public ushort Length; public ushort Checksum; public byte Status; public byte Errors; public ushort Special; }
#pragma warning restore CS0649

    const int RxCount = 256, TxCount = 256, BufferSize = 2048, MaxFrame = 1514 + 4;   // + a VLAN tag
    const byte StatusDone = 0x01, StatusEndOfPacket = 0x02;
    /// <summary>CRC, symbol, sequence, carrier-extension and RX-data errors (not the checksum bits: no offload).</summary>
    const byte FrameErrors = 0x01 | 0x02 | 0x04 | 0x10 | 0x80;
    const ushort TxCommand = ((1 << 0) | (1 << 1) | (1 << 3)) << 8;   // EOP, insert FCS, report status
    /// <summary>Frames a batch may queue before the doorbell rings anyway: a batch must never fill the ring unseen,
    /// since TDT == TDH reads as an empty ring to the device.</summary>
    const int MaxUnannounced = TxCount / 4;

    readonly byte* _mmio;
    readonly Descriptor* _rx, _tx;
    readonly byte* _rxBuffers, _txBuffers;
    int _rxNext, _txNext, _batchDepth, _txUnannounced;
    bool _rxDiscarding, _txPending;

    /// <summary>Until the matching <see cref="EndBatch"/> (batches nest), transmitted frames wait instead of each
    /// ringing the doorbell.</summary>
    public void BeginBatch() => _batchDepth++;

    /// <summary>Ends a batch; the outermost end rings the doorbell once for every frame queued in it.</summary>
    public void EndBatch()
    {
        if (_batchDepth > 0 && --_batchDepth == 0) Flush();
    }

    /// <summary>Allocates both rings and their buffers and programs queue 0 (the receivers stay disabled).</summary>
    public IntelLegacyRings(byte* mmio)
    {
        _mmio = mmio;
        _rx = (Descriptor*)DmaMemory.AllocatePages(RxCount * 16 / 4096);
        _tx = (Descriptor*)DmaMemory.AllocatePages(TxCount * 16 / 4096);
        _rxBuffers = (byte*)DmaMemory.AllocatePages(RxCount * BufferSize / 4096);
        _txBuffers = (byte*)DmaMemory.AllocatePages(TxCount * BufferSize / 4096);
        for (int i = 0; i < RxCount; i++) _rx[i].Address = (ulong)(_rxBuffers + i * BufferSize);
        for (int i = 0; i < TxCount; i++) { _tx[i].Address = (ulong)(_txBuffers + i * BufferSize); _tx[i].Status = StatusDone; }

        Write(IntelRegister.Rdbal, (uint)(ulong)_rx); Write(IntelRegister.Rdbah, (uint)((ulong)_rx >> 32));
        Write(IntelRegister.Rdlen, RxCount * 16); Write(IntelRegister.Rdh, 0); Write(IntelRegister.Rdt, RxCount - 1);
        Write(IntelRegister.Tdbal, (uint)(ulong)_tx); Write(IntelRegister.Tdbah, (uint)((ulong)_tx >> 32));
        Write(IntelRegister.Tdlen, TxCount * 16); Write(IntelRegister.Tdh, 0); Write(IntelRegister.Tdt, 0);
    }

    /// <summary>Delivers every completed receive descriptor (at most one ring's worth), returns them to the device
    /// with a single tail write, and returns how many there were.</summary>
    public int Drain(FrameHandler? handler, NicCounters counters)
    {
        int n = 0, last = -1;
        while (n < RxCount)
        {
            Descriptor* d = _rx + _rxNext;
            byte status = Volatile.Read(ref d->Status);
            if ((status & StatusDone) == 0) break;
            int length = NicFault.RxLength(d->Length);
            bool end = (status & StatusEndOfPacket) != 0;
            if (_rxDiscarding) { if (end) _rxDiscarding = false; }              // the tail of a frame already counted
            else if (!end) { counters.DroppedOversized++; _rxDiscarding = true; } // spans buffers: longer than 2 KiB
            else if ((d->Errors & FrameErrors) != 0 || length < 14 || length > BufferSize) counters.DroppedMalformed++;   // > its buffer: corrupt
            else if (length > MaxFrame) counters.DroppedOversized++;
            else
            {
                counters.FramesIn++;
                counters.BytesIn += (ulong)length;
                handler?.Invoke(new ReadOnlySpan<byte>(_rxBuffers + _rxNext * BufferSize, length));
            }
            d->Status = 0;
            last = _rxNext;
            _rxNext = (_rxNext + 1) % RxCount;
            n++;
        }
        if (last >= 0) Write(IntelRegister.Rdt, (uint)last);   // hands back everything up to the one just consumed
        return n;
    }

    /// <summary>Queues one frame (its descriptor is free once the device set DD). False when it is invalid or the
    /// ring stays full; the caller counts.</summary>
    public bool Transmit(ReadOnlySpan<byte> frame, NicCounters counters)
    {
        if (frame.Length < 14 || frame.Length > 1514) { counters.DroppedTxInvalid++; return false; }
        Descriptor* d = _tx + _txNext;
        // The descriptor after this one must be free too: TDT may never catch up with TDH, which the device reads as
        // an empty ring (it would then never send the 256 frames queued behind a deferred doorbell, and transmit
        // would be dead for good).
        Descriptor* after = _tx + (_txNext + 1) % TxCount;
        if ((Volatile.Read(ref d->Status) & Volatile.Read(ref after->Status) & StatusDone) == 0)
        {
            Flush();   // the device may be waiting for our doorbell to make room
            for (int spin = 0; (Volatile.Read(ref d->Status) & Volatile.Read(ref after->Status) & StatusDone) == 0; spin++)
                if (spin > 100_000) { counters.DroppedTxFull++; return false; }   // TCP will retransmit
        }
        frame.CopyTo(new Span<byte>(_txBuffers + _txNext * BufferSize, BufferSize));
        d->Length = (ushort)frame.Length;
        d->Checksum = TxCommand;
        d->Special = 0;
        Volatile.Write(ref d->Status, 0);
        _txNext = (_txNext + 1) % TxCount;
        counters.FramesOut++;
        counters.BytesOut += (ulong)frame.Length;
        _txPending = true;
        if (_batchDepth == 0 || ++_txUnannounced >= MaxUnannounced) Flush();
        return true;
    }

    /// <summary>Rings the transmit doorbell once for every frame queued since the last one.</summary>
    void Flush()
    {
        if (!_txPending) return;
        _txPending = false;
        _txUnannounced = 0;
        Write(IntelRegister.Tdt, (uint)_txNext);
    }

    void Write(int register, uint value) => Mmio.Write32(_mmio + register, value);
}
