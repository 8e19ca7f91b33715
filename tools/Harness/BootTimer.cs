using System.Net;
using System.Net.Sockets;

namespace CosmosNet.Harness;

/// <summary>One boot timed from QEMU's start to the first HTTP 200 of GET / through a forwarded port, and the serial
/// lines (host time stamps on the same clock) that say where the time went.</summary>
public sealed record BootTiming(TimeSpan FirstOk, IReadOnlyList<SerialLine> Lines, int Attempts);

public static class BootTimer
{
    static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);
    const int MaxAttempts = 3;

    /// <summary>Boots <paramref name="options"/> (its network is replaced by user networking forwarding a free port to
    /// guest port 80) and sends GET / on fresh connections until one is answered 200; the guest is then killed.
    /// QEMU's user network accepts a connection before the guest is up and retries its SYN to the guest only on its
    /// own slow timer, so a new attempt starts every 50 ms while fewer than <see cref="MaxAttempts"/> are pending
    /// (each given up after a second): a connection opened soon after the guest listens shows when it does, and a
    /// slow guest is not buried under abandoned connections.</summary>
    public static BootTiming Measure(QemuOptions options, TimeSpan timeout)
    {
        int port = FreePort();
        using var guest = Qemu.Start(options with { Network = new UserNetwork(new Forward(port, 80)) }, timeout + TimeSpan.FromMinutes(1));
        using var done = new CancellationTokenSource();
        long firstOkTicks = long.MaxValue;
        int pending = 0, started = 0;
        var attempts = new List<Task>();
        while (Interlocked.Read(ref firstOkTicks) == long.MaxValue)
        {
            if (guest.Elapsed > timeout) throw new GuestException($"no HTTP 200 within {timeout.TotalSeconds:F0} s:\n{guest.Tail()}");
            if (guest.HasExited) throw new GuestException($"the guest stopped before serving:\n{guest.Tail()}");
            if (Volatile.Read(ref pending) < MaxAttempts)
            {
                Interlocked.Increment(ref pending);
                started++;
                attempts.Add(Task.Run(async () =>
                {
                    if (await TryGetAsync(port, done.Token)) Interlocked.CompareExchange(ref firstOkTicks, guest.Elapsed.Ticks, long.MaxValue);
                    Interlocked.Decrement(ref pending);
                }));
            }
            Thread.Sleep(50);
        }
        done.Cancel();
        Thread.Sleep(100);   // the lines the guest printed while answering
        try { Task.WaitAll(attempts.ToArray(), TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        return new BootTiming(TimeSpan.FromTicks(firstOkTicks), guest.Lines, started);
    }

    /// <summary>One GET / on a fresh connection; true when the status line says 200.</summary>
    static async Task<bool> TryGetAsync(int port, CancellationToken cancel)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
            timeout.CancelAfter(AttemptTimeout);
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            await socket.SendAsync("GET / HTTP/1.1\r\nHost: boot\r\nConnection: close\r\n\r\n"u8.ToArray(), timeout.Token);
            var buffer = new byte[16];
            int n = 0;
            while (n < 12)
            {
                int r = await socket.ReceiveAsync(buffer.AsMemory(n), timeout.Token);
                if (r == 0) return false;
                n += r;
            }
            return buffer.AsSpan(0, 12).SequenceEqual("HTTP/1.1 200"u8);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException) { return false; }
    }

    static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
