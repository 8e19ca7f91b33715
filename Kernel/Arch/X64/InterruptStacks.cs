using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>A TSS whose interrupt stack table gives the double fault, NMI and machine check handlers stacks
/// of their own: a fault that cannot be delivered on the current stack (a stack overflow into a guard page)
/// becomes a #DF handled on a good stack, never a triple fault. The GDT is Boot/boot.asm's (same selectors:
/// 0x08 code, 0x10 data) plus the TSS descriptor at 0x18.</summary>
internal static unsafe class InterruptStacks
{
    public const int DoubleFaultStack = 1;
    const ushort TssSelector = 0x18;
    const ulong DoubleFaultBytes = 64 * 1024, OtherBytes = 16 * 1024;

    [InlineArray(5)] struct Gdt { ulong _first; }
    [InlineArray(13)] struct Tss { ulong _first; }    // 104 bytes: the 64-bit TSS

    static Gdt s_gdt;
    static Tss s_tss;

    internal static void Initialize()
    {
        s_gdt[0] = 0;
        s_gdt[1] = 0x00AF9B000000FFFF;                   // 64-bit code, ring 0 (as in boot.asm)
        s_gdt[2] = 0x00CF93000000FFFF;                   // data, ring 0
        byte* stack = (byte*)PhysicalMemory.AllocatePages((DoubleFaultBytes + 2 * OtherBytes) / 4096);
        if (stack == null) Panic.Halt("out of memory: interrupt stacks"u8);
        fixed (ulong* tss = &s_tss[0])
        {
            // IST1 (#DF) is the largest: its handler names the frames of an overflowed stack. IST2 NMI, IST3 #MC.
            *(ulong*)((byte*)tss + 0x24) = (ulong)(stack + DoubleFaultBytes + 2 * OtherBytes);
            *(ulong*)((byte*)tss + 0x2C) = (ulong)(stack + 2 * OtherBytes);
            *(ulong*)((byte*)tss + 0x34) = (ulong)(stack + OtherBytes);
            *(ushort*)((byte*)tss + 102) = 104;            // I/O map base: none
            ulong b = (ulong)tss;
            s_gdt[3] = 103 | (b & 0xFFFF) << 16 | ((b >> 16) & 0xFF) << 32 | 0x89UL << 40 | ((b >> 24) & 0xFF) << 56;
            s_gdt[4] = b >> 32;
        }
        byte* descriptor = stackalloc byte[10];
        *(ushort*)descriptor = 5 * 8 - 1;
        fixed (ulong* gdt = &s_gdt[0]) *(ulong*)(descriptor + 2) = (ulong)gdt;
        Cpu.LoadGdt(descriptor);
        Cpu.LoadTaskRegister(TssSelector);
        Interrupts.SetInterruptStack(8, DoubleFaultStack);
        Interrupts.SetInterruptStack(2, 2);
        Interrupts.SetInterruptStack(18, 3);
    }
}
