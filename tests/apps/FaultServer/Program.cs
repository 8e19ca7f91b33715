// A test app for issue 14's fault containment: routes that fail the ways an app can fail on the network loop. Each
// failure must cost only its own connection (reset, counted, one line on the console); GET / keeps answering.
//   GET /throw       the handler throws
//   GET /oom         the handler allocates until the heap is exhausted: a real OutOfMemoryException
//   GET /loop-fault  an async void continuation throws on the network loop (answers 200 first)
//   GET /status      the counters, one "name value" per line
using CosmosNet.Host;
using CosmosNet.Net;
using CosmosNet.Net.Http;
using CosmosNet.Net.Ip;

static class Program
{
    static int Main() => NetworkHost.Run(stack =>
    {
        var http = new HttpServer(stack) { Log = Console.WriteLine };
        http.MapGet("/", () => Results.Text("ok\n"));
        http.MapGet("/throw", IResult? () => throw new InvalidOperationException("the handler broke"));
        http.MapGet("/oom", () => Results.Text($"allocated {Exhaust()} MiB and got no exception\n"));
        http.MapGet("/loop-fault", () =>
        {
            FailLater();
            return Results.Text("posted\n");
        });
        http.MapGet("/status", () => Results.Text(
            $"http-faults {http.Faults}\ntcp-faults {stack.Tcp.Statistics.Faults}\nloop-faults {NetworkHost.LoopFaults}\n" +
            $"input-faults {stack.Statistics[NetCounter.InputFaults]}\nheap {GC.GetTotalMemory(forceFullCollection: true)}\n"));
        http.Start(80);
        Console.WriteLine($"http: listening on {stack.Ip.Configuration.Address}:80");
        return new TaskCompletionSource().Task;
    });

    /// <summary>Holds 1 MiB arrays until allocation fails; the list is garbage once the exception leaves.</summary>
    static int Exhaust()
    {
        var held = new List<byte[]>();
        while (true) held.Add(new byte[1 << 20]);
    }

    /// <summary>An async void method: its exception is posted to the network loop's context, which must contain it.</summary>
    static async void FailLater()
    {
        await Task.Yield();
        throw new InvalidOperationException("a continuation broke");
    }
}
