using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

public class SendSequenceTests
{
    private static readonly SeqNum Iss = new(0xFFFF_FF00); // close to the wrap, so arithmetic crosses it

    [Fact]
    public void SynOccupiesOneSequenceNumberAndNoBufferSpace()
    {
        var snd = new SendSequence(Iss);
        Assert.Equal(Iss + 1, snd.BufferStart);
        snd.SynSent();
        Assert.Equal(Iss + 1, snd.Max);
        Assert.Equal(1, snd.Outstanding);
        snd.SynAcknowledged(Iss + 1);
        Assert.False(snd.HasOutstanding);
        Assert.Equal(0, snd.Acknowledge(Iss + 1, buffered: 0));
    }

    [Fact]
    public void AcknowledgementFreesBufferAndNeverTheFin()
    {
        var snd = new SendSequence(Iss);
        snd.SynSent();
        snd.SynAcknowledged(Iss + 1);
        snd.Sent(Iss + 1 + 300);
        snd.QueueFin(buffered: 300);
        Assert.Equal(Iss + 301, snd.FinSeq);
        snd.Sent(Iss + 302); // the FIN
        Assert.Equal(100, snd.Acknowledge(Iss + 101, buffered: 300));
        Assert.Equal(Iss + 101, snd.BufferStart);
        Assert.False(snd.FinAcknowledgedBy(Iss + 301));
        Assert.Equal(200, snd.Acknowledge(Iss + 302, buffered: 200)); // the FIN's sequence number frees nothing
        Assert.True(snd.FinAcknowledgedBy(Iss + 302));
        Assert.False(snd.HasOutstanding);
    }

    [Fact]
    public void RewindResendsFromUnacknowledgedButMaxRemembers()
    {
        var snd = new SendSequence(Iss);
        snd.SynSent(); snd.SynAcknowledged(Iss + 1);
        snd.Sent(Iss + 1001);
        snd.Acknowledge(Iss + 201, 1000);
        snd.Rewind();
        Assert.Equal(Iss + 201, snd.Next);
        Assert.Equal(Iss + 1001, snd.Max);
        Assert.True(snd.IsUnacknowledged(Iss + 500));
        snd.Sent(Iss + 401); // a resent segment does not lower Max
        Assert.Equal(Iss + 1001, snd.Max);
        snd.SkipTo(Iss + 300); // never backwards
        Assert.Equal(Iss + 401, snd.Next);
        snd.Acknowledge(Iss + 601, 800); // an ACK beyond SND.NXT pulls it along
        Assert.Equal(Iss + 601, snd.Next);
    }

    [Fact]
    public void WindowUpdatesOnlyFromNewerSegments()
    {
        var snd = new SendSequence(Iss);
        snd.SetScale(3);
        Assert.Equal(8000, snd.Scaled(1000));
        var seq = new SeqNum(5000);
        snd.SetWindow(seq, Iss + 1, 8000);
        snd.UpdateWindow(seq - 1, Iss + 1, 100);   // older segment: ignored
        Assert.Equal(8000, snd.Window);
        snd.UpdateWindow(seq, Iss, 100);           // same segment, older ACK: ignored
        Assert.Equal(8000, snd.Window);
        snd.UpdateWindow(seq, Iss + 1, 0);         // same segment and ACK: taken (a window shrinking to zero)
        Assert.Equal(0, snd.Window);
        Assert.Equal(8000, snd.MaxWindow);
        snd.UpdateWindow(seq + 10, Iss + 1, 4000);
        Assert.Equal(4000, snd.Window);
    }

    [Fact]
    public void AcceptsOnlyAcksWithinRfc5961Bounds()
    {
        var snd = new SendSequence(Iss);
        snd.SynSent(); snd.SynAcknowledged(Iss + 1);
        snd.SetWindow(new SeqNum(1), Iss + 1, 1000);
        snd.Sent(Iss + 501);
        snd.Acknowledge(Iss + 2001 - 1500, 500);
        Assert.True(snd.AcceptsAck(Iss + 501));
        Assert.False(snd.AcceptsAck(Iss + 502));                  // data never sent
        Assert.True(snd.AcceptsAck(snd.Unacknowledged - 1000));   // an old duplicate within MAX.SND.WND
        Assert.False(snd.AcceptsAck(snd.Unacknowledged - 1001));
    }

    [Fact]
    public void PushMarksNodelayBytes()
    {
        var snd = new SendSequence(Iss);
        snd.Push(buffered: 40);
        Assert.Equal(Iss + 41, snd.PushEdge);
        Assert.Equal(Iss + 41, snd.DataEnd(40));
    }
}

public class ReceiveSequenceTests
{
    private static readonly SeqNum Irs = new(0xFFFF_FFF0);

    [Theory]
    [InlineData(64 * 1024, true, 1)]
    [InlineData(65535, true, 0)]
    [InlineData(256 * 1024, true, 3)]
    [InlineData(256 * 1024, false, 0)]
    [InlineData(int.MaxValue, true, 14)] // RFC 7323 2.3: at most 14
    public void ScaleFitsTheBufferInSixteenBits(int buffer, bool enabled, int expected) =>
        Assert.Equal(expected, ReceiveSequence.ScaleFor(buffer, enabled));

    [Fact]
    public void SynchronizeTakesThePeersSyn()
    {
        var rcv = new ReceiveSequence(0);
        rcv.Synchronize(Irs);
        Assert.Equal(Irs, rcv.Initial);
        Assert.Equal(Irs + 1, rcv.Next);
        Assert.Equal(Irs + 1, rcv.LastAckSent);
        Assert.Equal(65535, rcv.OfferInSyn(1 << 20)); // a SYN's window is never scaled
        Assert.Equal(65535, rcv.Window);
    }

    [Fact]
    public void ReceiverSillyWindowAvoidanceHoldsTheEdgeUntilItCanMoveUsefully()
    {
        var rcv = new ReceiveSequence(0);
        rcv.Synchronize(Irs);
        rcv.OfferInSyn(10_000);
        rcv.Advance(9_000);                  // 9000 bytes arrived and sit unread: 1000 free
        Assert.Equal(1000, rcv.Advertise(free: 1000, capacity: 10_000, mss: 1460));
        Assert.Equal(1000, rcv.Advertise(free: 1500, capacity: 10_000, mss: 1460)); // would move the edge by 500 < MSS
        Assert.Equal(2500, rcv.Advertise(free: 2500, capacity: 10_000, mss: 1460)); // moves by 1500 >= MSS
        rcv.Advance(2_400);                  // more data, unread: 100 free, right at the advertised edge
        Assert.Equal(100, rcv.Advertise(free: 100, capacity: 10_000, mss: 1460));
        Assert.Equal(100, rcv.Advertise(free: 50, capacity: 10_000, mss: 1460)); // the edge we promised never moves back
        Assert.Equal(100, rcv.Window);
    }

    [Fact]
    public void ScaledWindowRoundsDownButTheEdgeIsKept()
    {
        var rcv = new ReceiveSequence(4);
        rcv.Synchronize(Irs);
        rcv.OfferInSyn(0);
        Assert.Equal(6250, rcv.Advertise(free: 100_007, capacity: 1 << 20, mss: 1460));
        Assert.Equal(100_000, rcv.Window);
        rcv.DisableScaling();
        Assert.Equal(0, rcv.Scale);
    }

    [Fact]
    public void WindowUpdateAfterAReadOnlyWhenItOpensUsefully()
    {
        var rcv = new ReceiveSequence(0);
        rcv.Synchronize(Irs);
        rcv.OfferInSyn(10_000);
        rcv.Advance(9_000);
        Assert.False(rcv.WindowUpdateWorthSending(free: 1_500, capacity: 10_000, mss: 1460)); // window 1000 gains 500
        Assert.True(rcv.WindowUpdateWorthSending(free: 6_000, capacity: 10_000, mss: 1460));
        rcv.Advertise(free: 6_000, capacity: 10_000, mss: 1460);
        Assert.False(rcv.WindowUpdateWorthSending(free: 10_000, capacity: 10_000, mss: 1460)); // window already >= half
    }

    [Theory]
    [InlineData(0, 0, 0, true)]       // empty segment at RCV.NXT, zero window
    [InlineData(1, 0, 0, false)]
    [InlineData(0, 10, 0, false)]     // data into a zero window
    [InlineData(99, 0, 100, true)]
    [InlineData(100, 0, 100, false)]
    [InlineData(-5, 10, 100, true)]   // overlaps the left edge
    [InlineData(-10, 10, 100, false)] // entirely old
    public void AcceptabilityFollowsRfc9293(int offset, int length, int window, bool acceptable) =>
        Assert.Equal(acceptable, ReceiveSequence.Acceptable(Irs + offset, length, Irs, window));

    [Fact]
    public void SegmentsIntoUnadvertisedFreeSpaceAreAccepted()
    {
        var rcv = new ReceiveSequence(0);
        rcv.Synchronize(Irs);
        rcv.OfferInSyn(100);
        Assert.False(ReceiveSequence.Acceptable(rcv.Next + 150, 10, rcv.Next, rcv.Window));
        Assert.True(rcv.Acceptable(rcv.Next + 150, 10, free: 1000));
        Assert.False(rcv.Acceptable(rcv.Next + 1000, 10, free: 1000));
    }

    [Fact]
    public void EarlyFinWaitsForTheMissingData()
    {
        var rcv = new ReceiveSequence(0);
        rcv.Synchronize(Irs);
        rcv.NoteEarlyFin(rcv.Next + 5000, free: 1000); // the gap could never fit: forgotten
        rcv.Advance(5000);
        Assert.False(rcv.EarlyFinDue);
        rcv.NoteEarlyFin(rcv.Next + 500, free: 1000);
        Assert.False(rcv.EarlyFinDue);
        rcv.Advance(500);
        Assert.True(rcv.EarlyFinDue);
        var before = rcv.Next;
        rcv.AcceptFin();
        Assert.True(rcv.FinReceived);
        Assert.False(rcv.EarlyFinDue);
        Assert.Equal(before + 1, rcv.Next);
        rcv.AckSent();
        Assert.Equal(rcv.Next, rcv.LastAckSent);
    }
}
