namespace CosmosNet.Net.Tcp;

/// <summary>
/// The bytes a connection has accepted from the user and not yet had acknowledged: a fixed ring, so retransmission
/// re-reads the same bytes and nothing is allocated per segment. Byte 0 of the buffer is sequence number <c>Start</c>
/// of the connection (kept by the caller).
/// </summary>
internal sealed class SendBuffer
{
    private readonly byte[] _ring;
    private int _head;

    public SendBuffer(int capacity) => _ring = new byte[capacity];

    public int Capacity => _ring.Length;
    public int Count { get; private set; }
    public int Free => _ring.Length - Count;

    /// <summary>Appends as much of <paramref name="data"/> as fits; returns how much.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Free);
        int tail = (_head + Count) % _ring.Length;
        int first = Math.Min(n, _ring.Length - tail);
        data[..first].CopyTo(_ring.AsSpan(tail));
        data[first..n].CopyTo(_ring);
        Count += n;
        return n;
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting <paramref name="offset"/> bytes into the buffer.</summary>
    public void CopyTo(int offset, Span<byte> destination)
    {
        int start = (_head + offset) % _ring.Length;
        int first = Math.Min(destination.Length, _ring.Length - start);
        _ring.AsSpan(start, first).CopyTo(destination);
        _ring.AsSpan(0, destination.Length - first).CopyTo(destination[first..]);
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front.</summary>
    public void Consume(int count)
    {
        count = Math.Min(count, Count);
        _head = (_head + count) % _ring.Length;
        Count -= count;
    }
}
