namespace CosmosNet.Net.Simulation;

/// <summary>Receives one packet. The span is only valid during the call.</summary>
public delegate void PacketHandler(ReadOnlySpan<byte> packet);

/// <summary>How one direction of a link behaves. Probabilities are per packet, decided from the simulation's seed.</summary>
public sealed record LinkProfile
{
    public static readonly LinkProfile Ideal = new();

    /// <summary>Propagation delay added after serialisation.</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Line rate; each packet occupies the wire for length·8/rate. 0 = infinitely fast.</summary>
    public long BitsPerSecond { get; init; }

    /// <summary>Packets that may wait for the wire (the one being serialised included); more are tail-dropped.</summary>
    public int QueueLimit { get; init; } = 1000;

    /// <summary>Largest packet carried; longer ones are dropped.</summary>
    public int MaxPacketSize { get; init; } = 65535;

    public double Loss { get; init; }
    public double Duplicate { get; init; }
    public double Corrupt { get; init; }

    /// <summary>Bits flipped in a corrupted packet (distinct positions).</summary>
    public int CorruptBits { get; init; } = 1;

    /// <summary>Probability that a packet is held back by a random extra delay up to <see cref="ReorderDelay"/>, letting later ones overtake it.</summary>
    public double Reorder { get; init; }

    public TimeSpan ReorderDelay { get; init; } = TimeSpan.FromMilliseconds(1);
}

/// <summary>What one direction of a link did to the packets given to it.</summary>
public sealed class LinkCounters
{
    public long Sent, Delivered, BytesDelivered;
    public long Lost, QueueDropped, Oversize, DroppedWhileDown, Unclaimed;
    public long Duplicated, Corrupted, Reordered, DeliveredOutOfOrder;
    /// <summary>Packet buffers the channel allocated: its pool grows to the most packets it ever had in flight at once.</summary>
    public long BuffersAllocated;

    public override string ToString() =>
        $"sent={Sent} delivered={Delivered} bytes={BytesDelivered} lost={Lost} queue-dropped={QueueDropped} " +
        $"oversize={Oversize} down={DroppedWhileDown} unclaimed={Unclaimed} duplicated={Duplicated} " +
        $"corrupted={Corrupted} reordered={Reordered} out-of-order={DeliveredOutOfOrder}";
}

/// <summary>
/// A point-to-point link carrying opaque packets both ways: latency, bandwidth (serialisation delay and a
/// bounded queue), loss, reordering, duplication and corruption, all drawn from the simulation's seed.
/// Each end is a packet port: <see cref="LinkEnd.Send"/> and a <see cref="LinkEnd.Receiver"/>.
/// </summary>
public sealed class SimulatedLink
{
    public SimulatedLink(Simulator sim, LinkProfile? profile = null, LinkProfile? reverse = null, string? name = null)
    {
        Name = name ?? $"link{sim.NextLinkId()}";
        A = new LinkEnd($"{Name}.A");
        B = new LinkEnd($"{Name}.B");
        AtoB = new LinkChannel(sim, $"{Name}:A>B", profile ?? LinkProfile.Ideal, B);
        BtoA = new LinkChannel(sim, $"{Name}:B>A", reverse ?? profile ?? LinkProfile.Ideal, A);
        A.Outgoing = AtoB;
        B.Outgoing = BtoA;
    }

    public string Name { get; }
    public LinkEnd A { get; }
    public LinkEnd B { get; }
    public LinkChannel AtoB { get; }
    public LinkChannel BtoA { get; }

    /// <summary>Sets the same profile on both directions.</summary>
    public LinkProfile Profile { set { AtoB.Profile = value; BtoA.Profile = value; } }

    /// <summary>Cuts (false) or restores (true) both directions; packets already in flight still arrive.</summary>
    public bool IsUp { set { AtoB.IsUp = value; BtoA.IsUp = value; } }

    public override string ToString() => $"{AtoB.Name}: {AtoB.Counters}\n{BtoA.Name}: {BtoA.Counters}";
}

/// <summary>One end of a link: a packet port for a device adapter, an IP-payload pipe, or a test.</summary>
public sealed class LinkEnd
{
    internal LinkEnd(string name) { Name = name; }

    public string Name { get; }

    /// <summary>Called on the simulation thread for each packet that arrives at this end.</summary>
    public PacketHandler? Receiver { get; set; }

    internal LinkChannel Outgoing { get; set; } = null!;

    /// <summary>Sends a packet towards the other end (copied before returning).</summary>
    public void Send(ReadOnlySpan<byte> packet) => Outgoing.Send(packet);
}

/// <summary>One direction of a link, with its profile, its counters, and the packets in flight.</summary>
public sealed class LinkChannel
{
    private readonly Simulator _sim;
    private readonly SeededRandom _random;
    private readonly LinkEnd _destination;
    private readonly Queue<long> _wireQueue = new(); // serialisation end times of packets not yet fully on the wire
    private readonly Stack<InFlightPacket> _pool = new();
    private long _wireFreeAt;
    private long _nextId;
    private long _highestDelivered = -1;

    internal LinkChannel(Simulator sim, string name, LinkProfile profile, LinkEnd destination)
    {
        _sim = sim;
        Name = name;
        Profile = profile;
        _destination = destination;
        _random = sim.Random.Fork(name);
    }

    public string Name { get; }
    public LinkProfile Profile { get; set; }
    public bool IsUp { get; set; } = true;
    public LinkCounters Counters { get; } = new();

    /// <summary>Sees every packet as it is delivered (before the receiver): for captures such as <see cref="PcapWriter"/>.</summary>
    public PacketHandler? Observer { get; set; }

    /// <summary>
    /// Fills the channel's packet pool with <paramref name="packets"/> buffers of <paramref name="size"/> bytes up front,
    /// so that a test counting allocations does not count the link's (the pool otherwise grows to the most packets ever
    /// in flight at once, a peak that may first be reached at any time).
    /// </summary>
    public void Reserve(int packets, int size)
    {
        while (_pool.Count < packets)
        {
            var inFlight = new InFlightPacket(this);
            inFlight.Fill(new byte[size], 0);
            _pool.Push(inFlight);
        }
    }

    internal void Send(ReadOnlySpan<byte> packet)
    {
        var p = Profile;
        long now = _sim.Clock.NowNanoseconds;
        Counters.Sent++;
        Trace("send", packet);
        if (!IsUp) { Counters.DroppedWhileDown++; Trace("down", packet); return; }
        if (packet.Length > p.MaxPacketSize) { Counters.Oversize++; Trace("oversize", packet); return; }

        while (_wireQueue.Count > 0 && _wireQueue.Peek() <= now) _wireQueue.Dequeue();
        if (p.BitsPerSecond > 0 && _wireQueue.Count >= p.QueueLimit) { Counters.QueueDropped++; Trace("queue-drop", packet); return; }

        long start = Math.Max(now, _wireFreeAt);
        long serialisation = p.BitsPerSecond > 0 ? (long)((Int128)packet.Length * 8 * 1_000_000_000 / p.BitsPerSecond) : 0;
        _wireFreeAt = start + serialisation;
        if (serialisation > 0) _wireQueue.Enqueue(_wireFreeAt);

        // Lost packets still used the wire: loss happens on the way, not at the sender.
        if (_random.Chance(p.Loss)) { Counters.Lost++; Trace("lost", packet); return; }

        long arrival = _wireFreeAt + Nanoseconds(p.Latency);
        if (_random.Chance(p.Reorder))
        {
            Counters.Reordered++;
            Trace("reorder", packet);
            arrival += 1 + _random.NextInt64(Math.Max(1, Nanoseconds(p.ReorderDelay)));
        }

        long id = _nextId++;
        Launch(packet, id, arrival);
        if (_random.Chance(p.Duplicate))
        {
            Counters.Duplicated++;
            Trace("duplicate", packet);
            Launch(packet, id, arrival);
        }
    }

    private void Launch(ReadOnlySpan<byte> packet, long id, long arrival)
    {
        var inFlight = _pool.Count > 0 ? _pool.Pop() : new InFlightPacket(this);
        if (inFlight.Fill(packet, id)) Counters.BuffersAllocated++;
        if (packet.Length > 0 && _random.Chance(Profile.Corrupt))
        {
            Counters.Corrupted++;
            FlipBits(inFlight.Data, Math.Min(Profile.CorruptBits, packet.Length * 8));
            Trace("corrupt", inFlight.Data);
        }
        _sim.Clock.Schedule(inFlight, arrival);
    }

    private void FlipBits(Span<byte> data, int count)
    {
        Span<long> flipped = stackalloc long[Math.Min(count, 64)];
        for (int n = 0; n < flipped.Length; n++)
        {
            long bit;
            do bit = _random.NextInt64(data.Length * 8L); while (flipped[..n].Contains(bit));
            flipped[n] = bit;
            data[(int)(bit / 8)] ^= (byte)(1 << (int)(bit % 8));
        }
    }

    private void Deliver(InFlightPacket packet)
    {
        var data = packet.Data;
        var receiver = _destination.Receiver;
        if (receiver is null)
        {
            Counters.Unclaimed++;
            Trace("unclaimed", data);
        }
        else
        {
            Counters.Delivered++;
            Counters.BytesDelivered += data.Length;
            if (packet.Id < _highestDelivered) Counters.DeliveredOutOfOrder++;
            else _highestDelivered = packet.Id;
            Trace("deliver", data);
            Observer?.Invoke(data);
            receiver(data);
        }
        _pool.Push(packet);
    }

    private void Trace(string kind, ReadOnlySpan<byte> packet) => _sim.Trace?.Record(_sim.Clock.NowNanoseconds, Name, kind, packet);

    private static long Nanoseconds(TimeSpan t) => t.Ticks * 100;

    /// <summary>A packet on the wire; pooled per channel together with its buffer, so steady traffic allocates nothing.</summary>
    private sealed class InFlightPacket(LinkChannel channel) : ScheduledEvent
    {
        private byte[] _buffer = [];
        private int _length;

        public long Id { get; private set; }
        public Span<byte> Data => _buffer.AsSpan(0, _length);

        /// <summary>Copies the packet in; true when that took a new buffer.</summary>
        public bool Fill(ReadOnlySpan<byte> packet, long id)
        {
            bool grown = _buffer.Length < packet.Length;
            if (grown) _buffer = new byte[Math.Max(packet.Length, 2048)];
            packet.CopyTo(_buffer);
            _length = packet.Length;
            Id = id;
            return grown;
        }

        protected internal override void Fire() => channel.Deliver(this);
    }
}
