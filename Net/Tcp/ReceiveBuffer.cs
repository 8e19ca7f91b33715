using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// Received bytes waiting for the user, and the reassembly of out-of-order segments. In-order bytes sit at the front;
/// out-of-order data is written straight to its final place further on (inside <see cref="Limit"/>) and only its sequence
/// ranges are remembered, in a small bounded table that also yields the SACK blocks (RFC 2018) to report. The bytes live
/// in pooled chunks (<see cref="ChunkStore"/>): an empty buffer holds no memory, whatever its limit.
/// </summary>
internal sealed class ReceiveBuffer
{
    private struct Range { public SeqNum Start, End; public long Stamp; }

    private readonly ChunkStore _bytes;
    private Range[] _ranges = Array.Empty<Range>(); // allocated when data first arrives out of order
    private readonly int _maxRanges;
    private int _rangeCount;
    private long _stamp;

    public ReceiveBuffer(TcpMemory memory, int limit, int maxRanges)
    {
        _bytes = new ChunkStore(memory);
        _maxRanges = maxRanges;
        Limit = limit;
    }

    /// <summary>How many bytes (in order and out of order) the buffer may hold: the receive window's budget, set by auto-tuning.</summary>
    public int Limit { get; set; }
    /// <summary>In-order bytes the user can read.</summary>
    public int Count { get; private set; }
    /// <summary>Window space: bytes that may still arrive beyond the in-order data.</summary>
    public int Free => Math.Max(0, Limit - Count);
    public bool HasOutOfOrderData => _rangeCount > 0;
    /// <summary>Bytes of memory held now.</summary>
    public int AllocatedBytes => _bytes.Chunks * TcpMemory.ChunkSize;

    public enum Outcome { Duplicate, InOrder, FilledHole, OutOfOrder, Dropped, NoMemory }

    /// <summary>
    /// Takes a segment's payload that starts at <paramref name="seq"/>; <paramref name="rcvNxt"/> is the next in-order
    /// sequence number. Returns how far <paramref name="rcvNxt"/> moves (0 for out-of-order data).
    /// </summary>
    public int Accept(SeqNum rcvNxt, SeqNum seq, ReadOnlySpan<byte> data, out Outcome outcome)
    {
        if (seq < rcvNxt)
        {
            int skip = rcvNxt - seq;
            if (skip >= data.Length) { outcome = Outcome.Duplicate; return 0; }
            data = data[skip..];
            seq = rcvNxt;
        }
        int offset = seq - rcvNxt;
        int room = Free - offset;
        if (room <= 0) { outcome = Outcome.Dropped; return 0; }
        if (data.Length > room) data = data[..room];
        if (data.IsEmpty) { outcome = Outcome.Duplicate; return 0; }

        if (offset > 0)
        {
            if (_rangeCount == _maxRanges && !Touches(seq, seq + data.Length)) { outcome = Outcome.Dropped; return 0; }
            if (!RangeTable() || !_bytes.Write(Count + offset, data)) { outcome = Outcome.NoMemory; return 0; }
            AddRange(seq, seq + data.Length);
            outcome = Outcome.OutOfOrder;
            return 0;
        }

        if (!_bytes.Write(Count, data)) { outcome = Outcome.NoMemory; return 0; }
        SeqNum end = seq + data.Length;
        bool filled = false;
        // Pull in every stored range the new data reaches.
        while (_rangeCount > 0 && _ranges[0].Start <= end)
        {
            if (_ranges[0].End > end) end = _ranges[0].End;
            RemoveRange(0);
            filled = true;
        }
        int advance = end - rcvNxt;
        Count += advance;
        outcome = filled ? Outcome.FilledHole : Outcome.InOrder;
        return advance;
    }

    /// <summary>Moves up to <paramref name="destination"/>.Length in-order bytes to the user.</summary>
    public int Read(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, Count);
        _bytes.CopyTo(0, destination[..n]);
        Consume(n);
        return n;
    }

    /// <summary>Drops the in-order bytes unread (after shutdown of the read side); out-of-order data stays in place.</summary>
    public void Discard() => Consume(Count);

    /// <summary>
    /// The connection is over: out-of-order data can never be completed and goes, and with <paramref name="unread"/> the
    /// in-order bytes too (an aborted connection's reads fail); chunks nothing holds any more go back to the pool.
    /// </summary>
    public void Release(bool unread)
    {
        _rangeCount = 0;
        if (unread) Count = 0;
        if (Count == 0) _bytes.Clear();
    }

    private void Consume(int n)
    {
        Count -= n;
        if (Count == 0 && _rangeCount == 0) _bytes.Clear(); // idle: the memory goes back to the pool
        else _bytes.Advance(n);
    }

    /// <summary>Fills up to <paramref name="max"/> SACK blocks, the most recently changed range first (RFC 2018 4).</summary>
    public int FillSackBlocks(ref SackBlocks blocks, int max)
    {
        int n = 0;
        long below = long.MaxValue;
        while (n < max)
        {
            int best = -1;
            for (int i = 0; i < _rangeCount; i++)
                if (_ranges[i].Stamp < below && (best < 0 || _ranges[i].Stamp > _ranges[best].Stamp)) best = i;
            if (best < 0) break;
            blocks[n++] = new SackBlock(_ranges[best].Start.Value, _ranges[best].End.Value);
            below = _ranges[best].Stamp;
        }
        return n;
    }

    /// <summary>The out-of-order table, allocated on first use (most connections never see reordering or loss).</summary>
    private bool RangeTable()
    {
        if (_ranges.Length > 0) return true;
        try { _ranges = new Range[_maxRanges]; }
        catch (OutOfMemoryException) { return false; }
        return true;
    }

    /// <summary>[start, end) overlaps or touches a stored range, so it needs no new entry in the table.</summary>
    private bool Touches(SeqNum start, SeqNum end)
    {
        for (int i = 0; i < _rangeCount; i++)
            if (_ranges[i].Start <= end && start <= _ranges[i].End) return true;
        return false;
    }

    /// <summary>Inserts [start, end) keeping the table sorted and merged; false when the table is full.</summary>
    private bool AddRange(SeqNum start, SeqNum end)
    {
        long stamp = ++_stamp;
        int i = 0;
        while (i < _rangeCount && _ranges[i].End < start) i++;
        if (i < _rangeCount && _ranges[i].Start <= end)
        {
            // Overlaps or touches range i: widen it, then swallow any later ranges it now reaches.
            _ranges[i].Start = SeqNum.Min(_ranges[i].Start, start);
            _ranges[i].End = SeqNum.Max(_ranges[i].End, end);
            _ranges[i].Stamp = stamp;
            while (i + 1 < _rangeCount && _ranges[i + 1].Start <= _ranges[i].End)
            {
                _ranges[i].End = SeqNum.Max(_ranges[i].End, _ranges[i + 1].End);
                RemoveRange(i + 1);
            }
            return true;
        }
        if (_rangeCount == _ranges.Length) return false;
        Array.Copy(_ranges, i, _ranges, i + 1, _rangeCount - i);
        _ranges[i] = new Range { Start = start, End = end, Stamp = stamp };
        _rangeCount++;
        return true;
    }

    private void RemoveRange(int i)
    {
        Array.Copy(_ranges, i + 1, _ranges, i, _rangeCount - i - 1);
        _rangeCount--;
    }
}
