using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using CosmosNet.Kernel.Arch.X64;
using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Runtime;

namespace CosmosNet.Kernel;

/// <summary>The end of the line. Prints, on COM1:
/// <code>
/// PANIC: reason
///   rip=... (the registers)
///   frames:
///     #0  0x1234ab  Namespace.Type.Method(Args) + 0x2a
///     ...
/// CRASH {"reason":"...","exception":{"type":"...","message":"..."},"frames":[{"ip":"0x1234ab","name":"..."}],"uptime_ms":1234,"build":"..."}
/// </code>
/// then halts with a failure status (QEMU exits 3), or resets the machine with <c>panic=reboot</c> on the command
/// line. The frames are the thrown exception's for an unhandled exception, else the CFI unwind from where the panic
/// happened (continuing through interrupt entries into the interrupted code). The CRASH line is one JSON object
/// for log scrapers; "build" is the image's ld build id (`file cosmosnet.elf` shows the same). Names come from ILC's
/// stack-trace metadata, which allocates: only when allocating is safe (objects exist, the allocator and collector
/// are not mid-operation), else addresses only. The rest allocates nothing, so it works out of memory, inside traps
/// and before CoreLib is initialised (use the UTF-8 overload there: no string objects exist yet). A panic while
/// naming frames (a damaged heap) falls back to addresses and still ends with the record.</summary>
internal static unsafe class Panic
{
    const int MaxFrames = 32;
    [InlineArray(MaxFrames)] struct FrameBuffer { nint _first; }

    static int s_depth;
    static FrameBuffer s_frames;
    static int s_frameCount;
    static bool s_naming;                // inside CoreLib's formatter: a nested panic falls back to addresses
    static string?[]? s_names;           // per frame, when naming worked
    static string? s_reason, s_exceptionType, s_exceptionMessage;
    static byte* s_utf8Reason;
    static int s_utf8ReasonLength;

    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_corDbgStackTrace")]
    static extern ref nint[]? StackIps(Exception e);
    [UnsafeAccessor(UnsafeAccessorKind.Field, Name = "_idxFirstFreeStackTraceEntry")]
    static extern ref int StackIpCount(Exception e);

    [DoesNotReturn]
    public static void Halt(string reason)
    {
        TrapFrame frame;
        Cpu.CaptureRegisters(&frame);
        Report(reason, default, &frame, null);
    }

    [DoesNotReturn]
    public static void Halt(ReadOnlySpan<byte> reason)
    {
        TrapFrame frame;
        Cpu.CaptureRegisters(&frame);
        Report(null, reason, &frame, null);
    }

    /// <summary>An unhandled exception: the reason names it; the frames are where it was thrown.</summary>
    [DoesNotReturn]
    public static void Unhandled(string reason, Exception exception)
    {
        TrapFrame frame;
        Cpu.CaptureRegisters(&frame);
        Report(reason, default, &frame, exception);
    }

    [DoesNotReturn]
    internal static void FromTrap(string reason, TrapFrame* frame) => Report(reason, default, frame, null);

    [DoesNotReturn]
    internal static void FromTrap(ReadOnlySpan<byte> reason, TrapFrame* frame) => Report(null, reason, frame, null);

    /// <summary>A runtime entry point that is not implemented yet was called.</summary>
    [DoesNotReturn]
    internal static void NotImplemented(string entryPoint) => Halt(entryPoint + " is not implemented");

    [DoesNotReturn]
    static void Report(string? reason, ReadOnlySpan<byte> utf8Reason, TrapFrame* f, Exception? exception)
    {
        Cpu.DisableInterrupts();
        if (++s_depth > 1)
        {
            if (s_depth == 2 && s_naming)
            {
                // Naming the frames failed (a damaged heap?): finish with addresses.
                Serial.Write("\n  (naming the frames panicked: "u8);
                if (reason is not null) Serial.Write(reason); else Serial.Write(utf8Reason);
                Serial.Write(")\n"u8);
                s_names = null;
                WriteFrames();
                WriteRecord();
                End();
            }
            // A panic while panicking (e.g. the reason's formatting faulted): print what we can, stop.
            Serial.Write("\nPANIC: (nested) "u8);
            if (s_depth == 2) { Serial.Write(reason); Serial.Write(utf8Reason); }
            Serial.WriteByte((byte)'\n');
            Power.Fail(Power.PanicExitValue);
        }
        s_reason = reason;
        fixed (byte* p = utf8Reason) { s_utf8Reason = p; s_utf8ReasonLength = utf8Reason.Length; }   // u8 literals: static data
        if (!Serial.AtLineStart) Serial.WriteByte((byte)'\n');
        Serial.Write("\nPANIC: "u8);
        if (reason is not null) Serial.Write(reason); else Serial.Write(utf8Reason);
        Serial.WriteByte((byte)'\n');
        WriteRegisters(f);
        CaptureFrames(f, exception);
        if (CanAllocate)
        {
            s_naming = true;
            NameFrames(exception);
            s_naming = false;
        }
        WriteFrames();
        WriteRecord();
        End();
    }

    /// <summary>Halt (QEMU exits 3), or reset with panic=reboot.</summary>
    [DoesNotReturn]
    static void End()
    {
        if (CommandLine.Option("panic"u8).SequenceEqual("reboot"u8))
        {
            Serial.Write("CosmosNet: rebooting (panic=reboot)\n"u8);
            Power.Reboot();
        }
        Power.Fail(Power.PanicExitValue);
        while (true) { }
    }

    /// <summary>Objects exist and no allocator or collector step is in the middle of its work (they run with
    /// preemption disabled): CoreLib's formatter may allocate.</summary>
    static bool CanAllocate => Kernel.ObjectsAvailable && !Threading.Preemption.IsDisabled;

    static void CaptureFrames(TrapFrame* f, Exception? exception)
    {
        s_frameCount = 0;
        nint* frames = (nint*)Unsafe.AsPointer(ref s_frames[0]);
        if (exception is not null && StackIps(exception) is { } ips)
        {
            int count = Math.Min(StackIpCount(exception), ips.Length);
            for (int i = 0; i < count && s_frameCount < MaxFrames; i++)
                if (ips[i] > 1) frames[s_frameCount++] = ips[i];   // 1 separates the traces of a rethrown exception
            if (s_frameCount > 0) return;
        }
        if (!Kernel.ObjectsAvailable) { WalkFramePointers(f->Rbp); return; }
        LimitedContext context = Symbols.FromTrap(f);
        s_frameCount = Symbols.Walk(&context, fault: f->Vector != ulong.MaxValue, frames, MaxFrames);
        if (s_frameCount == 0) WalkFramePointers(f->Rbp);
    }

    /// <summary>Return addresses along the rbp chain (ILC's code keeps frame pointers): when the unwind tables
    /// cannot be used (before CoreLib's start-up, or code without them).</summary>
    static void WalkFramePointers(ulong rbp)
    {
        Image.Layout* image = Image.Current;
        while (s_frameCount < MaxFrames)
        {
            if (rbp < 4096 || (rbp & 7) != 0 || rbp >= Paging.MappedTop) break;
            ulong returnAddress = ((ulong*)rbp)[1];
            if (returnAddress < (ulong)image->Start || returnAddress >= (ulong)image->TextEnd) break;
            s_frames[s_frameCount++] = (nint)returnAddress;
            ulong next = ((ulong*)rbp)[0];
            if (next <= rbp) break;
            rbp = next;
        }
    }

    static void NameFrames(Exception? exception)
    {
        try
        {
            if (exception is not null)
            {
                s_exceptionType = exception.GetType().FullName ?? "?";
                s_exceptionMessage = exception.Message;
            }
            var names = new string?[s_frameCount];
            for (int i = 0; i < s_frameCount; i++)
                names[i] = Symbols.NameOf(s_frames[i]) ?? Symbols.NameOf(s_frames[i] - 1);
            s_names = names;
        }
        catch (Exception)
        {
            s_names = null;
        }
    }

    static void WriteFrames()
    {
        Serial.Write("  frames:\n"u8);
        for (int i = 0; i < s_frameCount; i++)
        {
            Serial.Write("    #"u8);
            Serial.WriteDecimal((ulong)i);
            Serial.Write(i < 10 ? "  0x"u8 : " 0x"u8);
            Serial.WriteHex((ulong)s_frames[i], 8);
            if (s_names is { } names && names[i] is { } name) { Serial.Write("  "u8); Serial.Write(name); }
            Serial.WriteByte((byte)'\n');
        }
        if (s_frameCount == MaxFrames) Serial.Write("    ...\n"u8);
    }

    /// <summary>The CRASH line: one JSON object, ASCII only.</summary>
    static void WriteRecord()
    {
        Serial.Write("CRASH {\"reason\":\""u8);
        if (s_reason is not null) JsonString(s_reason, firstLineOnly: true);
        else JsonUtf8(new ReadOnlySpan<byte>(s_utf8Reason, s_utf8ReasonLength));
        Serial.Write("\",\"exception\":"u8);
        if (s_exceptionType is null) Serial.Write("null"u8);
        else
        {
            Serial.Write("{\"type\":\""u8);
            JsonString(s_exceptionType, firstLineOnly: false);
            Serial.Write("\",\"message\":\""u8);
            JsonString(s_exceptionMessage, firstLineOnly: false);
            Serial.Write("\"}"u8);
        }
        Serial.Write(",\"frames\":["u8);
        for (int i = 0; i < s_frameCount; i++)
        {
            if (i > 0) Serial.WriteByte((byte)',');
            Serial.Write("{\"ip\":\"0x"u8);
            Serial.WriteHex((ulong)s_frames[i], 8);
            Serial.Write("\",\"name\":"u8);
            if (s_names is { } names && names[i] is { } name) { Serial.WriteByte((byte)'"'); JsonString(name, false); Serial.WriteByte((byte)'"'); }
            else Serial.Write("null"u8);
            Serial.WriteByte((byte)'}');
        }
        Serial.Write("],\"uptime_ms\":"u8);
        Serial.WriteDecimal(Clock.Nanoseconds / 1_000_000);
        Serial.Write(",\"build\":\""u8);
        Image.WriteBuildId(&Serial.WriteByte);
        Serial.Write("\"}\n"u8);
    }

    static void JsonString(string? text, bool firstLineOnly)
    {
        if (text is null) return;
        foreach (char c in text)
        {
            if (firstLineOnly && c is '\n' or '\r') break;
            JsonChar(c);
        }
    }

    static void JsonUtf8(ReadOnlySpan<byte> text)
    {
        foreach (byte b in text) JsonChar(b < 0x80 ? (char)b : '?');
    }

    static void JsonChar(char c)
    {
        switch (c)
        {
            case '"': Serial.Write("\\\""u8); return;
            case '\\': Serial.Write("\\\\"u8); return;
            case '\n': Serial.Write("\\n"u8); return;
            case '\r': Serial.Write("\\r"u8); return;
            case '\t': Serial.Write("\\t"u8); return;
        }
        if (c is >= ' ' and < (char)0x7F) { Serial.WriteByte((byte)c); return; }
        Serial.Write("\\u"u8);
        Serial.WriteHex(c, 4);
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

    static void Reg(ReadOnlySpan<byte> name, ulong value)
    {
        Serial.Write("  "u8);
        Serial.Write(name);
        Serial.WriteByte((byte)'=');
        Serial.WriteHex(value);
    }
}
