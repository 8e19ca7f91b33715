using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CosmosNet.Corpus;

static class AsyncAwait
{
    static async Task<int> DelayedSquare(int x) { await Task.Delay(5); return x * x; }

    static async ValueTask<string> Chain()
    {
        int a = await DelayedSquare(3);
        await Task.Yield();
        int b = await DelayedSquare(a);
        return $"{a} {b}";
    }

    public static void Run() => RunAsync().GetAwaiter().GetResult();

    static async Task RunAsync()
    {
        Console.WriteLine(await Chain());
        var results = await Task.WhenAll(Enumerable.Range(1, 5).Select(DelayedSquare));
        Console.WriteLine(string.Join(",", results));
        var first = await Task.WhenAny(Task.Delay(2000).ContinueWith(_ => "slow"), Task.FromResult("fast"));
        Console.WriteLine(await first);
        using var cts = new CancellationTokenSource();
        cts.CancelAfter(10);
        try { await Task.Delay(5000, cts.Token); } catch (OperationCanceledException) { Console.WriteLine("cancelled"); }
        var tcs = new TaskCompletionSource<int>();
        _ = Task.Run(async () => { await Task.Delay(5); tcs.SetResult(77); });
        Console.WriteLine(await tcs.Task);
        Console.WriteLine(await Task.Run(() => Enumerable.Range(1, 100).Sum()));
    }
}

static class AsyncStreams
{
    static async IAsyncEnumerable<int> Produce(int n, [EnumeratorCancellation] CancellationToken token = default)
    {
        for (int i = 0; i < n; i++) { await Task.Delay(1, token); yield return i * 3; }
    }

    public static void Run() => RunAsync().GetAwaiter().GetResult();

    static async Task RunAsync()
    {
        int sum = 0;
        await foreach (var v in Produce(6)) { Console.Write($"{v} "); sum += v; }
        Console.WriteLine($"sum={sum}");
        var evens = await Produce(10).Where(v => v % 2 == 0).Select(v => v / 2).ToListAsync();
        Console.WriteLine(string.Join(",", evens));
        await using var e = Produce(3).GetAsyncEnumerator();
        while (await e.MoveNextAsync()) Console.Write(e.Current + ";");
        Console.WriteLine();
    }
}

static class Channels
{
    public static void Run() => RunAsync().GetAwaiter().GetResult();

    static async Task RunAsync()
    {
        var channel = Channel.CreateBounded<int>(new BoundedChannelOptions(3) { FullMode = BoundedChannelFullMode.Wait });
        var producer = Task.Run(async () =>
        {
            for (int i = 1; i <= 10; i++) await channel.Writer.WriteAsync(i);
            channel.Writer.Complete();
        });
        var received = new List<int>();
        await foreach (var item in channel.Reader.ReadAllAsync()) received.Add(item);
        await producer;
        Console.WriteLine(string.Join(",", received));
        var unbounded = Channel.CreateUnbounded<string>();
        unbounded.Writer.TryWrite("x"); unbounded.Writer.TryWrite("y"); unbounded.Writer.Complete(new InvalidOperationException("closed"));
        Console.WriteLine(await unbounded.Reader.ReadAsync() + await unbounded.Reader.ReadAsync());
        try { await unbounded.Reader.ReadAsync(); } catch (ChannelClosedException e) { Console.WriteLine($"{e.GetType().Name} {e.InnerException?.Message}"); }
    }
}

static class ParallelLoops
{
    public static void Run()
    {
        long total = 0;
        Parallel.For(1, 10_001, () => 0L, (i, _, local) => local + i, local => Interlocked.Add(ref total, local));
        Console.WriteLine(total);
        var squares = new int[50];
        Parallel.ForEach(Enumerable.Range(0, 50), new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => squares[i] = i * i);
        Console.WriteLine(squares.Sum());
        int found = -1;
        Parallel.For(0, 1000, (i, state) => { if (i == 321) { Volatile.Write(ref found, i); state.Stop(); } });
        Console.WriteLine(found);
        Console.WriteLine(Enumerable.Range(1, 1000).AsParallel().Where(x => x % 7 == 0).Sum());
        Parallel.Invoke(() => Interlocked.Increment(ref total), () => Interlocked.Increment(ref total));
        Console.WriteLine(total);
    }
}

static class LazyAndThreadLocal
{
    static int s_created;

    public static void Run()
    {
        var lazy = new Lazy<string>(() => { Interlocked.Increment(ref s_created); return "value"; }, LazyThreadSafetyMode.ExecutionAndPublication);
        Console.WriteLine(lazy.IsValueCreated);
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() => lazy.Value)).ToArray();
        Task.WaitAll(readers);
        Console.WriteLine($"{lazy.Value} {lazy.IsValueCreated} {s_created}");
        using var local = new ThreadLocal<int>(() => 10, trackAllValues: true);
        var threads = Enumerable.Range(1, 3).Select(k => new Thread(() => { local.Value += k; })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        local.Value += 100;
        Console.WriteLine($"{local.Value} {local.Values.Count} {local.Values.Sum()}");
        var broken = new Lazy<int>(() => throw new InvalidOperationException("factory failed"));
        try { _ = broken.Value; } catch (InvalidOperationException e) { Console.WriteLine(e.Message); }
        Console.WriteLine(LazyInitializer.EnsureInitialized(ref s_cached, () => "once"));
    }

    static string? s_cached;
}

static class ThreadsAndLocks
{
    public static void Run()
    {
        int counter = 0;
        var gate = new object();
        var threads = Enumerable.Range(0, 4).Select(_ => new Thread(() => { for (int i = 0; i < 1000; i++) lock (gate) counter++; })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Console.WriteLine(counter);
        using var ready = new ManualResetEventSlim();
        using var sem = new SemaphoreSlim(0);
        string? message = null;
        var worker = new Thread(() => { ready.Wait(); message = "got it"; sem.Release(); }) { Name = "worker" };
        worker.Start();
        ready.Set();
        sem.Wait();
        worker.Join();
        Console.WriteLine($"{message} {worker.Name}");
        var rw = new ReaderWriterLockSlim();
        rw.EnterReadLock(); Console.WriteLine(rw.IsReadLockHeld); rw.ExitReadLock();
        var barrier = new Barrier(3);
        int arrived = 0;
        var parties = Enumerable.Range(0, 3).Select(_ => Task.Run(() => { Interlocked.Increment(ref arrived); barrier.SignalAndWait(); return Volatile.Read(ref arrived); })).ToArray();
        Console.WriteLine(string.Join(",", parties.Select(p => p.Result)));
        var countdown = new CountdownEvent(2);
        ThreadPool.QueueUserWorkItem(_ => countdown.Signal());
        ThreadPool.QueueUserWorkItem(_ => countdown.Signal());
        Console.WriteLine(countdown.Wait(5000));
    }
}

static class ExceptionsAcrossBoundaries
{
    static async Task ThrowLater(string message) { await Task.Delay(1); throw new InvalidOperationException(message); }

    public static void Run()
    {
        try { ThrowLater("async boom").GetAwaiter().GetResult(); } catch (InvalidOperationException e) { Console.WriteLine($"caught {e.Message}"); }
        var all = Task.WhenAll(ThrowLater("a"), ThrowLater("b"), Task.FromException(new ArgumentException("c")));
        try { all.Wait(); } catch (AggregateException e) { Console.WriteLine(string.Join(",", e.InnerExceptions.Select(x => x.Message).Order(StringComparer.Ordinal))); }
        Exception? fromThread = null;
        var t = new Thread(() => { try { throw new FormatException("in thread"); } catch (Exception e) { fromThread = e; } });
        t.Start(); t.Join();
        Console.WriteLine(fromThread?.GetType().Name + " " + fromThread?.Message);
        try { Parallel.For(0, 10, i => { if (i == 5) throw new DivideByZeroException(); }); }
        catch (AggregateException e) { Console.WriteLine(e.InnerException!.GetType().Name); }
        try { try { throw new KeyNotFoundException("inner"); } catch (Exception e) { throw new ApplicationException("outer", e); } }
        catch (ApplicationException e) { Console.WriteLine($"{e.Message} <- {e.InnerException!.Message}"); }
        try { int zero = 0; Console.WriteLine(10 / zero); } catch (DivideByZeroException e) { Console.WriteLine(e.GetType().Name); }
        try { string s = null!; Console.WriteLine(s.Length); } catch (NullReferenceException e) { Console.WriteLine(e.GetType().Name); }
        try { int[] a = new int[2]; a[2] = 1; } catch (IndexOutOfRangeException e) { Console.WriteLine(e.GetType().Name); }
        try { object o = "s"; Console.WriteLine((int)o); } catch (InvalidCastException e) { Console.WriteLine(e.GetType().Name); }
        string filtered = "";
        try { throw new HttpLikeException(404); } catch (HttpLikeException e) when (e.Code == 404) { filtered = "404 filtered"; }
        Console.WriteLine(filtered);
        throw new NotSupportedException("this program ends in an exception on purpose");
    }

    sealed class HttpLikeException(int code) : Exception($"status {code}") { public int Code => code; }
}
