namespace CosmosNet.Net.Tcp;

/// <summary>
/// The bytes a connection has accepted from the user and not yet had acknowledged, so retransmission re-reads the same
/// bytes and nothing is allocated per segment. Byte 0 of the buffer is sequence number <c>Start</c> of the connection
/// (kept by the caller). The bytes live in pooled chunks (<see cref="ChunkStore"/>): once everything is acknowledged the
/// buffer holds no memory; <see cref="Limit"/> (grown with the congestion window) bounds what the user may queue.
/// </summary>
internal sealed class SendBuffer
{
    private readonly ChunkStore _bytes;

    public SendBuffer(TcpMemory memory, int limit)
    {
        _bytes = new ChunkStore(memory);
        Limit = limit;
    }

    /// <summary>How many bytes the user may have queued; writers wait beyond it.</summary>
    public int Limit { get; set; }
    public int Count { get; private set; }
    public int Free => Math.Max(0, Limit - Count);
    /// <summary>Bytes of memory held now.</summary>
    public int AllocatedBytes => _bytes.Chunks * TcpMemory.ChunkSize;

    /// <summary>Appends as much of <paramref name="data"/> as fits and finds memory; returns how much.</summary>
    public int Append(ReadOnlySpan<byte> data)
    {
        int n = Math.Min(data.Length, Free);
        int done = 0;
        while (done < n)
        {
            // Chunk by chunk, so that memory running out still queues what found room.
            int piece = Math.Min(n - done, TcpMemory.ChunkSize);
            if (!_bytes.Write(Count + done, data.Slice(done, piece))) break;
            done += piece;
        }
        Count += done;
        return done;
    }

    /// <summary>Copies <paramref name="destination"/>.Length bytes starting <paramref name="offset"/> bytes into the buffer.</summary>
    public void CopyTo(int offset, Span<byte> destination) => _bytes.CopyTo(offset, destination);

    /// <summary>The connection is over: nothing queued will be sent any more, and its chunks go back to the pool.</summary>
    public void Release()
    {
        Count = 0;
        _bytes.Clear();
    }

    /// <summary>Drops <paramref name="count"/> acknowledged bytes from the front.</summary>
    public void Consume(int count)
    {
        count = Math.Min(count, Count);
        Count -= count;
        if (Count == 0) _bytes.Clear();
        else _bytes.Advance(count);
    }
}
