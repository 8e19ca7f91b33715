using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Runtime;
using CosmosNet.Kernel.Time;

namespace CosmosNet.Kernel.Threading;

/// <summary>One CPU, round-robin, preemptive: a thread runs until it blocks, yields or has used its time
/// slice while another is ready (the APIC timer's tick then switches, from the interrupt handler).
/// Scheduler state is only touched with interrupts disabled, which on one CPU is the lock. With no thread
/// ready the CPU waits in hlt on the stack of the thread that blocked last.
///
/// For the garbage collector: <see cref="First"/>/<see cref="KThread.NextInAll"/> enumerate every live
/// thread (stack range, saved rsp, TLS block); every suspended thread's registers lie on its stack between
/// SavedRsp and StackTop. "Stop the world" on one CPU = <see cref="Preemption.Disable"/> (nothing else runs
/// until the GC blocks or re-enables preemption).</summary>
internal static unsafe class Scheduler
{
    public const ulong TimeSliceNanoseconds = 10_000_000;
    public const ulong DefaultStackSize = 512 * 1024;

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_switch_context")]
    static extern void SwitchContext(ulong* saveRsp, ulong newRsp);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_thread_trampoline")]
    static extern void Trampoline();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_wait_for_interrupt")]
    static extern void WaitForInterrupt();

    static KThread* s_current, s_all, s_dead;
    static WaitQueue s_ready;
    static ulong s_nextId = 1, s_sliceEnd, s_runningSince, s_idleNanoseconds, s_switches;
    static bool s_idle;
    static int s_liveThreads;

    /// <summary>Hooks for the garbage collector (all run with interrupts disabled): a thread was created
    /// (before it first runs), the CPU switched to a thread, a thread exited (on its own stack, for the
    /// last time). Null: nobody listens.</summary>
    public static delegate*<KThread*, void> ThreadCreated, SwitchedTo, ThreadExiting;

    /// <summary>Work for a CPU that has nothing to run (the collector's cycle in progress): one bounded
    /// step per call, interrupts disabled; false when there is none, and the CPU halts.</summary>
    public static delegate*<bool> IdleWork;

    public static KThread* Current => s_current;
    /// <summary>The thread that ran the start-up code and runs Main.</summary>
    public static KThread* BootThread { get; private set; }
    public static KThread* First => s_all;
    public static bool Started => s_current != null;
    public static int LiveThreads => s_liveThreads;
    /// <summary>Time the CPU spent halted with nothing to run.</summary>
    public static ulong IdleNanoseconds => s_idleNanoseconds;
    public static ulong ContextSwitches => s_switches;

    /// <summary>Adopts the boot thread (running on the boot stack with the boot TLS block).</summary>
    internal static void Initialize()
    {
        KThread* t = NewThreadRecord();
        Image.Layout* image = Image.Current;
        t->StackBottom = image->BootStackBottom;
        t->StackTop = image->BootStackTop;
        t->FsBase = Cpu.ReadMsr(FsBaseMsr);
        t->State = ThreadState.Running;
        t->SetName("main"u8);
        s_current = t;
        BootThread = t;
        s_runningSince = Clock.Nanoseconds;
    }

    const uint FsBaseMsr = 0xC0000100;

    static KThread* NewThreadRecord()
    {
        KThread* t = (KThread*)NativeHeap.Allocate((ulong)sizeof(KThread));
        t->Id = s_nextId++;
        t->NextInAll = s_all;
        s_all = t;
        s_liveThreads++;
        return t;
    }

    /// <summary>Starts a thread running <c>entry(argument)</c> (an unmanaged nint(nint) routine); it ends
    /// when the routine returns. Null when memory is exhausted.</summary>
    public static KThread* Create(nint entry, nint argument, ulong stackSize = 0)
    {
        if (stackSize < 64 * 1024) stackSize = DefaultStackSize;
        stackSize = (stackSize + 4095) & ~4095UL;
        ulong flags = InterruptGuard.Disable();
        Preemption.Disable();
        KThread* t = ReuseDead(stackSize);
        if (t == null)
        {
            byte* stack = (byte*)PhysicalMemory.Allocate(stackSize);
            if (stack == null) { Preemption.Enable(); InterruptGuard.Restore(flags); return null; }
            t = NewThreadRecord();
            t->StackBottom = stack;
            t->StackTop = stack + stackSize;
            HardwareExceptions.GuardStack(stack, stack + stackSize);   // overflow: a clear panic, not corruption
            SetUpTls(t);
        }
        Preemption.Enable();
        t->Entry = entry;
        t->Argument = argument;

        // The frame cosmos_switch_context restores: fxsave area, r15..rbp, return address.
        byte* frameEnd = t->StackTop - 16;
        ulong* slots = (ulong*)frameEnd;
        slots[-1] = (ulong)(delegate*<void>)&Trampoline;
        for (int i = 2; i <= 7; i++) slots[-i] = 0;
        slots[-4] = (ulong)t;                                    // r12
        byte* fx = frameEnd - 576;
        Native.Memset(fx, 0, 520);
        *(ushort*)fx = 0x037F;                                   // x87 control word: default
        *(uint*)(fx + 24) = 0x1F80;                              // MXCSR: all exceptions masked
        t->SavedRsp = (ulong)fx;
        if (ThreadCreated != null) ThreadCreated(t);
        MakeReady(t);                                            // starts the running thread's slice if none runs
        InterruptGuard.Restore(flags);
        return t;
    }

    static KThread* ReuseDead(ulong stackSize)
    {
        fixed (KThread** head = &s_dead)
        for (KThread** link = head; *link != null; link = &(*link)->Next)
        {
            KThread* t = *link;
            if ((ulong)(t->StackTop - t->StackBottom) < stackSize) continue;
            *link = t->Next;
            t->Next = null;
            t->Id = s_nextId++;
            t->CpuNanoseconds = 0;
            t->TimedOut = false;
            t->RuntimeThread = null;
            t->ThreadStaticStorage = null;
            t->GcThread = null;
            t->Name[0] = 0;
            t->NextInAll = s_all;
            s_all = t;
            s_liveThreads++;
            ResetTls(t);
            return t;
        }
        return null;
    }

    /// <summary>Thread-statics block, variant II: TCB at FS base with a self pointer, TLS image below it.</summary>
    static void SetUpTls(KThread* t)
    {
        Image.Layout* image = Image.Current;
        ulong align = image->TlsAlignment < 16 ? 16 : image->TlsAlignment;
        ulong imageSize = (image->TlsMemorySize + align - 1) & ~(align - 1);
        ulong size = imageSize + 64;
        byte* block = (byte*)PhysicalMemory.Allocate((size + 4095) & ~4095UL);
        if (block == null) Panic.Halt("out of memory: thread TLS block"u8);
        t->TlsBlock = block;
        t->TlsBlockSize = size;
        t->FsBase = (ulong)(block + imageSize);
        ResetTls(t);
    }

    static void ResetTls(KThread* t)
    {
        Image.Layout* image = Image.Current;
        Native.Memset(t->TlsBlock, 0, (nuint)t->TlsBlockSize);
        byte* tp = (byte*)t->FsBase;
        ulong align = image->TlsAlignment < 16 ? 16 : image->TlsAlignment;
        ulong imageSize = (image->TlsMemorySize + align - 1) & ~(align - 1);
        Native.Memmove(tp - imageSize, image->TdataStart, (nuint)(image->TdataEnd - image->TdataStart));
        *(ulong*)tp = (ulong)tp;
    }

    [UnmanagedCallersOnly(EntryPoint = "cosmos_thread_main")]
    static void ThreadMain(KThread* t)
    {
        Cpu.EnableInterrupts();
        ((delegate* unmanaged<nint, nint>)t->Entry)(t->Argument);
        nint exitCallback = Runtime.Threading.ThreadExitCallback;
        if (exitCallback != 0) ((delegate* unmanaged<void>)exitCallback)();
        Exit();
    }

    /// <summary>Ends the current thread; its stack and TLS block are kept for the next Create.</summary>
    public static void Exit()
    {
        InterruptGuard.Disable();
        KThread* t = s_current;
        if (ThreadExiting != null) ThreadExiting(t);
        fixed (KThread** head = &s_all)
            for (KThread** link = head; *link != null; link = &(*link)->NextInAll)
                if (*link == t) { *link = t->NextInAll; break; }
        s_liveThreads--;
        t->State = ThreadState.Dead;
        t->Next = s_dead;   // not reused before we have switched away: Create runs on another thread
        s_dead = t;
        Reschedule();
        Panic.Halt("a dead thread was resumed"u8);
    }

    /// <summary>Gives the CPU to another ready thread, if any. True if one ran.</summary>
    public static bool Yield()
    {
        ulong flags = InterruptGuard.Disable();
        bool switched = false;
        if (!s_ready.IsEmpty)
        {
            s_current->State = ThreadState.Ready;
            s_ready.Enqueue(s_current);
            Reschedule();
            switched = true;
        }
        InterruptGuard.Restore(flags);
        return switched;
    }

    /// <summary>Blocks the current thread (interrupts must be disabled) on <paramref name="queue"/> (may be
    /// null) until <see cref="Wake"/> or, if <paramref name="deadline"/> is not 0, that monotonic time.
    /// Returns false when the deadline ended the wait.</summary>
    public static bool Block(WaitQueue* queue, ulong deadline)
    {
        KThread* t = s_current;
        t->State = ThreadState.Blocked;
        t->TimedOut = false;
        t->WaitingOn = queue;
        if (queue != null) queue->Enqueue(t);
        if (deadline != 0) Timers.Add(t, deadline);
        Reschedule();
        return !t->TimedOut;
    }

    /// <summary>Sleeps the current thread for at least <paramref name="nanoseconds"/>.</summary>
    public static void Sleep(ulong nanoseconds)
    {
        ulong flags = InterruptGuard.Disable();
        Block(null, Clock.Nanoseconds + nanoseconds);
        InterruptGuard.Restore(flags);
    }

    /// <summary>Makes a blocked thread ready (interrupts disabled; callable from interrupt handlers).</summary>
    public static void Wake(KThread* t)
    {
        if (t->State != ThreadState.Blocked) return;
        if (t->WaitingOn != null) { t->WaitingOn->Remove(t); t->WaitingOn = null; }
        Timers.Remove(t);
        t->TimedOut = false;
        MakeReady(t);
    }

    /// <summary>Wakes the first thread of a queue; false if it was empty.</summary>
    public static bool WakeOne(WaitQueue* queue)
    {
        KThread* t = queue->Dequeue();
        if (t == null) return false;
        t->WaitingOn = null;
        Wake(t);
        return true;
    }

    internal static void WakeTimedOut(KThread* t)
    {
        if (t->State != ThreadState.Blocked) return;
        if (t->WaitingOn != null) { t->WaitingOn->Remove(t); t->WaitingOn = null; }
        t->TimedOut = true;
        MakeReady(t);
    }

    static void MakeReady(KThread* t)
    {
        t->State = ThreadState.Ready;
        s_ready.Enqueue(t);
        if (!s_idle && s_sliceEnd == 0)
        {
            // Start the running thread's slice and arm the timer for it: a wake outside an interrupt (a
            // monitor, the collector) would otherwise let the running thread keep the CPU until it blocks.
            s_sliceEnd = Clock.Nanoseconds + TimeSliceNanoseconds;
            Timers.Arm(s_sliceEnd);
        }
    }

    /// <summary>The timer interrupt: preempts the running thread when its slice is over and others wait.</summary>
    internal static void Tick()
    {
        if (s_idle || s_current == null) return;   // the idle loop picks up whatever became ready
        ulong now = Clock.Nanoseconds;
        if (!s_ready.IsEmpty && now >= s_sliceEnd)
        {
            if (Preemption.IsDisabled) Preemption.Pending = true;
            else
            {
                s_current->State = ThreadState.Ready;
                s_ready.Enqueue(s_current);
                Reschedule();
                return;
            }
        }
        if (s_ready.IsEmpty) s_sliceEnd = 0;
        else if (s_sliceEnd <= now) s_sliceEnd = now + TimeSliceNanoseconds;
        Timers.Arm(s_sliceEnd);
    }

    /// <summary>Runs the next ready thread (interrupts disabled). The current thread has already been
    /// queued or blocked; if it is the one picked, nothing switches.</summary>
    static void Reschedule()
    {
        KThread* current = s_current;
        KThread* next;
        ulong idleBefore = s_idleNanoseconds;
        while ((next = s_ready.Dequeue()) == null) Idle();
        ulong now = Clock.Nanoseconds;
        current->CpuNanoseconds += now - s_runningSince - (s_idleNanoseconds - idleBefore);   // halted time is nobody's
        s_runningSince = now;
        next->State = ThreadState.Running;
        s_sliceEnd = s_ready.IsEmpty ? 0 : now + TimeSliceNanoseconds;
        Timers.Arm(s_sliceEnd);
        if (next == current) return;
        s_switches++;
        s_current = next;
        Cpu.WriteMsr(FsBaseMsr, next->FsBase);
        if (SwitchedTo != null) SwitchedTo(next);
        SwitchContext(&current->SavedRsp, next->SavedRsp);
    }

    /// <summary>Nothing to run: halt until an interrupt (a timer deadline or a device) readies a thread. When
    /// there is idle work, do one step of it instead, let pending interrupts in, and come back (Reschedule
    /// calls again while nothing is ready).</summary>
    static void Idle()
    {
        s_idle = true;
        if (IdleWork != null && IdleWork())
        {
            Cpu.EnableInterrupts();       // sti; the return after it; then interrupts are taken
            Cpu.DisableInterrupts();
            s_idle = false;
            Timers.Expire();
            return;
        }
        Timers.Arm(0);
        ulong start = Clock.Nanoseconds;
        WaitForInterrupt();
        s_idleNanoseconds += Clock.Nanoseconds - start;
        s_idle = false;
        Timers.Expire();
    }
}

/// <summary>Keeps the timer from switching threads inside code that is not reentrant (the allocators). Nests;
/// a switch that fell due meanwhile happens at the outermost <see cref="Enable"/>.</summary>
internal static class Preemption
{
    static int s_depth;
    internal static bool Pending;

    public static bool IsDisabled => s_depth != 0;

    public static void Disable() => s_depth++;

    public static void Enable()
    {
        if (--s_depth == 0 && Pending)
        {
            Pending = false;
            if (Scheduler.Started) Scheduler.Yield();
        }
    }
}
