using System.Diagnostics;
using CosmosNet.Kernel.Time;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    static class ClockTests
    {
        /// <summary>Timers that fell due together (e.g. while the CPU was busy or the GC ran) complete in one
        /// pass of CoreLib's timer queue, which hands all but the first to thread-pool workers, and workers
        /// share the one CPU in 10 ms slices: so due timers complete in any order within a few slices. What
        /// must never happen is a timer completing more than <paramref name="slackMs"/> after another whose
        /// deadline was later. Counts such timers.</summary>
        static int OrderViolations(int[] completionOrder, double[] deadlines, double[] fired, double slackMs)
        {
            int violations = 0, q = 0;
            double latestDeadlineSoFar = double.MinValue;   // over completionOrder[0..q)
            for (int p = 0; p < completionOrder.Length; p++)
            {
                int i = completionOrder[p];
                while (q < p && fired[completionOrder[q]] < fired[i] - slackMs)
                    latestDeadlineSoFar = Math.Max(latestDeadlineSoFar, deadlines[completionOrder[q++]]);
                if (latestDeadlineSoFar > deadlines[i]) violations++;
            }
            return violations;
        }

        public static void Register()
        {
            // The host compares these two serial lines with its own clock (5 s apart by the kernel clock).
            Test("clock_agrees_with_host_mark", async () =>
            {
                Console.WriteLine($"CLOCKMARK 0 {Stopwatch.GetTimestamp() / 1_000_000}");
                await Task.Delay(5000);
                Console.WriteLine($"CLOCKMARK 1 {Stopwatch.GetTimestamp() / 1_000_000}");
            });

            Test("stopwatch_frequency_is_nanoseconds", () => Check(Stopwatch.Frequency == 1_000_000_000, $"Frequency={Stopwatch.Frequency}"));

            Test("stopwatch_is_monotonic", () =>
            {
                long previous = Stopwatch.GetTimestamp();
                for (int i = 0; i < 100_000; i++)
                {
                    long now = Stopwatch.GetTimestamp();
                    Check(now >= previous, $"went back from {previous} to {now}");
                    previous = now;
                }
            });

            Test("tickcount64_follows_sleep", () =>
            {
                long before = Environment.TickCount64;
                Thread.Sleep(200);
                long delta = Environment.TickCount64 - before;
                Check(delta >= 199 && delta < 1000, $"TickCount64 advanced {delta} ms over Sleep(200)");
            });

            Test("utcnow_is_plausible", () =>
            {
                DateTime now = DateTime.UtcNow;
                Check(now.Year >= 2024 && now.Year < 2100, $"UtcNow={now:O}");
                Check(now.Kind == DateTimeKind.Utc, "Kind is not Utc");
            });

            Test("utcnow_advances_with_monotonic_clock", () =>
            {
                DateTime wall = DateTime.UtcNow;
                long mono = Stopwatch.GetTimestamp();
                Thread.Sleep(300);
                double wallMs = (DateTime.UtcNow - wall).TotalMilliseconds, monoMs = Stopwatch.GetElapsedTime(mono).TotalMilliseconds;
                Check(Math.Abs(wallMs - monoMs) < 5, $"wall {wallMs:F1} ms vs monotonic {monoMs:F1} ms");
            });

            Test("datetimeoffset_utcnow_matches_datetime", () =>
            {
                var a = DateTimeOffset.UtcNow; var b = DateTime.UtcNow;
                Check(Math.Abs((b - a.UtcDateTime).TotalSeconds) < 1, "DateTimeOffset and DateTime disagree");
            });

            Test("task_delay_50_never_early_nor_grossly_late", async () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    await Task.Delay(50);
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    Check(ms >= 50, $"Task.Delay(50) completed after {ms:F2} ms");
                    Check(ms < 500, $"Task.Delay(50) took {ms:F2} ms");
                }
            });

            Test("thread_sleep_never_early", () =>
            {
                for (int i = 0; i < 10; i++)
                {
                    long start = Stopwatch.GetTimestamp();
                    Thread.Sleep(30);
                    double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                    Check(ms >= 30 && ms < 500, $"Sleep(30) took {ms:F2} ms");
                }
            });

            Test("thousands_of_delays_fire_in_deadline_order", async () =>
            {
                const int count = 3000;
                var rng = new Random(12345);
                long origin = Stopwatch.GetTimestamp();
                var deadlines = new double[count];
                var fired = new double[count];
                var order = new int[count];
                int next = 0;
                var tasks = new Task[count];
                for (int i = 0; i < count; i++)
                {
                    int id = i;
                    int delay = 20 + rng.Next(0, 1500);
                    deadlines[id] = Stopwatch.GetElapsedTime(origin).TotalMilliseconds + delay;
                    tasks[i] = Task.Delay(delay).ContinueWith(_ =>
                    {
                        fired[id] = Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
                        order[Interlocked.Increment(ref next) - 1] = id;
                    }, TaskContinuationOptions.ExecuteSynchronously);
                }
                await Task.WhenAll(tasks);
                for (int i = 0; i < count; i++)
                {
                    Check(fired[i] >= deadlines[i] - 1, $"timer {i} fired at {fired[i]:F1} ms before its deadline {deadlines[i]:F1} ms");
                    Check(fired[i] - deadlines[i] < 1000, $"timer {i} fired {fired[i] - deadlines[i]:F1} ms late");
                }
                int inversions = OrderViolations(order, deadlines, fired, 100);
                Check(inversions == 0, $"{inversions} timers fired over 100 ms after a timer with a later deadline");
            });

            Test("threading_timers_fire_in_deadline_order", async () =>
            {
                const int count = 1000;
                var done = new TaskCompletionSource();
                var order = new int[count];
                var deadlines = new double[count];
                var fired = new double[count];
                var timers = new Timer[count];
                int remaining = count, next = 0;
                long origin = Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    int id = i, due = (count - i) * 2;   // created in reverse order of their deadlines
                    deadlines[id] = Stopwatch.GetElapsedTime(origin).TotalMilliseconds + due;
                    timers[i] = new Timer(_ =>
                    {
                        fired[id] = Stopwatch.GetElapsedTime(origin).TotalMilliseconds;
                        order[Interlocked.Increment(ref next) - 1] = id;
                        if (Interlocked.Decrement(ref remaining) == 0) done.SetResult();
                    }, null, due, Timeout.Infinite);
                }
                await done.Task;
                int inversions = OrderViolations(order, deadlines, fired, 100);
                Check(next == count && inversions == 0, $"{next} fired, {inversions} over 100 ms after a timer with a later deadline");
                foreach (var t in timers) t.Dispose();
            });

            Test("periodic_timer_ticks_on_schedule", async () =>
            {
                using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
                long start = Stopwatch.GetTimestamp();
                int ticks = 0;
                while (ticks < 10 && await timer.WaitForNextTickAsync()) ticks++;
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Check(ticks == 10 && ms >= 195 && ms < 2000, $"{ticks} ticks in {ms:F1} ms");
            });

            Test("timer_change_and_dispose", async () =>
            {
                int fired = 0;
                var timer = new Timer(_ => Interlocked.Increment(ref fired), null, 10_000, Timeout.Infinite);
                timer.Change(30, Timeout.Infinite);
                await Task.Delay(300);
                Check(fired == 1, $"fired {fired} times after Change(30)");
                timer.Dispose();
                var disposed = new Timer(_ => Interlocked.Increment(ref fired), null, 50, Timeout.Infinite);
                disposed.Dispose();
                await Task.Delay(200);
                Check(fired == 1, "a disposed timer fired");
            });

            Test("kernel_clock_and_wallclock_agree", () =>
            {
                long unixNs = WallClock.UnixNanoseconds;
                long dtNs = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks * 100;
                Check(Math.Abs(dtNs - unixNs) < 10_000_000, "WallClock and DateTime.UtcNow disagree");
            });
        }
    }
}
