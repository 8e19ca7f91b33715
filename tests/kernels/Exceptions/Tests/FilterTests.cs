using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace CosmosNet.KernelTests;

/// <summary>`when` filters: evaluated in the first pass, innermost first, with the exception in hand.</summary>
static class FilterTests
{
    sealed class CodedException(int code) : Exception("code " + code)
    {
        public int Code { get; } = code;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Throw(int code) => throw new CodedException(code);

    static bool Log(List<string> log, string entry, bool result)
    {
        log.Add(entry);
        return result;
    }

    public static void TrueAndFalse(Check c)
    {
        var log = new List<string>();
        for (int code = 1; code <= 3; code++)
        {
            try { Throw(code); }
            catch (CodedException e) when (e.Code == 1) { log.Add("one"); }
            catch (CodedException e) when (e.Code == 2) { log.Add("two"); }
            catch (CodedException e) { log.Add("other " + e.Code); }
        }
        c.SequenceEqual(["one", "two", "other 3"], log);
    }

    public static void InnermostFirstAcrossFrames(Check c)
    {
        var log = new List<string>();
        try { Level1(log); }
        catch (CodedException) when (Log(log, "filter main", true)) { log.Add("handler main"); }
        c.SequenceEqual(["filter 2", "filter 1", "filter main", "handler main"], log);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Level1(List<string> log)
    {
        try { Level2(log); }
        catch (CodedException) when (Log(log, "filter 1", false)) { log.Add("handler 1"); }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Level2(List<string> log)
    {
        try { Throw(5); }
        catch (CodedException) when (Log(log, "filter 2", false)) { log.Add("handler 2"); }
    }

    public static void EvaluatedOncePerThrow(Check c)
    {
        int evaluations = 0;
        try { Throw(1); }
        catch (CodedException) when (++evaluations > 0) { }
        c.Equal(1, evaluations);
    }

    /// <summary>An exception inside a filter is swallowed and the filter counts as false.</summary>
    public static void ThrowingFilterIsFalse(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(7); }
            catch (CodedException) when (ThrowInFilter(log)) { log.Add("inner handler"); }
        }
        catch (CodedException e) { log.Add("outer " + e.Code); }
        c.SequenceEqual(["filter throws", "outer 7"], log);
    }

    static bool ThrowInFilter(List<string> log)
    {
        log.Add("filter throws");
        throw new InvalidOperationException("from filter");
    }

    /// <summary>A filter may itself use try/catch (a nested dispatch inside the first pass).</summary>
    public static void FilterWithInternalTryCatch(Check c)
    {
        string result = "";
        try { Throw(3); }
        catch (CodedException e) when (Parses("x" + e.Code) == -1) { result = "filtered"; }
        c.Equal("filtered", result);
    }

    static int Parses(string text)
    {
        try { return int.Parse(text); }
        catch (FormatException) { return -1; }
    }

    public static void FilterSeesLocals(Check c)
    {
        int threshold = 10;
        int handled = 0;
        for (int i = 8; i < 13; i++)
        {
            try { Throw(i); }
            catch (CodedException e) when (e.Code >= threshold) { handled++; }
            catch (CodedException) { }
        }
        c.Equal(3, handled);
    }

    public static void FilterOnRethrowRunsAgain(Check c)
    {
        var log = new List<string>();
        try
        {
            try { Throw(4); }
            catch (CodedException) when (Log(log, "inner filter", true)) { log.Add("inner handler"); throw; }
        }
        catch (CodedException e) when (Log(log, "outer filter " + e.Code, true)) { log.Add("outer handler"); }
        c.SequenceEqual(["inner filter", "inner handler", "outer filter 4", "outer handler"], log);
    }

    /// <summary>The shape that panicked Net.Http: an async method (a struct state machine) whose try has two
    /// filtered clauses reading a field of `this`, the exception thrown in a deeper frame and rethrown into it
    /// by ExceptionDispatchInfo (the awaiter's GetResult). ILC's filter funclets use the callee-saved registers
    /// their method's prologue saved without saving them again (here the registers `this` lives in), while
    /// the dispatcher that calls them keeps its own state in those registers.</summary>
    public static void AsyncFiltersReadingThis(Check c)
    {
        var log = new List<string>();
        var connection = new FilteringConnection();
        for (int code = 1; code <= 4; code++)
        {
            Task<bool> served = connection.ServeAsync(code);
            c.True(served.IsCompletedSuccessfully);
            log.Add(connection.Outcome + (served.Result ? "" : " closed"));
        }
        c.SequenceEqual(["rejected 1 closed", "rejected 400 closed", "failed 3", "served"], log);
    }

    /// <summary>A request/response loop in miniature: fields set before the try, read by both filters.</summary>
    sealed class FilteringConnection
    {
        int _code, _bodyError, _attempts, _received;
        bool _keepAlive, _started;
        public string Outcome = "";

        public async Task<bool> ServeAsync(int code)
        {
            _code = code;
            _keepAlive = code != 1;
            _started = false;
            _received = _bodyError = 0;
            _attempts++;
            Outcome = "";
            bool sent;
            try
            {
                await ReadBodyAsync();
                if (_bodyError != 0) throw new CodedException(_bodyError);
                sent = await CompleteAsync(_received);
            }
            catch (Exception e) when (_bodyError != 0 || e is CodedException { Code: 1 })
            {
                if (!_started) await RejectAsync(e is CodedException coded && _bodyError == 0 ? coded.Code : _bodyError);
                return false;
            }
            catch (Exception e) when (_bodyError == 0)
            {
                Outcome = "failed " + (e is CodedException coded ? coded.Code : -1);
                sent = await CompleteAsync(_attempts);
            }
            return sent && _keepAlive;
        }

        async Task ReadBodyAsync()
        {
            await Task.CompletedTask;
            _received = _code * 10;
            if (_code == 2) _bodyError = 400;
            if (_code <= 3) ThrowDeeper(_code);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        static void ThrowDeeper(int code) => ExceptionDispatchInfo.Capture(new CodedException(code)).Throw();

        async Task<bool> CompleteAsync(int length)
        {
            await Task.CompletedTask;
            _started = true;
            if (Outcome.Length == 0) Outcome = "served";
            return length > 0;
        }

        async Task RejectAsync(int status)
        {
            await Task.CompletedTask;
            _started = true;
            Outcome = "rejected " + status;
        }
    }
}
