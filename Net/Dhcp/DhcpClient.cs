using System.Buffers.Binary;
using System.Numerics;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Dhcp;

/// <summary>What a DHCP server granted.</summary>
public sealed record DhcpLease(Ipv4Address Address, int PrefixLength, Ipv4Address Gateway, IReadOnlyList<Ipv4Address> DnsServers,
    Ipv4Address Server, TimeSpan LeaseTime, TimeSpan RenewalTime, TimeSpan RebindingTime)
{
    public IpConfiguration ToConfiguration() => new(Address, PrefixLength, Gateway, DnsServers);

    public override string ToString() => $"{ToConfiguration()} from {Server} for {LeaseTime.TotalSeconds:0}s";
}

public enum DhcpState { Stopped, Selecting, Requesting, Bound, Renewing, Rebinding }

public enum DhcpError
{
    /// <summary>No lease within the time asked for (the client keeps trying).</summary>
    TimedOut,
    /// <summary>The client was stopped.</summary>
    Stopped,
    /// <summary>UDP port 68 is bound by someone else.</summary>
    PortInUse,
}

public sealed record DhcpOptions
{
    /// <summary>First retransmission delay; it doubles up to <see cref="MaxRetransmit"/>, ±1 s random (RFC 2131 4.1).</summary>
    public TimeSpan InitialRetransmit { get; init; } = TimeSpan.FromSeconds(4);
    public TimeSpan MaxRetransmit { get; init; } = TimeSpan.FromSeconds(64);
    /// <summary>REQUESTs sent after an OFFER before starting over with a DISCOVER.</summary>
    public int RequestAttempts { get; init; } = 4;
    /// <summary>Shortest wait between REQUESTs while renewing or rebinding (RFC 2131 4.4.5 says 60 s).</summary>
    public TimeSpan MinRenewRetransmit { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>
/// DHCP client (RFC 2131): DISCOVER → OFFER → REQUEST → ACK, then renewal at T1 (unicast to the server), rebinding at T2
/// (broadcast), a fresh start on NAK or when the lease expires. Applies each lease to the interface.
/// </summary>
public sealed class DhcpClient
{
    private static readonly byte[] RequestedParameters =
        [DhcpOption.SubnetMask, DhcpOption.Router, DhcpOption.DnsServers, DhcpOption.LeaseTime, DhcpOption.RenewalTime, DhcpOption.RebindingTime];

    private readonly NetworkInterface _interface;
    private readonly UdpLayer _udp;
    private readonly IClock _clock;
    private readonly IRandomSource _random;
    private readonly NetStatistics _stats;
    private readonly DhcpOptions _options;
    private readonly ITimer _timer;
    private readonly byte[] _tx = new byte[DhcpWriter.MaxLength];
    private readonly List<(TaskCompletionSource<Result<DhcpLease, DhcpError>> Task, ITimer Deadline)> _waiters = new();
    private UdpSocket? _socket;
    private uint _xid;
    private int _attempts;
    private Ipv4Address _offeredAddress, _offeringServer;
    private long _t1At, _t2At, _expiresAt;

    public DhcpClient(NetworkInterface networkInterface, UdpLayer udp, IClock clock, IRandomSource random,
        NetStatistics? statistics = null, DhcpOptions? options = null)
    {
        _interface = networkInterface;
        _udp = udp;
        _clock = clock;
        _random = random;
        _stats = statistics ?? networkInterface.Statistics;
        _options = options ?? new DhcpOptions();
        _timer = clock.CreateTimer(OnTimer);
    }

    public DhcpState State { get; private set; } = DhcpState.Stopped;
    public DhcpLease? Lease { get; private set; }

    /// <summary>Raised when a lease is obtained or renewed (the lease) and when it is lost (null).</summary>
    public event Action<DhcpLease?>? LeaseChanged;

    /// <summary>
    /// Starts the client (if it is not running) and completes with the first lease, or with <see cref="DhcpError.TimedOut"/>
    /// after <paramref name="timeout"/> (default 60 s) while the client keeps trying.
    /// </summary>
    public Task<Result<DhcpLease, DhcpError>> StartAsync(TimeSpan? timeout = null)
    {
        if (State == DhcpState.Stopped)
        {
            var bound = _udp.Bind(DhcpMessage.ClientPort, Receive);
            if (!bound.IsOk) return Task.FromResult(Result<DhcpLease, DhcpError>.Fail(DhcpError.PortInUse));
            _socket = bound.Value;
            Discover();
        }
        if (Lease != null && State is DhcpState.Bound or DhcpState.Renewing or DhcpState.Rebinding)
            return Task.FromResult(Result<DhcpLease, DhcpError>.Ok(Lease));
        var waiter = new TaskCompletionSource<Result<DhcpLease, DhcpError>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var deadline = _clock.CreateTimer(() => Complete(_waiters.Find(w => w.Task == waiter), Result<DhcpLease, DhcpError>.Fail(DhcpError.TimedOut)));
        deadline.Arm(_clock.NowNanoseconds + Nanoseconds(timeout ?? TimeSpan.FromSeconds(60)));
        _waiters.Add((waiter, deadline));
        return waiter.Task;
    }

    /// <summary>Releases the lease (if any), unconfigures the interface and stops.</summary>
    public void Stop()
    {
        if (State == DhcpState.Stopped) return;
        if (Lease != null && State is DhcpState.Bound or DhcpState.Renewing or DhcpState.Rebinding)
        {
            var w = Message(DhcpMessageType.Release, broadcast: false, clientAddress: Lease.Address);
            w.Option(DhcpOption.ServerIdentifier, Lease.Server);
            Send(Lease.Server, w.Finish());
        }
        _timer.Cancel();
        _socket?.Close();
        _socket = null;
        State = DhcpState.Stopped;
        LoseLease();
        CompleteAll(Result<DhcpLease, DhcpError>.Fail(DhcpError.Stopped));
    }

    // ---- state machine -----------------------------------------------------------------------------------------

    private void Discover()
    {
        State = DhcpState.Selecting;
        _xid = RandomUInt32();
        _attempts = 0;
        SendDiscover();
    }

    private void SendDiscover()
    {
        var w = Message(DhcpMessageType.Discover, broadcast: true);
        w.Option(DhcpOption.ParameterRequestList, RequestedParameters);
        Send(Ipv4Address.Broadcast, w.Finish());
        ArmRetransmit();
    }

    private void SendRequest()
    {
        DhcpWriter w;
        switch (State)
        {
            case DhcpState.Requesting:
                w = Message(DhcpMessageType.Request, broadcast: true);
                w.Option(DhcpOption.RequestedAddress, _offeredAddress);
                w.Option(DhcpOption.ServerIdentifier, _offeringServer);
                w.Option(DhcpOption.ParameterRequestList, RequestedParameters);
                Send(Ipv4Address.Broadcast, w.Finish());
                ArmRetransmit();
                return;
            case DhcpState.Renewing:
                w = Message(DhcpMessageType.Request, broadcast: false, clientAddress: Lease!.Address);
                w.Option(DhcpOption.ParameterRequestList, RequestedParameters);
                Send(Lease.Server, w.Finish());
                ArmLeaseRetransmit(_t2At);
                return;
            case DhcpState.Rebinding:
                w = Message(DhcpMessageType.Request, broadcast: false, clientAddress: Lease!.Address);
                w.Option(DhcpOption.ParameterRequestList, RequestedParameters);
                Send(Ipv4Address.Broadcast, w.Finish());
                ArmLeaseRetransmit(_expiresAt);
                return;
        }
    }

    private void OnTimer()
    {
        long now = _clock.NowNanoseconds;
        switch (State)
        {
            case DhcpState.Selecting:
                SendDiscover();
                break;
            case DhcpState.Requesting:
                if (_attempts >= _options.RequestAttempts) Discover();
                else SendRequest();
                break;
            case DhcpState.Bound or DhcpState.Renewing or DhcpState.Rebinding:
                if (now >= _expiresAt)
                {
                    LoseLease();
                    Discover();
                    break;
                }
                if (now >= _t2At && State != DhcpState.Rebinding) { State = DhcpState.Rebinding; _xid = RandomUInt32(); }
                else if (now >= _t1At && State == DhcpState.Bound) { State = DhcpState.Renewing; _xid = RandomUInt32(); }
                SendRequest();
                break;
        }
    }

    private void ArmRetransmit()
    {
        // 4 s, 8 s, 16 s ... up to 64 s, each ±1 s.
        long delay = Math.Min(Nanoseconds(_options.InitialRetransmit) << Math.Min(_attempts, 16), Nanoseconds(_options.MaxRetransmit));
        long jitter = (long)(RandomUInt32() % 2_000_000_001u) - 1_000_000_000;
        _attempts++;
        _timer.Arm(_clock.NowNanoseconds + Math.Max(delay + jitter, 1_000_000));
    }

    /// <summary>While renewing or rebinding: wait half the time left until <paramref name="deadline"/>, at least the minimum (RFC 2131 4.4.5).</summary>
    private void ArmLeaseRetransmit(long deadline)
    {
        long now = _clock.NowNanoseconds;
        long wait = Math.Max((deadline - now) / 2, Nanoseconds(_options.MinRenewRetransmit));
        _timer.Arm(Math.Min(now + wait, deadline));
    }

    private void Receive(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload)
    {
        if (DhcpMessage.TryParse(payload, out var m) != WireError.None)
        {
            _stats.Increment(NetCounter.DhcpMalformed);
            return;
        }
        if (m.Op != DhcpMessage.OpReply || m.TransactionId != _xid || m.ClientHardware != _interface.MacAddress || source.Port != DhcpMessage.ServerPort)
        {
            _stats.Increment(NetCounter.DhcpIgnored);
            return;
        }
        m.TryGetAddress(DhcpOption.ServerIdentifier, out var server);
        switch (State, m.MessageType)
        {
            case (DhcpState.Selecting, DhcpMessageType.Offer) when !server.IsAny && IsUsableAddress(m.YourAddress):
                _offeredAddress = m.YourAddress;
                _offeringServer = server;
                State = DhcpState.Requesting;
                _attempts = 0;
                SendRequest();
                return;
            case (DhcpState.Requesting, DhcpMessageType.Ack) when server == _offeringServer && IsUsableAddress(m.YourAddress):
            case (DhcpState.Renewing or DhcpState.Rebinding, DhcpMessageType.Ack) when IsUsableAddress(m.YourAddress):
                Bind(m, server.IsAny ? source.Address : server);
                return;
            case (DhcpState.Requesting, DhcpMessageType.Nak) when server == _offeringServer:
            case (DhcpState.Renewing or DhcpState.Rebinding, DhcpMessageType.Nak):
                LoseLease();
                Discover();
                return;
            default:
                _stats.Increment(NetCounter.DhcpIgnored);
                return;
        }
    }

    private static bool IsUsableAddress(Ipv4Address a) => !a.IsAny && !a.IsBroadcast && !a.IsMulticast && !a.IsLoopback;

    private void Bind(in DhcpMessage ack, Ipv4Address server)
    {
        uint leaseSeconds = ack.TryGetUInt32(DhcpOption.LeaseTime, out var l) ? l : 3600;
        bool infinite = leaseSeconds == uint.MaxValue;
        var lease = TimeSpan.FromSeconds(leaseSeconds);
        var t1 = ack.TryGetUInt32(DhcpOption.RenewalTime, out var r) ? TimeSpan.FromSeconds(r) : lease * 0.5;
        var t2 = ack.TryGetUInt32(DhcpOption.RebindingTime, out var b) ? TimeSpan.FromSeconds(b) : lease * 0.875;
        if (!(t1 < t2 && t2 < lease)) { t1 = lease * 0.5; t2 = lease * 0.875; } // nonsense from the server: use the defaults

        int prefix = 24;
        if (ack.TryGetAddress(DhcpOption.SubnetMask, out var mask))
        {
            int ones = BitOperations.PopCount(mask.Value);
            if (ones > 0 && mask.Value == (0xFFFF_FFFFu << (32 - ones))) prefix = ones;
        }
        ack.TryGetAddress(DhcpOption.Router, out var router);
        var dns = new List<Ipv4Address>();
        if (ack.TryGetOption(DhcpOption.DnsServers, out var list))
            for (int i = 0; i + 4 <= list.Length; i += 4) dns.Add(Ipv4Address.Read(list[i..]));

        Lease = new DhcpLease(ack.YourAddress, prefix, router, dns, server, lease, t1, t2);
        State = DhcpState.Bound;
        long now = _clock.NowNanoseconds;
        if (infinite)
        {
            _t1At = _t2At = _expiresAt = long.MaxValue;
            _timer.Cancel();
        }
        else
        {
            _t1At = now + Nanoseconds(t1);
            _t2At = now + Nanoseconds(t2);
            _expiresAt = now + Nanoseconds(lease);
            _timer.Arm(_t1At);
        }
        _interface.Configure(Lease.ToConfiguration());
        LeaseChanged?.Invoke(Lease);
        CompleteAll(Result<DhcpLease, DhcpError>.Ok(Lease));
    }

    private void Complete((TaskCompletionSource<Result<DhcpLease, DhcpError>> Task, ITimer Deadline) waiter, Result<DhcpLease, DhcpError> result)
    {
        if (waiter.Task == null || !_waiters.Remove(waiter)) return;
        waiter.Deadline.Cancel();
        waiter.Task.TrySetResult(result);
    }

    private void CompleteAll(Result<DhcpLease, DhcpError> result)
    {
        while (_waiters.Count > 0) Complete(_waiters[^1], result);
    }

    private void LoseLease()
    {
        if (Lease == null) return;
        Lease = null;
        _interface.Configure(IpConfiguration.Unconfigured);
        LeaseChanged?.Invoke(null);
    }

    // ---- messages ----------------------------------------------------------------------------------------------

    private DhcpWriter Message(DhcpMessageType type, bool broadcast, Ipv4Address clientAddress = default)
    {
        var w = new DhcpWriter(_tx, DhcpMessage.OpRequest, _xid, _interface.MacAddress, broadcast, clientAddress);
        w.Option(DhcpOption.MessageType, (byte)type);
        return w;
    }

    private void Send(Ipv4Address destination, int length) =>
        _socket?.Send(new UdpEndpoint(destination, DhcpMessage.ServerPort), _tx.AsSpan(0, length));

    private uint RandomUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        _random.Fill(b);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    private static long Nanoseconds(TimeSpan t) => t.Ticks * 100;
}
