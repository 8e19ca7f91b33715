using System.Runtime.CompilerServices;
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

/// <summary>A <see cref="TcpFlow"/> as an <see cref="ITransport"/>.</summary>
public sealed class TcpFlowTransport(TcpFlow flow) : ITransport
{
    public TcpFlow Flow => flow;
    public string RemoteEndpoint => flow.Destination.ToString();

    public ValueTask<int> ReadAsync(Memory<byte> buffer)
    {
        var task = flow.ReadAsync(buffer);
        return task.IsCompletedSuccessfully ? new ValueTask<int>(Count(task.Result)) : Await(task);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<int> Await(Task<Result<TcpReadResult, TcpError>> t) => Count(await t);
        static int Count(Result<TcpReadResult, TcpError> r) => r.IsOk && !r.Value.IsEndOfStream ? r.Value.Count : 0;
    }

    public ValueTask<bool> WriteAsync(ReadOnlyMemory<byte> data, bool push)
    {
        var task = push ? flow.WriteNodelayAsync(data) : flow.WriteAsync(data);
        return task.IsCompletedSuccessfully ? new ValueTask<bool>(task.Result.IsOk) : Await(task);

        [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
        static async ValueTask<bool> Await(Task<Result<Unit, TcpWriteError>> t) => (await t).IsOk;
    }

    public void AbortRead() => flow.Shutdown(ShutdownMode.Read);
    public Task CloseAsync() => flow.CloseAsync();
    public void Abort() => flow.Abort();
}
