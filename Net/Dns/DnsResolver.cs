using System.Buffers.Binary;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using CosmosNet.Net.Udp;
using CosmosNet.Net.Wire;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Net.Dns;

public enum DnsError
{
    /// <summary>The name is not a valid host name (empty label, label over 63 bytes, name over 255, non-ASCII).</summary>
    InvalidName,
    /// <summary>No DNS server is configured (statically or by DHCP).</summary>
    NoServers,
    /// <summary>The name does not exist (NXDOMAIN).</summary>
    NameNotFound,
    /// <summary>The name exists but has no A record.</summary>
    NoAddresses,
    /// <summary>Every server failed or refused.</summary>
    ServerFailure,
    /// <summary>The answer did not fit in a UDP message (this resolver does not fall back to TCP).</summary>
    Truncated,
    /// <summary>No answer after every retry.</summary>
    TimedOut,
    /// <summary>The query could not be sent (no route, UDP ports exhausted).</summary>
    NetworkError,
}

public sealed record DnsOptions
{
    /// <summary>Wait for an answer before the next attempt.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(2);
    /// <summary>Attempts in total, rotating over the servers.</summary>
    public int Attempts { get; init; } = 4;
    /// <summary>Names whose answers are remembered for their TTL (0 disables the cache).</summary>
    public int CacheSize { get; init; } = 64;
}

/// <summary>
/// A stub resolver for A records (RFC 1035): recursive queries over UDP with a random id and a random source port per
/// query (RFC 5452), retries with a timeout rotating over the servers, answers checked against the question, a small TTL cache.
/// </summary>
public sealed class DnsResolver
{
    private readonly UdpLayer _udp;
    private readonly IClock _clock;
    private readonly IRandomSource _random;
    private readonly NetStatistics _stats;
    private readonly Func<IReadOnlyList<Ipv4Address>> _servers;
    private readonly DnsOptions _options;
    private readonly Dictionary<string, (Ipv4Address[] Addresses, long ExpiresAt)> _cache = new(StringComparer.OrdinalIgnoreCase);
    private readonly byte[] _tx = new byte[DnsMessage.MaxUdpLength];

    public DnsResolver(UdpLayer udp, IClock clock, IRandomSource random, Func<IReadOnlyList<Ipv4Address>> servers,
        NetStatistics? statistics = null, DnsOptions? options = null)
    {
        _udp = udp;
        _clock = clock;
        _random = random;
        _servers = servers;
        _stats = statistics ?? udp.Statistics;
        _options = options ?? new DnsOptions();
    }

    /// <summary>The IPv4 addresses of <paramref name="name"/>; a dotted-quad literal resolves to itself and "localhost"
    /// (and any name under it, RFC 6761 6.3) to 127.0.0.1, both without a query.</summary>
    public Task<Result<IReadOnlyList<Ipv4Address>, DnsError>> ResolveAsync(string name)
    {
        if (Ipv4Address.TryParse(name, out var literal)) return Done(new[] { literal });
        if (IsLocalhost(name)) return Done(new[] { Ipv4Address.Loopback });
        if (DnsMessage.WriteQuery(_tx, 0, name, DnsType.A, out _) != WireError.None) return Done(DnsError.InvalidName);
        if (_cache.TryGetValue(name, out var cached))
        {
            if (cached.ExpiresAt > _clock.NowNanoseconds) return Done(cached.Addresses);
            _cache.Remove(name);
        }
        var servers = _servers();
        if (servers.Count == 0) return Done(DnsError.NoServers);
        var query = new Query(this, name, servers);
        return query.Start();
    }

    /// <summary>"localhost", "localhost." or a name under it ("app.localhost"), in any case.</summary>
    public static bool IsLocalhost(string name)
    {
        var n = name.AsSpan().TrimEnd('.');
        return n.Equals("localhost", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    private static Task<Result<IReadOnlyList<Ipv4Address>, DnsError>> Done(Ipv4Address[] addresses) =>
        Task.FromResult(Result<IReadOnlyList<Ipv4Address>, DnsError>.Ok(addresses));

    private static Task<Result<IReadOnlyList<Ipv4Address>, DnsError>> Done(DnsError error) =>
        Task.FromResult(Result<IReadOnlyList<Ipv4Address>, DnsError>.Fail(error));

    private void Remember(string name, Ipv4Address[] addresses, uint ttlSeconds)
    {
        if (_options.CacheSize == 0 || ttlSeconds == 0) return;
        if (_cache.Count >= _options.CacheSize) _cache.Clear(); // crude but bounded; a stub's working set is small
        _cache[name] = (addresses, _clock.NowNanoseconds + Math.Min(ttlSeconds, 86_400u) * 1_000_000_000L);
    }

    /// <summary>One name being resolved: its socket, the ids it sent, its attempt timer.</summary>
    private sealed class Query
    {
        private readonly DnsResolver _resolver;
        private readonly string _name;
        private readonly IReadOnlyList<Ipv4Address> _servers;
        private readonly TaskCompletionSource<Result<IReadOnlyList<Ipv4Address>, DnsError>> _result =
            new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly List<ushort> _ids = new();
        private readonly ITimer _timer;
        private UdpSocket? _socket;
        private int _attempt;
        private DnsError _lastError = DnsError.TimedOut;

        public Query(DnsResolver resolver, string name, IReadOnlyList<Ipv4Address> servers)
        {
            _resolver = resolver;
            _name = name;
            _servers = servers;
            _timer = resolver._clock.CreateTimer(NextAttempt);
        }

        public Task<Result<IReadOnlyList<Ipv4Address>, DnsError>> Start()
        {
            var bound = _resolver._udp.Bind(0, Receive, OnIcmpError);
            if (!bound.IsOk) return Done(DnsError.NetworkError);
            _socket = bound.Value;
            NextAttempt();
            return _result.Task;
        }

        private Ipv4Address Server => _servers[(_attempt - 1) % _servers.Count];

        private void NextAttempt()
        {
            if (_result.Task.IsCompleted) return;
            if (_attempt >= _resolver._options.Attempts)
            {
                Finish(_lastError);
                return;
            }
            _attempt++;
            Span<byte> r = stackalloc byte[2];
            _resolver._random.Fill(r);
            ushort id = BinaryPrimitives.ReadUInt16BigEndian(r);
            _ids.Add(id);
            DnsMessage.WriteQuery(_resolver._tx, id, _name, DnsType.A, out int length);
            var sent = _socket!.Send(new UdpEndpoint(Server, DnsMessage.Port), _resolver._tx.AsSpan(0, length));
            if (!sent.IsOk) _lastError = DnsError.NetworkError;
            _timer.Arm(_resolver._clock.NowNanoseconds + _resolver._options.Timeout.Ticks * 100);
        }

        private void Receive(UdpEndpoint source, Ipv4Address destination, ReadOnlySpan<byte> payload)
        {
            var stats = _resolver._stats;
            if (DnsMessage.TryParse(payload, out var m) != WireError.None)
            {
                stats.Increment(NetCounter.DnsMalformed);
                return;
            }
            // Only answers from a server we asked, to an id we sent, about our question (RFC 5452 9.1).
            if (source.Port != DnsMessage.Port || !Contains(_servers, source.Address) || !m.IsResponse || !_ids.Contains(m.Id)
                || m.Opcode != 0 || !m.HasQuestion(_name, DnsType.A))
            {
                stats.Increment(NetCounter.DnsIgnored);
                return;
            }
            if (m.IsTruncated) { Finish(DnsError.Truncated); return; }
            switch (m.ResponseCode)
            {
                case DnsResponseCode.NoError:
                    var addresses = new List<Ipv4Address>();
                    uint ttl = uint.MaxValue;
                    foreach (var record in m.Answers)
                    {
                        if (record.Type != DnsType.A || record.Class != DnsMessage.ClassInternet) continue;
                        addresses.Add(Ipv4Address.Read(record.Data));
                        ttl = Math.Min(ttl, record.Ttl);
                    }
                    if (addresses.Count == 0) { Finish(DnsError.NoAddresses); return; }
                    var array = addresses.ToArray();
                    _resolver.Remember(_name, array, ttl);
                    Finish(Result<IReadOnlyList<Ipv4Address>, DnsError>.Ok(array));
                    return;
                case DnsResponseCode.NameError:
                    Finish(DnsError.NameNotFound);
                    return;
                default:
                    // SERVFAIL, REFUSED, ...: this server cannot help; ask the next one now.
                    _lastError = DnsError.ServerFailure;
                    NextAttempt();
                    return;
            }
        }

        private void OnIcmpError(IcmpErrorKind kind, UdpEndpoint destination)
        {
            if (_result.Task.IsCompleted || destination.Address != Server) return;
            _lastError = DnsError.TimedOut;
            NextAttempt(); // nobody listens there: do not wait out the timeout
        }

        private static bool Contains(IReadOnlyList<Ipv4Address> list, Ipv4Address a)
        {
            for (int i = 0; i < list.Count; i++) if (list[i] == a) return true;
            return false;
        }

        private void Finish(DnsError error) => Finish(Result<IReadOnlyList<Ipv4Address>, DnsError>.Fail(error));

        private void Finish(Result<IReadOnlyList<Ipv4Address>, DnsError> result)
        {
            _timer.Cancel();
            _socket?.Close();
            _result.TrySetResult(result);
        }
    }
}
