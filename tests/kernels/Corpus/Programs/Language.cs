namespace CosmosNet.Corpus;

abstract record Shape;
sealed record Rect(double W, double H) : Shape;
sealed record Square(double Side) : Shape;
sealed record Tri(double A, double B, double C) : Shape;

/// <summary>Records: value equality, with-expressions, printing, deconstruction.</summary>
static class Records
{
    record Person(string First, string Last, int Age) { public string Full => $"{First} {Last}"; }
    record struct Pixel(byte R, byte G, byte B);

    public static void Run()
    {
        var p = new Person("Ada", "Lovelace", 36);
        var q = p with { Age = 37 };
        Console.WriteLine(p);
        Console.WriteLine(q);
        Console.WriteLine($"{p == q} {p == q with { Age = 36 }} {p.Full}");
        var (first, _, age) = q;
        Console.WriteLine($"{first} {age}");
        var px = new Pixel(1, 2, 3);
        Console.WriteLine($"{px} {px.Equals(new Pixel(1, 2, 3))} {px with { G = 9 }}");
        var set = new HashSet<Person> { p, p with { }, q };
        Console.WriteLine(set.Count);
    }
}

/// <summary>Pattern matching: type, property, relational, list and tuple patterns, switch expressions.</summary>
static class PatternMatching
{
    static double Area(Shape s) => s switch
    {
        Rect { W: var w, H: var h } => w * h,
        Square(var side) => side * side,
        Tri(var a, var b, var c) => Heron(a, b, c),
        _ => throw new ArgumentException("unknown shape"),
    };

    static double Heron(double a, double b, double c) { double s = (a + b + c) / 2; return Math.Sqrt(s * (s - a) * (s - b) * (s - c)); }

    static string Classify(object? o) => o switch
    {
        null => "null",
        int n and (< 0 or > 100) => $"int out of range {n}",
        int n => $"int {n}",
        string { Length: 0 } => "empty string",
        string s when s.StartsWith('x') => "x-string",
        string s => $"string {s.Length}",
        int[] { Length: 0 } => "empty array",
        int[] and [var first, .., var last] => $"array {first}..{last}",
        (int a, int b) => $"pair {a + b}",
        _ => o.GetType().Name,
    };

    public static void Run()
    {
        foreach (var s in new Shape[] { new Rect(2, 3), new Square(4), new Tri(3, 4, 5) }) Console.WriteLine($"{s.GetType().Name} {Area(s)}");
        foreach (var o in new object?[] { null, -5, 42, "", "xyz", "hello", Array.Empty<int>(), new[] { 1, 2, 3 }, (2, 3), 1.5 })
            Console.WriteLine(Classify(o));
        int[] data = [1, 2, 3, 4, 5];
        if (data is [1, .. var middle, 5]) Console.WriteLine(string.Join(",", middle));
        var t = (DayOfWeek.Saturday, 14);
        Console.WriteLine(t switch { (DayOfWeek.Saturday or DayOfWeek.Sunday, _) => "weekend", (_, < 12) => "morning", _ => "afternoon" });
        try { Area(null!); } catch (ArgumentException e) { Console.WriteLine(e.Message); }
    }
}

/// <summary>Classes, interfaces, default interface methods, generics with constraints, operators, events.</summary>
static class ObjectModel
{
    interface IGreeter { string Name { get; } string Greet() => $"hello {Name}"; }
    class Plain(string name) : IGreeter { public string Name => name; }
    class Loud(string name) : IGreeter { public string Name => name; public string Greet() => $"HELLO {Name.ToUpperInvariant()}!"; }

    readonly struct Money(long cents) : IEquatable<Money>, IComparable<Money>
    {
        public long Cents => cents;
        public static Money operator +(Money a, Money b) => new(a.Cents + b.Cents);
        public static Money operator *(Money a, int k) => new(a.Cents * k);
        public static bool operator >(Money a, Money b) => a.Cents > b.Cents;
        public static bool operator <(Money a, Money b) => a.Cents < b.Cents;
        public static implicit operator Money(int whole) => new(whole * 100L);
        public bool Equals(Money other) => cents == other.Cents;
        public int CompareTo(Money other) => cents.CompareTo(other.Cents);
        public override string ToString() => $"{cents / 100}.{cents % 100:D2}";
    }

    class Counter { public event Action<int>? Changed; int value; public void Add(int k) { value += k; Changed?.Invoke(value); } }

    public static void Run()
    {
        foreach (IGreeter g in new IGreeter[] { new Plain("ann"), new Loud("bo") }) Console.WriteLine(g.Greet());
        Money m = 3;
        m += new Money(45);
        Console.WriteLine($"{m} {m * 3} {m > 2} {new[] { (Money)5, m, (Money)1 }.Max()}");
        var counter = new Counter();
        var seen = new List<int>();
        counter.Changed += seen.Add;
        counter.Changed += v => { if (v > 5) Console.WriteLine($"over five: {v}"); };
        counter.Add(2); counter.Add(4);
        Console.WriteLine(string.Join(",", seen));
        Func<int, Func<int, int>> adder = a => b => a + b;
        Console.WriteLine(adder(3)(4));
        Console.WriteLine(Describe<string>() + " " + Describe<int>() + " " + Describe<int?>());
    }

    static string Describe<T>() => $"{typeof(T).Name}:{default(T) is null}";
}

/// <summary>Iterators, local functions, tuples, ref locals, nullable value types, checked arithmetic.</summary>
static class LanguageMisc
{
    static IEnumerable<int> Fibonacci() { int a = 0, b = 1; while (true) { yield return a; (a, b) = (b, a + b); } }

    static IEnumerable<string> Walk(int depth)
    {
        if (depth == 0) { yield return "leaf"; yield break; }
        foreach (var s in Walk(depth - 1)) yield return $"{depth}/{s}";
        yield return $"node{depth}";
    }

    public static void Run()
    {
        Console.WriteLine(string.Join(",", Fibonacci().Take(15)));
        Console.WriteLine(string.Join(" ", Walk(2)));
        var (min, max) = MinMax([4, -2, 9, 0]);
        Console.WriteLine($"{min} {max}");
        int[] arr = [1, 2, 3];
        ref int slot = ref arr[1];
        slot = 20;
        Console.WriteLine(string.Join(",", arr));
        int? maybe = null;
        Console.WriteLine($"{maybe ?? -1} {maybe.HasValue} {(maybe + 1).HasValue}");
        maybe ??= 7;
        Console.WriteLine(maybe);
        try { checked { int big = int.MaxValue; big++; } } catch (OverflowException e) { Console.WriteLine(e.GetType().Name); }
        Console.WriteLine(unchecked(int.MaxValue + 1));
        const string raw = """
            raw "string" with {braces}
              indented
            """;
        Console.WriteLine(raw);
        Console.WriteLine(nameof(LanguageMisc) + " " + nameof(Run));

        static (int, int) MinMax(int[] values) => (values.Min(), values.Max());
    }
}

/// <summary>Enums: flags formatting, parsing, GetValues/GetNames.</summary>
static class Enums
{
    [Flags] enum Perm { None = 0, Read = 1, Write = 2, Exec = 4, All = Read | Write | Exec }
    enum Color : byte { Red = 1, Green, Blue }

    public static void Run()
    {
        var p = Perm.Read | Perm.Exec;
        Console.WriteLine($"{p} {(int)p} {p.HasFlag(Perm.Exec)} {Perm.All} {(Perm)8}");
        Console.WriteLine(string.Join(",", Enum.GetValues<Color>()));
        Console.WriteLine(string.Join(",", Enum.GetNames<Perm>()));
        Console.WriteLine($"{Enum.Parse<Color>("Blue")} {Enum.TryParse<Color>("Pink", out _)} {Enum.Parse<Perm>("Read, Write")}");
        Console.WriteLine($"{Color.Green:D} {Color.Green:X} {Enum.IsDefined(Color.Blue)} {Enum.GetUnderlyingType(typeof(Color)).Name}");
    }
}
