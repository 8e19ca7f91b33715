using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// Local ports for active opens, chosen by RFC 6056 Algorithm 3 ("simple hash-based"): the search starts at an offset
/// that depends on the destination through a keyed hash, plus a counter, so ports are unpredictable off-path while
/// reuse of a port towards one destination is rare.
/// </summary>
internal sealed class EphemeralPorts
{
    private readonly KeyedHash _f;
    private readonly ushort _first;
    private readonly int _count;
    private uint _next;

    public EphemeralPorts(IRandomSource random, ushort first, ushort last)
    {
        _f = new KeyedHash(random);
        _first = first;
        _count = last - first + 1;
        Span<byte> b = stackalloc byte[4];
        random.Fill(b);
        _next = BitConverter.ToUInt32(b);
    }

    /// <summary>Finds a port for which <paramref name="inUse"/> is false; false when the whole range is taken.</summary>
    public bool TryAllocate(Ipv4Address local, Ipv4Address remote, ushort remotePort, Func<ushort, bool> inUse, out ushort port)
    {
        uint offset = (uint)_f.Hash(local, 0, remote, remotePort);
        for (int i = 0; i < _count; i++)
        {
            port = (ushort)(_first + (offset + _next + (uint)i) % (uint)_count);
            if (!inUse(port))
            {
                _next += (uint)i + 1;
                return true;
            }
        }
        port = 0;
        return false;
    }
}
