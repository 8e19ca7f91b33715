using CosmosNet.Kernel.Arch.X64;

namespace CosmosNet.Kernel.Console;

/// <summary>COM1 at 115200 8N1, polled. The kernel's only output device: Console.Out/Error (through the
/// SystemNative file layer), boot messages and panics all end here. Never allocates, so it works before
/// CoreLib is initialised and inside panics. '\n' goes out as "\r\n" for terminals.</summary>
internal static unsafe class Serial
{
    const ushort Com1 = 0x3F8;
    const ushort Data = Com1, InterruptEnable = Com1 + 1, FifoControl = Com1 + 2, LineControl = Com1 + 3,
                 ModemControl = Com1 + 4, LineStatus = Com1 + 5;

    public static void Initialize()
    {
        Cpu.OutByte(InterruptEnable, 0x00);
        Cpu.OutByte(LineControl, 0x80);     // DLAB: divisor follows
        Cpu.OutByte(Data, 1);               // 115200 / 1
        Cpu.OutByte(InterruptEnable, 0);
        Cpu.OutByte(LineControl, 0x03);     // 8 bits, no parity, 1 stop bit
        Cpu.OutByte(FifoControl, 0xC7);     // FIFOs on, cleared, 14-byte threshold
        Cpu.OutByte(ModemControl, 0x03);    // DTR, RTS
    }

    public static void WriteByte(byte value)
    {
        if (value == (byte)'\n') Put((byte)'\r');
        Put(value);
    }

    static void Put(byte value)
    {
        // Transmit holding register empty? Bounded wait: a missing UART must not hang the kernel.
        for (int spins = 0; spins < 100_000 && (Cpu.InByte(LineStatus) & 0x20) == 0; spins++) { }
        Cpu.OutByte(Data, value);
    }

    public static void Write(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) WriteByte(b);
    }

    public static void Write(byte* bytes, nint count)
    {
        for (nint i = 0; i < count; i++) WriteByte(bytes[i]);
    }

    /// <summary>Writes a string as ASCII ('?' for anything else). For kernel messages only; Console
    /// text goes through CoreLib's UTF-8 encoder instead.</summary>
    public static void Write(string? text)
    {
        if (text is null) return;
        foreach (char c in text) WriteByte(c < 0x80 ? (byte)c : (byte)'?');
    }

    public static void WriteLine(string? text)
    {
        Write(text);
        WriteByte((byte)'\n');
    }

    public static void WriteHex(ulong value, int digits = 16)
    {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
        {
            int nibble = (int)((value >> shift) & 0xF);
            WriteByte((byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
        }
    }

    public static void WriteDecimal(ulong value)
    {
        byte* buffer = stackalloc byte[20];
        int n = 0;
        do { buffer[n++] = (byte)('0' + (int)(value % 10)); value /= 10; } while (value != 0);
        while (n > 0) WriteByte(buffer[--n]);
    }
}
