namespace CosmosNet.Drivers.Net;

/// <summary>
/// What the e1000 family and vmxnet3 share for TCP segmentation offload (<see cref="CosmosNet.Net.Platform.ISegmentationOffload"/>):
/// the check of the frame the stack hands over, and its headers put in the form these devices (and Linux's drivers
/// for them) use — the IPv4 header checksum 0, the TCP checksum field the pseudo-header sum without the TCP length,
/// since the device writes each segment's own length and adds it to the sum.
/// </summary>
static unsafe class TcpOffload
{
    public const int IpStart = 14, MaxHeaders = IpStart + 60 + 60;
    /// <summary>An IPv4 packet of 64 KiB and its Ethernet header: the largest frame a segmentation offload takes.</summary>
    public const int MaxFrame = IpStart + 65535;

    /// <summary>The TCP header's offset in an Ethernet/IPv4/TCP frame whose headers are <paramref name="headerLength"/>
    /// bytes, cut into segments of <paramref name="segmentSize"/>; -1 when it is not such a frame (the caller counts it).</summary>
    public static int TcpStart(ReadOnlySpan<byte> frame, int headerLength, int segmentSize)
    {
        if (frame.Length < IpStart + 40 || frame.Length > MaxFrame || frame[12] != 0x08 || frame[13] != 0x00) return -1;
        int versionLength = frame[IpStart], ipLength = (versionLength & 0xF) * 4;
        if (versionLength >> 4 != 4 || ipLength < 20 || frame[IpStart + 9] != 6) return -1;
        int tcpStart = IpStart + ipLength;
        if (headerLength < tcpStart + 20 || headerLength > tcpStart + 60 || headerLength >= frame.Length) return -1;
        if (segmentSize <= 0 || headerLength - IpStart + segmentSize > 1500) return -1;
        return tcpStart;
    }

    /// <summary>
    /// For <see cref="CosmosNet.Net.Platform.IChecksumOffload.TransmitPartial"/>: finishes the checksum here, in the copy at
    /// <paramref name="frame"/>, when the stack padded the frame to Ethernet's minimum (a bare ACK or SYN): QEMU's
    /// e1000e and vmxnet3 compute the pseudo-header from the frame's length rather than the IP length, so the pad
    /// bytes would count and the sum come out wrong. Returns whether it did (the frame then goes out as a plain one);
    /// -1 when the IP length does not fit the frame (the caller counts it as invalid).
    /// </summary>
    public static int FinishIfPadded(byte* frame, int length, int checksumStart, int checksumOffset)
    {
        int ipEnd = IpStart + (frame[IpStart + 2] << 8 | frame[IpStart + 3]);
        if (ipEnd > length || ipEnd < checksumStart + checksumOffset + 2) return -1;
        if (ipEnd == length) return 0;
        CosmosNet.Net.Wire.Checksum.FinishPartial(new Span<byte>(frame + checksumStart, ipEnd - checksumStart), checksumOffset);
        return 1;
    }

    /// <summary>Rewrites the copied headers at <paramref name="frame"/> as the device expects them: IPv4 checksum 0, and
    /// <paramref name="tcpLength"/> taken out of the pseudo-header sum the stack left in the TCP checksum field (one's
    /// complement subtraction: adding its complement).</summary>
    public static void PrepareHeaders(byte* frame, int tcpStart, int tcpLength)
    {
        frame[IpStart + 10] = 0;
        frame[IpStart + 11] = 0;
        byte* field = frame + tcpStart + 16;
        uint sum = (uint)(field[0] << 8 | field[1]) + (~(uint)tcpLength & 0xFFFF);
        sum = (sum & 0xFFFF) + (sum >> 16);
        sum = (sum & 0xFFFF) + (sum >> 16);
        field[0] = (byte)(sum >> 8);
        field[1] = (byte)sum;
    }
}
