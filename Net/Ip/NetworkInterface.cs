using System.Buffers.Binary;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Wire;

namespace CosmosNet.Net.Ip;

/// <summary>
/// One Ethernet interface and the IPv4 layer over it: Ethernet in/out, ARP, IPv4 input checks, routing (on-link or via
/// the gateway, or to the <see cref="LoopbackInterface"/> for 127/8 and our own address), fragmentation of outgoing
/// packets, reassembly of incoming ones, and ICMP (echo answered here, errors delivered to transports). Everything
/// runs on the stack's single logical thread.
/// </summary>
public sealed class NetworkInterface : IIpLayer
{
    private readonly INetworkDevice _device;
    private readonly IChecksumOffload? _offload;
    private readonly ISegmentationOffload? _segmentation;
    private readonly IClock _clock;
    private readonly IpOptions _options;
    private readonly ArpCache _arp;
    private readonly Reassembler _reassembler;
    private readonly IcmpResponder _icmp;
    private readonly IIpTransport?[] _transports = new IIpTransport?[256];
    private readonly byte[] _tx;                 // one outgoing frame at a time; the device copies it
    private readonly byte[] _arpTx = new byte[EthernetFrame.MinFrameLength];
    private ushort _nextId;

    private readonly LoopbackInterface _loopback;

    // The packet being handed to a transport right now, so the transport can answer it with an ICMP error.
    private readonly byte[] _deliveringHeader = new byte[Ipv4Packet.MaxHeaderLength];
    private int _deliveringHeaderLength;
    private bool _deliveringToUnicast;

    public NetworkInterface(INetworkDevice device, IClock clock, IRandomSource random, NetStatistics? statistics = null, IpOptions? options = null)
    {
        _device = device;
        _offload = device as IChecksumOffload;
        _segmentation = device as ISegmentationOffload;
        _clock = clock;
        _options = options ?? new IpOptions();
        Statistics = statistics ?? new NetStatistics();
        _tx = new byte[Math.Max(EthernetFrame.MinFrameLength, EthernetFrame.HeaderLength + device.Mtu)];
        _arp = new ArpCache(this, clock, _options, Statistics, _tx.Length);
        _reassembler = new Reassembler(clock, _options, Statistics, OnReassemblyTimeout);
        _icmp = new IcmpResponder(this, clock, _options, Statistics);
        _loopback = new LoopbackInterface(clock, _options, Statistics, ReceiveLoopback);
        Span<byte> seed = stackalloc byte[2];
        random.Fill(seed);
        _nextId = BinaryPrimitives.ReadUInt16BigEndian(seed);
    }

    public NetStatistics Statistics { get; }
    public MacAddress MacAddress => _device.MacAddress;
    public int Mtu => _device.Mtu;
    public IpConfiguration Configuration { get; private set; } = IpConfiguration.Unconfigured;
    public Ipv4Address LocalAddress => Configuration.Address;
    public IpOptions Options => _options;

    /// <summary>Entries in the ARP table, and frames waiting for ARP replies (for tests and diagnostics).</summary>
    public int ArpEntries => _arp.Count;
    public int ArpWaitingFrames => _arp.WaitingFrames;
    /// <summary>The ARP table, as a copy taken now.</summary>
    public ArpEntry[] ArpTable() => _arp.Entries();
    public int ReassemblyDatagrams => _reassembler.PendingDatagrams;
    public long ReassemblyMemory => _reassembler.MemoryInUse;

    /// <summary>Raised after <see cref="Configure"/> changed the configuration (DHCP lease, static set-up).</summary>
    public event Action<IpConfiguration>? ConfigurationChanged;

    /// <summary>Starts receiving frames from the device.</summary>
    public void Start() => _device.Start(ReceiveFrame);

    /// <summary>Applies a new address, prefix, gateway and DNS servers; announces a new address with a gratuitous ARP.</summary>
    public void Configure(IpConfiguration configuration)
    {
        var previous = Configuration;
        if (previous == configuration) return;
        Configuration = configuration;
        // Neighbours keep their MACs across our address change, so the ARP table stays (and packets waiting in it, such
        // as a DHCP RELEASE sent just before unconfiguring, still go out when the reply comes).
        if (previous.Address != configuration.Address && !configuration.Address.IsAny)
        {
            // RFC 5227 announcement: sender and target are both the new address.
            SendArp(ArpOperation.Request, MacAddress.Broadcast, MacAddress.Zero, configuration.Address);
            Statistics.Increment(NetCounter.ArpGratuitousSent);
        }
        ConfigurationChanged?.Invoke(configuration);
    }

    public void Register(IpProtocol protocol, IIpTransport transport) => _transports[(int)protocol] = transport;

    public int MaxPayload(Ipv4Address destination) =>
        IsLocal(destination) ? _loopback.MaxPayload : _device.Mtu - Ipv4Packet.MinHeaderLength;

    /// <summary>127/8 (the loopback interface) and the interface's own address once configured.</summary>
    public bool IsLocal(Ipv4Address address) => address.IsLoopback || (address == LocalAddress && !address.IsAny);

    /// <summary>127.0.0.1 towards 127/8 (Linux's route <c>local 127.0.0.0/8 dev lo src 127.0.0.1</c>), else the interface's address.</summary>
    public Ipv4Address SourceFor(Ipv4Address destination) => destination.IsLoopback ? Ipv4Address.Loopback : LocalAddress;

    public bool ChecksumOffload => _offload is { FinishesChecksums: true };

    public bool ChecksumOffloadTo(Ipv4Address destination) => ChecksumOffload || IsLocal(destination);

    public bool SendPartialChecksum(Ipv4Address destination, ReadOnlySpan<byte> segment) =>
        Send(SourceFor(destination), destination, (byte)IpProtocol.Tcp, segment, TcpSegment.ChecksumOffset);

    public bool SendPartialChecksum(Ipv4Address source, Ipv4Address destination, ReadOnlySpan<byte> segment) =>
        Send(source, destination, (byte)IpProtocol.Tcp, segment, TcpSegment.ChecksumOffset);

    // ---- segmentation offload ------------------------------------------------------------------------------------

    private byte[]? _txLarge;   // one segmented frame on its way to the device; made at first use
    private byte[]? _piece;     // one segment cut here when the device cannot take the whole

    public int SegmentationLimit(Ipv4Address destination)
    {
        if (_segmentation is not { MaxSegmentedPacket: var max } || max <= _device.Mtu || !ChecksumOffload) return 0;
        if (IsLocal(destination)) return 0;
        return Math.Min(max, Ipv4Packet.MaxPacketLength) - Ipv4Packet.MinHeaderLength;
    }

    public bool SegmentationReady(Ipv4Address destination, int segmentLength) =>
        _segmentation is null || _segmentation.HasRoomForSegmented(EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + segmentLength);

    public bool SendSegmented(Ipv4Address destination, ReadOnlySpan<byte> segment, int segmentSize, bool cutWhenBusy = true)
    {
        int maxData = _device.Mtu - Ipv4Packet.MinHeaderLength;
        if (segment.Length <= maxData) return SendPartialChecksum(destination, segment);
        int headerLength = segment.Length >= TcpSegment.MinHeaderLength ? (segment[12] >> 4) * 4 : 0;
        if (headerLength < TcpSegment.MinHeaderLength || segmentSize <= 0 || headerLength + segmentSize > maxData
            || segment.Length > SegmentationLimit(destination))
            throw new ArgumentException($"not a TCP segment the device can cut: {segment.Length} bytes, header {headerLength}, segments of {segmentSize}");
        if (!Route(destination, out var nextHop, out var mac))
        {
            Statistics.Increment(NetCounter.IpNoRoute);
            return false;
        }
        if (mac != MacAddress.Zero || _arp.TryLookup(nextHop, out mac))
        {
            const int ipStart = EthernetFrame.HeaderLength, tcpStart = ipStart + Ipv4Packet.MinHeaderLength;
            var frame = (_txLarge ??= new byte[tcpStart + Ipv4Packet.MaxPacketLength]).AsSpan(0, tcpStart + segment.Length);
            EthernetFrame.WriteHeader(frame, mac, _device.MacAddress, EtherType.Ipv4);
            Ipv4Packet.WriteHeader(frame[ipStart..], segment.Length, _nextId, false, false, 0, _options.Ttl, (byte)IpProtocol.Tcp,
                LocalAddress, destination);
            segment.CopyTo(frame[tcpStart..]);
            if (_segmentation!.TransmitSegmented(frame, tcpStart + headerLength, segmentSize))
            {
                _nextId += (ushort)((segment.Length - headerLength + segmentSize - 1) / segmentSize); // one per segment made
                Statistics.Increment(NetCounter.IpSent);
                Statistics.Increment(NetCounter.FramesSent);
                return true;
            }
            if (!cutWhenBusy) return false;   // the device has no room now: the sender tries again later
        }
        // Cut here (no room on the device, or the next hop's MAC is being resolved): each piece a segment of its own with
        // the next sequence number, FIN and PSH on the last only, its own pseudo-header sum.
        var piece = _piece ??= new byte[maxData];
        uint seq = BinaryPrimitives.ReadUInt32BigEndian(segment[4..]);
        byte flags = segment[13];
        bool ok = true;
        for (int offset = headerLength; offset < segment.Length; offset += segmentSize)
        {
            int n = Math.Min(segmentSize, segment.Length - offset);
            segment[..headerLength].CopyTo(piece);
            BinaryPrimitives.WriteUInt32BigEndian(piece.AsSpan(4), seq + (uint)(offset - headerLength));
            if (offset + n < segment.Length) piece[13] = (byte)(flags & ~(byte)(TcpFlags.Fin | TcpFlags.Psh));
            segment.Slice(offset, n).CopyTo(piece.AsSpan(headerLength));
            uint pseudo = Checksum.PseudoHeader(LocalAddress, destination, (byte)IpProtocol.Tcp, headerLength + n);
            BinaryPrimitives.WriteUInt16BigEndian(piece.AsSpan(TcpSegment.ChecksumOffset), Checksum.PartialSeed(pseudo));
            ok &= Send(LocalAddress, destination, (byte)IpProtocol.Tcp, piece.AsSpan(0, headerLength + n), TcpSegment.ChecksumOffset);
        }
        return ok;
    }

    // ---- output ------------------------------------------------------------------------------------------------

    public bool Send(Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload) =>
        Send(SourceFor(destination), destination, (byte)protocol, payload);

    public bool Send(Ipv4Address source, Ipv4Address destination, IpProtocol protocol, ReadOnlySpan<byte> payload) =>
        Send(source, destination, (byte)protocol, payload);

    internal bool Send(Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload) =>
        Send(SourceFor(destination), destination, protocol, payload);

    /// <param name="source">One of our addresses (<see cref="IsLocal"/>); towards the wire only the interface's own is used,
    /// and a 127/8 source cannot leave the host at all (RFC 1122 3.2.1.3).</param>
    /// <param name="partialChecksumAt">Where the payload's checksum field is when it holds only the pseudo-header sum
    /// (finished by the device, or here), else -1.</param>
    internal bool Send(Ipv4Address source, Ipv4Address destination, byte protocol, ReadOnlySpan<byte> payload, int partialChecksumAt = -1)
    {
        if (payload.Length > Ipv4Packet.MaxPacketLength - Ipv4Packet.MinHeaderLength)
        {
            Statistics.Increment(NetCounter.IpTooLarge);
            return false;
        }
        if (IsLocal(destination))
            return _loopback.Send(source.IsAny ? SourceFor(destination) : source, destination, protocol, payload, partialChecksumAt >= 0);
        if (source.IsLoopback || !Route(destination, out var nextHop, out var mac))
        {
            Statistics.Increment(NetCounter.IpNoRoute);
            return false;
        }
        Statistics.Increment(NetCounter.IpSent);
        ushort id = _nextId++;
        int maxData = _device.Mtu - Ipv4Packet.MinHeaderLength;
        if (payload.Length <= maxData)
            return Output(nextHop, mac, destination, protocol, id, false, 0, payload, partialChecksumAt);

        if (partialChecksumAt >= 0)
        {
            // A device finishes the checksum of one frame only: the fragments need it finished beforehand.
            var finished = payload.ToArray();
            Checksum.FinishPartial(finished, partialChecksumAt);
            payload = finished;
        }
        // Fragment: every piece but the last carries a multiple of 8 bytes (RFC 791).
        maxData &= ~7;
        bool ok = true;
        for (int offset = 0; offset < payload.Length; offset += maxData)
        {
            int length = Math.Min(maxData, payload.Length - offset);
            bool more = offset + length < payload.Length;
            ok &= Output(nextHop, mac, destination, protocol, id, more, offset, payload.Slice(offset, length));
            Statistics.Increment(NetCounter.IpFragmentsSent);
        }
        return ok;
    }

    /// <summary>
    /// Picks the next hop: broadcast and multicast map straight to a MAC; on-link addresses are reached directly, others via
    /// the gateway. Unconfigured, only the limited broadcast works (DHCP).
    /// </summary>
    private bool Route(Ipv4Address destination, out Ipv4Address nextHop, out MacAddress mac)
    {
        var config = Configuration;
        nextHop = destination;
        mac = MacAddress.Zero;
        if (destination.IsBroadcast || (!config.Address.IsAny && destination == config.SubnetBroadcast && config.PrefixLength < 31))
        {
            mac = MacAddress.Broadcast;
            return true;
        }
        if (destination.IsMulticast)
        {
            mac = new MacAddress(0x01_00_5E_00_00_00UL | (destination.Value & 0x7F_FFFF)); // RFC 1112 6.4
            return true;
        }
        if (config.Address.IsAny || destination.IsAny) return false;
        if (config.IsOnLink(destination)) return true;
        if (config.Gateway.IsAny) return false;
        nextHop = config.Gateway;
        return true;
    }

    private bool Output(Ipv4Address nextHop, MacAddress mac, Ipv4Address destination, byte protocol, ushort id, bool more,
        int offset, ReadOnlySpan<byte> data, int partialChecksumAt = -1)
    {
        var frame = _tx.AsSpan(0, EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength + data.Length);
        EthernetFrame.WriteHeader(frame, mac, _device.MacAddress, EtherType.Ipv4);
        Ipv4Packet.WriteHeader(frame[EthernetFrame.HeaderLength..], data.Length, id, false, more, offset, _options.Ttl, protocol,
            LocalAddress, destination);
        const int transportStart = EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength;
        data.CopyTo(frame[transportStart..]);
        bool resolved = mac != MacAddress.Zero || _arp.TryLookup(nextHop, out mac);
        if (partialChecksumAt >= 0 && !(resolved && ChecksumOffload))
        {
            // No device to finish it, or ARP sends this frame later as it is.
            Checksum.FinishPartial(frame[transportStart..], partialChecksumAt);
            partialChecksumAt = -1;
        }
        if (!resolved) return _arp.Enqueue(nextHop, frame);
        mac.Write(frame);
        TransmitFrame(_tx, frame.Length, partialChecksumAt);
        return true;
    }

    /// <summary>Hands the frame at the start of <paramref name="buffer"/> to the device, padded to the Ethernet minimum
    /// (zeros, which leave a checksum the device finishes unchanged). <paramref name="partialChecksumAt"/>: where the
    /// checksum the device is to finish sits in the transport header (which follows a 20-byte IPv4 header), else -1.</summary>
    internal void TransmitFrame(byte[] buffer, int length, int partialChecksumAt = -1)
    {
        if (length < EthernetFrame.MinFrameLength)
        {
            buffer.AsSpan(length, EthernetFrame.MinFrameLength - length).Clear(); // every frame buffer holds at least the minimum
            length = EthernetFrame.MinFrameLength;
        }
        Statistics.Increment(NetCounter.FramesSent);
        if (partialChecksumAt >= 0)
            _offload!.TransmitPartial(buffer.AsSpan(0, length), EthernetFrame.HeaderLength + Ipv4Packet.MinHeaderLength, partialChecksumAt);
        else _device.Transmit(buffer.AsSpan(0, length));
    }

    internal void SendArp(ArpOperation operation, MacAddress ethernetDestination, MacAddress targetMac, Ipv4Address targetIp)
    {
        var frame = _arpTx.AsSpan();
        EthernetFrame.WriteHeader(frame, ethernetDestination, _device.MacAddress, EtherType.Arp);
        ArpPacket.Write(frame[EthernetFrame.HeaderLength..], operation, _device.MacAddress, LocalAddress, targetMac, targetIp);
        TransmitFrame(_arpTx, EthernetFrame.HeaderLength + ArpPacket.Length);
    }

    // ---- input -------------------------------------------------------------------------------------------------

    /// <summary>Where contained faults are reported, one line each (at most 10 a second); null drops them.</summary>
    public Action<string>? Log { get; set; }
    private LogLimiter? _faultLog;

    /// <summary>
    /// The device's frame handler. Every frame is either delivered or counted under the reason it was dropped, and
    /// an exception while it is processed drops only that frame (<see cref="NetCounter.InputFaults"/>): the driver
    /// that called us and every later frame are unaffected.
    /// </summary>
    public void ReceiveFrame(ReadOnlySpan<byte> bytes, RxChecksum checksum = RxChecksum.Unverified)
    {
        try { Dispatch(bytes, checksum); }
        catch (Exception e) { ContainInputFault(e); }
    }

    private void ContainInputFault(Exception e)
    {
        Statistics.Increment(NetCounter.InputFaults);
        if (Log is null || !(_faultLog ??= new LogLimiter(_clock)).Allow(out long suppressed)) return;
        try { Log($"net: a received frame failed ({e.GetType().Name}: {e.Message}); dropped{LogLimiter.Note(suppressed)}"); }
        catch (Exception) { } // reporting must not undo the containment
    }

    private void Dispatch(ReadOnlySpan<byte> bytes, RxChecksum checksum)
    {
        Statistics.Increment(NetCounter.FramesReceived);
        if (EthernetFrame.TryParse(bytes, out var frame) != WireError.None)
        {
            Statistics.Increment(NetCounter.EthernetTruncated);
            return;
        }
        var destination = frame.Destination;
        if (destination != _device.MacAddress && !destination.IsBroadcast)
        {
            Statistics.Increment(NetCounter.EthernetNotForUs);
            return;
        }
        switch (frame.EtherType)
        {
            case EtherType.Ipv4: ReceiveIpv4(frame.Payload, checksum); break;
            case EtherType.Arp: ReceiveArp(frame.Payload); break;
            default: Statistics.Increment(NetCounter.EthernetUnknownType); break;
        }
    }

    private void ReceiveArp(ReadOnlySpan<byte> bytes)
    {
        var error = ArpPacket.TryParse(bytes, out var arp);
        if (error != WireError.None)
        {
            Statistics.Increment(error == WireError.Unsupported ? NetCounter.ArpUnsupported : NetCounter.ArpMalformed);
            return;
        }
        Statistics.Increment(arp.Operation == ArpOperation.Request ? NetCounter.ArpRequestsReceived : NetCounter.ArpRepliesReceived);
        var us = LocalAddress;
        var sender = arp.SenderProtocol;
        if (!us.IsAny && sender == us && arp.SenderHardware != _device.MacAddress)
        {
            Statistics.Increment(NetCounter.ArpAddressConflicts);
            return;
        }
        bool forUs = !us.IsAny && arp.TargetProtocol == us;
        bool usable = !sender.IsAny && !sender.IsBroadcast && !sender.IsMulticast && !sender.IsLoopback && !arp.SenderHardware.IsMulticast;
        if (usable) _arp.Update(sender, arp.SenderHardware, create: forUs);
        if (!forUs)
        {
            Statistics.Increment(NetCounter.ArpNotForUs);
            return;
        }
        if (arp.Operation == ArpOperation.Request && usable)
        {
            SendArp(ArpOperation.Reply, arp.SenderHardware, arp.SenderHardware, sender);
            Statistics.Increment(NetCounter.ArpRepliesSent);
        }
    }

    private void ReceiveIpv4(ReadOnlySpan<byte> bytes, RxChecksum checksum)
    {
        Statistics.Increment(NetCounter.IpReceived);
        var error = Ipv4Packet.TryParse(bytes, out var packet);
        if (error != WireError.None)
        {
            Statistics.Increment(error switch
            {
                WireError.Truncated => NetCounter.IpTruncated,
                WireError.Unsupported => NetCounter.IpBadVersion,
                WireError.BadChecksum => NetCounter.IpBadChecksum,
                WireError.BadOptions => NetCounter.IpBadOptions,
                WireError.BadValue => NetCounter.IpBadFragment,
                _ => NetCounter.IpBadLength,
            });
            return;
        }
        var source = packet.Source;
        if (source.IsLoopback || packet.Destination.IsLoopback)
        {
            // Martians (RFC 1122 3.2.1.3): 127/8 lives only inside a host; ours comes back through the loopback interface.
            Statistics.Increment(NetCounter.IpMartian);
            return;
        }
        if (source.IsBroadcast || source.IsMulticast || (!LocalAddress.IsAny && source == LocalAddress))
        {
            Statistics.Increment(NetCounter.IpBadSource);
            return;
        }
        var config = Configuration;
        var destination = packet.Destination;
        bool unicast = destination == config.Address;
        bool broadcast = destination.IsBroadcast || (!config.Address.IsAny && destination == config.SubnetBroadcast);
        // While unconfigured, accept unicast too: a DHCP server may send the offer to the address it is offering.
        if (!unicast && !broadcast && !(config.Address.IsAny && !destination.IsMulticast))
        {
            Statistics.Increment(NetCounter.IpNotForUs);
            return;
        }

        if (packet.IsFragment)
        {
            var datagram = _reassembler.Add(packet);
            if (datagram != null) Deliver(datagram.Header, datagram.Payload, source, destination, datagram.Protocol, !broadcast);
            return;
        }
        Deliver(packet.Header, packet.Payload, source, destination, packet.Protocol, !broadcast, checksum);
    }

    /// <summary>A packet the loopback interface hands back: delivered like one from the wire, its faults contained the same way.</summary>
    private void ReceiveLoopback(in Ipv4Packet packet, RxChecksum checksum)
    {
        try { Deliver(packet.Header, packet.Payload, packet.Source, packet.Destination, packet.Protocol, unicast: true, checksum); }
        catch (Exception e) { ContainInputFault(e); }
    }

    /// <param name="checksum">What the device vouched for (whole packets only: a fragment's flag says nothing about the datagram).</param>
    private void Deliver(ReadOnlySpan<byte> header, ReadOnlySpan<byte> payload, Ipv4Address source, Ipv4Address destination,
        byte protocol, bool unicast, RxChecksum checksum = RxChecksum.Unverified)
    {
        if (protocol == (byte)IpProtocol.Icmp)
        {
            Statistics.Increment(NetCounter.IpDelivered);
            _icmp.Receive(source, destination, unicast, payload);
            return;
        }
        var transport = _transports[protocol];
        if (transport == null)
        {
            Statistics.Increment(NetCounter.IpUnknownProtocol);
            if (unicast) _icmp.SendError(IcmpType.DestinationUnreachable, (byte)IcmpUnreachableCode.Protocol, 0, header, payload);
            return;
        }
        Statistics.Increment(NetCounter.IpDelivered);
        header.CopyTo(_deliveringHeader);
        _deliveringHeaderLength = header.Length;
        _deliveringToUnicast = unicast;
        try
        {
            transport.Receive(source, destination, payload, checksum);
        }
        finally
        {
            _deliveringHeaderLength = 0;
        }
    }

    /// <summary>
    /// Answers the packet being delivered right now (only inside <see cref="IIpTransport.Receive"/>) with an ICMP destination
    /// unreachable; <paramref name="originalPayload"/> is the payload the transport was given. Nothing is sent for broadcasts.
    /// </summary>
    public bool SendUnreachable(IcmpErrorKind kind, ReadOnlySpan<byte> originalPayload)
    {
        if (_deliveringHeaderLength == 0 || !_deliveringToUnicast) return false;
        var code = kind switch
        {
            IcmpErrorKind.NetUnreachable => IcmpUnreachableCode.Net,
            IcmpErrorKind.HostUnreachable => IcmpUnreachableCode.Host,
            IcmpErrorKind.ProtocolUnreachable => IcmpUnreachableCode.Protocol,
            IcmpErrorKind.PortUnreachable => IcmpUnreachableCode.Port,
            IcmpErrorKind.AdministrativelyProhibited => IcmpUnreachableCode.AdministrativelyProhibited,
            _ => IcmpUnreachableCode.Port,
        };
        return _icmp.SendError(IcmpType.DestinationUnreachable, (byte)code, 0,
            _deliveringHeader.AsSpan(0, _deliveringHeaderLength), originalPayload);
    }

    /// <summary>Raised for each ICMP echo reply received: source, identifier, sequence number.</summary>
    public event Action<Ipv4Address, ushort, ushort>? EchoReplyReceived
    {
        add => _icmp.EchoReplyReceived += value;
        remove => _icmp.EchoReplyReceived -= value;
    }

    /// <summary>Sends an ICMP echo request (ping); answers arrive through <see cref="EchoReplyReceived"/>.</summary>
    public bool SendEchoRequest(Ipv4Address destination, ushort identifier, ushort sequence, ReadOnlySpan<byte> data) =>
        _icmp.SendEchoRequest(destination, identifier, sequence, data);

    /// <summary>An ICMP error quoting a packet this host sent: tell the transport that sent it.</summary>
    internal void DeliverIcmpError(IcmpErrorKind kind, in Ipv4Packet quoted, int mtu)
    {
        var transport = _transports[quoted.Protocol];
        if (transport == null || (!LocalAddress.IsAny && !IsLocal(quoted.Source)))
        {
            Statistics.Increment(NetCounter.IcmpErrorsIgnored);
            return;
        }
        Statistics.Increment(NetCounter.IcmpErrorsDelivered);
        transport.ReceiveIcmpError(kind, quoted.Source, quoted.Destination, quoted.Payload, mtu);
    }

    /// <summary>ARP gave up on a next hop: the packets that waited for it are reported to their transports as host unreachable.</summary>
    internal void ReportUnreachable(ReadOnlySpan<byte> ipPacket)
    {
        if (Ipv4Packet.TryParse(ipPacket, out var packet) != WireError.None || packet.FragmentOffset != 0) return;
        var transport = _transports[packet.Protocol];
        if (transport == null || packet.Payload.Length < 8) return;
        transport.ReceiveIcmpError(IcmpErrorKind.HostUnreachable, packet.Source, packet.Destination, packet.Payload, 0);
    }

    private void OnReassemblyTimeout(Reassembler.Datagram d)
    {
        // RFC 792 / 1122 3.2.1.3: time exceeded (fragment reassembly) when the first fragment had arrived.
        if (d.FirstHeaderLength == 0 || d.Destination.IsBroadcast || d.Destination != LocalAddress) return;
        int quoted = Math.Min(d.Buffer.Length, 8);
        _icmp.SendError(IcmpType.TimeExceeded, 1, 0, d.Header, d.Buffer.AsSpan(0, quoted));
    }
}
