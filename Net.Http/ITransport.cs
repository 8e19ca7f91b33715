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
    /// <summary>Queues the last bytes of the stream, pushed, and ends the sending side after them (TCP: the FIN rides on the
    /// last segment); the caller then <see cref="CloseAsync"/>s. False once the connection can no longer send.</summary>
    ValueTask<bool> WriteLastAsync(ReadOnlyMemory<byte> data) => WriteAsync(data, push: true);
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
public sealed class TcpFlowTransport(TcpFlow flow) : ITransport
{
    readonly Relay<Result<TcpReadResult, TcpError>, int> _read = new(static r => r.IsOk && !r.Value.IsEndOfStream ? r.Value.Count : 0);
    readonly Relay<Result<Unit, TcpWriteError>, bool> _write = new(static r => r.IsOk);

    public TcpFlow Flow => flow;
    public string RemoteEndpoint => flow.Destination.ToString();

    public ValueTask<int> ReadAsync(Memory<byte> buffer) => _read.Start(flow.ReadAsync(buffer));
    public ValueTask<bool> WaitReadableAsync() => flow.WaitReadableAsync();
    public ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, bool push) =>
        _write.Start(push ? flow.WriteNodelayAsync(data) : flow.WriteAsync(data));

    public ValueTask<bool> WriteLastAsync(ReadOnlyMemory<byte> data) => _write.Start(flow.WriteLastAsync(data));

    public void AbortRead() => flow.Shutdown(ShutdownMode.Read);
    public Task CloseAsync() => flow.CloseAsync();
    public void Abort() => flow.Abort();

    /// <summary>One flow operation at a time, its result mapped for the server, through a reusable value-task source.</summary>
    sealed class Relay<TIn, TOut> : IValueTaskSource<TOut>
    {
        readonly Func<TIn, TOut> _map;
        readonly Action _done;
        ManualResetValueTaskSourceCore<TOut> _core;
        ValueTaskAwaiter<TIn> _pending;

        public Relay(Func<TIn, TOut> map)
        {
            _map = map;
            _done = Done;
        }

        public ValueTask<TOut> Start(ValueTask<TIn> operation)
        {
            if (operation.IsCompleted) return new ValueTask<TOut>(_map(operation.Result));
            _core.Reset();
            _pending = operation.GetAwaiter();
            _pending.UnsafeOnCompleted(_done);
            return new ValueTask<TOut>(this, _core.Version);
        }

        void Done()
        {
            var pending = _pending;
            _pending = default;   // before completing: the continuation may start the next operation
            TOut result;
            try { result = _map(pending.GetResult()); }
            catch (Exception e) { _core.SetException(e); return; }
            _core.SetResult(result);
        }

        public TOut GetResult(short token) => _core.GetResult(token);
        public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

        // The flow completes on the stack's context, so the continuation runs where it would be posted to anyway.
        public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
            _core.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
    }
}
