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
