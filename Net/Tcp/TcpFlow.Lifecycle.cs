namespace CosmosNet.Net.Tcp;

/// <summary>
/// A connection's life: opening, the one place its state changes (<see cref="Transition"/>) with what entering
/// TIME_WAIT and CLOSED implies, the timer handlers (retransmission/persist, delayed ACK, keepalive, linger), and the
/// ICMP errors the stack routes to it.
/// </summary>
public sealed partial class TcpFlow
{
    // ---- opening ----------------------------------------------------------------------------------------------

    /// <summary>Active open: sends the SYN; the task completes when established or failed.</summary>
    internal Task<Result<TcpFlow, TcpError>> Open()
    {
        Transition(TcpEvent.ActiveOpen);
        _connectWaiter = new(_stack.CaptureContext());
        var task = _connectWaiter.Task;
        SendSyn();
        return task;
    }

    /// <summary>Passive open: a SYN arrived for a listener; the caller sends the SYN-ACK.</summary>
    internal void AcceptSyn(SeqNum peerIsn, in Wire.TcpOptions opt, TcpListener listener)
    {
        Transition(TcpEvent.PassiveOpen);
        Listener = listener;
        _rcv.Synchronize(peerIsn);
        NegotiateOptions(opt);
        if (opt.HasTimestamps && _ts.Enabled) _ts.Record(opt.TsVal, Now);
        _snd.SynSent();
    }

    /// <summary>A valid SYN cookie came back: the connection starts established, without window scaling, SACK or timestamps.</summary>
    internal void AcceptCookie(SeqNum peerIsn, int peerMss, ushort window, TcpListener listener)
    {
        Transition(TcpEvent.PassiveOpen);
        Listener = listener;
        _rcv.Synchronize(peerIsn);
        _mtu.PeerAnnounced(peerMss);
        _windowScaling = false; _snd.SetScale(0); _rcv.DisableScaling();
        _ts.Enabled = false; _loss.Sack = false;
        UpdateMss();
        _snd.SynSent();
        _rcv.OfferInSyn(_recv.Free); // what the cookie SYN-ACK advertised (the initial window)
        UpdatePromise();
        _snd.AssumeWindow(window);
    }

    private void EnterEstablished()
    {
        if (CountsAsHalfOpen) { CountsAsHalfOpen = false; _stack.HalfOpenCount--; }
        Transition(TcpEvent.HandshakeDone);
        if (_snd.FinQueued) Transition(TcpEvent.Close); // the user closed during the handshake
        _rexmit.Progress();
        _loss.Rtt.ResetBackoffs();
        if (!_snd.HasOutstanding) _rexmit.Stop();
        _keepalive.Start(Now);
        if (_connectWaiter is { } w) { _connectWaiter = null; _stack.Complete(w, Result<TcpFlow, TcpError>.Ok(this)); }
        else if (Listener is { } l) _stack.Accepted(this, l);
    }

    // ---- state changes ----------------------------------------------------------------------------------------

    /// <summary>
    /// The one place the connection state changes: the next state comes from the table in <see cref="TcpStateExtensions.Next"/>;
    /// entering TIME_WAIT or CLOSED runs what those states imply, whatever led there.
    /// </summary>
    private void Transition(TcpEvent e)
    {
        var next = State.Next(e);
        if (next == State) return;
        State = next;
        if (next == TcpState.TimeWait) EnteredTimeWait();
        else if (next == TcpState.Closed) EnteredClosed();
    }

    /// <summary>
    /// From here on the stack answers for this connection from a small TIME_WAIT record, not from the flow: the flow
    /// leaves the table with its timers stopped (the user may still read what is left in its buffer).
    /// </summary>
    private void EnteredTimeWait()
    {
        _rexmit.Stop();
        _keepalive.Stop();
        _ack.Stop();
        _end.Stop();
        UpdatePromise();
        _stack.EnterTimeWait(this, new TimeWaitTable.Record
        {
            SendNext = _snd.Max, ReceiveNext = _rcv.Next, Initial = _snd.Initial, TsRecent = _ts.Recent, Timestamps = _ts.Enabled,
            Window = (ushort)Math.Min(_rcv.Window >> _rcv.Scale, 65535),
        });
        WakeCloser();
        WakeAll();
    }

    /// <summary>
    /// Cancels the timers, gives back the buffers' memory (what was queued will not be sent; what is still readable
    /// stays readable, unless the connection was aborted), leaves the stack's table and completes every waiting operation.
    /// </summary>
    private void EnteredClosed()
    {
        if (CountsAsHalfOpen) { CountsAsHalfOpen = false; _stack.HalfOpenCount--; }
        _rexmit.Stop();
        _ack.Stop();
        _keepalive.Stop();
        _end.Stop();
        _send.Release();
        _recv.Release(unread: Error?.Kind == TcpErrorKind.Aborted);
        UpdatePromise();
        _stack.Remove(this);
        if (_connectWaiter is { } c)
        {
            _connectWaiter = null;
            _stack.Complete(c, Result<TcpFlow, TcpError>.Fail(Error ?? new TcpError(TcpErrorKind.Reset)));
        }
        WakeCloser();
        WakeAll();
    }

    /// <summary>
    /// Ends the connection now, optionally sending RST. <paramref name="error"/> is what reads report (null for an
    /// orderly end).
    /// </summary>
    internal void Terminate(TcpError? error, bool sendReset)
    {
        if (State == TcpState.Closed) return;
        if (sendReset && State.IsSynchronized() && State != TcpState.TimeWait)
        {
            // Best effort, like any segment: a RST that cannot be sent (no memory for the frame) must not keep the flow.
            try { _stack.SendReset(Tuple, _snd.Next, default, withAck: false); }
            catch (Exception) { _stack.Statistics.Faults++; }
        }
        _end.Fail(error);
        Transition(TcpEvent.Abort);
    }

    // ---- timers -----------------------------------------------------------------------------------------------

    private enum FlowTimer { Retransmit, DelayedAck, Keepalive, Linger }

    /// <summary>Every timer of the flow fires here: a fault in one resets this flow only (<see cref="TcpStack.Contain"/>).</summary>
    private void OnTimer(FlowTimer timer)
    {
        try
        {
            switch (timer)
            {
                case FlowTimer.Retransmit: OnRetransmitTimer(); break;
                case FlowTimer.DelayedAck: OnDelayedAckTimer(); break;
                case FlowTimer.Keepalive: OnKeepaliveTimer(); break;
                default: OnLingerTimer(); break;
            }
        }
        catch (Exception e) { _stack.Contain(this, e, $"the {timer} timer of {Tuple}"); }
    }

    private void OnRetransmitTimer()
    {
        switch (State)
        {
            case TcpState.SynSent:
            case TcpState.SynReceived:
                if (_rexmit.CountTimeout() > (State == TcpState.SynSent ? _config.SynRetries : _config.SynAckRetries))
                {
                    Terminate(new TcpError(TcpErrorKind.TimedOut, _end.SoftError), sendReset: false);
                    return;
                }
                _stack.Statistics.Retransmissions++;
                _retransmits++;
                _loss.Rtt.Backoff();
                if (State == TcpState.SynSent) { _loss.SynSent(Now); SendSegment(_snd.Initial, 0, Wire.TcpFlags.Syn); }
                else SendSegment(_snd.Initial, 0, Wire.TcpFlags.Syn | Wire.TcpFlags.Ack);
                _rexmit.Restart(Now + _loss.Rtt.Rto);
                return;
            case TcpState.Closed:
            case TcpState.TimeWait:
                return;
        }

        if (_snd.Outstanding == 0)
        {
            // Persist: data waits on the peer's window. A closed window gets a probe below SND.UNA that the peer must
            // answer with its current window; a small open one gets what it can take (silly-window override).
            if (_rexmit.CountProbe() > _config.MaxRetries)
            {
                Terminate(new TcpError(TcpErrorKind.TimedOut, "peer stopped answering window probes"), sendReset: true);
                return;
            }
            if (_snd.Window == 0)
            {
                _stack.Statistics.ZeroWindowProbes++;
                SendSegment(_snd.Unacknowledged - 1, 0, Wire.TcpFlags.Ack);
            }
            else
            {
                _forceSend = true;
                Output();
                _forceSend = false;
            }
            _rexmit.Start(Now + _rexmit.PersistInterval(_loss.Rtt.Rto));
            return;
        }

        // Retransmission timeout (RFC 6298 5.4-5.7, RFC 5681 3.1): back off, collapse the window, go back to SND.UNA.
        _stack.Statistics.RetransmissionTimeouts++;
        if (_rexmit.CountTimeout() > _config.MaxRetries)
        {
            Terminate(new TcpError(TcpErrorKind.TimedOut, _end.SoftError), sendReset: true);
            return;
        }
        _loss.TimedOut(_snd.Unacknowledged, _snd.Max, Now);
        _snd.Rewind();
        _rexmit.Restart(Now + _loss.Rtt.Rto);
        Output();
    }

    private void OnDelayedAckTimer()
    {
        if (State.IsSynchronized() && State != TcpState.TimeWait) SendAck();
    }

    private void OnKeepaliveTimer()
    {
        if (!State.IsSynchronized() || State == TcpState.TimeWait) return;
        switch (_keepalive.OnTimer(Now))
        {
            case KeepaliveAction.SendProbe:
                SendSegment(_snd.Unacknowledged - 1, 0, Wire.TcpFlags.Ack); // RFC 1122 4.2.3.6: a segment the peer must acknowledge
                break;
            case KeepaliveAction.GiveUp:
                _stack.Statistics.KeepaliveTimeouts++;
                Terminate(null, sendReset: true); // reads then return end-of-stream and writes Closed (Mirage)
                break;
        }
    }

    private void OnLingerTimer()
    {
        if (State is not (TcpState.Closed or TcpState.TimeWait)) Terminate(new TcpError(TcpErrorKind.TimedOut, "peer did not close in time"), sendReset: true);
    }

    // ---- ICMP -------------------------------------------------------------------------------------------------

    internal bool IsUnacknowledged(SeqNum seq) => _snd.IsUnacknowledged(seq);

    /// <summary>An ICMP error quoting one of our unacknowledged segments (the stack checked that).</summary>
    internal void IcmpError(Ip.IcmpErrorKind kind, int mtu)
    {
        if (kind == Ip.IcmpErrorKind.FragmentationNeeded)
        {
            if (_mtu.FragmentationNeeded(mtu)) UpdateMss(); // path MTU discovery (RFC 1191)
            return;
        }
        _end.SoftFailure(kind.ToString());
        // RFC 1122 4.2.3.9: port and protocol unreachable are hard errors for a connection being opened.
        if (State == TcpState.SynSent && kind is Ip.IcmpErrorKind.PortUnreachable or Ip.IcmpErrorKind.ProtocolUnreachable)
            Terminate(new TcpError(TcpErrorKind.Unreachable, _end.SoftError), sendReset: false);
    }
}
