using System.Runtime.InteropServices;
using CosmosNet.Kernel.Random;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>The few libSystem.Security.Cryptography.Native (OpenSSL shim) entry points that
/// RandomNumberGenerator reaches: random bytes come from the kernel CSPRNG; there is no OpenSSL.</summary>
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
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrGetExceptionError")] static ulong ErrGetExceptionError(int* isAllocFailure) { if (isAllocFailure != null) *isAllocFailure = 0; return 0; }
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetMaxMdSize")] static int GetMaxMdSize() => 64;

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrErrorStringN")]
    static void ErrErrorStringN(ulong error, byte* buffer, int length)
    {
        ReadOnlySpan<byte> text = "no OpenSSL in the kernel"u8;
        int n = 0;
        for (; n < text.Length && n < length - 1; n++) buffer[n] = text[n];
        if (length > 0) buffer[n] = 0;
    }
}
