namespace CosmosNet.Net.Tcp;

/// <summary>Why a connection attempt or a read failed (the C# form of Mirage_protocols.Tcp.error).</summary>
public enum TcpErrorKind
{
    /// <summary>The peer answered the SYN with a RST: nothing listens on that port.</summary>
    Refused,
    /// <summary>No answer after every retransmission (connection attempt or data).</summary>
    TimedOut,
    /// <summary>The peer reset an established connection.</summary>
    Reset,
    /// <summary>An ICMP error said the destination cannot be reached.</summary>
    Unreachable,
    /// <summary>No local address, no free ephemeral port, or the IP layer could not route the packet.</summary>
    NoRoute,
    /// <summary>The stack was disconnected.</summary>
    StackDown,
    /// <summary>The call is not allowed now (for example two reads at once on one flow).</summary>
    InvalidOperation,
    /// <summary>The connection was reset from this side: <see cref="TcpFlow.Abort"/>, or a fault while processing it.</summary>
    Aborted,
}

/// <summary>A TCP error with a readable message.</summary>
public readonly record struct TcpError(TcpErrorKind Kind, string? Detail = null)
{
    public override string ToString() => Kind switch
    {
        TcpErrorKind.Refused => "connection refused",
        TcpErrorKind.TimedOut => "connection timed out",
        TcpErrorKind.Reset => "connection reset by peer",
        TcpErrorKind.Unreachable => "destination unreachable",
        TcpErrorKind.NoRoute => "no route to host",
        TcpErrorKind.StackDown => "network stack disconnected",
        TcpErrorKind.Aborted => "connection aborted",
        _ => "invalid operation",
    } + (Detail is null ? "" : $" ({Detail})");
}

/// <summary>Why a write failed (Mirage_protocols.Tcp.write_error): <see cref="Closed"/> is the ordinary case.</summary>
public enum TcpWriteError
{
    /// <summary>The connection is closed for writing (closed locally, reset, timed out or torn down).</summary>
    Closed,
    /// <summary>Another write is still waiting on this flow; writes must be awaited one at a time.</summary>
    WriteInProgress,
}

/// <summary>The empty success value of writes and other operations that return nothing.</summary>
public readonly record struct Unit
{
    public static readonly Unit Value = default;
    public override string ToString() => "()";
}

/// <summary>What a read yields: some bytes, or end-of-stream once the peer's FIN arrived and every byte before it was read.</summary>
public readonly record struct TcpReadResult(int Count, bool IsEndOfStream)
{
    public static readonly TcpReadResult EndOfStream = new(0, true);
    public override string ToString() => IsEndOfStream ? "end of stream" : $"{Count} bytes";
}

/// <summary>What <see cref="TcpFlow.Shutdown"/> closes: shutdown(2)'s SHUT_RD, SHUT_WR, SHUT_RDWR.</summary>
public enum ShutdownMode { Read, Write, Both }
