using System.Diagnostics;
using System.Runtime;
using System.Runtime.CompilerServices;
using System.Text;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Stack traces of any kernel thread, by code address, and the names of those addresses. Capturing walks
/// ILC's unwind data (<see cref="StackFrameIterator"/>) without allocating; a walk that reaches an interrupt entry
/// continues in the interrupted code (a thread preempted by the timer, a fault). Naming uses ILC's stack-trace
/// metadata through CoreLib's own formatter, the one exception traces use: "Namespace.Type.Method(Args) + 0xNN".</summary>
internal static unsafe class Symbols
{
    // CoreLib's StackFrame for a code address and its line in a stack trace ("   at X + 0xNN\n").
    [UnsafeAccessor(UnsafeAccessorKind.Constructor)]
    static extern StackFrame NewStackFrame(nint ipAddress, bool needFileInfo);
    [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "AppendToStackTrace")]
    static extern void AppendToStackTrace(StackFrame frame, StringBuilder builder);

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_trap_return")]
    static extern void TrapReturnLabel();
    static ulong TrapReturn => (ulong)(delegate*<void>)&TrapReturnLabel;

    /// <summary>"Namespace.Type.Method(Args) + 0xNN" for managed code, else null. Allocates.</summary>
    public static string? NameOf(nint address)
    {
        if (!CodeMap.IsManagedCode((void*)address)) return null;
        var line = new StringBuilder();
        AppendToStackTrace(NewStackFrame(address, false), line);
        string text = line.ToString().Trim();
        if (text.StartsWith("at ", StringComparison.Ordinal)) text = text[3..].Trim();
        return text.Length == 0 ? null : text;   // code without stack-trace metadata (start-up stubs)
    }

    /// <summary>The name of a frame, or its address in hex when it has none.</summary>
    public static string Describe(nint address) => NameOf(address) ?? "0x" + ((ulong)address).ToString("x");

    /// <summary>Code addresses of the frames above a register context, innermost first: the faulting instruction
    /// (<paramref name="fault"/>) or a return address minus one (inside the call, so it names the caller).</summary>
    public static int Walk(LimitedContext* context, bool fault, nint* buffer, int capacity)
    {
        LimitedContext interrupted;
        StackFrameIterator sfi = default;
        int count = 0;
        bool valid = sfi.Init(context, fault);
        while (count < capacity)
        {
            if (!valid)
            {
                // An interrupt entry (Kernel/Asm/cpu.asm) called the trap dispatcher with rbp = TrapFrame*.
                if (sfi.Regs.IP != TrapReturn || sfi.Regs.Rbp == null) break;
                TrapFrame* frame = (TrapFrame*)*sfi.Regs.Rbp;
                if (frame == null || (ulong)frame >= Paging.MappedTop) break;
                interrupted = FromTrap(frame);
                valid = sfi.Init(&interrupted, instructionFault: true);
                if (!valid) { buffer[count++] = (nint)frame->Rip; break; }
                continue;
            }
            buffer[count++] = (nint)sfi.ControlPC;
            valid = sfi.Next(null);
        }
        return count;
    }

    public static LimitedContext FromTrap(TrapFrame* frame) => new()
    {
        Ip = frame->Rip, Rsp = frame->Rsp, Rbp = frame->Rbp, Rax = frame->Rax, Rbx = frame->Rbx, Rdx = frame->Rdx,
        R12 = frame->R12, R13 = frame->R13, R14 = frame->R14, R15 = frame->R15,
    };

    /// <summary>The frames of the calling thread, from its caller outwards.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int CaptureCurrent(nint* buffer, int capacity)
    {
        LimitedContext context;
        ExceptionHandling.CaptureContext(&context);
        return Walk(&context, false, buffer, capacity);
    }

    /// <summary>The frames of a suspended thread (found by id), or of the caller's own thread; -1 when no such
    /// thread lives. The walk runs with interrupts disabled, so the thread cannot resume or exit meanwhile, and with
    /// the thread's FS base, so a catch or finally funclet on its stack finds its own chain of exceptions in flight.</summary>
    public static int CaptureThread(ulong id, nint* buffer, int capacity)
    {
        ulong flags = InterruptGuard.Disable();
        int count = -1;
        KThread* t = Scheduler.First;
        while (t != null && t->Id != id) t = t->NextInAll;
        if (t == Scheduler.Current) { InterruptGuard.Restore(flags); return CaptureCurrent(buffer, capacity); }
        if (t != null && t->State != global::CosmosNet.Kernel.Threading.ThreadState.Dead)
        {
            // cosmos_switch_context's frame: 520 bytes of fxsave, r15, r14, r13, r12, rbx, rbp, the return address.
            ulong* saved = (ulong*)(t->SavedRsp + 520);
            LimitedContext context = new()
            {
                R15 = saved[0], R14 = saved[1], R13 = saved[2], R12 = saved[3], Rbx = saved[4], Rbp = saved[5],
                Ip = saved[6], Rsp = (ulong)(saved + 7),
            };
            ulong ownFs = Cpu.ReadMsr(FsBaseMsr);
            Cpu.WriteMsr(FsBaseMsr, t->FsBase);
            count = Walk(&context, false, buffer, capacity);
            Cpu.WriteMsr(FsBaseMsr, ownFs);
        }
        InterruptGuard.Restore(flags);
        return count;
    }

    const uint FsBaseMsr = 0xC0000100;
}
