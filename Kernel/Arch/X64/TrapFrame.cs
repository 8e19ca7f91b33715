using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The registers saved on interrupt entry by Kernel/Asm/cpu.asm (isr_common), lowest address
/// first, followed by what the CPU pushed. A handler may edit it: iretq restores from it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct TrapFrame
{
    public ulong R15, R14, R13, R12, R11, R10, R9, R8, Rbp, Rdi, Rsi, Rdx, Rcx, Rbx, Rax;
    /// <summary>Interrupt vector; -1 (all ones) for a register snapshot taken outside a trap.</summary>
    public ulong Vector;
    public ulong ErrorCode;
    public ulong Rip, Cs, Rflags, Rsp, Ss;
}
