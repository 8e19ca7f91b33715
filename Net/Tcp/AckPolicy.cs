using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// When to acknowledge received data. In-order data is delayed (RFC 1122 4.2.3.2: at most the configured timeout, and
/// at least every second segment); out-of-order data, hole fills, FINs and duplicates are acknowledged at once
/// (RFC 5681 4.2) — a quick ACK. Every ACK sent, pure or piggybacked, settles what was pending.
/// </summary>
internal sealed class AckPolicy
{
    private readonly ITimer _delayedAck;
    private readonly long _delayNs;
    private int _segmentsUnacked, _bytesUnacked;

    public AckPolicy(ITimer delayedAck, long delayNs)
    {
        _delayedAck = delayedAck;
        _delayNs = delayNs;
    }

    /// <summary>An ACK is owed now; the input path sends it once the segment is processed.</summary>
    public bool AckNow { get; private set; }

    /// <summary>A segment of <paramref name="bytes"/> new in-order data arrived; <paramref name="mss"/> is the MSS we announced.</summary>
    public void InOrderData(long nowNs, int bytes, int mss)
    {
        _bytesUnacked += bytes;
        // Every second segment, or two full segments' worth: a large segment (a device's receive offload joins
        // segments) is acknowledged at once rather than after another one.
        if (++_segmentsUnacked >= 2 || _bytesUnacked >= 2 * mss) AckNow = true;
        else if (!_delayedAck.IsArmed) _delayedAck.Arm(nowNs + _delayNs);
    }

    /// <summary>Something arrived that the peer must hear about at once.</summary>
    public void Quick() => AckNow = true;

    /// <summary>A segment carrying our current RCV.NXT went out.</summary>
    public void AckSent()
    {
        _segmentsUnacked = _bytesUnacked = 0;
        AckNow = false;
        _delayedAck.Cancel();
    }

    public void Stop() => _delayedAck.Cancel();
}
