namespace CosmosNet.Net.Platform;

/// <summary>
/// Monotonic time and timers. The stack has no thread of its own: timer callbacks, frame delivery and
/// API calls all happen on one logical thread supplied by the host (the kernel's network loop, the TAP
/// host's loop, or the simulator's virtual-time loop), so the stack needs no locks.
/// </summary>
public interface IClock
{
    /// <summary>Monotonic time in nanoseconds since an arbitrary origin.</summary>
    long NowNanoseconds { get; }

    /// <summary>Creates a reusable timer that invokes <paramref name="callback"/> when it fires.</summary>
    ITimer CreateTimer(Action callback);
}

/// <summary>A one-shot timer that can be re-armed any number of times without allocating.</summary>
public interface ITimer
{
    /// <summary>Fires once at <paramref name="deadlineNanoseconds"/> (clock time); re-arming replaces the previous deadline.</summary>
    void Arm(long deadlineNanoseconds);

    void Cancel();

    bool IsArmed { get; }
}
