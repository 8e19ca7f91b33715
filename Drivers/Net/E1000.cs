using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;
using static CosmosNet.Drivers.Net.IntelRegister;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// Intel 8254x gigabit NICs: the 82540EM (QEMU's <c>-device e1000</c>, Bochs) and the 82545EM (VMware's e1000), on
/// the legacy descriptor rings the family shares (<see cref="IntelLegacyRings"/>). What is the 8254x's own: the MAC
/// from the EEPROM, and one interrupt (MSI when the function has it, else INTx) that acknowledges the device, notes
/// the causes and wakes the host loop; frames are copied out by <see cref="Poll"/> on the loop. Checksum and TCP
/// segmentation offload come from the shared rings (<see cref="IChecksumOffload"/>, <see cref="ISegmentationOffload"/>;
/// off with <c>nic.offload=off</c>).
/// </summary>
public sealed unsafe class E1000 : INic, IChecksumOffload, ISegmentationOffload
{
    public static readonly PciId[] Ids = [new(0x8086, 0x100E) /* 82540EM */, new(0x8086, 0x100F) /* 82545EM copper */];

    const int Eerd = 0x0014, MissedPackets = 0x4010;
    const uint EerdStart = 1, EerdDone = 0x10;

    readonly byte* _mmio;
    readonly IntelLegacyRings _rings;
    FrameHandler? _handler;
    delegate*<void> _wake;
    bool _interruptBound, _link;
    uint _causes;   // ICR bits seen by the interrupt handler, taken by Poll

    public string Model => "e1000";
    public PciConfig Pci { get; }
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public bool LinkUp => (Read(Status) & StatusLinkUp) != 0;
    public NicCounters Counters { get; } = new();

    /// <summary>Resets and starts the card (rings, MAC filter, receive and transmit on); null without a memory BAR 0.</summary>
    public static INic? Probe(PciConfig pci)
    {
        ulong bar = pci.MemoryBar(0);
        return bar == 0 ? null : new E1000(pci, bar);
    }

    E1000(PciConfig pci, ulong bar)
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

        MacAddress = ReadMac();
        ulong mac = MacAddress.Value;
        uint low = (uint)(((mac >> 40) & 0xFF) | ((mac >> 24) & 0xFF00) | ((mac >> 8) & 0xFF_0000) | ((mac << 8) & 0xFF00_0000));
        uint high = (uint)(((mac >> 8) & 0xFF) | ((mac << 8) & 0xFF00));
        Write(Ral, low);
        Write(Rah, high | (1u << 31));                 // address valid
        for (int i = 0; i < 128; i++) Write(Mta + i * 4, 0);

        _rings = new IntelLegacyRings(_mmio, OffloadLimit.Allows);
        Console.WriteLine(_rings.Offloads ? "e1000: offloads tx-checksum tso4" : "e1000: offloads off (nic.offload=off)");
        Write(Tipg, TipgDefault);
        Write(Tctl, TctlDefault);
        // (QEMU holds received frames for 1 s after an RCTL write — its flush_queue_timer — which is most of the
        // ~1 s from boot to a DHCP lease under QEMU.)
        Write(Rctl, RctlDefault);
        _link = LinkUp;
    }

    public string? BindInterrupt(delegate*<void> wake)
    {
        if (_interruptBound) throw new InvalidOperationException("e1000: interrupt already bound");
        _wake = wake;
        nint context = InterruptContext.For(this);
        string how;
        int vector = InterruptLimit.AllowsMsi ? Msi.EnableMsi(Pci, &OnInterrupt, context) : -1;
        if (vector >= 0) how = $"MSI vector 0x{vector:x}";
        else
        {
            int line = Pci.Read8(0x3C);
            vector = line is > 0 and < 16 ? Irq.AttachIsa(line, &OnInterrupt, context) : -1;
            how = $"INTx IRQ {line} vector 0x{vector:x}";
        }
        if (vector < 0) return null;
        _interruptBound = true;
        Write(Ims, IcrRxTimer | IcrRxOverrun | IcrRxDescriptorsLow | IcrLinkChange);
        return how;
    }

    static void OnInterrupt(nint context)
    {
        if (InterruptContext.Get<E1000>(context) is not { } card) return;
        uint causes = card.Read(Icr);     // reading ICR acknowledges and deasserts the (level-triggered) line
        if (causes == 0) return;          // a shared INTx line raised by another device
        card._causes |= causes;
        card.Counters.Interrupts++;
        card._wake();
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public bool Poll()
    {
        uint causes = Interlocked.Exchange(ref _causes, 0);
        if ((causes & IcrRxOverrun) != 0) Counters.DroppedRxFull += Read(MissedPackets);   // clears on read
        if ((causes & IcrLinkChange) != 0 || !_interruptBound)
        {
            bool link = LinkUp;
            if (link != _link) { _link = link; Counters.LinkChanges++; }
        }
        _rings.BeginBatch();                           // replies to this batch share one transmit doorbell
        int frames = _rings.Drain(_handler, Counters);
        _rings.EndBatch();
        return frames != 0;
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

    MacAddress ReadMac()
    {
        // EEPROM words 0-2 hold the MAC; the RAL/RAH registers (loaded from it at reset) are the fallback.
        ulong v = 0;
        for (int word = 0; word < 3; word++)
        {
            Write(Eerd, (uint)(word << 8) | EerdStart);
            uint r = 0;
            for (int i = 0; i < 100_000 && ((r = Read(Eerd)) & EerdDone) == 0; i++) { }
            if ((r & EerdDone) == 0) { v = 0; break; }
            ushort w = (ushort)(r >> 16);
            v |= (ulong)(byte)w << (40 - word * 16) | (ulong)(byte)(w >> 8) << (32 - word * 16);
        }
        if (v == 0 || v == MacAddress.Broadcast.Value)
        {
            uint lo = Read(Ral), hi = Read(Rah);
            v = (ulong)(byte)lo << 40 | (ulong)(byte)(lo >> 8) << 32 | (ulong)(byte)(lo >> 16) << 24 | (ulong)(byte)(lo >> 24) << 16
                | (ulong)(byte)hi << 8 | (byte)(hi >> 8);
        }
        return new MacAddress(v);
    }

    uint Read(int register) => Mmio.Read32(_mmio + register);
    void Write(int register, uint value) => Mmio.Write32(_mmio + register, value);
}
