using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

static class BasicTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Throw(string message) => throw new InvalidOperationException(message);

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Middle(int x)
    {
        if (x > 0) Throw("from middle " + x);
        return x;
    }

    public static void CatchSameFrame(Check c)
    {
        var visited = new List<string>();
        try
        {
            visited.Add("try");
            throw new ArgumentException("same frame");
        }
        catch (ArgumentException e)
        {
            visited.Add("catch:" + e.Message);
        }
        visited.Add("after");
        c.SequenceEqual(["try", "catch:same frame", "after"], visited);
    }

    public static void CatchAcrossTwoFrames(Check c)
    {
        var visited = new List<string>();
        try
        {
            visited.Add("try");
            Middle(7);
            visited.Add("not reached");
        }
        catch (InvalidOperationException e)
        {
            visited.Add("catch:" + e.Message);
        }
        visited.Add("after");
        c.SequenceEqual(["try", "catch:from middle 7", "after"], visited);
    }
}
