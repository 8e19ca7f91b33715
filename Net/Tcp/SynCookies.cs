using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// SYN cookies: when the SYN backlog is full the listener keeps no state and encodes what it needs in the ISN of its
/// SYN-ACK; the handshake's final ACK proves the peer saw it. Layout: 5 bits of a 64-second counter, 24 bits of a keyed
/// hash of the 4-tuple, counter and peer ISN, and 3 bits indexing the peer's MSS in a table. Window scaling, SACK and
/// timestamps are not encoded, so cookie connections run without them.
/// </summary>
internal sealed class SynCookies
{
    private static readonly ushort[] MssTable = { 536, 1200, 1300, 1400, 1440, 1460, 4312, 8960 };
    private const long PeriodNs = 64_000_000_000L;

    private readonly KeyedHash _f;
    private readonly IClock _clock;

    public SynCookies(IClock clock, IRandomSource random)
    {
        _clock = clock;
        _f = new KeyedHash(random);
    }

    public SeqNum Make(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, SeqNum peerIsn, int peerMss)
    {
        uint counter = (uint)(_clock.NowNanoseconds / PeriodNs);
        int index = 0;
        for (int i = 0; i < MssTable.Length; i++) if (MssTable[i] <= peerMss) index = i;
        return new SeqNum(((counter & 0x1F) << 27) | (Mac(local, localPort, remote, remotePort, peerIsn, counter) << 3) | (uint)index);
    }

    /// <summary>Checks a cookie echoed as ACK - 1; on success yields the MSS it encoded. Cookies live 2 counter periods.</summary>
    public bool Check(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, SeqNum peerIsn, SeqNum cookie, out int mss)
    {
        mss = 0;
        uint now = (uint)(_clock.NowNanoseconds / PeriodNs);
        uint c = cookie.Value >> 27;
        for (uint age = 0; age < 2; age++)
        {
            uint counter = now - age;
            if ((counter & 0x1F) != c) continue;
            if (((cookie.Value >> 3) & 0xFFFFFF) != Mac(local, localPort, remote, remotePort, peerIsn, counter)) continue;
            mss = MssTable[cookie.Value & 7];
            return true;
        }
        return false;
    }

    private uint Mac(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, SeqNum peerIsn, uint counter) =>
        (uint)_f.Hash(_f.Hash(local, localPort, remote, remotePort, peerIsn.Value), counter) & 0xFFFFFF;
}
