using System.Globalization;
using System.Text;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Runtime;
using CosmosNet.Kernel.Runtime.Gc;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;
using ThreadState = CosmosNet.Kernel.Threading.ThreadState;

namespace CosmosNet.Kernel.Console;

/// <summary>The kernel's own console commands: help, uptime, mem, gc, threads, irq, trace, log, reboot, poweroff.</summary>
internal static unsafe class KernelCommands
{
    static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    public static void Register()
    {
        Shell.Register("help", "help [command]: the commands, or one command's help", Help);
        Shell.Register("uptime", "uptime: time since boot, wall clock, CPU idle share", _ => Uptime());
        Shell.Register("mem", "mem: RAM, physical pages, object heap, native heap", _ => Memory());
        Shell.Register("gc", "gc [collect]: collections and pause percentiles; collect runs a full collection", Gc);
        Shell.Register("threads", "threads: every kernel thread: id, name, state, CPU time, stack use and depth", _ => Threads());
        Shell.Register("irq", "irq: interrupt counts per vector, spurious and unexpected ones", _ => Interrupts());
        Shell.Register("trace", "trace <thread id>: the thread's stack, symbolized (ids from threads)", Trace);
        Shell.Register("log", "log [level error|warn|info|debug]: show or set the log level", LogLevelCommand);
        Shell.Register("reboot", "reboot: reset the machine", _ => { Shell.Say("rebooting\n"); Power.Reboot(); return ""; });
        Shell.Register("poweroff", "poweroff: SIGTERM to the app (a graceful stop, as the power button), then power off (ACPI), at most 10 s later",
            _ => { Shell.Say("powering off: SIGTERM to the app\n"); Signals.PowerOff(10_000_000_000UL); return ""; });
    }

    static string Help(string[] args)
    {
        var commands = Shell.Commands();
        if (args.Length > 1) throw new ArgumentException("usage: help [command]");
        if (args.Length == 1)
        {
            var c = commands.FirstOrDefault(c => c.Name == args[0]) ?? throw new ArgumentException($"no command '{args[0]}'");
            return c.Help;
        }
        var text = new StringBuilder();
        foreach (var c in commands) text.Append(c.Help).Append('\n');
        return text.ToString();
    }

    static string Uptime()
    {
        ulong ns = Clock.Nanoseconds;
        var up = TimeSpan.FromTicks((long)(ns / 100));
        double idle = ns == 0 ? 0 : 100.0 * Scheduler.IdleNanoseconds / ns;
        return string.Create(Invariant, $"up {(int)up.TotalDays}d {up:hh\\:mm\\:ss\\.fff} ({ns / 1_000_000} ms), " +
            $"wall clock {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ}, idle {idle:F1}%, {Scheduler.ContextSwitches} context switches");
    }

    static string Memory()
    {
        const double MiB = 1024 * 1024;
        return string.Create(Invariant,
            $"ram: {MemoryMap.UsableBytes / MiB:F1} MiB usable, {PhysicalMemory.AllocatedBytes / MiB:F1} MiB allocated, {PhysicalMemory.FreeBytes / MiB:F1} MiB free\n" +
            $"heap: {GcHeap.OwnedBytes / MiB:F1} MiB owned, {Allocator.LiveAfterGc / MiB:F1} MiB live after the last collection, " +
            $"{Allocator.AllocatedSinceGc / MiB:F1} MiB allocated since, {Allocator.TotalAllocated / MiB:F1} MiB allocated in all\n" +
            $"native: {NativeHeap.UsedBytes / MiB:F1} MiB (runtime tables, malloc)\n");
    }

    static string Gc(string[] args)
    {
        if (args.Length == 1 && args[0] == "collect")
        {
            ulong before = GcHeap.OwnedBytes, start = Clock.Nanoseconds;
            long total = GC.GetTotalMemory(forceFullCollection: true);
            return string.Create(Invariant, $"collected in {(Clock.Nanoseconds - start) / 1e6:F1} ms: {total / 1024} KiB live, " +
                $"heap {before / 1024} -> {GcHeap.OwnedBytes / 1024} KiB owned");
        }
        if (args.Length != 0) throw new ArgumentException("usage: gc [collect]");
        long count = GcDiagnostics.PauseCount;
        var pauses = GcDiagnostics.PausesSince(Math.Max(0, count - 16384)).Select(p => p.Microseconds).Order().ToArray();
        string Percentile(double q) => pauses.Length == 0 ? "-" : pauses[Math.Min(pauses.Length - 1, (int)(q * pauses.Length))].ToString("F0", Invariant);
        return string.Create(Invariant,
            $"collections {Collector.CollectionCount}, phase {Collector.CurrentPhase}, {count} pauses; " +
            $"last {pauses.Length}: p50 {Percentile(0.5)} us, p90 {Percentile(0.9)} us, p99 {Percentile(0.99)} us, " +
            $"max {GcDiagnostics.MaxPauseMicroseconds:F0} us");
    }

    static string Threads()
    {
        ulong marker = 0;
        ulong here = (ulong)&marker;   // this thread's stack pointer, about
        ulong flags = InterruptGuard.Disable();
        int capacity = Scheduler.LiveThreads + 4;
        var ids = stackalloc ulong[capacity];
        var states = stackalloc ThreadState[capacity];
        var cpu = stackalloc ulong[capacity];
        var used = stackalloc ulong[capacity];
        var size = stackalloc ulong[capacity];
        var names = stackalloc byte[capacity * KThread.NameCapacity];
        int n = 0;
        for (KThread* t = Scheduler.First; t != null && n < capacity; t = t->NextInAll, n++)
        {
            ids[n] = t->Id;
            states[n] = t->State;
            cpu[n] = t->CpuNanoseconds;
            ulong sp = t == Scheduler.Current ? here : t->SavedRsp;
            used[n] = (ulong)t->StackTop - sp;
            size[n] = (ulong)(t->StackTop - t->StackBottom);
            for (int i = 0; i < KThread.NameCapacity; i++) names[n * KThread.NameCapacity + i] = t->Name[i];
        }
        InterruptGuard.Restore(flags);

        var text = new StringBuilder("  id  name              state     cpu ms  stack used/size   frames\n");
        nint* frames = stackalloc nint[64];
        for (int i = n - 1; i >= 0; i--)
        {
            var name = new ReadOnlySpan<byte>(names + i * KThread.NameCapacity, KThread.NameCapacity);
            int end = name.IndexOf((byte)0);
            string shown = Encoding.ASCII.GetString(end < 0 ? name : name[..end]);
            int depth = Symbols.CaptureThread(ids[i], frames, 64);
            text.Append(string.Create(Invariant,
                $"{ids[i],4}  {(shown.Length == 0 ? "-" : shown),-16}  {states[i],-8} {cpu[i] / 1_000_000,7}  {used[i] / 1024,5}/{size[i] / 1024} KiB  {(depth < 0 ? "-" : depth >= 64 ? "64+" : depth.ToString(Invariant)),9}\n"));
        }
        return text.ToString();
    }

    static string Interrupts()
    {
        var text = new StringBuilder();
        for (int v = 0x20; v < 256; v++)
        {
            ulong count = Irq.CountFor((byte)v);
            if (count == 0) continue;
            string what = v == Apic.TimerVector ? " (APIC timer)" : v == Shell.Vector ? $" (console, {Shell.PortName})" : "";
            text.Append(string.Create(Invariant, $"vector 0x{v:x2}{what}: {count}\n"));
        }
        text.Append(string.Create(Invariant, $"spurious {Irq.SpuriousCount}, unexpected {Irq.UnexpectedCount}; " +
            $"console input {Shell.ReceivedBytes} bytes, {Shell.LostBytes} lost, held back {Shell.InputHolds} times; " +
            $"output {Shell.DroppedOutputBytes} bytes dropped\n"));
        return text.ToString();
    }

    static string Trace(string[] args)
    {
        if (args.Length != 1 || !ulong.TryParse(args[0], NumberStyles.None, Invariant, out ulong id))
            throw new ArgumentException("usage: trace <thread id> (see threads)");
        const int Capacity = 64;
        nint* frames = stackalloc nint[Capacity];
        int count = Symbols.CaptureThread(id, frames, Capacity);
        if (count < 0) throw new ArgumentException($"no thread {id}");
        var text = new StringBuilder(string.Create(Invariant, $"thread {id}: {count}{(count == Capacity ? "+" : "")} frames\n"));
        for (int i = 0; i < count; i++)
            text.Append(string.Create(Invariant, $"  #{i,-2} 0x{(ulong)frames[i]:x}  {Symbols.NameOf(frames[i]) ?? "(no symbol)"}\n"));
        return text.ToString();
    }

    static string LogLevelCommand(string[] args)
    {
        if (args.Length == 0) return $"log level {Hal.Log.Level.ToString().ToLowerInvariant()}";
        if (args.Length == 2 && args[0] == "level" && Hal.Log.Parse(args[1]) is { } level)
        {
            Hal.Log.Level = level;
            return $"log level {level.ToString().ToLowerInvariant()}";
        }
        throw new ArgumentException("usage: log [level error|warn|info|debug]");
    }
}
