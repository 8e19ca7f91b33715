namespace CosmosNet.Net.Simulation;

/// <summary>
/// What happened in a run, in order: a running digest over every event (time, place, kind, payload) and the
/// first lines as text for diagnosis. Two runs with the same seed must produce the same digest.
/// </summary>
public sealed class SimulationTrace(int maxLines)
{
    private readonly List<string> _lines = new();

    public ulong Digest { get; private set; } = 0xcbf29ce484222325;
    public long Count { get; private set; }
    public IReadOnlyList<string> Lines => _lines;

    public void Record(long timeNanoseconds, string source, string kind, ReadOnlySpan<byte> payload)
    {
        ulong payloadHash = Fnv(0xcbf29ce484222325, payload);
        ulong h = Digest;
        h = Mix(h, (ulong)timeNanoseconds);
        foreach (char c in source) h = Mix(h, c);
        foreach (char c in kind) h = Mix(h, c);
        h = Mix(h, (ulong)payload.Length);
        Digest = Mix(h, payloadHash);
        Count++;
        if (_lines.Count < maxLines)
            _lines.Add($"{timeNanoseconds / 1000.0,14:F3}us {source} {kind} len={payload.Length} hash={payloadHash:x16}");
    }

    public override string ToString() => $"{Count} events, digest {Digest:x16}";

    private static ulong Mix(ulong h, ulong v) => (h ^ v) * 0x100000001b3;

    private static ulong Fnv(ulong h, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data) h = (h ^ b) * 0x100000001b3;
        return h;
    }
}
