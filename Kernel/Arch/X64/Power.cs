namespace CosmosNet.Kernel.Arch.X64;

/// <summary>Ending the machine. Under QEMU a clean shutdown exits with status 0 (ACPI S5) and a failure
/// with a non-zero status through the isa-debug-exit device (-device isa-debug-exit,iobase=0xf4,iosize=4:
/// status = value * 2 + 1); Bochs stops on "Shutdown" written to port 0x8900. Without any of these devices
/// the CPU halts.</summary>
internal static unsafe class Power
{
    /// <summary>isa-debug-exit value for a panic: QEMU exits with status 3.</summary>
    public const byte PanicExitValue = 1;
    /// <summary>isa-debug-exit value when Main returns non-zero: QEMU exits with status 5.</summary>
    public const byte FailureExitValue = 2;

    public static void Shutdown()
    {
        BochsShutdown();
        Cpu.OutWord(0x604, 0x2000);   // PIIX4 PM1a_CNT: SLP_EN, S5, at the base SeaBIOS programs (QEMU pc)
        Cpu.OutWord(0xB004, 0x2000);  // the same at the base OVMF and the Bochs BIOS program
        Cpu.OutWord(0x4004, 0x3400);  // QEMU ISA power-off port (older machine types)
        Cpu.HaltForever();
    }

    /// <summary>Resets the machine: the keyboard controller's reset line, then the PCI reset register (0xCF9),
    /// then a triple fault (an empty IDT and an interrupt). QEMU with -no-reboot exits instead of rebooting.</summary>
    public static void Reboot()
    {
        Cpu.DisableInterrupts();
        for (int spins = 0; spins < 100_000 && (Cpu.InByte(0x64) & 2) != 0; spins++) { }   // input buffer empty
        Cpu.OutByte(0x64, 0xFE);
        Cpu.OutByte(0xCF9, 0x02);
        Cpu.OutByte(0xCF9, 0x06);
        byte* empty = stackalloc byte[10];
        for (int i = 0; i < 10; i++) empty[i] = 0;
        Cpu.LoadIdt(empty);
        Cpu.Breakpoint();
        Cpu.HaltForever();
    }

    public static void Fail(byte value)
    {
        Cpu.OutByte(0xF4, value);
        BochsShutdown();
        Cpu.HaltForever();
    }

    static void BochsShutdown()
    {
        foreach (byte c in "Shutdown"u8) Cpu.OutByte(0x8900, c);
    }
}
