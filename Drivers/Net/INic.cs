using CosmosNet.Drivers.Pci;
using CosmosNet.Net.Platform;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// A network card as the host layer drives it: the stack's <see cref="INetworkDevice"/> plus what only the host
/// needs (link state, interrupt binding, polling, counters). One instance per PCI function; no driver keeps a
/// static singleton, so two cards of one model can coexist.
/// </summary>
public unsafe interface INic : INetworkDevice
{
    /// <summary>The driver's short name, as <c>nic=</c> on the command line takes it ("e1000", "virtio", ...).</summary>
    string Model { get; }

    /// <summary>The PCI function this card was probed from.</summary>
    PciConfig Pci { get; }

    bool LinkUp { get; }

    NicCounters Counters { get; }

    /// <summary>
    /// Routes the card's interrupt (MSI-X, else MSI, else INTx) to a handler that acknowledges the device, counts,
    /// and calls <paramref name="wake"/>: interrupts are disabled there and nothing may allocate. Returns how it is
    /// delivered ("MSI-X vector 0x31", "INTx GSI 11") or null when the card can only be polled.
    /// </summary>
    string? BindInterrupt(delegate*<void> wake);

    /// <summary>
    /// On the network loop: delivers every received frame to the handler given to <see cref="INetworkDevice.Start"/>,
    /// reclaims transmitted buffers, notices link changes and re-enables the interrupt. Returns whether it did any work.
    /// </summary>
    bool Poll();

    /// <summary>
    /// From here to the matching <see cref="EndTransmitBatch"/>, transmitted frames are queued without notifying the
    /// device; the end notifies it once for all of them. An emulator runs the device model on every doorbell write, so
    /// the host brackets each pass of its loop (receive, the app's continuations, timers) with these. Batches nest;
    /// a driver whose ring fills notifies early. Drivers without a doorbell to save keep the no-op defaults.
    /// </summary>
    void BeginTransmitBatch() { }

    /// <inheritdoc cref="BeginTransmitBatch"/>
    void EndTransmitBatch() { }
}

/// <summary>Per-card counters, readable by the app (e.g. a diagnostics console).</summary>
public sealed class NicCounters
{
    public ulong FramesIn, BytesIn, FramesOut, BytesOut;
    /// <summary>Received frames dropped: bad status/length (malformed), too long (oversized), no buffer (ring full).</summary>
    public ulong DroppedMalformed, DroppedOversized, DroppedRxFull;
    /// <summary>Frames the stack handed over that could not be queued (ring full) or were of an invalid size.</summary>
    public ulong DroppedTxFull, DroppedTxInvalid;
    public ulong Interrupts, LinkChanges;

    public override string ToString() =>
        $"in {FramesIn} frames/{BytesIn} B, out {FramesOut} frames/{BytesOut} B, dropped rx malformed {DroppedMalformed} " +
        $"oversized {DroppedOversized} ring-full {DroppedRxFull}, tx ring-full {DroppedTxFull} invalid {DroppedTxInvalid}, " +
        $"interrupts {Interrupts}, link changes {LinkChanges}";
}

/// <summary>A PCI vendor/device pair a driver claims.</summary>
public readonly record struct PciId(ushort Vendor, ushort Device)
{
    public override string ToString() => $"{Vendor:x4}:{Device:x4}";
}

/// <summary>
/// One line of the driver table (<c>NicDrivers.All</c>): the name <c>nic=</c> selects, the PCI IDs it claims, and its
/// probe, which initialises the card (reset, MAC, rings; no interrupt yet) or returns null when it cannot drive it.
/// </summary>
public sealed record NicDriver(string Name, string Description, PciId[] Ids, Func<PciConfig, INic?> Probe);
