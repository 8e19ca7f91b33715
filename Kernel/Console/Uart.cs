using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Console;

/// <summary>16550A UARTs at the standard PC ports (COM1 0x3F8 IRQ 4, COM2 0x2F8 IRQ 3), 115200 8N1, 16-byte FIFOs.
/// Output is polled but FIFO-sized: after the transmitter reports empty, 16 bytes go out without asking again.
/// Input is interrupt-driven (<see cref="EnableReceiveInterrupt"/>): the handler drains the receive FIFO, so at a
/// 14-byte trigger level the CPU has two character times of slack per interrupt. Allocation-free (panics use it).</summary>
internal static unsafe class Uart
{
    public const ushort Com1 = 0x3F8, Com2 = 0x2F8;
    const int Data = 0, InterruptEnable = 1, FifoControl = 2, LineControl = 3, ModemControl = 4, LineStatus = 5, Scratch = 7;
    const byte DataReady = 0x01, OverrunError = 0x02, TransmitterEmpty = 0x20;
    const int FifoDepth = 16;

    // Bytes the transmit FIFO still takes without another status read, per port (index 0: COM1, 1: COM2).
    static int s_room1, s_room2;

    /// <summary>The ISA IRQ of a standard port.</summary>
    public static int IrqOf(ushort port) => port == Com1 ? 4 : 3;

    /// <summary>Programs 115200 8N1 with FIFOs; false when nothing answers at the port (no such UART: reads give 0xFF).</summary>
    public static bool Initialize(ushort port)
    {
        Cpu.OutByte((ushort)(port + Scratch), 0x5A);
        if (Cpu.InByte((ushort)(port + Scratch)) != 0x5A) return false;
        Cpu.OutByte((ushort)(port + InterruptEnable), 0x00);
        Cpu.OutByte((ushort)(port + LineControl), 0x80);     // DLAB: divisor follows
        Cpu.OutByte((ushort)(port + Data), 1);               // 115200 / 1
        Cpu.OutByte((ushort)(port + InterruptEnable), 0);
        Cpu.OutByte((ushort)(port + LineControl), 0x03);     // 8 bits, no parity, 1 stop bit
        Cpu.OutByte((ushort)(port + FifoControl), 0xC7);     // FIFOs on, cleared, receive trigger at 14 bytes
        Cpu.OutByte((ushort)(port + ModemControl), 0x03);    // DTR, RTS
        return true;
    }

    /// <summary>Interrupts on received data (and the FIFO's character time-out); OUT2 gates the IRQ line on PCs.</summary>
    public static void EnableReceiveInterrupt(ushort port)
    {
        Cpu.OutByte((ushort)(port + ModemControl), 0x0B);    // DTR, RTS, OUT2
        Cpu.OutByte((ushort)(port + InterruptEnable), 0x01); // received data available
    }

    public static void Put(ushort port, byte value)
    {
        ref int room = ref port == Com1 ? ref s_room1 : ref s_room2;
        if (room == 0)
        {
            // Bounded wait: a missing or wedged UART must not hang the kernel.
            for (int spins = 0; spins < 100_000 && (Cpu.InByte((ushort)(port + LineStatus)) & TransmitterEmpty) == 0; spins++) { }
            room = FifoDepth;
        }
        room--;
        Cpu.OutByte((ushort)(port + Data), value);
    }

    /// <summary>The next received byte, if any; <paramref name="overrun"/> says the UART dropped bytes before it.</summary>
    public static bool TryRead(ushort port, out byte value, out bool overrun)
    {
        byte status = Cpu.InByte((ushort)(port + LineStatus));
        overrun = (status & OverrunError) != 0;
        value = (status & DataReady) != 0 ? Cpu.InByte((ushort)(port + Data)) : (byte)0;
        return (status & DataReady) != 0;
    }
}
