using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Runtime;

/// <summary>CPU faults in managed code become managed exceptions, as NativeAOT's signal handlers do on
/// Linux: the trap handler rewrites the interrupted context so that iretq "calls" RhpThrowHwEx at the
/// faulting instruction (edi = exception code, rsi = faulting ip, everything else as at the fault), and
/// CoreLib's dispatcher takes it from there. Null dereferences (#PF below 64 KiB) throw
/// NullReferenceException, integer division by zero (#DE) DivideByZeroException, and the other #DE,
/// MinValue / -1, OverflowException (the divisor is read by decoding the idiv, as CoreCLR does on Linux).
/// Faults outside managed code, and page faults elsewhere, stay panics. A stack overflow runs into the
/// guard page below the stack: the CPU cannot push the #PF frame there and raises #DF, which runs on its
/// own interrupt stack (<see cref="InterruptStacks"/>) and panics "stack overflow" instead of a triple fault.</summary>
internal static unsafe class HardwareExceptions
{
    // CoreLib's HwExceptionCode values (System.Runtime.EH).
    const uint NullReference = 0x00000000;
    const uint IntegerDivideByZero = 0xC0000094;
    const uint IntegerOverflow = 0xC0000095;

    const ulong NullAreaSize = 64 * 1024;   // like NativeAOT: faults this close to 0 are null dereferences

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhpThrowHwEx")]
    static extern void RhpThrowHwEx();

    internal static void Initialize()
    {
        InterruptStacks.Initialize();
        Image.Layout* image = Image.Current;
        GuardStack(image->BootStackBottom, image->BootStackTop);
        Interrupts.SetHandler(0, &OnDivideError);
        Interrupts.SetHandler(8, &OnDoubleFault);
        Interrupts.SetHandler(14, &OnPageFault);
    }

    /// <summary>Turns the lowest whole page of a stack into its guard page (threads call this for theirs).</summary>
    public static void GuardStack(byte* bottom, byte* top)
    {
        ulong page = ((ulong)bottom + 4095) & ~4095UL;
        if (page + 4096 < (ulong)top) Paging.SetGuardPage(page);
    }

    static void OnDoubleFault(TrapFrame* frame)
    {
        ulong address = Cpu.ReadCr2();
        if (Paging.IsGuardPage(address) || Paging.IsGuardPage(frame->Rsp) || Paging.IsGuardPage(frame->Rsp - 8))
            StackOverflow(frame, address, TopFrames(frame));   // on the #DF stack: room to name the frames
        Panic.FromTrap("double fault (#DF)"u8, frame);
    }

    static void StackOverflow(TrapFrame* frame, ulong address, string frames = "")
        => Panic.FromTrap("stack overflow: the stack ran into its guard page at 0x" + (address & ~4095UL).ToString("x")
            + " (rsp=0x" + frame->Rsp.ToString("x") + ", rip=0x" + frame->Rip.ToString("x") + ")" + frames, frame);

    const int ClasslibAppendExceptionStackFrame = 3;

    /// <summary>The innermost managed frames at a fault, named the way exception stack traces are (through
    /// CoreLib's AppendExceptionStackFrame on a scratch exception); empty if anything goes wrong.</summary>
    static string TopFrames(TrapFrame* frame)
    {
        try
        {
            var append = (delegate*<object, nint, int, void>)Modules.ClasslibFunction(ClasslibAppendExceptionStackFrame);
            if (append == null) return "";
            LimitedContext context = new()
            {
                Ip = frame->Rip, Rsp = frame->Rsp, Rbp = frame->Rbp, Rbx = frame->Rbx,
                R12 = frame->R12, R13 = frame->R13, R14 = frame->R14, R15 = frame->R15,
            };
            var scratch = new Exception();
            StackFrameIterator sfi = default;
            int count = 0;
            for (bool valid = sfi.Init(&context, instructionFault: true); valid && count < 6; valid = sfi.Next(null), count++)
                append(scratch, (nint)sfi.OriginalControlPC, count == 0 ? 1 : 0);
            return count == 0 ? "" : "\n" + scratch.StackTrace + "\n   ...";
        }
        catch (Exception)
        {
            return "";
        }
    }

    static void OnDivideError(TrapFrame* frame)
    {
        if (!CodeMap.IsManagedCode((void*)frame->Rip)) Panic.FromTrap("divide error (#DE) outside managed code"u8, frame);
        Raise(frame, DivisorOf(frame) == -1 ? IntegerOverflow : IntegerDivideByZero);
    }

    /// <summary>The divisor of the faulting `idiv r/m32|r/m64` ([REX] F7 /7), or 0 when it is not one.</summary>
    static long DivisorOf(TrapFrame* frame)
    {
        byte* ip = (byte*)frame->Rip;
        byte rex = 0;
        if ((ip[0] & 0xF0) == 0x40) rex = *ip++;
        if (ip[0] != 0xF7 || ((ip[1] >> 3) & 7) != 7) return 0;
        byte modrm = ip[1];
        int mod = modrm >> 6, rm = modrm & 7;
        bool wide = (rex & 8) != 0;
        byte* p = ip + 2;
        ulong value;
        if (mod == 3)
        {
            value = Register(frame, rm | (rex & 1) << 3);
        }
        else
        {
            ulong address;
            if (rm == 4)
            {
                byte sib = *p++;
                int scale = sib >> 6, index = (sib >> 3) & 7 | (rex & 2) << 2, baseReg = sib & 7;
                address = index == 4 ? 0 : Register(frame, index) << scale;
                if (baseReg == 5 && mod == 0) { address += (ulong)*(int*)p; p += 4; }
                else address += Register(frame, baseReg | (rex & 1) << 3);
            }
            else if (rm == 5 && mod == 0)
            {
                address = (ulong)(p + 4) + (ulong)*(int*)p;   // rip-relative: from the end of the instruction
                p += 4;
            }
            else address = Register(frame, rm | (rex & 1) << 3);
            if (mod == 1) address += (ulong)(sbyte)*p;
            else if (mod == 2) address += (ulong)*(int*)p;
            value = wide ? *(ulong*)address : *(uint*)address;
        }
        return wide ? (long)value : (int)(uint)value;
    }

    static ulong Register(TrapFrame* f, int number) => number switch
    {
        0 => f->Rax, 1 => f->Rcx, 2 => f->Rdx, 3 => f->Rbx, 4 => f->Rsp, 5 => f->Rbp, 6 => f->Rsi, 7 => f->Rdi,
        8 => f->R8, 9 => f->R9, 10 => f->R10, 11 => f->R11, 12 => f->R12, 13 => f->R13, 14 => f->R14, _ => f->R15,
    };

    static void OnPageFault(TrapFrame* frame)
    {
        ulong address = Cpu.ReadCr2();
        if (Paging.IsGuardPage(address)) StackOverflow(frame, address);
        if (address < NullAreaSize && CodeMap.IsManagedCode((void*)frame->Rip))
        {
            Raise(frame, NullReference);
            return;
        }
        Panic.FromTrap(address < NullAreaSize ? "page fault (#PF): null dereference outside managed code"u8 : "page fault (#PF)"u8, frame);
    }

    /// <summary>Resumes the interrupted code in RhpThrowHwEx instead of at the faulting instruction.</summary>
    static void Raise(TrapFrame* frame, uint code)
    {
        frame->Rdi = code;
        frame->Rsi = frame->Rip;
        frame->Rip = (ulong)(delegate*<void>)&RhpThrowHwEx;
    }
}
