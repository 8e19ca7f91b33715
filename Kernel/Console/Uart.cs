using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Console;

/// <summary>16550A UARTs at the standard PC ports (COM1 0x3F8 IRQ 4, COM2 0x2F8 IRQ 3), 115200 8N1, 16-byte FIFOs.
/// Output is polled but FIFO-sized: after the transmitter reports empty, 16 bytes go out without asking again. A
/// transmitter that is slow to empty is waited for, not overwritten (<see cref="StallNanoseconds"/>).
/// Input is interrupt-driven (<see cref="EnableReceiveInterrupt"/>): the handler drains the receive FIFO, so at a
/// 14-byte trigger level the CPU has two character times of slack per interrupt. A reader with nowhere to put more
/// input holds it back (<see cref="HoldReceive"/>) instead of dropping it. Allocation-free (panics use it).</summary>
internal static unsafe class Uart
{
    public const ushort Com1 = 0x3F8, Com2 = 0x2F8;
    const int Data = 0, InterruptEnable = 1, FifoControl = 2, LineControl = 3, ModemControl = 4, LineStatus = 5, Scratch = 7;
    const byte DataReady = 0x01, OverrunError = 0x02, TransmitterEmpty = 0x20, TransmitterIdle = 0x40;
    const int FifoDepth = 16;

    // Bytes the transmit FIFO still takes without another status read, per port.
    static int s_room1, s_room2;
    // The port's transmitter refused bytes for StallNanoseconds: output is dropped until it takes bytes again.
    static bool s_stalled1, s_stalled2;
    static ulong s_dropped1, s_dropped2;

    /// <summary>How long the transmitter may stay full before the port counts as stalled. A real 16550 at 115200
    /// baud empties its FIFO in 1.4 ms, but an emulator's FIFO drains into a backend that can be full for a long
    /// time: QEMU writes each byte to its socket on its own (a Unix socket holds only ~200 of those until the host
    /// reads) and leaves the FIFO full while the socket is. Waiting is what keeps those characters; overwriting
    /// the FIFO after a short spin lost whole stretches of console answers on a loaded host. The limit only keeps
    /// a dead backend from stopping the machine: it costs this once, then output is dropped (and counted,
    /// <see cref="DroppedBytes"/>) until the transmitter empties again. It is long because a live host can be slow:
    /// at load ~35 on 2 cores, a test reader that paused 1.5 s left QEMU's FIFO full for over 2 s.</summary>
    const ulong StallNanoseconds = 10_000_000_000;

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

    /// <summary>Interrupts on received data (and the FIFO's character time-out); OUT2 gates the IRQ line on PCs. RTS
    /// up: the sender may send. Also ends <see cref="HoldReceive"/>.</summary>
    public static void EnableReceiveInterrupt(ushort port)
    {
        Cpu.OutByte((ushort)(port + ModemControl), 0x0B);    // DTR, RTS, OUT2
        Cpu.OutByte((ushort)(port + InterruptEnable), 0x01); // received data available
    }

    /// <summary>Receive flow control, for a reader whose buffer is full: no receive interrupt and RTS down, so further
    /// bytes wait in the UART's FIFO. An emulator then stops taking input from its backend (QEMU's chardev leaves it in
    /// the socket); a line with RTS/CTS flow control stops the sender. Only a sender that ignores RTS can overrun the
    /// FIFO now, and <see cref="TryRead"/> reports that. <see cref="EnableReceiveInterrupt"/> resumes.</summary>
    public static void HoldReceive(ushort port)
    {
        Cpu.OutByte((ushort)(port + InterruptEnable), 0x00);
        Cpu.OutByte((ushort)(port + ModemControl), 0x09);    // DTR, OUT2: RTS down
    }

    /// <summary>Bytes dropped because the port's transmitter was stalled.</summary>
    public static ulong DroppedBytes(ushort port) => port == Com1 ? s_dropped1 : s_dropped2;

    /// <summary>Sends a byte; waits while the transmit FIFO is full (busy: this runs in interrupt handlers and panics
    /// too; a caller that may be preempted lets other threads run meanwhile).</summary>
    public static void Put(ushort port, byte value)
    {
        bool com1 = port == Com1;
        ref int room = ref com1 ? ref s_room1 : ref s_room2;
        if (room == 0)
        {
            if (!WaitForTransmitter(port, TransmitterEmpty))
            {
                if (com1) s_dropped1++; else s_dropped2++;
                return;
            }
            room = FifoDepth;
        }
        room--;
        Cpu.OutByte((ushort)(port + Data), value);
    }

    /// <summary>Waits until the transmitter has sent everything, FIFO and shift register: before the machine stops, or
    /// the emulator exits with bytes still in the FIFO (Bochs does).</summary>
    public static void Drain(ushort port) => WaitForTransmitter(port, TransmitterIdle);

    /// <summary>Waits for a line-status bit of the transmitter; false when the port is stalled: the bit stayed clear
    /// for <see cref="StallNanoseconds"/> (now, or before and still clear).</summary>
    static bool WaitForTransmitter(ushort port, byte bit)
    {
        ref bool stalled = ref port == Com1 ? ref s_stalled1 : ref s_stalled2;
        if (HasStatus(port, bit)) { stalled = false; return true; }
        if (stalled) return false;
        // The TSC, not Clock: this also runs before the clock is calibrated (then assuming 2 GHz).
        ulong tscPerSecond = Clock.TscPerSecond == 0 ? 2_000_000_000 : Clock.TscPerSecond;
        ulong start = Cpu.ReadTimestampCounter(), limit = tscPerSecond / 1_000_000 * (StallNanoseconds / 1_000);
        while (!HasStatus(port, bit))
        {
            if (Cpu.ReadTimestampCounter() - start > limit) { stalled = true; return false; }
            Cpu.Pause();
        }
        return true;
    }

    static bool HasStatus(ushort port, byte bit) => (Cpu.InByte((ushort)(port + LineStatus)) & bit) != 0;

    /// <summary>The next received byte, if any; <paramref name="overrun"/> says the UART dropped bytes before it.</summary>
    public static bool TryRead(ushort port, out byte value, out bool overrun)
    {
        byte status = Cpu.InByte((ushort)(port + LineStatus));
        overrun = (status & OverrunError) != 0;
        value = (status & DataReady) != 0 ? Cpu.InByte((ushort)(port + Data)) : (byte)0;
        return (status & DataReady) != 0;
    }
}
