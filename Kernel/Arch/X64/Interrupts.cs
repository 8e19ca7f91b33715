using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>The IDT: all 256 vectors enter through the asm stubs (Kernel/Asm/cpu.asm) and come to
/// <see cref="Dispatch"/> with a <see cref="TrapFrame"/>. A vector with a registered handler runs it (the
/// handler may edit the frame); CPU exceptions without one panic with their name and the registers, as does
/// any other unexpected vector. Interrupts stay disabled until someone enables them.</summary>
internal static unsafe class Interrupts
{
    [InlineArray(256 * 2)] struct IdtTable { ulong _first; }
    [InlineArray(256)] struct HandlerTable { nint _first; }

    static IdtTable s_idt;
    static HandlerTable s_handlers;

    internal static void Initialize()
    {
        nint* stubs = Runtime.Image.Current->InterruptStubs;
        for (int vector = 0; vector < 256; vector++)
        {
            ulong address = (ulong)stubs[vector];
            // Interrupt gate, present, ring 0, code selector 0x08, no IST.
            s_idt[vector * 2] = (address & 0xFFFF) | (0x08UL << 16) | (0x8EUL << 40) | ((address >> 16) & 0xFFFF) << 48;
            s_idt[vector * 2 + 1] = address >> 32;
        }
        byte* descriptor = stackalloc byte[10];
        *(ushort*)descriptor = 256 * 16 - 1;
        fixed (ulong* idt = &s_idt[0]) *(ulong*)(descriptor + 2) = (ulong)idt;
        Cpu.LoadIdt(descriptor);
    }

    /// <summary>Runs a vector's handler on interrupt stack `ist` (1-7, from the TSS; 0 = the interrupted
    /// stack). For faults that must work when the current stack is unusable (#DF on a stack overflow).</summary>
    public static void SetInterruptStack(byte vector, int ist) =>
        s_idt[vector * 2] = (s_idt[vector * 2] & ~(7UL << 32)) | ((ulong)(ist & 7) << 32);

    /// <summary>Routes a vector to a handler (null removes it). Runs with interrupts disabled.</summary>
    public static void SetHandler(byte vector, delegate*<TrapFrame*, void> handler) => s_handlers[vector] = (nint)handler;

    [UnmanagedCallersOnly(EntryPoint = "cosmos_trap")]
    static void Dispatch(TrapFrame* frame)
    {
        nint handler = s_handlers[(int)(frame->Vector & 0xFF)];
        if (handler != 0)
        {
            ((delegate*<TrapFrame*, void>)handler)(frame);
            return;
        }
        Unhandled(frame);
    }

    /// <summary>Panics with the exception's name and the registers: the fallback for a CPU exception whose
    /// handler (e.g. the managed-exception path for #DE/#PF) cannot deal with it.</summary>
    public static void Unhandled(TrapFrame* frame)
    {
        if (!Kernel.ObjectsAvailable) Panic.FromTrap("CPU exception before CoreLib was initialised"u8, frame);
        Panic.FromTrap(Describe(frame), frame);
    }

    static string Describe(TrapFrame* frame)
    {
        ulong v = frame->Vector;
        string name = v switch
        {
            0 => "divide error (#DE)", 1 => "debug (#DB)", 2 => "NMI", 3 => "breakpoint (#BP)", 4 => "overflow (#OF)",
            5 => "bound range (#BR)", 6 => "invalid opcode (#UD)", 7 => "device not available (#NM)",
            8 => "double fault (#DF)", 10 => "invalid TSS (#TS)", 11 => "segment not present (#NP)",
            12 => "stack fault (#SS)", 13 => "general protection fault (#GP)", 14 => "page fault (#PF)",
            16 => "x87 floating-point error (#MF)", 17 => "alignment check (#AC)", 18 => "machine check (#MC)",
            19 => "SIMD floating-point error (#XM)", 20 => "virtualization exception (#VE)",
            21 => "control protection (#CP)",
            _ => v < 32 ? "reserved CPU exception" : "unexpected interrupt",
        };
        if (v == 14)
        {
            ulong address = Cpu.ReadCr2();
            return name + (address < 4096 ? " (null dereference) at address 0x" : " at address 0x") + address.ToString("x")
                + " from rip 0x" + frame->Rip.ToString("x");
        }
        return name + " (vector " + v.ToString() + ") at rip 0x" + frame->Rip.ToString("x");
    }
}
