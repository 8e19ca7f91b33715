using System.Globalization;
using System.Text;

namespace CosmosNet.KernelTests;

static class StringTests
{
    public static void Interpolation(Check c)
    {
        string name = "kernel";
        int count = 3;
        double ratio = 0.25;
        c.Equal("kernel has 3 items (25.0 %)", $"{name} has {count} items ({ratio * 100:F1} %)");
        c.Equal("[  42|42  ]", $"[{42,4}|{42,-4}]");
        c.Equal("braces {x}", $"braces {{x}}");
    }

    public static void FormatAlignment(Check c)
    {
        c.Equal("|  abc|def  |", string.Format("|{0,5}|{1,-5}|", "abc", "def"));
        c.Equal("007", 7.ToString("D3"));
        c.Equal("1.23E+004", 12345.0.ToString("E2", CultureInfo.InvariantCulture));
        c.Equal("45.68 %", 0.45678.ToString("P2", CultureInfo.InvariantCulture));
        c.Equal("ff", 255.ToString("x"));
        c.Equal("1,234,567.89", 1234567.891.ToString("N2", CultureInfo.InvariantCulture));
    }

    public static void FormatIntegers(Check c)
    {
        c.Equal("-2147483648", int.MinValue.ToString());
        c.Equal("18446744073709551615", ulong.MaxValue.ToString());
        c.Equal("-128", sbyte.MinValue.ToString());
        c.Equal("7FFFFFFFFFFFFFFF", long.MaxValue.ToString("X"));
        c.Equal("0", 0.ToString());
        c.Equal("1000000", (1_000_000).ToString());
        c.Equal("170141183460469231731687303715884105727", Int128.MaxValue.ToString());
    }

    public static void FormatFloatingPoint(Check c)
    {
        c.Equal("3.141592653589793", Math.PI.ToString(CultureInfo.InvariantCulture));
        c.Equal("0.1", 0.1.ToString(CultureInfo.InvariantCulture));
        c.Equal("1E+300", 1e300.ToString(CultureInfo.InvariantCulture));
        c.Equal("-0.5", (-0.5f).ToString(CultureInfo.InvariantCulture));
        c.Equal("NaN", double.NaN.ToString(CultureInfo.InvariantCulture));
        c.Equal("2.50", 2.5.ToString("F2", CultureInfo.InvariantCulture));
        c.Equal("Infinity", double.PositiveInfinity.ToString(CultureInfo.InvariantCulture));
    }

    public static void FormatDecimal(Check c)
    {
        decimal price = 19.99m;
        decimal total = price * 3;
        c.Equal(59.97m, total);
        c.Equal("59.97", total.ToString(CultureInfo.InvariantCulture));
        c.Equal(0.3333333333333333333333333333m, 1m / 3m);
        c.Equal("1.50", decimal.Round(1.499m, 1).ToString("F2", CultureInfo.InvariantCulture));
    }

    public static void TryParseNumbers(Check c)
    {
        c.True(int.TryParse("-12345", out int i) && i == -12345);
        c.False(int.TryParse("12a", out _));
        c.False(int.TryParse("99999999999", out _));
        c.True(long.TryParse("9223372036854775807", out long l) && l == long.MaxValue);
        c.True(double.TryParse("2.5e3", NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && d == 2500.0);
        c.True(uint.TryParse("ff", NumberStyles.HexNumber, null, out uint h) && h == 255);
        c.Equal(42, int.Parse("42"));
    }

    public static void SplitJoinReplace(Check c)
    {
        string csv = "alpha,beta,,gamma";
        string[] parts = csv.Split(',');
        c.Equal(4, parts.Length);
        c.Equal(3, csv.Split(',', StringSplitOptions.RemoveEmptyEntries).Length);
        c.Equal("alpha;beta;;gamma", string.Join(';', parts));
        c.Equal("a-b-c", "a b c".Replace(' ', '-'));
        c.Equal("hello there", "hello world".Replace("world", "there"));
        c.Equal("abcabc", string.Concat("abc", "abc"));
        c.Equal("xxx", new string('x', 3));
    }

    public static void SearchAndCompare(Check c)
    {
        string text = "The quick brown fox";
        c.Equal(4, text.IndexOf("quick", StringComparison.Ordinal));
        c.Equal(16, text.LastIndexOf('f'));
        c.True(text.StartsWith("The", StringComparison.Ordinal));
        c.True(text.EndsWith("FOX", StringComparison.OrdinalIgnoreCase));
        c.True(text.Contains("brown"));
        c.True(string.Compare("apple", "banana", StringComparison.Ordinal) < 0);
        c.True(string.Equals("ABC", "abc", StringComparison.OrdinalIgnoreCase));
        c.Equal("quick", text.Substring(4, 5));
    }

    public static void CaseAndTrim(Check c)
    {
        c.Equal("HELLO", "hello".ToUpperInvariant());
        c.Equal("mixed case", "MiXeD CaSe".ToLowerInvariant());
        c.Equal("padded", "  padded \t\n".Trim());
        c.Equal("xxabc", "abc".PadLeft(5, 'x'));
        c.Equal("abc--", "abc".PadRight(5, '-'));
        c.Equal("cba", new string("abc".Reverse().ToArray()));
    }

    public static void StringBuilderOps(Check c)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < 5; i++) sb.Append(i).Append(',');
        sb.Length--;
        c.Equal("0,1,2,3,4", sb.ToString());
        sb.Insert(0, "[").Append(']');
        sb.Replace(",", ", ");
        c.Equal("[0, 1, 2, 3, 4]", sb.ToString());
        sb.Clear().AppendLine("line").AppendFormat("{0:D2}", 5);
        c.Equal("line\n05", sb.ToString());
    }

    public static void Utf8RoundTrip(Check c)
    {
        string text = "Grüße, 世界! €";
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        c.Equal(20, bytes.Length);
        c.Equal(text, Encoding.UTF8.GetString(bytes));
        c.Equal(0xE2, (int)Encoding.UTF8.GetBytes("€")[0]);
        c.Equal("ABC", Encoding.ASCII.GetString(new byte[] { 65, 66, 67 }));
    }

    public static void Base64RoundTrip(Check c)
    {
        byte[] data = [0, 1, 2, 250, 251, 252, 253, 254, 255];
        string encoded = Convert.ToBase64String(data);
        c.Equal("AAEC+vv8/f7/", encoded);
        c.SequenceEqual(data, Convert.FromBase64String(encoded));
        c.Equal("00FF10", Convert.ToHexString(new byte[] { 0, 255, 16 }));
    }

    public static void CharClassification(Check c)
    {
        c.True(char.IsDigit('7'));
        c.True(char.IsLetter('ß'));
        c.True(char.IsWhiteSpace('\t'));
        c.True(char.IsUpper('Q'));
        c.False(char.IsLetterOrDigit('-'));
        c.Equal('a', char.ToLowerInvariant('A'));
        c.Equal(9, (int)char.GetNumericValue('9'));
    }

    public static void DateTimeArithmetic(Check c)
    {
        var leap = new DateTime(2024, 2, 28, 12, 0, 0, DateTimeKind.Utc);
        c.Equal(new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Utc), leap.AddDays(2));
        c.Equal(DayOfWeek.Wednesday, leap.DayOfWeek);
        c.Equal("2024-02-28T12:00:00", leap.ToString("s", CultureInfo.InvariantCulture));
        var span = TimeSpan.FromMinutes(90) + TimeSpan.FromSeconds(30);
        c.Equal("01:30:30", span.ToString());
        c.Equal(5430.0, span.TotalSeconds);
        c.Equal(366, (new DateTime(2025, 1, 1) - new DateTime(2024, 1, 1)).Days);
    }
}
