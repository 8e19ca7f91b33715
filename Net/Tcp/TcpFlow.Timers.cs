namespace CosmosNet.Net.Tcp;

/// <summary>
/// The flow's four reusable timers — retransmission/persist, delayed ACK, keepalive, linger (TIME_WAIT and the close
/// timeout) — and the ends of a connection's life.
/// </summary>
public sealed partial class TcpFlow
{
    private readonly Platform.ITimer _rexmitTimer, _delayedAckTimer, _keepaliveTimer, _lingerTimer;
    private int _rexmitCount;      // consecutive timeouts without progress
    private int _persistProbes;    // zero-window probes since the peer was last heard from
    private int _keepaliveProbes;
    private long _lastHeard;

    private void OnRetransmitTimer()
    {
        switch (State)
        {
            case TcpState.SynSent:
            case TcpState.SynReceived:
                if (++_rexmitCount > (State == TcpState.SynSent ? _config.SynRetries : _config.SynAckRetries))
                {
                    Terminate(new TcpError(TcpErrorKind.TimedOut, _softError), sendReset: false);
                    return;
                }
                _stack.Statistics.Retransmissions++;
                _rtt.Backoff();
                if (State == TcpState.SynSent) { _synSentAt = Now; SendSegment(_iss, 0, Wire.TcpFlags.Syn); }
                else SendSegment(_iss, 0, Wire.TcpFlags.Syn | Wire.TcpFlags.Ack);
                _rexmitTimer.Arm(Now + _rtt.Rto);
                return;
            case TcpState.Closed:
            case TcpState.TimeWait:
                return;
        }

        if (_sndMax == _sndUna)
        {
            // Persist: data waits on the peer's window. A closed window gets a probe below SND.UNA that the peer must
            // answer with its current window; a small open one gets what it can take (silly-window override).
            if (_persistProbes++ > _config.MaxRetries)
            {
                Terminate(new TcpError(TcpErrorKind.TimedOut, "peer stopped answering window probes"), sendReset: true);
                return;
            }
            if (_sndWnd == 0)
            {
                _stack.Statistics.ZeroWindowProbes++;
                SendSegment(_sndUna - 1, 0, Wire.TcpFlags.Ack);
            }
            else
            {
                _forceSend = true;
                Output();
                _forceSend = false;
            }
            if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + PersistInterval());
            return;
        }

        // Retransmission timeout (RFC 6298 5.4-5.7, RFC 5681 3.1): back off, collapse the window, go back to SND.UNA.
        _stack.Statistics.RetransmissionTimeouts++;
        if (++_rexmitCount > _config.MaxRetries)
        {
            Terminate(new TcpError(TcpErrorKind.TimedOut, _softError), sendReset: true);
            return;
        }
        _cc.OnTimeout(_sndMax - _sndUna, Now);
        _rtt.Backoff();
        _inRecovery = false;
        _recoveryPoint = _sndMax;
        _highRxt = _sndUna;
        _forcedLossEnd = _sndUna;
        _dupAcks = 0;
        _timing = false;
        _sndNxt = _sndUna;
        _rexmitTimer.Arm(Now + _rtt.Rto);
        Output();
    }

    private void OnDelayedAckTimer()
    {
        if (State.IsSynchronized() && State != TcpState.TimeWait) SendAck();
    }

    private void OnKeepaliveTimer()
    {
        if (Keepalive is not { } ka || !State.IsSynchronized() || State == TcpState.TimeWait) return;
        long idle = Now - _lastHeard;
        if (_keepaliveProbes == 0 && idle < Ns(ka.After))
        {
            _keepaliveTimer.Arm(_lastHeard + Ns(ka.After));
            return;
        }
        if (_keepaliveProbes >= ka.Probes)
        {
            _stack.Statistics.KeepaliveTimeouts++;
            _keepaliveExpired = true; // Mirage: reads then return end-of-stream and writes Closed
            Terminate(null, sendReset: true);
            return;
        }
        _keepaliveProbes++;
        SendSegment(_sndUna - 1, 0, Wire.TcpFlags.Ack); // RFC 1122 4.2.3.6: a segment the peer must acknowledge
        _keepaliveTimer.Arm(Now + Ns(ka.Interval));
    }

    private void OnLingerTimer()
    {
        if (State == TcpState.TimeWait) { Terminate(null, sendReset: false); return; }
        if (State != TcpState.Closed) Terminate(new TcpError(TcpErrorKind.TimedOut, "peer did not close in time"), sendReset: true);
    }

    /// <summary>
    /// RFC 6191 / RFC 9293 3.6.1: in TIME_WAIT a new SYN for the same ports may start a new connection when it cannot be
    /// confused with the old one — its timestamp is newer, or (without timestamps) its sequence number is beyond ours.
    /// </summary>
    internal bool AcceptsNewIncarnation(in Wire.TcpSegment seg, in Wire.TcpOptions opt)
    {
        if (State != TcpState.TimeWait || (seg.Flags & (Wire.TcpFlags.Syn | Wire.TcpFlags.Ack | Wire.TcpFlags.Rst)) != Wire.TcpFlags.Syn)
            return false;
        if (_tsOn && opt.HasTimestamps) return (int)(opt.TsVal - _tsRecent) > 0;
        return new SeqNum(seg.SequenceNumber) > _rcvNxt;
    }

    private void EnterTimeWait()
    {
        State = TcpState.TimeWait;
        _rexmitTimer.Cancel();
        _keepaliveTimer.Cancel();
        _lingerTimer.Arm(Now + 2 * Ns(_config.Msl));
        ReleaseBuffers();
        Wake(ref _closeWaiter);
        WakeAll();
    }

    /// <summary>
    /// In TIME_WAIT everything we sent is acknowledged and nothing more can arrive, so the buffers (hundreds of KiB with
    /// the defaults) go back once the user has read what is left: a busy server keeps many flows in TIME_WAIT.
    /// </summary>
    private void ReleaseBuffers()
    {
        if (_send.Count == 0) _send = _stack.IdleSendBuffer;
        if (_recv.Count == 0 && !_recv.HasOutOfOrderData) _recv = _stack.IdleReceiveBuffer;
    }

    /// <summary>
    /// Ends the connection: optionally sends RST, cancels timers, leaves the stack's table and completes every waiting
    /// operation. <paramref name="error"/> is what reads report (null for an orderly end).
    /// </summary>
    internal void Terminate(TcpError? error, bool sendReset)
    {
        if (State == TcpState.Closed) return;
        if (sendReset && State.IsSynchronized() && State != TcpState.TimeWait)
            _stack.SendReset(Tuple, _sndNxt, default, withAck: false);
        if (error is not null && _error is null) _error = error;
        if (CountsAsHalfOpen) { CountsAsHalfOpen = false; _stack.HalfOpenCount--; }
        State = TcpState.Closed;
        _rexmitTimer.Cancel();
        _delayedAckTimer.Cancel();
        _keepaliveTimer.Cancel();
        _lingerTimer.Cancel();
        _stack.Remove(this);
        if (_connectWaiter is { } c)
        {
            _connectWaiter = null;
            _stack.Complete(c, Result<TcpFlow, TcpError>.Fail(_error ?? new TcpError(TcpErrorKind.Reset)));
        }
        Wake(ref _closeWaiter);
        WakeAll();
    }

    private string? _softError;

    internal bool IsUnacknowledged(SeqNum seq) => seq.InRange(_sndUna, _sndMax);

    internal void IcmpError(Ip.IcmpErrorKind kind, int mtu)
    {
        if (kind == Ip.IcmpErrorKind.FragmentationNeeded)
        {
            int mss = mtu - 40;
            if (mtu > 0 && mss >= 88 && mss < _pathMss) { _pathMss = mss; UpdateMss(); } // path MTU discovery (RFC 1191)
            return;
        }
        _softError = kind.ToString();
        // RFC 1122 4.2.3.9: port and protocol unreachable are hard errors for a connection being opened.
        if (State == TcpState.SynSent && kind is Ip.IcmpErrorKind.PortUnreachable or Ip.IcmpErrorKind.ProtocolUnreachable)
            Terminate(new TcpError(TcpErrorKind.Unreachable, _softError), sendReset: false);
    }

    // ---- receive window and acknowledgement policy ---------------------------------------------------------------

    private int _segmentsUnacked;
    private bool _ackNow;

    /// <summary>
    /// The window field to send. Receiver silly-window avoidance (RFC 1122 4.2.3.3): the right edge only moves once it
    /// can move by min(buffer/2, MSS); it never moves back (RFC 9293 3.8.6.2.2).
    /// </summary>
    private ushort AdvertisedWindow(bool syn)
    {
        if (syn) { _rcvAdvEdge = _rcvNxt + Math.Min(_recv.Free, 65535); return (ushort)Math.Min(_recv.Free, 65535); }
        int win = _recv.Free;
        var edge = _rcvNxt + win;
        if (edge > _rcvAdvEdge && edge - _rcvAdvEdge < Math.Min(_recv.Capacity / 2, _rcvMss))
            win = Math.Max(0, _rcvAdvEdge - _rcvNxt);
        int field = Math.Min(win >> _rcvWscale, 65535);
        _rcvAdvEdge = SeqNum.Max(_rcvAdvEdge, _rcvNxt + (field << _rcvWscale));
        return (ushort)field;
    }

    /// <summary>After the user reads: tell the peer when the window has opened usefully (and always out of a zero window).</summary>
    private void AfterUserRead()
    {
        if (!State.CanReceiveData()) return;
        int advertised = Math.Max(0, _rcvAdvEdge - _rcvNxt);
        int gain = (_rcvNxt + _recv.Free) - _rcvAdvEdge;
        if (advertised < _recv.Capacity / 2 && gain >= Math.Min(_recv.Capacity / 2, _rcvMss)) SendAck();
    }
}
