using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.RegularExpressions;

namespace CosmosNet.Corpus;

static class StringBuilding
{
    public static void Run()
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.Append(i).Append(':').AppendLine(new string('*', i));
        sb.Insert(0, "start\n").Replace("**", "#").Remove(sb.Length - 1, 1);
        Console.WriteLine(sb.ToString());
        Console.WriteLine(sb.Length);
        var big = new StringBuilder();
        for (int i = 0; i < 2000; i++) big.Append(i % 10);
        Console.WriteLine($"{big.Length} {big.ToString(995, 10)}");
        Console.WriteLine(string.Create(6, 'q', (span, c) => span.Fill(c)));
        Console.WriteLine(string.Concat(Enumerable.Repeat("ab", 3)) + "|" + "a,b,,c".Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
        Console.WriteLine("Hello World".Replace("o", "0").ToUpperInvariant().PadLeft(14, '.') + "|" + "  x ".Trim() + "|");
    }
}

static class NumberFormatting
{
    public static void Run()
    {
        var inv = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Format(inv, "{0:N2} {1:P1} {2:E3} {3:X8} {4:0000} {5:#,##0.##}", 1234567.891, 0.4567, 12345.6789, 48879, 42, 9876.5));
        Console.WriteLine(string.Format(inv, "{0,8}|{1,-8}|{2:C}", 3.5, "left", 12.3m));
        Console.WriteLine($"{Math.PI:F10} {Math.E:G3} {1e-7} {double.MaxValue} {float.Epsilon} {0.1 + 0.2}");
        Console.WriteLine($"{(-0.0).ToString(inv)} {double.NaN} {double.PositiveInfinity} {1.0 / 3:R} {100.0:0.###e+0}");
        Console.WriteLine($"{int.Parse("-123")} {double.Parse("6.02e23", inv)} {decimal.Parse("1.50", inv)} {long.Parse("ff", NumberStyles.HexNumber)}");
        Console.WriteLine($"{255:b} {1234.5678m:F2} {(ulong)ulong.MaxValue} {(sbyte)-8:x}");
        Console.WriteLine($"{Math.Round(2.5)} {Math.Round(3.5)} {Math.Round(2.345, 2, MidpointRounding.AwayFromZero)} {Math.Truncate(-2.7)} {Math.Ceiling(1.2)}");
        Console.WriteLine($"{Math.Sqrt(2):F6} {Math.Pow(2, 0.5):F6} {Math.Sin(1):F6} {Math.Atan2(1, 2):F6} {Math.Log(10):F6} {Math.Exp(1.5):F6}");
    }
}

static class Decimals
{
    public static void Run()
    {
        decimal price = 19.99m, qty = 3, rate = 0.0825m;
        decimal subtotal = price * qty, tax = Math.Round(subtotal * rate, 2), total = subtotal + tax;
        Console.WriteLine($"{subtotal} {tax} {total}");
        Console.WriteLine(1m / 3m);
        Console.WriteLine(decimal.MaxValue + " " + decimal.MinValue);
        Console.WriteLine($"{(decimal)0.1 + (decimal)0.2} {decimal.Round(2.675m, 2)} {decimal.Round(2.675m, 2, MidpointRounding.AwayFromZero)}");
        Console.WriteLine($"{10.500m} {10.500m.Scale} {decimal.Truncate(-7.9m)} {decimal.Floor(-7.1m)} {(double)1.1m}");
        decimal acc = 0; for (int i = 1; i <= 100; i++) acc += 1m / i;
        Console.WriteLine(acc);
        try { decimal two = 2; var x = decimal.MaxValue * two; Console.WriteLine(x); } catch (OverflowException e) { Console.WriteLine(e.GetType().Name); }
    }
}

static class BigIntegers
{
    public static void Run()
    {
        BigInteger f = 1;
        for (int i = 2; i <= 50; i++) f *= i;
        Console.WriteLine(f);
        Console.WriteLine(BigInteger.Pow(2, 200));
        Console.WriteLine(BigInteger.ModPow(3, 1000, 1_000_000_007));
        var a = BigInteger.Parse("123456789012345678901234567890");
        Console.WriteLine($"{a * a} {a / 97} {a % 97} {BigInteger.GreatestCommonDivisor(a, 9876543210)}");
        Console.WriteLine($"{(-a).Sign} {a.GetBitLength()} {a.ToString("X")} {BigInteger.Log10(a):F4}");
        BigInteger x = 0, y = 1;
        for (int i = 0; i < 300; i++) (x, y) = (y, x + y);
        Console.WriteLine(x);
    }
}

static class DatesAndTimes
{
    public static void Run()
    {
        var inv = CultureInfo.InvariantCulture;
        var d = new DateTime(2024, 2, 28, 13, 45, 30, DateTimeKind.Utc);
        Console.WriteLine(d.ToString("o", inv));
        Console.WriteLine(d.AddDays(1).ToString("yyyy-MM-dd dddd", inv) + " " + d.AddDays(2).ToString("R", inv));
        Console.WriteLine($"{DateTime.IsLeapYear(2024)} {d.DayOfYear} {d.AddMonths(12).Day} {(new DateTime(2025, 1, 1) - d).TotalHours:F2}");
        var span = TimeSpan.FromMinutes(1234.5);
        Console.WriteLine($"{span} {span.ToString("c", inv)} {span.TotalSeconds} {TimeSpan.Parse("1.02:03:04", inv).TotalMinutes}");
        var dto = new DateTimeOffset(2020, 6, 1, 8, 0, 0, TimeSpan.FromHours(2));
        Console.WriteLine($"{dto.ToString("u", inv)} {dto.ToUnixTimeSeconds()} {dto.UtcDateTime.ToString("s", inv)}");
        Console.WriteLine(DateTime.ParseExact("31/12/1999 23:59", "dd/MM/yyyy HH:mm", inv).AddMinutes(1).ToString("F", inv));
        var only = new DateOnly(2000, 1, 1);
        Console.WriteLine($"{only.AddDays(59)} {only.DayOfWeek} {new TimeOnly(23, 30).Add(TimeSpan.FromHours(1))}");
        Console.WriteLine(DateTime.UtcNow.Year >= 2024);
    }
}

static partial class Regexes
{
    [GeneratedRegex(@"(?<user>[a-z0-9.]+)@(?<host>[a-z0-9-]+\.[a-z]+)", RegexOptions.IgnoreCase)]
    private static partial Regex Email();

    public static void Run()
    {
        const string text = "mail ada@example.org, Bob.Smith@Test-Host.net or nobody@nowhere";
        foreach (Match m in Email().Matches(text)) Console.WriteLine($"{m.Groups["user"].Value} at {m.Groups["host"].Value}");
        var interpreted = new Regex(@"(\d{4})-(\d{2})-(\d{2})");
        Console.WriteLine(interpreted.Replace("from 2024-03-05 to 2025-12-31", "$3.$2.$1"));
        Console.WriteLine(string.Join("|", Regex.Split("a1b22c333d", @"\d+")));
        Console.WriteLine($"{Regex.IsMatch("Hello", "^h", RegexOptions.IgnoreCase)} {Regex.Count("banana", "an")} {Regex.Escape("a.b*c")}");
        var words = Regex.Matches("The cat sat on the mat", @"\b(\w)at\b").Select(m => m.Groups[1].Value);
        Console.WriteLine(string.Join(",", words));
        Console.WriteLine(Regex.Replace("hello world", @"\b\w", m => m.Value.ToUpperInvariant()));
        var compiled = new Regex(@"^(?:(?<a>a)|b)+$", RegexOptions.Compiled);
        Console.WriteLine($"{compiled.IsMatch("abba")} {compiled.Match("abab").Groups["a"].Captures.Count}");
    }
}

static class Encodings
{
    public static void Run()
    {
        string s = "héllo wörld €𝄞";
        byte[] utf8 = Encoding.UTF8.GetBytes(s);
        Console.WriteLine($"{s.Length} {utf8.Length} {Convert.ToHexString(utf8)}");
        Console.WriteLine(Encoding.UTF8.GetString(utf8) == s);
        Console.WriteLine($"{Encoding.Unicode.GetByteCount(s)} {Encoding.ASCII.GetString(Encoding.ASCII.GetBytes("ascii?é"))} {Encoding.Latin1.GetBytes("é")[0]}");
        Console.WriteLine(Convert.ToBase64String(utf8) + " " + Convert.FromBase64String("Q29zbW9z").Length);
        Console.WriteLine(string.Join(",", s.EnumerateRunes().Select(r => r.Value).Where(v => v > 127)));
        Console.WriteLine(Uri.EscapeDataString("a b&c=d/é") + " " + Uri.UnescapeDataString("%41%20b"));
        var uri = new Uri("http://user@example.com:8080/path/to?q=1&r=two#frag");
        Console.WriteLine($"{uri.Host} {uri.Port} {uri.AbsolutePath} {uri.Query} {uri.Fragment} {uri.Segments.Length}");
    }
}
