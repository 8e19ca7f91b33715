namespace CosmosNet.Net.Platform;

/// <summary>Receives one Ethernet frame. The span is only valid during the call. <paramref name="checksum"/>: what the
/// device vouches for about its TCP/UDP checksum (most devices: nothing).</summary>
public delegate void FrameHandler(ReadOnlySpan<byte> frame, RxChecksum checksum = RxChecksum.Unverified);

/// <summary>
/// An Ethernet device as the stack sees it: a NIC driver in the kernel, a TAP device on a host,
/// or one end of a simulated link in tests.
/// </summary>
public interface INetworkDevice
{
    MacAddress MacAddress { get; }

    /// <summary>Largest IP packet the link carries (1500 on Ethernet).</summary>
    int Mtu { get; }

    /// <summary>Sends one frame (Ethernet header included, no FCS). The device copies it before returning.</summary>
    void Transmit(ReadOnlySpan<byte> frame);

    /// <summary>
    /// Starts delivery of received frames to <paramref name="handler"/>. Frames are delivered on the
    /// stack's single thread of control (see <see cref="IClock"/>).
    /// </summary>
    void Start(FrameHandler handler);
}
