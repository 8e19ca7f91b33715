using CosmosNet.Kernel.Hal;

namespace CosmosNet.Host.Sockets;

/// <summary>.NET's socket async events (SocketEvents in pal_networking.h).</summary>
[Flags]
enum SocketEvents
{
    None = 0x00,
    Read = 0x01,
    Write = 0x02,
    ReadClose = 0x04,
    Close = 0x08,
    Error = 0x10,
}

/// <summary>
/// The event port behind SocketAsyncEngine (epoll on Linux), edge-triggered: a registered socket queues an event
/// each time its state changes in a way that may let a waiting operation go on (data, end of stream, an accepted
/// connection, room to send, a connect's end, an error) and once at registration, as EPOLL_CTL_ADD reports present
/// readiness. Events queued before <see cref="Wait"/> collects them merge into one per socket, carrying the
/// socket's readiness at collection; none is ever dropped. The engine's thread sleeps in <see cref="Wait"/> on a
/// kernel <see cref="WakeEvent"/> that the network loop sets.
/// </summary>
sealed class SocketEventPort
{
    readonly WakeEvent _wake = new();
    readonly Lock _gate = new();
    readonly Queue<SocketDescriptor> _ready = new();
    readonly Dictionary<SocketDescriptor, SocketEvents> _pending = new();
    bool _closed;

    /// <summary>Queues <paramref name="events"/> for <paramref name="socket"/> and wakes the waiter.</summary>
    public void Post(SocketDescriptor socket, SocketEvents events)
    {
        lock (_gate)
        {
            if (_closed) return;
            if (_pending.TryGetValue(socket, out var queued)) _pending[socket] = queued | events;
            else
            {
                _pending[socket] = events;
                _ready.Enqueue(socket);
            }
        }
        _wake.Set();
    }

    /// <summary>The socket was closed or unregistered: its queued event goes.</summary>
    public void Forget(SocketDescriptor socket)
    {
        lock (_gate) _pending.Remove(socket);
    }

    /// <summary>Blocks until at least one event is queued, then writes up to <paramref name="capacity"/> of them.
    /// The sockets' locks are taken only after the port's is released (Post runs under a socket's lock).</summary>
    public unsafe int Wait(SocketEvent* buffer, int capacity)
    {
        var collected = new List<(SocketDescriptor Socket, SocketEvents Events)>();
        while (true)
        {
            lock (_gate)
            {
                while (collected.Count < capacity && _ready.TryDequeue(out var socket))
                    if (_pending.Remove(socket, out var events)) collected.Add((socket, events));   // else forgotten since it was queued
            }
            int n = 0;
            foreach (var (socket, events) in collected)
            {
                var (registered, data) = socket.Registration;
                if (registered == this) buffer[n++] = new SocketEvent { Data = data, Events = (int)(events | socket.Events) };
            }
            collected.Clear();
            if (n > 0) return n;
            bool more;
            lock (_gate) more = _ready.Count > 0;
            if (!more) _wake.Wait(ulong.MaxValue);   // a Post after the check has set it: nothing is missed
        }
    }

    public void Close()
    {
        lock (_gate)
        {
            _closed = true;
            _pending.Clear();
            _ready.Clear();
        }
    }

    // ---- the handles the BCL holds: small integers, never 0 or -1 ----

    static readonly List<SocketEventPort?> s_ports = [];

    public static nint Add(SocketEventPort port)
    {
        lock (s_ports)
        {
            s_ports.Add(port);
            return s_ports.Count;
        }
    }

    public static SocketEventPort? Find(nint handle)
    {
        lock (s_ports) return handle >= 1 && handle <= s_ports.Count ? s_ports[(int)handle - 1] : null;
    }

    public static SocketEventPort? Remove(nint handle)
    {
        lock (s_ports)
        {
            var port = handle >= 1 && handle <= s_ports.Count ? s_ports[(int)handle - 1] : null;
            if (port is not null) s_ports[(int)handle - 1] = null;
            return port;
        }
    }
}

/// <summary>One event as WaitForSocketEvents returns it (SocketEvent in pal_networking.h).</summary>
struct SocketEvent
{
    public nuint Data;
    public int Events;
    public uint Padding;
}
