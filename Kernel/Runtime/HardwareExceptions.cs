using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Runtime;

/// <summary>CPU faults in managed code become managed exceptions, as NativeAOT's signal handlers do on
/// Linux: the trap handler rewrites the interrupted context so that iretq "calls" RhpThrowHwEx at the
/// faulting instruction (edi = exception code, rsi = faulting ip, everything else as at the fault), and
/// CoreLib's dispatcher takes it from there. Null dereferences (#PF below 64 KiB) throw
/// NullReferenceException, integer division by zero (#DE) DivideByZeroException. Faults outside managed code,
/// and page faults elsewhere, stay panics.</summary>
internal static unsafe class HardwareExceptions
{
    // CoreLib's HwExceptionCode values (System.Runtime.EH).
    const uint NullReference = 0x00000000;
    const uint IntegerDivideByZero = 0xC0000094;

    const ulong NullAreaSize = 64 * 1024;   // like NativeAOT: faults this close to 0 are null dereferences

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhpThrowHwEx")]
    static extern void RhpThrowHwEx();

    internal static void Initialize()
    {
        Interrupts.SetHandler(0, &OnDivideError);
        Interrupts.SetHandler(14, &OnPageFault);
    }

    static void OnDivideError(TrapFrame* frame)
    {
        if (!CodeMap.IsManagedCode((void*)frame->Rip)) Panic.FromTrap("divide error (#DE) outside managed code"u8, frame);
        Raise(frame, IntegerDivideByZero);
    }

    static void OnPageFault(TrapFrame* frame)
    {
        ulong address = Cpu.ReadCr2();
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
