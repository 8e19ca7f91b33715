using System.Numerics;

namespace CosmosNet.KernelTests;

interface IShape { double Area { get; } string Name { get; } string Describe() => $"{Name} with area {Area:F1}"; }
abstract class Shape : IShape
{
    public abstract double Area { get; }
    public virtual string Name => "shape";
}
sealed class Square(double side) : Shape { public override double Area => side * side; public override string Name => "square"; }
sealed class Rect(double w, double h) : Shape { public override double Area => w * h; }
sealed class Circle(double r) : IShape { public double Area => 3 * r * r; public string Name => "circle"; public string Describe() => "round"; }

record Person(string Name, int Age);

enum Color { Red, Green = 5, Blue }
[Flags] enum Access { None = 0, Read = 1, Write = 2, Execute = 4 }

static class Counter
{
    public static int Initialised;
    public static readonly int[] Values;
    static Counter() { Initialised++; Values = [1, 2, 3]; }
    public static int Sum => Values.Sum();
}

sealed class Resource(List<string> log, string name) : IDisposable
{
    public void Dispose() => log.Add("dispose " + name);
}

static class LanguageTests
{
    public static void InterfaceDispatch(Check c)
    {
        IShape[] shapes = [new Square(2), new Rect(2, 3), new Circle(1)];
        c.Equal(13.0, shapes.Sum(s => s.Area));
        c.SequenceEqual(new[] { "square", "shape", "circle" }, shapes.Select(s => s.Name));
        IComparable<int> five = 5;
        c.True(five.CompareTo(3) > 0);
        IEnumerable<int> seq = new List<int> { 1, 2 };
        c.Equal(2, seq.Count());
    }

    public static void DefaultInterfaceMethod(Check c)
    {
        IShape square = new Square(3);
        IShape circle = new Circle(1);
        c.Equal("square with area 9.0", square.Describe());
        c.Equal("round", circle.Describe());
    }

    public static void VirtualOverride(Check c)
    {
        Shape s = new Square(4);
        c.Equal(16.0, s.Area);
        c.Equal("square", s.Name);
        c.Equal("shape", new Rect(1, 1).Name);
        object o = s;
        c.Equal("CosmosNet.KernelTests.Square", o.ToString());
    }

    static T Largest<T>(IEnumerable<T> items) where T : IComparable<T>
    {
        T best = items.First();
        foreach (var item in items) if (item.CompareTo(best) > 0) best = item;
        return best;
    }

    sealed class Box<T>(T value) where T : notnull { public T Value { get; } = value; public Box<U> Map<U>(Func<T, U> f) where U : notnull => new(f(Value)); }

    public static void GenericConstraints(Check c)
    {
        c.Equal(9, Largest(new[] { 3, 9, 2 }));
        c.Equal("pear", Largest(new[] { "apple", "pear", "fig" }));
        c.Equal(3.5, Largest(new List<double> { 1.5, 3.5 }));
        c.Equal("42!", new Box<int>(42).Map(v => v + "!").Value);
    }

    static T SumAll<T>(ReadOnlySpan<T> values) where T : INumber<T>
    {
        T total = T.Zero;
        foreach (T v in values) total += v;
        return total;
    }

    public static void GenericMath(Check c)
    {
        c.Equal(10, SumAll<int>([1, 2, 3, 4]));
        c.Equal(4.5, SumAll<double>([1.5, 3.0]));
        c.Equal(300L, SumAll<long>([100L, 200L]));
        c.Equal((byte)3, byte.CreateTruncating(259));
    }

    static string Describe<T>(T value) => $"{typeof(T).Name}:{value}";

    public static void SharedGenerics(Check c)
    {
        c.Equal("String:text", Describe("text"));
        c.Equal("Int32:5", Describe(5));
        c.Equal("List`1:System.Collections.Generic.List`1[System.String]", Describe(new List<string>()));
        var pair = new KeyValuePair<string, object>("k", 1);
        c.Equal("[k, 1]", pair.ToString());
    }

    public static void Closures(Check c)
    {
        var actions = new List<Func<int>>();
        for (int i = 0; i < 3; i++) { int copy = i; actions.Add(() => copy * 10); }
        c.SequenceEqual(new[] { 0, 10, 20 }, actions.Select(a => a()));
        int counter = 0;
        Action increment = () => counter++;
        increment(); increment();
        c.Equal(2, counter);
        Func<int, Func<int, int>> adder = x => y => x + y;
        c.Equal(7, adder(3)(4));
    }

    static event Action<string>? Happened;

    public static void MulticastDelegates(Check c)
    {
        var log = new List<string>();
        Action<string> first = s => log.Add("1" + s);
        Action<string> second = s => log.Add("2" + s);
        var both = first + second;
        both("x");
        (both - first)!("y");
        c.SequenceEqual(new[] { "1x", "2x", "2y" }, log);
        Happened += first;
        Happened?.Invoke("e");
        Happened -= first;
        Happened?.Invoke("ignored");
        c.Equal("1e", log[^1]);
        c.Equal(2, both.GetInvocationList().Length);
    }

    /// <summary>A delegate over a method of a boxed struct runs through an unboxing stub; reflection still
    /// names the method behind it, and two such delegates are equal.</summary>
    public static void DelegateOverBoxedStructNamesItsMethod(Check c)
    {
        object boxed = 42;
        Func<string?> f = boxed.ToString, g = boxed.ToString;
        c.Equal("42", f());
        c.Equal("ToString", f.Method.Name);
        c.True(f.Equals(g));
    }

    public static void LocalFunctions(Check c)
    {
        static long Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
        int Fib(int n) => n < 2 ? n : Fib(n - 1) + Fib(n - 2);
        c.Equal(2_432_902_008_176_640_000L, Factorial(20));
        c.Equal(6765, Fib(20));
    }

    public static void StaticConstructor(Check c)
    {
        c.Equal(6, Counter.Sum);
        c.Equal(6, Counter.Sum);
        c.Equal(1, Counter.Initialised);
    }

    struct Mutable { public int Value; public void Increment() => Value++; }

    public static void StructValueSemantics(Check c)
    {
        var a = new Mutable { Value = 1 };
        var b = a;
        b.Increment();
        c.Equal(1, a.Value);
        c.Equal(2, b.Value);
        var array = new Mutable[2];
        array[0].Increment();
        c.Equal(1, array[0].Value);
        var list = new List<Mutable> { a };
        var item = list[0]; item.Increment();
        c.Equal(1, list[0].Value);
    }

    public static void RecordEquality(Check c)
    {
        var ada = new Person("Ada", 36);
        var older = ada with { Age = 37 };
        c.Equal(new Person("Ada", 36), ada);
        c.False(ada == older);
        c.Equal("Person { Name = Ada, Age = 37 }", older.ToString());
        c.Equal(ada.GetHashCode(), new Person("Ada", 36).GetHashCode());
    }

    static (int Min, int Max) MinMax(int[] values) => (values.Min(), values.Max());

    public static void Tuples(Check c)
    {
        var (min, max) = MinMax([4, -2, 9]);
        c.Equal(-2, min);
        c.Equal(9, max);
        var t = (Name: "x", Count: 2);
        c.Equal("(x, 2)", t.ToString());
        c.True((1, "a") == (1, "a"));
        (int a, int b) = (1, 2);
        (a, b) = (b, a);
        c.Equal((2, 1), (a, b));
    }

    public static void Enums(Check c)
    {
        c.Equal("Green", Color.Green.ToString());
        c.Equal(6, (int)Color.Blue);
        c.True(Enum.TryParse<Color>("Blue", out var blue) && blue == Color.Blue);
        c.Equal(3, Enum.GetValues<Color>().Length);
        var rw = Access.Read | Access.Write;
        c.True(rw.HasFlag(Access.Write));
        c.False(rw.HasFlag(Access.Execute));
        c.Equal("Read, Write", rw.ToString());
        c.True(Enum.IsDefined(Color.Red));
    }

    static string Classify(object? o) => o switch
    {
        null => "null",
        int n when n < 0 => "negative",
        int n => $"int {n}",
        string { Length: 0 } => "empty string",
        string s => $"string {s}",
        int[] { Length: > 2 } arr => $"array of {arr.Length}",
        _ => "other",
    };

    public static void PatternMatching(Check c)
    {
        c.Equal("null", Classify(null));
        c.Equal("negative", Classify(-5));
        c.Equal("int 7", Classify(7));
        c.Equal("empty string", Classify(""));
        c.Equal("string hi", Classify("hi"));
        c.Equal("array of 3", Classify(new[] { 1, 2, 3 }));
        c.Equal("other", Classify(2.5));
        var point = (X: 1, Y: 0);
        c.Equal("on x axis", point switch { (0, 0) => "origin", (_, 0) => "on x axis", _ => "elsewhere" });
    }

    public static void BoxingAndNullable(Check c)
    {
        object boxed = 42;
        c.Equal(42, (int)boxed);
        c.True(boxed.Equals(42));
        c.Equal(typeof(int), boxed.GetType());
        int? maybe = null;
        c.False(maybe.HasValue);
        c.Equal(5, maybe ?? 5);
        maybe = 3;
        object? boxedNullable = maybe;
        c.Equal(3, (int)boxedNullable!);
        int? none = null;
        c.True((object?)none is null);
        c.Equal(10, maybe.GetValueOrDefault() + 7);
    }

    public static void Casts(Check c)
    {
        object s = new Square(1);
        c.True(s is Shape);
        c.True(s is IShape);
        c.False(s is Circle);
        c.True(s as Circle is null);
        c.Equal(1.0, ((IShape)s).Area);
        object list = new List<int>();
        c.True(list is IEnumerable<int>);
        c.True(list is System.Collections.IList);
        c.Equal(65, (int)'A');
        c.Equal((byte)44, unchecked((byte)300));
        c.Equal(3, (int)3.99);
        c.Equal(-3L, (long)-3.99);
    }

    static IEnumerable<int> Fibonacci()
    {
        int a = 0, b = 1;
        while (true) { yield return a; (a, b) = (b, a + b); }
    }

    static IEnumerable<string> WithFinally(List<string> log)
    {
        try { yield return "a"; yield return "b"; }
        finally { log.Add("iterator finally"); }
    }

    public static void Iterators(Check c)
    {
        c.SequenceEqual(new[] { 0, 1, 1, 2, 3, 5, 8, 13 }, Fibonacci().Take(8));
        var log = new List<string>();
        foreach (var s in WithFinally(log)) if (s == "a") break;
        c.SequenceEqual(new[] { "iterator finally" }, log);
    }

    public static void UsingAndFinally(Check c)
    {
        var log = new List<string>();
        using (new Resource(log, "outer"))
        {
            using var inner = new Resource(log, "inner");
            log.Add("body");
        }
        try { log.Add("try"); }
        finally { log.Add("finally"); }
        c.SequenceEqual(new[] { "body", "dispose inner", "dispose outer", "try", "finally" }, log);
    }

    public static void IntegerArithmetic(Check c)
    {
        int big = int.MaxValue;
        c.Equal(int.MinValue, unchecked(big + 1));
        c.Equal(-7 / 2, -3);
        c.Equal(-7 % 2, -1);
        c.Equal(1L << 40, 1_099_511_627_776L);
        c.Equal(uint.MaxValue, unchecked((uint)-1));
        c.Equal(6, Math.DivRem(20, 3, out int remainder));
        c.Equal(2, remainder);
        c.Equal((UInt128)ulong.MaxValue * 2, UInt128.Parse("36893488147419103230"));
        c.Equal(-5, Math.Abs(-5) * -1);
    }

    public static void MathFunctions(Check c)
    {
        c.Equal(1.4142135623730951, Math.Sqrt(2));
        c.Equal(3.0, Math.Ceiling(2.1));
        c.Equal(-2.0, Math.Ceiling(-2.9));
        c.Equal(2.0, Math.Floor(2.9));
        c.Equal(3.0, Math.Round(2.5, MidpointRounding.AwayFromZero));
        c.Equal(2.0, Math.Round(2.5));
        c.Equal(7, Math.Max(3, 7));
        c.Equal(2.5, Math.Clamp(9.0, 0.0, 2.5));
        c.True(double.IsNaN(0.0 / 0.0));
        c.Equal(0.30000000000000004, 0.1 + 0.2);
        c.Equal(1.5f, 3f / 2f);
    }

    public static void BitOperationsTest(Check c)
    {
        c.Equal(3, BitOperations.PopCount(0b1011u));
        c.Equal(28, BitOperations.LeadingZeroCount(0b1111u));
        c.Equal(4, BitOperations.TrailingZeroCount(16));
        c.Equal(0x80000001u, BitOperations.RotateRight(3u, 1));
        c.Equal(16u, BitOperations.RoundUpToPowerOf2(9u));
        c.Equal(5, BitOperations.Log2(40));
    }

    public static void LazyValue(Check c)
    {
        int created = 0;
        var lazy = new Lazy<string>(() => { created++; return "value"; });
        c.False(lazy.IsValueCreated);
        c.Equal("value", lazy.Value);
        c.Equal("value", lazy.Value);
        c.Equal(1, created);
    }

    [ThreadStatic] static int t_counter;
    [ThreadStatic] static string? t_name;

    public static void ThreadStaticField(Check c)
    {
        t_counter += 5;
        t_counter++;
        t_name = "boot thread";
        c.Equal(6, t_counter);
        c.Equal("boot thread", t_name);
    }

    static readonly object s_gate = new();

    public static void InterlockedAndLock(Check c)
    {
        int value = 0;
        c.Equal(1, Interlocked.Increment(ref value));
        c.Equal(1, Interlocked.Exchange(ref value, 10));
        c.Equal(10, Interlocked.CompareExchange(ref value, 20, 10));
        c.Equal(20, value);
        long total = 0;
        lock (s_gate) { total += 5; lock (s_gate) total += 1; }
        c.Equal(6L, total);
        c.False(Monitor.IsEntered(s_gate));
    }

    static async Task<int> AddAsync(int a, int b)
    {
        await Task.CompletedTask;
        int sum = await ValueTask.FromResult(a + b);
        return sum;
    }

    public static void AsyncCompletedSynchronously(Check c)
    {
        Task<int> task = AddAsync(20, 22);
        c.True(task.IsCompletedSuccessfully);
        c.Equal(42, task.Result);
    }
}
