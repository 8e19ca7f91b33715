using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;

static partial class Program
{
    static int s_selfIpiCount;
    static nint s_selfIpiContext;
    static void OnSelfIpi(nint context) { s_selfIpiCount++; s_selfIpiContext = context; }

    static class InterruptTests
    {
        public static void Register()
        {
            Test("timer_interrupts_are_taken", async () =>
            {
                ulong before = Timers.Interrupts;
                await Task.Delay(30);
                Check(Timers.Interrupts > before, "no APIC timer interrupt during Task.Delay(30)");
            });

            Test("self_ipi_reaches_attached_handler", () =>
            {
                int vector;
                unsafe { vector = Irq.AllocateVector(&OnSelfIpi, 1234); }
                Check(vector >= Irq.FirstDeviceVector && vector <= Irq.LastDeviceVector, $"vector {vector}");
                for (int i = 0; i < 10; i++) Apic.SendSelfIpi((byte)vector);
                Thread.Sleep(1);
                Check(s_selfIpiCount == 10 && s_selfIpiContext == 1234, $"handler ran {s_selfIpiCount} times");
                Check(Irq.CountFor((byte)vector) == 10, $"counted {Irq.CountFor((byte)vector)}");
            });

            Test("unattached_vector_is_counted_not_fatal", () =>
            {
                ulong before = Irq.UnexpectedCount;
                Apic.SendSelfIpi(Irq.LastDeviceVector);   // nobody attached to the last device vector
                Thread.Sleep(1);
                Check(Irq.UnexpectedCount == before + 1, $"unexpected count {before} -> {Irq.UnexpectedCount}");
            });

            Test("idle_cpu_halts", async () =>
            {
                ulong idle = Scheduler.IdleNanoseconds;
                await Task.Delay(200);
                ulong halted = Scheduler.IdleNanoseconds - idle;
                Check(halted > 100_000_000, $"only {halted / 1_000_000} ms of 200 halted");
            });

            Test("msi_message_targets_this_cpu", () =>
            {
                bool attached; ulong address; uint data;
                unsafe { attached = Irq.AttachMsi(&OnSelfIpi, 0, out address, out data); }
                Check(attached, "no vector");
                Check((address & 0xFFF00000) == 0xFEE00000 && data >= Irq.FirstDeviceVector && data <= Irq.LastDeviceVector, $"address {address:x} data {data:x}");
            });

            Test("context_switches_happen", () =>
            {
                ulong before = Scheduler.ContextSwitches;
                var t = new Thread(() => Thread.Sleep(5));
                t.Start(); t.Join();
                Check(Scheduler.ContextSwitches > before, "no context switch");
            });
        }
    }
}
