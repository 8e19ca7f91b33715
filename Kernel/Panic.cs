using System.Diagnostics.CodeAnalysis;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;

namespace CosmosNet.Kernel;

/// <summary>The end of the line: prints "PANIC: reason" and the registers on the serial console, then stops
/// the machine with a failure status (QEMU exits 3). Allocates nothing, so it works out of memory, inside
/// traps and before CoreLib is initialised (use the UTF-8 overload there: no string objects exist yet).</summary>
internal static unsafe class Panic
{
    static int s_depth;

    [DoesNotReturn]
    public static void Halt(string reason)
    {
        TrapFrame frame;
        Cpu.CaptureRegisters(&frame);
        Report(reason, default, &frame);
    }

    [DoesNotReturn]
    public static void Halt(ReadOnlySpan<byte> reason)
    {
        TrapFrame frame;
        Cpu.CaptureRegisters(&frame);
        Report(null, reason, &frame);
    }

    [DoesNotReturn]
    internal static void FromTrap(string reason, TrapFrame* frame) => Report(reason, default, frame);

    [DoesNotReturn]
    internal static void FromTrap(ReadOnlySpan<byte> reason, TrapFrame* frame) => Report(null, reason, frame);

    /// <summary>A runtime entry point that is not implemented yet was called.</summary>
    [DoesNotReturn]
    internal static void NotImplemented(string entryPoint) => Halt(entryPoint + " is not implemented");

    [DoesNotReturn]
    static void Report(string? reason, ReadOnlySpan<byte> utf8Reason, TrapFrame* f)
    {
        Cpu.DisableInterrupts();
        if (++s_depth > 1)
        {
            // A panic while panicking (e.g. the reason's formatting faulted): print what we can, stop.
            Serial.Write("\nPANIC: (nested) "u8);
            if (s_depth == 2) { Serial.Write(reason); Serial.Write(utf8Reason); }
            Serial.WriteByte((byte)'\n');
            Power.Fail(Power.PanicExitValue);
        }
        Serial.Write("\nPANIC: "u8);
        if (reason is not null) Serial.Write(reason); else Serial.Write(utf8Reason);
        Serial.WriteByte((byte)'\n');
        WriteRegisters(f);
        WriteBacktrace(f->Rbp);
        Power.Fail(Power.PanicExitValue);
        while (true) { }
    }

    static void WriteRegisters(TrapFrame* f)
    {
        Reg("rip"u8, f->Rip); Reg("rsp"u8, f->Rsp); Reg("rbp"u8, f->Rbp); Reg("rflags"u8, f->Rflags); Serial.WriteByte((byte)'\n');
        Reg("rax"u8, f->Rax); Reg("rbx"u8, f->Rbx); Reg("rcx"u8, f->Rcx); Reg("rdx"u8, f->Rdx); Serial.WriteByte((byte)'\n');
        Reg("rsi"u8, f->Rsi); Reg("rdi"u8, f->Rdi); Reg("r8"u8, f->R8); Reg("r9"u8, f->R9); Serial.WriteByte((byte)'\n');
        Reg("r10"u8, f->R10); Reg("r11"u8, f->R11); Reg("r12"u8, f->R12); Reg("r13"u8, f->R13); Serial.WriteByte((byte)'\n');
        Reg("r14"u8, f->R14); Reg("r15"u8, f->R15); Reg("cr2"u8, Cpu.ReadCr2()); Reg("cr3"u8, Cpu.ReadCr3()); Serial.WriteByte((byte)'\n');
        if (f->Vector != ulong.MaxValue) { Reg("vector"u8, f->Vector); Reg("error"u8, f->ErrorCode); Reg("cs"u8, f->Cs); Reg("ss"u8, f->Ss); Serial.WriteByte((byte)'\n'); }
    }

    /// <summary>Return addresses along the rbp chain (ILC's code keeps frame pointers); resolve them with
    /// `addr2line -f -e iso/cosmosnet.elf` or the linker map.</summary>
    static void WriteBacktrace(ulong rbp)
    {
        Serial.Write("  backtrace:"u8);
        Runtime.Image.Layout* image = Runtime.Image.Current;
        for (int depth = 0; depth < 24; depth++)
        {
            if (rbp < 4096 || (rbp & 7) != 0 || rbp >= Arch.X64.Paging.MappedTop) break;
            ulong returnAddress = ((ulong*)rbp)[1];
            if (returnAddress < (ulong)image->Start || returnAddress >= (ulong)image->TextEnd) break;
            Serial.Write(" "u8);
            Serial.WriteHex(returnAddress, 8);
            ulong next = ((ulong*)rbp)[0];
            if (next <= rbp) break;
            rbp = next;
        }
        Serial.WriteByte((byte)'\n');
    }

    static void Reg(ReadOnlySpan<byte> name, ulong value)
    {
        Serial.Write("  "u8);
        Serial.Write(name);
        Serial.WriteByte((byte)'=');
        Serial.WriteHex(value);
    }
}
