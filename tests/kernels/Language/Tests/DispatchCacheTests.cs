namespace CosmosNet.KernelTests;

// Interface calls that go through one call site (one dispatch cell) many times with many receiver types: the first
// call per type resolves and fills the cell's cache, later calls take the cached target (Kernel/Runtime/
// InterfaceDispatch.cs). Every answer is checked on every round, so a target cached for the wrong type shows.

interface INumbered { int Number { get; } }
interface IDigit { static abstract int Digit { get; } }
sealed class D1 : IDigit { public static int Digit => 1; }
sealed class D2 : IDigit { public static int Digit => 2; }
sealed class D3 : IDigit { public static int Digit => 3; }
struct D4 : IDigit { public static int Digit => 4; }
struct D5 : IDigit { public static int Digit => 5; }
struct D6 : IDigit { public static int Digit => 6; }
// Over classes the instantiations share canonical code (one target for many MethodTables); over structs each has its own.
sealed class Lone<A> : INumbered where A : IDigit { public int Number => A.Digit; }
sealed class Pair<A, B> : INumbered where A : IDigit where B : IDigit { public int Number => A.Digit * 10 + B.Digit; }

interface IGreeter { string Name { get; } string Greet() => "hello " + Name; }
sealed class PlainGreeter : IGreeter { public string Name => "plain"; }
sealed class OwnGreeter : IGreeter { public string Name => "own"; public string Greet() => "hi from own"; }

sealed class ByLength : IComparer<object> { public int Compare(object? x, object? y) => x!.ToString()!.Length - y!.ToString()!.Length; }
sealed class Reverse : IComparer<string> { public int Compare(string? x, string? y) => string.CompareOrdinal(y, x); }

static class DispatchCacheTests
{
    static void AddPairs<A>(List<(INumbered, int)> list, int a) where A : IDigit
    {
        list.Add((new Lone<A>(), a));
        list.Add((new Pair<A, D1>(), a * 10 + 1));
        list.Add((new Pair<A, D2>(), a * 10 + 2));
        list.Add((new Pair<A, D3>(), a * 10 + 3));
        list.Add((new Pair<A, D4>(), a * 10 + 4));
        list.Add((new Pair<A, D5>(), a * 10 + 5));
        list.Add((new Pair<A, D6>(), a * 10 + 6));
    }

    static int NumberOf(INumbered n) => n.Number;   // the one call site

    /// <summary>42 receiver types at one site: more than a cell caches, so some resolve every time.</summary>
    public static void ManyTypesAtOneSite(Check c)
    {
        var all = new List<(INumbered Item, int Expected)>();
        AddPairs<D1>(all, 1); AddPairs<D2>(all, 2); AddPairs<D3>(all, 3);
        AddPairs<D4>(all, 4); AddPairs<D5>(all, 5); AddPairs<D6>(all, 6);
        c.Equal(42, all.Count);
        int wrong = 0;
        for (int round = 0; round < 4; round++)
            for (int i = 0; i < all.Count; i++)
            {
                var (item, expected) = all[(i * 5 + round) % all.Count];   // a different order each round
                if (NumberOf(item) != expected) wrong++;
            }
        c.Equal(0, wrong);
    }

    static string GreetingOf(IGreeter g) => g.Greet();

    public static void DefaultMethodAndOverrideAtOneSite(Check c)
    {
        IGreeter[] greeters = [new PlainGreeter(), new OwnGreeter(), new PlainGreeter(), new OwnGreeter()];
        var seen = new List<string>();
        for (int round = 0; round < 3; round++)
            foreach (var g in greeters) seen.Add(GreetingOf(g));
        c.Equal(12, seen.Count);
        for (int i = 0; i < seen.Count; i++) c.Equal(i % 2 == 0 ? "hello plain" : "hi from own", seen[i]);
    }

    static int CountItems(IEnumerable<object> items)
    {
        int n = 0;
        foreach (var _ in items) n++;
        return n;
    }

    static int Order(IComparer<string> comparer, string x, string y) => Math.Sign(comparer.Compare(x, y));

    /// <summary>Covariant and contravariant receivers at one site each, cached and then called again.</summary>
    public static void VarianceAtOneSite(Check c)
    {
        IEnumerable<object>[] sources = [new List<string> { "a", "b" }, new[] { "x", "y", "z" }, new HashSet<Uri> { new("http://h/") }, new Queue<object>([1, 2, 3, 4])];
        int[] expected = [2, 3, 1, 4];
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < sources.Length; i++) c.Equal(expected[i], CountItems(sources[i]));

        IComparer<string>[] comparers = [new ByLength(), new Reverse(), StringComparer.Ordinal];
        int[] expectedOrder = [1, 1, -1];   // "abc" against "b": longer; reversed; ordinal
        for (int round = 0; round < 3; round++)
            for (int i = 0; i < comparers.Length; i++) c.Equal(expectedOrder[i], Order(comparers[i], "abc", "b"));
    }
}
