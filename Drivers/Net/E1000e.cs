using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;
using static CosmosNet.Drivers.Net.IntelRegister;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// Intel 82574L (QEMU's <c>-device e1000e</c>, q35's and VMware's newer default): queue 0 with the legacy descriptor
/// rings it shares with the 8254x (<see cref="IntelLegacyRings"/>). Interrupts: MSI-X when offered (receive on
/// vector 0, link and other causes on vector 1, each auto-cleared and auto-masked by the device as it fires), else
/// MSI, else INTx (the handler reads ICR and masks receive). <see cref="Poll"/> drains, then unmasks. Checksum and
/// TCP segmentation offload come from the shared rings (off with <c>nic.offload=off</c>).
/// </summary>
public sealed unsafe class E1000e : INic, IChecksumOffload, ISegmentationOffload
{
    public static readonly PciId[] Ids = [new(0x8086, 0x10D3)];

    const int Eiac = 0x00DC, Ivar = 0x00E4, Tarc0 = 0x3840, MissedPackets = 0x4010;
    const uint IcrRxQueue0 = 1u << 20, IcrOther = 1u << 24;
    const uint CtrlExtPbaSupport = 1u << 31, TarcEnable = 1u << 10, IvarValid = 0x8;
    /// <summary>Receive causes in MSI/INTx mode: timer (each frame without delay registers set), overrun, ring low.</summary>
    const uint LegacyRxCauses = IcrRxTimer | IcrRxOverrun | IcrRxDescriptorsLow;

    readonly byte* _mmio;
    readonly IntelLegacyRings _rings;
    bool _msiX, _linkUp, _interruptBound;
    volatile bool _linkEvent;
    FrameHandler? _handler;

    public string Model => "e1000e";
    public PciConfig Pci { get; }
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public NicCounters Counters { get; } = new();
    public bool LinkUp => (Read(Status) & StatusLinkUp) != 0;

    delegate*<void> _wake;

    public static INic? Probe(PciConfig pci)
    {
        ulong bar = pci.MemoryBar(0);
        return bar == 0 ? null : new E1000e(pci, bar);
    }

    E1000e(PciConfig pci, ulong bar)
    {
        Pci = pci;
        Mmio.Map(bar, 0x20000);
        _mmio = (byte*)bar;
        pci.SetCommand(0x6, 0);                       // memory space + bus master (DMA)

        Write(Imc, 0xFFFF_FFFF);
        Write(Ctrl, Read(Ctrl) | CtrlReset);
        for (int i = 0; i < 100_000 && (Read(Ctrl) & CtrlReset) != 0; i++) { }
        Write(Imc, 0xFFFF_FFFF);
        Read(Icr);
        Write(Ctrl, (Read(Ctrl) | CtrlSetLinkUp | CtrlAutoSpeed) & ~((1u << 3) | (1u << 31) | (1u << 30)));   // no link/PHY reset, no VLAN mode

        // The NVM loads the station address into receive-address register 0 at reset.
        uint lo = Read(Ral), hi = Read(Rah);
        MacAddress = new MacAddress((ulong)(byte)lo << 40 | (ulong)(byte)(lo >> 8) << 32 | (ulong)(byte)(lo >> 16) << 24
            | (ulong)(byte)(lo >> 24) << 16 | (ulong)(byte)hi << 8 | (byte)(hi >> 8));
        Write(Rah, hi | (1u << 31));                  // address valid
        for (int i = 0; i < 128; i++) Write(Mta + i * 4, 0);

        _rings = new IntelLegacyRings(_mmio, OffloadLimit.Allows);
        Console.WriteLine(_rings.Offloads ? "e1000e: offloads tx-checksum tso4" : "e1000e: offloads off (nic.offload=off)");
        Write(Tarc0, Read(Tarc0) | TarcEnable);
        Write(Tipg, TipgDefault);
        Write(Tctl, TctlDefault);
        Write(Rctl, RctlDefault);
        _linkUp = LinkUp;
    }

    public string? BindInterrupt(delegate*<void> wake)
    {
        _wake = wake;
        nint context = InterruptContext.For(this);
        string? how = null;
        if (InterruptLimit.AllowsMsiX && Msi.MsiXTableSize(Pci) >= 2)
        {
            int rx = Msi.EnableMsiXEntry(Pci, 0, &OnReceiveVector, context);
            int other = rx < 0 ? -1 : Msi.EnableMsiXEntry(Pci, 1, &OnOtherVector, context);
            if (other >= 0)
            {
                _msiX = true;
                Write(CtrlExt, Read(CtrlExt) | CtrlExtPbaSupport);
                Write(Ivar, (0 | IvarValid) | (1 | IvarValid) << 16);    // RxQ0 -> entry 0, other causes -> entry 1
                Write(Eiac, IcrRxQueue0 | IcrOther);                     // cleared from ICR (and masked) as they fire
                how = $"MSI-X vectors 0x{rx:x} (receive), 0x{other:x} (link)";
            }
        }
        if (how is null)
        {
            int vector = InterruptLimit.AllowsMsi ? Msi.EnableMsi(Pci, &OnInterrupt, context) : -1;
            if (vector >= 0) how = $"MSI vector 0x{vector:x}";
            else
            {
                int line = Pci.Read8(0x3C);
                vector = line is > 0 and < 16 ? Irq.AttachIsa(line, &OnInterrupt, context) : -1;
                if (vector >= 0) how = $"INTx IRQ {line} vector 0x{vector:x}";
            }
        }
        if (how is null) return null;
        _interruptBound = true;
        Write(Ims, ReceiveMask | LinkMask);
        return how;
    }

    uint ReceiveMask => _msiX ? IcrRxQueue0 : LegacyRxCauses;
    uint LinkMask => _msiX ? IcrOther | IcrLinkChange : IcrLinkChange;

    /// <summary>MSI-X entry 0: RxQ0 is already cleared from ICR (EIAC); masked here until Poll has drained.</summary>
    static void OnReceiveVector(nint context)
    {
        if (InterruptContext.Get<E1000e>(context) is not { } card) return;
        card.Write(Imc, IcrRxQueue0);
        card.Counters.Interrupts++;
        card._wake();
    }

    /// <summary>MSI-X entry 1: link change (or another rare cause); Poll clears it and unmasks.</summary>
    static void OnOtherVector(nint context)
    {
        if (InterruptContext.Get<E1000e>(context) is not { } card) return;
        card.Write(Imc, IcrOther | IcrLinkChange);
        card._linkEvent = true;
        card.Counters.Interrupts++;
        card._wake();
    }

    /// <summary>MSI or INTx: reading ICR acknowledges (and deasserts the line); receive stays masked until Poll.</summary>
    static void OnInterrupt(nint context)
    {
        if (InterruptContext.Get<E1000e>(context) is not { } card) return;
        uint icr = card.Read(Icr);
        if ((icr & (LegacyRxCauses | IcrLinkChange)) == 0) return;   // a shared line: not ours
        card.Write(Imc, LegacyRxCauses);
        if ((icr & IcrLinkChange) != 0) card._linkEvent = true;
        card.Counters.Interrupts++;
        card._wake();
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public bool Poll()
    {
        bool work = false;
        if (_linkEvent || !_interruptBound)
        {
            _linkEvent = false;
            if (_msiX) Write(Icr, IcrOther | IcrLinkChange | IcrRxOverrun);   // write-1-to-clear; then unmask "other"
            bool up = LinkUp;
            if (up != _linkUp) { _linkUp = up; Counters.LinkChanges++; work = true; }
            if (_interruptBound) Write(Ims, LinkMask);
        }
        _rings.BeginBatch();
        int frames = _rings.Drain(_handler, Counters);
        _rings.EndBatch();
        // Frames the device dropped for want of a descriptor: a clear-on-read statistic, so reading it only after
        // a large batch (when the ring may have filled) still loses no count.
        if (frames >= 64) Counters.DroppedRxFull += Read(MissedPackets);
        work |= frames > 0;
        if (_interruptBound) Write(Ims, ReceiveMask);   // fires at once if a frame landed since the drain
        return work;
    }

    public void Transmit(ReadOnlySpan<byte> frame) => _rings.Transmit(frame, Counters);
    public bool FinishesChecksums => _rings.Offloads;
    public void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset) =>
        _rings.TransmitPartial(frame, checksumStart, checksumOffset, Counters);
    public int MaxSegmentedPacket => _rings.MaxSegmentedPacket;
    public bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize) =>
        _rings.TransmitSegmented(frame, headerLength, segmentSize, Counters);
    public void BeginTransmitBatch() => _rings.BeginBatch();
    public void EndTransmitBatch() => _rings.EndBatch();

    uint Read(int register) => Mmio.Read32(_mmio + register);
    void Write(int register, uint value) => Mmio.Write32(_mmio + register, value);
}
