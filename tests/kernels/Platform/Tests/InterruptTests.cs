using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;
using CosmosNet.Kernel.Time;
using PortIo = CosmosNet.Kernel.Hal.PortIo;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static int s_selfIpiCount;
    static nint s_selfIpiContext;
    static void OnSelfIpi(nint context) { s_selfIpiCount++; s_selfIpiContext = context; }

    static int s_rtcInterrupts, s_pitInterrupts;

    static void OnRtc(nint context)
    {
        s_rtcInterrupts++;
        PortIo.Out8(0x70, 0x8C);   // read register C: acknowledges the RTC's interrupt
        PortIo.In8(0x71);
    }

    static void OnPit(nint context) => s_pitInterrupts++;

    static byte Cmos(byte register) { PortIo.Out8(0x70, (byte)(0x80 | register)); return PortIo.In8(0x71); }
    static void Cmos(byte register, byte value) { PortIo.Out8(0x70, (byte)(0x80 | register)); PortIo.Out8(0x71, value); }

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

            // IOAPIC end to end: the RTC's periodic interrupt (ISA IRQ 8) at 1024 Hz for ~100 ms.
            Test("ioapic_delivers_rtc_irq8", () =>
            {
                int vector;
                unsafe { vector = Irq.AttachIsa(8, &OnRtc, 0); }
                Check(vector >= Irq.FirstDeviceVector, $"AttachIsa(8) gave {vector}");
                if (vector < 0) return;
                Cmos(0x0A, (byte)((Cmos(0x0A) & 0xF0) | 6));     // 1024 Hz
                Cmos(0x0B, (byte)(Cmos(0x0B) | 0x40));           // periodic interrupt on
                Cmos(0x0C);
                Thread.Sleep(100);
                Cmos(0x0B, (byte)(Cmos(0x0B) & ~0x40));          // off again
                int seen = s_rtcInterrupts;
                Check(seen >= 20, $"{seen} RTC interrupts in 100 ms at 1024 Hz");
                Check(Irq.CountFor((byte)vector) == (ulong)seen, "vector count differs from the handler's");
            });

            // The MADT's ISA override: PIT channel 0 (IRQ 0) arrives through its GSI (2 on PCs).
            Test("ioapic_honours_isa_override_for_pit_irq0", () =>
            {
                int vector;
                unsafe { vector = Irq.AttachIsa(0, &OnPit, 0); }
                Check(vector >= Irq.FirstDeviceVector, $"AttachIsa(0) gave {vector}");
                if (vector < 0) return;
                const int divisor = 1193182 / 1000;                 // 1 kHz, rate generator
                PortIo.Out8(0x43, 0x34);
                PortIo.Out8(0x40, unchecked((byte)divisor));
                PortIo.Out8(0x40, (byte)(divisor >> 8));
                Thread.Sleep(100);
                PortIo.Out8(0x43, 0x30);                            // one-shot mode, never armed: quiet
                PortIo.Out8(0x40, 0); PortIo.Out8(0x40, 0);
                int seen = s_pitInterrupts;
                Check(seen >= 20, $"{seen} PIT interrupts in 100 ms at 1 kHz");
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
