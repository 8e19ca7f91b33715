using System.Runtime.CompilerServices;
using System.Threading.Tasks.Sources;
using CosmosNet.Net.Tcp;

namespace CosmosNet.Net.Http;

/// <summary>
/// One byte-stream connection as the server sees it. <see cref="TcpFlowTransport"/> adapts a <see cref="TcpFlow"/>;
/// tests and benchmarks can serve from memory through the same interface.
/// </summary>
public interface ITransport
{
    /// <summary>Reads at least one byte into <paramref name="buffer"/>; 0 at end of stream, after an error or <see cref="AbortRead"/>.</summary>
    ValueTask<int> ReadAsync(Memory<byte> buffer);
    /// <summary>
    /// Waits until a read would return bytes (true) or end of stream (false), without reading: an idle connection then
    /// holds no receive buffer. Transports that cannot wait without reading say true at once.
    /// </summary>
    ValueTask<bool> WaitReadableAsync() => new(true);
    /// <summary>Queues bytes (waiting while the send buffer is full); <paramref name="push"/> sends them without delay. False once the connection can no longer send.</summary>
    ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, bool push);
    /// <summary>Makes a pending and every later read return end of stream (a timeout).</summary>
    void AbortRead();
    /// <summary>Flushes, sends FIN and waits for the peer's close.</summary>
    Task CloseAsync();
    /// <summary>Ends the connection at once (TCP: RST), discarding what is buffered: after a fault, when it cannot end cleanly.</summary>
    void Abort();
    /// <summary>The peer, for logs.</summary>
    string RemoteEndpoint { get; }
}

/// <summary>
/// A <see cref="TcpFlow"/> as an <see cref="ITransport"/>. A read or write that has to wait completes through this
/// adapter's own reusable value-task sources, so serving a request allocates nothing here; the flow completes
/// operations on the stack's context, where the server's continuation then runs directly.
/// </summary>
public sealed class TcpFlowTransport : ITransport, IValueTaskSource<int>, IValueTaskSource<bool>
{
    readonly TcpFlow _flow;
    readonly Action _readDone, _writeDone;
    ManualResetValueTaskSourceCore<int> _read;
    ManualResetValueTaskSourceCore<bool> _write;
    ValueTaskAwaiter<Result<TcpReadResult, TcpError>> _pendingRead;
    ValueTaskAwaiter<Result<Unit, TcpWriteError>> _pendingWrite;

    public TcpFlowTransport(TcpFlow flow)
    {
        _flow = flow;
        _readDone = ReadDone;
        _writeDone = WriteDone;
    }

    public TcpFlow Flow => _flow;
    public string RemoteEndpoint => _flow.Destination.ToString();

    public ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var read = _flow.ReadAsync(buffer);
        if (read.IsCompleted) return new ValueTask<int>(Count(read.Result));
        _read.Reset();
        _pendingRead = read.GetAwaiter();
        _pendingRead.UnsafeOnCompleted(_readDone);
        return new ValueTask<int>(this, _read.Version);
    }

    void ReadDone()
    {
        var read = _pendingRead;
        _pendingRead = default;   // before completing: the continuation may start the next read
        int n;
        try { n = Count(read.GetResult()); }
        catch (Exception e) { _read.SetException(e); return; }
        _read.SetResult(n);
    }

    static int Count(Result<TcpReadResult, TcpError> r) => r.IsOk && !r.Value.IsEndOfStream ? r.Value.Count : 0;


    public ValueTask<bool> WaitReadableAsync() => _flow.WaitReadableAsync();

    public ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, bool push)
    {
        var write = push ? _flow.WriteNodelayAsync(data) : _flow.WriteAsync(data);
        if (write.IsCompleted) return new ValueTask<bool>(write.Result.IsOk);
        _write.Reset();
        _pendingWrite = write.GetAwaiter();
        _pendingWrite.UnsafeOnCompleted(_writeDone);
        return new ValueTask<bool>(this, _write.Version);
    }

    void WriteDone()
    {
        var write = _pendingWrite;
        _pendingWrite = default;   // before completing: the continuation may start the next write
        bool ok;
        try { ok = write.GetResult().IsOk; }
        catch (Exception e) { _write.SetException(e); return; }
        _write.SetResult(ok);
    }

    public void AbortRead() => _flow.Shutdown(ShutdownMode.Read);
    public Task CloseAsync() => _flow.CloseAsync();
    public void Abort() => _flow.Abort();

    int IValueTaskSource<int>.GetResult(short token) => _read.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _read.GetStatus(token);
    bool IValueTaskSource<bool>.GetResult(short token) => _write.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _write.GetStatus(token);

    // The flow completes on the stack's context, so the continuation runs where it would be posted to anyway.
    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _read.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _write.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
}
