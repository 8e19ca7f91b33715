using System.Diagnostics;
using System.Threading.Channels;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static readonly AsyncLocal<int> s_asyncLocal = new();

    static class AsyncTests
    {
        static async Task<int> AddLater(int a, int b) { await Task.Delay(1); return a + b; }
        static async ValueTask<int> ValueLater(int v) { await Task.Yield(); return v * 2; }
        static async Task<int> Chain(int depth) => depth == 0 ? 0 : 1 + await Chain(depth - 1);

        public static void Register()
        {
            Test("async_await_chain", async () =>
            {
                Check(await AddLater(2, 3) == 5, "AddLater");
                Check(await Chain(200) == 200, "Chain(200)");
            });

            Test("valuetask_await", async () => Check(await ValueLater(21) == 42, "ValueLater"));

            Test("task_run_returns_result", async () =>
            {
                int r = await Task.Run(() => 6 * 7);
                Check(r == 42, $"r={r}");
            });

            Test("task_whenall_waits_for_all", async () =>
            {
                var pending = new Task<int>[100];
                for (int i = 0; i < pending.Length; i++) pending[i] = AddLater(i + 1, i + 1);
                var results = await Task.WhenAll(pending);
                Check(results.Sum() == 10100, $"sum={results.Sum()}");
            });

            Test("task_whenany_returns_first", async () =>
            {
                var slow = Task.Delay(2000).ContinueWith(_ => "slow");
                var fast = Task.Delay(20).ContinueWith(_ => "fast");
                var first = await Task.WhenAny(slow, fast);
                Check(first == fast && first.Result == "fast", "WhenAny picked the slow task");
            });

            Test("taskcompletionsource_completed_from_thread", async () =>
            {
                var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
                new Thread(() => { Thread.Sleep(20); tcs.SetResult(7); }).Start();
                Check(await tcs.Task == 7, "wrong result");
            });

            Test("cancelafter_cancels_a_delay", async () =>
            {
                using var cts = new CancellationTokenSource();
                var delay = Task.Delay(30_000, cts.Token);
                long start = Stopwatch.GetTimestamp();
                cts.CancelAfter(50);
                await Task.WhenAny(delay);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Check(delay.IsCanceled, $"status {delay.Status}");
                Check(ms >= 50 && ms < 1000, $"cancelled after {ms:F1} ms");
            });

            Test("cancellationtokensource_timeout_and_linked", async () =>
            {
                using var outer = new CancellationTokenSource(TimeSpan.FromMilliseconds(60));
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(outer.Token, CancellationToken.None);
                var tcs = new TaskCompletionSource();
                using var registration = linked.Token.Register(() => tcs.TrySetResult());
                await Task.WhenAny(tcs.Task, Task.Delay(5000));
                Check(tcs.Task.IsCompleted && linked.IsCancellationRequested, "linked token not cancelled by the timeout");
            });

            Test("channel_moves_one_million_items", async () =>
            {
                var channel = Channel.CreateUnbounded<int>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                const int count = 1_000_000;
                var producer = Task.Run(async () =>
                {
                    for (int i = 0; i < count; i++)
                    {
                        channel.Writer.TryWrite(i);
                        if ((i & 4095) == 0) await Task.Yield();
                    }
                    channel.Writer.Complete();
                });
                long sum = 0, received = 0; int previous = -1; bool ordered = true;
                var reader = channel.Reader;
                while (await reader.WaitToReadAsync())
                    while (reader.TryRead(out int item))
                    {
                        if (item != previous + 1) ordered = false;
                        previous = item; sum += item; received++;
                    }
                await producer;
                Check(received == count && ordered && sum == (long)count * (count - 1) / 2, $"received={received} ordered={ordered} sum={sum}");
            });

            Test("bounded_channel_applies_backpressure", async () =>
            {
                var channel = Channel.CreateBounded<int>(8);
                int maxBacklog = 0;
                var producer = Task.Run(async () =>
                {
                    for (int i = 0; i < 20_000; i++) await channel.Writer.WriteAsync(i);
                    channel.Writer.Complete();
                });
                long sum = 0;
                await foreach (int item in channel.Reader.ReadAllAsync())
                {
                    sum += item;
                    maxBacklog = Math.Max(maxBacklog, channel.Reader.Count);
                }
                await producer;
                Check(sum == 20_000L * 19_999 / 2 && maxBacklog <= 8, $"sum={sum} backlog={maxBacklog}");
            });

            Test("asynclocal_flows_through_await", async () =>
            {
                s_asyncLocal.Value = 17;
                await Task.Delay(5);
                int afterDelay = s_asyncLocal.Value;
                int inRun = await Task.Run(() => s_asyncLocal.Value);
                Check(afterDelay == 17 && inRun == 17, $"after delay {afterDelay}, in Task.Run {inRun}");
            });

            Test("task_yield_and_configureawait_false", async () =>
            {
                await Task.Yield();
                await Task.Delay(5).ConfigureAwait(false);
                Check(await Task.FromResult(3).ConfigureAwait(false) == 3, "FromResult");
            });

            Test("many_concurrent_async_workers", async () =>
            {
                int total = 0;
                async Task Worker(int i)
                {
                    for (int k = 0; k < 5; k++) { await Task.Delay(1 + (i % 7)); Interlocked.Increment(ref total); }
                }
                var workers = new Task[500];
                for (int i = 0; i < workers.Length; i++) workers[i] = Worker(i);
                await Task.WhenAll(workers);
                Check(total == 2500, $"total={total}");
            });

            Test("semaphoreslim_waitasync_serialises", async () =>
            {
                using var sem = new SemaphoreSlim(1);
                int inside = 0; bool overlap = false;
                async Task Holder()
                {
                    await sem.WaitAsync();
                    if (Interlocked.Increment(ref inside) != 1) overlap = true;
                    await Task.Delay(1);
                    Interlocked.Decrement(ref inside);
                    sem.Release();
                }
                var holders = new Task[50];
                for (int i = 0; i < holders.Length; i++) holders[i] = Holder();
                await Task.WhenAll(holders);
                Check(!overlap, "two holders at once");
            });

            Test("cancelled_waitasync_reports_cancellation", async () =>
            {
                using var sem = new SemaphoreSlim(0);
                using var cts = new CancellationTokenSource(30);
                var wait = sem.WaitAsync(cts.Token);
                await Task.WhenAny(wait);
                Check(wait.IsCanceled, $"status {wait.Status}");
            });
        }
    }
}
