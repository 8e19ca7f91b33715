namespace CosmosNet.Net.Tcp;

/// <summary>
/// The send sequence space of RFC 9293 3.3.1 and the peer's window. <see cref="Max"/> is the highest sequence number
/// ever sent: after a timeout <see cref="Next"/> goes back to <see cref="Unacknowledged"/> to resend, while Max
/// remembers what the peer may legitimately acknowledge. Byte 0 of the send buffer is <see cref="BufferStart"/>.
/// </summary>
internal sealed class SendSequence
{
    public SendSequence(SeqNum iss)
    {
        Initial = Unacknowledged = Next = Max = iss;
        BufferStart = PushEdge = iss + 1;
    }

    /// <summary>ISS: our SYN's sequence number.</summary>
    public SeqNum Initial { get; }
    /// <summary>SND.UNA: the oldest unacknowledged sequence number.</summary>
    public SeqNum Unacknowledged { get; private set; }
    /// <summary>SND.NXT: where the next new (or, after a timeout, resent) segment starts.</summary>
    public SeqNum Next { get; private set; }
    public SeqNum Max { get; private set; }
    /// <summary>SND.WL1 / SND.WL2: the segment that last set the window.</summary>
    public SeqNum WindowSeq { get; private set; }
    public SeqNum WindowAck { get; private set; }
    /// <summary>SND.WND in bytes (already scaled).</summary>
    public int Window { get; private set; }
    /// <summary>The largest window the peer ever offered: sender silly-window avoidance and RFC 5961's ACK bound use it.</summary>
    public int MaxWindow { get; private set; }
    /// <summary>The peer's window scale shift (RFC 7323 2.2); 0 without the option.</summary>
    public int Scale { get; private set; }

    /// <summary>Sequence number of the first byte in the send buffer (one past the SYN, then SND.UNA as data is acked).</summary>
    public SeqNum BufferStart { get; private set; }
    /// <summary>Bytes below this were written with nodelay: they bypass Nagle.</summary>
    public SeqNum PushEdge { get; private set; }
    public bool FinQueued { get; private set; }
    public SeqNum FinSeq { get; private set; }

    /// <summary>Bytes sent and not yet acknowledged (SYN and FIN count).</summary>
    public int Outstanding => Max - Unacknowledged;
    public bool HasOutstanding => Max > Unacknowledged;

    public SeqNum DataEnd(int buffered) => BufferStart + buffered;

    public bool IsUnacknowledged(SeqNum seq) => seq.InRange(Unacknowledged, Max);

    /// <summary>Our FIN is covered by <paramref name="ack"/>.</summary>
    public bool FinAcknowledgedBy(SeqNum ack) => FinQueued && ack > FinSeq;

    /// <summary>The SYN is on the wire (it occupies one sequence number).</summary>
    public void SynSent() => Next = Max = Initial + 1;

    public void SetScale(int shift) => Scale = shift;

    /// <summary>The window field of a segment, in bytes (never scaled in a SYN: RFC 7323 2.2).</summary>
    public int Scaled(ushort window) => window << Scale;

    /// <summary>RFC 5961 5.2: an ACK for data never sent, or more than a window below SND.UNA, must not be acted on.</summary>
    public bool AcceptsAck(SeqNum ack) => ack <= Max && ack >= Unacknowledged - Math.Max(MaxWindow, 1);

    /// <summary>Takes the window of the segment at <paramref name="seq"/> acknowledging <paramref name="ack"/>.</summary>
    public void SetWindow(SeqNum seq, SeqNum ack, int window)
    {
        Window = window;
        WindowSeq = seq; WindowAck = ack;
        MaxWindow = Math.Max(MaxWindow, window);
    }

    /// <summary>Window update (RFC 9293 3.10.7.4): only from a segment newer than the last one that set it.</summary>
    public void UpdateWindow(SeqNum seq, SeqNum ack, int window)
    {
        if (WindowSeq < seq || (WindowSeq == seq && WindowAck <= ack)) SetWindow(seq, ack, window);
    }

    /// <summary>The window a SYN cookie's SYN carried, before any segment has set WL1/WL2.</summary>
    public void AssumeWindow(int window) => Window = window;

    /// <summary>The peer's SYN-ACK acknowledged our SYN.</summary>
    public void SynAcknowledged(SeqNum ack) => Unacknowledged = ack;

    /// <summary>
    /// SND.UNA advances to <paramref name="ack"/>. Returns how many of the <paramref name="buffered"/> bytes in the send
    /// buffer that frees (the SYN and FIN occupy sequence numbers but no buffer space).
    /// </summary>
    public int Acknowledge(SeqNum ack, int buffered)
    {
        int freed = Math.Clamp(ack - BufferStart, 0, buffered);
        BufferStart += freed;
        Unacknowledged = ack;
        if (Next < Unacknowledged) Next = Unacknowledged;
        return freed;
    }

    /// <summary>Moves SND.NXT forward to <paramref name="seq"/> (past SACKed data, or to SND.MAX in recovery).</summary>
    public void SkipTo(SeqNum seq)
    {
        if (seq > Next) Next = seq;
    }

    /// <summary>A segment ending at <paramref name="end"/> was sent from SND.NXT.</summary>
    public void Sent(SeqNum end)
    {
        Next = end;
        if (Next > Max) Max = Next;
    }

    /// <summary>Retransmission timeout: go back and resend from SND.UNA.</summary>
    public void Rewind() => Next = Unacknowledged;

    /// <summary>The <paramref name="buffered"/> bytes now in the send buffer were written with nodelay.</summary>
    public void Push(int buffered) => PushEdge = BufferStart + buffered;

    /// <summary>A FIN follows the <paramref name="buffered"/> bytes now in the send buffer.</summary>
    public void QueueFin(int buffered)
    {
        FinQueued = true;
        FinSeq = BufferStart + buffered;
    }
}
