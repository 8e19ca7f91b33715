using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Memory;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Console;

/// <summary>The diagnostics console (the public face is <see cref="Hal.DiagnosticsConsole"/>): a line-oriented shell
/// on COM2, or on COM1 beside the log with <c>console=com1</c> (<c>console=off</c>: none). The UART's receive
/// interrupt only moves bytes into a ring and wakes the console's kernel thread, which edits the line (echo,
/// backspace, Ctrl-C, Ctrl-U), looks the first word up in the command table and prints the answer. Every command
/// runs on that thread, never in an interrupt; an exception becomes a one-line "error: ..." answer. Input is never
/// dropped: when the ring is full (the thread busy or starved) the UART holds the rest back until the thread has
/// emptied half of it.</summary>
internal static unsafe class Shell
{
    public const int MaxLineLength = 200;
    public const string Prompt = "cosmos> ";
    const uint RingSize = 4096;   // a power of two: 0.35 s of input at 115200 baud

    public sealed record Command(string Name, string Help, Func<string[], string> Handler);

    static ushort s_port;          // 0 while the console is off
    static bool s_shared;          // on COM1, beside the log
    static byte* s_ring;
    static uint s_head, s_tail;    // the interrupt handler advances s_tail, the thread s_head
    static bool s_holding;         // the ring was full: the UART holds input back (Uart.HoldReceive)
    static ulong s_received, s_uartOverruns, s_holds;
    static int s_vector = -1;
    static WaitQueue s_reader;
    static bool s_runtimeReady;
    static WaitQueue s_readyWaiter;

    /// <summary>"COM1" or "COM2" while the console runs, else null.</summary>
    public static string? PortName => s_port == 0 ? null : s_port == Uart.Com1 ? "COM1" : "COM2";
    public static int Vector => s_vector;
    public static ulong ReceivedBytes => s_received;
    /// <summary>Receiver overruns the UART reported: input lost before the kernel could read it (at least a byte each).
    /// The kernel itself drops nothing.</summary>
    public static ulong LostBytes => s_uartOverruns;
    /// <summary>How often a full ring made the UART hold input back.</summary>
    public static ulong InputHolds => s_holds;
    /// <summary>Answer bytes dropped because the port's transmitter stalled (<see cref="Uart.DroppedBytes"/>).</summary>
    public static ulong DroppedOutputBytes => s_port == 0 ? 0 : Uart.DroppedBytes(s_port);

    /// <summary>Kernel start-up, with the scheduler running: the console's port, its interrupt and its thread.</summary>
    /// <remarks>Only unmanaged set-up here: class constructors cannot run yet (CoreLib's constructor runner is set up
    /// by the start-up code that runs the module initializers, <see cref="RuntimeReady"/>).</remarks>
    public static void Start()
    {
        ReadOnlySpan<byte> option = CommandLine.Option("console"u8);
        ushort port;
        if (option.IsEmpty || option.SequenceEqual("com2"u8)) port = Uart.Com2;
        else if (option.SequenceEqual("com1"u8)) port = Uart.Com1;
        else
        {
            if (!option.SequenceEqual("off"u8)) Serial.Write("CosmosNet: console= takes com1, com2 or off; no console\n"u8);
            return;
        }
        if (port == Uart.Com2 && !Uart.Initialize(port)) return;   // no second serial port: no console
        s_ring = (byte*)NativeHeap.Allocate(RingSize);
        s_port = port;
        s_shared = port == Uart.Com1;
        KThread* thread = Scheduler.Create((nint)(delegate* unmanaged<nint, nint>)&ThreadMain, 0);
        if (thread == null) { s_port = 0; return; }
        thread->SetName("console"u8);
        s_vector = Irq.AttachIsa(Uart.IrqOf(port), &OnInterrupt, 0);
        Uart.EnableReceiveInterrupt(port);
        Serial.Write("CosmosNet: diagnostics console on "u8);
        Serial.Write(PortName);
        Serial.Write(" (type help)\n"u8);
    }

    /// <summary>CoreLib's start-up code runs the module initializers once the runtime is complete (class constructors
    /// work); the console's thread waits for this before it touches anything managed.</summary>
#pragma warning disable CA2255 // the kernel is "application code" here: it must know when start-up is done
    [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
    internal static void RuntimeReady()
    {
        ulong flags = InterruptGuard.Disable();
        s_runtimeReady = true;
        fixed (WaitQueue* waiter = &s_readyWaiter) Scheduler.WakeOne(waiter);
        InterruptGuard.Restore(flags);
    }

    /// <summary>Adds a command; <paramref name="handler"/> gets the words after the name and returns the answer.</summary>
    public static void Register(string name, string help, Func<string[], string> handler)
    {
        var commands = CommandTable.All;
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(help);
        ArgumentNullException.ThrowIfNull(handler);
        if (name.Length is 0 or > 16 || !name.All(c => c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-' or '_'))
            throw new ArgumentException($"a console command is 1-16 characters of a-z, 0-9, '-' and '_': '{name}'", nameof(name));
        lock (commands)
        {
            if (!commands.TryAdd(name, new Command(name, help, handler)))
                throw new ArgumentException($"the console already has a command '{name}'", nameof(name));
        }
    }

    public static Command[] Commands()
    {
        var commands = CommandTable.All;
        lock (commands) return commands.Values.OrderBy(c => c.Name, StringComparer.Ordinal).ToArray();
    }

    // ---- input: interrupt handler and ring ----------------------------------------------------------------------

    /// <summary>The UART's receive interrupt (interrupts disabled): drain its FIFO into the ring, wake the thread.</summary>
    static void OnInterrupt(nint context) => Drain();

    /// <summary>Moves received bytes into the ring (interrupts disabled) until the FIFO is empty or the ring full; a
    /// full ring makes the UART hold the rest back instead of losing it (an emulator feeds input far faster than
    /// 115200 baud: QEMU refills the FIFO as soon as it is read).</summary>
    static void Drain()
    {
        while (s_tail - s_head < RingSize && Uart.TryRead(s_port, out byte b, out bool overrun))
        {
            if (overrun) s_uartOverruns++;
            s_received++;
            s_ring[s_tail++ & (RingSize - 1)] = b;
        }
        if (s_tail - s_head == RingSize && !s_holding)
        {
            s_holding = true;
            s_holds++;
            Uart.HoldReceive(s_port);
        }
        fixed (WaitQueue* reader = &s_reader) Scheduler.WakeOne(reader);
    }

    /// <summary>The next input byte; blocks. Lets held-back input in again once half the ring is free. Also drains the
    /// UART once a second itself: a safety net against an edge-triggered interrupt whose edge was lost while the FIFO
    /// was not empty.</summary>
    static byte ReadByte()
    {
        ulong flags = InterruptGuard.Disable();
        while (s_head == s_tail)
        {
            fixed (WaitQueue* reader = &s_reader) Scheduler.Block(reader, Clock.Nanoseconds + 1_000_000_000);
            if (s_head == s_tail) Drain();
        }
        byte b = s_ring[s_head++ & (RingSize - 1)];
        if (s_holding && s_tail - s_head <= RingSize / 2)
        {
            s_holding = false;
            Uart.EnableReceiveInterrupt(s_port);
            Drain();
        }
        InterruptGuard.Restore(flags);
        return b;
    }

    // ---- output --------------------------------------------------------------------------------------------------

    /// <summary>Writes text, ASCII only ('?' for the rest), "\n" as "\r\n"; on a shared COM1 each call is atomic
    /// with respect to the app's writes and starts on a fresh line. COM2 is the console's alone: there the thread
    /// stays preemptible, so while the port's backend is slow to take the answer the network loop keeps running.</summary>
    static void Write(string text, bool startLine = false)
    {
        if (s_shared)
        {
            Preemption.Disable();
            if (startLine && !Serial.AtLineStart) Serial.WriteByte((byte)'\n');
            foreach (char c in text) Serial.WriteByte(c < 0x80 ? (byte)c : (byte)'?');
            Preemption.Enable();
        }
        else
        {
            foreach (char c in text)
            {
                if (c == '\n') Uart.Put(s_port, (byte)'\r');
                Uart.Put(s_port, c < 0x80 ? (byte)c : (byte)'?');
            }
        }
    }

    /// <summary>Prints at once, on a line of its own (for a command that acts after answering: reboot).</summary>
    public static void Say(string text) => Write(text, startLine: true);

    // ---- the thread ----------------------------------------------------------------------------------------------

    [UnmanagedCallersOnly]
    static nint ThreadMain(nint argument)
    {
        ulong flags = InterruptGuard.Disable();
        fixed (WaitQueue* waiter = &s_readyWaiter) while (!s_runtimeReady) Scheduler.Block(waiter, 0);
        InterruptGuard.Restore(flags);
        KernelCommands.Register();
        var line = new StringBuilder(MaxLineLength);
        bool overlong = false, afterCr = false;
        Write("CosmosNet diagnostics console: type help\n" + Prompt, startLine: true);
        while (true)
        {
            byte b = ReadByte();
            bool lf = b == (byte)'\n';
            if (lf && afterCr) { afterCr = false; continue; }   // CR LF is one line end
            afterCr = b == (byte)'\r';
            switch (b)
            {
                case (byte)'\r' or (byte)'\n':
                    Write("\n");
                    string answer = overlong ? $"error: line too long (at most {MaxLineLength} characters)\n" : Execute(line.ToString());
                    line.Clear();
                    overlong = false;
                    Write(answer + Prompt, startLine: true);
                    break;
                case 0x08 or 0x7F:                                   // backspace, delete
                    if (line.Length > 0 && !overlong) { line.Length--; Write("\b \b"); }
                    break;
                case 0x03 or 0x15:                                   // Ctrl-C, Ctrl-U: drop the line
                    line.Clear();
                    overlong = false;
                    Write(b == 0x03 ? "^C\n" + Prompt : "^U\n" + Prompt);
                    break;
                default:
                    char c = b is >= 0x20 and < 0x7F ? (char)b : b == (byte)'\t' ? ' ' : '?';   // anything else is garbage
                    if (line.Length >= MaxLineLength) overlong = true;
                    else { line.Append(c); Write(c.ToString()); }
                    break;
            }
        }
    }

    /// <summary>Runs one line; returns the answer, ending with a line break (nothing for an empty line).</summary>
    public static string Execute(string line)
    {
        string[] words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 0) return "";
        Command? command;
        var commands = CommandTable.All;
        lock (commands) commands.TryGetValue(words[0], out command);
        if (command is null) return $"error: unknown command '{Printable(words[0])}' (type help)\n";
        string answer;
        try { answer = command.Handler(words[1..]) ?? ""; }
        catch (Exception e) { return $"error: {command.Name}: {OneLine(e.Message)}\n"; }
        return answer.Length == 0 || answer.EndsWith('\n') ? answer : answer + "\n";
    }

    /// <summary>Apart from <see cref="Shell"/>, which must have no class constructor (it starts before they work).</summary>
    static class CommandTable
    {
        public static readonly Dictionary<string, Command> All = new(StringComparer.Ordinal);
    }

    static string Printable(string word) => word.Length <= 32 ? word : word[..32] + "...";
    static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
