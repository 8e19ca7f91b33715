using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Random;
using CosmosNet.Kernel.Threading;
using CosmosNet.Net;
using CosmosNet.Net.Ip;
using CosmosNet.Net.Platform;
using ITimer = CosmosNet.Net.Platform.ITimer;

namespace CosmosNet.Drivers.Net;

/// <summary>
/// Start-up wiring of the network: the one place that references Kernel, Drivers and Net (it lives in Drivers,
/// which already depends on Kernel and implements Net's device interface; Net stays free of both). The thread that
/// calls <see cref="Run"/> becomes the network loop: it owns the <see cref="NetworkStack"/>, delivers received
/// frames, fires the stack's timers and runs every continuation posted to its single-threaded
/// <see cref="SynchronizationContext"/>, so the app's async code runs there too.
/// </summary>
public static class NetworkHost
{
    /// <summary>Longest sleep without an interrupt: the polling fallback should the NIC's interrupt not arrive.</summary>
    const ulong PollNanoseconds = 20_000_000;

    static unsafe WaitQueue* s_queue;
    static volatile bool s_pending;

    /// <summary>
    /// Finds the NIC, configures the stack (static from the command line's <c>ip=A.B.C.D/N [gw=G]</c>, else DHCP),
    /// then runs <paramref name="app"/> on the loop until its task completes. Returns the app's exit code
    /// (1 when the machine has no supported NIC or the app failed).
    /// </summary>
    public static unsafe int Run(Func<NetworkStack, Task> app, TimeSpan? dhcpTimeout = null)
    {
        s_queue = (WaitQueue*)PhysicalMemory.Allocate((ulong)sizeof(WaitQueue), 16);
        *s_queue = default;
        var started = Clock.Nanoseconds;
        // Branch nics: the INic drivers are tried first by PCI ID (the lead turns this into NicDrivers.All lines).
        INic? card = ProbeInic(&Wake);
        E1000? e1000 = card is null ? E1000.Probe(&Wake) : null;
        INetworkDevice? nic = card ?? (INetworkDevice?)e1000;
        if (nic is null) { Console.WriteLine("net: no supported NIC (rtl8139, e1000e, vmxnet3, e1000) found"); return 1; }
        if (e1000 is not null)
            Console.WriteLine($"net: e1000 {e1000.MacAddress}, link {(e1000.LinkUp ? "up" : "down")}, " +
                (e1000.Vector >= 0 ? $"interrupt vector 0x{e1000.Vector:x}" : "no interrupt: polling"));

        var loop = new Loop();
        SynchronizationContext.SetSynchronizationContext(loop);
        var config = StaticConfiguration(Environment.GetCommandLineArgs());
        var stack = new NetworkStack(nic, loop, new KernelRandom(), config is null ? NetworkStackConfig.WithDhcp() : NetworkStackConfig.WithStatic(config));

        Task main = Start(stack, started, app, dhcpTimeout ?? TimeSpan.FromSeconds(30));
        while (!main.IsCompleted)
        {
            if (card is not null) card.Poll(); else e1000!.Poll();
            loop.RunPosted();
            loop.RunDueTimers();
            if (main.IsCompleted) break;
            ulong deadline = Math.Min(loop.NextDeadline, Clock.Nanoseconds + PollNanoseconds);
            ulong flags = InterruptGuard.Disable();
            if (!s_pending && !loop.HasPosted) Scheduler.Block(s_queue, deadline);
            s_pending = false;
            InterruptGuard.Restore(flags);
        }
        if (main.IsFaulted) { Console.WriteLine($"net: the app failed: {main.Exception?.InnerException}"); return 1; }
        return 0;
    }

    static unsafe INic? ProbeInic(delegate*<void> wake)
    {
        foreach (var driver in new NicDriver[]
        {
            new("rtl8139", "Realtek RTL8139", Rtl8139.Ids, Rtl8139.Probe),
            new("e1000e", "Intel 82574L", E1000e.Ids, E1000e.Probe),
            new("vmxnet3", "VMware vmxnet3", Vmxnet3.Ids, Vmxnet3.Probe),
        })
            foreach (var id in driver.Ids)
                if (Pci.PciBus.Find(id.Vendor, id.Device) is { } pci && driver.Probe(pci) is { } card)
                {
                    string? irq = card.BindInterrupt(wake);
                    Console.WriteLine($"net: {card.Model} {card.MacAddress} at {pci.Bus:x2}:{pci.Device:x2}.{pci.Function}, " +
                        $"link {(card.LinkUp ? "up" : "down")}, {irq ?? "no interrupt: polling"}");
                    return card;
                }
        return null;
    }

    static async Task Start(NetworkStack stack, ulong started, Func<NetworkStack, Task> app, TimeSpan dhcpTimeout)
    {
        var result = await stack.StartAsync(dhcpTimeout);
        double ms = (Clock.Nanoseconds - started) / 1e6;
        if (result.IsOk) Console.WriteLine($"net: {(stack.Config.Static is null ? "DHCP lease" : "static address")} {result.Value.Address}/{result.Value.PrefixLength} gw {result.Value.Gateway} after {ms:F0} ms");
        else Console.WriteLine($"net: DHCP failed after {ms:F0} ms ({result.Error}); still trying");
        await app(stack);
    }

    /// <summary><c>ip=A.B.C.D/N</c> and optional <c>gw=G</c> among the boot arguments; null means DHCP.</summary>
    public static IpConfiguration? StaticConfiguration(string[] args)
    {
        string? ip = null, gw = null;
        foreach (var a in args)
        {
            if (a.StartsWith("ip=", StringComparison.Ordinal)) ip = a[3..];
            else if (a.StartsWith("gw=", StringComparison.Ordinal)) gw = a[3..];
        }
        if (ip is null || ip == "dhcp") return null;
        var c = IpConfiguration.TryParse(ip, gw);
        if (c is null) Console.WriteLine($"net: ignoring malformed ip={ip} gw={gw}; using DHCP");
        return c;
    }

    /// <summary>Called with interrupts disabled (the NIC's handler) or under <see cref="InterruptGuard"/>.</summary>
    static unsafe void Wake()
    {
        s_pending = true;
        Scheduler.WakeOne(s_queue);
    }

    static void WakeFromThread()
    {
        ulong flags = InterruptGuard.Disable();
        Wake();
        InterruptGuard.Restore(flags);
    }

    sealed class KernelRandom : IRandomSource
    {
        public unsafe void Fill(Span<byte> buffer)
        {
            fixed (byte* p = buffer) Entropy.Fill(p, buffer.Length);
        }
    }

    /// <summary>The loop's clock, timers and synchronization context (the stack's single logical thread).</summary>
    sealed class Loop : SynchronizationContext, IClock
    {
        readonly Queue<(SendOrPostCallback, object?)> _posted = new();
        readonly List<LoopTimer> _armed = [];
        readonly List<LoopTimer> _due = [];

        public long NowNanoseconds => (long)Clock.Nanoseconds;
        public ITimer CreateTimer(Action callback) => new LoopTimer(this, callback);

        public bool HasPosted { get { lock (_posted) return _posted.Count != 0; } }

        public override void Post(SendOrPostCallback d, object? state)
        {
            lock (_posted) _posted.Enqueue((d, state));
            WakeFromThread();
        }

        public override void Send(SendOrPostCallback d, object? state) => throw new NotSupportedException("the network loop does not block for other threads");
        public override SynchronizationContext CreateCopy() => this;

        public void RunPosted()
        {
            while (true)
            {
                (SendOrPostCallback d, object? state) item;
                lock (_posted) { if (!_posted.TryDequeue(out item)) return; }
                item.d(item.state);
            }
        }

        public ulong NextDeadline
        {
            get
            {
                long next = long.MaxValue;
                foreach (var t in _armed) next = Math.Min(next, t.Deadline);
                return next == long.MaxValue ? ulong.MaxValue : (ulong)Math.Max(next, 1);
            }
        }

        public void RunDueTimers()
        {
            long now = NowNanoseconds;
            for (int i = _armed.Count - 1; i >= 0; i--)
                if (_armed[i].Deadline <= now) { _due.Add(_armed[i]); _armed[i].IsArmed = false; _armed.RemoveAt(i); }
            foreach (var t in _due) t.Callback();   // a callback may re-arm its own or another timer
            _due.Clear();
        }

        internal void Arm(LoopTimer t) { if (!t.IsArmed) { t.IsArmed = true; _armed.Add(t); } }
        internal void Cancel(LoopTimer t) { if (t.IsArmed) { t.IsArmed = false; _armed.Remove(t); } }
    }

    sealed class LoopTimer(Loop loop, Action callback) : ITimer
    {
        public readonly Action Callback = callback;
        public long Deadline;
        public bool IsArmed { get; set; }
        public void Arm(long deadlineNanoseconds) { Deadline = deadlineNanoseconds; loop.Arm(this); }
        public void Cancel() => loop.Cancel(this);
    }
}
