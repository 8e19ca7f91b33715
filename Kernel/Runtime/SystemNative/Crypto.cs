using System.Runtime.InteropServices;
using CosmosNet.Kernel.Random;
using CosmosNet.Kernel.Runtime.Crypto;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>The libSystem.Security.Cryptography.Native (OpenSSL shim) entry points the linux-x64 BCL calls for
/// random numbers, hashing and HMAC, over the kernel's own implementations (Runtime/Crypto). There is no
/// OpenSSL: an EVP_MD* is the algorithm's number (Digest.Md5...), contexts are GC handles to a Digest/Hmac.
/// Algorithms not provided (SHA-3, SHAKE) answer null, which .NET reports as "not supported".</summary>
internal static unsafe class CryptoCalls
{
    /// <summary>RAND_bytes semantics: 1 on success.</summary>
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetRandomBytes")]
    static int GetRandomBytes(byte* buffer, int length)
    {
        if (length < 0 || (buffer == null && length != 0)) return 0;
        Entropy.Fill(buffer, length);
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EnsureOpenSslInitialized")] static int EnsureOpenSslInitialized() => 0;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrGetExceptionError")]
    static ulong ErrGetExceptionError(int* isAllocFailure)
    {
        if (isAllocFailure != null) *isAllocFailure = 0;
        return UnsupportedCryptoCalls.Take();
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetMaxMdSize")] static int GetMaxMdSize() => 64;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrErrorStringN")]
    static void ErrErrorStringN(ulong error, byte* buffer, int length)
    {
        ReadOnlySpan<byte> text = UnsupportedCryptoCalls.Describe(error);
        int n = 0;
        for (; n < text.Length && n < length - 1; n++) buffer[n] = text[n];
        if (length > 0) buffer[n] = 0;
    }

    // EVP_MD* values: the algorithm numbers.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpMd5")] static nint EvpMd5() => Digest.Md5;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha1")] static nint EvpSha1() => Digest.Sha1;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha256")] static nint EvpSha256() => Digest.Sha256;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha384")] static nint EvpSha384() => Digest.Sha384;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha512")] static nint EvpSha512() => Digest.Sha512;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha3_256")] static nint EvpSha3_256() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha3_384")] static nint EvpSha3_384() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpSha3_512")] static nint EvpSha3_512() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpShake128")] static nint EvpShake128() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpShake256")] static nint EvpShake256() => 0;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpMdSize")]
    static int EvpMdSize(nint md) => Digest.Create((int)md)?.Size ?? 0;

    static nint NewHandle(object o) => GCHandle.ToIntPtr(GCHandle.Alloc(o));
    static T? Target<T>(nint handle) where T : class => handle == 0 ? null : GCHandle.FromIntPtr(handle).Target as T;
    static void FreeHandle(nint handle) { if (handle != 0) GCHandle.FromIntPtr(handle).Free(); }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpMdCtxCreate")]
    static nint EvpMdCtxCreate(nint md) => Digest.Create((int)md) is { } d ? NewHandle(d) : 0;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpMdCtxDestroy")] static void EvpMdCtxDestroy(nint ctx) => FreeHandle(ctx);

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpMdCtxCopyEx")]
    static nint EvpMdCtxCopyEx(nint ctx) => Target<Digest>(ctx) is { } d ? NewHandle(d.Clone()) : 0;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDigestReset")]
    static int EvpDigestReset(nint ctx, nint md)
    {
        if (Target<Digest>(ctx) is not { } d) return 0;
        d.Reset();
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDigestUpdate")]
    static int EvpDigestUpdate(nint ctx, byte* data, int count)
    {
        if (Target<Digest>(ctx) is not { } d || count < 0) return 0;
        d.Update(new ReadOnlySpan<byte>(data, count));
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDigestFinalEx")]
    static int EvpDigestFinalEx(nint ctx, byte* md, uint* size)
    {
        if (Target<Digest>(ctx) is not { } d) return 0;
        d.Final(new Span<byte>(md, d.Size));
        if (size != null) *size = (uint)d.Size;
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDigestCurrent")]
    static int EvpDigestCurrent(nint ctx, byte* md, uint* size)
    {
        if (Target<Digest>(ctx) is not { } d) return 0;
        d.Clone().Final(new Span<byte>(md, d.Size));
        if (size != null) *size = (uint)d.Size;
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDigestOneShot")]
    static int EvpDigestOneShot(nint md, byte* source, int sourceSize, byte* output, uint* outputSize)
    {
        if (Digest.Create((int)md) is not { } d || sourceSize < 0) return 0;
        d.Update(new ReadOnlySpan<byte>(source, sourceSize));
        d.Final(new Span<byte>(output, d.Size));
        if (outputSize != null) *outputSize = (uint)d.Size;
        return 1;
    }

    static Hmac? NewHmac(nint md, byte* key, int keyLength)
    {
        if (keyLength < 0 || Digest.Create((int)md) is not { } inner) return null;
        return new Hmac(inner, Digest.Create((int)md)!, new ReadOnlySpan<byte>(key, keyLength));
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacCreate")]
    static nint HmacCreate(byte* key, int keyLength, nint md) => NewHmac(md, key, keyLength) is { } h ? NewHandle(h) : 0;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacDestroy")] static void HmacDestroy(nint ctx) => FreeHandle(ctx);

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacReset")]
    static int HmacReset(nint ctx)
    {
        if (Target<Hmac>(ctx) is not { } h) return 0;
        h.Reset();
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacUpdate")]
    static int HmacUpdate(nint ctx, byte* data, int length)
    {
        if (Target<Hmac>(ctx) is not { } h || length < 0) return 0;
        h.Update(new ReadOnlySpan<byte>(data, length));
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacFinal")]
    static int HmacFinal(nint ctx, byte* md, int* length)
    {
        if (Target<Hmac>(ctx) is not { } h) return 0;
        h.Final(new Span<byte>(md, h.Size));
        *length = h.Size;
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacCurrent")]
    static int HmacCurrent(nint ctx, byte* md, int* length)
    {
        if (Target<Hmac>(ctx) is not { } h) return 0;
        h.Current(new Span<byte>(md, h.Size));
        *length = h.Size;
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_HmacOneShot")]
    static int HmacOneShot(nint md, byte* key, int keyLength, byte* source, int sourceLength, byte* output, int* outputLength)
    {
        if (NewHmac(md, key, keyLength) is not { } h || sourceLength < 0) return 0;
        h.Update(new ReadOnlySpan<byte>(source, sourceLength));
        h.Final(new Span<byte>(output, h.Size));
        *outputLength = h.Size;
        return 1;
    }

    /// <summary>PBKDF2 (RFC 8018, 5.2) with HMAC over the given digest (Rfc2898DeriveBytes): block i is
    /// U1 ^ U2 ^ ... ^ Uc with U1 = HMAC(P, S || INT(i)) and Uj = HMAC(P, Uj-1). 1 on success, 0 for an unknown digest,
    /// -1 for invalid arguments.</summary>
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Pbkdf2")]
    static int Pbkdf2(byte* password, int passwordLength, byte* salt, int saltLength, int iterations, nint md, byte* destination, int destinationLength)
    {
        if (passwordLength < 0 || saltLength < 0 || iterations <= 0 || destinationLength < 0 || (destination == null && destinationLength != 0)) return -1;
        if (NewHmac(md, password, passwordLength) is not { } hmac) return 0;
        Span<byte> u = stackalloc byte[64], block = stackalloc byte[64], index = stackalloc byte[4];
        int size = hmac.Size;
        for (int at = 0, i = 1; at < destinationLength; at += size, i++)
        {
            index[0] = (byte)(i >> 24); index[1] = (byte)(i >> 16); index[2] = (byte)(i >> 8); index[3] = (byte)i;
            hmac.Update(new ReadOnlySpan<byte>(salt, saltLength));
            hmac.Update(index);
            hmac.Final(u[..size]);
            u[..size].CopyTo(block);
            for (int j = 1; j < iterations; j++)
            {
                hmac.Update(u[..size]);
                hmac.Final(u[..size]);
                for (int k = 0; k < size; k++) block[k] ^= u[k];
            }
            block[..Math.Min(size, destinationLength - at)].CopyTo(new Span<byte>(destination + at, Math.Min(size, destinationLength - at)));
        }
        return 1;
    }
}
