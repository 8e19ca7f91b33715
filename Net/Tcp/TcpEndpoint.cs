using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>An IPv4 address and TCP port: the remote end of a flow (Mirage's <c>ipaddr * int</c>).</summary>
public readonly record struct TcpEndpoint(Ipv4Address Address, ushort Port)
{
    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>The key of the connection table: both ends of a connection.</summary>
internal readonly record struct TcpTuple(Ipv4Address LocalAddress, ushort LocalPort, Ipv4Address RemoteAddress, ushort RemotePort)
{
    public override string ToString() => $"{LocalAddress}:{LocalPort}<->{RemoteAddress}:{RemotePort}";
}

/// <summary>
/// What a listening port does with a new connection (Mirage's <c>listener</c>): apply <paramref name="Keepalive"/>,
/// then call <paramref name="Process"/> with the established flow.
/// </summary>
public sealed record TcpListener(Func<TcpFlow, Task> Process, Keepalive? Keepalive = null);
