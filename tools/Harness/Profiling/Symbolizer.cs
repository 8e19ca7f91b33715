using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace CosmosNet.Harness.Profiling;

/// <summary>Addresses to function names from an image's ELF symbol table (read with binutils' <c>nm</c>), ILC's
/// mangled names made readable (<see cref="Demangle"/>).</summary>
public sealed class Symbolizer
{
    /// <summary>The return address of every trap's C# frame (Kernel/Asm/cpu.asm): the frame after it is the rip
    /// the trap interrupted.</summary>
    public const string TrapReturn = "cosmos_trap_return";

    readonly ulong[] _starts;
    readonly string[] _names;
    readonly HashSet<string> _modules;
    readonly ulong _trapReturn;

    public Symbolizer(string elf)
    {
        var info = new ProcessStartInfo("nm") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "-n", "--defined-only", elf }) info.ArgumentList.Add(a);
        using var nm = Process.Start(info)!;
        var lines = new List<(ulong, string)>();
        _modules = [];
        string? line;
        while ((line = nm.StandardOutput.ReadLine()) is not null)
        {
            var parts = line.Split(' ', 3);
            if (parts.Length != 3 || parts[1] is not ("t" or "T" or "W" or "w")) continue;
            if (!ulong.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out ulong address)) continue;
            lines.Add((address, parts[2]));
            int module = parts[2].IndexOf("__Module___", StringComparison.Ordinal);
            if (module > 0) _modules.Add(parts[2][..module]);
        }
        nm.WaitForExit();
        if (nm.ExitCode != 0 || lines.Count == 0) throw new InvalidOperationException($"nm {elf}: {nm.StandardError.ReadToEnd()}");
        _starts = lines.Select(l => l.Item1).ToArray();
        _names = lines.Select(l => l.Item2).ToArray();
        int trap = Array.IndexOf(_names, TrapReturn);
        _trapReturn = trap < 0 ? ulong.MaxValue : _starts[trap];
    }

    /// <summary>The raw symbol containing <paramref name="address"/>, or null below the first one.</summary>
    public string? RawNameOf(ulong address)
    {
        int i = Array.BinarySearch(_starts, address);
        if (i < 0) i = ~i - 1;
        return i < 0 ? null : _names[i];
    }

    /// <summary>A sample's frames, outermost first, as readable names. Return addresses are looked up one byte
    /// back (the call, not what follows it); the leaf rip and a trap's interrupted rip as they are.</summary>
    public IReadOnlyList<string> Symbolize(ulong[] leafFirst)
    {
        var names = new string[leafFirst.Length];
        for (int i = 0; i < leafFirst.Length; i++)
        {
            string name;
            if (i > 0 && IsTrapReturn(leafFirst[i])) name = "[interrupt]";
            else
            {
                bool isRip = i == 0 || IsTrapReturn(leafFirst[i - 1]);
                string? raw = RawNameOf(isRip ? leafFirst[i] : leafFirst[i] - 1);
                name = raw is null ? $"0x{leafFirst[i]:x}" : Demangle(raw, _modules);
            }
            names[leafFirst.Length - 1 - i] = name;
        }
        return names;
    }

    bool IsTrapReturn(ulong address) => address == _trapReturn;

    /// <summary>ILC's symbol names as Namespace.Type.Method: the assembly prefix dropped (System.Private.* as
    /// <c>S_P_X_</c>, an assembly whose namespace repeats its name, or an app module), nested compiler types
    /// (<c>&lt;Name&gt;d__N</c> state machines, <c>&lt;&gt;c</c> closures) restored, generic arity and overload
    /// suffixes dropped. Names that are not ILC's (assembly, runtime helpers) stay as they are.</summary>
    public static string Demangle(string symbol, IReadOnlySet<string>? modules = null)
    {
        string? rest = StripModule(symbol, modules);
        if (rest is null) return symbol;
        int split = LastSeparator(rest);
        if (split < 0) return TypeName(rest);
        string type = TypeName(rest[..split]), method = MethodName(rest[(split + 2)..]);
        return type + "." + method;
    }

    static string? StripModule(string s, IReadOnlySet<string>? modules)
    {
        if (s.StartsWith("S_P_", StringComparison.Ordinal))
        {
            int end = s.IndexOf('_', 4);
            return end < 0 ? null : s[(end + 1)..];
        }
        if (modules is not null)
            foreach (var m in modules.OrderByDescending(m => m.Length))
                if (s.Length > m.Length + 1 && s.StartsWith(m, StringComparison.Ordinal) && s[m.Length] == '_') return s[(m.Length + 1)..];
        // An assembly named like its namespace: CosmosNet_Net_CosmosNet_Net_Tcp_TcpFlow__Transition.
        for (int i = s.IndexOf('_'); i > 0; i = s.IndexOf('_', i + 1))
        {
            string prefix = s[..(i + 1)];
            if (prefix.Length >= 4 && s.AsSpan(i + 1).StartsWith(prefix, StringComparison.Ordinal)) return s[(i + 1)..];
        }
        return null;
    }

    /// <summary>Where the method's name starts: the last run of 2+ underscores outside generic arguments that is
    /// not followed by a digit (those are compiler suffixes: d__5, b__0).</summary>
    static int LastSeparator(string s)
    {
        int depth = 0, found = -1;
        for (int i = 0; i < s.Length - 2; i++)
        {
            if (s[i] == '<') depth++;
            else if (s[i] == '>') depth--;
            else if (depth == 0 && s[i] == '_' && s[i + 1] == '_' && (i == 0 || s[i - 1] != '_'))
            {
                int end = i;
                while (end < s.Length && s[end] == '_') end++;
                if (end < s.Length && !char.IsAsciiDigit(s[end])) found = i;
            }
        }
        return found;
    }

    static readonly Regex StateMachine = new(@"__([A-Za-z0-9]+)_d__(\d+)(_\d+)?", RegexOptions.CultureInvariant);
    static readonly Regex Closure = new(@"___c(__DisplayClass\d+_\d+)?", RegexOptions.CultureInvariant);
    static readonly Regex Arity = new(@"(?<=[A-Za-z])_\d+(?=$|_|<)", RegexOptions.CultureInvariant);

    static string TypeName(string s)
    {
        var result = new StringBuilder();
        int depth = 0, start = 0;
        for (int i = 0; i <= s.Length; i++)
        {
            if (i < s.Length && s[i] == '<') { if (depth++ == 0) { result.Append(Plain(s[start..i])); start = i; } }
            else if (i < s.Length && s[i] == '>') { if (--depth == 0) { result.Append(Arguments(s[start..(i + 1)])); start = i + 1; } }
            else if (i == s.Length) result.Append(depth == 0 ? Plain(s[start..]) : s[start..]);
        }
        return result.ToString();

        static string Plain(string t)
        {
            t = StateMachine.Replace(t, m => $"__<{m.Groups[1].Value}>d__{m.Groups[2].Value}");
            t = Closure.Replace(t, m => "__<>c" + m.Groups[1].Value);
            t = Arity.Replace(t, "");
            // Nested types and namespaces are both '_' now; '__' before a compiler type is its nesting '.'.
            var parts = t.Split("__<");
            for (int p = 0; p < parts.Length; p++) parts[p] = p == 0 ? parts[p].Replace('_', '.') : "<" + parts[p];
            return string.Join(".", parts);
        }

        // <Int32__S_P_CoreLib_System_Decimal>: arguments keep their short names.
        static string Arguments(string a) => "<" + string.Join(",", a[1..^1].Replace("System___Canon", "Canon").Split("__").Select(x =>
        {
            x = x.StartsWith("S_P_", StringComparison.Ordinal) && x.IndexOf('_', 4) is > 0 and var e ? x[(e + 1)..] : x;
            int dot = x.LastIndexOf('_');
            return dot >= 0 && !x.Contains('<') ? x[(dot + 1)..] : x;
        })) + ">";
    }

    static readonly Regex Lambda = new(@"^_*([A-Za-z0-9]+)_b__(\d+(?:_\d+)?)", RegexOptions.CultureInvariant);

    static string MethodName(string m)
    {
        var lambda = Lambda.Match(m);
        if (lambda.Success) return $"<{lambda.Groups[1].Value}>b__{lambda.Groups[2].Value}";
        if (m.StartsWith("_ctor", StringComparison.Ordinal)) return ".ctor";
        if (m.StartsWith("_cctor", StringComparison.Ordinal)) return ".cctor";
        return Regex.Replace(m, @"_\d+$", "");
    }
}
