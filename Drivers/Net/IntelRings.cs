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
/// The receive and transmit descriptor rings of the Intel gigabit family (one 2 KiB buffer per descriptor,
/// identity-mapped DMA pages): programs queue 0, drains received frames (legacy receive descriptors) with one RDT write
/// per batch, and queues transmitted frames with one TDT write per transmit batch (<see cref="BeginBatch"/> ..
/// <see cref="EndBatch"/>). Transmit offloads (unless <c>nic.offload=off</c>): a TCP/UDP checksum the device finishes
/// (a TCP/IP context descriptor naming the checksum's start and field, written when they change, then an extended data
/// descriptor with TXSM), and TCP segmentation (a context descriptor with TSE, the MSS, the header and payload lengths,
/// then the frame of up to 64 KiB in extended data descriptors of 2 KiB with TSE: the device cuts it into segments,
/// filling in each one's IP length, identification and checksum and its TCP sequence number and checksum). Every
/// descriptor asks for its status (RS), so "done" (DD) marks every free descriptor, context ones included.
/// </summary>
sealed unsafe class IntelLegacyRings
{
#pragma warning disable CS0649 // written by the device
    /// <summary>Receive: address, length, checksum, status, errors, special. A legacy transmit descriptor shares the
    /// layout (Checksum = CSO | CMD &lt;&lt; 8, Status, Errors = CSS); extended ones (context, data) are written as
    /// the two dwords after the address (<see cref="Put"/>), the status byte in the same place.</summary>
    struct Descriptor { public ulong Address; public ushort Length; public ushort Checksum; public byte Status; public byte Errors; public ushort Special; }
#pragma warning restore CS0649

    const int RxCount = 256, TxCount = 256, BufferSize = 2048, MaxFrame = 1514 + 4;   // + a VLAN tag
    const byte StatusDone = 0x01, StatusEndOfPacket = 0x02;
    /// <summary>CRC, symbol, sequence, carrier-extension and RX-data errors (not the checksum bits: no offload).</summary>
    const byte FrameErrors = 0x01 | 0x02 | 0x04 | 0x10 | 0x80;
    /// <summary>Command byte (bits 31:24 of the second dword): end of packet, insert FCS, TCP segmentation (data; IC in a
    /// legacy descriptor), report status, extended descriptor. A context descriptor's TUCMD: TCP, IPv4, TSE, RS, DEXT.</summary>
    const uint CmdEop = 0x01u << 24, CmdIfcs = 0x02u << 24, CmdTse = 0x04u << 24, CmdRs = 0x08u << 24, CmdDext = 0x20u << 24,
        ContextTcp = 0x01u << 24, ContextIp = 0x02u << 24;
    /// <summary>Descriptor type (bits 23:20) of an extended data descriptor (a context descriptor's is 0).</summary>
    const uint TypeData = 1u << 20;
    /// <summary>POPTS (bits 15:8 of the fourth dword): insert the IP checksum, insert the TCP/UDP checksum.</summary>
    const uint OptionIpChecksum = 0x01u << 8, OptionTcpChecksum = 0x02u << 8;
    /// <summary>Descriptors a batch may queue before the doorbell rings anyway: a batch must never fill the ring unseen,
    /// since TDT == TDH reads as an empty ring to the device.</summary>
    const int MaxUnannounced = TxCount / 4;

    readonly byte* _mmio;
    readonly Descriptor* _rx, _tx;
    readonly byte* _rxBuffers, _txBuffers;
    int _rxNext, _txNext, _batchDepth, _txUnannounced;
    bool _rxDiscarding, _txPending;
    /// <summary>The checksum context the device holds (TUCSS | TUCSO &lt;&lt; 8 | 1 &lt;&lt; 16); 0 when none, or a
    /// segmentation context replaced it.</summary>
    uint _checksumContext;

    /// <summary>Whether the transmit offloads are on (<c>nic.offload</c>): <see cref="TransmitPartial"/> and
    /// <see cref="TransmitSegmented"/> may be used.</summary>
    public bool Offloads { get; }

    /// <summary>Until the matching <see cref="EndBatch"/> (batches nest), transmitted frames wait instead of each
    /// ringing the doorbell.</summary>
    public void BeginBatch() => _batchDepth++;

    /// <summary>Ends a batch; the outermost end rings the doorbell once for every frame queued in it.</summary>
    public void EndBatch()
    {
        if (_batchDepth > 0 && --_batchDepth == 0) Flush();
    }

    /// <summary>Allocates both rings and their buffers and programs queue 0 (the receivers stay disabled).</summary>
    public IntelLegacyRings(byte* mmio, bool offloads)
    {
        _mmio = mmio;
        Offloads = offloads;
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

    /// <summary>Queues one frame in a legacy descriptor. False when it is invalid or the ring stays full; the caller
    /// counts.</summary>
    public bool Transmit(ReadOnlySpan<byte> frame, NicCounters counters)
    {
        if (frame.Length < 14 || frame.Length > 1514) { counters.DroppedTxInvalid++; return false; }
        if (!Reserve(1)) { counters.DroppedTxFull++; return false; }   // TCP will retransmit
        byte* buffer = Put(out Descriptor* d);
        frame.CopyTo(new Span<byte>(buffer, BufferSize));
        Set(d, (ulong)buffer, (uint)frame.Length | CmdEop | CmdIfcs | CmdRs, 0);
        return Queued(frame.Length, counters);
    }

    /// <summary>Queues one frame whose TCP/UDP checksum the device finishes from <paramref name="checksumStart"/> to the
    /// end, into the field <paramref name="checksumOffset"/> further, which holds the pseudo-header sum
    /// (<see cref="IChecksumOffload.TransmitPartial"/>). A context descriptor goes first when the offsets changed.</summary>
    public bool TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset, NicCounters counters)
    {
        if (!Offloads) throw new InvalidOperationException("e1000: checksum offload is off (nic.offload=off)");
        int field = checksumStart + checksumOffset;
        if (frame.Length < 14 || frame.Length > 1514 || checksumStart < TcpOffload.IpStart + 20 || checksumOffset < 0
            || field > 255 || field + 2 > frame.Length)
        { counters.DroppedTxInvalid++; return false; }
        uint context = (uint)(checksumStart | field << 8 | 1 << 16);
        bool newContext = context != _checksumContext;
        if (!Reserve(newContext ? 2 : 1)) { counters.DroppedTxFull++; return false; }
        byte* copy = _txBuffers + _txNext * BufferSize;   // where the frame goes if it needs no context descriptor
        frame.CopyTo(new Span<byte>(copy, BufferSize));
        int padded = TcpOffload.FinishIfPadded(copy, frame.Length, checksumStart, checksumOffset);
        if (padded < 0) { counters.DroppedTxInvalid++; return false; }
        if (padded > 0)
        {
            byte* plain = Put(out Descriptor* p);
            Set(p, (ulong)plain, (uint)frame.Length | CmdEop | CmdIfcs | CmdRs, 0);
            return Queued(frame.Length, counters);
        }
        if (newContext)
        {
            Put(out Descriptor* c);
            // IPCSS/IPCSO/IPCSE (the IP checksum is not asked for: the stack wrote it), TUCSS/TUCSO and TUCSE 0 (to the end).
            Set(c, IpFields(checksumStart) | (ulong)context << 32 & 0xFFFF_0000_0000, CmdDext | CmdRs, 0);
            _checksumContext = context;
        }
        byte* buffer = Put(out Descriptor* d);
        if (buffer != copy) frame.CopyTo(new Span<byte>(buffer, BufferSize));   // the context descriptor took the first
        Set(d, (ulong)buffer, (uint)frame.Length | TypeData | CmdDext | CmdEop | CmdIfcs | CmdRs, OptionTcpChecksum);
        return Queued(frame.Length, counters);
    }

    /// <summary>Frames <see cref="TransmitSegmented"/> takes: an IPv4 packet of up to 64 KiB (0 with the offloads off).</summary>
    public int MaxSegmentedPacket => Offloads ? 65535 : 0;

    /// <summary>
    /// Queues one Ethernet/IPv4/TCP frame of up to 64 KiB for the device to cut into segments of
    /// <paramref name="segmentSize"/> (<see cref="ISegmentationOffload.TransmitSegmented"/>): a TSE context descriptor,
    /// then the frame in 2 KiB data descriptors. False when the ring has no room for it (the stack then cuts it);
    /// an invalid frame is counted and dropped.
    /// </summary>
    public bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize, NicCounters counters)
    {
        if (!Offloads) throw new InvalidOperationException("e1000: segmentation offload is off (nic.offload=off)");
        int tcpStart = TcpOffload.TcpStart(frame, headerLength, segmentSize);
        if (tcpStart < 0) { counters.DroppedTxInvalid++; return true; }
        int pieces = (frame.Length + BufferSize - 1) / BufferSize;
        if (!Reserve(1 + pieces)) return false;
        Put(out Descriptor* c);
        ulong tcpFields = (ulong)(uint)(tcpStart | (tcpStart + 16) << 8) << 32;   // TUCSS, TUCSO, TUCSE 0
        Set(c, IpFields(tcpStart) | tcpFields, (uint)(frame.Length - headerLength) | ContextTcp | ContextIp | CmdTse | CmdDext | CmdRs,
            (uint)headerLength << 8 | (uint)segmentSize << 16);
        _checksumContext = 0;   // one context on the 8254x: the segmentation one replaced a checksum one
        for (int offset = 0; offset < frame.Length; offset += BufferSize)
        {
            int n = Math.Min(BufferSize, frame.Length - offset);
            byte* buffer = Put(out Descriptor* d);
            frame.Slice(offset, n).CopyTo(new Span<byte>(buffer, BufferSize));
            if (offset == 0) TcpOffload.PrepareHeaders(buffer, tcpStart, frame.Length - tcpStart);
            uint end = offset + n == frame.Length ? CmdEop : 0;
            Set(d, (ulong)buffer, (uint)n | TypeData | CmdDext | CmdTse | CmdIfcs | CmdRs | end, OptionIpChecksum | OptionTcpChecksum);
        }
        return Queued(frame.Length, counters);
    }

    /// <summary>IPCSS (the IP header after the Ethernet one), IPCSO (its checksum field), IPCSE (its last byte).</summary>
    static ulong IpFields(int transportStart) =>
        (uint)(TcpOffload.IpStart | (TcpOffload.IpStart + 10) << 8 | (transportStart - 1) << 16);

    /// <summary>
    /// Waits (a bounded time) until <paramref name="count"/> descriptors from the next one are free, and the one after
    /// them too: TDT may never catch up with TDH, which the device reads as an empty ring (it would then never send the
    /// frames queued behind a deferred doorbell, and transmit would be dead for good). The device completes descriptors
    /// in order, so the last of them being done means all are.
    /// </summary>
    bool Reserve(int count)
    {
        Descriptor* after = _tx + (_txNext + count) % TxCount;
        if ((Volatile.Read(ref after->Status) & StatusDone) != 0) return true;
        Flush();   // the device may be waiting for our doorbell to make room
        for (int spin = 0; (Volatile.Read(ref after->Status) & StatusDone) == 0; spin++)
            if (spin > 100_000) return false;
        return true;
    }

    /// <summary>Takes the next transmit descriptor (reserved) and returns its buffer.</summary>
    byte* Put(out Descriptor* d)
    {
        d = _tx + _txNext;
        byte* buffer = _txBuffers + _txNext * BufferSize;
        _txNext = (_txNext + 1) % TxCount;
        _txUnannounced++;
        return buffer;
    }

    /// <summary>Writes a descriptor: the address (or a context's setup fields), then the command dword and the status
    /// dword, status 0 (the device's until it sets DD).</summary>
    static void Set(Descriptor* d, ulong low, uint command, uint status)
    {
        d->Address = low;
        ((uint*)d)[2] = command;
        Volatile.Write(ref ((uint*)d)[3], status);
    }

    bool Queued(int length, NicCounters counters)
    {
        counters.FramesOut++;
        counters.BytesOut += (ulong)length;
        _txPending = true;
        if (_batchDepth == 0 || _txUnannounced >= MaxUnannounced) Flush();
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
