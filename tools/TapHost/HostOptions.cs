using System.CommandLine;
using System.CommandLine.Parsing;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.TapHost;

/// <summary>What the command line asks for.</summary>
internal sealed record HostOptions(
    string Tap, Ipv4Address Address, int PrefixLength, Ipv4Address Gateway, MacAddress Mac,
    int? HttpPort, int? EchoPort, int? DiscardPort, (Ipv4Address Address, int Port)? Connect, long SendBytes, Impairment? Impair)
{
    public static RootCommand Command(Func<HostOptions, int> run)
    {
        var tap = new Option<string>("--tap") { Description = "existing TAP interface to attach to (ip tuntap add NAME mode tap)", Required = true };
        var ip = new Option<(Ipv4Address, int)>("--ip") { Description = "the stack's address and prefix, e.g. 10.7.0.2/24", Required = true, CustomParser = ParseCidr };
        var gw = new Option<Ipv4Address>("--gw") { Description = "default gateway", CustomParser = r => ParseAddress(r, r.Tokens[0].Value) };
        var mac = new Option<MacAddress?>("--mac") { Description = "the stack's MAC address (default 02:00 followed by the IPv4 address)", CustomParser = ParseMac };
        var http = new Option<int?>("--http") { Description = "serve HTTP on this port: GET / returns a page, POST /echo returns the body", CustomParser = ParsePort };
        var echo = new Option<int?>("--echo") { Description = "serve a TCP echo on this port", CustomParser = ParsePort };
        var discard = new Option<int?>("--discard") { Description = "serve a TCP discard (read and drop, log the rate) on this port", CustomParser = ParsePort };
        var connect = new Option<(Ipv4Address, int)?>("--connect") { Description = "connect out to ADDR:PORT once up: send --send bytes, half-close, read to end; logs SHA-256 of both directions", CustomParser = ParseEndpoint };
        var send = new Option<long>("--send") { Description = "bytes of pseudo-random data to send with --connect", DefaultValueFactory = _ => 0 };
        var impair = new Option<Impairment?>("--impair")
        {
            Description = "impair frames both ways inside TapHost (for kernels without tc netem), e.g. loss=0.02,delay=10ms,jitter=5ms,reorder=0.25,seed=1",
            CustomParser = r => Impairment.TryParse(r.Tokens[0].Value, out var error) ?? Fail<Impairment>(r, error!),
        };

        var root = new RootCommand("Runs the CosmosNet TCP/IP stack on an existing Linux TAP device.")
        {
            tap, ip, gw, mac, http, echo, discard, connect, send, impair,
        };
        root.SetAction(parse =>
        {
            var (address, prefix) = parse.GetValue(ip);
            return run(new HostOptions(
                parse.GetValue(tap)!, address, prefix, parse.GetValue(gw),
                parse.GetValue(mac) ?? new MacAddress(0x0200_0000_0000UL | address.Value),
                parse.GetValue(http), parse.GetValue(echo), parse.GetValue(discard), parse.GetValue(connect), parse.GetValue(send), parse.GetValue(impair)));
        });
        return root;
    }

    private static T? Fail<T>(ArgumentResult r, string error) where T : class
    {
        r.AddError(error);
        return null;
    }

    private static Ipv4Address ParseAddress(ArgumentResult r, string text)
    {
        if (Ipv4Address.TryParse(text, out var a)) return a;
        r.AddError($"'{text}' is not an IPv4 address");
        return default;
    }

    private static (Ipv4Address, int) ParseCidr(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        int slash = text.IndexOf('/');
        if (slash > 0 && Ipv4Address.TryParse(text.AsSpan(0, slash), out var a)
            && int.TryParse(text.AsSpan(slash + 1), out var prefix) && prefix is >= 1 and <= 32)
            return (a, prefix);
        r.AddError($"'{text}' is not ADDR/PREFIX (e.g. 10.7.0.2/24)");
        return default;
    }

    private static (Ipv4Address, int)? ParseEndpoint(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        int colon = text.LastIndexOf(':');
        if (colon > 0 && Ipv4Address.TryParse(text.AsSpan(0, colon), out var a)
            && int.TryParse(text.AsSpan(colon + 1), out var port) && port is > 0 and <= 65535)
            return (a, port);
        r.AddError($"'{text}' is not ADDR:PORT");
        return null;
    }

    private static int? ParsePort(ArgumentResult r)
    {
        var text = r.Tokens[0].Value;
        if (int.TryParse(text, out var port) && port is > 0 and <= 65535) return port;
        r.AddError($"'{text}' is not a port (1-65535)");
        return null;
    }

    private static MacAddress? ParseMac(ArgumentResult r)
    {
        try { return MacAddress.Parse(r.Tokens[0].Value); }
        catch (FormatException e) { r.AddError(e.Message); return null; }
    }
}
