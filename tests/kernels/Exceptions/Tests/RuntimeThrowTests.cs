using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Exceptions the runtime and the BCL throw on their own (helpers, checked arithmetic, casts).</summary>
static class RuntimeThrowTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static T Catch<T>(Action action) where T : Exception
    {
        try { action(); }
        catch (T e) { return e; }
        throw new InvalidOperationException("nothing thrown");
    }

    public static void IndexOutOfRange(Check c)
    {
        int[] array = new int[3];
        int index = 5;
        var e = Catch<IndexOutOfRangeException>(() => array[index] = 1);
        c.Equal("System.IndexOutOfRangeException", e.GetType().FullName);
        var list = new List<int> { 1 };
        c.True(Catch<ArgumentOutOfRangeException>(() => _ = list[index]) is not null);
    }

    /// <summary>Messages are text, not resource keys (the image carries CoreLib's resource strings).</summary>
    public static void MessagesAreText(Check c)
    {
        int[] array = new int[1];
        int index = 5;
        c.Equal("Index was outside the bounds of the array.", Catch<IndexOutOfRangeException>(() => array[index] = 1).Message);
        c.Equal("Insufficient memory to continue the execution of the program.", new OutOfMemoryException().Message);
        c.Equal("The input string 'abc' was not in a correct format.", Catch<FormatException>(() => int.Parse("abc")).Message);
    }

    public static void InvalidCast(Check c)
    {
        object boxed = "text";
        var e = Catch<InvalidCastException>(() => _ = (int)boxed);
        c.Equal("System.InvalidCastException", e.GetType().FullName);
        object array = new string[1];
        c.True(Catch<ArrayTypeMismatchException>(() => ((object[])array)[0] = 1) is not null);
    }

    public static void CheckedOverflow(Check c)
    {
        int big = int.MaxValue;
        c.True(Catch<OverflowException>(() => _ = checked(big + 1)) is not null);
        long value = long.MaxValue;
        c.True(Catch<OverflowException>(() => _ = checked((int)value)) is not null);
        double huge = 1e30;
        c.True(Catch<OverflowException>(() => _ = checked((long)huge)) is not null);
    }

    public static void ParseAndLookupFailures(Check c)
    {
        c.True(Catch<FormatException>(() => int.Parse("12x")) is not null);
        var map = new Dictionary<string, int> { ["a"] = 1 };
        var e = Catch<KeyNotFoundException>(() => _ = map["missing"]);
        c.True(e.Message.Contains("missing"), e.Message);
        c.True(Catch<InvalidOperationException>(() => new List<int>().First()) is not null);
        c.True(Catch<ArgumentNullException>(() => ArgumentNullException.ThrowIfNull((object?)null, "arg")) is not null);
    }

    public static void EnumeratorInvalidatedByMutation(Check c)
    {
        var list = new List<int> { 1, 2, 3 };
        var e = Catch<InvalidOperationException>(() => { foreach (int v in list) list.Add(v); });
        c.True(e.Message.Length > 0);
        c.Equal(4, list.Count);
    }

    sealed class FailingComparer : IComparer<int>
    {
        public int Compare(int x, int y) => x == 3 || y == 3 ? throw new NotSupportedException("three") : x.CompareTo(y);
    }

    /// <summary>CoreLib catches the comparer's exception inside Array.Sort and wraps it.</summary>
    public static void ComparerExceptionWrappedBySort(Check c)
    {
        int[] values = [5, 3, 9, 1, 7];
        var e = Catch<InvalidOperationException>(() => Array.Sort(values, new FailingComparer()));
        c.True(e.InnerException is NotSupportedException, "inner: " + e.InnerException?.GetType().FullName);
        c.Equal("three", e.InnerException?.Message);
    }

    public static void LazyCachesTheException(Check c)
    {
        int calls = 0;
        var lazy = new Lazy<int>(() => { calls++; throw new InvalidDataException("once"); });
        var first = Catch<InvalidDataException>(() => _ = lazy.Value);
        var second = Catch<InvalidDataException>(() => _ = lazy.Value);
        c.Equal(1, calls);
        c.True(ReferenceEquals(first, second), "the cached exception is rethrown");
    }
}
