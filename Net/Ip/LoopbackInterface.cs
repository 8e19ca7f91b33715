using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Ip;

/// <summary>
/// The loopback interface: 127.0.0.0/8 (every address in it, as on Linux) and, like Linux's <c>lo</c>, the path of
/// packets to the Ethernet interface's own address. A packet sent here is queued and handed back to the stack's input
/// on the next turn of its loop — never re-entrantly inside the sender's call — without touching the device. Nothing
/// crosses a wire, so transports skip their checksums (<see cref="RxChecksum.Partial"/> / <see cref="RxChecksum.Valid"/>).
/// </summary>
internal sealed class LoopbackInterface
{
    /// <summary>Delivers one packet into the IP input: its header, payload, and what the sender vouched for about the checksum.</summary>
    internal delegate void Receiver(in Ipv4Packet packet, RxChecksum checksum);

    private readonly IClock _clock;
    private readonly IpOptions _options;
    private readonly NetStatistics _stats;
    private readonly Receiver _receive;
    private readonly Queue<(byte[] Packet, int Length, RxChecksum Checksum)> _queue = new();
    private readonly Stack<byte[]> _free = new();
    private readonly ITimer _timer;
    private ushort _nextId;

    private const int PooledBuffers = 16;

    public LoopbackInterface(IClock clock, IpOptions options, NetStatistics stats, Receiver receive)
    {
        _clock = clock;
        _options = options;
        _stats = stats;
        _receive = receive;
        _timer = clock.CreateTimer(DeliverQueued);
    }

    /// <summary>The largest IP payload that goes through unfragmented (packets are never fragmented here).</summary>
    public int MaxPayload => _options.LoopbackMtu - Ipv4Packet.MinHeaderLength;

    /// <summary>Packets waiting for the next turn.</summary>
    public int Queued => _queue.Count;

    /// <param name="partialChecksum">The transport checksum holds only the pseudo-header sum: nobody finishes it, the
    /// receiver is told not to verify it.</param>
    public bool Send(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload, bool partialChecksum)
    {
        if (_queue.Count >= _options.LoopbackQueueLimit)
        {
            _stats.Increment(NetCounter.IpLoopbackQueueFull);
            return false;
        }
        int length = Ipv4Packet.MinHeaderLength + payload.Length;
        var packet = _free.Count > 0 && _free.Peek().Length >= length ? _free.Pop() : new byte[Math.Max(length, 2048)];
        // A real header: an ICMP error about this packet quotes it, and the input path reads it like any other.
        Ipv4Packet.WriteHeader(packet, payload.Length, _nextId++, false, false, 0, _options.Ttl, protocol, source, destination);
        payload.CopyTo(packet.AsSpan(Ipv4Packet.MinHeaderLength));
        _queue.Enqueue((packet, length, partialChecksum ? RxChecksum.Partial : RxChecksum.Valid));
        _stats.Increment(NetCounter.IpLoopback);
        if (!_timer.IsArmed) _timer.Arm(_clock.NowNanoseconds);
        return true;
    }

    private void DeliverQueued()
    {
        // Only what is queued now: packets sent while delivering wait for the next turn.
        for (int n = _queue.Count; n > 0; n--)
        {
            var (packet, length, checksum) = _queue.Dequeue();
            try
            {
                Ipv4Packet.TryParse(packet.AsSpan(0, length), out var ip);
                _stats.Increment(NetCounter.IpLoopbackDelivered);
                _receive(ip, checksum);
            }
            finally
            {
                if (_free.Count < PooledBuffers) _free.Push(packet);
            }
        }
        if (_queue.Count > 0) _timer.Arm(_clock.NowNanoseconds);
    }
}
