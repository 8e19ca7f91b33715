using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Ip;

/// <summary>
/// Reassembles fragmented IPv4 datagrams (RFC 791, RFC 815). Bounded in time (a timeout per datagram), in count and in
/// buffer memory (the oldest partial datagram is evicted). A fragment that overlaps data already received with different
/// bytes discards the whole datagram (the teardrop class of attacks); an exact duplicate is ignored.
/// </summary>
internal sealed class Reassembler
{
    internal sealed class Datagram
    {
        public Ipv4Address Source, Destination;
        public byte Protocol;
        public ushort Id;
        public byte[] Buffer = [];
        public readonly byte[] Blocks = new byte[8192 / 8]; // one bit per 8-byte block of payload
        public int TotalLength = -1;                          // known once the last fragment arrived
        public int Received;
        public long Deadline;
        public readonly byte[] FirstHeader = new byte[Ipv4Packet.MaxHeaderLength];
        public int FirstHeaderLength;                         // 0 until the fragment at offset 0 arrived

        public ReadOnlySpan<byte> Payload => Buffer.AsSpan(0, TotalLength);
        public ReadOnlySpan<byte> Header => FirstHeader.AsSpan(0, FirstHeaderLength);
    }

    private readonly IClock _clock;
    private readonly IpOptions _options;
    private readonly NetStatistics _stats;
    private readonly Action<Datagram> _timedOut;
    private readonly List<Datagram> _datagrams = new(); // oldest first
    private readonly ITimer _timer;
    private long _memory;

    public Reassembler(IClock clock, IpOptions options, NetStatistics stats, Action<Datagram> timedOut)
    {
        _clock = clock;
        _options = options;
        _stats = stats;
        _timedOut = timedOut;
        _timer = clock.CreateTimer(OnTimer);
    }

    public int PendingDatagrams => _datagrams.Count;
    public long MemoryInUse => _memory;

    /// <summary>Adds one fragment; returns the datagram when it is complete (it is no longer tracked then), else null.</summary>
    public Datagram? Add(in Ipv4Packet fragment)
    {
        _stats.Increment(NetCounter.IpFragmentsReceived);
        var d = Find(fragment);
        int offset = fragment.FragmentOffset;
        var data = fragment.Payload;
        int end = offset + data.Length;

        if (d == null)
        {
            while (_datagrams.Count >= _options.ReassemblyMaxDatagrams) Evict(_datagrams[0]);
            d = new Datagram
            {
                Source = fragment.Source, Destination = fragment.Destination, Protocol = fragment.Protocol,
                Id = fragment.Identification, Deadline = _clock.NowNanoseconds + _options.ReassemblyTimeout.Ticks * 100,
            };
            _datagrams.Add(d);
            if (!_timer.IsArmed) _timer.Arm(d.Deadline);
        }

        bool last = !fragment.MoreFragments;
        if ((last && d.TotalLength >= 0 && d.TotalLength != end) || (d.TotalLength >= 0 && end > d.TotalLength))
        {
            Discard(d, NetCounter.IpBadFragment);
            return null;
        }

        int firstBlock = offset / 8, endBlock = (end + 7) / 8;
        int seen = 0;
        for (int b = firstBlock; b < endBlock; b++) if (IsSet(d, b)) seen++;
        if (seen != 0)
        {
            if (seen == endBlock - firstBlock && end <= d.Buffer.Length && d.Buffer.AsSpan(offset, data.Length).SequenceEqual(data)
                && (!last || d.TotalLength == end))
                return null; // exact duplicate
            Discard(d, NetCounter.IpReassemblyOverlaps);
            return null;
        }

        if (last) d.TotalLength = end;
        if (!Reserve(d, last ? end : Math.Max(end, d.Buffer.Length))) return null;
        data.CopyTo(d.Buffer.AsSpan(offset));
        for (int b = firstBlock; b < endBlock; b++) d.Blocks[b >> 3] |= (byte)(1 << (b & 7));
        d.Received += data.Length;
        if (offset == 0)
        {
            fragment.Header.CopyTo(d.FirstHeader);
            d.FirstHeaderLength = fragment.HeaderLength;
        }

        if (d.TotalLength < 0 || d.Received != d.TotalLength) return null;
        Forget(d);
        _stats.Increment(NetCounter.IpReassembled);
        return d;
    }

    private Datagram? Find(in Ipv4Packet p)
    {
        foreach (var d in _datagrams)
            if (d.Id == p.Identification && d.Source == p.Source && d.Destination == p.Destination && d.Protocol == p.Protocol)
                return d;
        return null;
    }

    private static bool IsSet(Datagram d, int block) => (d.Blocks[block >> 3] & (1 << (block & 7))) != 0;

    /// <summary>Grows the buffer to hold <paramref name="needed"/> bytes, evicting older datagrams to stay within the memory limit.</summary>
    private bool Reserve(Datagram d, int needed)
    {
        if (needed <= d.Buffer.Length) return true;
        int size = d.TotalLength >= 0 ? d.TotalLength : Math.Min(Ipv4Packet.MaxPacketLength, Math.Max(needed, Math.Max(2048, d.Buffer.Length * 2)));
        if (size < needed) size = needed;
        long growth = size - d.Buffer.Length;
        while (_memory + growth > _options.ReassemblyMemoryLimit)
        {
            var oldest = _datagrams[0];
            if (oldest == d) { Discard(d, NetCounter.IpReassemblyEvictions); return false; }
            Evict(oldest);
        }
        var buffer = new byte[size];
        d.Buffer.CopyTo(buffer, 0);
        d.Buffer = buffer;
        _memory += growth;
        return true;
    }

    private void Evict(Datagram d) => Discard(d, NetCounter.IpReassemblyEvictions);

    private void Discard(Datagram d, NetCounter reason)
    {
        Forget(d);
        _stats.Increment(reason);
    }

    private void Forget(Datagram d)
    {
        _datagrams.Remove(d);
        _memory -= d.Buffer.Length;
        if (_datagrams.Count == 0) _timer.Cancel();
    }

    private void OnTimer()
    {
        long now = _clock.NowNanoseconds;
        while (_datagrams.Count > 0 && _datagrams[0].Deadline <= now)
        {
            var d = _datagrams[0];
            Discard(d, NetCounter.IpReassemblyTimeouts);
            _timedOut(d);
        }
        if (_datagrams.Count > 0) _timer.Arm(_datagrams[0].Deadline);
    }
}
