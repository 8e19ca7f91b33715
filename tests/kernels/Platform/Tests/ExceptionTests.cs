namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static class ExceptionTests
    {
        static async Task ThrowLater(string message) { await Task.Delay(5); throw new InvalidOperationException(message); }

        public static void Register()
        {
            Test("exception_propagates_through_await", async () =>
            {
                string? caught = null;
                try { await ThrowLater("boom"); }
                catch (InvalidOperationException e) { caught = e.Message; }
                Check(caught == "boom", $"caught {caught ?? "nothing"}");
            });

            Test("cancellation_propagates_through_await", async () =>
            {
                using var cts = new CancellationTokenSource(30);
                bool cancelled = false;
                try { await Task.Delay(10_000, cts.Token); }
                catch (OperationCanceledException e) { cancelled = e.CancellationToken == cts.Token; }
                Check(cancelled, "Task.Delay did not throw OperationCanceledException with the token");
            });

            Test("whenall_faults_with_every_exception", async () =>
            {
                Task all = Task.WhenAll(ThrowLater("a"), ThrowLater("b"), Task.Delay(1));
                try { await all; } catch (InvalidOperationException) { }
                Check(all.IsFaulted && all.Exception!.InnerExceptions.Count == 2, $"status {all.Status}");
            });

            Test("exception_in_thread_pool_work_is_observed_by_task", async () =>
            {
                Task<int> t = Task.Run(new Func<int>(() => throw new FormatException("bad")));
                string? message = null;
                try { await t; } catch (FormatException e) { message = e.Message; }
                Check(message == "bad" && t.IsFaulted, $"message {message}");
            });

            Test("channel_reader_completion_with_error", async () =>
            {
                var channel = System.Threading.Channels.Channel.CreateUnbounded<int>();
                channel.Writer.TryWrite(1);
                channel.Writer.Complete(new TimeoutException("late"));
                int read = await channel.Reader.ReadAsync();
                string? error = null;
                // As on Linux: ChannelClosedException carrying the completion error.
                try { await channel.Reader.ReadAsync(); }
                catch (System.Threading.Channels.ChannelClosedException e) { error = e.InnerException?.Message; }
                Check(read == 1 && error == "late", $"read {read} error {error}");
            });
        }
    }
}
