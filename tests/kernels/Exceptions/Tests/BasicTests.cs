using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Where control goes for try/catch: the handler chosen, the frames skipped, the object caught.</summary>
static class BasicTests
{
    sealed class CustomException(string message, int code) : Exception(message)
    {
        public int Code { get; } = code;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Throw(Exception e) => throw e;

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Middle(int x)
    {
        if (x > 0) Throw(new InvalidOperationException("from middle " + x));
        return x;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Deep(int depth, List<int> unwound)
    {
        if (depth == 0) throw new CustomException("bottom", 42);
        int result = Deep(depth - 1, unwound) + 1;
        unwound.Add(depth);   // never runs: every frame is unwound
        return result;
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

    public static void CatchAcrossManyFrames(Check c)
    {
        var unwound = new List<int>();
        int code = 0;
        try { Deep(200, unwound); }
        catch (CustomException e) { code = e.Code; }
        c.Equal(42, code);
        c.Equal(0, unwound.Count);
    }

    public static void CatchByBaseType(Check c)
    {
        string caught = "";
        try { Throw(new ArgumentNullException("name")); }
        catch (ArgumentException e) { caught = e.GetType().Name + ":" + ((ArgumentNullException)e).ParamName; }
        c.Equal("ArgumentNullException:name", caught);

        try { Throw(new KeyNotFoundException("k")); }
        catch (SystemException e) { caught = e.GetType().Name; }
        c.Equal("KeyNotFoundException", caught);
    }

    public static void FirstMatchingClauseWins(Check c)
    {
        var visited = new List<string>();
        for (int i = 0; i < 4; i++)
        {
            try
            {
                Throw(i switch
                {
                    0 => new ArgumentOutOfRangeException("a"),
                    1 => new ArgumentException("b"),
                    2 => new InvalidOperationException("c"),
                    _ => new Exception("d"),
                });
            }
            catch (ArgumentOutOfRangeException) { visited.Add("range"); }
            catch (ArgumentException) { visited.Add("argument"); }
            catch (InvalidOperationException) { visited.Add("invalid"); }
            catch (Exception) { visited.Add("exception"); }
        }
        c.SequenceEqual(["range", "argument", "invalid", "exception"], visited);
    }

    public static void UnmatchedClauseIsSkipped(Check c)
    {
        var visited = new List<string>();
        try
        {
            try { Throw(new FormatException("f")); }
            catch (ArgumentException) { visited.Add("wrong"); }
            visited.Add("not reached");
        }
        catch (FormatException e) { visited.Add("outer:" + e.Message); }
        c.SequenceEqual(["outer:f"], visited);
    }

    public static void CatchAllAndIdentity(Check c)
    {
        var thrown = new CustomException("identity", 7);
        object? caught = null;
        try { Throw(thrown); }
        catch { caught = thrown; }
        c.True(ReferenceEquals(thrown, caught));

        Exception? viaException = null;
        try { Throw(thrown); }
        catch (Exception e) { viaException = e; }
        c.True(ReferenceEquals(thrown, viaException));
    }

    public static void ExceptionStateSurvives(Check c)
    {
        var e = new CustomException("with data", 9);
        e.Data["key"] = "value";
        try { Throw(e); }
        catch (CustomException caught)
        {
            c.Equal("value", (string?)caught.Data["key"]);
            c.Equal(9, caught.Code);
            c.Equal("with data", caught.Message);
        }
    }

    public static void LocalsIntactAfterCatch(Check c)
    {
        int a = 1, b = 2;
        long sum = 0;
        string s = "start";
        for (int i = 0; i < 10; i++)
        {
            try
            {
                a += i;
                if (i % 3 == 0) Middle(i + 1);
                b += i;
            }
            catch (InvalidOperationException) { s += i; }
            sum += a + b;
        }
        c.Equal(46, a);
        c.Equal(29, b);
        c.Equal("start0369", s);
        c.Equal(306L, sum);
    }

    public static void ManyThrowsInALoop(Check c)
    {
        int caught = 0;
        for (int i = 0; i < 2000; i++)
        {
            try { Middle(i + 1); }
            catch (InvalidOperationException) { caught++; }
        }
        c.Equal(2000, caught);
    }

    public static void ThrowNullBecomesNullReference(Check c)
    {
        string caught = "";
        try { Throw(null!); }
        catch (NullReferenceException e) { caught = e.GetType().FullName!; }
        c.Equal("System.NullReferenceException", caught);
    }

    interface IThrower { int Run(int x); }
    sealed class Thrower : IThrower
    {
        public int Run(int x) => x > 0 ? throw new NotSupportedException("iface " + x) : x;
    }

    public static void ThroughDelegatesInterfacesAndLambdas(Check c)
    {
        var visited = new List<string>();
        IThrower thrower = new Thrower();
        try { thrower.Run(5); } catch (NotSupportedException e) { visited.Add(e.Message); }
        Func<int, int> lambda = x => x > 0 ? throw new TimeoutException("lambda " + x) : x;
        try { lambda(6); } catch (TimeoutException e) { visited.Add(e.Message); }
        try { new[] { 1, 2, 3 }.Select(x => x == 2 ? throw new InvalidDataException("linq " + x) : x).ToList(); }
        catch (InvalidDataException e) { visited.Add(e.Message); }
        c.SequenceEqual(["iface 5", "lambda 6", "linq 2"], visited);
    }

    static IEnumerable<int> Iterator(List<string> log)
    {
        try
        {
            yield return 1;
            throw new InvalidOperationException("iterator");
        }
        finally { log.Add("iterator finally"); }
    }

    public static void FromIterator(Check c)
    {
        var log = new List<string>();
        try { foreach (int v in Iterator(log)) log.Add("item " + v); }
        catch (InvalidOperationException e) { log.Add("caught " + e.Message); }
        c.SequenceEqual(["item 1", "iterator finally", "caught iterator"], log);
    }

    static class Exploding
    {
        public static readonly int Value = Compute();
        static int Compute() => throw new InvalidOperationException("cctor");
    }

    public static void StaticConstructorFailure(Check c)
    {
        Exception? caught = null;
        try { _ = Exploding.Value; }
        catch (TypeInitializationException e) { caught = e; }
        c.True(caught is TypeInitializationException);
        c.Equal("cctor", caught?.InnerException?.Message);
    }

    struct Counter
    {
        public int Value;
        [MethodImpl(MethodImplOptions.NoInlining)]
        public void IncrementOrThrow(int limit)
        {
            if (++Value > limit) throw new OverflowException("limit " + limit);
        }
    }

    public static void GenericAndStructMethods(Check c)
    {
        var counter = new Counter();
        string message = "";
        try { for (int i = 0; i < 10; i++) counter.IncrementOrThrow(4); }
        catch (OverflowException e) { message = e.Message; }
        c.Equal(5, counter.Value);
        c.Equal("limit 4", message);
        c.Equal("T:String", CatchGeneric<string>());
        c.Equal("T:Int32", CatchGeneric<int>());
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static string CatchGeneric<T>()
    {
        try { throw new GenericException<T>(); }
        catch (GenericException<T>) { return "T:" + typeof(T).Name; }
    }

    sealed class GenericException<T> : Exception;
}
