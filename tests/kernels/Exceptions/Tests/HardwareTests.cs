using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>CPU faults in managed code arrive as managed exceptions (#PF near null, #DE).</summary>
static class HardwareTests
{
    class Node
    {
        public int Value;
        public Node? Next = null;
        public virtual int Virtual() => Value;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int ReadField(Node? n) => n!.Value;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Divide(int a, int b) => a / b;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long DivideLong(long a, long b) => a / b;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Remainder(int a, int b) => a % b;

    public static void NullFieldRead(Check c)
    {
        string caught = "";
        try { ReadField(null); }
        catch (NullReferenceException e) { caught = e.GetType().Name; }
        c.Equal("NullReferenceException", caught);
    }

    public static void NullFieldWriteAndVirtualCall(Check c)
    {
        var log = new List<string>();
        Node? n = new Node { Value = 1 };
        try { n.Next!.Value = 5; } catch (NullReferenceException) { log.Add("write"); }
        try { log.Add(n.Next!.Virtual().ToString()); } catch (NullReferenceException) { log.Add("virtual"); }
        int[]? array = null;
        try { log.Add(array![3].ToString()); } catch (NullReferenceException) { log.Add("array"); }
        string? s = null;
        try { log.Add(s!.Length.ToString()); } catch (NullReferenceException) { log.Add("string"); }
        c.SequenceEqual(["write", "virtual", "array", "string"], log);
    }

    public static unsafe void NullPointerDereference(Check c)
    {
        bool caught = false;
        try
        {
            int* p = null;
            *p = 1;
        }
        catch (NullReferenceException) { caught = true; }
        c.True(caught);
    }

    public static void NullFaultRunsFinallyAndFilter(Check c)
    {
        var log = new List<string>();
        try
        {
            try { ReadField(null); }
            finally { log.Add("finally"); }
        }
        catch (NullReferenceException e) when (e.Message.Length > 0) { log.Add("filtered catch"); }
        c.SequenceEqual(["finally", "filtered catch"], log);
    }

    public static void IntegerDivideByZero(Check c)
    {
        var log = new List<string>();
        try { log.Add(Divide(10, 0).ToString()); } catch (DivideByZeroException) { log.Add("int"); }
        try { log.Add(DivideLong(10, 0).ToString()); } catch (DivideByZeroException) { log.Add("long"); }
        try { log.Add(Remainder(10, 0).ToString()); } catch (DivideByZeroException) { log.Add("remainder"); }
        c.SequenceEqual(["int", "long", "remainder"], log);
        c.Equal(3, Divide(10, 3));
    }

    /// <summary>int.MinValue / -1 overflows: an ArithmeticException (OverflowException), never a crash.</summary>
    public static void MinValueDividedByMinusOne(Check c)
    {
        Exception? caught = null;
        try { Divide(int.MinValue, -1); }
        catch (ArithmeticException e) { caught = e; }
        c.True(caught is OverflowException, "got " + caught?.GetType().FullName);
        caught = null;
        try { DivideLong(long.MinValue, -1); }
        catch (ArithmeticException e) { caught = e; }
        c.True(caught is OverflowException, "got " + caught?.GetType().FullName);
    }

    public static void RepeatedFaultsRecover(Check c)
    {
        int nulls = 0, divisions = 0;
        for (int i = 0; i < 500; i++)
        {
            try { ReadField(i % 2 == 0 ? null : new Node { Value = i }); } catch (NullReferenceException) { nulls++; }
            try { Divide(i, i % 3); } catch (DivideByZeroException) { divisions++; }
        }
        c.Equal(250, nulls);
        c.Equal(167, divisions);
    }

    public static void FaultInsideCatchAndFinally(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Divide(1, 0); }
            catch (DivideByZeroException) { log.Add("catch"); ReadField(null); }
            finally { log.Add("finally"); }
        }
        catch (NullReferenceException) { log.Add("outer null"); }
        c.SequenceEqual(["catch", "finally", "outer null"], log);
    }

    /// <summary>A fault inside a filter is swallowed like any exception there: the filter counts as false.</summary>
    public static void NullInsideFilterIsFalse(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Divide(1, 0); }
            catch (DivideByZeroException) when (ReadField(null) == 0) { log.Add("inner (wrong)"); }
        }
        catch (DivideByZeroException) { log.Add("outer"); }
        c.SequenceEqual(["outer"], log);
    }

    public static void FaultInFinallyReplacesException(Check c)
    {
        string caught = "";
        try
        {
            try { throw new FormatException("original"); }
            finally { Divide(1, 0); }
        }
        catch (FormatException) { caught = "original (wrong)"; }
        catch (DivideByZeroException e) { caught = e.GetType().Name; }
        c.Equal("DivideByZeroException", caught);
    }
}
