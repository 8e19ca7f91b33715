using System.Runtime.ExceptionServices;
using CosmosNet.Net;

namespace CosmosNet.Host.Sockets;

/// <summary>
/// The network the sockets use: the stack and the loop it lives on. Socket calls come from any thread; everything
/// that touches the stack is posted to the loop (<see cref="Post"/>, <see cref="Invoke"/>). An app that never calls
/// <see cref="NetworkHost.Run"/> gets its network started by its first socket: the loop then runs on a thread of its
/// own ("network loop"), configured as NetworkHost.Run configures it (NIC probe, ip=/gw= or DHCP).
/// </summary>
sealed class SocketNetwork(NetworkStack stack, NetworkLoop loop)
{
    public NetworkStack Stack { get; } = stack;
    readonly int _loopThread = Environment.CurrentManagedThreadId;

    /// <summary>Whether the caller is the loop itself (a socket call from the app's own loop code runs inline).</summary>
    public bool OnLoop => Environment.CurrentManagedThreadId == _loopThread;

    public void Post(Action action) => loop.Post(static state => ((Action)state!)(), action);

    /// <summary>Runs <paramref name="function"/> on the loop and waits for its result.</summary>
    public T Invoke<T>(Func<T> function)
    {
        if (OnLoop) return function();
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        using var done = new ManualResetEventSlim();
        Post(() =>
        {
            try { result = function(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
            done.Set();
        });
        done.Wait();
        failure?.Throw();
        return result;
    }

    // ---- which network: the app's own NetworkHost.Run, or one started for the first socket ----

    enum State { None, Starting, Up, Down }
    static readonly Lock s_gate = new();
    static State s_state;
    static SocketNetwork? s_current;
    static readonly ManualResetEventSlim s_settled = new();

    /// <summary>The network, started on first use; null when the machine has none (no NIC, or its loop ended).</summary>
    public static SocketNetwork? Current
    {
        get
        {
            if (s_current is { } current) return current;
            bool start = false;
            lock (s_gate)
            {
                if (s_state == State.None) { s_state = State.Starting; start = true; }
            }
            if (start)
            {
                new Thread(() =>
                {
                    NetworkHost.RunLoop(_ => Task.Delay(Timeout.Infinite), null);
                    Detach();
                }) { IsBackground = true, Name = "network loop" }.Start();
            }
            s_settled.Wait();
            return s_current;
        }
    }

    /// <summary>NetworkHost.Run called by the app: claims the network for its loop. Throws when one runs already.</summary>
    internal static void Claim()
    {
        lock (s_gate)
        {
            if (s_state != State.None) throw new InvalidOperationException("the network is already running (started by NetworkHost.Run or by the app's first socket)");
            s_state = State.Starting;
        }
    }

    /// <summary>The loop's stack has its address: sockets may use it. Called on the loop thread.</summary>
    internal static void Attach(NetworkStack stack, NetworkLoop loop)
    {
        lock (s_gate)
        {
            s_current = new SocketNetwork(stack, loop);
            s_state = State.Up;
        }
        s_settled.Set();
    }

    /// <summary>The loop ended (or never started: no NIC): sockets fail with ENETDOWN from now on.</summary>
    internal static void Detach()
    {
        lock (s_gate)
        {
            s_current = null;
            s_state = State.Down;
        }
        s_settled.Set();
    }
}
