using System.Buffers.Binary;
using System.Numerics;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// SipHash-2-4 of two 64-bit words under a random 128-bit key: the keyed pseudo-random function F of RFC 6528 (ISNs),
/// RFC 6056 (ephemeral ports) and SYN cookies. Unpredictable to anyone without the key, cheap, and allocation-free.
/// </summary>
internal readonly struct KeyedHash
{
    private readonly ulong _k0, _k1;

    public KeyedHash(IRandomSource random)
    {
        Span<byte> key = stackalloc byte[16];
        random.Fill(key);
        _k0 = BinaryPrimitives.ReadUInt64LittleEndian(key);
        _k1 = BinaryPrimitives.ReadUInt64LittleEndian(key[8..]);
    }

    /// <summary>Packs a connection's addresses and ports (plus <paramref name="extra"/>) and hashes them.</summary>
    public ulong Hash(Ipv4Address local, ushort localPort, Ipv4Address remote, ushort remotePort, uint extra = 0) =>
        Hash(((ulong)local.Value << 32) | remote.Value, ((ulong)localPort << 48) | ((ulong)remotePort << 32) | extra);

    public ulong Hash(ulong m0, ulong m1)
    {
        ulong v0 = _k0 ^ 0x736f6d6570736575UL, v1 = _k1 ^ 0x646f72616e646f6dUL;
        ulong v2 = _k0 ^ 0x6c7967656e657261UL, v3 = _k1 ^ 0x7465646279746573UL;
        Compress(ref v0, ref v1, ref v2, ref v3, m0);
        Compress(ref v0, ref v1, ref v2, ref v3, m1);
        Compress(ref v0, ref v1, ref v2, ref v3, 16UL << 56); // final block: message length 16, no tail bytes
        v2 ^= 0xff;
        for (int i = 0; i < 4; i++) Round(ref v0, ref v1, ref v2, ref v3);
        return v0 ^ v1 ^ v2 ^ v3;
    }

    private static void Compress(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3, ulong m)
    {
        v3 ^= m;
        Round(ref v0, ref v1, ref v2, ref v3);
        Round(ref v0, ref v1, ref v2, ref v3);
        v0 ^= m;
    }

    private static void Round(ref ulong v0, ref ulong v1, ref ulong v2, ref ulong v3)
    {
        v0 += v1; v1 = BitOperations.RotateLeft(v1, 13); v1 ^= v0; v0 = BitOperations.RotateLeft(v0, 32);
        v2 += v3; v3 = BitOperations.RotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = BitOperations.RotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = BitOperations.RotateLeft(v1, 17); v1 ^= v2; v2 = BitOperations.RotateLeft(v2, 32);
    }
}
