using System.Runtime.InteropServices;
using CosmosNet.Drivers.Pci;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// Intel 8254x gigabit NICs: the 82540EM (QEMU's <c>-device e1000</c>, Bochs) and the 82545EM (VMware's e1000).
/// Legacy descriptors in identity-mapped DMA pages, one 2 KiB buffer per descriptor. The interrupt (MSI when the
/// function has it, else INTx) only acknowledges the device, notes the causes and wakes the host loop; frames are
/// copied out by <see cref="Poll"/> on the loop.
/// </summary>
public sealed unsafe class E1000 : INic
{
    public static readonly PciId[] Ids = [new(0x8086, 0x100E) /* 82540EM */, new(0x8086, 0x100F) /* 82545EM copper */];

    const int Ctrl = 0x0000, Status = 0x0008, Eerd = 0x0014, Icr = 0x00C0, Ims = 0x00D0, Imc = 0x00D8,
        Rctl = 0x0100, Tctl = 0x0400, Tipg = 0x0410, Rdbal = 0x2800, Rdbah = 0x2804, Rdlen = 0x2808, Rdh = 0x2810,
        Rdt = 0x2818, Tdbal = 0x3800, Tdbah = 0x3804, Tdlen = 0x3808, Tdh = 0x3810, Tdt = 0x3818, Mpc = 0x4010,
        Mta = 0x5200, Ral = 0x5400, Rah = 0x5404;
    const uint CauseLinkChange = 1u << 2, CauseRxOverrun = 1u << 6;
    const int RxCount = 256, TxCount = 256, BufferSize = 2048, MaxFrame = 1514;

#pragma warning disable CS0649 // written by the device
    struct Descriptor { public ulong Address; public ushort Length; public ushort Checksum; public byte Status; public byte Errors; public ushort Special; }
#pragma warning restore CS0649
    // Transmit descriptors share the layout: Checksum = CSO|CMD bytes, Status, Errors = CSS.

    readonly byte* _mmio;
    readonly Descriptor* _rx, _tx;
    readonly byte* _rxBuffers, _txBuffers;
    int _rxNext, _txNext;
    FrameHandler? _handler;
    delegate*<void> _wake;
    bool _interruptBound, _link;
    uint _causes;   // ICR bits seen by the interrupt handler, taken by Poll

    public string Model => "e1000";
    public PciConfig Pci { get; }
    public MacAddress MacAddress { get; }
    public int Mtu => 1500;
    public bool LinkUp => (Read(Status) & 2) != 0;
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
        Write(Ctrl, Read(Ctrl) | (1u << 26));          // device reset
        for (int i = 0; i < 100_000 && (Read(Ctrl) & (1u << 26)) != 0; i++) { }
        Write(Imc, 0xFFFF_FFFF);
        Read(Icr);
        // Set link up, auto speed detection; no PHY reset, no VLAN mode, no link reset.
        Write(Ctrl, (Read(Ctrl) | (1u << 6) | (1u << 5)) & ~((1u << 3) | (1u << 31) | (1u << 30)));

        MacAddress = ReadMac();
        ulong mac = MacAddress.Value;
        uint low = (uint)(((mac >> 40) & 0xFF) | ((mac >> 24) & 0xFF00) | ((mac >> 8) & 0xFF_0000) | ((mac << 8) & 0xFF00_0000));
        uint high = (uint)(((mac >> 8) & 0xFF) | ((mac << 8) & 0xFF00));
        Write(Ral, low);
        Write(Rah, high | (1u << 31));                 // address valid
        for (int i = 0; i < 128; i++) Write(Mta + i * 4, 0);

        _rx = (Descriptor*)DmaMemory.AllocatePages(RxCount * 16 / 4096);
        _tx = (Descriptor*)DmaMemory.AllocatePages(TxCount * 16 / 4096);
        _rxBuffers = (byte*)DmaMemory.AllocatePages(RxCount * BufferSize / 4096);
        _txBuffers = (byte*)DmaMemory.AllocatePages(TxCount * BufferSize / 4096);
        for (int i = 0; i < RxCount; i++) _rx[i].Address = (ulong)(_rxBuffers + i * BufferSize);
        for (int i = 0; i < TxCount; i++) { _tx[i].Address = (ulong)(_txBuffers + i * BufferSize); _tx[i].Status = 1; }

        Write(Rdbal, (uint)(ulong)_rx); Write(Rdbah, (uint)((ulong)_rx >> 32));
        Write(Rdlen, RxCount * 16); Write(Rdh, 0); Write(Rdt, RxCount - 1);
        Write(Tdbal, (uint)(ulong)_tx); Write(Tdbah, (uint)((ulong)_tx >> 32));
        Write(Tdlen, TxCount * 16); Write(Tdh, 0); Write(Tdt, 0);
        Write(Tipg, 10 | (8 << 10) | (6 << 20));
        Write(Tctl, (1u << 1) | (1u << 3) | (0x0Fu << 4) | (0x40u << 12));   // enable, pad short packets, CT, COLD
        // Enable, accept broadcast, 2 KiB buffers, strip the CRC. (QEMU holds received frames for 1 s after an RCTL
        // write — its flush_queue_timer — which is most of the ~1 s from boot to a DHCP lease under QEMU.)
        Write(Rctl, (1u << 1) | (1u << 15) | (1u << 26));

        _link = LinkUp;
    }

    public string? BindInterrupt(delegate*<void> wake)
    {
        if (_interruptBound) throw new InvalidOperationException("e1000: interrupt already bound");
        _wake = wake;
        var self = GCHandle.Alloc(this);   // the handler's context: which card interrupted
        nint context = GCHandle.ToIntPtr(self);
        string how;
        int vector = Msi.EnableMsi(Pci, &OnInterrupt, context);
        if (vector >= 0) how = $"MSI vector 0x{vector:x}";
        else
        {
            int line = Pci.Read8(0x3C);
            vector = line is > 0 and < 16 ? Irq.AttachIsa(line, &OnInterrupt, context) : -1;
            how = $"INTx IRQ {line} vector 0x{vector:x}";
        }
        if (vector < 0) { self.Free(); return null; }
        _interruptBound = true;
        // Receive timer, overrun, descriptors low, link status change.
        Write(Ims, (1u << 7) | CauseRxOverrun | (1u << 4) | CauseLinkChange);
        return how;
    }

    static void OnInterrupt(nint context)
    {
        if (GCHandle.FromIntPtr(context).Target is not E1000 device) return;
        uint causes = device.Read(Icr);   // reading ICR acknowledges and deasserts the (level-triggered) line
        if (causes == 0) return;          // a shared INTx line raised by another device
        device._causes |= causes;
        device.Counters.Interrupts++;
        device._wake();
    }

    public void Start(FrameHandler handler) => _handler = handler;

    public bool Poll()
    {
        uint causes = Interlocked.Exchange(ref _causes, 0);
        if ((causes & CauseRxOverrun) != 0) Counters.DroppedRxFull += Read(Mpc);   // missed packets (clears on read)
        if ((causes & CauseLinkChange) != 0 || !_interruptBound)
        {
            bool link = LinkUp;
            if (link != _link) { _link = link; Counters.LinkChanges++; }
        }

        int n = 0;
        while (n < RxCount)
        {
            Descriptor* d = _rx + _rxNext;
            byte status = Volatile.Read(ref d->Status);
            if ((status & 1) == 0) break;              // DD: the device is done with it
            int length = d->Length;
            bool whole = (status & 2) != 0 && d->Errors == 0;   // EOP, no CRC/symbol/length errors
            if (!whole || length < 14) Counters.DroppedMalformed++;
            else if (length > MaxFrame + 4) Counters.DroppedOversized++;   // + a VLAN tag
            else
            {
                Counters.FramesIn++;
                Counters.BytesIn += (ulong)length;
                _handler?.Invoke(new ReadOnlySpan<byte>(_rxBuffers + _rxNext * BufferSize, length));
            }
            d->Status = 0;
            Write(Rdt, (uint)_rxNext);                 // hand the descriptor back
            _rxNext = (_rxNext + 1) % RxCount;
            n++;
        }
        return n != 0;
    }

    public void Transmit(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 14 || frame.Length > MaxFrame) { Counters.DroppedTxInvalid++; return; }
        Descriptor* d = _tx + _txNext;
        for (int spin = 0; (Volatile.Read(ref d->Status) & 1) == 0; spin++)
            if (spin > 100_000) { Counters.DroppedTxFull++; return; }   // ring full: TCP will retransmit
        frame.CopyTo(new Span<byte>(_txBuffers + _txNext * BufferSize, BufferSize));
        d->Length = (ushort)frame.Length;
        d->Checksum = (ushort)(((1 << 0) | (1 << 1) | (1 << 3)) << 8);   // CMD: EOP, insert FCS, report status
        d->Status = 0;
        _txNext = (_txNext + 1) % TxCount;
        Write(Tdt, (uint)_txNext);
        Counters.FramesOut++;
        Counters.BytesOut += (ulong)frame.Length;
    }

    MacAddress ReadMac()
    {
        // EEPROM words 0-2 hold the MAC; the RAL/RAH registers (loaded from it at reset) are the fallback.
        ulong v = 0;
        for (int word = 0; word < 3; word++)
        {
            Write(Eerd, (uint)(word << 8) | 1);
            uint r = 0;
            for (int i = 0; i < 100_000 && ((r = Read(Eerd)) & 0x10) == 0; i++) { }
            if ((r & 0x10) == 0) { v = 0; break; }
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

    uint Read(int register) => Volatile.Read(ref *(uint*)(_mmio + register));
    void Write(int register, uint value) => Volatile.Write(ref *(uint*)(_mmio + register), value);
}
