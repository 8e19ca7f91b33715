using CosmosNet.Net.Tcp;
using CosmosNet.Net.Wire;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>Loss detection and recovery on their own: duplicate ACKs, SACK, partial and full ACKs, timeouts, Karn.</summary>
public class LossRecoveryTests
{
    private const int Mss = 1000;
    private const long Ms = 1_000_000;
    private static readonly SeqNum Una = new(0xFFFF_F000); // recovery straddles the wrap

    private static LossRecovery NewReno(bool sack = false, uint iss = 0xFFFF_EFFF) =>
        new(new TcpConfig { CongestionControl = CongestionControlKind.NewReno }, Mss, new SeqNum(iss)) { Sack = sack };

    private static TcpOptions SackOf(SeqNum left, SeqNum right)
    {
        var opt = TcpOptions.None;
        opt.SackCount = 1;
        opt.Sack[0] = new SackBlock(left.Value, right.Value);
        return opt;
    }

    [Fact]
    public void ThreeDuplicateAcksStartFastRecoveryAndAFullAckEndsIt()
    {
        var loss = NewReno();
        var max = Una + 20 * Mss;
        Assert.Equal(10 * Mss, loss.Congestion.Cwnd); // RFC 6928
        loss.DuplicateAck(); loss.DuplicateAck();
        Assert.False(loss.LossDetected(Una, max));
        loss.DuplicateAck();
        Assert.True(loss.LossDetected(Una, max));

        loss.EnterRecovery(Una, max, 0);
        Assert.True(loss.InRecovery);
        Assert.Equal(10 * Mss, loss.Congestion.Ssthresh); // half the 20 segments in flight
        Assert.Equal(Una + Mss, loss.LostEdge(Una, max)); // the first segment is resent at once
        Assert.True(loss.NextLostHole(Una, max, out var hole, out var holeEnd));
        Assert.Equal((Una, Una + Mss), (hole, holeEnd));
        // Without SACK each duplicate ACK means one segment left the network.
        Assert.Equal(20 * Mss - Mss - 3 * Mss, loss.Pipe(Una, max));
        loss.RetransmittedUpTo(Una + Mss);
        Assert.False(loss.NextLostHole(Una, max, out _, out _));
        Assert.False(loss.LossDetected(Una, max)); // already recovering

        loss.Acknowledged(Una, Una + 5 * Mss, max, null, 10 * Ms); // partial ACK (RFC 6582): the next segment is lost too
        Assert.True(loss.InRecovery);
        Assert.Equal(0, loss.DuplicateAcks);
        Assert.Equal(Una + 6 * Mss, loss.LostEdge(Una + 5 * Mss, max));

        loss.Acknowledged(Una + 5 * Mss, max, max, null, 20 * Ms);
        Assert.False(loss.InRecovery);
        Assert.Equal(loss.Congestion.Ssthresh, loss.Congestion.Cwnd);
    }

    [Theory]
    [InlineData(0x0000_0000u)]
    [InlineData(0x7FFF_FFFFu)]
    [InlineData(0x8000_0000u)]
    [InlineData(0xC000_0000u)]
    public void TheFirstLossCanStartRecoveryWhateverTheIss(uint iss)
    {
        // "recover" starts at the ISS (RFC 6582 3.2); a zero default would block fast retransmit for half of all ISSs.
        var loss = NewReno(iss: iss);
        var una = new SeqNum(iss) + 1 + 50 * Mss;
        for (int i = 0; i < 3; i++) loss.DuplicateAck();
        Assert.True(loss.LossDetected(una, una + 10 * Mss));
    }

    [Fact]
    public void DuplicatesOfDataSentBeforeTheLastRecoveryDoNotStartAnother()
    {
        var loss = NewReno();
        var max = Una + 20 * Mss;
        loss.EnterRecovery(Una, max, 0);
        loss.Acknowledged(Una, max - Mss, max, null, Ms); // partial: still below the recovery point
        loss.TimedOut(max - Mss, max, 2 * Ms);           // a timeout resets the recovery point to SND.MAX
        for (int i = 0; i < 3; i++) loss.DuplicateAck();
        Assert.False(loss.LossDetected(max - Mss, max));  // SND.UNA has not passed "recover"
        Assert.True(loss.LossDetected(max, max + 10 * Mss));
    }

    [Fact]
    public void SackedBytesAboveAHoleMarkItLost()
    {
        var loss = NewReno(sack: true);
        var max = Una + 10 * Mss;
        loss.Sacked(SackOf(Una + Mss, Una + 3 * Mss), Una, max);
        Assert.False(loss.LossDetected(Una, max)); // 2 segments SACKed: not more than (DupThresh - 1) * MSS
        loss.Sacked(SackOf(Una + 3 * Mss, Una + 4 * Mss), Una, max);
        Assert.True(loss.LossDetected(Una, max));
        Assert.Equal(Una + 4 * Mss, loss.SkipSacked(Una + 2 * Mss));
        Assert.Equal(7 * Mss, loss.Flight(Una, max));

        loss.EnterRecovery(Una, max, 0);
        Assert.Equal(Una + Mss, loss.LostEdge(Una, max));
        Assert.True(loss.NextLostHole(Una, max, out var hole, out var holeEnd));
        Assert.Equal((Una, Una + Mss), (hole, holeEnd));
        // Pipe: 7 un-SACKed segments outstanding, of which the lost one is not in the network.
        Assert.Equal(6 * Mss, loss.Pipe(Una, max));
        loss.RetransmittedUpTo(Una + Mss);
        Assert.Equal(7 * Mss, loss.Pipe(Una, max)); // the retransmission is in flight again
        Assert.True(loss.HoleEnd(Una + 4 * Mss, max, out var end));
        Assert.Equal(max, end);
    }

    [Fact]
    public void SackBlocksAreIgnoredWhenTheOptionWasNotNegotiated()
    {
        var loss = NewReno(sack: false);
        var max = Una + 10 * Mss;
        loss.Sacked(SackOf(Una + Mss, Una + 9 * Mss), Una, max);
        Assert.False(loss.LossDetected(Una, max));
        Assert.Equal(10 * Mss, loss.Flight(Una, max));
    }

    [Fact]
    public void TimeoutCollapsesTheWindowAndBacksOff()
    {
        var loss = NewReno();
        var max = Una + 8 * Mss;
        long rto = loss.Rtt.Rto;
        loss.EnterRecovery(Una, max, 0);
        loss.TimedOut(Una, max, Ms);
        Assert.False(loss.InRecovery);
        Assert.Equal(Mss, loss.Congestion.Cwnd);          // RFC 5681 3.1 loss window
        Assert.Equal(4 * Mss, loss.Congestion.Ssthresh);
        Assert.Equal(2 * rto, loss.Rtt.Rto);
        Assert.Equal(1, loss.Rtt.Backoffs);
        Assert.Equal(Una, loss.LostEdge(Una, max));        // nothing is forced lost: go-back-N from SND.UNA
        loss.Acknowledged(Una, Una + Mss, max, null, 2 * Ms);
        Assert.Equal(0, loss.Rtt.Backoffs);
    }

    [Fact]
    public void KarnTimesOnlyUnretransmittedSegments()
    {
        var loss = NewReno();
        loss.Transmitting(Una, retransmission: false, timestamps: false, nowNs: 0);
        loss.Transmitting(Una + Mss, retransmission: false, timestamps: false, nowNs: 5 * Ms); // one timed at once
        loss.Acknowledged(Una, Una + Mss, Una + 2 * Mss, null, 100 * Ms);
        Assert.Equal(100 * Ms, loss.Rtt.SmoothedRtt);

        var fresh = NewReno();
        fresh.Transmitting(Una, retransmission: false, timestamps: false, nowNs: 0);
        fresh.Transmitting(Una, retransmission: true, timestamps: false, nowNs: 50 * Ms); // ambiguous now
        fresh.Acknowledged(Una, Una + Mss, Una + Mss, null, 100 * Ms);
        Assert.Equal(0, fresh.Rtt.SmoothedRtt);

        var stamped = NewReno();
        stamped.Transmitting(Una, retransmission: false, timestamps: true, nowNs: 0);
        stamped.Acknowledged(Una, Una + Mss, Una + Mss, 30 * Ms, 100 * Ms); // the echoed timestamp is the sample
        Assert.Equal(30 * Ms, stamped.Rtt.SmoothedRtt);
    }

    [Fact]
    public void SynRttIsSampledUnlessTheSynWasResent()
    {
        var loss = NewReno();
        loss.SynSent(10 * Ms);
        loss.SynAcknowledged(retransmitted: true, 50 * Ms);
        Assert.Equal(0, loss.Rtt.SmoothedRtt);
        loss.SynAcknowledged(retransmitted: false, 50 * Ms);
        Assert.Equal(40 * Ms, loss.Rtt.SmoothedRtt);
    }

    [Fact]
    public void CongestionAvoidanceGrowsOnlyWhileTheWindowIsUsed()
    {
        var loss = NewReno();
        int before = loss.Congestion.Cwnd;
        loss.Acknowledged(Una, Una + Mss, Una + 2 * Mss, null, Ms); // 2 segments in flight of a 10-segment window
        Assert.Equal(before, loss.Congestion.Cwnd);
        loss.Acknowledged(Una + Mss, Una + 2 * Mss, Una + 8 * Mss, null, 2 * Ms);
        Assert.Equal(before + Mss, loss.Congestion.Cwnd); // slow start: one MSS per ACK
        loss.SetMss(500);
        Assert.Equal(500, loss.Mss);
    }
}
