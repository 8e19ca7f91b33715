using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// The memory of one stack's connections: the pool of fixed-size chunks their buffers are made of (a buffer holds chunks
/// only while it holds bytes), and the bytes promised to peers — every connection's buffered data plus the receive window
/// it advertised. A promise is granted only while the <see cref="IMemoryBudget"/> can back it above the low-water mark,
/// so an advertised window is always memory that is really there; below the mark the stack is under pressure.
/// </summary>
internal sealed class TcpMemory
{
    public const int ChunkSize = 4096;

    private readonly IMemoryBudget? _budget;
    private readonly TcpStatistics _statistics;
    private readonly long _lowWater;
    private readonly int _maxFree, _reserve;
    private readonly Stack<byte[]> _free = new();
    private readonly IClock _clock;
    private readonly ITimer _trimTimer;
    private long _peakInUse;   // the most chunks in use at once since the last check

    /// <summary>How often a pool holding more than its reserve checks whether its connections were idle.</summary>
    private const long TrimIntervalNs = 1_000_000_000;

    public TcpMemory(IMemoryBudget? budget, TcpConfig config, TcpStatistics statistics, IClock clock)
    {
        _budget = budget;
        _statistics = statistics;
        _lowWater = config.MemoryLowWater;
        _maxFree = config.BufferPoolBytes / ChunkSize;
        _reserve = Math.Min(config.BufferPoolReserveBytes / ChunkSize, _maxFree);
        _clock = clock;
        _trimTimer = clock.CreateTimer(TrimIdle);
    }

    /// <summary>Chunks held by buffers now.</summary>
    public long ChunksInUse { get; private set; }
    /// <summary>Bytes promised to peers (buffered data plus advertised windows), over every connection.</summary>
    public long Promised { get; private set; }
    /// <summary>Chunks allocated from the heap so far (the rest came from the pool).</summary>
    public long ChunksAllocated { get; private set; }
    /// <summary>Free chunks kept for reuse.</summary>
    public int PooledChunks => _free.Count;

    /// <summary>Promised bytes that no chunk holds yet: they may still arrive and must then find memory.</summary>
    private long Unbacked => Math.Max(0, Promised - ChunksInUse * ChunkSize);

    /// <summary>What may still be promised before the low-water mark; unlimited without a budget.</summary>
    public long Headroom => _budget is null ? long.MaxValue : _budget.AvailableBytes - Unbacked - _lowWater;

    /// <summary>Memory is short: windows and send buffers shrink to their initial size, new SYNs get cookies or are dropped.</summary>
    public bool UnderPressure => Headroom < 0;

    /// <summary>
    /// How much of <paramref name="wanted"/> further bytes may be promised now; with <paramref name="reserve"/> the memory
    /// below the low-water mark counts too (a connection's initial window, so that pressure slows it rather than stalls it).
    /// </summary>
    public int Grant(int wanted, bool reserve) =>
        (int)Math.Clamp(_budget is null ? long.MaxValue : Headroom + (reserve ? _lowWater : 0), 0, Math.Max(wanted, 0));

    /// <summary>A connection's promise changed from <paramref name="promised"/> to <paramref name="now"/>.</summary>
    public void Promise(ref int promised, int now)
    {
        Promised += now - promised;
        promised = now;
    }

    /// <summary>A chunk for a buffer, or null when none can be allocated (the caller drops or waits; never throws).</summary>
    public byte[]? Rent()
    {
        if (!_free.TryPop(out var chunk))
        {
            try { chunk = new byte[ChunkSize]; ChunksAllocated++; }
            catch (OutOfMemoryException)
            {
                _statistics.AllocationFailures++;
                return null;
            }
        }
        if (++ChunksInUse > _peakInUse) _peakInUse = ChunksInUse;
        return chunk;
    }

    public void Return(byte[] chunk)
    {
        ChunksInUse--;
        if (_free.Count >= _maxFree || UnderPressure) return;
        _free.Push(chunk);
        if (_free.Count > _reserve && !_trimTimer.IsArmed) _trimTimer.Arm(_clock.NowNanoseconds + TrimIntervalNs);
    }

    /// <summary>
    /// Once a second while the pool holds more than its reserve (<see cref="TcpConfig.BufferPoolReserveBytes"/>): if the
    /// connections held no more than the reserve at any time in that second — a flood's connections are gone, a transfer
    /// has ended — the spares above it go back to the heap. A busy stack keeps its pool, so a transfer does not reallocate.
    /// </summary>
    private void TrimIdle()
    {
        if (_peakInUse <= _reserve) while (_free.Count > _reserve) _free.Pop();
        _peakInUse = ChunksInUse;
        if (_free.Count > _reserve) _trimTimer.Arm(_clock.NowNanoseconds + TrimIntervalNs);
    }

    /// <summary>Under pressure the pool's spare chunks go back to the heap.</summary>
    public void Trim() => _free.Clear();
}

/// <summary>
/// Bytes at offsets from a moving front, stored in chunks from a <see cref="TcpMemory"/> pool: a chunk is taken when a
/// byte is first written into its span and given back as soon as the front moves past it, so memory follows the bytes
/// held, not the size the buffer may grow to. Offsets beyond the front may be written in any order (reassembly).
/// </summary>
internal sealed class ChunkStore
{
    private const int Shift = 12;
    private const int Mask = TcpMemory.ChunkSize - 1;

    private readonly TcpMemory _memory;
    private byte[]?[] _slots = Array.Empty<byte[]?>(); // circular; slot _first holds the chunk with the front
    private int _first;
    private int _front;                                // offset of the front inside the first chunk

    public ChunkStore(TcpMemory memory) => _memory = memory;

    /// <summary>Chunks held now.</summary>
    public int Chunks { get; private set; }

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/> from the front; false (nothing written) when memory ran out.</summary>
    public bool Write(int offset, ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty) return true;
        int firstChunk = (_front + offset) >> Shift, lastChunk = (_front + offset + data.Length - 1) >> Shift;
        if (!Ensure(firstChunk, lastChunk)) return false;
        int at = _front + offset;
        while (!data.IsEmpty)
        {
            int n = Math.Min(data.Length, TcpMemory.ChunkSize - (at & Mask));
            data[..n].CopyTo(Slot(at >> Shift)!.AsSpan(at & Mask));
            data = data[n..];
            at += n;
        }
        return true;
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes from <paramref name="offset"/>; every one was written before.</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        int at = _front + offset;
        while (!destination.IsEmpty)
        {
            int n = Math.Min(destination.Length, TcpMemory.ChunkSize - (at & Mask));
            Slot(at >> Shift)!.AsSpan(at & Mask, n).CopyTo(destination);
            destination = destination[n..];
            at += n;
        }
    }

    /// <summary>Moves the front <paramref name="count"/> bytes on, returning the chunks it leaves behind.</summary>
    public void Advance(int count)
    {
        _front += count;
        while (_front >= TcpMemory.ChunkSize)
        {
            Release(_first);
            _first = (_first + 1) & (_slots.Length - 1);
            _front -= TcpMemory.ChunkSize;
        }
    }

    /// <summary>Nothing is held any more: every chunk goes back to the pool.</summary>
    public void Clear()
    {
        for (int i = 0; i < _slots.Length; i++) Release(i);
        _first = _front = 0;
    }

    private byte[]? Slot(int chunk) => _slots[(_first + chunk) & (_slots.Length - 1)];

    private void Release(int slot)
    {
        if (_slots.Length == 0 || _slots[slot] is not { } chunk) return;
        _slots[slot] = null;
        Chunks--;
        _memory.Return(chunk);
    }

    /// <summary>Makes chunks [<paramref name="from"/>, <paramref name="to"/>] (counted from the front's) exist.</summary>
    private bool Ensure(int from, int to)
    {
        if (to >= _slots.Length)
        {
            int size = Math.Max(4, _slots.Length);
            while (size <= to) size *= 2;
            byte[]?[] slots;
            try { slots = new byte[]?[size]; }
            catch (OutOfMemoryException) { return false; }
            for (int i = 0; i < _slots.Length; i++) slots[i] = _slots[(_first + i) & (_slots.Length - 1)];
            _slots = slots;
            _first = 0;
        }
        for (int c = from; c <= to; c++)
        {
            int slot = (_first + c) & (_slots.Length - 1);
            if (_slots[slot] is not null) continue;
            if (_memory.Rent() is not { } chunk) return false;
            _slots[slot] = chunk;
            Chunks++;
        }
        return true;
    }
}
