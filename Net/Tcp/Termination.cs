using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// The end of a connection's life: the linger timer — the deadline <see cref="TcpFlow.CloseAsync"/> gives the peer to
/// close too (TIME_WAIT's 2·MSL is the stack's <see cref="TimeWaitTable"/>) — and why the connection ended: the first
/// hard error, and the last soft one (an ICMP report) that a timeout then names as its cause (RFC 1122 4.2.3.9).
/// </summary>
internal sealed class Termination
{
    private readonly ITimer _linger;
    private readonly long _closeTimeoutNs;

    public Termination(ITimer linger, long closeTimeoutNs)
    {
        _linger = linger;
        _closeTimeoutNs = closeTimeoutNs;
    }

    /// <summary>Why the connection ended abnormally; null while it lives or after an orderly end.</summary>
    public TcpError? Error { get; private set; }

    /// <summary>The latest ICMP error for this connection, reported if it later times out.</summary>
    public string? SoftError { get; private set; }

    public void Fail(TcpError? error)
    {
        if (error is not null && Error is null) Error = error;
    }

    public void SoftFailure(string reason) => SoftError = reason;

    /// <summary>The user closed: the peer has until the close timeout (counted from the first close) to close too.</summary>
    public void StartCloseTimeout(long nowNs)
    {
        if (!_linger.IsArmed) _linger.Arm(nowNs + _closeTimeoutNs);
    }

    public void Stop() => _linger.Cancel();
}
