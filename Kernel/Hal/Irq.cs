namespace CosmosNet.Kernel.Hal;

/// <summary>
/// Device interrupts: attach a handler to an ISA IRQ, an IOAPIC input (GSI) or an MSI/MSI-X message. The handler
/// gets the <c>context</c> given here (so one handler serves several instances of a driver), runs with interrupts
/// disabled after the EOI, must quiet its device before returning, and must neither block nor allocate.
/// </summary>
public static unsafe class Irq
{
    /// <summary>An ISA IRQ (0-15, e.g. a PCI INTx line from config offset 0x3C) through the IOAPIC, honouring the
    /// firmware's overrides. Returns the vector or -1.</summary>
    public static int AttachIsa(int irq, delegate*<nint, void> handler, nint context) => Arch.X64.Irq.AttachIsa(irq, handler, context);

    /// <summary>An IOAPIC input (PCI INTx lines are level-triggered, active-low). Returns the vector or -1.</summary>
    public static int AttachGsi(uint gsi, bool activeLow, bool levelTriggered, delegate*<nint, void> handler, nint context) =>
        Arch.X64.Irq.AttachGsi(gsi, activeLow, levelTriggered, handler, context);

    /// <summary>A vector for one MSI/MSI-X message: program the device with <paramref name="address"/> and
    /// <paramref name="data"/> (Drivers/Pci/Msi.cs does). False when no vector is left.</summary>
    public static bool AttachMsi(delegate*<nint, void> handler, nint context, out ulong address, out uint data) =>
        Arch.X64.Irq.AttachMsi(handler, context, out address, out data);
}

/// <summary>Disables interrupts around a short critical section shared with an interrupt handler (nests).</summary>
public static class InterruptGuard
{
    /// <summary>Disables interrupts; returns the previous state for <see cref="Restore"/>.</summary>
    public static ulong Disable() => Arch.X64.InterruptGuard.Disable();
    public static void Restore(ulong flags) => Arch.X64.InterruptGuard.Restore(flags);
}
