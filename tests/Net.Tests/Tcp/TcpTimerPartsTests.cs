using CosmosNet.Net.Simulation;
using CosmosNet.Net.Tcp;
using Xunit;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>The flow's timer-driven parts, each on a virtual clock with a counting callback.</summary>
public class TcpTimerPartsTests
{
    private const long Ms = 1_000_000;
    private readonly VirtualClock _clock = new();
    private int _fired;

    private Platform.ITimer NewTimer() => _clock.CreateTimer(() => _fired++);

    [Fact]
    public void AckPolicyDelaysOneSegmentAndAcksEverySecond()
    {
        var policy = new AckPolicy(NewTimer(), 40 * Ms);
        policy.InOrderData(_clock.NowNanoseconds, 1460, 1460);
        Assert.False(policy.AckNow);
        _clock.Advance(TimeSpan.FromMilliseconds(10));
        policy.InOrderData(_clock.NowNanoseconds, 1460, 1460); // RFC 1122: at least every second full segment
        Assert.True(policy.AckNow);
        policy.AckSent();
        Assert.False(policy.AckNow);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _fired); // the ACK went out: the delayed-ACK timer was cancelled

        policy.InOrderData(_clock.NowNanoseconds, 1460, 1460);
        _clock.Advance(TimeSpan.FromMilliseconds(39));
        Assert.Equal(0, _fired);
        _clock.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _fired); // a lone segment is acknowledged after the delay
    }

    [Fact]
    public void AckPolicyAcksALargeSegmentAtOnce()
    {
        var policy = new AckPolicy(NewTimer(), 40 * Ms);
        policy.InOrderData(_clock.NowNanoseconds, 100, 1460);
        Assert.False(policy.AckNow);   // small segments: every second one
        policy.InOrderData(_clock.NowNanoseconds, 100, 1460);
        Assert.True(policy.AckNow);
        policy.AckSent();
        policy.InOrderData(_clock.NowNanoseconds, 64 * 1024, 1460);   // joined by the device's receive offload
        Assert.True(policy.AckNow);
    }

    [Fact]
    public void AckPolicyQuickAckIsImmediateAndStopCancels()
    {
        var policy = new AckPolicy(NewTimer(), 40 * Ms);
        policy.Quick();
        Assert.True(policy.AckNow);
        policy.AckSent();
        policy.InOrderData(0, 1460, 1460);
        policy.Stop();
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, _fired);
    }

    [Fact]
    public void RetransmitTimerStartsOnceAndRestarts()
    {
        var timer = new RetransmitTimer(NewTimer(), 200 * Ms, 60_000 * Ms);
        timer.Start(100 * Ms);
        timer.Start(500 * Ms); // RFC 6298 5.1: already running, unchanged
        _clock.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, _fired);
        timer.Start(200 * Ms);
        timer.Restart(400 * Ms);
        _clock.Advance(TimeSpan.FromMilliseconds(250));
        Assert.Equal(1, _fired);
        _clock.Advance(TimeSpan.FromMilliseconds(50));
        Assert.Equal(2, _fired);
    }

    [Fact]
    public void RetransmitTimerServesPersistWhenNothingIsOutstanding()
    {
        var timer = new RetransmitTimer(NewTimer(), 200 * Ms, 60_000 * Ms);
        timer.Update(outstanding: false, waiting: false, rtoNs: 300 * Ms, nowNs: 0);
        Assert.False(timer.IsArmed);
        timer.Update(outstanding: false, waiting: true, rtoNs: 300 * Ms, nowNs: 0);
        Assert.True(timer.IsArmed);
        _clock.Advance(TimeSpan.FromMilliseconds(300));
        Assert.Equal(1, _fired);

        // The persist interval backs off per probe, within [min RTO, max RTO].
        Assert.Equal(300 * Ms, timer.PersistInterval(300 * Ms));
        Assert.Equal(0, timer.CountProbe());
        Assert.Equal(1, timer.CountProbe());
        Assert.Equal(1200 * Ms, timer.PersistInterval(300 * Ms));
        Assert.Equal(200 * Ms, new RetransmitTimer(NewTimer(), 200 * Ms, 60_000 * Ms).PersistInterval(Ms));
        for (int i = 0; i < 20; i++) timer.CountProbe();
        Assert.Equal(60_000 * Ms, timer.PersistInterval(300 * Ms));
        timer.Heard();
        Assert.Equal(0, timer.PersistProbes);

        timer.Update(outstanding: true, waiting: false, rtoNs: 300 * Ms, nowNs: _clock.NowNanoseconds);
        timer.Update(outstanding: false, waiting: false, rtoNs: 300 * Ms, nowNs: _clock.NowNanoseconds);
        Assert.False(timer.IsArmed); // everything acknowledged, nothing waiting
    }

    [Fact]
    public void RetransmitTimerCountsTimeoutsUntilProgress()
    {
        var timer = new RetransmitTimer(NewTimer(), 200 * Ms, 60_000 * Ms);
        Assert.Equal(1, timer.CountTimeout());
        Assert.Equal(2, timer.CountTimeout());
        timer.Progress();
        Assert.Equal(0, timer.Timeouts);
    }

    [Fact]
    public void KeepaliveProbesAfterIdlenessAndGivesUp()
    {
        var ka = new KeepaliveMonitor(NewTimer());
        ka.Configure(new Keepalive(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), Probes: 2), running: false, 0);
        Assert.False(_clock.NextDeadline.HasValue); // not established yet: no timer
        ka.Heard(0);
        ka.Start(0);
        _clock.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _fired);
        Assert.Equal(KeepaliveAction.SendProbe, ka.OnTimer(_clock.NowNanoseconds));
        Assert.Equal(12_000 * Ms, _clock.NextDeadline);
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(KeepaliveAction.SendProbe, ka.OnTimer(_clock.NowNanoseconds));
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.False(ka.Expired);
        Assert.Equal(KeepaliveAction.GiveUp, ka.OnTimer(_clock.NowNanoseconds));
        Assert.True(ka.Expired);
    }

    [Fact]
    public void KeepaliveWaitsAgainWhenThePeerSpokeMeanwhile()
    {
        var ka = new KeepaliveMonitor(NewTimer());
        ka.Configure(new Keepalive(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(2), Probes: 1), running: true, 0);
        ka.Heard(0);
        _clock.Advance(TimeSpan.FromSeconds(6));
        ka.Heard(_clock.NowNanoseconds); // traffic at 6 s
        _clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(KeepaliveAction.None, ka.OnTimer(_clock.NowNanoseconds));
        Assert.Equal(16_000 * Ms, _clock.NextDeadline); // 10 s after the peer was last heard
        _clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(KeepaliveAction.SendProbe, ka.OnTimer(_clock.NowNanoseconds));
        ka.Heard(_clock.NowNanoseconds); // the probe was answered: counting starts over
        _clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(KeepaliveAction.None, ka.OnTimer(_clock.NowNanoseconds));
        Assert.False(ka.Expired);
    }

    [Fact]
    public void KeepaliveOffDoesNothing()
    {
        var ka = new KeepaliveMonitor(NewTimer());
        ka.Configure(null, running: true, 0);
        Assert.False(_clock.NextDeadline.HasValue);
        Assert.Equal(KeepaliveAction.None, ka.OnTimer(TimeSpan.FromDays(1).Ticks * 100));
        Assert.Null(ka.Settings);
    }

    [Fact]
    public void TimeWaitLastsTwoMslAndRestartsOnARetransmittedFin()
    {
        var expired = new List<TcpTuple>();
        var table = new TimeWaitTable(_clock, TimeSpan.FromSeconds(30), expired.Add);
        var a = new TcpTuple(new Platform.Ipv4Address(10, 0, 0, 1), 80, new Platform.Ipv4Address(10, 0, 0, 2), 1000);
        var b = a with { RemotePort = 1001 };
        table.Add(a, new TimeWaitTable.Record { Timestamps = true, TsRecent = 100 }, 0);
        _clock.Advance(TimeSpan.FromSeconds(10));
        table.Add(b, new TimeWaitTable.Record(), _clock.NowNanoseconds);
        _clock.Advance(TimeSpan.FromSeconds(40));
        table.Restart(a, 150, _clock.NowNanoseconds); // the peer resent its FIN: our ACK was lost
        Assert.True(table.TryGet(a, out var r) && r.TsRecent == 150);
        _clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Equal([b], expired);               // b's 2·MSL ran out; a's began again at 50 s
        _clock.Advance(TimeSpan.FromSeconds(39));
        Assert.Equal(1, table.Count);
        _clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal([b, a], expired);
        Assert.Equal(0, table.Count);
    }

    [Fact]
    public void CloseTimeoutCountsFromTheFirstClose()
    {
        var end = new Termination(NewTimer(), closeTimeoutNs: 60_000 * Ms);
        end.StartCloseTimeout(0);
        _clock.Advance(TimeSpan.FromSeconds(30));
        end.StartCloseTimeout(_clock.NowNanoseconds);
        _clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(1, _fired);
        end.StartCloseTimeout(_clock.NowNanoseconds);
        end.Stop();
        _clock.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, _fired);
    }

    [Fact]
    public void TheFirstErrorIsTheOneReported()
    {
        var end = new Termination(NewTimer(), 1);
        end.Fail(null);
        Assert.Null(end.Error);
        end.Fail(new TcpError(TcpErrorKind.Reset));
        end.Fail(new TcpError(TcpErrorKind.TimedOut));
        Assert.Equal(TcpErrorKind.Reset, end.Error?.Kind);
        end.SoftFailure("HostUnreachable");
        end.SoftFailure("NetworkUnreachable");
        Assert.Equal("NetworkUnreachable", end.SoftError);
    }
}

public class TimestampsAndPathMtuTests
{
    private const long Ms = 1_000_000;

    [Fact]
    public void TimestampsRunInMillisecondsFromTheOffset()
    {
        var ts = new Timestamps(offset: 0xFFFF_FFF0);
        Assert.Equal(0xFFFF_FFF0u, ts.Value(0));
        Assert.Equal(0x0000_0010u, ts.Value(32 * Ms)); // wraps
        Assert.Equal(25 * Ms, ts.RttSample(ts.Value(100 * Ms), 125 * Ms));
        Assert.Equal(0, ts.Overhead);
        ts.Enabled = true;
        Assert.Equal(12, ts.Overhead);
    }

    [Fact]
    public void PawsRejectsOlderTimestampsUntilTsRecentIsStale()
    {
        var ts = new Timestamps(0);
        Assert.False(ts.IsOld(5, 0));       // nothing recorded yet
        Assert.True(ts.MayAdvanceTo(5));
        ts.Record(1000, 0);
        Assert.True(ts.IsOld(999, Ms));
        Assert.False(ts.IsOld(1000, Ms));
        Assert.True(ts.IsOld(unchecked(1000u - 0x7FFF_FFFF), Ms));
        Assert.False(ts.IsOld(1000u + 0x7FFF_0000, Ms)); // ahead, across half the space
        Assert.False(ts.IsOld(999, 25L * 24 * 3600 * 1000 * Ms)); // RFC 7323 5.5: TS.Recent older than 24 days is invalid
        Assert.False(ts.MayAdvanceTo(999));
        Assert.True(ts.MayAdvanceTo(1000));
        Assert.True(ts.IsNewer(1001));
        Assert.False(ts.IsNewer(1000));
        Assert.Equal(1000u, ts.Recent);
    }

    [Fact]
    public void SendMssIsTheSmallerOfPeerAndPathLessOptions()
    {
        var mtu = new PathMtu(localMss: 1460, pathMss: 1460);
        Assert.Equal(536, mtu.SendMss); // RFC 9293 3.7.1 default until the peer announces one
        mtu.PeerAnnounced(8960);
        Assert.Equal(1460 - 12, mtu.Update(optionOverhead: 12));
        mtu.PeerAnnounced(1000);
        Assert.Equal(1000, mtu.Update(0));
        Assert.Equal(1000, mtu.SegmentLimit);
        mtu.PeerAnnounced(20);
        Assert.Equal(32, mtu.Update(12)); // never below 32 bytes of payload
    }

    [Fact]
    public void FragmentationNeededOnlyEverShrinksThePathToPlausibleSizes()
    {
        var mtu = new PathMtu(1460, 1460);
        mtu.PeerAnnounced(1460);
        Assert.False(mtu.FragmentationNeeded(0));      // old routers send no MTU
        Assert.False(mtu.FragmentationNeeded(100));    // 60-byte segments: implausible, an attack
        Assert.False(mtu.FragmentationNeeded(1600));   // larger than what we use
        Assert.True(mtu.FragmentationNeeded(1400));
        Assert.Equal(1360, mtu.PathMss);
        Assert.Equal(1360, mtu.Update(0));
        Assert.False(mtu.FragmentationNeeded(1400));   // no change
        Assert.Equal(1460, mtu.LocalMss);
    }
}
