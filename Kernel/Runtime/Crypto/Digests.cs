using System.Buffers.Binary;
using System.Numerics;

namespace CosmosNet.Kernel.Runtime.Crypto;

/// <summary>A message digest (FIPS 180-4 SHA-1/SHA-256/SHA-384/SHA-512, RFC 1321 MD5) over the usual
/// Merkle-Damgard frame: buffer to whole blocks, then pad with 0x80, zeros and the bit length.</summary>
internal abstract class Digest
{
    byte[] _block;
    int _filled;
    ulong _length; // bytes so far

    protected Digest(int blockSize) => _block = new byte[blockSize];

    public abstract int Size { get; }
    public int BlockSize => _block.Length;
    protected abstract void Compress(ReadOnlySpan<byte> block);
    protected abstract void Initialize();
    protected abstract void WriteState(Span<byte> output);
    protected virtual bool LittleEndianLength => false;
    protected virtual int LengthBytes => 8;

    public void Reset() { _filled = 0; _length = 0; Initialize(); }

    public void Update(ReadOnlySpan<byte> data)
    {
        _length += (ulong)data.Length;
        if (_filled > 0)
        {
            int take = Math.Min(data.Length, _block.Length - _filled);
            data[..take].CopyTo(_block.AsSpan(_filled));
            _filled += take;
            data = data[take..];
            if (_filled < _block.Length) return;
            Compress(_block);
            _filled = 0;
        }
        while (data.Length >= _block.Length) { Compress(data[.._block.Length]); data = data[_block.Length..]; }
        data.CopyTo(_block);
        _filled = data.Length;
    }

    /// <summary>Writes the digest and resets for the next message.</summary>
    public void Final(Span<byte> output)
    {
        ulong bits = _length * 8;
        Span<byte> pad = stackalloc byte[_block.Length * 2];
        pad.Clear();
        pad[0] = 0x80;
        int padLength = _block.Length - (_filled + LengthBytes) % _block.Length;
        if (padLength <= 0) padLength += _block.Length;
        int lengthAt = padLength + LengthBytes - 8;
        if (LittleEndianLength) BinaryPrimitives.WriteUInt64LittleEndian(pad[lengthAt..], bits);
        else BinaryPrimitives.WriteUInt64BigEndian(pad[lengthAt..], bits);
        Update(pad[..(padLength + LengthBytes)]);
        WriteState(output[..Size]);
        Reset();
    }

    /// <summary>An independent copy mid-message (the hash "so far" without disturbing this one).</summary>
    public Digest Clone()
    {
        var copy = (Digest)MemberwiseClone();
        copy._block = (byte[])_block.Clone();
        copy.CloneState();
        return copy;
    }

    // MemberwiseClone shares arrays: each digest copies its chaining state.
    protected abstract void CloneState();

    public static Digest? Create(int algorithm) => algorithm switch
    {
        Md5 => new Md5Digest(),
        Sha1 => new Sha1Digest(),
        Sha256 => new Sha256Digest(),
        Sha384 => new Sha512Digest(is384: true),
        Sha512 => new Sha512Digest(is384: false),
        _ => null,
    };

    public const int Md5 = 1, Sha1 = 2, Sha256 = 3, Sha384 = 4, Sha512 = 5;
}

internal sealed class Md5Digest : Digest
{
    uint[] _h = new uint[4];
    public Md5Digest() : base(64) => Reset();
    public override int Size => 16;
    protected override bool LittleEndianLength => true;
    protected override void Initialize() { _h[0] = 0x67452301; _h[1] = 0xefcdab89; _h[2] = 0x98badcfe; _h[3] = 0x10325476; }

    static ReadOnlySpan<byte> Shifts => [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

    protected override void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> m = stackalloc uint[16];
        for (int i = 0; i < 16; i++) m[i] = BinaryPrimitives.ReadUInt32LittleEndian(block[(i * 4)..]);
        uint a = _h[0], b = _h[1], c = _h[2], d = _h[3];
        for (int i = 0; i < 64; i++)
        {
            uint f; int g;
            switch (i >> 4)
            {
                case 0: f = (b & c) | (~b & d); g = i; break;
                case 1: f = (d & b) | (~d & c); g = (5 * i + 1) & 15; break;
                case 2: f = b ^ c ^ d; g = (3 * i + 5) & 15; break;
                default: f = c ^ (b | ~d); g = (7 * i) & 15; break;
            }
            uint t = d;
            d = c;
            c = b;
            b += BitOperations.RotateLeft(a + f + Md5K[i] + m[g], Shifts[(i >> 4) * 4 + (i & 3)]);
            a = t;
        }
        _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d;
    }

    protected override void WriteState(Span<byte> output) { for (int i = 0; i < 4; i++) BinaryPrimitives.WriteUInt32LittleEndian(output[(i * 4)..], _h[i]); }
    protected override void CloneState() => _h = (uint[])_h.Clone();


    static ReadOnlySpan<uint> Md5K => [
        0xd76aa478u, 0xe8c7b756u, 0x242070dbu, 0xc1bdceeeu, 0xf57c0fafu, 0x4787c62au, 0xa8304613u, 0xfd469501u,
        0x698098d8u, 0x8b44f7afu, 0xffff5bb1u, 0x895cd7beu, 0x6b901122u, 0xfd987193u, 0xa679438eu, 0x49b40821u,
        0xf61e2562u, 0xc040b340u, 0x265e5a51u, 0xe9b6c7aau, 0xd62f105du, 0x02441453u, 0xd8a1e681u, 0xe7d3fbc8u,
        0x21e1cde6u, 0xc33707d6u, 0xf4d50d87u, 0x455a14edu, 0xa9e3e905u, 0xfcefa3f8u, 0x676f02d9u, 0x8d2a4c8au,
        0xfffa3942u, 0x8771f681u, 0x6d9d6122u, 0xfde5380cu, 0xa4beea44u, 0x4bdecfa9u, 0xf6bb4b60u, 0xbebfbc70u,
        0x289b7ec6u, 0xeaa127fau, 0xd4ef3085u, 0x04881d05u, 0xd9d4d039u, 0xe6db99e5u, 0x1fa27cf8u, 0xc4ac5665u,
        0xf4292244u, 0x432aff97u, 0xab9423a7u, 0xfc93a039u, 0x655b59c3u, 0x8f0ccc92u, 0xffeff47du, 0x85845dd1u,
        0x6fa87e4fu, 0xfe2ce6e0u, 0xa3014314u, 0x4e0811a1u, 0xf7537e82u, 0xbd3af235u, 0x2ad7d2bbu, 0xeb86d391u,
        ];
}

internal sealed class Sha1Digest : Digest
{
    uint[] _h = new uint[5];
    public Sha1Digest() : base(64) => Reset();
    public override int Size => 20;
    protected override void Initialize() { _h[0] = 0x67452301; _h[1] = 0xEFCDAB89; _h[2] = 0x98BADCFE; _h[3] = 0x10325476; _h[4] = 0xC3D2E1F0; }

    protected override void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[80];
        for (int i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (int i = 16; i < 80; i++) w[i] = BitOperations.RotateLeft(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
        uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4];
        for (int i = 0; i < 80; i++)
        {
            uint f, k;
            if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
            else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
            else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
            else { f = b ^ c ^ d; k = 0xCA62C1D6; }
            uint t = BitOperations.RotateLeft(a, 5) + f + e + k + w[i];
            e = d; d = c; c = BitOperations.RotateLeft(b, 30); b = a; a = t;
        }
        _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d; _h[4] += e;
    }

    protected override void WriteState(Span<byte> output) { for (int i = 0; i < 5; i++) BinaryPrimitives.WriteUInt32BigEndian(output[(i * 4)..], _h[i]); }
    protected override void CloneState() => _h = (uint[])_h.Clone();
}

internal sealed class Sha256Digest : Digest
{
    uint[] _h = new uint[8];
    public Sha256Digest() : base(64) => Reset();
    public override int Size => 32;
    protected override void Initialize() => H256.CopyTo(_h);

    protected override void Compress(ReadOnlySpan<byte> block)
    {
        Span<uint> w = stackalloc uint[64];
        for (int i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt32BigEndian(block[(i * 4)..]);
        for (int i = 16; i < 64; i++)
        {
            uint s0 = BitOperations.RotateRight(w[i - 15], 7) ^ BitOperations.RotateRight(w[i - 15], 18) ^ (w[i - 15] >> 3);
            uint s1 = BitOperations.RotateRight(w[i - 2], 17) ^ BitOperations.RotateRight(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];
        for (int i = 0; i < 64; i++)
        {
            uint t1 = h + (BitOperations.RotateRight(e, 6) ^ BitOperations.RotateRight(e, 11) ^ BitOperations.RotateRight(e, 25)) + ((e & f) ^ (~e & g)) + K256[i] + w[i];
            uint t2 = (BitOperations.RotateRight(a, 2) ^ BitOperations.RotateRight(a, 13) ^ BitOperations.RotateRight(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d; _h[4] += e; _h[5] += f; _h[6] += g; _h[7] += h;
    }

    protected override void WriteState(Span<byte> output) { for (int i = 0; i < 8; i++) BinaryPrimitives.WriteUInt32BigEndian(output[(i * 4)..], _h[i]); }
    protected override void CloneState() => _h = (uint[])_h.Clone();


    static ReadOnlySpan<uint> K256 => [
        0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
        0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
        0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
        0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
        0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
        0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
        0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
        0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
        ];
    static ReadOnlySpan<uint> H256 => [
        0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
        ];
}

/// <summary>SHA-512, and SHA-384 (other initial values, output cut to 48 bytes).</summary>
internal sealed class Sha512Digest : Digest
{
    readonly bool _is384;
    ulong[] _h = new ulong[8];
    public Sha512Digest(bool is384) : base(128) { _is384 = is384; Reset(); }
    public override int Size => _is384 ? 48 : 64;
    protected override int LengthBytes => 16; // a 128-bit length; the upper half is always zero here
    protected override void Initialize() => (_is384 ? H384 : H512).CopyTo(_h);

    protected override void Compress(ReadOnlySpan<byte> block)
    {
        Span<ulong> w = stackalloc ulong[80];
        for (int i = 0; i < 16; i++) w[i] = BinaryPrimitives.ReadUInt64BigEndian(block[(i * 8)..]);
        for (int i = 16; i < 80; i++)
        {
            ulong s0 = BitOperations.RotateRight(w[i - 15], 1) ^ BitOperations.RotateRight(w[i - 15], 8) ^ (w[i - 15] >> 7);
            ulong s1 = BitOperations.RotateRight(w[i - 2], 19) ^ BitOperations.RotateRight(w[i - 2], 61) ^ (w[i - 2] >> 6);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        ulong a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];
        for (int i = 0; i < 80; i++)
        {
            ulong t1 = h + (BitOperations.RotateRight(e, 14) ^ BitOperations.RotateRight(e, 18) ^ BitOperations.RotateRight(e, 41)) + ((e & f) ^ (~e & g)) + K512[i] + w[i];
            ulong t2 = (BitOperations.RotateRight(a, 28) ^ BitOperations.RotateRight(a, 34) ^ BitOperations.RotateRight(a, 39)) + ((a & b) ^ (a & c) ^ (b & c));
            h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
        }
        _h[0] += a; _h[1] += b; _h[2] += c; _h[3] += d; _h[4] += e; _h[5] += f; _h[6] += g; _h[7] += h;
    }

    protected override void WriteState(Span<byte> output) { for (int i = 0; i < Size / 8; i++) BinaryPrimitives.WriteUInt64BigEndian(output[(i * 8)..], _h[i]); }
    protected override void CloneState() => _h = (ulong[])_h.Clone();


    static ReadOnlySpan<ulong> K512 => [
        0x428a2f98d728ae22UL, 0x7137449123ef65cdUL, 0xb5c0fbcfec4d3b2fUL, 0xe9b5dba58189dbbcUL,
        0x3956c25bf348b538UL, 0x59f111f1b605d019UL, 0x923f82a4af194f9bUL, 0xab1c5ed5da6d8118UL,
        0xd807aa98a3030242UL, 0x12835b0145706fbeUL, 0x243185be4ee4b28cUL, 0x550c7dc3d5ffb4e2UL,
        0x72be5d74f27b896fUL, 0x80deb1fe3b1696b1UL, 0x9bdc06a725c71235UL, 0xc19bf174cf692694UL,
        0xe49b69c19ef14ad2UL, 0xefbe4786384f25e3UL, 0x0fc19dc68b8cd5b5UL, 0x240ca1cc77ac9c65UL,
        0x2de92c6f592b0275UL, 0x4a7484aa6ea6e483UL, 0x5cb0a9dcbd41fbd4UL, 0x76f988da831153b5UL,
        0x983e5152ee66dfabUL, 0xa831c66d2db43210UL, 0xb00327c898fb213fUL, 0xbf597fc7beef0ee4UL,
        0xc6e00bf33da88fc2UL, 0xd5a79147930aa725UL, 0x06ca6351e003826fUL, 0x142929670a0e6e70UL,
        0x27b70a8546d22ffcUL, 0x2e1b21385c26c926UL, 0x4d2c6dfc5ac42aedUL, 0x53380d139d95b3dfUL,
        0x650a73548baf63deUL, 0x766a0abb3c77b2a8UL, 0x81c2c92e47edaee6UL, 0x92722c851482353bUL,
        0xa2bfe8a14cf10364UL, 0xa81a664bbc423001UL, 0xc24b8b70d0f89791UL, 0xc76c51a30654be30UL,
        0xd192e819d6ef5218UL, 0xd69906245565a910UL, 0xf40e35855771202aUL, 0x106aa07032bbd1b8UL,
        0x19a4c116b8d2d0c8UL, 0x1e376c085141ab53UL, 0x2748774cdf8eeb99UL, 0x34b0bcb5e19b48a8UL,
        0x391c0cb3c5c95a63UL, 0x4ed8aa4ae3418acbUL, 0x5b9cca4f7763e373UL, 0x682e6ff3d6b2b8a3UL,
        0x748f82ee5defb2fcUL, 0x78a5636f43172f60UL, 0x84c87814a1f0ab72UL, 0x8cc702081a6439ecUL,
        0x90befffa23631e28UL, 0xa4506cebde82bde9UL, 0xbef9a3f7b2c67915UL, 0xc67178f2e372532bUL,
        0xca273eceea26619cUL, 0xd186b8c721c0c207UL, 0xeada7dd6cde0eb1eUL, 0xf57d4f7fee6ed178UL,
        0x06f067aa72176fbaUL, 0x0a637dc5a2c898a6UL, 0x113f9804bef90daeUL, 0x1b710b35131c471bUL,
        0x28db77f523047d84UL, 0x32caab7b40c72493UL, 0x3c9ebe0a15c9bebcUL, 0x431d67c49c100d4cUL,
        0x4cc5d4becb3e42b6UL, 0x597f299cfc657e2aUL, 0x5fcb6fab3ad6faecUL, 0x6c44198c4a475817UL,
        ];
    static ReadOnlySpan<ulong> H512 => [
        0x6a09e667f3bcc908UL, 0xbb67ae8584caa73bUL, 0x3c6ef372fe94f82bUL, 0xa54ff53a5f1d36f1UL,
        0x510e527fade682d1UL, 0x9b05688c2b3e6c1fUL, 0x1f83d9abfb41bd6bUL, 0x5be0cd19137e2179UL,
        ];
    static ReadOnlySpan<ulong> H384 => [
        0xcbbb9d5dc1059ed8UL, 0x629a292a367cd507UL, 0x9159015a3070dd17UL, 0x152fecd8f70e5939UL,
        0x67332667ffc00b31UL, 0x8eb44a8768581511UL, 0xdb0c2e0d64f98fa7UL, 0x47b5481dbefa4fa4UL,
        ];
}
