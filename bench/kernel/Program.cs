// Kernel micro-benchmarks; prints "BENCH <name> <value> <unit>" lines that bench/kernel/run.sh collects.
using System.Diagnostics;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;

static class Program
{
    static ulong s_ipiSentTsc;
    static readonly List<double> s_ipiLatencies = new();

    static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "idle")
        {
            int seconds = args.Length > 1 ? int.Parse(args[1]) : 20;
            Console.WriteLine($"IDLE-START {seconds}");
            await Task.Delay(seconds * 1000);
            Console.WriteLine("IDLE-END");
            return 0;
        }
        TimerWakeup();
        TaskDelayWakeup();
        ThreadSwitch();
        MonitorPingPong();
        InterruptLatency();
        Console.WriteLine("BENCH-DONE");
        return 0;
    }

    static void Report(string name, List<double> samples, string unit)
    {
        samples.Sort();
        double P(double q) => samples[Math.Min(samples.Count - 1, (int)(q * samples.Count))];
        Console.WriteLine($"BENCH {name}_p50 {P(0.50):F1} {unit}");
        Console.WriteLine($"BENCH {name}_p99 {P(0.99):F1} {unit}");
        Console.WriteLine($"BENCH {name}_max {samples[^1]:F1} {unit}");
    }

    /// <summary>Kernel timer: a thread sleeps 1 ms; latency = wake-up time - deadline.</summary>
    static void TimerWakeup()
    {
        var samples = new List<double>();
        for (int i = 0; i < 500; i++)
        {
            ulong deadline = Clock.Nanoseconds + 1_000_000;
            Scheduler.Sleep(1_000_000);
            samples.Add((Clock.Nanoseconds - deadline) / 1000.0);
        }
        Report("timer_wakeup_latency", samples, "us");
    }

    /// <summary>The same through CoreLib: Task.Delay(1) (its timer thread, then the thread pool).</summary>
    static void TaskDelayWakeup()
    {
        var samples = new List<double>();
        for (int i = 0; i < 200; i++)
        {
            long start = Stopwatch.GetTimestamp();
            Task.Delay(1).Wait();
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMicroseconds - 1000);
        }
        Report("task_delay_1ms_lateness", samples, "us");
    }

    /// <summary>Two threads yielding to each other: one Yield = one switch.</summary>
    static void ThreadSwitch()
    {
        const int rounds = 20_000;
        bool stop = false;
        var other = new Thread(() => { while (!Volatile.Read(ref stop)) Scheduler.Yield(); });
        other.Start();
        Thread.Sleep(5);
        ulong switches = Scheduler.ContextSwitches;
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < rounds; i++) Scheduler.Yield();
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        ulong made = Scheduler.ContextSwitches - switches;
        Volatile.Write(ref stop, true);
        other.Join();
        Console.WriteLine($"BENCH thread_switch {ns / made:F0} ns");
    }

    /// <summary>Monitor.Wait/Pulse ping-pong: a blocking hand-off each way (wake + switch).</summary>
    static void MonitorPingPong()
    {
        const int rounds = 5000;
        object gate = new();
        int turn = 0;
        var other = new Thread(() =>
        {
            lock (gate)
                for (int i = 0; i < rounds; i++) { while (turn != 1) Monitor.Wait(gate); turn = 0; Monitor.Pulse(gate); }
        });
        other.Start();
        long start = Stopwatch.GetTimestamp();
        lock (gate)
            for (int i = 0; i < rounds; i++) { turn = 1; Monitor.Pulse(gate); while (turn != 0) Monitor.Wait(gate); }
        double ns = Stopwatch.GetElapsedTime(start).TotalNanoseconds;
        other.Join();
        Console.WriteLine($"BENCH monitor_handoff {ns / (2 * rounds):F0} ns");
    }

    static void OnIpi(nint context)
    {
        ulong now = Clock.ReadTsc();
        s_ipiLatencies.Add((now - s_ipiSentTsc) * 1e9 / Clock.TscPerSecond);
    }

    /// <summary>Self-IPI: TSC just before the ICR write to TSC at the handler's first line.</summary>
    static unsafe void InterruptLatency()
    {
        s_ipiLatencies.Capacity = 2000;
        int vector = Irq.AllocateVector(&OnIpi, 0);
        for (int i = 0; i < 1000; i++)
        {
            ulong flags = InterruptGuard.Disable();
            s_ipiSentTsc = Clock.ReadTsc();
            Apic.SendSelfIpi((byte)vector);
            InterruptGuard.Restore(flags);    // delivered right here
        }
        Report("interrupt_to_handler", new List<double>(s_ipiLatencies), "ns");
    }
}
