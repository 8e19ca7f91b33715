using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// The sender's record of what the peer has SACKed above SND.UNA (RFC 6675 "scoreboard"): a small sorted table of
/// disjoint ranges, with the queries loss recovery needs (IsLost, NextSeg's holes, pipe's un-SACKed byte counts).
/// </summary>
internal sealed class SackScoreboard
{
    private SeqNum[] _start = Array.Empty<SeqNum>(); // allocated with the first SACK block: most connections never see one
    private SeqNum[] _end = Array.Empty<SeqNum>();
    private readonly int _capacity;
    private int _count;

    public SackScoreboard(int capacity) => _capacity = capacity;

    public int SackedBytes { get; private set; }

    /// <summary>Records one received block, ignoring what lies outside [<paramref name="una"/>, <paramref name="max"/>).</summary>
    public void Add(SackBlock block, SeqNum una, SeqNum max)
    {
        var start = SeqNum.Max(new SeqNum(block.Left), una);
        var end = SeqNum.Min(new SeqNum(block.Right), max);
        if (end <= start || new SeqNum(block.Right) - new SeqNum(block.Left) <= 0) return;
        if (_start.Length == 0)
        {
            _start = new SeqNum[_capacity];
            _end = new SeqNum[_capacity];
        }
        int i = 0;
        while (i < _count && _end[i] < start) i++;
        if (i < _count && _start[i] <= end)
        {
            _start[i] = SeqNum.Min(_start[i], start);
            _end[i] = SeqNum.Max(_end[i], end);
            while (i + 1 < _count && _start[i + 1] <= _end[i])
            {
                _end[i] = SeqNum.Max(_end[i], _end[i + 1]);
                Remove(i + 1);
            }
        }
        else
        {
            if (_count == _start.Length)
            {
                // Full: forget the highest range; losing SACK information only makes recovery more conservative.
                if (i == _count) return;
                _count--;
            }
            Array.Copy(_start, i, _start, i + 1, _count - i);
            Array.Copy(_end, i, _end, i + 1, _count - i);
            _start[i] = start; _end[i] = end;
            _count++;
        }
        Recount();
    }

    /// <summary>Forgets everything below the new cumulative ACK.</summary>
    public void Acknowledge(SeqNum una)
    {
        int drop = 0;
        while (drop < _count && _end[drop] <= una) drop++;
        if (drop > 0)
        {
            Array.Copy(_start, drop, _start, 0, _count - drop);
            Array.Copy(_end, drop, _end, 0, _count - drop);
            _count -= drop;
        }
        if (_count > 0 && _start[0] < una) _start[0] = una;
        Recount();
    }

    /// <summary>If <paramref name="seq"/> lies in a SACKed range, the end of that range; otherwise <paramref name="seq"/>.</summary>
    public SeqNum SkipSacked(SeqNum seq)
    {
        for (int i = 0; i < _count; i++)
            if (seq.InRange(_start[i], _end[i])) return _end[i];
        return seq;
    }

    /// <summary>Bytes in [<paramref name="from"/>, <paramref name="to"/>) not covered by any SACKed range.</summary>
    public int Unsacked(SeqNum from, SeqNum to)
    {
        if (to <= from) return 0;
        int n = to - from;
        for (int i = 0; i < _count; i++)
        {
            var s = SeqNum.Max(_start[i], from);
            var e = SeqNum.Min(_end[i], to);
            if (e > s) n -= e - s;
        }
        return n;
    }

    /// <summary>
    /// RFC 6675 IsLost as an edge: every un-SACKed byte below the returned sequence number has more than
    /// (DupThresh - 1) * SMSS SACKed bytes above it and is deemed lost. Returns <paramref name="una"/> when none is.
    /// </summary>
    public SeqNum LostEdge(SeqNum una, int dupThresh, int mss)
    {
        int threshold = (dupThresh - 1) * mss;
        int above = 0;
        for (int i = _count - 1; i >= 0; i--)
        {
            above += _end[i] - _start[i];
            if (above > threshold) return _start[i];
        }
        return una;
    }

    /// <summary>The first un-SACKed byte at or after <paramref name="from"/> and below <paramref name="limit"/>, with the hole's end.</summary>
    public bool NextHole(SeqNum from, SeqNum limit, out SeqNum holeStart, out SeqNum holeEnd)
    {
        var s = SkipSacked(from);
        holeStart = s; holeEnd = limit;
        if (s >= limit) return false;
        for (int i = 0; i < _count; i++)
            if (_start[i] > s) { holeEnd = SeqNum.Min(_start[i], limit); break; }
        return true;
    }

    private void Remove(int i)
    {
        Array.Copy(_start, i + 1, _start, i, _count - i - 1);
        Array.Copy(_end, i + 1, _end, i, _count - i - 1);
        _count--;
    }

    private void Recount()
    {
        int n = 0;
        for (int i = 0; i < _count; i++) n += _end[i] - _start[i];
        SackedBytes = n;
    }
}
