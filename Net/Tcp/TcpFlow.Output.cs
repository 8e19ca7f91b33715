using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// What to send and when: new data under the congestion and receive windows with Nagle (RFC 1122 4.2.3.4) and
/// sender-side silly-window avoidance, the holes <see cref="LossRecovery"/> deems lost (RFC 6675 NextSeg), and the
/// assembly of each segment straight from the send buffer.
/// </summary>
public sealed partial class TcpFlow
{
    private const int MaxBurst = 64; // segments per Output call: bounds the work done in one input event

    private bool _forceSend;          // the persist timer overrides silly-window avoidance once

    private SeqNum DataEnd => _snd.DataEnd(_send.Count);

    /// <summary>Sends whatever the windows, Nagle and recovery allow, then sets the retransmit or persist timer.</summary>
    internal void Output()
    {
        if (State is TcpState.Closed or TcpState.SynSent or TcpState.SynReceived or TcpState.TimeWait) return;
        for (int i = 0; i < MaxBurst; i++)
            if (!(_loss.InRecovery ? SendInRecovery() : SendNext(_loss.Congestion.Cwnd - _loss.Flight(_snd.Unacknowledged, _snd.Next)))) break;
        bool waiting = DataEnd > _snd.Next || (_snd.FinQueued && _snd.Next <= _snd.FinSeq);
        _rexmit.Update(_snd.HasOutstanding, waiting, _loss.Rtt.Rto, Now);
        if (_writable.IsWaiting && _writeNeed == int.MaxValue && _snd.Max >= _snd.PushEdge) _writable.Wake(); // nodelay write sent
    }

    /// <summary>RFC 6675 NextSeg under the pipe limit: lost holes first, then new data.</summary>
    private bool SendInRecovery()
    {
        int mss = _mtu.SendMss;
        int room = _loss.Congestion.Cwnd - _loss.Pipe(_snd.Unacknowledged, _snd.Max);
        if (room < mss) return false;
        if (_loss.NextLostHole(_snd.Unacknowledged, _snd.Max, out var hole, out var holeEnd))
        {
            int len = Math.Min(Math.Min(holeEnd - hole, mss), Math.Max(DataEnd - hole, 0));
            bool fin = _snd.FinQueued && hole + len == _snd.FinSeq && hole + len < _snd.Max;
            if (len == 0 && !fin) { _loss.RetransmittedUpTo(holeEnd); return true; }
            Transmit(hole, len, fin);
            _loss.RetransmittedUpTo(hole + len + (fin ? 1 : 0));
            return true;
        }
        _snd.SkipTo(_snd.Max);
        return SendNext(room);
    }

    /// <summary>Sends the next segment at SND.NXT if the windows and Nagle allow; false when nothing was sent.</summary>
    private bool SendNext(int cwndRoom)
    {
        int mss = _mtu.SendMss;
        var s = _loss.SkipSacked(_snd.Next);
        _snd.SkipTo(s);
        bool retransmitting = s < _snd.Max;
        int avail = DataEnd - s;
        bool finPending = _snd.FinQueued && s <= _snd.FinSeq;
        if (avail <= 0 && !finPending) return false;

        var windowEnd = _snd.Unacknowledged + _snd.Window;
        int room = Math.Min(windowEnd - s, cwndRoom);
        if (_forceSend && room <= 0 && _snd.Window > 0) room = Math.Min(windowEnd - s, mss);
        int len = Math.Max(0, Math.Min(Math.Min(avail, retransmitting ? mss : LargestSegment(mss)), room));
        if (len > mss) len -= len % mss; // whole segments for the device to cut; a runt follows under the rules below
        if (retransmitting && _loss.HoleEnd(s, _snd.Max, out var holeEnd)) len = Math.Min(len, holeEnd - s);
        bool fin = finPending && s + len == _snd.FinSeq; // FIN carries no data, so it goes even when the windows are full
        if (len == 0 && !fin) return false;

        if (!retransmitting && !fin && len < mss && !_forceSend)
        {
            if (len < avail)
            {
                // Sender silly-window avoidance: a window-limited runt waits for a useful window (or the persist timer).
                if (len < _snd.MaxWindow / 2) return false;
            }
            else if (_snd.Next > _snd.Unacknowledged && s + len > _snd.PushEdge)
            {
                return false; // Nagle: a small segment waits while data is unacknowledged, unless written with nodelay
            }
        }

        // A segment of many MSS waits while the device has no room for it and data is in flight (its ACK will come
        // back and send it), rather than going out as MTU-sized frames the device would have to queue or drop.
        bool mayWait = len > mss && _snd.HasOutstanding;
        if (mayWait && !_stack.SegmentationReady(Tuple.RemoteAddress, TcpSegment.MaxHeaderLength + len))
        {
            _stack.Statistics.SegmentsDeferred++;
            return false;   // asked before building it: nothing copied for a segment that would wait
        }
        if (!Transmit(s, len, fin, mayWait)) return false;
        _snd.Sent(s + len + (fin ? 1 : 0));
        _forceSend = false;
        return true;
    }

    /// <summary>
    /// The most new data one segment may carry: one MSS, or with segmentation offload as many whole MSS as the device
    /// takes in one packet (it cuts them apart; every piece repeats this segment's options, so the MSS still fits).
    /// </summary>
    private int LargestSegment(int mss)
    {
        int limit = _stack.SegmentationLimit(Tuple.RemoteAddress) - TcpSegment.MaxHeaderLength;
        return limit > mss ? limit / mss * mss : mss;
    }

    /// <summary>
    /// Builds and sends one segment of up to <paramref name="len"/> bytes starting at <paramref name="seq"/>; false when
    /// it <paramref name="mayWait"/> and the device had no room for it (nothing was sent).
    /// </summary>
    private bool Transmit(SeqNum seq, int len, bool fin, bool mayWait = false)
    {
        var flags = TcpFlags.Ack | (fin ? TcpFlags.Fin : 0);
        if (len > 0 && seq + len >= DataEnd) flags |= TcpFlags.Psh;
        if (!SendSegment(seq, len, flags, mayWait)) return false;
        bool retransmission = seq < _snd.Max;
        if (retransmission) { _stack.Statistics.Retransmissions++; _retransmits++; }
        _loss.Transmitting(seq, retransmission, _ts.Enabled, Now);
        _rexmit.Start(Now + _loss.Rtt.Rto); // RFC 6298 5.1
        return true;
    }

    // ---- segment assembly --------------------------------------------------------------------------------------

    /// <summary>
    /// The one place segments of this flow are built: options, window, payload from the send buffer, checksum. False when
    /// the segment <paramref name="mayWait"/> and the device had no room for it: then nothing was sent, and the ACK it
    /// would have carried is still owed.
    /// </summary>
    private bool SendSegment(SeqNum seq, int len, TcpFlags flags, bool mayWait = false)
    {
        var opt = TcpOptions.None;
        bool syn = (flags & TcpFlags.Syn) != 0;
        if (syn)
        {
            bool offering = State == TcpState.SynSent; // our SYN offers every option; a SYN-ACK echoes what the peer offered
            opt.Mss = (ushort)Math.Min(_mtu.LocalMss, 65535);
            if (_config.WindowScaling && (offering || _windowScaling)) opt.WindowScale = (sbyte)_rcv.Scale;
            opt.SackPermitted = _config.Sack && (offering || _loss.Sack);
            if (_config.Timestamps && (offering || _ts.Enabled))
            {
                opt.HasTimestamps = true; opt.TsVal = _ts.Value(Now); opt.TsEcr = offering ? 0 : _ts.Recent;
            }
        }
        else
        {
            if (_ts.Enabled) { opt.HasTimestamps = true; opt.TsVal = _ts.Value(Now); opt.TsEcr = _ts.Recent; }
            if (_loss.Sack && _recv.HasOutOfOrderData)
            {
                int maxBlocks = _ts.Enabled ? 3 : 4;
                // Data segments carry SACK blocks only as far as the peer's MSS leaves room.
                if (len > 0) maxBlocks = Math.Min(maxBlocks, (_mtu.SegmentLimit - len - _ts.Overhead - 4) / 8);
                if (maxBlocks > 0) opt.SackCount = _recv.FillSackBlocks(ref opt.Sack, maxBlocks);
            }
        }

        var buffer = _stack.SegmentBuffer;
        int optLen = opt.Write(buffer.AsSpan(TcpSegment.MinHeaderLength));
        if (len > 0) _send.CopyTo(seq - _snd.BufferStart, buffer.AsSpan(TcpSegment.MinHeaderLength + optLen, len));
        uint ackNumber = 0;
        ushort window = 0;
        bool ack = (flags & TcpFlags.Ack) != 0;
        if (ack)
        {
            ackNumber = _rcv.Next.Value;
            int offer = OfferableWindow();
            window = syn ? _rcv.OfferInSyn(offer) : _rcv.Advertise(offer, _recv.Limit, _mtu.LocalMss);
            UpdatePromise();   // the edge may have moved on even if the segment waits: promised either way
        }
        else if (syn)
        {
            window = (ushort)Math.Min(OfferableWindow(), 65535);
        }
        bool partial = _stack.ChecksumOffloadTo(Tuple.RemoteAddress);   // the device sums the payload, or nobody needs it (loopback)
        int length = TcpSegment.WriteHeader(buffer, Tuple.LocalPort, Tuple.RemotePort, seq.Value, ackNumber, flags, window,
            optLen, len, Tuple.LocalAddress, Tuple.RemoteAddress, partial);
        // Longer than one MSS only with segmentation offload (LargestSegment): cut into segments of SendMss bytes.
        if (!_stack.Send(Tuple, buffer.AsSpan(0, length), partial, len > _mtu.SendMss ? _mtu.SendMss : 0, mayWait)) return false;
        if (ack)
        {
            _rcv.AckSent();
            _ack.AckSent();
        }
        return true;
    }

    private void SendSynAck()
    {
        _loss.SynSent(Now);
        SendSegment(_snd.Initial, 0, TcpFlags.Syn | TcpFlags.Ack);
        _rexmit.Start(Now + _loss.Rtt.Rto);
    }

    private void SendSyn()
    {
        _loss.SynSent(Now);
        SendSegment(_snd.Initial, 0, TcpFlags.Syn);
        _snd.SynSent();
        _rexmit.Start(Now + _loss.Rtt.Rto);
    }

    /// <summary>A pure ACK (or, before the handshake completes, the SYN-ACK again).</summary>
    internal void SendAck()
    {
        if (State == TcpState.SynReceived) { SendSynAck(); return; }
        if (State is TcpState.Closed or TcpState.SynSent) return;
        // SND.MAX, not SND.NXT: while resending after a timeout SND.NXT is behind what the peer has seen, and an ACK
        // with an old sequence number would fail the peer's acceptability test and be ignored. But never past the right
        // edge of the peer's window (as Linux's tcp_acceptable_seq): data sent there was not taken, and a peer whose
        // window is closed reads an ACK only at its RCV.NXT — numbered SND.MAX, every ACK would be dropped unread while
        // both sides wait for the other (an echo whose writer waits for ACKs its reader never lets in).
        var windowEnd = _snd.Unacknowledged + _snd.Window;
        SendSegment(_snd.Max > windowEnd ? windowEnd : _snd.Max, 0, TcpFlags.Ack);
    }

    /// <summary>RFC 5961 7: challenge ACKs are rate-limited per stack so they cannot be used to amplify or probe.</summary>
    private void ChallengeAck()
    {
        if (_stack.AllowChallengeAck()) { _stack.Statistics.ChallengeAcksSent++; SendAck(); }
        else _stack.Statistics.ChallengeAcksSuppressed++;
    }
}
