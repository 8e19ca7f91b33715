using System.Buffers.Binary;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Ip;

/// <summary>
/// ICMP for the interface: answers echo requests, turns incoming errors into <see cref="IcmpErrorKind"/> for the transport
/// that sent the offending packet, and sends errors within the rules of RFC 1122 3.2.2 and a rate limit.
/// </summary>
internal sealed class IcmpResponder
{
    private readonly NetworkInterface _interface;
    private readonly IClock _clock;
    private readonly IpOptions _options;
    private readonly NetStatistics _stats;
    private byte[] _scratch = new byte[1500];
    private long _tokens;
    private long _tokensRefilledAt;

    public IcmpResponder(NetworkInterface networkInterface, IClock clock, IpOptions options, NetStatistics stats)
    {
        _interface = networkInterface;
        _clock = clock;
        _options = options;
        _stats = stats;
        _tokens = options.IcmpErrorsPerSecond;
        _tokensRefilledAt = clock.NowNanoseconds;
    }

    /// <summary>Raised for each echo reply received: source, identifier, sequence number.</summary>
    public event Action<Ipv4Address, ushort, ushort>? EchoReplyReceived;

    public void Receive(Ipv4Address source, Ipv4Address destination, bool unicast, ReadOnlySpan<byte> bytes)
    {
        _stats.Increment(NetCounter.IcmpReceived);
        var error = IcmpMessage.TryParse(bytes, out var message);
        if (error != WireError.None)
        {
            _stats.Increment(error == WireError.BadChecksum ? NetCounter.IcmpBadChecksum : NetCounter.IcmpMalformed);
            return;
        }
        switch (message.Type)
        {
            case IcmpType.EchoRequest:
                _stats.Increment(NetCounter.IcmpEchoRequests);
                if (!unicast) return; // no answers to broadcast pings (smurf amplification)
                var reply = Scratch(bytes.Length);
                int length = IcmpMessage.Write(reply, IcmpType.EchoReply, 0, BinaryPrimitives.ReadUInt32BigEndian(message.RestOfHeader), message.Data);
                if (_interface.Send(destination, source, (byte)IpProtocol.Icmp, reply[..length])) _stats.Increment(NetCounter.IcmpEchoRepliesSent);
                return;
            case IcmpType.EchoReply:
                _stats.Increment(NetCounter.IcmpEchoRepliesReceived);
                EchoReplyReceived?.Invoke(source, message.Identifier, message.SequenceNumber);
                return;
            case IcmpType.DestinationUnreachable or IcmpType.TimeExceeded or IcmpType.ParameterProblem:
                _stats.Increment(NetCounter.IcmpErrorsReceived);
                if (Ipv4Packet.TryParseQuoted(message.Data, out var quoted) != WireError.None || quoted.FragmentOffset != 0)
                {
                    _stats.Increment(NetCounter.IcmpMalformed);
                    return;
                }
                var kind = message.Type switch
                {
                    IcmpType.TimeExceeded => IcmpErrorKind.TimeExceeded,
                    IcmpType.ParameterProblem => IcmpErrorKind.ParameterProblem,
                    _ => UnreachableKind(message.Code),
                };
                _interface.DeliverIcmpError(kind, quoted, kind == IcmpErrorKind.FragmentationNeeded ? message.NextHopMtu : 0);
                return;
            case IcmpType.SourceQuench or IcmpType.Redirect:
                // Deprecated (RFC 6633) / not acted upon by this host: counted, not obeyed.
                _stats.Increment(NetCounter.IcmpErrorsIgnored);
                return;
            default:
                _stats.Increment(NetCounter.IcmpUnknownType);
                return;
        }
    }

    private static IcmpErrorKind UnreachableKind(byte code) => (IcmpUnreachableCode)code switch
    {
        IcmpUnreachableCode.Net or IcmpUnreachableCode.NetUnknown => IcmpErrorKind.NetUnreachable,
        IcmpUnreachableCode.Protocol => IcmpErrorKind.ProtocolUnreachable,
        IcmpUnreachableCode.Port => IcmpErrorKind.PortUnreachable,
        IcmpUnreachableCode.FragmentationNeeded => IcmpErrorKind.FragmentationNeeded,
        IcmpUnreachableCode.SourceRouteFailed => IcmpErrorKind.SourceRouteFailed,
        IcmpUnreachableCode.NetProhibited or IcmpUnreachableCode.HostProhibited or IcmpUnreachableCode.AdministrativelyProhibited
            => IcmpErrorKind.AdministrativelyProhibited,
        _ => IcmpErrorKind.HostUnreachable,
    };

    /// <summary>
    /// Sends an ICMP error about a received packet, quoting its header and the start of its payload. Never about an ICMP
    /// error, a non-initial fragment, or a packet from a non-unicast source (RFC 1122 3.2.2); at most
    /// <see cref="IpOptions.IcmpErrorsPerSecond"/> per second.
    /// </summary>
    public bool SendError(IcmpType type, byte code, uint restOfHeader, ReadOnlySpan<byte> originalHeader, ReadOnlySpan<byte> originalPayload)
    {
        var source = Ipv4Address.Read(originalHeader[12..]);
        if (source.IsAny || source.IsBroadcast || source.IsMulticast) return false;
        if ((BinaryPrimitives.ReadUInt16BigEndian(originalHeader[6..]) & 0x1FFF) != 0) return false;
        if (originalHeader[9] == (byte)IpProtocol.Icmp
            && (originalPayload.Length == 0 || originalPayload[0] is not ((byte)IcmpType.EchoRequest or (byte)IcmpType.EchoReply)))
            return false;
        bool local = _interface.IsLocal(source);
        if (!local && !TakeToken()) // errors inside the host (loopback) are not rate limited, as on Linux
        {
            _stats.Increment(NetCounter.IcmpErrorsRateLimited);
            return false;
        }
        int quote = Math.Min(originalPayload.Length, IcmpMessage.MaxQuoteLength - originalHeader.Length);
        var message = Scratch(IcmpMessage.HeaderLength + originalHeader.Length + quote);
        originalHeader.CopyTo(message[IcmpMessage.HeaderLength..]);
        originalPayload[..quote].CopyTo(message[(IcmpMessage.HeaderLength + originalHeader.Length)..]);
        IcmpMessage.Write(message, type, code, restOfHeader, message[IcmpMessage.HeaderLength..]);
        // From the address the offending packet was sent to, when it is ours (a 127/8 one answers from itself).
        var originalDestination = Ipv4Address.Read(originalHeader[16..]);
        var from = _interface.IsLocal(originalDestination) ? originalDestination : _interface.SourceFor(source);
        if (!_interface.Send(from, source, (byte)IpProtocol.Icmp, message)) return false;
        _stats.Increment(NetCounter.IcmpErrorsSent);
        return true;
    }

    public bool SendEchoRequest(Ipv4Address destination, ushort identifier, ushort sequence, ReadOnlySpan<byte> data)
    {
        var message = Scratch(IcmpMessage.HeaderLength + data.Length);
        IcmpMessage.Write(message, IcmpType.EchoRequest, 0, ((uint)identifier << 16) | sequence, data);
        return _interface.Send(destination, (byte)IpProtocol.Icmp, message);
    }

    private bool TakeToken()
    {
        long now = _clock.NowNanoseconds;
        long perSecond = _options.IcmpErrorsPerSecond;
        long earned = (now - _tokensRefilledAt) * perSecond / 1_000_000_000;
        if (earned > 0)
        {
            _tokens = Math.Min(perSecond, _tokens + earned);
            _tokensRefilledAt = now;
        }
        if (_tokens == 0) return false;
        _tokens--;
        return true;
    }

    private Span<byte> Scratch(int length)
    {
        if (_scratch.Length < length) _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
        return _scratch.AsSpan(0, length);
    }
}
