using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// Segment arrival (RFC 9293 3.10.7), with RFC 7323 PAWS and RFC 5961 protections: checks a segment against the
/// sequence spaces, then routes its ACK to the send side and loss recovery, its data and FIN to the receive side and
/// the ACK policy, and its state changes to <see cref="Transition"/>.
/// </summary>
public sealed partial class TcpFlow
{
    internal void Input(in TcpSegment seg, in TcpOptions opt)
    {
        _keepalive.Heard(Now);
        _rexmit.Heard();
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
        if ((flags & TcpFlags.Syn) != 0 && State == TcpState.SynReceived && seq == _rcv.Initial)
        {
            flags &= ~TcpFlags.Syn;
            seq += 1;
            if ((flags & TcpFlags.Ack) == 0) { SendSynAck(); return; }
        }

        bool pureAck = payload.IsEmpty && (flags & (TcpFlags.Syn | TcpFlags.Fin | TcpFlags.Rst)) == 0;
        if (_ts.Enabled && opt.HasTimestamps && (flags & TcpFlags.Rst) == 0 && _ts.IsOld(opt.TsVal, Now) && !IsDisorderedAck(seg, opt, pureAck))
        {
            _stack.Statistics.PawsRejected++;
            if (!pureAck) SendAck(); // answering stale pure ACKs could start an ACK war; they carry nothing to recover
            return;
        }

        int segLen = payload.Length + ((flags & TcpFlags.Syn) != 0 ? 1 : 0) + ((flags & TcpFlags.Fin) != 0 ? 1 : 0);
        if (!_rcv.Acceptable(seq, segLen, _recv.Free))
        {
            // A zero window still takes the ACK and RST of a segment at RCV.NXT (RFC 9293 3.10.7.4).
            bool ackOnly = _rcv.Window == 0 && seq == _rcv.Next;
            if (!ackOnly)
            {
                _stack.Statistics.OutOfWindow++;
                if ((flags & TcpFlags.Rst) == 0) SendAck();
                return;
            }
            payload = default;
            flags &= ~TcpFlags.Fin;
        }

        // RFC 5961 3: only an exact RCV.NXT match resets; any other in-window RST gets a challenge ACK.
        if ((flags & TcpFlags.Rst) != 0)
        {
            if (seq != _rcv.Next) { ChallengeAck(); return; }
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
            if (ack <= _snd.Unacknowledged || ack > _snd.Max) { _stack.SendReset(Tuple, ack, default, withAck: false); return; }
            _snd.SetWindow(seq, ack, _snd.Scaled(seg.Window));
            EnterEstablished();
        }

        if (!_snd.AcceptsAck(ack))
        {
            ChallengeAck();
            return;
        }

        if (opt.HasTimestamps && _ts.Enabled && seq <= _rcv.LastAckSent && _ts.MayAdvanceTo(opt.TsVal)) _ts.Record(opt.TsVal, Now);

        ProcessAck(seq, ack, seg.Window, opt, payload.Length, flags);
        if (State == TcpState.Closed) return;

        if (!payload.IsEmpty && State.CanReceiveData()) ReceiveData(seq, payload, (flags & TcpFlags.Fin) != 0);
        else if ((flags & TcpFlags.Fin) != 0 && State.CanReceiveData())
        {
            if (seq == _rcv.Next) ReceiveFin();
            else NoteEarlyFin(seq);
        }
        else if (!payload.IsEmpty) _ack.Quick(); // data after the peer's FIN, or after we stopped receiving: just ACK

        Output();
        if (_ack.AckNow) SendAck();
    }

    /// <summary>
    /// A duplicate ACK merely overtaken by a newer segment (Linux's "disordered ACK"): at RCV.NXT, acknowledging SND.UNA,
    /// same window, timestamp less than one RTO old. PAWS lets it through so it still counts towards fast retransmit.
    /// </summary>
    private bool IsDisorderedAck(in TcpSegment seg, in TcpOptions opt, bool pureAck) =>
        pureAck && (seg.Flags & TcpFlags.Ack) != 0 && new SeqNum(seg.SequenceNumber) == _rcv.Next
        && new SeqNum(seg.AckNumber) == _snd.Unacknowledged && _snd.Scaled(seg.Window) == _snd.Window
        && (long)(_ts.Recent - opt.TsVal) * 1_000_000 <= _loss.Rtt.Rto;

    private void InputSynSent(in TcpSegment seg, in TcpOptions opt)
    {
        var flags = seg.Flags;
        var seq = new SeqNum(seg.SequenceNumber);
        var ack = new SeqNum(seg.AckNumber);
        bool hasAck = (flags & TcpFlags.Ack) != 0;
        if (hasAck && (ack <= _snd.Initial || ack > _snd.Max))
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

        _rcv.Synchronize(seq);
        _rcv.OfferInSyn(OfferableWindow()); // what our SYN offered
        UpdatePromise();
        NegotiateOptions(opt);
        if (opt.HasTimestamps && _ts.Enabled) _ts.Record(opt.TsVal, Now);
        if (hasAck)
        {
            _loss.SynAcknowledged(retransmitted: _rexmit.Timeouts != 0, Now);
            _snd.SynAcknowledged(ack);
            _snd.SetWindow(seq, ack, seg.Window); // never scaled in a SYN segment (RFC 7323 2.2)
            EnterEstablished();
            SendAck();
            Output();
        }
        else
        {
            Transition(TcpEvent.SimultaneousOpen);
            SendSynAck();
        }
    }

    /// <summary>Applies the options of the peer's SYN (RFC 7323, RFC 2018, RFC 9293 MSS).</summary>
    private void NegotiateOptions(in TcpOptions opt)
    {
        if (opt.Mss != 0) _mtu.PeerAnnounced(Math.Max((int)opt.Mss, 64));
        _windowScaling = _config.WindowScaling && opt.HasWindowScale;
        if (_windowScaling) _snd.SetScale(opt.WindowScale);
        else { _snd.SetScale(0); _rcv.DisableScaling(); }
        _ts.Enabled = _config.Timestamps && opt.HasTimestamps;
        _loss.Sack = _config.Sack && opt.SackPermitted;
        UpdateMss();
    }

    private void UpdateMss() => _loss.SetMss(_mtu.Update(_ts.Overhead));

    private void ProcessAck(SeqNum seq, SeqNum ack, ushort window, in TcpOptions opt, int payloadLength, TcpFlags flags)
    {
        int newWnd = _snd.Scaled(window);
        if (ack > _snd.Unacknowledged)
        {
            long? timestampRtt = _ts.Enabled && opt.HasTimestamps && opt.TsEcr != 0 ? _ts.RttSample(opt.TsEcr, Now) : null;
            var una = _snd.Unacknowledged;
            _send.Consume(_snd.Acknowledge(ack, _send.Count));
            _loss.Acknowledged(una, ack, _snd.Max, timestampRtt, Now);
            _rexmit.Progress();

            // RFC 6298 5.2/5.3: stop the timer when everything is acknowledged, else restart it.
            if (_snd.HasOutstanding) _rexmit.Restart(Now + _loss.Rtt.Rto);
            else _rexmit.Stop();
            UpdateSendLimit();
            if (WriterMayContinue) _writable.Wake();

            if (_snd.FinAcknowledgedBy(ack)) Transition(TcpEvent.FinAcknowledged);
            if (State == TcpState.Closed) return;
        }
        else if (ack == _snd.Unacknowledged && payloadLength == 0 && newWnd == _snd.Window && _snd.HasOutstanding
                 && (flags & (TcpFlags.Syn | TcpFlags.Fin)) == 0)
        {
            _loss.DuplicateAck();
        }

        _snd.UpdateWindow(seq, ack, newWnd);
        _loss.Sacked(opt, _snd.Unacknowledged, _snd.Max);
        if (_loss.LossDetected(_snd.Unacknowledged, _snd.Max))
        {
            _stack.Statistics.FastRecoveries++;
            _loss.EnterRecovery(_snd.Unacknowledged, _snd.Max, Now);
        }
    }

    private void ReceiveData(SeqNum seq, ReadOnlySpan<byte> payload, bool fin)
    {
        int advance = _recv.Accept(_rcv.Next, seq, payload, out var outcome);
        _rcv.Advance(advance);
        switch (outcome)
        {
            case ReceiveBuffer.Outcome.InOrder:
                _ack.InOrderData(Now, advance, _mtu.LocalMss);
                break;
            case ReceiveBuffer.Outcome.OutOfOrder:
                _stack.Statistics.OutOfOrderQueued++;
                _ack.Quick(); // RFC 5681 4.2: out-of-order data and hole fills are ACKed at once
                break;
            case ReceiveBuffer.Outcome.Dropped:
                _stack.Statistics.OutOfOrderDropped++;
                _ack.Quick();
                break;
            case ReceiveBuffer.Outcome.NoMemory:
                _stack.Statistics.ReceiveDroppedNoMemory++; // in the window, so the peer resends it
                _ack.Quick();
                break;
            default:
                _ack.Quick();
                break;
        }
        if (_readShutdown) _recv.Discard();
        if (advance > 0) _readable.Wake();

        if (fin)
        {
            var finSeq = seq + payload.Length;
            if (finSeq == _rcv.Next) ReceiveFin();
            else NoteEarlyFin(finSeq);
        }
        else if (_rcv.EarlyFinDue) ReceiveFin();
    }

    private void NoteEarlyFin(SeqNum finSeq)
    {
        _rcv.NoteEarlyFin(finSeq, _recv.Free);
        _ack.Quick();
    }

    private void ReceiveFin()
    {
        _rcv.AcceptFin();
        _ack.Quick();
        _readable.Wake();
        if (State == TcpState.FinWait1 && _snd.FinAcknowledgedBy(_snd.Unacknowledged)) Transition(TcpEvent.FinAcknowledged);
        Transition(TcpEvent.FinReceived);
    }
}
