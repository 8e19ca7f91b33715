namespace CosmosNet.Kernel.Console;

/// <summary>COM1 at 115200 8N1 (<see cref="Uart"/>): the kernel's log. Console.Out/Error (through the SystemNative
/// file layer), boot messages and panics all end here. Never allocates, so it works before CoreLib is initialised
/// and inside panics. '\n' goes out as "\r\n" for terminals. One write() of the app is atomic with respect to other
/// threads, so when the diagnostics console shares COM1 (console=com1) its answers and the app's lines interleave
/// by line, not by character.</summary>
internal static unsafe class Serial
{
    static bool s_midLine;   // no initialiser: this runs before static constructors can

    /// <summary>True when the last byte written ended a line (or nothing was written yet).</summary>
    public static bool AtLineStart => !s_midLine;

    public static void Initialize() => Uart.Initialize(Uart.Com1);

    public static void WriteByte(byte value)
    {
        if (value == (byte)'\n') Uart.Put(Uart.Com1, (byte)'\r');
        Uart.Put(Uart.Com1, value);
        s_midLine = value != (byte)'\n';
    }

    public static void Write(ReadOnlySpan<byte> bytes)
    {
        foreach (byte b in bytes) WriteByte(b);
    }

    /// <summary>A write() of the app: not interleaved with another thread's output.</summary>
    public static void Write(byte* bytes, nint count)
    {
        Threading.Preemption.Disable();
        for (nint i = 0; i < count; i++) WriteByte(bytes[i]);
        Threading.Preemption.Enable();
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
