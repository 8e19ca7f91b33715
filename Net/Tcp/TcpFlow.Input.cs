using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>Segment arrival (RFC 9293 3.10.7), with RFC 7323 PAWS and RFC 5961 protections.</summary>
public sealed partial class TcpFlow
{
    internal void Input(in TcpSegment seg, in TcpOptions opt)
    {
        _lastHeard = Now;
        _keepaliveProbes = 0;
        _persistProbes = 0;
        switch (State)
        {
            case TcpState.Closed: return;
            case TcpState.SynSent: InputSynSent(seg, opt); return;
        }

        var flags = seg.Flags;
        var seq = new SeqNum(seg.SequenceNumber);
        var payload = seg.Payload;

        // A repeated SYN from the peer (a retransmission, or the SYN-ACK of a simultaneous open): its SYN is
        // old news, so strip it and treat the rest as an ordinary segment.
        if ((flags & TcpFlags.Syn) != 0 && State == TcpState.SynReceived && seq == _irs)
        {
            flags &= ~TcpFlags.Syn;
            seq += 1;
            if ((flags & TcpFlags.Ack) == 0) { SendSynAck(); return; }
        }

        // PAWS (RFC 7323 5.3): a timestamp older than the last one in window is a wrapped-around old duplicate.
        bool pureAck = payload.IsEmpty && (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0;
        if (_tsOn && opt.HasTimestamps && (flags & TcpFlags.Rst) == 0 && _tsRecentValid
            && (int)(opt.TsVal - _tsRecent) < 0 && Now - _tsRecentTime < PawsIdleLimitNs && !IsDisorderedAck(seg, opt, pureAck))
        {
            _stack.Statistics.PawsRejected++;
            if (!pureAck) SendAck(); // answering stale pure ACKs could start an ACK war; they carry nothing to recover
            return;
        }

        int segLen = payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0);
        int rcvWnd = Math.Max(0, _rcvAdvEdge - _rcvNxt);
        if (!Acceptable(seq, segLen, rcvWnd))
        {
            // A zero window still takes the ACK and RST of a segment at RCV.NXT (RFC 9293 3.10.7.4).
            bool ackOnly = rcvWnd == 0 && seq == _rcvNxt;
            if (!ackOnly)
            {
                _stack.Statistics.OutOfWindow++;
                if ((flags & TcpFlags.Rst) == 0)
                {
                    if (State == TcpState.TimeWait && (flags & TcpFlags.Fin) != 0) _lingerTimer.Arm(Now + 2 * Ns(_config.Msl));
                    SendAck();
                }
                return;
            }
            payload = default;
            flags &= ~TcpFlags.Fin;
        }

        // RFC 5961 3: only an exact RCV.NXT match resets; any other in-window RST gets a challenge ACK.
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (seq != _rcvNxt) { ChallengeAck(); return; }
            _stack.Statistics.ResetsReceived++;
            if (State == TcpState.SynReceived && Listener is not null) { Terminate(null, sendReset: false); return; }
            Terminate(State is TcpState.Closing or TcpState.LastAck or TcpState.TimeWait ? null : new TcpError(TcpErrorKind.Reset), sendReset: false);
            return;
        }

        // RFC 5961 4: a SYN on a synchronized connection is answered with a challenge ACK, never acted on.
        if ((flags & TcpFlags.Syn) != 0) { ChallengeAck(); return; }

        if ((flags & TcpFlags.Ack) == 0) return;
        var ack = new SeqNum(seg.AckNumber);

        if (State == TcpState.SynReceived)
        {
            if (ack <= _sndUna || ack > _sndMax) { _stack.SendReset(Tuple, ack, default, withAck: false); return; }
            _sndWnd = seg.Window << _sndWscale;
            _sndWl1 = seq; _sndWl2 = ack;
            _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
            EnterEstablished();
        }

        // RFC 5961 5.2: an ACK for data never sent, or far below what is unacknowledged, is answered and dropped.
        if (ack > _sndMax || ack < _sndUna - Math.Max(_maxSndWnd, 1))
        {
            ChallengeAck();
            return;
        }

        if (opt.HasTimestamps && _tsOn && seq <= _lastAckSent && (!_tsRecentValid || (int)(opt.TsVal - _tsRecent) >= 0))
        {
            _tsRecent = opt.TsVal; _tsRecentTime = Now; _tsRecentValid = true;
        }

        ProcessAck(seq, ack, seg.Window, opt, payload.Length, flags);
        if (State == TcpState.Closed) return;

        if (!payload.IsEmpty && State.CanReceiveData()) ReceiveData(seq, payload, (flags & TcpFlags.Fin) != 0);
        else if ((flags & TcpFlags.Fin) != 0 && State.CanReceiveData())
        {
            if (seq == _rcvNxt) ReceiveFin();
            else NoteEarlyFin(seq);
        }
        else if (!payload.IsEmpty) _ackNow = true; // data after the peer's FIN, or after we stopped receiving: just ACK

        Output();
        if (_ackNow) SendAck();
    }

    /// <summary>
    /// A duplicate ACK merely overtaken by a newer segment (Linux's "disordered ACK"): at RCV.NXT, acknowledging SND.UNA,
    /// same window, timestamp less than one RTO old. PAWS lets it through so it still counts towards fast retransmit.
    /// </summary>
    private bool IsDisorderedAck(in TcpSegment seg, in TcpOptions opt, bool pureAck) =>
        pureAck && (seg.Flags & TcpFlags.Ack) != 0 && new SeqNum(seg.SequenceNumber) == _rcvNxt
        && new SeqNum(seg.AckNumber) == _sndUna && (seg.Window << _sndWscale) == _sndWnd
        && (long)(_tsRecent - opt.TsVal) * 1_000_000 <= _rtt.Rto;

    private const long PawsIdleLimitNs = 24L * 24 * 3600 * 1_000_000_000; // RFC 7323 5.5: 24 days

    private static bool Acceptable(SeqNum seq, int segLen, SeqNum rcvNxt, int rcvWnd)
    {
        var end = rcvNxt + rcvWnd;
        if (segLen == 0) return rcvWnd == 0 ? seq == rcvNxt : seq.InRange(rcvNxt, end);
        if (rcvWnd == 0) return false;
        return seq.InRange(rcvNxt, end) || (seq + (segLen - 1)).InRange(rcvNxt, end);
    }

    private bool Acceptable(SeqNum seq, int segLen, int rcvWnd) =>
        Acceptable(seq, segLen, _rcvNxt, rcvWnd) || Acceptable(seq, segLen, _rcvNxt, Math.Max(rcvWnd, _recv.Free));

    private void InputSynSent(in TcpSegment seg, in TcpOptions opt)
    {
        var flags = seg.Flags;
        var seq = new SeqNum(seg.SequenceNumber);
        var ack = new SeqNum(seg.AckNumber);
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        if (hasAck && (ack <= _iss || ack > _sndMax))
        {
            if ((flags & TcpFlags.Rst) == 0) _stack.SendReset(Tuple, ack, default, withAck: false);
            return;
        }
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (hasAck)
            {
                _stack.Statistics.ResetsReceived++;
                Terminate(new TcpError(TcpErrorKind.Refused), sendReset: false);
            }
            return;
        }
        if ((flags & TcpFlags.Syn) == 0) return;

        _irs = seq;
        _rcvNxt = seq + 1;
        _lastAckSent = _rcvNxt;
        _rcvAdvEdge = _rcvNxt + Math.Min(_recv.Free, 65535); // what our SYN offered
        NegotiateOptions(opt);
        if (opt.HasTimestamps && _tsOn) { _tsRecent = opt.TsVal; _tsRecentTime = Now; _tsRecentValid = true; }
        if (hasAck)
        {
            if (_rexmitCount == 0) _rtt.Sample(Now - _synSentAt); // Karn: only an unretransmitted SYN gives a sample
            _sndUna = ack;
            _sndWnd = seg.Window; // never scaled in a SYN segment (RFC 7323 2.2)
            _sndWl1 = seq; _sndWl2 = ack;
            _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
            EnterEstablished();
            SendAck();
            Output();
        }
        else
        {
            State = TcpState.SynReceived; // simultaneous open (RFC 9293 3.5, figure 8)
            SendSynAck();
        }
    }

    /// <summary>Applies the options of the peer's SYN (RFC 7323, RFC 2018, RFC 9293 MSS).</summary>
    internal void NegotiateOptions(in TcpOptions opt)
    {
        if (opt.Mss != 0) _peerMss = Math.Max((int)opt.Mss, 64);
        _wscaleOn = _config.WindowScaling && opt.HasWindowScale;
        if (_wscaleOn) _sndWscale = opt.WindowScale;
        else { _sndWscale = 0; _rcvWscale = 0; }
        _tsOn = _config.Timestamps && opt.HasTimestamps;
        _sackOn = _config.Sack && opt.SackPermitted;
        UpdateMss();
    }

    private void UpdateMss()
    {
        _sndMss = Math.Max(Math.Min(_peerMss, _pathMss) - (_tsOn ? 12 : 0), 32);
        _cc.SetMss(_sndMss);
    }

    private void EnterEstablished()
    {
        if (CountsAsHalfOpen) { CountsAsHalfOpen = false; _stack.HalfOpenCount--; }
        State = _finQueued ? TcpState.FinWait1 : TcpState.Established;
        _rexmitCount = 0;
        _rtt.ResetBackoffs();
        if (_sndMax <= _sndUna) _rexmitTimer.Cancel();
        if (Keepalive is not null) _keepaliveTimer.Arm(Now + Ns(Keepalive.After));
        if (_connectWaiter is { } w) { _connectWaiter = null; _stack.Complete(w, Result<TcpFlow, TcpError>.Ok(this)); }
        else if (Listener is { } l) _stack.Accepted(this, l);
    }

    private void ProcessAck(SeqNum seq, SeqNum ack, ushort window, in TcpOptions opt, int payloadLength, TcpFlags flags)
    {
        int newWnd = window << _sndWscale;
        if (ack > _sndUna)
        {
            int flightBefore = _sndMax - _sndUna;
            int acked = ack - _sndUna;
            if (_tsOn && opt.HasTimestamps && opt.TsEcr != 0) _rtt.Sample((long)(TimestampNow - opt.TsEcr) * 1_000_000);
            else if (_timing && ack > _timedSeq) _rtt.Sample(Now - _timedAt);
            if (_timing && ack > _timedSeq) _timing = false;

            int dataAcked = Math.Clamp(ack - _bufferStart, 0, _send.Count);
            _send.Consume(dataAcked);
            _bufferStart += dataAcked;
            _sndUna = ack;
            if (_sndNxt < _sndUna) _sndNxt = _sndUna;
            if (_highRxt < _sndUna) _highRxt = _sndUna;
            _scoreboard.Acknowledge(ack);
            _rexmitCount = 0;
            _rtt.ResetBackoffs();
            _dupAcks = 0;

            if (_inRecovery)
            {
                if (ack >= _recoveryPoint) { _inRecovery = false; _cc.OnRecoveryExit(); }
                else if (!_sackOn) _forcedLossEnd = _sndUna + _sndMss; // RFC 6582 partial ACK: resend the next segment
            }
            else if (flightBefore >= _cc.Cwnd / 2)
            {
                _cc.OnAck(acked, Now, _rtt.SmoothedRtt);
            }

            // RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else restart it.
            if (_sndMax > _sndUna) _rexmitTimer.Arm(Now + _rtt.Rto);
            else _rexmitTimer.Cancel();
            if (_send.Free >= _writeNeed) Wake(ref _writeWaiter);

            if (_finQueued && ack > _finSeq) OurFinAcknowledged();
            if (State == TcpState.Closed) return;
        }
        else if (ack == _sndUna && payloadLength == 0 && newWnd == _sndWnd && _sndMax > _sndUna
                 && (flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0)
        {
            _dupAcks++;
        }

        // Window update (RFC 9293 3.10.7.4): only from a segment newer than the last one that set it.
        if (_sndWl1 < seq || (_sndWl1 == seq && _sndWl2 <= ack))
        {
            _sndWnd = newWnd;
            _sndWl1 = seq; _sndWl2 = ack;
            _maxSndWnd = Math.Max(_maxSndWnd, _sndWnd);
        }

        if (_sackOn)
            for (int i = 0; i < opt.SackCount; i++) _scoreboard.Add(opt.Sack[i], _sndUna, _sndMax);

        if (!_inRecovery && _sndMax > _sndUna && _sndUna >= _recoveryPoint
            && (_dupAcks >= DupThresh || (_sackOn && _scoreboard.LostEdge(_sndUna, DupThresh, _sndMss) > _sndUna)))
            EnterRecovery();
    }

    private void OurFinAcknowledged()
    {
        switch (State)
        {
            case TcpState.FinWait1: State = TcpState.FinWait2; break;
            case TcpState.Closing: EnterTimeWait(); break;
            case TcpState.LastAck: Terminate(null, sendReset: false); break;
        }
    }

    private void ReceiveData(SeqNum seq, ReadOnlySpan<byte> payload, bool fin)
    {
        int advance = _recv.Accept(_rcvNxt, seq, payload, out var outcome);
        _rcvNxt += advance;
        switch (outcome)
        {
            case ReceiveBuffer.Outcome.InOrder:
                if (++_segmentsUnacked >= 2) _ackNow = true; // RFC 1122 4.2.3.2: ACK at least every second full segment
                else if (!_delayedAckTimer.IsArmed) _delayedAckTimer.Arm(Now + Ns(_config.DelayedAckTimeout));
                break;
            case ReceiveBuffer.Outcome.OutOfOrder:
                _stack.Statistics.OutOfOrderQueued++;
                _ackNow = true; // RFC 5681 4.2: out-of-order data and hole fills are ACKed at once
                break;
            case ReceiveBuffer.Outcome.Dropped:
                _stack.Statistics.OutOfOrderDropped++;
                _ackNow = true;
                break;
            default:
                _ackNow = true;
                break;
        }
        if (_readShutdown) _recv.Discard();
        if (advance > 0) Wake(ref _readWaiter);

        if (fin)
        {
            var finSeq = seq + payload.Length;
            if (finSeq == _rcvNxt) ReceiveFin();
            else NoteEarlyFin(finSeq);
        }
        else if (_peerFinPending && _peerFinSeq == _rcvNxt) ReceiveFin();
    }

    private void NoteEarlyFin(SeqNum finSeq)
    {
        if (finSeq > _rcvNxt && finSeq - _rcvNxt <= _recv.Free) { _peerFinPending = true; _peerFinSeq = finSeq; }
        _ackNow = true;
    }

    private void ReceiveFin()
    {
        _peerFinPending = false;
        _peerFinReceived = true;
        _rcvNxt += 1;
        _ackNow = true;
        Wake(ref _readWaiter);
        switch (State)
        {
            case TcpState.Established: State = TcpState.CloseWait; break;
            case TcpState.FinWait1:
                if (_finQueued && _sndUna > _finSeq) EnterTimeWait();
                else State = TcpState.Closing; // simultaneous close
                break;
            case TcpState.FinWait2: EnterTimeWait(); break;
        }
    }
}
