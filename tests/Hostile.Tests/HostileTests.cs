using System.Text.Json;
using CosmosNet.Harness;
using Xunit;
using Xunit.Abstractions;

namespace CosmosNet.Hostile.Tests;

/// <summary>One 256 MiB guest for the hostile cases that share it (each case ends with <see cref="HostileGuest.AssertRecovered"/>).</summary>
public sealed class HostileServer() : IDisposable
{
    readonly Lazy<HostileGuest> _guest = new(() => new HostileGuest(256, TimeSpan.FromMinutes(25)));
    public HostileGuest Guest => _guest.Value;
    public void Dispose() { if (_guest.IsValueCreated) _guest.Value.Dispose(); }
}

/// <summary>
/// Issue 14, hostile clients: each case attacks Apps/HttpServer in QEMU (TCG, e1000, TAP in a namespace) from the
/// namespace, then checks that the guest never panicked, a normal client is served (GET /, POST / echo) and the live
/// heap returns to within a small margin of its baseline. Every case is bounded in time.
/// </summary>
[Collection("hostile")]
public sealed class HostileTests(HostileServer server, ITestOutputHelper log) : IClassFixture<HostileServer>
{
    HostileGuest G => server.Guest;
    const string Addr = HostileGuest.GuestAddress;

    readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();

    void Report(string what, JsonElement result)
    {
        log.WriteLine($"{what} (at {_clock.Elapsed.TotalSeconds:F0} s): {result}");
        G.AssertServes();   // the guest may still be working the attack off: wait for it to answer before asking for /status
        log.WriteLine($"status: {G.Status()}");
        foreach (var line in G.Serial.Split('\n').Where(l => l.Contains(" failed (")).TakeLast(5)) log.WriteLine($"serial: {line}");
    }

    /// <summary><see cref="HostileGuest.AssertRecovered"/>, with the heap figures and the guest's pools in the log.</summary>
    void Recovered(long marginBytes = 2 << 20)
    {
        var status = G.AssertRecovered(marginBytes);
        log.WriteLine($"recovered (at {_clock.Elapsed.TotalSeconds:F0} s): heap {status.GetProperty("HeapLiveBytes").GetInt64()} bytes, baseline {G.BaselineHeap}; {status}");
    }

    /// <summary>
    /// 20,000 connects at once (as a normal Linux client makes them: a SYN lost in the burst is retransmitted after 1, 3,
    /// 7, ... s), all held 10 s, one byte echoed on each, then closed. Every one is accepted, still open after the hold,
    /// echoes, and is established on the guest at the end; the guest never panics, and it serves a normal client afterwards
    /// with its heap back near the baseline. The flood goes to the echo port (7): the HTTP server closes a connection that
    /// has sent no request head within 30 s (as nginx does; slowloris relies on it), and under TCG the connects alone can
    /// take that long. The echo also covers the connections that got a SYN cookie once the SYN backlog (4096) was full and
    /// whose handshake ACK was lost in the burst: the guest knows them only from the cookie on their first data.
    /// </summary>
    [Fact]
    public void Connection_flood_of_20000_is_held_in_full()
    {
        const int count = 20_000;
        int before = Established(G.Status());   // the status request's own connection, and any an earlier case left behind
        var r = G.Attack(TimeSpan.FromMinutes(6), "flood", Addr, "7", $"{count}", "10", "80");
        Report("flood", r);
        Assert.Equal(count, r.GetProperty("connected").GetInt32());
        Assert.Equal(count, r.GetProperty("alive_after_hold").GetInt32());
        Assert.Equal(count, r.GetProperty("echoed").GetInt32());
        var server = r.GetProperty("server");
        Assert.True(server.TryGetProperty("TcpConnections", out _), $"no GET /status at the end: {server}");
        int held = Established(server) - before;
        Assert.True(held == count, $"the guest held {held} flood connections at the end, not {count}: {server}");
        Recovered();
    }

    /// <summary>Forged SYNs from unreachable sources for 10 s while normal clients keep connecting: once the SYN backlog
    /// is full the stack answers with SYN cookies, so the normal clients are served throughout.</summary>
    [Fact]
    public void Syn_flood_while_legitimate_clients_connect()
    {
        var flood = Task.Run(() => G.Attack(TimeSpan.FromMinutes(2), "synflood", G.Tap, G.GuestMac, Addr, "80", "10"));
        Thread.Sleep(3000);   // the backlog fills first
        int served = 0, tried = 0;
        while (!flood.IsCompleted)
        {
            tried++;
            var r = G.Exec(TimeSpan.FromSeconds(40), "curl", "-s", "-m", "30", "-o", "/dev/null", "-w", "%{http_code}", $"http://{Addr}/");
            if (r.Output == "200") served++;
            else log.WriteLine($"legitimate client {tried}: {r.ExitCode} '{r.Output}'");
        }
        Report("synflood", flood.Result);
        var status = G.Status();
        log.WriteLine($"legitimate clients: {served}/{tried} served");
        Assert.True(tried >= 3, $"only {tried} legitimate requests during the flood");
        Assert.Equal(tried, served);
        Assert.Contains("cookies ", status.GetProperty("Tcp").GetString());
        Assert.True(SynCookiesSent(status) > 0, $"the backlog never filled (no SYN cookies): {status}");
        Recovered();
    }

    /// <summary>500 connections each sending one header byte every 5 s: the request-head timeout (30 s) or the connection
    /// limit (503) must close every one of them, and normal clients are served afterwards.</summary>
    [Fact]
    public void Slowloris_connections_are_closed_by_the_server()
    {
        var r = G.Attack(TimeSpan.FromMinutes(4), "slowloris", Addr, "80", "500", "5", "150");
        Report("slowloris", r);
        Assert.Equal(500, r.GetProperty("opened").GetInt32());
        Assert.Equal(0, r.GetProperty("still_open").GetInt32());
        Assert.Equal(500, r.GetProperty("closed_by_server").GetInt32());
        Recovered();
    }

    /// <summary>16 clients POST 1 MiB each to the echo and never read: the guest's windows to them stay closed (30 s, or minutes)
    /// (persist timer probes), its memory stays bounded by what it buffered, and it keeps serving others meanwhile.</summary>
    [Fact]
    public void Clients_that_never_read_a_large_response_hold_memory_bounded()
    {
        const int clients = 16, size = 1 << 20;
        // The zero windows are held 30 s in make test, minutes with HOSTILE_FULL=1 (make test-hostile).
        int hold = HostileGuest.Full ? 150 : 30;
        var attack = Task.Run(() => G.Attack(TimeSpan.FromSeconds(hold + 120), "noread", Addr, "80", $"{clients}", $"{size}", $"{hold}"));
        Thread.Sleep(TimeSpan.FromSeconds(hold * 2 / 3));
        G.AssertServes();   // served while the stuck responses are held
        var during = G.Status(collect: true);
        log.WriteLine($"during: {during}");
        long heap = during.GetProperty("HeapLiveBytes").GetInt64();
        // Each stuck exchange holds the request body (1 MiB), the response it is writing and a send buffer (256 KiB).
        Assert.True(heap - G.BaselineHeap < clients * (3L * size), $"{heap - G.BaselineHeap} bytes held for {clients} stuck clients");
        Assert.True(ZeroWindowProbes(during) > 0, $"no zero-window probes: {during}");
        Assert.False(attack.IsCompleted, "the never-reading clients left before the check");
        Report("noread", attack.Result);
        Recovered();
    }

    /// <summary>100,000 random and mutated frames (truncated and inconsistent headers, bad checksums, option soup, tiny MSS,
    /// overlapping fragments, bogus SACK, every flag combination, ARP/ICMP oddities, RST/SYN/data injected in and around
    /// the window of a live connection) at 8,000 a second.</summary>
    [Fact]
    public void A_hundred_thousand_random_and_mutated_frames()
    {
        // scapy builds the frames slowly (~150 s for 10,000 on two busy cores): make test builds 2,500 distinct ones and
        // sends them round and round, make test-hostile 10,000.
        var r = G.Attack(TimeSpan.FromMinutes(5), "frames", G.Tap, G.GuestMac, Addr, "100000", "14", HostileGuest.Full ? "10000" : "2500");
        Report("frames", r);
        Assert.Equal(100_000, r.GetProperty("sent").GetInt32());
        Assert.True(r.GetProperty("handshake").GetBoolean(), "the forged connection for the injections was not accepted");
        Recovered();
    }

    /// <summary>Established connections in a GET /status answer (TcpConnections counts TIME_WAIT and half-open ones too).</summary>
    static int Established(JsonElement status) =>
        status.GetProperty("TcpConnections").GetInt32() - status.GetProperty("TcpTimeWait").GetInt32() - status.GetProperty("TcpHalfOpen").GetInt32();

    static long SynCookiesSent(JsonElement status) => long.Parse(Field(status, "cookies").Split('/')[0]);
    static long ZeroWindowProbes(JsonElement status) => long.Parse(Field(status, "zwp"));

    /// <summary>The value after <paramref name="name"/> in the TCP statistics line ("... cookies 3/1/0 ...").</summary>
    static string Field(JsonElement status, string name)
    {
        var words = status.GetProperty("Tcp").GetString()!.Split(' ');
        return words[Array.IndexOf(words, name) + 1];
    }
}
