using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Tcp;

/// <summary>
/// What to send and when: new data under the congestion and receive windows with Nagle (RFC 1122 4.2.3.4) and
/// sender-side silly-window avoidance, SACK-based loss recovery (RFC 6675, NewReno partial-ACK rule of RFC 6582 when
/// the peer does not SACK), and the assembly of each segment straight from the send buffer.
/// </summary>
public sealed partial class TcpFlow
{
    private const int DupThresh = 3;
    private const int MaxBurst = 64; // segments per Output call: bounds the work done in one input event

    private bool _inRecovery;
    private SeqNum _recoveryPoint;    // RFC 6582 "recover": SND.MAX when loss recovery (or a timeout) began
    private SeqNum _highRxt;          // RFC 6675 HighRxt: highest sequence number retransmitted in this recovery
    private SeqNum _forcedLossEnd;    // bytes below this count as lost even without SACK evidence
    private int _dupAcks;
    private bool _forceSend;          // the persist timer overrides silly-window avoidance once
    private bool _timing;             // Karn: one unretransmitted segment being timed when there are no timestamps
    private SeqNum _timedSeq;
    private long _timedAt;
    private long _synSentAt;

    private SeqNum DataEnd => _bufferStart + _send.Count;

    /// <summary>Sends whatever the windows, Nagle and recovery allow, then sets the retransmit or persist timer.</summary>
    internal void Output()
    {
        if (State is TcpState.Closed or TcpState.SynSent or TcpState.SynReceived or TcpState.TimeWait) return;
        for (int i = 0; i < MaxBurst; i++)
            if (!(_inRecovery ? SendInRecovery() : SendNext(_cc.Cwnd - Flight()))) break;
        UpdateRetransmitTimer();
        if (_writeWaiter is not null && _writeNeed == int.MaxValue && _sndMax >= _pushEdge) Wake(ref _writeWaiter); // nodelay write sent
    }

    /// <summary>Bytes in flight outside recovery: sent (up to SND.NXT), unacknowledged and not SACKed.</summary>
    private int Flight() => _scoreboard.Unsacked(_sndUna, _sndNxt);

    private SeqNum LostEdge()
    {
        var edge = _sackOn ? _scoreboard.LostEdge(_sndUna, DupThresh, _sndMss) : _sndUna;
        return SeqNum.Max(edge, SeqNum.Min(_forcedLossEnd, _sndMax));
    }

    /// <summary>RFC 6675 SetPipe: un-SACKed bytes in flight, minus those deemed lost and not yet retransmitted.</summary>
    private int Pipe()
    {
        int outstanding = _scoreboard.Unsacked(_sndUna, _sndMax);
        var from = SeqNum.Max(_highRxt, _sndUna);
        var lost = LostEdge();
        int pipe = outstanding - (lost > from ? _scoreboard.Unsacked(from, lost) : 0);
        if (!_sackOn) pipe -= Math.Min(_dupAcks * _sndMss, pipe); // each duplicate ACK: one segment left the network
        return Math.Max(pipe, 0);
    }

    private void EnterRecovery()
    {
        _stack.Statistics.FastRecoveries++;
        _inRecovery = true;
        _recoveryPoint = _sndMax;
        _highRxt = _sndUna;
        _forcedLossEnd = _sndUna + _sndMss; // RFC 6675 5 step 4: the first unacknowledged segment is resent at once
        _timing = false;
        _cc.OnCongestionEvent(_sndMax - _sndUna, Now);
    }

    /// <summary>RFC 6675 NextSeg under the pipe limit: lost holes first, then new data.</summary>
    private bool SendInRecovery()
    {
        int room = _cc.Cwnd - Pipe();
        if (room < _sndMss) return false;
        var from = SeqNum.Max(_highRxt, _sndUna);
        if (_scoreboard.NextHole(from, LostEdge(), out var hole, out var holeEnd))
        {
            int len = Math.Min(Math.Min(holeEnd - hole, _sndMss), Math.Max(DataEnd - hole, 0));
            bool fin = _finQueued && hole + len == _finSeq && hole + len < _sndMax;
            if (len == 0 && !fin) { _highRxt = holeEnd; return true; }
            Transmit(hole, len, fin);
            _highRxt = hole + len + (fin ? 1 : 0);
            return true;
        }
        if (_sndNxt < _sndMax) _sndNxt = _sndMax;
        return SendNext(room);
    }

    /// <summary>Sends the next segment at SND.NXT if the windows and Nagle allow; false when nothing was sent.</summary>
    private bool SendNext(int cwndRoom)
    {
        var s = _scoreboard.SkipSacked(_sndNxt);
        if (s > _sndNxt) _sndNxt = s;
        bool retransmitting = s < _sndMax;
        int avail = DataEnd - s;
        bool finPending = _finQueued && s <= _finSeq;
        if (avail <= 0 && !finPending) return false;

        int room = Math.Min((_sndUna + _sndWnd) - s, cwndRoom);
        if (_forceSend && room <= 0 && _sndWnd > 0) room = Math.Min(_sndUna + _sndWnd - s, _sndMss);
        int len = Math.Max(0, Math.Min(Math.Min(avail, _sndMss), room));
        if (retransmitting && _scoreboard.NextHole(s, _sndMax, out _, out var holeEnd)) len = Math.Min(len, holeEnd - s);
        bool fin = finPending && s + len == _finSeq; // FIN carries no data, so it goes even when the windows are full
        if (len == 0 && !fin) return false;

        if (!retransmitting && !fin && len < _sndMss && !_forceSend)
        {
            if (len < avail)
            {
                // Sender silly-window avoidance: a window-limited runt waits for a useful window (or the persist timer).
                if (len < _maxSndWnd / 2) return false;
            }
            else if (_sndNxt > _sndUna && s + len > _pushEdge)
            {
                return false; // Nagle: a small segment waits while data is unacknowledged, unless written with nodelay
            }
        }

        Transmit(s, len, fin);
        _sndNxt = s + len + (fin ? 1 : 0);
        if (_sndNxt > _sndMax) _sndMax = _sndNxt;
        _forceSend = false;
        return true;
    }

    /// <summary>Builds and sends one segment of up to <paramref name="len"/> bytes starting at <paramref name="seq"/>.</summary>
    private void Transmit(SeqNum seq, int len, bool fin)
    {
        bool retransmission = seq < _sndMax;
        if (retransmission)
        {
            _stack.Statistics.Retransmissions++;
            _timing = false; // Karn's algorithm
        }
        else if (!_timing && !_tsOn)
        {
            _timing = true; _timedSeq = seq; _timedAt = Now;
        }
        var flags = TcpFlags.Ack | (fin ? TcpFlags.Fin : 0);
        if (len > 0 && seq + len >= DataEnd) flags |= TcpFlags.Psh;
        SendSegment(seq, len, flags);
        if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + _rtt.Rto); // RFC 6298 5.1
    }

    /// <summary>
    /// One timer serves retransmission and persist: it runs while anything is unacknowledged (RFC 6298) or while data
    /// waits on a closed or silly-small window with nothing in flight (the persist timer); its handler tells them apart.
    /// </summary>
    private void UpdateRetransmitTimer()
    {
        bool outstanding = _sndMax > _sndUna;
        bool waiting = DataEnd > _sndNxt || (_finQueued && _sndNxt <= _finSeq);
        if (outstanding) { if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + _rtt.Rto); }
        else if (waiting) { if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + PersistInterval()); }
        else _rexmitTimer.Cancel();
    }

    private long PersistInterval() =>
        Math.Clamp(_rtt.Rto << Math.Min(_persistProbes, 10), Ns(_config.MinRto), Ns(_config.MaxRto));

    // ---- segment assembly --------------------------------------------------------------------------------------

    private uint TimestampNow => (uint)(Now / 1_000_000) + _tsOffset;

    /// <summary>The one place segments of this flow are built: options, window, payload from the send buffer, checksum.</summary>
    private void SendSegment(SeqNum seq, int len, TcpFlags flags)
    {
        var opt = TcpOptions.None;
        bool syn = (flags & TcpFlags.Syn) != 0;
        if (syn)
        {
            opt.Mss = (ushort)Math.Min(_rcvMss, 65535);
            if (_config.WindowScaling && (State == TcpState.SynSent || _wscaleOn)) opt.WindowScale = (sbyte)_rcvWscale;
            opt.SackPermitted = _config.Sack && (State == TcpState.SynSent || _sackOn);
            if (_config.Timestamps && (State == TcpState.SynSent || _tsOn))
            {
                opt.HasTimestamps = true; opt.TsVal = TimestampNow; opt.TsEcr = State == TcpState.SynSent ? 0 : _tsRecent;
            }
        }
        else
        {
            if (_tsOn) { opt.HasTimestamps = true; opt.TsVal = TimestampNow; opt.TsEcr = _tsRecent; }
            if (_sackOn && _recv.HasOutOfOrderData)
            {
                int maxBlocks = _tsOn ? 3 : 4;
                // Data segments carry SACK blocks only as far as the peer's MSS leaves room.
                if (len > 0) maxBlocks = Math.Min(maxBlocks, (Math.Min(_peerMss, _pathMss) - len - (_tsOn ? 12 : 0) - 4) / 8);
                if (maxBlocks > 0) opt.SackCount = _recv.FillSackBlocks(ref opt.Sack, maxBlocks);
            }
        }

        var buffer = _stack.SegmentBuffer;
        int optLen = opt.Write(buffer.AsSpan(TcpSegment.MinHeaderLength));
        if (len > 0) _send.CopyTo(seq - _bufferStart, buffer.AsSpan(TcpSegment.MinHeaderLength + optLen, len));
        uint ackNumber = 0;
        ushort window = 0;
        if ((flags & TcpFlags.Ack) != 0)
        {
            ackNumber = _rcvNxt.Value;
            window = AdvertisedWindow(syn);
            _lastAckSent = _rcvNxt;
            _segmentsUnacked = 0;
            _ackNow = false;
            _delayedAckTimer.Cancel();
        }
        else if (syn)
        {
            window = (ushort)Math.Min(_recv.Free, 65535);
        }
        int length = TcpSegment.WriteHeader(buffer, Tuple.LocalPort, Tuple.RemotePort, seq.Value, ackNumber, flags, window,
            optLen, len, Tuple.LocalAddress, Tuple.RemoteAddress);
        _stack.Send(Tuple.RemoteAddress, buffer.AsSpan(0, length));
    }

    private void SendSynAck()
    {
        _synSentAt = Now;
        SendSegment(_iss, 0, TcpFlags.Syn | TcpFlags.Ack);
        if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + _rtt.Rto);
    }

    internal void SendSyn()
    {
        _synSentAt = Now;
        SendSegment(_iss, 0, TcpFlags.Syn);
        _sndNxt = _sndMax = _iss + 1;
        if (!_rexmitTimer.IsArmed) _rexmitTimer.Arm(Now + _rtt.Rto);
    }

    /// <summary>A pure ACK (or, before the handshake completes, the SYN-ACK again).</summary>
    internal void SendAck()
    {
        if (State == TcpState.SynReceived) { SendSynAck(); return; }
        if (State is TcpState.Closed or TcpState.SynSent) return;
        // SND.MAX, not SND.NXT: while resending after a timeout SND.NXT is behind what the peer has seen, and an ACK
        // with an old sequence number would fail the peer's acceptability test and be ignored.
        SendSegment(_sndMax, 0, TcpFlags.Ack);
    }

    /// <summary>RFC 5961 7: challenge ACKs are rate-limited per stack so they cannot be used to amplify or probe.</summary>
    private void ChallengeAck()
    {
        if (_stack.AllowChallengeAck()) { _stack.Statistics.ChallengeAcksSent++; SendAck(); }
        else _stack.Statistics.ChallengeAcksSuppressed++;
    }
}
