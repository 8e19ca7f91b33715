using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// What TIME_WAIT (RFC 9293 3.4.2) needs of a finished connection, and nothing more: a small record per 4-tuple instead of
/// the flow, its buffers and its timers (as Linux's inet_timewait_sock), so a server that closes thousands of connections
/// a minute holds them for 2·MSL cheaply. The stack consults it for segments that match no live connection.
/// </summary>
internal sealed class TimeWaitTable
{
    /// <summary>One connection in TIME_WAIT.</summary>
    internal struct Record
    {
        public SeqNum SendNext;     // SND.NXT after our FIN: the sequence number of our ACKs
        public SeqNum ReceiveNext;  // RCV.NXT after the peer's FIN
        public SeqNum Initial;      // our ISS: tells this incarnation from a later one (TcpFlow.State)
        public uint TsRecent;       // RFC 7323 TS.Recent, for PAWS and RFC 6191
        public bool Timestamps;
        public ushort Window;       // the window field we last sent
        public long Expires;        // 2·MSL after the last FIN from the peer
    }

    private readonly Dictionary<TcpTuple, Record> _records = new();
    private readonly Queue<(TcpTuple Tuple, long Expires)> _expiries = new(); // 2·MSL is the same for all: FIFO order
    private readonly ITimer _timer;
    private readonly long _twoMslNs;
    private readonly Action<TcpTuple> _expired;

    public TimeWaitTable(IClock clock, TimeSpan msl, Action<TcpTuple> expired)
    {
        _twoMslNs = 2 * msl.Ticks * 100;
        _expired = expired;
        _timer = clock.CreateTimer(() => Expire(clock.NowNanoseconds));
    }

    public int Count => _records.Count;

    public bool Contains(TcpTuple tuple) => _records.ContainsKey(tuple);

    public bool TryGet(TcpTuple tuple, out Record record) => _records.TryGetValue(tuple, out record);

    /// <summary>Holds <paramref name="tuple"/> for 2·MSL from <paramref name="nowNs"/>.</summary>
    public void Add(TcpTuple tuple, Record record, long nowNs)
    {
        record.Expires = nowNs + _twoMslNs;
        _records[tuple] = record;
        Schedule(tuple, record.Expires);
    }

    /// <summary>The peer resent its FIN (our last ACK was lost): 2·MSL again from now, with its newer timestamp.</summary>
    public void Restart(TcpTuple tuple, uint tsRecent, long nowNs)
    {
        ref var r = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrNullRef(_records, tuple);
        if (System.Runtime.CompilerServices.Unsafe.IsNullRef(ref r)) return;
        r.Expires = nowNs + _twoMslNs;
        if (r.Timestamps && (int)(tsRecent - r.TsRecent) > 0) r.TsRecent = tsRecent;
        Schedule(tuple, r.Expires);
    }

    public bool Remove(TcpTuple tuple) => _records.Remove(tuple);

    public void Clear()
    {
        _records.Clear();
        _expiries.Clear();
        _timer.Cancel();
    }

    /// <summary>
    /// A table keeps the arrays of its largest size: after a flood of 20,000 connections ~1 MiB each for the flows and the
    /// TIME_WAIT records. Once a quarter full it is trimmed to what it holds (amortized: the trim copies fewer entries than
    /// were removed since the last one), so the heap returns to its size before the flood.
    /// </summary>
    internal static void Shrink<TKey, TValue>(Dictionary<TKey, TValue> table) where TKey : notnull
    {
        if (table.Capacity > 1024 && table.Count < table.Capacity / 4) table.TrimExcess();
    }

    private void Schedule(TcpTuple tuple, long expires)
    {
        _expiries.Enqueue((tuple, expires));
        if (!_timer.IsArmed) _timer.Arm(_expiries.Peek().Expires);
    }

    private void Expire(long nowNs)
    {
        while (_expiries.TryPeek(out var next) && next.Expires <= nowNs)
        {
            _expiries.Dequeue();
            // A queue entry is stale when its record was restarted (a later entry covers it), removed, or replaced.
            if (_records.TryGetValue(next.Tuple, out var r) && r.Expires == next.Expires)
            {
                _records.Remove(next.Tuple);
                _expired(next.Tuple);
            }
        }
        Shrink(_records);
        if (_expiries.Count == 0) _expiries.TrimExcess();
        if (_expiries.TryPeek(out var first)) _timer.Arm(first.Expires);
    }
}
