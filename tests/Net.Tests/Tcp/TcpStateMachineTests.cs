using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>The transition table of RFC 9293 figure 5, the one source of a flow's state changes.</summary>
public class TcpStateMachineTests
{
    private static TcpState Run(TcpState from, params TcpEvent[] events)
    {
        foreach (var e in events) from = from.Next(e);
        return from;
    }

    [Fact]
    public void ActiveOpenThenActiveClose()
    {
        Assert.Equal(TcpState.SynSent, Run(TcpState.Closed, TcpEvent.ActiveOpen));
        Assert.Equal(TcpState.Established, Run(TcpState.Closed, TcpEvent.ActiveOpen, TcpEvent.HandshakeDone));
        var s = Run(TcpState.Established, TcpEvent.Close);
        Assert.Equal(TcpState.FinWait1, s);
        s = s.Next(TcpEvent.FinAcknowledged);
        Assert.Equal(TcpState.FinWait2, s);
        Assert.Equal(TcpState.TimeWait, s.Next(TcpEvent.FinReceived));
    }

    [Fact]
    public void PassiveOpenThenPassiveClose()
    {
        var s = Run(TcpState.Closed, TcpEvent.PassiveOpen);
        Assert.Equal(TcpState.SynReceived, s);
        s = Run(s, TcpEvent.HandshakeDone, TcpEvent.FinReceived);
        Assert.Equal(TcpState.CloseWait, s);
        s = s.Next(TcpEvent.Close);
        Assert.Equal(TcpState.LastAck, s);
        Assert.Equal(TcpState.Closed, s.Next(TcpEvent.FinAcknowledged));
    }

    [Fact]
    public void SimultaneousOpenAndClose()
    {
        Assert.Equal(TcpState.SynReceived, Run(TcpState.Closed, TcpEvent.ActiveOpen, TcpEvent.SimultaneousOpen));
        var s = Run(TcpState.Established, TcpEvent.Close, TcpEvent.FinReceived);
        Assert.Equal(TcpState.Closing, s);
        Assert.Equal(TcpState.TimeWait, s.Next(TcpEvent.FinAcknowledged));
    }

    [Fact]
    public void CloseDuringTheHandshakeWaitsInSynReceived()
    {
        // The FIN is queued; the flow replays Close once the handshake is done.
        var s = Run(TcpState.SynReceived, TcpEvent.Close);
        Assert.Equal(TcpState.SynReceived, s);
        Assert.Equal(TcpState.FinWait1, Run(s, TcpEvent.HandshakeDone, TcpEvent.Close));
    }

    [Fact]
    public void AbortEndsEveryState()
    {
        foreach (var s in Enum.GetValues<TcpState>()) Assert.Equal(TcpState.Closed, s.Next(TcpEvent.Abort));
    }

    [Theory]
    [InlineData(TcpState.Closed, nameof(TcpEvent.FinReceived))]
    [InlineData(TcpState.Closed, nameof(TcpEvent.HandshakeDone))]
    [InlineData(TcpState.Established, nameof(TcpEvent.ActiveOpen))]
    [InlineData(TcpState.Established, nameof(TcpEvent.FinAcknowledged))]
    [InlineData(TcpState.CloseWait, nameof(TcpEvent.FinReceived))]
    [InlineData(TcpState.TimeWait, nameof(TcpEvent.FinReceived))]
    [InlineData(TcpState.TimeWait, nameof(TcpEvent.Close))]
    [InlineData(TcpState.LastAck, nameof(TcpEvent.Close))]
    public void EventsThatMeanNothingLeaveTheStateAlone(TcpState state, string e) => Assert.Equal(state, state.Next(Enum.Parse<TcpEvent>(e)));

    [Fact]
    public void NoEventLeadsOutOfClosedExceptAnOpen()
    {
        foreach (var e in Enum.GetValues<TcpEvent>())
            if (e is not (TcpEvent.ActiveOpen or TcpEvent.PassiveOpen))
                Assert.Equal(TcpState.Closed, TcpState.Closed.Next(e));
    }
}
