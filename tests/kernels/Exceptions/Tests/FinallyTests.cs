using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>finally and fault blocks: when they run and in which order relative to filters and catches.</summary>
static class FinallyTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void ThrowWithFinally(List<string> log, string name, int depth)
    {
        try
        {
            if (depth == 0) throw new InvalidOperationException(name);
            ThrowWithFinally(log, name, depth - 1);
        }
        finally { log.Add("finally " + depth); }
    }

    public static void RunsOnNormalExit(Check c)
    {
        var log = new List<string>();
        try { log.Add("try"); }
        finally { log.Add("finally"); }
        log.Add("after");
        c.SequenceEqual(["try", "finally", "after"], log);
    }

    public static void RunsBeforeOuterCatch(Check c)
    {
        var log = new List<string>();
        try
        {
            try { throw new InvalidOperationException("x"); }
            finally { log.Add("inner finally"); }
        }
        catch (InvalidOperationException) { log.Add("outer catch"); }
        c.SequenceEqual(["inner finally", "outer catch"], log);
    }

    public static void DeepestFinallyFirstAcrossFrames(Check c)
    {
        var log = new List<string>();
        try { ThrowWithFinally(log, "deep", 3); }
        catch (InvalidOperationException e) { log.Add("catch " + e.Message); }
        c.SequenceEqual(["finally 0", "finally 1", "finally 2", "finally 3", "catch deep"], log);
    }

    static bool Log(List<string> log, string entry, bool result)
    {
        log.Add(entry);
        return result;
    }

    /// <summary>Two passes: every filter up to the handler runs before any finally below it.</summary>
    public static void FiltersRunBeforeFinallies(Check c)
    {
        var log = new List<string>();
        try
        {
            try
            {
                try { ThrowWithFinally(log, "two-pass", 1); }
                catch (InvalidOperationException) when (Log(log, "filter inner", false)) { log.Add("inner handler"); }
                finally { log.Add("middle finally"); }
            }
            catch (InvalidOperationException) when (Log(log, "filter outer", true)) { log.Add("outer handler"); }
        }
        finally { log.Add("outermost finally"); }
        c.SequenceEqual(["filter inner", "filter outer", "finally 0", "finally 1", "middle finally", "outer handler", "outermost finally"], log);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int ReturnThroughFinally(List<string> log)
    {
        try { log.Add("try"); return 1; }
        finally { log.Add("finally"); }
    }

    public static void RunsOnReturnBreakContinue(Check c)
    {
        var log = new List<string>();
        c.Equal(1, ReturnThroughFinally(log));
        for (int i = 0; i < 3; i++)
        {
            try
            {
                if (i == 0) continue;
                if (i == 2) break;
                log.Add("body " + i);
            }
            finally { log.Add("loop finally " + i); }
        }
        c.SequenceEqual(["try", "finally", "loop finally 0", "body 1", "loop finally 1", "loop finally 2"], log);
    }

    sealed class Resource(List<string> log, string name) : IDisposable
    {
        public void Dispose() => log.Add("dispose " + name);
    }

    public static void UsingDisposesInReverseOrder(Check c)
    {
        var log = new List<string>();
        try
        {
            using var a = new Resource(log, "a");
            using (new Resource(log, "b"))
            {
                using var d = new Resource(log, "c");
                throw new InvalidOperationException("in using");
            }
        }
        catch (InvalidOperationException e) { log.Add("catch " + e.Message); }
        c.SequenceEqual(["dispose c", "dispose b", "dispose a", "catch in using"], log);
    }

    public static void FinallyModifiesLocalsSeenByCatch(Check c)
    {
        int state = 0;
        try
        {
            try { state = 1; throw new InvalidOperationException(); }
            finally { state = state * 10 + 2; }
        }
        catch (InvalidOperationException) { state = state * 10 + 3; }
        c.Equal(123, state);
    }

    public static void NestedFinallyOrderInOneFrame(Check c)
    {
        var log = new List<string>();
        try
        {
            try
            {
                try
                {
                    try { throw new ArgumentException("nested"); }
                    finally { log.Add("f1"); }
                }
                finally { log.Add("f2"); }
            }
            catch (InvalidOperationException) { log.Add("wrong catch"); }
            finally { log.Add("f3"); }
        }
        catch (ArgumentException) { log.Add("catch"); }
        finally { log.Add("f4"); }
        c.SequenceEqual(["f1", "f2", "f3", "catch", "f4"], log);
    }
}
