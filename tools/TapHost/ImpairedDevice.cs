using System.Globalization;
using CosmosNet.Net.Platform;

namespace CosmosNet.Net.TapHost;

/// <summary>Loss, delay, jitter and reordering applied by TapHost itself (--impair), for kernels without tc netem.</summary>
internal sealed record Impairment(double Loss, TimeSpan Delay, TimeSpan Jitter, double Reorder, int Seed)
{
    /// <summary>Parses "loss=0.02,delay=10ms,jitter=5ms,reorder=0.25,seed=1" (every key optional).</summary>
    public static Impairment? TryParse(string text, out string? error)
    {
        error = null;
        double loss = 0, reorder = 0;
        TimeSpan delay = default, jitter = default;
        int seed = 1;
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = part.Split('=', 2);
            bool ok = kv.Length == 2 && kv[0] switch
            {
                "loss" => TryProbability(kv[1], out loss),
                "reorder" => TryProbability(kv[1], out reorder),
                "delay" => TryDuration(kv[1], out delay),
                "jitter" => TryDuration(kv[1], out jitter),
                "seed" => int.TryParse(kv[1], out seed),
                _ => false,
            };
            if (!ok) { error = $"bad impairment '{part}' (expected loss=P, delay=Nms, jitter=Nms, reorder=P, seed=N)"; return null; }
        }
        return new Impairment(loss, delay, jitter, reorder, seed);
    }

    private static bool TryProbability(string s, out double p) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out p) && p is >= 0 and <= 1;

    private static bool TryDuration(string s, out TimeSpan t)
    {
        t = default;
        if (!s.EndsWith("ms") || !double.TryParse(s[..^2], NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) || ms < 0) return false;
        t = TimeSpan.FromMilliseconds(ms);
        return true;
    }

    public override string ToString() =>
        $"loss {Loss:P1}, delay {Delay.TotalMilliseconds}ms ± {Jitter.TotalMilliseconds}ms, reorder {Reorder:P1}, seed {Seed}";
}

/// <summary>
/// Wraps a device and impairs frames both ways, like netem: each frame is lost with probability Loss; otherwise it
/// waits Delay plus up to Jitter, except that a Reorder fraction goes at once and overtakes the frames waiting.
/// </summary>
internal sealed class ImpairedDevice : INetworkDevice
{
    private readonly INetworkDevice _inner;
    private readonly Impairment _impairment;
    private readonly IClock _clock;
    private readonly Random _random;
    private readonly PriorityQueue<(byte[] Frame, bool Inbound), (long Due, long Order)> _waiting = new();
    private readonly Platform.ITimer _timer;
    private FrameHandler? _handler;
    private long _order;

    public ImpairedDevice(INetworkDevice inner, Impairment impairment, IClock clock)
    {
        _inner = inner;
        _impairment = impairment;
        _clock = clock;
        _random = new Random(impairment.Seed);
        _timer = clock.CreateTimer(ReleaseDue);
    }

    public MacAddress MacAddress => _inner.MacAddress;
    public int Mtu => _inner.Mtu;

    public long Dropped { get; private set; }
    public long Reordered { get; private set; }

    public void Start(FrameHandler handler)
    {
        _handler = handler;
        _inner.Start((frame, _) => Impair(frame, inbound: true));
    }

    public void Transmit(ReadOnlySpan<byte> frame) => Impair(frame, inbound: false);

    private void Impair(ReadOnlySpan<byte> frame, bool inbound)
    {
        if (_random.NextDouble() < _impairment.Loss) { Dropped++; return; }
        if (_random.NextDouble() < _impairment.Reorder) { Reordered++; Pass(frame, inbound); return; }
        long due = _clock.NowNanoseconds + (long)((_impairment.Delay + _impairment.Jitter * _random.NextDouble()).Ticks * 100);
        _waiting.Enqueue((frame.ToArray(), inbound), (due, _order++));
        ArmForEarliest();
    }

    private void Pass(ReadOnlySpan<byte> frame, bool inbound)
    {
        if (inbound) _handler?.Invoke(frame);
        else _inner.Transmit(frame);
    }

    private void ReleaseDue()
    {
        long now = _clock.NowNanoseconds;
        while (_waiting.TryPeek(out var f, out var key) && key.Due <= now)
        {
            _waiting.Dequeue();
            Pass(f.Frame, f.Inbound);
        }
        ArmForEarliest();
    }

    private void ArmForEarliest()
    {
        if (_waiting.TryPeek(out _, out var key)) _timer.Arm(key.Due);
    }
}
