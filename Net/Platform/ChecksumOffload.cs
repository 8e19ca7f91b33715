namespace CosmosNet.Net.Platform;

/// <summary>What the device vouches for about a received frame's TCP/UDP checksum (virtio-net's
/// <c>VIRTIO_NET_HDR_F_*</c> flags). The IPv4 header checksum is always checked by the stack.</summary>
public enum RxChecksum : byte
{
    /// <summary>Nothing: the stack verifies the checksum.</summary>
    Unverified,
    /// <summary>The device (or the host behind it) checked it (<c>DATA_VALID</c>): no need to sum the payload again.</summary>
    Valid,
    /// <summary>The sender never finished it (<c>NEEDS_CSUM</c>): a local sender on the same host left the field holding
    /// only the pseudo-header sum, and the bytes crossed no wire, so there is nothing to verify.</summary>
    Partial,
}

/// <summary>
/// Implemented, besides <see cref="INetworkDevice"/>, by a device that can finish TCP/UDP checksums of outgoing frames
/// (virtio-net's <c>VIRTIO_NET_F_CSUM</c>). The stack then writes only the pseudo-header sum and lets the device sum
/// the payload.
/// </summary>
public interface IChecksumOffload
{
    /// <summary>Whether <see cref="TransmitPartial"/> is available now (the feature was negotiated).</summary>
    bool FinishesChecksums { get; }

    /// <summary>
    /// Sends one frame (copied before returning, like <see cref="INetworkDevice.Transmit"/>) whose checksum field at
    /// <paramref name="checksumStart"/> + <paramref name="checksumOffset"/> holds the folded, uncomplemented
    /// pseudo-header sum: the device adds every byte from <paramref name="checksumStart"/> to the end of the frame and
    /// stores the complement there.
    /// </summary>
    void TransmitPartial(ReadOnlySpan<byte> frame, int checksumStart, int checksumOffset);
}

/// <summary>
/// Implemented, besides <see cref="IChecksumOffload"/>, by a device that cuts large TCP segments itself (TCP
/// segmentation offload: virtio-net's <c>VIRTIO_NET_F_HOST_TSO4</c>). The stack may then build one TCP/IPv4 packet of
/// many segments' worth of data; the device (or the host behind it) sends it as segments of <c>segmentSize</c> payload
/// bytes with the headers adjusted — sequence numbers, IP lengths, identifications and checksums, FIN and PSH on the
/// last only. Each packet crosses the device once instead of once per segment.
/// </summary>
public interface ISegmentationOffload
{
    /// <summary>The largest IPv4 packet (IP header included) <see cref="TransmitSegmented"/> takes; 0 when the feature
    /// is off.</summary>
    int MaxSegmentedPacket { get; }

    /// <summary>
    /// Sends one Ethernet/IPv4/TCP frame larger than the MTU whose TCP checksum field holds the pseudo-header sum (as for
    /// <see cref="IChecksumOffload.TransmitPartial"/>), to be cut into segments of <paramref name="segmentSize"/> payload
    /// bytes; <paramref name="headerLength"/> is the Ethernet, IP and TCP headers' length. Copied before returning.
    /// False when the device has no room for it now: the caller then sends the segments one by one.
    /// </summary>
    bool TransmitSegmented(ReadOnlySpan<byte> frame, int headerLength, int segmentSize);

    /// <summary>
    /// Whether <see cref="TransmitSegmented"/> would take a frame of <paramref name="frameLength"/> bytes now (the ring
    /// has room for it): asked before the segment is built, so that a sender that will wait copies nothing.
    /// </summary>
    bool HasRoomForSegmented(int frameLength) => true;
}
