using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// Realtek RTL8139 (QEMU's <c>-device rtl8139</c>): receive into one 32 KiB ring buffer the card fills with
/// [status, length, frame, CRC] records, transmit through its four fixed descriptors, port I/O, INTx only.
/// The interrupt masks the card and wakes the loop; <see cref="Poll"/> drains the ring, then unmasks.
/// </summary>
public sealed unsafe class Rtl8139 : INic
{
    public static readonly PciId[] Ids = [new(0x10EC, 0x8139)];

    // Registers (I/O space, BAR0).
    const ushort Idr = 0x00, Mar = 0x08, Tsd = 0x10, Tsad = 0x20, Rbstart = 0x30, Cr = 0x37, Capr = 0x38, Cbr = 0x3A,
        Imr = 0x3C, Isr = 0x3E, Tcr = 0x40, Rcr = 0x44, Mpc = 0x4C, Config1 = 0x52, Bmsr = 0x64;
    const byte CrReset = 0x10, CrRxEnable = 0x08, CrTxEnable = 0x04, CrBufferEmpty = 0x01;
    const ushort IsrRxOk = 0x01, IsrRxError = 0x02, IsrTxOk = 0x04, IsrTxError = 0x08, IsrRxOverflow = 0x10,
        IsrLinkChange = 0x20, IsrFifoOverflow = 0x40, IsrSystemError = 0x8000;
    const ushort Interesting = IsrRxOk | IsrRxError | IsrRxOverflow | IsrLinkChange | IsrFifoOverflow | IsrSystemError;
    const uint TsdOwn = 1u << 13, TsdTxOk = 1u << 15, TsdUnderrun = 1u << 14, TsdAborted = 1u << 30;
    // Receive status word of each record.
    const ushort RxOk = 0x01, RxBadMask = 0x02 | 0x04 | 0x08 | 0x10 | 0x20;   // alignment, CRC, long, runt, bad symbol

    /// <summary>RBLEN = 2: a 32 KiB ring (+16). With WRAP set the card writes a frame that crosses the end
    /// linearly into the slack after it instead of wrapping, so every frame is contiguous in memory.</summary>
    const int RingSize = 32 * 1024, RingSlack = 16 + 2048, TxSlots = 4, TxBufferSize = 2048, MinFrame = 60;
    const int MaxFrame = 1514 + 4;   // + a VLAN tag

    readonly ushort _io;
    readonly byte* _ring;
    readonly byte* _txBuffers;
    int _rxOffset;                 // where the next record starts in the ring
    int _txNext, _txOldest, _txInFlight;
    bool _linkUp, _interruptBound;
    volatile bool _linkEvent;
    FrameHandler? _handler;

    public string Model => "rtl8139";
    public PciConfig Pci { get; }
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public NicCounters Counters { get; } = new();
    public bool LinkUp => (PortIo.In16((ushort)(_io + Bmsr)) & 0x04) != 0;

    delegate*<void> _wake;

    public static INic? Probe(PciConfig pci)
    {
        uint bar0 = pci.Read32(0x10);
        if ((bar0 & 1) == 0) return null;             // BAR0 must be the I/O window
        // RBSTART and TSAD take 32-bit addresses: the DMA memory must sit below 4 GiB.
        var ring = (byte*)DmaMemory.AllocatePages((RingSize + RingSlack + 4095) / 4096);
        var txBuffers = (byte*)DmaMemory.AllocatePages(TxSlots * TxBufferSize / 4096);
        if ((ulong)ring + RingSize + RingSlack > 0x1_0000_0000UL || (ulong)txBuffers + TxSlots * TxBufferSize > 0x1_0000_0000UL)
            return null;
        return new Rtl8139(pci, (ushort)(bar0 & 0xFFFC), ring, txBuffers);
    }

    Rtl8139(PciConfig pci, ushort io, byte* ring, byte* txBuffers)
    {
        Pci = pci;
        _io = io;
        _ring = ring;
        _txBuffers = txBuffers;
        pci.SetCommand(0x1 | 0x4, 0);                 // I/O space + bus master (DMA)
        Out8(Config1, 0);                             // power on (LWAKE + LWPTN low)
        Out8(Cr, CrReset);
        for (int i = 0; i < 100_000 && (In8(Cr) & CrReset) != 0; i++) { }
        Out16(Imr, 0);

        ulong mac = 0;
        for (int i = 0; i < 6; i++) mac = mac << 8 | In8((ushort)(Idr + i));
        MacAddress = new MacAddress(mac);

        Out32(Rbstart, (uint)(ulong)_ring);
        for (int i = 0; i < TxSlots; i++) Out32((ushort)(Tsad + 4 * i), (uint)(ulong)(_txBuffers + i * TxBufferSize));

        Out8(Cr, CrRxEnable | CrTxEnable);
        // Accept broadcast, multicast and our address; WRAP; 32 KiB ring; unlimited DMA burst; no FIFO threshold.
        Out32(Rcr, 0x02 | 0x04 | 0x08 | (1u << 7) | (7u << 8) | (2u << 11) | (7u << 13));
        Out32(Tcr, (6u << 8) | (3u << 24));           // 1 KiB DMA bursts, standard inter-frame gap
        Out32(Mar, 0xFFFF_FFFF); Out32((ushort)(Mar + 4), 0xFFFF_FFFF);
        Out16(Capr, unchecked((ushort)(0 - 16)));
        Out16(Isr, 0xFFFF);
        _linkUp = LinkUp;
    }

    public string? BindInterrupt(delegate*<void> wake)
    {
        int line = Pci.Read8(0x3C);
        if (line is 0 or >= 16) return null;
        _wake = wake;
        nint context = InterruptContext.For(this);
        int vector = Irq.AttachIsa(line, &OnInterrupt, context);
        if (vector < 0) return null;
        _interruptBound = true;
        Out16(Imr, Interesting);
        return $"INTx IRQ {line} vector 0x{vector:x}";
    }

    static void OnInterrupt(nint context)
    {
        if (InterruptContext.Get<Rtl8139>(context) is not { } card) return;
        ushort status = card.In16(Isr);
        if ((status & Interesting) == 0) return;      // a shared line: not ours
        card.Out16(Imr, 0);                           // quiet until Poll has drained the ring
        if ((status & IsrLinkChange) != 0) card._linkEvent = true;
        card.Counters.Interrupts++;
        card._wake();
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public bool Poll()
    {
        // Acknowledge first: a frame that lands after the drain sets the status again and interrupts on unmask.
        ushort status = In16(Isr);
        if (status != 0) Out16(Isr, status);
        bool work = ReclaimTransmitted() > 0;
        if ((status & (IsrLinkChange)) != 0 || _linkEvent || !_interruptBound)
        {
            _linkEvent = false;
            bool up = LinkUp;
            if (up != _linkUp) { _linkUp = up; Counters.LinkChanges++; work = true; }
        }
        if ((status & (IsrRxOverflow | IsrFifoOverflow)) != 0)
        {
            Counters.DroppedRxFull += In32(Mpc) & 0xFF_FFFF;   // frames missed for want of ring space; a write clears it
            Out32(Mpc, 0);
        }
        work |= DrainRing();
        if (_interruptBound) Out16(Imr, Interesting);
        return work;
    }

    bool DrainRing()
    {
        int records = 0;
        while ((In8(Cr) & CrBufferEmpty) == 0 && records < RingSize / 16)
        {
            byte* record = _ring + _rxOffset;
            ushort rxStatus = Volatile.Read(ref *(ushort*)record);
            int length = NicFault.RxLength(*(ushort*)(record + 2));   // includes the 4-byte CRC
            if ((rxStatus & RxOk) == 0 || length < 14 + 4 || length > RingSlack - 16)
            {
                // The record header itself is not trustworthy, so neither is the next offset: drop everything the
                // card has written so far and resume where it will write next.
                Counters.DroppedMalformed++;
                _rxOffset = In16(Cbr) % RingSize;
                Out16(Capr, unchecked((ushort)(_rxOffset - 16)));
                return true;
            }
            records++;
            if ((rxStatus & RxBadMask) != 0) Counters.DroppedMalformed++;
            else if (length - 4 > MaxFrame) Counters.DroppedOversized++;
            else
            {
                Counters.FramesIn++;
                Counters.BytesIn += (ulong)(length - 4);
                _handler?.Invoke(new ReadOnlySpan<byte>(record + 4, length - 4));
            }
            _rxOffset = (_rxOffset + 4 + length + 3) & ~3;
            _rxOffset %= RingSize;
            Out16(Capr, unchecked((ushort)(_rxOffset - 16)));   // the card's read pointer runs 16 bytes behind
        }
        return records > 0;
    }

    int ReclaimTransmitted()
    {
        int freed = 0;
        while (_txInFlight > 0)
        {
            uint tsd = In32((ushort)(Tsd + 4 * _txOldest));
            if ((tsd & (TsdTxOk | TsdUnderrun | TsdAborted)) == 0) break;
            _txOldest = (_txOldest + 1) % TxSlots;
            _txInFlight--;
            freed++;
        }
        return freed;
    }

    /// <summary>Each of the four descriptors has its own doorbell (its status register), so there is nothing to batch.</summary>
    public void Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || frame.Length > 1514) { Counters.DroppedTxInvalid++; return; }
        for (int spin = 0; _txInFlight == TxSlots; spin++)
        {
            if (spin > 10_000) { Counters.DroppedTxFull++; return; }   // ring full: TCP will retransmit
            ReclaimTransmitted();
        }
        byte* buffer = _txBuffers + _txNext * TxBufferSize;
        frame.CopyTo(new Span<byte>(buffer, TxBufferSize));
        int length = frame.Length;
        if (length < MinFrame) { new Span<byte>(buffer + length, MinFrame - length).Clear(); length = MinFrame; }
        Out32((ushort)(Tsd + 4 * _txNext), (uint)length);   // OWN clear, no early-transmit threshold: send
        _txNext = (_txNext + 1) % TxSlots;
        _txInFlight++;
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
    }

    byte In8(ushort register) => PortIo.In8((ushort)(_io + register));
    ushort In16(ushort register) => PortIo.In16((ushort)(_io + register));
    uint In32(ushort register) => PortIo.In32((ushort)(_io + register));
    void Out8(ushort register, byte value) => PortIo.Out8((ushort)(_io + register), value);
    void Out16(ushort register, ushort value) => PortIo.Out16((ushort)(_io + register), value);
    void Out32(ushort register, uint value) => PortIo.Out32((ushort)(_io + register), value);
}
