using System.Threading.Tasks.Sources;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// A user operation of a flow (its one read, its one write) parked until the flow has news for it: a reusable
/// value-task source, so neither waiting nor completing allocates. <see cref="Wake"/> does not run the operation
/// inside the input path: it asks the stack to post a retry to the host's context (<see cref="TcpStack.Complete(IFlowRetry)"/>),
/// which calls the flow's attempt again and completes the task when the attempt finishes. The continuation then runs
/// right there, on the stack's context, without a second trip through it.
/// </summary>
internal sealed class FlowWaiter<T> : IValueTaskSource<T>, IFlowRetry
{
    /// <summary>Makes progress on the parked operation; true with its result once it is finished.</summary>
    public delegate bool Attempt(out T result);

    private readonly TcpStack _stack;
    private readonly Attempt _attempt;
    private ManualResetValueTaskSourceCore<T> _core;
    private bool _retryPosted;

    public FlowWaiter(TcpStack stack, Attempt attempt)
    {
        _stack = stack;
        _attempt = attempt;
    }

    /// <summary>An operation is parked here.</summary>
    public bool IsWaiting { get; private set; }

    /// <summary>Parks the operation whose first attempt did not finish; the task completes once a retry does.</summary>
    public ValueTask<T> Park()
    {
        if (IsWaiting) throw new InvalidOperationException("this flow operation is already waiting");
        IsWaiting = true;
        _core.Reset();
        _stack.CaptureContext();
        return new ValueTask<T>(this, _core.Version);
    }

    /// <summary>The flow has news for the parked operation (many wakes before the retry runs cost one retry).</summary>
    public void Wake()
    {
        if (!IsWaiting || _retryPosted) return;
        _retryPosted = true;
        _stack.Complete(this);
    }

    void IFlowRetry.Retry()
    {
        _retryPosted = false;
        if (!IsWaiting) return;
        bool finished;
        T result;
        try { finished = _attempt(out result); }
        catch (Exception e)
        {
            IsWaiting = false;
            _core.SetException(e);
            return;
        }
        if (!finished) return;   // still waiting: the next wake retries
        IsWaiting = false;
        _core.SetResult(result);
    }

    T IValueTaskSource<T>.GetResult(short token) => _core.GetResult(token);
    ValueTaskSourceStatus IValueTaskSource<T>.GetStatus(short token) => _core.GetStatus(token);

    // Retries already run on the stack's context: capturing it again would cost an allocation and a second post.
    void IValueTaskSource<T>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags & ~ValueTaskSourceOnCompletedFlags.UseSchedulingContext);
}

/// <summary>What the stack's posted callback calls: a parked operation's retry.</summary>
internal interface IFlowRetry
{
    void Retry();
}
