using CosmosNet.Drivers.Net;
using CosmosNet.Kernel.Hal;
using CosmosNet.Net;
using CosmosNet.Net.Platform;

namespace CosmosNet.Host;

/// <summary>
/// Start-up of a network app: the one place Kernel, Drivers and Net meet. The thread that calls <see cref="Run"/>
/// becomes the network loop: it owns the <see cref="NetworkStack"/>, delivers received frames, fires the stack's
/// timers and runs every continuation posted to its single-threaded <see cref="SynchronizationContext"/>, so the
/// app's async code runs there too.
/// </summary>
public static class NetworkHost
{
    /// <summary>How often a card without a working interrupt is polled.</summary>
    const ulong PollNanoseconds = 10_000_000;

    /// <summary>Longest sleep with a working interrupt: a safety net, not a poll. An edge-triggered MSI raised while
    /// the device's cause was still being acknowledged could be lost; a wake-up a second costs nothing and bounds
    /// the stall such a loss would cause.</summary>
    const ulong SafetyNanoseconds = 1_000_000_000;

    static WakeEvent? s_wake;
    static NetworkLoop? s_loop;

    /// <summary>Continuations and timer callbacks on the network loop that threw and were contained (each reported on
    /// the console). The stack's own contained faults are in <c>stack.Tcp.Statistics.Faults</c> and
    /// <c>stack.Statistics[NetCounter.InputFaults]</c>.</summary>
    public static long LoopFaults => s_loop?.Faults ?? 0;

    /// <summary>
    /// Finds the NIC (<c>nic=</c> on the command line, else the first supported), configures the stack (static from
    /// <c>ip=A.B.C.D/N [gw=G]</c>, else DHCP), then runs <paramref name="app"/> on the loop until its task completes.
    /// Returns the app's exit code (1 when the machine has no usable NIC or the app failed).
    /// </summary>
    public static int Run(Func<NetworkStack, Task> app, TimeSpan? dhcpTimeout = null)
    {
        Sockets.SocketNetwork.Claim();
        try { return RunLoop(app, dhcpTimeout); }
        finally { Sockets.SocketNetwork.Detach(); }
    }

    /// <summary>Run's body; also the loop that an app's first socket starts on a thread of its own (Sockets/SocketNetwork.cs).</summary>
    internal static unsafe int RunLoop(Func<NetworkStack, Task> app, TimeSpan? dhcpTimeout)
    {
        var wake = s_wake = new WakeEvent();
        var started = Clock.Nanoseconds;
        var boot = BootConfiguration.Parse(Environment.GetCommandLineArgs());
        foreach (var warning in boot.Warnings) Console.WriteLine($"net: {warning}");

        var nic = NicProbe.Select(boot);
        if (nic is null) return 1;
        string? interrupt = nic.BindInterrupt(&Wake);
        Console.WriteLine($"net: {nic.Model} {nic.MacAddress}, link {(nic.LinkUp ? "up" : "down")}, " +
            $"{interrupt ?? $"no interrupt: polling every {PollNanoseconds / 1_000_000} ms"} (pci {nic.Pci.Bus:x2}:{nic.Pci.Device:x2}.{nic.Pci.Function})");

        var loop = s_loop = new NetworkLoop(wake.Set, Console.WriteLine);
        SynchronizationContext.SetSynchronizationContext(loop);
        var config = boot.StaticAddress is { } address ? NetworkStackConfig.WithStatic(address) : NetworkStackConfig.WithDhcp();
        // Memory pressure starts 4 MiB before the end, or at 1/16 of RAM on a small machine (1 MiB of 16).
        config = config with { Tcp = config.Tcp with { MemoryLowWater = Math.Min(config.Tcp.MemoryLowWater, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 16) } };
        var stack = new NetworkStack(nic, loop, new SystemRandom(), config, new HeapMemoryBudget()) { Log = Console.WriteLine };
        NetworkCommands.Attach(nic, stack, loop);   // the diagnostics console's net and conns

        ulong longestSleep = interrupt is null ? PollNanoseconds : SafetyNanoseconds;
        ulong reportedDrops = 0, nextReport = 0;
        Task main = Start(stack, loop, started, app, dhcpTimeout ?? TimeSpan.FromSeconds(30));
        while (!main.IsCompleted)
        {
            nic.BeginTransmitBatch();   // everything this pass sends shares one doorbell
            bool received = nic.Poll();
            // Frames the driver dropped (malformed, oversized, no room in a ring): on the serial console, at most once a second.
            var c = nic.Counters;
            ulong drops = c.DroppedMalformed + c.DroppedOversized + c.DroppedRxFull + c.DroppedTxFull;
            if (drops != reportedDrops && Clock.Nanoseconds >= nextReport && Log.IsEnabled(LogLevel.Warning))
            {
                reportedDrops = drops;
                nextReport = Clock.Nanoseconds + 1_000_000_000;
                Console.WriteLine($"net: {nic.Model} counters: {nic.Counters}");
            }
            loop.RunPosted();
            loop.RunDueTimers();
            nic.EndTransmitBatch();
            if (main.IsCompleted) break;
            if (received) continue;   // drain the ring before sleeping: its interrupt was acknowledged already
            wake.Wait(Math.Min(loop.NextDeadline, Clock.Nanoseconds + longestSleep));
        }
        if (main.IsFaulted) { Console.WriteLine($"net: the app failed: {main.Exception?.InnerException}"); return 1; }
        return 0;
    }

    static async Task Start(NetworkStack stack, NetworkLoop loop, ulong started, Func<NetworkStack, Task> app, TimeSpan dhcpTimeout)
    {
        var result = await stack.StartAsync(dhcpTimeout);
        double ms = (Clock.Nanoseconds - started) / 1e6;
        if (result.IsOk) Console.WriteLine($"net: {(stack.Config.Static is null ? "DHCP lease" : "static address")} {result.Value.Address}/{result.Value.PrefixLength} gw {result.Value.Gateway} after {ms:F0} ms");
        else Console.WriteLine($"net: DHCP failed after {ms:F0} ms ({result.Error}); still trying");
        Sockets.SocketNetwork.Attach(stack, loop);
        await app(stack);
    }

    /// <summary>The NIC's interrupt handler calls this (interrupts disabled, no allocation).</summary>
    static void Wake() => s_wake?.Set();

    sealed class SystemRandom : IRandomSource
    {
        public void Fill(Span<byte> buffer) => System.Security.Cryptography.RandomNumberGenerator.Fill(buffer);
    }
}
