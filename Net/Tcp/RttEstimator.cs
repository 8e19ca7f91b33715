namespace CosmosNet.Net.Tcp;

/// <summary>
/// Round-trip time estimation and the retransmission timeout of RFC 6298: SRTT/RTTVAR smoothing, RTO clamped to
/// [min, max], doubled on each timeout (exponential backoff) and recomputed from the next valid sample. Karn's rule
/// (no samples from retransmitted segments) is the caller's job; timestamps (RFC 7323) make every ACK a valid sample.
/// </summary>
internal sealed class RttEstimator
{
    private readonly long _minRto, _maxRto;
    private long _srtt, _rttvar;
    private bool _hasSample;

    public RttEstimator(long initialRtoNs, long minRtoNs, long maxRtoNs)
    {
        _minRto = minRtoNs; _maxRto = maxRtoNs;
        Rto = initialRtoNs;
    }

    public long Rto { get; private set; }
    public long SmoothedRtt => _hasSample ? _srtt : 0;
    public int Backoffs { get; private set; }

    public void Sample(long rttNs)
    {
        if (rttNs < 0) return;
        if (!_hasSample)
        {
            _srtt = rttNs; _rttvar = rttNs / 2; _hasSample = true;
        }
        else
        {
            long err = rttNs - _srtt;
            _rttvar += (Math.Abs(err) - _rttvar) / 4; // beta = 1/4
            _srtt += err / 8;                         // alpha = 1/8
        }
        Rto = Math.Clamp(_srtt + Math.Max(4 * _rttvar, 1_000_000), _minRto, _maxRto); // G = 1 ms clock granularity
        Backoffs = 0;
    }

    public void Backoff()
    {
        Rto = Math.Min(Rto * 2, _maxRto);
        Backoffs++;
    }

    /// <summary>Forward progress resets the backoff count (the RTO itself waits for a fresh sample).</summary>
    public void ResetBackoffs() => Backoffs = 0;
}
