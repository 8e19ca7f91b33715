using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// RFC 6528 initial sequence numbers: ISN = M + F(local address, local port, remote address, remote port, secret),
/// where M ticks every 4 microseconds. Each connection's ISN stream is monotonic but unguessable from others.
/// </summary>
internal sealed class InitialSequenceNumbers
{
    private readonly KeyedHash _f;
    private readonly IClock _clock;

    public InitialSequenceNumbers(IClock clock, IRandomSource random)
    {
        _clock = clock;
        _f = new KeyedHash(random);
    }

    public SeqNum Next(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort) =>
        new((uint)(_clock.NowNanoseconds / 4000) + (uint)_f.Hash(local, localPort, remote, remotePort));
}
