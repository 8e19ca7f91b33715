// The default CosmosNet app: an ordinary C# console program. Everything below runs on the real .NET
// CoreLib inside the kernel; Console writes to the serial port.
using System.Text;

enum Shape { Circle, Square, Triangle }

interface IGreeter { string Greet(string name); }

sealed class PoliteGreeter : IGreeter
{
    public string Greet(string name) => $"Hello, {name}!";
}

readonly struct Point(int x, int y)
{
    public int X { get; } = x;
    public int Y { get; } = y;
    public int LengthSquared => X * X + Y * Y;
    public override string ToString() => $"({X}, {Y})";
}

static class Config
{
    public static readonly string Banner;
    static Config() => Banner = new StringBuilder().Append("Cosmos").Append("Net").ToString();
}

static class Program
{
    static T Max<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

    static int Main()
    {
        Console.WriteLine($"Hello from {Config.Banner}: C# on the real .NET CoreLib, on bare metal.");

        var primes = new List<int> { 2, 3, 5, 7, 11, 13 };
        primes.Add(17);
        Console.WriteLine($"List<int>: count={primes.Count} sum={primes.Sum()} last={primes[^1]}");

        var ages = new Dictionary<string, int> { ["ada"] = 36, ["alan"] = 41 };
        ages["grace"] = 85;
        Console.WriteLine($"Dictionary: {ages.Count} entries, grace={ages["grace"]}, has bob={ages.ContainsKey("bob")}");

        Console.WriteLine($"Formatting: {Math.PI:F3} {255:X4} {-12345:N0} {1.5e-3:E2} {long.MaxValue}");

        Span<int> squares = stackalloc int[8];
        for (int i = 0; i < squares.Length; i++) squares[i] = i * i;
        Console.WriteLine($"Span<int>: {squares.Length} items, [5]={squares[5]}, slice sum={Sum(squares[2..5])}");

        int[] numbers = [5, 3, 9, 1, 7];
        var odd = numbers.Where(n => n % 2 == 1).OrderBy(n => n).Select(n => n * 10).ToArray();
        Console.WriteLine($"LINQ: {string.Join(",", odd)} max={numbers.Max()}");

        IGreeter greeter = new PoliteGreeter();
        Console.WriteLine(greeter.Greet("world"));

        Console.WriteLine($"Generics: max(3,8)={Max(3, 8)} max(\"a\",\"b\")={Max("a", "b")}");

        int captured = 10;
        Func<int, int> addCaptured = x => x + captured;
        Console.WriteLine($"Lambda: {addCaptured(32)}");

        var p = new Point(3, 4);
        Console.WriteLine($"Struct: {p} length^2={p.LengthSquared}");

        Console.WriteLine($"Enum: {Shape.Square} = {(int)Shape.Square}, values={Enum.GetValues<Shape>().Length}");

        Console.Error.WriteLine("Console.Error works too.");
        Console.WriteLine("Goodbye.");
        return 0;
    }

    static int Sum(ReadOnlySpan<int> values)
    {
        int total = 0;
        foreach (int v in values) total += v;
        return total;
    }
}
