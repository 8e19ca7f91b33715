using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Assertions for kernel tests. They record the first failure instead of throwing, so a failing
/// assertion never depends on the exception dispatch some suites test, and one failing test does not stop
/// the suite. The same test code also compiles on the host (tests/Kernel.Tests, tests/Gc.Tests) to list
/// the tests by name.</summary>
public sealed class Check
{
    public string? Failure { get; private set; }

    void Fail(string message) => Failure ??= message;

    public void Equal<T>(T expected, T actual, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        if (!EqualityComparer<T>.Default.Equals(expected, actual))
            Fail($"{expression}: expected <{expected}> but was <{actual}>");
    }

    public void True(bool condition, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (!condition) Fail($"expected true: {expression}");
    }

    public void False(bool condition, [CallerArgumentExpression(nameof(condition))] string? expression = null)
    {
        if (condition) Fail($"expected false: {expression}");
    }

    public void SequenceEqual<T>(IEnumerable<T> expected, IEnumerable<T> actual, [CallerArgumentExpression(nameof(actual))] string? expression = null)
    {
        var e = expected.ToArray();
        var a = actual.ToArray();
        if (!e.SequenceEqual(a)) Fail($"{expression}: expected [{string.Join(", ", e)}] but was [{string.Join(", ", a)}]");
    }
}

/// <summary>One kernel test: a name (unique in its suite) and the code.</summary>
public readonly record struct KernelTest(string Name, Action<Check> Run);
