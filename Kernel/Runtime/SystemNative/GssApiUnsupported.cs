using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>libSystem.Net.Security.Native's GSSAPI entry points (Negotiate/Kerberos/NTLM authentication, which
/// HttpClient links): there is no GSSAPI library, as on a Linux machine without libgssapi_krb5. Initialisation fails,
/// so CoreLib's first use of Negotiate throws; NTLM reports "not installed". Like CryptoUnsupported.cs, the entry
/// points ignore their arguments (System V: the caller owns them) and return a GSS major status: GSS_S_UNAVAILABLE.</summary>
internal static class GssApiUnsupportedCalls
{
    const uint Unavailable = 16u << 16;   // GSS_S_UNAVAILABLE

    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_EnsureGssInitialized")] static int EnsureGssInitialized() => -1;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_IsNtlmInstalled")] static int IsNtlmInstalled() => 0;

    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_AcceptSecContext")] static uint AcceptSecContext() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_DisplayMajorStatus")] static uint DisplayMajorStatus() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_DisplayMinorStatus")] static uint DisplayMinorStatus() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_ImportPrincipalName")] static uint ImportPrincipalName() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_ImportUserName")] static uint ImportUserName() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_InitSecContext")] static uint InitSecContext() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_InitSecContextEx")] static uint InitSecContextEx() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_InitiateCredSpNego")] static uint InitiateCredSpNego() => Unavailable;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_InitiateCredWithPassword")] static uint InitiateCredWithPassword() => Unavailable;

    // Releasing: no credential, name, context or buffer ever exists; nothing to do (GSS_S_COMPLETE).
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_DeleteSecContext")] static uint DeleteSecContext() => 0;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_ReleaseCred")] static uint ReleaseCred() => 0;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_ReleaseName")] static uint ReleaseName() => 0;
    [UnmanagedCallersOnly(EntryPoint = "NetSecurityNative_ReleaseGssBuffer")] static void ReleaseGssBuffer() { }
}
