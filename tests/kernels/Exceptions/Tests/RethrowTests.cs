using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace CosmosNet.KernelTests;

/// <summary>`throw;`, `throw e;`, ExceptionDispatchInfo: identity and stack traces.</summary>
static class RethrowTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Origin() => throw new InvalidOperationException("origin");

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void CatchAndRethrow(List<string> log)
    {
        try { Origin(); }
        catch (InvalidOperationException) { log.Add("inner"); throw; }
    }

    public static void RethrowKeepsIdentity(Check c)
    {
        Exception? first = null, second = null;
        try
        {
            try { Origin(); }
            catch (Exception e) { first = e; throw; }
        }
        catch (Exception e) { second = e; }
        c.True(first is not null && ReferenceEquals(first, second));
    }

    public static void RethrowAcrossFrames(Check c)
    {
        var log = new List<string>();
        try { CatchAndRethrow(log); }
        catch (InvalidOperationException e) { log.Add("outer " + e.Message); }
        c.SequenceEqual(["inner", "outer origin"], log);
    }

    public static void RethrowKeepsOriginalStackTrace(Check c)
    {
        string trace = "";
        try { CatchAndRethrow(new List<string>()); }
        catch (InvalidOperationException e) { trace = e.StackTrace ?? ""; }
        c.True(trace.Contains("RethrowTests.Origin"), "trace names Origin: " + trace);
        c.True(trace.Contains("RethrowTests.CatchAndRethrow"), "trace names CatchAndRethrow: " + trace);
    }

    public static void ThrowVariableKeepsIdentity(Check c)
    {
        var original = new FormatException("again");
        Exception? caught = null;
        try
        {
            try { throw original; }
#pragma warning disable CA2200 // the point of the test: `throw e` rethrows the same object
            catch (FormatException e) { throw e; }
#pragma warning restore CA2200
        }
        catch (FormatException e) { caught = e; }
        c.True(ReferenceEquals(original, caught));
    }

    public static void RethrowFromNestedCatch(Check c)
    {
        var log = new List<string>();
        try
        {
            try { throw new ArgumentException("first"); }
            catch (ArgumentException)
            {
                try { throw new FormatException("second"); }
                catch (FormatException e) { log.Add("nested " + e.Message); }
                throw;  // rethrows "first": the nested dispatch is over
            }
        }
        catch (ArgumentException e) { log.Add("outer " + e.Message); }
        catch (FormatException e) { log.Add("wrong " + e.Message); }
        c.SequenceEqual(["nested second", "outer first"], log);
    }

    public static void ExceptionDispatchInfoRethrow(Check c)
    {
        ExceptionDispatchInfo? captured = null;
        try { Origin(); }
        catch (InvalidOperationException e) { captured = ExceptionDispatchInfo.Capture(e); }
        Exception? rethrown = null;
        try { captured!.Throw(); }
        catch (InvalidOperationException e) { rethrown = e; }
        c.True(ReferenceEquals(captured!.SourceException, rethrown));
        c.True((rethrown?.StackTrace ?? "").Contains("RethrowTests.Origin"), "captured trace kept: " + rethrown?.StackTrace);
    }
}
