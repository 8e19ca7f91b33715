using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The native side of CoreLib's two-pass exception dispatcher (System.Runtime.EH). A throw enters
/// an asm stub (Kernel/Asm/exceptions.asm) that captures the registers and an ExInfo on the stack and calls
/// CoreLib's RhThrowEx; CoreLib walks the stack with <see cref="StackFrameIterator"/> (RhpSfiInit/Next),
/// reads each method's clauses through RhpEHEnum*, runs filters in the first pass and finally blocks in the
/// second through the funclet callers, then resumes in the catch funclet's continuation. The ExInfos in
/// flight form a per-thread chain (newest first) whose head is in the thread's TCB.</summary>
internal static unsafe class ExceptionHandling
{
    /// <summary>The running thread's newest ExInfo. The asm stubs keep the chain in the thread's TCB (fs:8):
    /// per thread with no help from the scheduler beyond a zeroed TCB.</summary>
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_exinfo_head")]
    static extern ExInfo* Head();

    /// <summary>The dispatch whose funclet returns to a stack address just below sp: the newest ExInfo above it.</summary>
    internal static ExInfo* DispatchAbove(ulong sp)
    {
        for (ExInfo* e = Head(); e != null; e = e->Previous)
            if ((ulong)e > sp) return e;
        return null;
    }

    // Return addresses inside the funclet callers, which the stack walk recognises.
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhpCallCatchFunclet2")] static extern void CatchFuncletReturnLabel();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhpCallFinallyFunclet2")] static extern void FinallyFuncletReturnLabel();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("RhpCallFilterFunclet2")] static extern void FilterFuncletReturnLabel();
    internal static void* CatchFuncletReturn => (delegate*<void>)&CatchFuncletReturnLabel;
    internal static void* FinallyFuncletReturn => (delegate*<void>)&FinallyFuncletReturnLabel;
    internal static void* FilterFuncletReturn => (delegate*<void>)&FilterFuncletReturnLabel;

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_capture_context")]
    internal static extern void CaptureContext(LimitedContext* context);

    // ---- stack frame iterator and clause enumeration -----------------------------------------------

    [RuntimeExport("RhpSfiInit")]
    static bool RhpSfiInit(ref StackFrameIterator sfi, LimitedContext* context, bool instructionFault, bool* isExceptionIntercepted)
    {
        if (isExceptionIntercepted != null) *isExceptionIntercepted = false;
        if (context == null) Panic.Halt("RhpSfiInit without a context is not supported (stack walks start from a captured context)"u8);
        return sfi.Init(context, instructionFault);
    }

    [RuntimeExport("RhpSfiNext")]
    static bool RhpSfiNext(ref StackFrameIterator sfi, uint* collideClause, bool* unwoundReversePInvoke, bool* isExceptionIntercepted)
    {
        if (unwoundReversePInvoke != null) *unwoundReversePInvoke = false;
        if (isExceptionIntercepted != null) *isExceptionIntercepted = false;
        return sfi.Next(collideClause);
    }

    [RuntimeExport("RhpEHEnumInitFromStackFrameIterator")]
    static bool RhpEHEnumInitFromStackFrameIterator(ref StackFrameIterator sfi, MethodRegionInfo* region, EHEnum* ehEnum)
    {
        *region = default;
        *ehEnum = default;
        if (!CodeMap.Find(sfi.ControlPC, out CodeMap.Function f)) return false;
        byte* clauses = CodeMap.EHInfo(f.MainLsda);
        if (clauses == null) return false;
        region->HotStart = f.MainStart;
        ehEnum->MethodStart = f.MainStart;
        ehEnum->Remaining = CodeMap.ReadVarUInt(ref clauses);
        ehEnum->Cursor = clauses;
        return true;
    }

    [RuntimeExport("RhpEHEnumNext")]
    static bool RhpEHEnumNext(EHEnum* ehEnum, EHClause* clause) => ehEnum->Next(clause);

    /// <summary>The start of the method containing pc (of its main body, for a funclet): what CoreLib's
    /// stack-trace metadata is keyed by.</summary>
    [RuntimeExport("RhFindMethodStartAddress")]
    static void* RhFindMethodStartAddress(void* pc) => CodeMap.Find(pc, out CodeMap.Function f) ? f.MainStart : null;

    // ---- classlib callbacks --------------------------------------------------------------------------

    const int ClasslibGetRuntimeException = 0, ClasslibRuntimeFailFast = 1;
    const int OutOfMemoryId = 1;   // System.Runtime.ExceptionIDs.OutOfMemory

    [RuntimeExport("RhpGetClasslibFunctionFromCodeAddress")]
    static void* RhpGetClasslibFunctionFromCodeAddress(void* address, int functionId) => ClasslibFunction(functionId);

    [RuntimeExport("RhpGetClasslibFunctionFromEEType")]
    static void* RhpGetClasslibFunctionFromEEType(void* methodTable, int functionId) => ClasslibFunction(functionId);

    // One module, one class library: CoreLib's table, except that fatal failures end in the kernel's panic and the
    // exceptions the runtime itself raises come through RuntimeException.
    static void* ClasslibFunction(int id) => id switch
    {
        ClasslibRuntimeFailFast => (delegate*<int, object?, nint, void*, void>)&FailFast,
        ClasslibGetRuntimeException => (delegate*<int, Exception?>)&RuntimeException,
        _ => (void*)Modules.ClasslibFunction(id),
    };

    /// <summary>
    /// The exception object for a failure the runtime detects (a null dereference, a bad cast, an overflow, out of
    /// memory): CoreLib's, which allocates all but the preallocated OutOfMemoryException. When the heap is full that
    /// allocation fails and CoreLib answers null, on which the dispatcher fails fast; here the throw becomes
    /// CoreLib's preallocated OutOfMemoryException instead (what a failed allocation means), so a full heap is
    /// catchable wherever the failure happens.
    /// </summary>
    static Exception? RuntimeException(int id)
    {
        var create = (delegate*<int, Exception?>)Modules.ClasslibFunction(ClasslibGetRuntimeException);
        return create(id) ?? create(OutOfMemoryId);
    }

    /// <summary>Unhandled exceptions and other fatal runtime failures: panic with the exception's type, message and
    /// stack trace, or the failure's reason. Allocates nothing it cannot do without: out of memory, a failure here
    /// would end in CoreLib's fallback ("fail fast (RhpFallbackFailFast)") and lose the reason.</summary>
    static void FailFast(int reason, object? exception, nint address, void* context)
    {
        if (exception is Exception e) Unhandled(e);
        Panic.Halt(reason switch
        {
            1 => "fatal runtime failure: internal error (RhFailFastReason.InternalError)"u8,
            2 => "fatal runtime failure: unhandled exception, dispatch not allowed here"u8,
            3 => "fatal runtime failure: unhandled exception, the caller did not handle it"u8,
            4 => "fatal runtime failure: the class library did not translate an exception id"u8,
            5 => "fatal runtime failure: unhandled exception"u8,
            6 => "fatal runtime failure: an exception escaped a native transition"u8,
            7 => "fatal runtime failure: Environment.FailFast"u8,
            _ => "fatal runtime failure (an RhFailFastReason without a text here)"u8,
        });
    }

    /// <summary>Panics with "Unhandled exception: Type: message" and the stack trace below it; out of memory, with
    /// what can be said without allocating.</summary>
    static void Unhandled(Exception exception)
    {
        string text;
        try { text = "Unhandled exception: " + exception.ToString(); }
        catch (Exception)
        {
            try { text = "Unhandled exception: " + (exception.GetType().FullName ?? "(unknown type)") + ": " + exception.Message; }
            catch (Exception)
            {
                text = exception is OutOfMemoryException
                    ? "Unhandled exception: System.OutOfMemoryException (out of memory: no text could be built)"
                    : "Unhandled exception (out of memory: its text could not be built)";
            }
        }
        Panic.Unhandled(text, exception);
    }

    // ---- stack traces ---------------------------------------------------------------------------------

    /// <summary>Environment.StackTrace / new StackTrace(): the return addresses of the caller's managed
    /// frames above addressInCurrentFrame. Returns the count written, or minus the count needed.</summary>
    [RuntimeExport("RhpGetCurrentThreadStackTrace")]
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int RhpGetCurrentThreadStackTrace(nint* buffer, uint length, nuint addressInCurrentFrame)
    {
        LimitedContext context;
        CaptureContext(&context);
        StackFrameIterator sfi = default;
        uint count = 0;
        bool complete = true;
        for (bool valid = sfi.Init(&context, false); valid; valid = sfi.Next(null))
        {
            if (sfi.Regs.SP < addressInCurrentFrame) continue;
            if (count < length) buffer[count] = (nint)sfi.ControlPC;
            else complete = false;
            count++;
        }
        return complete ? (int)count : -(int)count;
    }

    /// <summary>There is no thread abort on .NET Core: no exception is ever "the" thread-abort exception.</summary>
    [RuntimeExport("RhpGetThreadAbortException")] static object? RhpGetThreadAbortException() => null;
    // Reflection asks what method a delegate's code pointer runs (Delegate.Method): for a delegate over a
    // boxed struct that pointer is an unboxing stub in ILC's __unbox section, `add rdi, 8; jmp rel32`.
    [RuntimeExport("RhGetCodeTarget")]
    static byte* RhGetCodeTarget(byte* code)
    {
        Image.Layout* image = Image.Current;
        if (code >= image->UnboxStart && code + 9 <= image->UnboxEnd
            && code[0] == 0x48 && code[1] == 0x83 && code[2] == 0xC7 && code[3] == 0x08 && code[4] == 0xE9)
            return code + 9 + *(int*)(code + 5);
        return code;
    }
    // The same question for the stubs that also pass a generic context; ILC's __unbox section holds only the
    // plain `add rdi, 8; jmp` kind, so no address is one of these (null = "not such a stub").
    [RuntimeExport("RhGetTargetOfUnboxingAndInstantiatingStub")] static void* RhGetTargetOfUnboxingAndInstantiatingStub(byte* code) => null;

    [RuntimeExport("RhGetCrashInfoBuffer")]
    static void* RhGetCrashInfoBuffer(int* size) { *size = 0; return null; }

    [RuntimeExport("RhCreateCrashDumpIfEnabled")]
    static void RhCreateCrashDumpIfEnabled(void* exceptionRecord, void* exceptionContext) { }

    /// <summary>Environment.FailFast and fatal runtime errors end here.</summary>
    [RuntimeExport("RhpFallbackFailFast")]
    static void RhpFallbackFailFast() => Panic.Halt("fail fast (RhpFallbackFailFast)");
}
