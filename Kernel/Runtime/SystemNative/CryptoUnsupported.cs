using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>The OpenSSL shim entry points of what the kernel does not provide: ciphers, public-key algorithms,
/// X.509 certificates, TLS (SslStream; HttpClient links them, and works for http:// without them). Each fails the way the shim fails when OpenSSL cannot do something: a null handle or 0,
/// with an error on the error queue. CoreLib turns that into a CryptographicException whose message names what
/// is missing (<see cref="Describe"/>); the AEAD ciphers (AesGcm, AesCcm, ChaCha20Poly1305) see "no OpenSSL"
/// and throw PlatformNotSupportedException, as .NET on Linux does without libssl.
/// The entry points take no parameters on purpose: under the System V x86-64 convention the caller passes
/// arguments in registers and on its own stack, so a callee that ignores them may omit them, and every one of
/// these answers the same 0 whatever it was given (0 = failure, null handle, "not found", or nothing for void).</summary>
internal static class UnsupportedCryptoCalls
{
    /// <summary>The error codes this file puts on the (one, kernel-wide) error queue.</summary>
    const ulong Cipher = 1, PublicKey = 2, Certificate = 3, Tls = 4;

    static ulong pending;

    static nint Fail(ulong error)
    {
        pending = error;
        return 0;
    }

    /// <summary>ERR_get_error: the pending error, removed from the queue (0 = none).</summary>
    internal static ulong Take()
    {
        ulong error = pending;
        pending = 0;
        return error;
    }

    /// <summary>ERR_error_string_n's text for an error code from <see cref="Take"/>.</summary>
    internal static ReadOnlySpan<byte> Describe(ulong error) => error switch
    {
        Cipher => "CosmosNet provides no ciphers (AES, DES, 3DES, RC2, ChaCha20): only hashing, HMAC and random numbers"u8,
        PublicKey => "CosmosNet provides no public-key algorithms (RSA, DSA, ECDSA, ECDH, ML-KEM, ML-DSA, SLH-DSA): only hashing, HMAC and random numbers"u8,
        Certificate => "CosmosNet provides no X.509 certificates, PKCS#7 or ASN.1 objects: only hashing, HMAC and random numbers"u8,
        Tls => "CosmosNet provides no TLS (SslStream, https): only hashing, HMAC and random numbers"u8,
        _ => "no OpenSSL in the kernel"u8,
    };

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrClearError")] static void ErrClearError() => pending = 0;

    /// <summary>ERR_peek_error / ERR_peek_last_error: the pending error, left on the queue (it holds one).</summary>
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrPeekError")] static ulong ErrPeekError() => pending;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrPeekLastError")] static ulong ErrPeekLastError() => pending;
    /// <summary>ERR_reason_error_string: none (CoreLib then uses ERR_error_string_n's text, <see cref="Describe"/>).</summary>
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrReasonErrorString")] static nint ErrReasonErrorString() => 0;

    // Questions with a "no" answer rather than an error: no OpenSSL (so AesGcm, AesCcm, ChaCha20Poly1305 report
    // IsSupported == false), no such algorithm, no OpenSSL name for an OID (CoreLib's own table answers first).
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_OpenSslAvailable")] static nint OpenSslAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_IsSignatureAlgorithmAvailable")] static nint IsSignatureAlgorithmAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemAvailable")] static nint EvpKemAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_LookupFriendlyNameByOid")] static nint LookupFriendlyNameByOid() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetObjectDefinitionByName")] static nint GetObjectDefinitionByName() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_RegisterLegacyAlgorithms")] static nint RegisterLegacyAlgorithms() => 0;
    // ... no TLS 1.3, no OpenSSL version, no renegotiation or reused session, no root store, no signature list;
    // initialising libssl has nothing to do (the first SSL_CTX fails below).
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EnsureLibSslInitialized")] static nint EnsureLibSslInitialized() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetDefaultSignatureAlgorithms")] static nint GetDefaultSignatureAlgorithms() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509RootStoreFile")] static nint GetX509RootStoreFile() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509RootStorePath")] static nint GetX509RootStorePath() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_IsSslRenegotiatePending")] static nint IsSslRenegotiatePending() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ObjTxt2Nid")] static nint ObjTxt2Nid() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_OpenSslVersionNumber")] static nint OpenSslVersionNumber() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSessionReused")] static nint SslSessionReused() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Tls13Supported")] static nint Tls13Supported() => 0;

    // Ciphers: no EVP_CIPHER exists, so no context can be created.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes128Cbc")] static nint EvpAes128Cbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes128Cfb128")] static nint EvpAes128Cfb128() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes128Cfb8")] static nint EvpAes128Cfb8() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes128Ecb")] static nint EvpAes128Ecb() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes128Gcm")] static nint EvpAes128Gcm() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes192Cbc")] static nint EvpAes192Cbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes192Cfb128")] static nint EvpAes192Cfb128() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes192Cfb8")] static nint EvpAes192Cfb8() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes192Ecb")] static nint EvpAes192Ecb() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes192Gcm")] static nint EvpAes192Gcm() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes256Cbc")] static nint EvpAes256Cbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes256Cfb128")] static nint EvpAes256Cfb128() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes256Cfb8")] static nint EvpAes256Cfb8() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes256Ecb")] static nint EvpAes256Ecb() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpAes256Gcm")] static nint EvpAes256Gcm() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpChaCha20Poly1305")] static nint EvpChaCha20Poly1305() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherCreate2")] static nint EvpCipherCreate2() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherCreatePartial")] static nint EvpCipherCreatePartial() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherCtxSetPadding")] static nint EvpCipherCtxSetPadding() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherFinalEx")] static nint EvpCipherFinalEx() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherReset")] static nint EvpCipherReset() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherSetGcmNonceLength")] static nint EvpCipherSetGcmNonceLength() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherSetKeyAndIV")] static nint EvpCipherSetKeyAndIV() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherUpdate")] static nint EvpCipherUpdate() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDes3Cbc")] static nint EvpDes3Cbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDes3Cfb64")] static nint EvpDes3Cfb64() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDes3Cfb8")] static nint EvpDes3Cfb8() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDes3Ecb")] static nint EvpDes3Ecb() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDesCbc")] static nint EvpDesCbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDesCfb8")] static nint EvpDesCfb8() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpDesEcb")] static nint EvpDesEcb() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpRC2Cbc")] static nint EvpRC2Cbc() => Fail(Cipher);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpRC2Ecb")] static nint EvpRC2Ecb() => Fail(Cipher);

    // TLS: no SSL_CTX or SSL exists, so SslStream's handshake fails with the Tls message (HttpClient: https:// fails,
    // http:// works).
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslAddClientCAs")] static nint SslAddClientCAs() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslAddExtraChainCert")] static nint SslAddExtraChainCert() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCreate")] static nint SslCreate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxAddExtraChainCert")] static nint SslCtxAddExtraChainCert() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxCheckPrivateKey")] static nint SslCtxCheckPrivateKey() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxCreate")] static nint SslCtxCreate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxGetData")] static nint SslCtxGetData() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxRemoveSession")] static nint SslCtxRemoveSession() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetAlpnSelectCb")] static nint SslCtxSetAlpnSelectCb() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetCaching")] static nint SslCtxSetCaching() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetCiphers")] static nint SslCtxSetCiphers() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetData")] static nint SslCtxSetData() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetDefaultOcspCallback")] static nint SslCtxSetDefaultOcspCallback() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetEncryptionPolicy")] static nint SslCtxSetEncryptionPolicy() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetKeylogCallback")] static nint SslCtxSetKeylogCallback() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetProtocolOptions")] static nint SslCtxSetProtocolOptions() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxSetQuietShutdown")] static nint SslCtxSetQuietShutdown() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxUseCertificate")] static nint SslCtxUseCertificate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxUsePrivateKey")] static nint SslCtxUsePrivateKey() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslDoHandshake")] static nint SslDoHandshake() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGet0AlpnSelected")] static nint SslGet0AlpnSelected() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetCertificate")] static nint SslGetCertificate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetClientCAList")] static nint SslGetClientCAList() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetCurrentCipherId")] static nint SslGetCurrentCipherId() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetData")] static nint SslGetData() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetFinished")] static nint SslGetFinished() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetPeerCertChain")] static nint SslGetPeerCertChain() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetPeerCertificate")] static nint SslGetPeerCertificate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetPeerFinished")] static nint SslGetPeerFinished() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetServerName")] static nint SslGetServerName() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslGetVersion")] static nint SslGetVersion() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslRead")] static nint SslRead() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSessionGetHostname")] static nint SslSessionGetHostname() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSessionSetData")] static nint SslSessionSetData() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSessionSetHostname")] static nint SslSessionSetHostname() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetAcceptState")] static nint SslSetAcceptState() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetAlpnProtos")] static nint SslSetAlpnProtos() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetBio")] static nint SslSetBio() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetClientCertCallback")] static nint SslSetClientCertCallback() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetClientSigalgs")] static nint SslSetClientSigalgs() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetConnectState")] static nint SslSetConnectState() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetData")] static nint SslSetData() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetPostHandshakeAuth")] static nint SslSetPostHandshakeAuth() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetSession")] static nint SslSetSession() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetSigalgs")] static nint SslSetSigalgs() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetTlsExtHostName")] static nint SslSetTlsExtHostName() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSetVerifyPeer")] static nint SslSetVerifyPeer() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslShutdown")] static nint SslShutdown() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslStapleOcsp")] static nint SslStapleOcsp() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslUseCertificate")] static nint SslUseCertificate() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslUsePrivateKey")] static nint SslUsePrivateKey() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslV2_3Method")] static nint SslV2_3Method() => Fail(Tls);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslWrite")] static nint SslWrite() => Fail(Tls);

    // Public-key algorithms: no key can be generated, imported or described.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BigNumToBinary")] static nint BigNumToBinary() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodePkcs8PrivateKey")] static nint DecodePkcs8PrivateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodeSubjectPublicKeyInfo")] static nint DecodeSubjectPublicKeyInfo() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DsaGenerateKey")] static nint DsaGenerateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DsaKeyCreateByExplicitParameters")] static nint DsaKeyCreateByExplicitParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DsaSizeP")] static nint DsaSizeP() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyCreateByExplicitParameters")] static nint EcKeyCreateByExplicitParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyCreateByKeyParameters")] static nint EcKeyCreateByKeyParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyCreateByOid")] static nint EcKeyCreateByOid() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyGenerateKey")] static nint EcKeyGenerateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyGetCurveName2")] static nint EcKeyGetCurveName2() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyGetSize")] static nint EcKeyGetSize() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EncodeSubjectPublicKeyInfo")] static nint EncodeSubjectPublicKeyInfo() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemExportDecapsulationKey")] static nint EvpKemExportDecapsulationKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemExportEncapsulationKey")] static nint EvpKemExportEncapsulationKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemGeneratePkey")] static nint EvpKemGeneratePkey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyBits")] static nint EvpPKeyBits() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyFromData")] static nint EvpPKeyFromData() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyGetEcCurveParameters")] static nint EvpPKeyGetEcCurveParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyGetEcGroupNid")] static nint EvpPKeyGetEcGroupNid() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyGetEcKeyParameters")] static nint EvpPKeyGetEcKeyParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyType")] static nint EvpPKeyType() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeyCreate")] static nint EvpPkeyCreate() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeyGetEcKey")] static nint EvpPkeyGetEcKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeySetDsa")] static nint EvpPkeySetDsa() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeySetEcKey")] static nint EvpPkeySetEcKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetBigNumBytes")] static nint GetBigNumBytes() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetDsaParameters")] static nint GetDsaParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetECCurveParameters")] static nint GetECCurveParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetECKeyParameters")] static nint GetECKeyParameters() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetSubjectPublicKeyInfoSize")] static nint GetSubjectPublicKeyInfoSize() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_MLDsaExportPublicKey")] static nint MLDsaExportPublicKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_MLDsaExportSecretKey")] static nint MLDsaExportSecretKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_MLDsaGenerateKey")] static nint MLDsaGenerateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_RsaGenerateKey")] static nint RsaGenerateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SlhDsaExportPublicKey")] static nint SlhDsaExportPublicKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_UpRefEvpPkey")] static nint UpRefEvpPkey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EncodePkcs8PrivateKey")] static nint EncodePkcs8PrivateKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemExportPrivateSeed")] static nint EvpKemExportPrivateSeed() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemGetPalId")] static nint EvpKemGetPalId() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPKeyFamily")] static nint EvpPKeyFamily() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeyGetDsa")] static nint EvpPkeyGetDsa() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetPkcs8PrivateKeySize")] static nint GetPkcs8PrivateKeySize() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_MLDsaExportSeed")] static nint MLDsaExportSeed() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_MLDsaGetPalId")] static nint MLDsaGetPalId() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SlhDsaExportSecretKey")] static nint SlhDsaExportSecretKey() => Fail(PublicKey);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SlhDsaGetPalId")] static nint SlhDsaGetPalId() => Fail(PublicKey);

    // X.509, PKCS#7, memory BIOs and ASN.1 objects: nothing can be decoded or created.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Asn1OctetStringNew")] static nint Asn1OctetStringNew() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Asn1OctetStringSet")] static nint Asn1OctetStringSet() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioGets")] static nint BioGets() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioWrite")] static nint BioWrite() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_CreateMemoryBio")] static nint CreateMemoryBio() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodePkcs7")] static nint DecodePkcs7() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodeX509")] static nint DecodeX509() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EncodeAsn1Integer")] static nint EncodeAsn1Integer() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetAsn1IntegerDerSize")] static nint GetAsn1IntegerDerSize() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetAsn1StringBytes")] static nint GetAsn1StringBytes() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetMemoryBioSize")] static nint GetMemoryBioSize() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetPkcs7Certificates")] static nint GetPkcs7Certificates() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509EvpPublicKey")] static nint GetX509EvpPublicKey() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NameInfo")] static nint GetX509NameInfo() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NameRawBytes")] static nint GetX509NameRawBytes() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NotAfter")] static nint GetX509NotAfter() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NotBefore")] static nint GetX509NotBefore() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509PublicKeyAlgorithm")] static nint GetX509PublicKeyAlgorithm() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509PublicKeyBytes")] static nint GetX509PublicKeyBytes() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509PublicKeyParameterBytes")] static nint GetX509PublicKeyParameterBytes() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509SignatureAlgorithm")] static nint GetX509SignatureAlgorithm() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509StackField")] static nint GetX509StackField() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509StackFieldCount")] static nint GetX509StackFieldCount() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509Thumbprint")] static nint GetX509Thumbprint() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509Version")] static nint GetX509Version() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ObjNid2Obj")] static nint ObjNid2Obj() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ObjObj2Txt")] static nint ObjObj2Txt() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ObjTxt2Obj")] static nint ObjTxt2Obj() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PemReadBioPkcs7")] static nint PemReadBioPkcs7() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PemReadX509FromBioAux")] static nint PemReadX509FromBioAux() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509CheckPurpose")] static nint X509CheckPurpose() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ExtensionCreateByObj")] static nint X509ExtensionCreateByObj() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ExtensionGetCritical")] static nint X509ExtensionGetCritical() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ExtensionGetData")] static nint X509ExtensionGetData() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ExtensionGetOid")] static nint X509ExtensionGetOid() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509GetExt")] static nint X509GetExt() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509GetExtCount")] static nint X509GetExtCount() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509GetIssuerName")] static nint X509GetIssuerName() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509GetSerialNumber")] static nint X509GetSerialNumber() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509GetSubjectName")] static nint X509GetSubjectName() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509UpRef")] static nint X509UpRef() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509V3ExtPrint")] static nint X509V3ExtPrint() => Fail(Certificate);
    // ... nor stores, chains, CRLs, OCSP or PEM/file BIOs.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioCtrlPending")] static nint BioCtrlPending() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioNewFile")] static nint BioNewFile() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioRead")] static nint BioRead() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_CheckX509Hostname")] static nint CheckX509Hostname() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_CheckX509IpAddress")] static nint CheckX509IpAddress() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodeOcspResponse")] static nint DecodeOcspResponse() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DecodeX509Crl")] static nint DecodeX509Crl() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EncodeOcspRequest")] static nint EncodeOcspRequest() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EncodeX509")] static nint EncodeX509() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetOcspRequestDerSize")] static nint GetOcspRequestDerSize() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509CrlNextUpdate")] static nint GetX509CrlNextUpdate() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509DerSize")] static nint GetX509DerSize() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NameStackField")] static nint GetX509NameStackField() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetX509NameStackFieldCount")] static nint GetX509NameStackFieldCount() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_IsSslStateOK")] static nint IsSslStateOK() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_NewX509Stack")] static nint NewX509Stack() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PemReadBioX509Crl")] static nint PemReadBioX509Crl() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PemReadX509FromBio")] static nint PemReadX509FromBio() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PemWriteBioX509Crl")] static nint PemWriteBioX509Crl() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_PushX509StackField")] static nint PushX509StackField() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509BuildOcspRequest")] static nint X509BuildOcspRequest() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ChainBuildOcspRequest")] static nint X509ChainBuildOcspRequest() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ChainGetCachedOcspStatus")] static nint X509ChainGetCachedOcspStatus() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ChainHasStapledOcsp")] static nint X509ChainHasStapledOcsp() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ChainNew")] static nint X509ChainNew() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ChainVerifyOcsp")] static nint X509ChainVerifyOcsp() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509DecodeOcspToExpiration")] static nint X509DecodeOcspToExpiration() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509FindExtensionData")] static nint X509FindExtensionData() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509IssuerNameHash")] static nint X509IssuerNameHash() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StackAddDirectoryStore")] static nint X509StackAddDirectoryStore() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StackAddMultiple")] static nint X509StackAddMultiple() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreAddCrl")] static nint X509StoreAddCrl() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxCommitToChain")] static nint X509StoreCtxCommitToChain() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxCreate")] static nint X509StoreCtxCreate() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetAppData")] static nint X509StoreCtxGetAppData() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetChain")] static nint X509StoreCtxGetChain() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetCurrentCert")] static nint X509StoreCtxGetCurrentCert() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetError")] static nint X509StoreCtxGetError() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetErrorDepth")] static nint X509StoreCtxGetErrorDepth() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxGetSharedUntrusted")] static nint X509StoreCtxGetSharedUntrusted() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxInit")] static nint X509StoreCtxInit() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxRebuildChain")] static nint X509StoreCtxRebuildChain() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxReset")] static nint X509StoreCtxReset() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxResetForSignatureError")] static nint X509StoreCtxResetForSignatureError() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxSetVerifyCallback")] static nint X509StoreCtxSetVerifyCallback() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreSetRevocationFlag")] static nint X509StoreSetRevocationFlag() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreSetVerifyTime")] static nint X509StoreSetVerifyTime() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509VerifyCert")] static nint X509VerifyCert() => Fail(Certificate);
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509VerifyCertErrorString")] static nint X509VerifyCertErrorString() => Fail(Certificate);

    // Releasing: only null handles ever exist, which CoreLib does not release; nothing to do.
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Asn1ObjectFree")] static nint Asn1ObjectFree() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Asn1OctetStringFree")] static nint Asn1OctetStringFree() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BigNumDestroy")] static nint BigNumDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_BioDestroy")] static nint BioDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_DsaDestroy")] static nint DsaDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EcKeyDestroy")] static nint EcKeyDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpCipherDestroy")] static nint EvpCipherDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpPkeyDestroy")] static nint EvpPkeyDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_Pkcs7Destroy")] static nint Pkcs7Destroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509Destroy")] static nint X509Destroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509ExtensionDestroy")] static nint X509ExtensionDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_OcspRequestDestroy")] static nint OcspRequestDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_OcspResponseDestroy")] static nint OcspResponseDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_RecursiveFreeX509Stack")] static nint RecursiveFreeX509Stack() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslCtxDestroy")] static nint SslCtxDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslDestroy")] static nint SslDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_SslSessionFree")] static nint SslSessionFree() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509CrlDestroy")] static nint X509CrlDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreCtxDestroy")] static nint X509StoreCtxDestroy() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_X509StoreDestroy")] static nint X509StoreDestroy() => 0;
}
