using System.Runtime.InteropServices;
using CosmosNet.Kernel.Runtime.SystemNative;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime;

/// <summary>POSIX signals the machine raises (the ACPI power button is SIGTERM), delivered as Linux's System.Native
/// delivers them: not from the interrupt but on a thread of their own ("signals"), which calls the handler the app's
/// CoreLib registered (SystemNative_SetPosixSignalHandler: PosixSignalRegistration, and through it the .NET host's
/// ConsoleLifetime, which cancels SIGTERM and stops the application). A signal nobody handles takes its default
/// action: the terminating ones end the program.</summary>
internal static unsafe class Signals
{
    public const int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGTERM = 15;

    static ulong s_pending;      // one bit per signal; touched with interrupts disabled (one CPU)
    static WaitQueue s_waiter;
    static volatile bool s_poweringOff;   // SIGTERM comes from poweroff: not handled, it powers off rather than fails

    /// <summary>Kernel start-up, once the scheduler runs: the delivery thread.</summary>
    public static void Start()
    {
        // 64 KiB, not the default 512: every image starts this thread, and CoreLib's handler only hands SIGTERM/SIGINT/
        // SIGQUIT to a thread of its own (other signals to the thread pool), so its stack stays shallow; half a MiB
        // less of a 16 MiB appliance's heap.
        KThread* thread = Scheduler.Create((nint)(delegate* unmanaged<nint, nint>)&Deliver, 0, stackSize: 64 * 1024);
        if (thread == null) Panic.Halt("out of memory: signal thread"u8);
        thread->SetName("signals"u8);
    }

    /// <summary>Raises a signal; safe in an interrupt handler (neither blocks nor allocates).</summary>
    public static void Post(int signal)
    {
        if (signal is <= 0 or >= 64) return;
        ulong flags = Arch.X64.InterruptGuard.Disable();
        s_pending |= 1UL << signal;
        fixed (WaitQueue* waiter = &s_waiter) Scheduler.WakeOne(waiter);
        Arch.X64.InterruptGuard.Restore(flags);
    }

    /// <summary>
    /// Powers the machine off as Linux's poweroff does: SIGTERM to the app first, so one that handles it (ASP.NET Core's
    /// host) stops gracefully — its Main returns and the kernel powers off with status 0. An app that takes no SIGTERM is
    /// powered off at once, one still running after <paramref name="graceNanoseconds"/> anyway. Never returns.
    /// </summary>
    public static void PowerOff(ulong graceNanoseconds)
    {
        s_poweringOff = true;
        Post(SIGTERM);
        Scheduler.Sleep(graceNanoseconds);
        Console.Serial.Write("CosmosNet: the app did not exit after SIGTERM; powering off\n"u8);
        Arch.X64.Power.Shutdown();
    }

    [UnmanagedCallersOnly]
    static nint Deliver(nint argument)
    {
        while (true)
        {
            ulong flags = Arch.X64.InterruptGuard.Disable();
            fixed (WaitQueue* waiter = &s_waiter) while (s_pending == 0) Scheduler.Block(waiter, 0);
            ulong pending = s_pending;
            s_pending = 0;
            Arch.X64.InterruptGuard.Restore(flags);
            for (int signal = 1; signal < 64; signal++)
            {
                if ((pending & (1UL << signal)) == 0) continue;
                Console.Serial.Write("CosmosNet: signal "u8);
                Console.Serial.WriteDecimal((ulong)signal);
                Console.Serial.Write(signal == SIGTERM ? " (SIGTERM)\n"u8 : "\n"u8);
                if (!ProcessCalls.Raise(signal)) DefaultAction(signal);
            }
        }
    }

    /// <summary>What Linux does with a signal no handler took or cancelled: the terminating ones end the program
    /// (QEMU exits with the status of a failed Main, as a shell reports 128 + signal); the rest are ignored.</summary>
    public static void DefaultAction(int signal)
    {
        if (signal is not (SIGHUP or SIGINT or SIGQUIT or SIGTERM)) return;
        if (signal == SIGTERM && s_poweringOff)
        {
            Console.Serial.Write("CosmosNet: SIGTERM not handled; powering off\n"u8);
            Arch.X64.Power.Shutdown();
        }
        Console.Serial.Write("CosmosNet: terminated by signal "u8);
        Console.Serial.WriteDecimal((ulong)signal);
        Console.Serial.WriteByte((byte)'\n');
        Arch.X64.Power.Fail(Arch.X64.Power.FailureExitValue);
    }
}
