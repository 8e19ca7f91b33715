namespace CosmosNet.Net.Wire;

/// <summary>Why a parser rejected bytes. Parsers return this instead of throwing; <see cref="None"/> means the bytes are valid.</summary>
public enum WireError
{
    None,
    /// <summary>Fewer bytes than the fixed header (or than a length field promises).</summary>
    Truncated,
    /// <summary>A length field is inconsistent (smaller than the header, larger than the buffer, ...).</summary>
    BadLength,
    BadChecksum,
    /// <summary>Options or TLVs that run past their container, or are otherwise ill-formed.</summary>
    BadOptions,
    /// <summary>A version, hardware type or other discriminator this stack does not handle.</summary>
    Unsupported,
    /// <summary>A field holds a value the protocol forbids (bad opcode, bad fragment offset, bad name, ...).</summary>
    BadValue,
}
