using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Device interrupts for drivers: attach a handler to an ISA IRQ, an IOAPIC input (GSI) or an MSI
/// vector. Handlers run with interrupts disabled, after the EOI (they must quiet their device before
/// returning) and must not block or allocate. Spurious and unexpected vectors are counted, never fatal.
/// Vectors: 0x20-0x2F the masked legacy PIC (spurious only), 0x30-0xEF devices, 0xF0 the APIC timer,
/// 0xFE APIC error, 0xFF APIC spurious.</summary>
internal static unsafe class Irq
{
    public const byte FirstDeviceVector = 0x30, LastDeviceVector = 0xEF;

    struct Entry { public nint Handler, Context; public ulong Count; }
    [InlineArray(256)] struct Entries { Entry _first; }

    static Entries s_entries;
    static int s_nextVector = FirstDeviceVector;

    /// <summary>APIC spurious vector and legacy-PIC spurious IRQs.</summary>
    public static ulong SpuriousCount { get; private set; }
    /// <summary>Vectors nobody attached to (and APIC error interrupts).</summary>
    public static ulong UnexpectedCount { get; private set; }
    public static ulong CountFor(byte vector) => s_entries[vector].Count;

    internal static void Initialize()
    {
        for (int v = 0x20; v < 256; v++) Interrupts.SetHandler((byte)v, &Dispatch);
    }

    /// <summary>Reserves a free device vector with its handler; -1 when all are taken.</summary>
    public static int AllocateVector(delegate*<nint, void> handler, nint context)
    {
        ulong flags = InterruptGuard.Disable();
        int vector = -1;
        if (s_nextVector <= LastDeviceVector)
        {
            vector = s_nextVector++;
            SetVector((byte)vector, handler, context);
        }
        InterruptGuard.Restore(flags);
        return vector;
    }

    /// <summary>Binds a fixed vector (e.g. the APIC timer) to a handler.</summary>
    public static void SetVector(byte vector, delegate*<nint, void> handler, nint context)
    {
        s_entries[vector].Context = context;
        s_entries[vector].Handler = (nint)handler;
    }

    /// <summary>An ISA IRQ (0-15) through the IOAPIC, honouring the MADT's overrides. Returns the vector or -1.</summary>
    public static int AttachIsa(int irq, delegate*<nint, void> handler, nint context)
    {
        if ((uint)irq >= 16) return -1;
        return AttachGsi(Madt.IsaGsi(irq), Madt.IsaActiveLow(irq), Madt.IsaLevelTriggered(irq), handler, context);
    }

    /// <summary>An IOAPIC input (PCI INTx lines are level-triggered, active-low). Returns the vector or -1.</summary>
    public static int AttachGsi(uint gsi, bool activeLow, bool levelTriggered, delegate*<nint, void> handler, nint context)
    {
        int vector = AllocateVector(handler, context);
        if (vector < 0) return -1;
        if (!IoApic.Route(gsi, (byte)vector, activeLow, levelTriggered)) { SetVector((byte)vector, null, 0); return -1; }
        return vector;
    }

    /// <summary>A vector for an MSI/MSI-X message: program the device with the returned address and data
    /// (see Drivers/Pci/Msi.cs). Returns false when no vector is left.</summary>
    public static bool AttachMsi(delegate*<nint, void> handler, nint context, out ulong address, out uint data)
    {
        int vector = AllocateVector(handler, context);
        address = 0xFEE00000UL | (Apic.Id << 12);   // fixed delivery to this CPU, physical destination
        data = (uint)(vector < 0 ? 0 : vector);      // edge-triggered, fixed delivery mode
        return vector >= 0;
    }

    static void Dispatch(TrapFrame* frame)
    {
        byte vector = (byte)frame->Vector;
        ref Entry e = ref s_entries[vector];
        if (vector == Apic.SpuriousVector || (vector >= 0x20 && vector < 0x30 && e.Handler == 0))
        {
            SpuriousCount++;  // no EOI: the APIC and the masked PIC expect none
            return;
        }
        Apic.Eoi();           // first, so a handler may switch threads (the scheduler's tick does)
        if (e.Handler == 0) { UnexpectedCount++; return; }
        e.Count++;
        ((delegate*<nint, void>)e.Handler)(e.Context);
    }
}
