using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Time;

/// <summary>Kernel timers: threads waiting with a deadline, in deadline order, and the one-shot APIC timer
/// armed for the earliest deadline (or the running thread's time slice, when others wait to run). With
/// nothing due the timer is off, so an idle CPU sleeps in hlt until a device interrupt.</summary>
internal static unsafe class Timers
{
    static KThread* s_sleepers;
    static ulong s_armedFor = ulong.MaxValue;
    const ulong RearmSlackNanoseconds = 1_000_000;

    /// <summary>Timer interrupts taken (for tests and the benchmark).</summary>
    public static ulong Interrupts { get; private set; }

    /// <summary>Called for each interrupt: (TSC at handler entry) — used by the benchmark.</summary>
    public static delegate*<ulong, void> Probe;

    internal static void Initialize() => Irq.SetVector(Apic.TimerVector, &OnInterrupt, 0);

    /// <summary>Adds a thread to the deadline list (interrupts disabled).</summary>
    internal static void Add(KThread* t, ulong deadline)
    {
        t->WakeAt = deadline == 0 ? 1 : deadline;
        fixed (KThread** head = &s_sleepers)
        {
            KThread** link = head;
            while (*link != null && (*link)->WakeAt <= t->WakeAt) link = &(*link)->NextSleeper;
            t->NextSleeper = *link;
            *link = t;
        }
    }

    internal static void Remove(KThread* t)
    {
        if (t->WakeAt == 0) return;
        fixed (KThread** head = &s_sleepers)
            for (KThread** link = head; *link != null; link = &(*link)->NextSleeper)
            {
                if (*link != t) continue;
                *link = t->NextSleeper;
                break;
            }
        t->NextSleeper = null;
        t->WakeAt = 0;
    }

    /// <summary>Wakes every thread whose deadline has passed (interrupts disabled).</summary>
    internal static void Expire()
    {
        ulong now = Clock.Nanoseconds;
        while (s_sleepers != null && s_sleepers->WakeAt <= now)
        {
            KThread* t = s_sleepers;
            s_sleepers = t->NextSleeper;
            t->NextSleeper = null;
            t->WakeAt = 0;
            Scheduler.WakeTimedOut(t);
        }
    }

    /// <summary>Arms the APIC timer for min(earliest deadline, <paramref name="sliceEnd"/>) (0 = no slice).</summary>
    internal static void Arm(ulong sliceEnd)
    {
        ulong due = s_sleepers != null ? s_sleepers->WakeAt : ulong.MaxValue;
        if (sliceEnd != 0 && sliceEnd < due) due = sliceEnd;
        // A deadline already armed a little before the new one stands: it fires early and the tick arms again. Writing
        // the APIC costs an emulated device access, and a slice end moves by microseconds on every switch.
        if (s_armedFor != ulong.MaxValue && due >= s_armedFor && due - s_armedFor < RearmSlackNanoseconds) return;
        s_armedFor = due;
        if (due == ulong.MaxValue) { Apic.ArmTimer(0); return; }
        ulong now = Clock.Nanoseconds;
        Apic.ArmTimer(due > now ? due - now : 1);
    }

    static void OnInterrupt(nint context)
    {
        if (Probe != null) Probe(Cpu.ReadTimestampCounter());
        Interrupts++;
        s_armedFor = ulong.MaxValue;   // fired: whatever was armed is spent
        Expire();
        Scheduler.Tick();
    }
}
