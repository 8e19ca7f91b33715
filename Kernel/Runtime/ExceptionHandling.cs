using System.Runtime;
using CosmosNet.Kernel.Console;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Exceptions, for now: a throw is a panic naming the exception's type and message. Full two-pass
/// dispatch (CoreLib's managed dispatcher over RhpSfi*/RhpEHEnum*/funclet callers, with the throw stubs in
/// asm to capture the context) replaces RhpThrowEx and the stubs below.</summary>
internal static unsafe class ExceptionHandling
{
    [RuntimeExport("RhpThrowEx")]
    static void RhpThrowEx(Exception exception) => Unhandled(exception);

    /// <summary>Panics with "Unhandled exception: Type: message".</summary>
    public static void Unhandled(Exception? exception)
    {
        if (exception is null) Panic.Halt("Unhandled exception: (null)");
        string type = TypeName(exception);
        string message = exception.Message;
        Panic.Halt("Unhandled exception: " + type + ": " + message);
    }

    static string TypeName(Exception exception)
    {
        string? name = exception.GetType().FullName;
        return string.IsNullOrEmpty(name) ? "(unknown type)" : name;
    }

    [RuntimeExport("RhpRethrow")] static void RhpRethrow() => Panic.NotImplemented("RhpRethrow");
    [RuntimeExport("RhpThrowHwEx")] static void RhpThrowHwEx() => Panic.NotImplemented("RhpThrowHwEx");
    [RuntimeExport("RhpSfiInit")] static void RhpSfiInit() => Panic.NotImplemented("RhpSfiInit");
    [RuntimeExport("RhpSfiNext")] static void RhpSfiNext() => Panic.NotImplemented("RhpSfiNext");
    [RuntimeExport("RhpEHEnumInitFromStackFrameIterator")] static void RhpEHEnumInitFromStackFrameIterator() => Panic.NotImplemented("RhpEHEnumInitFromStackFrameIterator");
    [RuntimeExport("RhpEHEnumNext")] static void RhpEHEnumNext() => Panic.NotImplemented("RhpEHEnumNext");
    [RuntimeExport("RhpCallCatchFunclet")] static void RhpCallCatchFunclet() => Panic.NotImplemented("RhpCallCatchFunclet");
    [RuntimeExport("RhpCallFilterFunclet")] static void RhpCallFilterFunclet() => Panic.NotImplemented("RhpCallFilterFunclet");
    [RuntimeExport("RhpCallFinallyFunclet")] static void RhpCallFinallyFunclet() => Panic.NotImplemented("RhpCallFinallyFunclet");
    [RuntimeExport("RhFindMethodStartAddress")] static void RhFindMethodStartAddress() => Panic.NotImplemented("RhFindMethodStartAddress");
    [RuntimeExport("RhpGetThreadAbortException")] static void RhpGetThreadAbortException() => Panic.NotImplemented("RhpGetThreadAbortException");
    [RuntimeExport("RhpGetCurrentThreadStackTrace")] static void RhpGetCurrentThreadStackTrace() => Panic.NotImplemented("RhpGetCurrentThreadStackTrace");
    [RuntimeExport("RhGetCurrentThreadStackBounds")] static void RhGetCurrentThreadStackBounds() => Panic.NotImplemented("RhGetCurrentThreadStackBounds");
    [RuntimeExport("RhGetCodeTarget")] static void RhGetCodeTarget() => Panic.NotImplemented("RhGetCodeTarget");
    [RuntimeExport("RhGetTargetOfUnboxingAndInstantiatingStub")] static void RhGetTargetOfUnboxingAndInstantiatingStub() => Panic.NotImplemented("RhGetTargetOfUnboxingAndInstantiatingStub");

    [RuntimeExport("RhGetCrashInfoBuffer")]
    static void* RhGetCrashInfoBuffer(int* size) { *size = 0; return null; }

    [RuntimeExport("RhCreateCrashDumpIfEnabled")]
    static void RhCreateCrashDumpIfEnabled(void* exceptionRecord, void* exceptionContext) { }

    /// <summary>Environment.FailFast and fatal runtime errors end here.</summary>
    [RuntimeExport("RhpFallbackFailFast")]
    static void RhpFallbackFailFast() => Panic.Halt("fail fast (RhpFallbackFailFast)");
}
