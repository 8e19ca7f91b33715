using System.Numerics;

namespace CosmosNet.Corpus;

/// <summary>Generic math through static abstract interface members, over several number types.</summary>
static class GenericMath
{
    static T Sum<T>(IEnumerable<T> values) where T : INumber<T>
    {
        T total = T.Zero;
        foreach (var v in values) total += v;
        return total;
    }

    static T Mean<T>(T[] values) where T : INumber<T> => Sum(values) / T.CreateChecked(values.Length);

    static T Clamp01<T>(T v) where T : IFloatingPoint<T> => T.Clamp(v, T.Zero, T.One);

    public static void Run()
    {
        Console.WriteLine(Sum([1, 2, 3, 4]));
        Console.WriteLine(Sum([1.5, 2.25]));
        Console.WriteLine(Mean([10m, 20m, 33m]));
        Console.WriteLine(Mean(new long[] { 7, 8, 9 }));
        Console.WriteLine(Clamp01(1.7f));
        Console.WriteLine(Sum(new Half[] { (Half)1.5, (Half)2 }));
        Console.WriteLine(int.CreateSaturating(1e20));
        Console.WriteLine(byte.CreateTruncating(300));
        Console.WriteLine(BitOperations.PopCount(0xF0F0u) + " " + int.Log2(1000) + " " + long.LeadingZeroCount(1));
    }
}

interface IVisitor<TResult> { TResult Visit<T>(T value) where T : notnull; }
interface IShape { TResult Accept<TResult>(IVisitor<TResult> v); }
sealed class Circle(double r) : IShape { public TResult Accept<TResult>(IVisitor<TResult> v) => v.Visit(r); }
sealed class Label(string text) : IShape { public TResult Accept<TResult>(IVisitor<TResult> v) => v.Visit(text); }
struct Point(int x, int y) : IShape { public TResult Accept<TResult>(IVisitor<TResult> v) => v.Visit((x, y)); }
sealed class Describe : IVisitor<string> { public string Visit<T>(T value) where T : notnull => $"{typeof(T).Name}:{value}"; }
sealed class Measure : IVisitor<int> { public int Visit<T>(T value) where T : notnull => value.ToString()!.Length; }

abstract class Converter { public abstract string Convert<T>(T value); public virtual string Pair<T, U>(T a, U b) => Convert(a) + "+" + Convert(b); }
class Brackets : Converter { public override string Convert<T>(T value) => $"[{value}]"; }
sealed class Braces : Brackets { public override string Convert<T>(T value) => "{" + value + "}"; public override string Pair<T, U>(T a, U b) => base.Pair(b, a); }

/// <summary>Generic virtual methods over interfaces and classes, reference and value type arguments.</summary>
static class GenericVirtualMethods
{
    public static void Run()
    {
        IShape[] shapes = [new Circle(1.5), new Label("hi"), new Point(3, 4)];
        foreach (var s in shapes) Console.WriteLine($"{s.Accept(new Describe())} {s.Accept(new Measure())}");
        Converter[] converters = [new Brackets(), new Braces()];
        foreach (var c in converters)
        {
            Console.WriteLine(c.Convert(42) + c.Convert("s") + c.Convert(2.5m) + c.Convert<object?>(null) + c.Convert(new List<int> { 1 }.Count));
            Console.WriteLine(c.Pair(1, "two") + " " + c.Pair(DateTimeKind.Utc, 'x'));
        }
    }
}

/// <summary>IComparer&lt;T&gt; / IEqualityComparer&lt;T&gt; plumbing through sorted collections and LINQ.</summary>
static class ComparerPlumbing
{
    sealed class ByLength : IComparer<string> { public int Compare(string? a, string? b) => (a!.Length, a).CompareTo((b!.Length, b)); }
    sealed class Mod10 : IEqualityComparer<int> { public bool Equals(int a, int b) => a % 10 == b % 10; public int GetHashCode(int v) => v % 10; }

    public static void Run()
    {
        var set = new SortedSet<string>(new ByLength()) { "pear", "fig", "banana", "kiwi", "apple" };
        Console.WriteLine(string.Join(",", set));
        var dict = new SortedDictionary<string, int>(StringComparer.OrdinalIgnoreCase) { ["b"] = 1, ["A"] = 2, ["c"] = 3 };
        Console.WriteLine(string.Join(",", dict.Keys) + " " + dict["a"]);
        Console.WriteLine(string.Join(",", new[] { 11, 21, 3, 13, 5 }.Distinct(new Mod10())));
        var list = new List<(string, int)> { ("b", 2), ("a", 2), ("c", 1) };
        list.Sort(Comparer<(string, int)>.Create((x, y) => x.Item2 != y.Item2 ? x.Item2.CompareTo(y.Item2) : string.CompareOrdinal(x.Item1, y.Item1)));
        Console.WriteLine(string.Join(",", list));
        Console.WriteLine(string.Join(",", new[] { "b", "C", "a" }.Order(StringComparer.OrdinalIgnoreCase)));
        var pq = new PriorityQueue<string, int>();
        foreach (var (w, p) in new[] { ("x", 3), ("y", 1), ("z", 2) }) pq.Enqueue(w, p);
        while (pq.TryDequeue(out var w, out var p)) Console.Write($"{w}{p} ");
        Console.WriteLine();
    }
}
