namespace CosmosNet.Kernel.Runtime.Crypto;

/// <summary>HMAC (RFC 2104) over any Digest: H((K ^ opad) || H((K ^ ipad) || message)).</summary>
internal sealed class Hmac
{
    readonly Digest _inner, _outer;
    readonly byte[] _innerPad, _outerPad;

    public Hmac(Digest inner, Digest outer, ReadOnlySpan<byte> key)
    {
        _inner = inner;
        _outer = outer;
        int block = inner.BlockSize;
        var k = new byte[block];
        if (key.Length > block) { inner.Update(key); inner.Final(k); } // long keys are hashed first
        else key.CopyTo(k);
        _innerPad = new byte[block];
        _outerPad = new byte[block];
        for (int i = 0; i < block; i++) { _innerPad[i] = (byte)(k[i] ^ 0x36); _outerPad[i] = (byte)(k[i] ^ 0x5c); }
        Reset();
    }

    public int Size => _inner.Size;

    public void Reset() { _inner.Reset(); _inner.Update(_innerPad); }

    public void Update(ReadOnlySpan<byte> data) => _inner.Update(data);

    /// <summary>Writes the MAC and starts over with the same key.</summary>
    public void Final(Span<byte> output)
    {
        Span<byte> innerHash = stackalloc byte[64];
        _inner.Final(innerHash);
        _outer.Reset();
        _outer.Update(_outerPad);
        _outer.Update(innerHash[.._inner.Size]);
        _outer.Final(output);
        Reset();
    }

    /// <summary>The MAC of what was appended so far, without finishing.</summary>
    public void Current(Span<byte> output)
    {
        var saved = _inner.Clone();
        Span<byte> innerHash = stackalloc byte[64];
        saved.Final(innerHash);
        _outer.Reset();
        _outer.Update(_outerPad);
        _outer.Update(innerHash[.._inner.Size]);
        _outer.Final(output);
    }
}
