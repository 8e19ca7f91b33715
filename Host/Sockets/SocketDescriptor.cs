using CosmosNet.Kernel.Hal;
using CosmosNet.Net.Platform;
using static CosmosNet.Host.Sockets.Errno;

namespace CosmosNet.Host.Sockets;

/// <summary>An IPv4 address and port as the socket calls pass them.</summary>
readonly record struct Endpoint(Ipv4Address Address, ushort Port)
{
    public override string ToString() => $"{Address}:{Port}";
}

/// <summary>
/// A socket's kernel-side state, behind a file descriptor. App threads call in (the SystemNative_* entry points in
/// SocketCalls.cs); the network loop feeds it (data, connections, errors). Both sides hold <see cref="Gate"/> while
/// they touch the state, and every change that may let a waiting call go on goes through <see cref="ChangedLocked"/>:
/// it wakes blocked callers (Monitor), queues an edge on the registered event port and wakes poll(2).
/// Calls return a count or a negative Linux errno.
/// </summary>
abstract class SocketDescriptor(SocketNetwork network) : Descriptor
{
    protected readonly SocketNetwork Network = network;
    protected readonly object Gate = new();
    protected bool Closed;

    /// <summary>SO_ERROR: set by an asynchronous failure (a connect refused, a reset), cleared when read.</summary>
    protected int PendingError;

    // Options (SocketOptions.cs reads and writes them under Gate).
    public int ReceiveTimeout, SendTimeout;                       // milliseconds, 0 = none
    public int ReceiveBufferSize = 256 * 1024, SendBufferSize = 256 * 1024;
    public bool ReuseAddress, KeepAlive, NoDelay, Broadcast, DontFragment, PacketInformation;
    public bool LingerOn;
    public int LingerSeconds, TimeToLive = 64, TypeOfService;
    public int KeepAliveTime = 7200, KeepAliveInterval = 75, KeepAliveProbes = 9;   // seconds, Linux's defaults

    public abstract int Type { get; }        // SocketType: 1 stream, 2 datagram
    public abstract int Protocol { get; }    // ProtocolType: 6 TCP, 17 UDP
    public virtual bool IsListening => false;

    /// <summary>Whether a socket may bind <paramref name="address"/>: 0.0.0.0, 127/8 (the loopback interface) or the interface's address.</summary>
    public bool MayBind(Ipv4Address address) => address.IsAny || Network.Stack.Ip.IsLocal(address);

    // ---- the calls ----

    public abstract int Bind(Endpoint local);
    public abstract int Connect(Endpoint remote);
    public virtual int Listen(int backlog) => -EOPNOTSUPP;
    public virtual int Accept(out SocketDescriptor? accepted) { accepted = null; return -EOPNOTSUPP; }
    /// <summary>Receives into <paramref name="buffer"/>; <paramref name="from"/> is the sender, <paramref name="truncated"/>
    /// says a datagram was longer than the buffer.</summary>
    public abstract int Receive(Span<byte> buffer, bool peek, out Endpoint from, out bool truncated);
    public abstract int Send(ReadOnlySpan<byte> data, Endpoint? to);
    public abstract int Shutdown(int how);
    public abstract int Disconnect();
    public abstract Endpoint LocalEndpoint { get; }
    /// <summary>The peer, or null when not connected.</summary>
    public abstract Endpoint? RemoteEndpoint { get; }
    public abstract int BytesAvailable { get; }

    public object SyncRoot => Gate;

    /// <summary>SO_ERROR with the Gate held by the caller.</summary>
    public int TakeErrorRaw()
    {
        int e = PendingError;
        PendingError = 0;
        return e;
    }

    public int TakeError()
    {
        lock (Gate)
        {
            int e = PendingError;
            PendingError = 0;
            return e;
        }
    }

    // ---- readiness and the event port ----

    SocketEventPort? _port;
    nuint _data;

    public (SocketEventPort? Port, nuint Data) Registration
    {
        get { lock (Gate) return (_port, _data); }
    }

    /// <summary>TryChangeSocketEventRegistration: None unregisters; anything else registers for every event (the BCL
    /// asks for Read|Write) and queues the present readiness, as EPOLL_CTL_ADD does.</summary>
    public void Register(SocketEventPort port, SocketEvents events, nuint data)
    {
        lock (Gate)
        {
            if (events == SocketEvents.None)
            {
                if (_port == port) { port.Forget(this); _port = null; }
                return;
            }
            _port = port;
            _data = data;
            var now = EventsLocked();
            if (now != SocketEvents.None) port.Post(this, now);
        }
    }

    /// <summary>What poll(2) reports now; the Gate is held.</summary>
    protected abstract PollEvents ReadinessLocked();

    public override PollEvents Readiness
    {
        get { lock (Gate) return ReadinessLocked(); }
    }

    /// <summary>The readiness as the event port reports it (EPOLLHUP becomes read and write, as in pal_networking.c).</summary>
    public SocketEvents Events
    {
        get { lock (Gate) return EventsLocked(); }
    }

    SocketEvents EventsLocked()
    {
        var r = ReadinessLocked();
        var e = SocketEvents.None;
        if ((r & PollEvents.In) != 0) e |= SocketEvents.Read;
        if ((r & PollEvents.Out) != 0) e |= SocketEvents.Write;
        if ((r & PollEvents.Error) != 0) e |= SocketEvents.Error;
        if ((r & PollEvents.HangUp) != 0) e |= SocketEvents.Read | SocketEvents.Write;
        return e;
    }

    /// <summary>The state changed (Gate held): wake blocked callers, queue an edge on the port, wake poll(2).</summary>
    protected void ChangedLocked()
    {
        Monitor.PulseAll(Gate);
        _port?.Post(this, EventsLocked() | SocketEvents.Read | SocketEvents.Write);
        ReadinessChanged();
    }

    /// <summary>Closing: the port forgets the socket (closing an fd removes it from epoll); the Gate is held.</summary>
    protected void UnregisterLocked()
    {
        _port?.Forget(this);
        _port = null;
        Monitor.PulseAll(Gate);
        ReadinessChanged();
    }

    // ---- blocking ----

    /// <summary>The deadline of a blocking call with the given SO_RCVTIMEO/SO_SNDTIMEO (ms, 0 = none).</summary>
    protected static long Deadline(int timeoutMilliseconds) =>
        timeoutMilliseconds > 0 ? Environment.TickCount64 + timeoutMilliseconds : long.MaxValue;

    /// <summary>Parks the calling thread (Gate held) until a change or the deadline; false once the deadline passed.</summary>
    protected bool WaitLocked(long deadline)
    {
        if (deadline == long.MaxValue)
        {
            Monitor.Wait(Gate);
            return true;
        }
        long left = deadline - Environment.TickCount64;
        if (left <= 0) return false;
        Monitor.Wait(Gate, (int)Math.Min(left, int.MaxValue));
        return true;
    }

    // ---- read(2)/write(2) on the descriptor ----

    public override int Read(Span<byte> buffer) => Receive(buffer, peek: false, out _, out _);
    public override int Write(ReadOnlySpan<byte> buffer) => Send(buffer, null);

    /// <summary>Runs <paramref name="work"/> on the loop; a failure is printed, never lost and never fatal.</summary>
    protected void OnLoop(Func<Task> work) => Network.Post(async () =>
    {
        try { await work(); }
        catch (Exception e) { Console.WriteLine($"net: socket {this}: {e}"); }
    });
}
