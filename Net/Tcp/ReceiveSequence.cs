namespace CosmosNet.Net.Tcp;

/// <summary>
/// The receive sequence space of RFC 9293 3.3.1: RCV.NXT, the right edge of the window we advertised (which never
/// moves back), our window scale, and the peer's FIN — which may arrive ahead of missing data and waits for it.
/// </summary>
internal sealed class ReceiveSequence
{
    public ReceiveSequence(int scale) => Scale = scale;

    /// <summary>IRS: the peer's SYN's sequence number.</summary>
    public SeqNum Initial { get; private set; }
    /// <summary>RCV.NXT: the next byte expected in order.</summary>
    public SeqNum Next { get; private set; }
    /// <summary>RCV.NXT + RCV.WND as last advertised.</summary>
    public SeqNum AdvertisedEdge { get; private set; }
    /// <summary>RCV.NXT as carried by the last ACK we sent (RFC 7323's Last.ACK.sent).</summary>
    public SeqNum LastAckSent { get; private set; }
    /// <summary>Our window scale shift; 0 once the peer turns the option down.</summary>
    public int Scale { get; private set; }
    public bool FinReceived { get; private set; }
    private bool _finPending;
    private SeqNum _finSeq;

    /// <summary>The window the peer was last told about (RCV.WND).</summary>
    public int Window => Math.Max(0, AdvertisedEdge - Next);

    /// <summary>The shift for <paramref name="bufferSize"/>: the smallest that fits the buffer in the 16-bit window field.</summary>
    public static int ScaleFor(int bufferSize, bool enabled)
    {
        int scale = 0;
        if (enabled)
            while (scale < 14 && (bufferSize >> scale) > 65535) scale++;
        return scale;
    }

    public void DisableScaling() => Scale = 0;

    /// <summary>The peer's SYN at <paramref name="peerIsn"/> arrived.</summary>
    public void Synchronize(SeqNum peerIsn)
    {
        Initial = peerIsn;
        Next = LastAckSent = AdvertisedEdge = peerIsn + 1; // nothing offered yet
    }

    /// <summary>The window our SYN (or SYN-ACK) offered: the free space, unscaled.</summary>
    public ushort OfferInSyn(int free)
    {
        int window = Math.Min(free, 65535);
        AdvertisedEdge = Next + window;
        return (ushort)window;
    }

    /// <summary>
    /// The window field of a non-SYN segment. Receiver silly-window avoidance (RFC 1122 4.2.3.3): the right edge only
    /// moves once it can move by min(buffer/2, MSS); it never moves back (RFC 9293 3.8.6.2.2).
    /// </summary>
    public ushort Advertise(int free, int capacity, int mss)
    {
        int win = free;
        var edge = Next + win;
        if (edge > AdvertisedEdge && edge - AdvertisedEdge < Math.Min(capacity / 2, mss)) win = Window;
        int field = win >> Scale; // rounded down: never offer more than is there
        // ...but the right edge never moves left (RFC 9293 3.8.6.2.2): what was promised is encoded rounded up.
        if ((field << Scale) < Window) field = (Window + (1 << Scale) - 1) >> Scale;
        field = Math.Min(field, 65535);
        AdvertisedEdge = SeqNum.Max(AdvertisedEdge, Next + (field << Scale));
        return (ushort)field;
    }

    /// <summary>After the user read: whether the window has opened far enough to be worth an update (always out of a small one).</summary>
    public bool WindowUpdateWorthSending(int free, int capacity, int mss)
    {
        int gain = (Next + free) - AdvertisedEdge;
        return Window < capacity / 2 && gain >= Math.Min(capacity / 2, mss);
    }

    public void AckSent() => LastAckSent = Next;

    /// <summary>
    /// RFC 9293 3.10.7.4 acceptability against the advertised window — or against the free buffer space, which may be
    /// larger than what we told the peer (it may send into space we have and did not advertise yet).
    /// </summary>
    public bool Acceptable(SeqNum seq, int segLen, int free) =>
        Acceptable(seq, segLen, Next, Window) || Acceptable(seq, segLen, Next, Math.Max(Window, free));

    public static bool Acceptable(SeqNum seq, int segLen, SeqNum rcvNxt, int rcvWnd)
    {
        var end = rcvNxt + rcvWnd;
        if (segLen == 0) return rcvWnd == 0 ? seq == rcvNxt : seq.InRange(rcvNxt, end);
        if (rcvWnd == 0) return false;
        return seq.InRange(rcvNxt, end) || (seq + (segLen - 1)).InRange(rcvNxt, end);
    }

    /// <summary><paramref name="count"/> bytes arrived in order.</summary>
    public void Advance(int count) => Next += count;

    /// <summary>A FIN at <paramref name="finSeq"/> arrived ahead of data still missing; it is remembered if the buffer could hold the gap.</summary>
    public void NoteEarlyFin(SeqNum finSeq, int free)
    {
        if (finSeq > Next && finSeq - Next <= free) { _finPending = true; _finSeq = finSeq; }
    }

    /// <summary>An early FIN whose data has now all arrived.</summary>
    public bool EarlyFinDue => _finPending && _finSeq == Next;

    /// <summary>The FIN at RCV.NXT is taken: it occupies one sequence number.</summary>
    public void AcceptFin()
    {
        _finPending = false;
        FinReceived = true;
        Next += 1;
    }
}
