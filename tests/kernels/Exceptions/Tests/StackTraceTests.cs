using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Exception.StackTrace, Environment.StackTrace and StackTrace name the managed frames.</summary>
static class StackTraceTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Level3() => throw new InvalidOperationException("traced");

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Level2() { Level3(); }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Level1() { Level2(); }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static string CurrentTrace() => Environment.StackTrace;

    static string Caught(Action action)
    {
        try { action(); }
        catch (Exception e) { return e.StackTrace ?? "(null)"; }
        return "(not thrown)";
    }

    public static void ExceptionStackTraceNamesFrames(Check c)
    {
        string trace = Caught(Level1);
        const string type = "CosmosNet.KernelTests.StackTraceTests.";
        int i3 = trace.IndexOf(type + "Level3"), i2 = trace.IndexOf(type + "Level2"), i1 = trace.IndexOf(type + "Level1");
        c.True(i3 >= 0 && i2 > i3 && i1 > i2, "innermost first: " + trace);
        c.True(trace.Contains("Caught"), "the catching frame is the last: " + trace);
    }

    public static void StackTraceStopsAtCatchingFrame(Check c)
    {
        string trace = Caught(Level1);
        c.False(trace.Contains("ExceptionsSuite") || trace.Contains("KernelTestRunner"), "frames above the catch are not part of it: " + trace);
    }

    public static void ToStringHasTypeMessageAndTrace(Check c)
    {
        string text = "";
        try { Level1(); }
        catch (Exception e) { text = e.ToString(); }
        c.True(text.StartsWith("System.InvalidOperationException: traced"), text);
        c.True(text.Contains(" at CosmosNet.KernelTests.StackTraceTests.Level3"), text);
    }

    public static void EnvironmentStackTraceNamesCallers(Check c)
    {
        string trace = CurrentTrace();
        c.True(trace.Contains("CosmosNet.KernelTests.StackTraceTests.CurrentTrace"), trace);
        c.True(trace.Contains("CosmosNet.KernelTests.StackTraceTests.EnvironmentStackTraceNamesCallers"), trace);
        int frames = trace.Split('\n').Count(line => line.TrimStart().StartsWith("at "));
        c.True(frames >= 3, "the callers up to Main: " + trace);
    }

    public static void StackTraceObjectFrames(Check c)
    {
        var trace = new StackTrace();
        c.True(trace.FrameCount >= 3, "frames: " + trace.FrameCount);
        c.True(trace.ToString().Contains("StackTraceTests.StackTraceObjectFrames"), trace.ToString());
    }

    public static void HardwareFaultTraceNamesFaultingMethod(Check c)
    {
        string trace = Caught(() => FaultHere(null));
        c.True(trace.Contains("CosmosNet.KernelTests.StackTraceTests.FaultHere"), trace);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int FaultHere(int[]? array) => array![0];

    public static void TraceFromInsideCatchAndFinally(Check c)
    {
        string inCatch = "", inFinally = "";
        try { Level1(); }
        catch (InvalidOperationException)
        {
            inCatch = CurrentTrace();
        }
        try { }
        finally { inFinally = CurrentTrace(); }
        c.True(inCatch.Contains("StackTraceTests.TraceFromInsideCatchAndFinally"), inCatch);
        c.True(inFinally.Contains("StackTraceTests.TraceFromInsideCatchAndFinally"), inFinally);
    }
}
