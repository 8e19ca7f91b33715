using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Instructions C# cannot express; implemented in Kernel/Asm/cpu.asm, called directly (no
/// P/Invoke transition), so they are safe anywhere, including trap handlers and before CoreLib is up.</summary>
internal static unsafe class Cpu
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_outb")] public static extern void OutByte(ushort port, byte value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_outw")] public static extern void OutWord(ushort port, ushort value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_outd")] public static extern void OutDword(ushort port, uint value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_inb")] public static extern byte InByte(ushort port);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_inw")] public static extern ushort InWord(ushort port);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_ind")] public static extern uint InDword(ushort port);

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_rdmsr")] public static extern ulong ReadMsr(uint msr);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_wrmsr")] public static extern void WriteMsr(uint msr, ulong value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_rdtsc")] public static extern ulong ReadTimestampCounter();

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_read_cr0")] public static extern ulong ReadCr0();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_read_cr2")] public static extern ulong ReadCr2();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_read_cr3")] public static extern ulong ReadCr3();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_read_cr4")] public static extern ulong ReadCr4();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_write_cr3")] public static extern void WriteCr3(ulong value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_invlpg")] public static extern void InvalidatePage(ulong address);

    /// <summary>Loads the IDT register from a 10-byte { u16 limit; u64 base } descriptor.</summary>
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_lidt")] public static extern void LoadIdt(void* descriptor);
    /// <summary>Loads the GDT register (same descriptor format as <see cref="LoadIdt"/>).</summary>
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_lgdt")] public static extern void LoadGdt(void* descriptor);
    /// <summary>Loads the task register with a TSS selector.</summary>
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_ltr")] public static extern void LoadTaskRegister(ushort selector);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_halt")] public static extern void Halt();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_disable_interrupts")] public static extern void DisableInterrupts();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_enable_interrupts")] public static extern void EnableInterrupts();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_pause")] public static extern void Pause();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_breakpoint")] public static extern void Breakpoint();

    /// <summary>Snapshot of the caller's registers (vector = -1), for panics outside traps.</summary>
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_capture_registers")] public static extern void CaptureRegisters(TrapFrame* frame);

    /// <summary>Stops this CPU for good (interrupts off).</summary>
    public static void HaltForever()
    {
        DisableInterrupts();
        while (true) Halt();
    }
}
