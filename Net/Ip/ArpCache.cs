using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Ip;

/// <summary>One neighbour: its MAC once resolved (null while ARP asks), how long the mapping is still trusted, and the
/// frames waiting for it.</summary>
public readonly record struct ArpEntry(Ipv4Address Address, MacAddress? Mac, long ExpiresInNanoseconds, int WaitingFrames);

/// <summary>
/// The neighbour table: IPv4 → MAC with expiry, plus the frames waiting for an address being resolved.
/// Waiting frames live in a fixed pool of buffers, so a flood towards silent hosts costs bounded memory.
/// </summary>
internal sealed class ArpCache
{
    private sealed class Entry
    {
        public MacAddress Mac;
        public bool Resolved;
        public long ExpiresAt;          // resolved: when to stop trusting Mac
        public int RequestsSent;        // pending: requests so far
        public long NextRequestAt;      // pending: when to ask again
        public readonly Queue<(byte[] Frame, int Length)> Waiting = new();
    }

    private readonly NetworkInterface _interface;
    private readonly IClock _clock;
    private readonly IpOptions _options;
    private readonly NetStatistics _stats;
    private readonly Dictionary<Ipv4Address, Entry> _entries = new();
    private readonly Stack<byte[]> _freeBuffers = new();
    private readonly int _bufferSize;
    private readonly ITimer _timer;
    private readonly List<Ipv4Address> _failed = new();
    private int _waitingFrames;

    public ArpCache(NetworkInterface networkInterface, IClock clock, IpOptions options, NetStatistics stats, int frameCapacity)
    {
        _interface = networkInterface;
        _clock = clock;
        _options = options;
        _stats = stats;
        _bufferSize = frameCapacity;
        _timer = clock.CreateTimer(OnTimer);
    }

    public int Count => _entries.Count;

    public ArpEntry[] Entries() => _entries.Select(e => new ArpEntry(e.Key, e.Value.Resolved ? e.Value.Mac : null,
        e.Value.Resolved ? Math.Max(0, e.Value.ExpiresAt - _clock.NowNanoseconds) : 0, e.Value.Waiting.Count)).ToArray();
    public int WaitingFrames => _waitingFrames;

    public bool TryLookup(Ipv4Address address, out MacAddress mac)
    {
        mac = default;
        if (!_entries.TryGetValue(address, out var e) || !e.Resolved) return false;
        if (e.ExpiresAt <= _clock.NowNanoseconds) { _entries.Remove(address); return false; }
        mac = e.Mac;
        return true;
    }

    /// <summary>
    /// Learns a mapping. <paramref name="create"/> is false for ARP traffic not addressed to us: RFC 826 then only refreshes
    /// addresses already in the table, so strangers' chatter does not fill it.
    /// </summary>
    public void Update(Ipv4Address address, MacAddress mac, bool create)
    {
        if (!_entries.TryGetValue(address, out var e))
        {
            if (!create) return;
            if (_entries.Count >= _options.ArpCacheSize && !EvictOne()) return;
            e = new Entry();
            _entries[address] = e;
        }
        e.Mac = mac;
        e.Resolved = true;
        e.ExpiresAt = _clock.NowNanoseconds + _options.ArpCacheTimeout.Ticks * 100;
        while (e.Waiting.TryDequeue(out var waiting))
        {
            mac.Write(waiting.Frame);
            _interface.TransmitFrame(waiting.Frame, waiting.Length);
            Release(waiting.Frame);
        }
    }

    /// <summary>Queues a frame (Ethernet header included, destination to be filled in) until <paramref name="nextHop"/> answers.</summary>
    public bool Enqueue(Ipv4Address nextHop, ReadOnlySpan<byte> frame)
    {
        if (!_entries.TryGetValue(nextHop, out var e) || e.Resolved)
        {
            if (e == null && _entries.Count >= _options.ArpCacheSize && !EvictOne()) { _stats.Increment(NetCounter.ArpQueueFull); return false; }
            e ??= new Entry();
            e.Resolved = false;
            e.RequestsSent = 0;
            _entries[nextHop] = e;
        }
        if (e.Waiting.Count >= _options.ArpQueuePerAddress || _waitingFrames >= _options.ArpQueueTotal || frame.Length > _bufferSize)
        {
            _stats.Increment(NetCounter.ArpQueueFull);
            return false;
        }
        var buffer = _freeBuffers.Count > 0 ? _freeBuffers.Pop() : new byte[_bufferSize];
        frame.CopyTo(buffer);
        e.Waiting.Enqueue((buffer, frame.Length));
        _waitingFrames++;
        if (e.RequestsSent == 0) SendRequest(nextHop, e);
        return true;
    }

    private void SendRequest(Ipv4Address address, Entry e)
    {
        e.RequestsSent++;
        e.NextRequestAt = _clock.NowNanoseconds + _options.ArpRetryInterval.Ticks * 100;
        _interface.SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, address);
        _stats.Increment(NetCounter.ArpRequestsSent);
        if (!_timer.IsArmed) _timer.Arm(e.NextRequestAt);
    }

    private void OnTimer()
    {
        long now = _clock.NowNanoseconds;
        long next = long.MaxValue;
        foreach (var (address, e) in _entries)
        {
            if (e.Resolved) continue;
            if (e.NextRequestAt <= now)
            {
                if (e.RequestsSent >= _options.ArpMaxRequests) { _failed.Add(address); continue; }
                e.RequestsSent++;
                e.NextRequestAt = now + _options.ArpRetryInterval.Ticks * 100;
                _interface.SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, address);
                _stats.Increment(NetCounter.ArpRequestsSent);
            }
            next = Math.Min(next, e.NextRequestAt);
        }
        if (next != long.MaxValue) _timer.Arm(next);
        // Failures are handled after the walk: telling transports may make them send, which changes the table.
        foreach (var address in _failed)
        {
            if (!_entries.Remove(address, out var e)) continue;
            while (e.Waiting.TryDequeue(out var w))
            {
                _waitingFrames--;
                _stats.Increment(NetCounter.ArpUnresolved);
                _interface.ReportUnreachable(w.Frame.AsSpan(EthernetFrame.HeaderLength, w.Length - EthernetFrame.HeaderLength));
                _freeBuffers.Push(w.Frame);
            }
        }
        _failed.Clear();
    }

    private void Release(byte[] frame)
    {
        _waitingFrames--;
        _freeBuffers.Push(frame);
    }

    /// <summary>Drops the resolved entry closest to expiry; pending entries stay (their packets are bounded separately).</summary>
    private bool EvictOne()
    {
        Ipv4Address victim = default;
        long oldest = long.MaxValue;
        foreach (var (address, e) in _entries)
            if (e.Resolved && e.ExpiresAt < oldest) { oldest = e.ExpiresAt; victim = address; }
        if (oldest == long.MaxValue) return false;
        _entries.Remove(victim);
        _stats.Increment(NetCounter.ArpCacheEvictions);
        return true;
    }
}
