namespace CosmosNet.Host.Sockets;

/// <summary>A FIFO of bytes that grows on demand up to the socket's buffer size and gives its memory back when it
/// drains, so a thousand idle connections cost little. Not thread-safe: the socket's lock guards it.</summary>
sealed class ByteRing
{
    const int Initial = 4096;
    byte[] _buffer = [];
    int _head, _count;

    public int Count => _count;

    /// <summary>Appends as much of <paramref name="data"/> as fits under <paramref name="limit"/> bytes in all; returns how much.</summary>
    public int Append(ReadOnlySpan<byte> data, int limit)
    {
        int n = Math.Min(data.Length, Math.Max(0, limit - _count));
        if (n == 0) return 0;
        if (_count + n > _buffer.Length) Grow(_count + n);
        int tail = (_head + _count) % _buffer.Length;
        int first = Math.Min(n, _buffer.Length - tail);
        data[..first].CopyTo(_buffer.AsSpan(tail));
        data[first..n].CopyTo(_buffer);
        _count += n;
        return n;
    }

    /// <summary>Copies up to <paramref name="destination"/>.Length bytes from the front; consumes them unless <paramref name="peek"/>.</summary>
    public int Read(Span<byte> destination, bool peek)
    {
        int n = Math.Min(destination.Length, _count);
        int first = Math.Min(n, _buffer.Length - _head);
        _buffer.AsSpan(_head, first).CopyTo(destination);
        _buffer.AsSpan(0, n - first).CopyTo(destination[first..]);
        if (!peek) Consume(n);
        return n;
    }

    public void Consume(int n)
    {
        _count -= n;
        _head = _count == 0 ? 0 : (_head + n) % _buffer.Length;
        if (_count == 0 && _buffer.Length > 4 * Initial) _buffer = [];
    }

    public void Clear() => Consume(_count);

    void Grow(int needed)
    {
        int size = Math.Max(Initial, _buffer.Length);
        while (size < needed) size *= 2;
        var bigger = new byte[size];
        Read(bigger, peek: true);
        _buffer = bigger;
        _head = 0;
    }
}
