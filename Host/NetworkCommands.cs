using System.Globalization;
using System.Text;
using CosmosNet.Drivers.Net;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net;
using CosmosNet.Net.Ip;

namespace CosmosNet.Host;

/// <summary>
/// The diagnostics console's network commands: <c>net</c> (NIC counters, address, ARP table, IP/ICMP/UDP/TCP
/// counters) and <c>conns</c> (each TCP connection). The stack is single-threaded, so the console's thread posts the
/// query to the network loop and waits for the answer (a few seconds at most: a stuck loop is reported as an error).
/// </summary>
static class NetworkCommands
{
    static readonly TimeSpan LoopTimeout = TimeSpan.FromSeconds(5);
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;
    static (INic Nic, NetworkStack Stack, SynchronizationContext Loop)? s_current;

    /// <summary>Points the commands at the running stack (registered once, on the first call).</summary>
    public static void Attach(INic nic, NetworkStack stack, SynchronizationContext loop)
    {
        bool first = s_current is null;
        s_current = (nic, stack, loop);
        if (!first) return;
        DiagnosticsConsole.Register("net", "net: NIC counters, address, ARP table, IP/ICMP/UDP/TCP counters", _ => OnLoop(Net));
        DiagnosticsConsole.Register("conns", "conns: every TCP connection: endpoints, state, windows, RTT/RTO, cwnd, bytes, retransmits, loss recovery", _ => OnLoop(Connections));
    }

    static string OnLoop(Func<INic, NetworkStack, string> query)
    {
        var (nic, stack, loop) = s_current ?? throw new InvalidOperationException("the network is not up yet");
        using var done = new ManualResetEventSlim();
        string? answer = null;
        Exception? error = null;
        loop.Post(_ =>
        {
            try { answer = query(nic, stack); }
            catch (Exception e) { error = e; }
            finally { done.Set(); }
        }, null);
        if (!done.Wait(LoopTimeout)) throw new TimeoutException($"the network loop did not answer within {LoopTimeout.TotalSeconds:F0} s");
        if (error is not null) throw error;
        return answer!;
    }

    static string Net(INic nic, NetworkStack stack)
    {
        var text = new StringBuilder();
        var config = stack.Ip.Configuration;
        text.Append(Invariant, $"nic: {nic.Model} {nic.MacAddress}, link {(nic.LinkUp ? "up" : "down")}: {nic.Counters}\n");
        text.Append(Invariant, $"ip: {config.Address}/{config.PrefixLength} gw {config.Gateway}\n");
        var arp = stack.Ip.ArpTable();
        text.Append(Invariant, $"arp: {arp.Length} entries\n");
        foreach (var e in arp)
        {
            string state = e.Mac is { } mac ? $"{mac,-17} expires in {e.ExpiresInNanoseconds / 1_000_000_000} s" : $"(resolving)       {e.WaitingFrames} frames waiting";
            text.Append(Invariant, $"  {e.Address,-15} {state}\n");
        }
        var counters = stack.Statistics;
        foreach (var (layer, prefixes) in Layers)
        {
            var nonZero = Enum.GetValues<NetCounter>()
                .Where(c => prefixes.Any(p => c.ToString().StartsWith(p, StringComparison.Ordinal)) && counters[c] != 0)
                .Select(c => $"{c}={counters[c]}");
            string line = string.Join(' ', nonZero);
            text.Append(layer).Append(": ").Append(line.Length == 0 ? "-" : line).Append('\n');
        }
        text.Append(Invariant, $"tcp: {stack.Tcp.Statistics}; {stack.Tcp.ConnectionCount} connections\n");
        return text.ToString();
    }

    static readonly (string Layer, string[] Prefixes)[] Layers =
    [
        ("link", ["Frames", "Ethernet"]), ("arp counters", ["Arp"]), ("ipv4", ["Ip"]), ("icmp", ["Icmp"]), ("udp", ["Udp"]),
        ("dhcp/dns", ["Dhcp", "Dns"]),
    ];

    static string Connections(INic nic, NetworkStack stack)
    {
        var flows = stack.Tcp.Connections();
        var text = new StringBuilder(string.Create(Invariant, $"{flows.Length} connections\n"));
        foreach (var flow in flows)
        {
            var s = flow.Statistics;
            text.Append(Invariant,
                $"tcp {s.Local} -> {s.Remote} {s.State} snd.wnd {s.SendWindow} rcv.wnd {s.ReceiveWindow} " +
                $"rtt {s.SmoothedRttNanoseconds / 1e6:F1} ms rto {s.RtoNanoseconds / 1e6:F0} ms " +
                $"cwnd {s.CongestionWindow} ssthresh {(s.SlowStartThreshold == int.MaxValue ? "-" : s.SlowStartThreshold.ToString(Invariant))} mss {s.SendMss} " +
                $"bytes out {s.BytesAcknowledged} in {s.BytesReceived} rexmit {s.Retransmits} loss {s.Recovery} buffered {s.SendBuffered}/{s.ReceiveBuffered}\n");
        }
        return text.ToString();
    }
}
