using System.Runtime;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Runtime.Gc;
using CosmosNet.Kernel.Threading;

namespace CosmosNet.Kernel.Diagnostics;

/// <summary>The sampling profiler, on only when the command line has <c>profile=HZ</c> (1-10000); otherwise
/// nothing of it is set up. The PIT (channel 0, rate generator) ticks HZ times a second and the IOAPIC delivers
/// each tick as an NMI, so samples land in interrupt handlers and interrupts-off sections too. A sample is the
/// thread id, the interrupted rip and the return addresses along the rbp chain, each frame checked against the
/// thread's stack and each return address against the image's code (a broken chain ends the walk, it never
/// faults); a trap's frame is crossed into the code it
/// interrupted. Samples are appended to a log allocated at start (no allocation, no output while sampling).
/// Nothing leaves the guest by itself: the host reads the header (sample log position and the kernel's
/// counters, refreshed at every sample) and the log out of guest memory through QEMU's monitor
/// (tools/Harness/Profiling), whose layout this is:
///
///   header: u64 words, see the <c>Word*</c> constants (the first page of the log's memory);
///   log:    records of u64 words: (thread id &lt;&lt; 16 | frame count), then that many addresses, leaf first.</summary>
internal static unsafe class Profiler
{
    public const ulong Magic = 0x3130464F52504E43;   // "CNPROF01"
    public const int MaxFrames = 64;
    const ulong LogBytes = 16 << 20;                  // ~90 s at 997 Hz with 20-frame stacks
    const ulong HeaderBytes = 4096;

    // Header words (u64). Counters are totals since boot; the host takes differences.
    const int WordMagic = 0, WordHz = 1, WordTscPerSecond = 2, WordLogStart = 3, WordLogCapacity = 4, WordLogUsed = 5,
        WordSamples = 6, WordDropped = 7, WordTsc = 8, WordMmioReads = 9, WordMmioWrites = 10, WordPortReads = 11,
        WordPortWrites = 12, WordContextSwitches = 13, WordGcPauses = 14, WordGcCycles = 15, WordGcPauseTicks = 16,
        WordIdleNanoseconds = 17, WordVectors = 32;    // 256 per-vector interrupt counts from here

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_trap_return")]
    static extern void TrapReturn();

    static ulong* s_header;
    static byte* s_log;
    static ulong s_trapReturn, s_textStart, s_textEnd;

    public static bool Enabled => s_header != null;

    /// <summary>Starts sampling if the command line asks for it (after the machine is up, before the app).</summary>
    internal static void StartIfRequested()
    {
        ReadOnlySpan<byte> value = CommandLine.Option("profile"u8);
        if (value.IsEmpty) return;
        ulong hz = 0;
        int i = 0;
        for (; i < value.Length && value[i] is >= (byte)'0' and <= (byte)'9' && hz <= 10_000; i++) hz = hz * 10 + (ulong)(value[i] - '0');
        if (hz is 0 or > 10_000 || i != value.Length) { Serial.Write("profile: ignoring profile= (a rate in Hz, 1-10000)\n"u8); return; }

        byte* memory = (byte*)Memory.PhysicalMemory.Allocate(HeaderBytes + LogBytes);
        if (memory == null) { Serial.Write("profile: no memory for the sample log\n"u8); return; }
        Memory.Native.Memset(memory, 0, (nuint)HeaderBytes);
        ulong* header = (ulong*)memory;
        header[WordHz] = hz;
        header[WordTscPerSecond] = Clock.TscPerSecond;
        header[WordLogStart] = (ulong)(memory + HeaderBytes);
        header[WordLogCapacity] = LogBytes;
        header[WordMagic] = Magic;
        s_trapReturn = (ulong)(delegate*<void>)&TrapReturn;
        s_textStart = (ulong)Runtime.Image.Current->Start;
        s_textEnd = (ulong)Runtime.Image.Current->TextEnd;
        s_log = memory + HeaderBytes;
        Refresh(header);
        s_header = header;

        const uint PitHz = 1_193_182;
        uint divisor = (uint)((PitHz + hz / 2) / hz);
        if (divisor > 0xFFFF) divisor = 0xFFFF;
        if (divisor < 2) divisor = 2;
        Interrupts.SetHandler(2, &OnSample);
        if (!IoApic.RouteNmi(Madt.IsaGsi(0)))
        {
            Interrupts.SetHandler(2, null);
            s_header = null;
            Serial.Write("profile: no IOAPIC input for the PIT; not sampling\n"u8);
            return;
        }
        Cpu.OutByte(0x43, 0x34);                 // channel 0, lo/hi byte, mode 2 (rate generator)
        Cpu.OutByte(0x40, (byte)divisor);
        Cpu.OutByte(0x40, (byte)(divisor >> 8));
        Serial.Write("profile: "u8);
        Serial.WriteDecimal(PitHz / divisor);
        Serial.Write(" Hz, header at 0x"u8);
        Serial.WriteHex((ulong)header);
        Serial.Write(", log of "u8);
        Serial.WriteDecimal(LogBytes >> 20);
        Serial.Write(" MiB\n"u8);
    }

    /// <summary>The NMI: one sample. Must never fault (an NMI handler that faults re-enables NMIs mid-way).</summary>
    static void OnSample(TrapFrame* frame)
    {
        ulong* header = s_header;
        if (header == null) return;
        ulong used = header[WordLogUsed];
        if (used + (1 + MaxFrames) * 8 > header[WordLogCapacity]) { header[WordDropped]++; Refresh(header); return; }
        ulong* record = (ulong*)(s_log + used);
        KThread* thread = Scheduler.Current;
        int count = 0;
        record[1 + count++] = frame->Rip;
        if (thread != null)
        {
            // The thread's stack without its guard page (the lowest whole page, see HardwareExceptions.GuardStack).
            ulong low = (((ulong)thread->StackBottom + 4095) & ~4095UL) + 4096, high = (ulong)thread->StackTop;
            ulong rbp = frame->Rbp;
            while (count < MaxFrames && rbp >= low && rbp <= high - 16 && (rbp & 7) == 0)
            {
                ulong next = ((ulong*)rbp)[0], returnAddress = ((ulong*)rbp)[1];
                // Not code: rbp was not a frame pointer here (a prologue, isr_common before its call, frameless asm).
                if (returnAddress < s_textStart || returnAddress >= s_textEnd) break;
                record[1 + count++] = returnAddress;
                if (returnAddress == s_trapReturn)
                {
                    // A trap's C# frame: its saved rbp is the TrapFrame; go on in the code the trap interrupted.
                    if (next < low || next > high - (ulong)sizeof(TrapFrame) || (next & 7) != 0 || count == MaxFrames) break;
                    TrapFrame* interrupted = (TrapFrame*)next;
                    record[1 + count++] = interrupted->Rip;
                    next = interrupted->Rbp;
                    if (next <= rbp) break;
                    rbp = next;
                    continue;
                }
                if (next <= rbp) break;
                rbp = next;
            }
        }
        record[0] = (thread == null ? 0UL : thread->Id) << 16 | (uint)count;
        header[WordLogUsed] = used + (ulong)(1 + count) * 8;
        header[WordSamples]++;
        Refresh(header);
    }

    /// <summary>Copies the kernel's counters into the header (cheap reads, no locks: a count the NMI interrupted
    /// mid-increment is one behind until the next sample).</summary>
    static void Refresh(ulong* header)
    {
        header[WordTsc] = Cpu.ReadTimestampCounter();
        header[WordMmioReads] = Hal.Mmio.Reads;
        header[WordMmioWrites] = Hal.Mmio.Writes;
        header[WordPortReads] = Hal.PortIo.Reads;
        header[WordPortWrites] = Hal.PortIo.Writes;
        header[WordContextSwitches] = Scheduler.ContextSwitches;
        header[WordGcPauses] = PauseLog.Count;
        header[WordGcCycles] = (ulong)Collector.CollectionCount;
        header[WordGcPauseTicks] = PauseLog.TotalTicks;
        header[WordIdleNanoseconds] = Scheduler.IdleNanoseconds;
        for (int vector = 0; vector < 256; vector++) header[WordVectors + vector] = Irq.CountFor((byte)vector);
    }
}
