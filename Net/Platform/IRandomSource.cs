namespace CosmosNet.Net.Platform;

/// <summary>Randomness for ISNs, ephemeral ports, DHCP/DNS ids and SYN-cookie secrets.</summary>
public interface IRandomSource
{
    /// <summary>Fills <paramref name="buffer"/> with cryptographically strong random bytes (a seeded PRNG in simulations).</summary>
    void Fill(Span<byte> buffer);
}
