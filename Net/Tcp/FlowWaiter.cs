namespace CosmosNet.Net.Tcp;

/// <summary>
/// One kind of user operation (read, write, close) parked until the flow has news for it. Waking completes it through
/// the stack (<see cref="TcpStack.Complete"/>), so the continuation never runs inside the input path. The one place a
/// waiter's task is made: a reusable value-task source could replace the per-wait TaskCompletionSource here alone.
/// </summary>
internal sealed class FlowWaiter
{
    private readonly TcpStack _stack;
    private TaskCompletionSource? _pending;

    public FlowWaiter(TcpStack stack) => _stack = stack;

    public bool IsWaiting => _pending is not null;

    /// <summary>A task that completes at the next <see cref="Wake"/> (shared by everyone waiting until then).</summary>
    public Task Wait()
    {
        _pending ??= new TaskCompletionSource(_stack.CaptureContext());
        return _pending.Task;
    }

    public void Wake()
    {
        var pending = _pending;
        _pending = null;
        if (pending is not null) _stack.Complete(pending);
    }
}
