using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Exceptions thrown while another is being dispatched: inside catch, finally and nested tries.</summary>
static class NestedTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Throw(Exception e) => throw e;

    public static void ThrowInCatchCaughtOutside(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(new ArgumentException("first")); }
            catch (ArgumentException e) { log.Add("catch " + e.Message); Throw(new InvalidOperationException("second")); }
        }
        catch (InvalidOperationException e) { log.Add("outer " + e.Message); }
        c.SequenceEqual(["catch first", "outer second"], log);
    }

    /// <summary>The clauses of the try whose catch threw are not candidates for the new exception.</summary>
    public static void ThrowInCatchSkipsSiblingClauses(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(new ArgumentException("first")); }
            catch (ArgumentException) { Throw(new FormatException("from catch")); }
            catch (FormatException) { log.Add("sibling (wrong)"); }
        }
        catch (FormatException e) { log.Add("outer " + e.Message); }
        c.SequenceEqual(["outer from catch"], log);
    }

    public static void ThrowInFinallyReplacesException(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(new ArgumentException("original")); }
            finally { log.Add("finally"); Throw(new InvalidOperationException("replacement")); }
        }
        catch (ArgumentException e) { log.Add("wrong " + e.Message); }
        catch (InvalidOperationException e) { log.Add("caught " + e.Message); }
        c.SequenceEqual(["finally", "caught replacement"], log);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void FinallyThrowsDeeper(List<string> log)
    {
        try { Throw(new ArgumentException("original")); }
        finally
        {
            log.Add("deep finally");
            Throw(new InvalidOperationException("replacement"));
        }
    }

    /// <summary>A finally that throws during the second pass: the new exception takes over (the original's
    /// handler never runs) and the outer finallies still run, in order. (The original needs a handler:
    /// without one the first pass finds none and the exception is unhandled before any finally runs.)</summary>
    public static void ThrowInFinallyAcrossFramesRunsOuterFinallies(Check c)
    {
        var log = new List<string>();
        try
        {
            try { FinallyThrowsDeeper(log); }
            finally { log.Add("middle finally"); }
        }
        catch (InvalidOperationException e) { log.Add("caught " + e.Message); }
        catch (ArgumentException e) { log.Add("original handler (wrong) " + e.Message); }
        c.SequenceEqual(["deep finally", "middle finally", "caught replacement"], log);
    }

    public static void TryCatchInsideFinallyDuringUnwind(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(new ArgumentException("outer")); }
            finally
            {
                try { Throw(new FormatException("inside finally")); }
                catch (FormatException e) { log.Add("finally caught " + e.Message); }
                log.Add("finally done");
            }
        }
        catch (ArgumentException e) { log.Add("caught " + e.Message); }
        c.SequenceEqual(["finally caught inside finally", "finally done", "caught outer"], log);
    }

    public static void TryCatchInsideCatch(Check c)
    {
        var log = new List<string>();
        try { Throw(new ArgumentException("a")); }
        catch (ArgumentException e)
        {
            for (int i = 0; i < 3; i++)
            {
                try { Throw(new FormatException("b" + i)); }
                catch (FormatException inner) { log.Add(inner.Message); }
            }
            log.Add("still " + e.Message);
        }
        log.Add("after");
        c.SequenceEqual(["b0", "b1", "b2", "still a", "after"], log);
    }

    public static void InnerExceptionsChain(Check c)
    {
        Exception? caught = null;
        try
        {
            try
            {
                try { Throw(new FormatException("root")); }
                catch (FormatException e) { throw new InvalidOperationException("middle", e); }
            }
            catch (InvalidOperationException e) { throw new ApplicationException("top", e); }
        }
        catch (ApplicationException e) { caught = e; }
        c.Equal("top", caught?.Message);
        c.Equal("middle", caught?.InnerException?.Message);
        c.Equal("root", caught?.InnerException?.InnerException?.Message);
        c.Equal("root", caught?.GetBaseException().Message);
        string text = caught?.ToString() ?? "";
        c.True(text.Contains("System.ApplicationException: top") && text.Contains("---> System.InvalidOperationException: middle")
            && text.Contains("---> System.FormatException: root"), "ToString chains inner exceptions: " + text);
    }

    public static void AggregateOfCaughtExceptions(Check c)
    {
        var errors = new List<Exception>();
        for (int i = 0; i < 3; i++)
        {
            try { Throw(new InvalidOperationException("task " + i)); }
            catch (Exception e) { errors.Add(e); }
        }
        int handled = 0;
        try { throw new AggregateException(errors); }
        catch (AggregateException e)
        {
            e.Handle(inner => { handled++; return inner is InvalidOperationException; });
        }
        c.Equal(3, handled);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Recover(int depth)
    {
        try
        {
            if (depth == 0) Throw(new ArgumentException("leaf"));
            return Recover(depth - 1) + 1;
        }
        catch (ArgumentException) when (depth == 2)
        {
            // throw a new exception from the catch of a frame in the middle
            Throw(new InvalidOperationException("depth " + depth));
            return -1;
        }
    }

    public static void CatchThrowsMidStack(Check c)
    {
        string message = "";
        try { Recover(5); }
        catch (InvalidOperationException e) { message = e.Message; }
        c.Equal("depth 2", message);
    }
}
