namespace CosmosNet.Net.Tcp;

/// <summary>
/// Segment sizes: the MSS we announced, the peer's, and the path's share of the MTU — lowered by ICMP "fragmentation
/// needed" (RFC 1191 path MTU discovery). <see cref="SendMss"/> is the payload per segment we send after options.
/// </summary>
internal sealed class PathMtu
{
    private const int DefaultPeerMss = 536; // RFC 9293 3.7.1: when the peer sends no MSS option
    private const int IpAndTcpHeaders = 40;

    public PathMtu(int localMss, int pathMss)
    {
        LocalMss = localMss;
        PathMss = pathMss;
        PeerMss = DefaultPeerMss;
        SendMss = Math.Min(PeerMss, pathMss);
    }

    /// <summary>The MSS we announced: the most the peer puts in one segment.</summary>
    public int LocalMss { get; }
    /// <summary>The MSS the peer announced (data plus options must fit in it).</summary>
    public int PeerMss { get; private set; }
    /// <summary>The largest segment (data plus options) our route carries.</summary>
    public int PathMss { get; private set; }
    /// <summary>Payload bytes per segment we send.</summary>
    public int SendMss { get; private set; }

    /// <summary>The largest segment (data plus options) we may send.</summary>
    public int SegmentLimit => Math.Min(PeerMss, PathMss);

    public void PeerAnnounced(int mss) => PeerMss = mss;

    /// <summary>Recomputes <see cref="SendMss"/> for options of <paramref name="optionOverhead"/> bytes on every segment.</summary>
    public int Update(int optionOverhead) => SendMss = Math.Max(SegmentLimit - optionOverhead, 32);

    /// <summary>
    /// ICMP said a router needs a smaller MTU. Returns whether the path MSS shrank; implausibly small or growing values
    /// are ignored (an attacker could otherwise starve the connection with tiny segments).
    /// </summary>
    public bool FragmentationNeeded(int mtu)
    {
        int mss = mtu - IpAndTcpHeaders;
        if (mtu <= 0 || mss < 88 || mss >= PathMss) return false;
        PathMss = mss;
        return true;
    }
}
