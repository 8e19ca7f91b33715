using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>The OpenSSL shim entry points of what the kernel does not provide: ciphers, public-key algorithms,
/// X.509 certificates. Each fails the way the shim fails when OpenSSL cannot do something: a null handle or 0,
/// with an error on the error queue. CoreLib turns that into a CryptographicException whose message names what
/// is missing (<see cref="Describe"/>); the AEAD ciphers (AesGcm, AesCcm, ChaCha20Poly1305) see "no OpenSSL"
/// and throw PlatformNotSupportedException, as .NET on Linux does without libssl.
/// The entry points take no parameters on purpose: under the System V x86-64 convention the caller passes
/// arguments in registers and on its own stack, so a callee that ignores them may omit them, and every one of
/// these answers the same 0 whatever it was given (0 = failure, null handle, "not found", or nothing for void).</summary>
internal static class UnsupportedCryptoCalls
{
    /// <summary>The error codes this file puts on the (one, kernel-wide) error queue.</summary>
    const ulong Cipher = 1, PublicKey = 2, Certificate = 3;

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
        _ => "no OpenSSL in the kernel"u8,
    };

    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_ErrClearError")] static void ErrClearError() => pending = 0;

    // Questions with a "no" answer rather than an error: no OpenSSL (so AesGcm, AesCcm, ChaCha20Poly1305 report
    // IsSupported == false), no such algorithm, no OpenSSL name for an OID (CoreLib's own table answers first).
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_OpenSslAvailable")] static nint OpenSslAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_IsSignatureAlgorithmAvailable")] static nint IsSignatureAlgorithmAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_EvpKemAvailable")] static nint EvpKemAvailable() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_LookupFriendlyNameByOid")] static nint LookupFriendlyNameByOid() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_GetObjectDefinitionByName")] static nint GetObjectDefinitionByName() => 0;
    [UnmanagedCallersOnly(EntryPoint = "CryptoNative_RegisterLegacyAlgorithms")] static nint RegisterLegacyAlgorithms() => 0;

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
}
