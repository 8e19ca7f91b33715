using System.Diagnostics;

namespace CosmosNet.KernelTests;

static partial class PlatformSuite
{
    [ThreadStatic] static int t_perThread;

    static class ThreadTests
    {
        static void RunThreads(int count, Action<int> body)
        {
            var threads = new Thread[count];
            for (int i = 0; i < count; i++) { int id = i; threads[i] = new Thread(() => body(id)); threads[i].Start(); }
            foreach (var t in threads) t.Join();
        }

        public static void Register()
        {
            Test("thread_start_and_join", () =>
            {
                int value = 0;
                var t = new Thread(() => value = 42);
                t.Start();
                t.Join();
                Check(value == 42, $"value={value}");
                Check(!t.IsAlive, "thread still alive after Join");
            });

            Test("fifty_threads_run_to_completion", () =>
            {
                int sum = 0;
                RunThreads(50, id => Interlocked.Add(ref sum, id));
                Check(sum == 49 * 50 / 2, $"sum={sum}");
            });

            Test("managed_thread_ids_are_distinct", () =>
            {
                var ids = new int[8];
                RunThreads(8, id => ids[id] = Environment.CurrentManagedThreadId);
                Check(ids.Distinct().Count() == 8, "duplicate thread ids");
                Check(!ids.Contains(Environment.CurrentManagedThreadId), "a new thread has the caller's id");
            });

            Test("thread_statics_are_per_thread", () =>
            {
                t_perThread = -1;
                var seen = new int[4];
                RunThreads(4, id =>
                {
                    seen[id] = t_perThread;         // fresh thread: default value
                    t_perThread = id * 10;
                    Thread.Sleep(20);               // others write theirs meanwhile
                    seen[id] += t_perThread;
                });
                Check(seen.SequenceEqual(new[] { 0, 10, 20, 30 }), $"seen={string.Join(",", seen)}");
                Check(t_perThread == -1, "the caller's thread static changed");
            });

            Test("threadlocal_values_are_per_thread", () =>
            {
                using var local = new ThreadLocal<int>(() => Environment.CurrentManagedThreadId, trackAllValues: true);
                RunThreads(4, _ => { _ = local.Value; });
                _ = local.Value;
                Check(local.Values.Distinct().Count() == 5, $"{local.Values.Count} values");
            });

            Test("lock_keeps_invariant_under_contention", () =>
            {
                object gate = new();
                long a = 0, b = 0; bool broken = false;
                RunThreads(4, _ =>
                {
                    for (int i = 0; i < 20_000; i++)
                        lock (gate)
                        {
                            if (a != b) broken = true;
                            a++;
                            if ((i & 255) == 0) Thread.Yield();   // switch while holding it
                            b++;
                        }
                });
                Check(!broken && a == 80_000 && b == 80_000, $"a={a} b={b} broken={broken}");
            });

            Test("lock_type_under_preemption", () =>
            {
                var gate = new Lock();
                long counter = 0; int inside = 0; bool overlap = false;
                RunThreads(4, _ =>
                {
                    long end = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 5;  // 200 ms: many time slices
                    while (Stopwatch.GetTimestamp() < end)
                        using (gate.EnterScope())
                        {
                            if (Interlocked.Increment(ref inside) != 1) overlap = true;
                            counter++;
                            Interlocked.Decrement(ref inside);
                        }
                });
                Check(!overlap && counter > 0, $"overlap={overlap} counter={counter}");
            });

            Test("monitor_wait_pulse_ping_pong", () =>
            {
                object gate = new();
                int turn = 0, rounds = 1000;
                var other = new Thread(() =>
                {
                    lock (gate)
                        for (int i = 0; i < rounds; i++)
                        {
                            while (turn != 1) Monitor.Wait(gate);
                            turn = 0; Monitor.Pulse(gate);
                        }
                });
                other.Start();
                lock (gate)
                    for (int i = 0; i < rounds; i++)
                    {
                        turn = 1; Monitor.Pulse(gate);
                        while (turn != 0) Monitor.Wait(gate);
                    }
                other.Join();
                Check(turn == 0, "ping-pong did not finish");
            });

            Test("monitor_wait_times_out", () =>
            {
                object gate = new();
                long start = Stopwatch.GetTimestamp();
                bool signalled;
                lock (gate) signalled = Monitor.Wait(gate, 100);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Check(!signalled && ms >= 100 && ms < 1000, $"signalled={signalled} after {ms:F1} ms");
            });

            Test("semaphoreslim_limits_concurrency", () =>
            {
                using var sem = new SemaphoreSlim(2);
                int inside = 0, max = 0;
                RunThreads(6, _ =>
                {
                    for (int i = 0; i < 20; i++)
                    {
                        sem.Wait();
                        int now = Interlocked.Increment(ref inside);
                        int seen; while ((seen = max) < now) Interlocked.CompareExchange(ref max, now, seen);
                        Thread.Sleep(1);
                        Interlocked.Decrement(ref inside);
                        sem.Release();
                    }
                });
                Check(max == 2, $"max concurrency {max}");
            });

            Test("manualreseteventslim_wakes_all_waiters", () =>
            {
                using var ev = new ManualResetEventSlim();
                int woke = 0;
                var threads = new Thread[5];
                for (int i = 0; i < threads.Length; i++) threads[i] = new Thread(() => { ev.Wait(); Interlocked.Increment(ref woke); });
                foreach (var t in threads) t.Start();
                Thread.Sleep(50);
                Check(woke == 0, "woke before Set");
                ev.Set();
                foreach (var t in threads) t.Join();
                Check(woke == 5, $"woke={woke}");
            });

            Test("manualreseteventslim_wait_times_out", () =>
            {
                using var ev = new ManualResetEventSlim();
                long start = Stopwatch.GetTimestamp();
                bool set = ev.Wait(80);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Check(!set && ms >= 80 && ms < 1000, $"set={set} after {ms:F1} ms");
            });

            Test("autoresetevent_releases_one_at_a_time", () =>
            {
                using var ev = new AutoResetEvent(false);
                int woke = 0;
                var threads = new Thread[3];
                for (int i = 0; i < threads.Length; i++) threads[i] = new Thread(() => { ev.WaitOne(); Interlocked.Increment(ref woke); });
                foreach (var t in threads) t.Start();
                Thread.Sleep(30);
                ev.Set(); Thread.Sleep(30);
                Check(woke == 1, $"one Set woke {woke}");
                ev.Set(); ev.Set(); foreach (var t in threads) t.Join();
                Check(woke == 3, $"woke={woke}");
            });

            Test("countdownevent_and_barrier", () =>
            {
                using var countdown = new CountdownEvent(4);
                using var barrier = new Barrier(4);
                int phaseSum = 0;
                RunThreads(4, _ =>
                {
                    barrier.SignalAndWait();
                    Interlocked.Add(ref phaseSum, (int)barrier.CurrentPhaseNumber);
                    countdown.Signal();
                });
                Check(countdown.Wait(1000) && phaseSum == 4, $"phaseSum={phaseSum}");
            });

            Test("readerwriterlockslim_excludes_writers", () =>
            {
                using var rw = new ReaderWriterLockSlim();
                int value = 0; bool torn = false;
                RunThreads(4, id =>
                {
                    for (int i = 0; i < 2000; i++)
                    {
                        if (id == 0) { rw.EnterWriteLock(); value++; if ((i & 63) == 0) Thread.Yield(); value++; rw.ExitWriteLock(); }
                        else { rw.EnterReadLock(); if ((value & 1) != 0) torn = true; rw.ExitReadLock(); }
                    }
                });
                Check(!torn && value == 4000, $"torn={torn} value={value}");
            });

            Test("interlocked_under_preemption", () =>
            {
                long counter = 0; int cas = 0;
                RunThreads(4, _ =>
                {
                    for (int i = 0; i < 100_000; i++)
                    {
                        Interlocked.Increment(ref counter);
                        int seen; do seen = cas; while (Interlocked.CompareExchange(ref cas, seen + 1, seen) != seen);
                    }
                });
                Check(counter == 400_000 && cas == 400_000, $"counter={counter} cas={cas}");
            });

            Test("busy_thread_does_not_starve_timers", async () =>
            {
                bool stop = false;
                var spinner = new Thread(() => { while (!Volatile.Read(ref stop)) { } });
                spinner.Start();
                long start = Stopwatch.GetTimestamp();
                await Task.Delay(20);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                Volatile.Write(ref stop, true);
                spinner.Join();
                Check(ms >= 20 && ms < 500, $"Task.Delay(20) beside a spinning thread took {ms:F1} ms");
            });

            Test("sse_state_survives_preemption", () =>
            {
                var results = new double[4];
                RunThreads(4, id =>
                {
                    double x = id + 1, acc = 0;
                    long end = Stopwatch.GetTimestamp() + Stopwatch.Frequency / 10;
                    int n = 0;
                    while (Stopwatch.GetTimestamp() < end || n < 1000) { acc += x * 0.5; n++; }
                    results[id] = acc / n;
                });
                for (int i = 0; i < 4; i++) Check(results[i] == (i + 1) * 0.5, $"thread {i} computed {results[i]}");
            });

            Test("thread_yield_and_sleep_zero", () =>
            {
                int ran = 0;
                var t = new Thread(() => ran = 1);
                t.Start();
                for (int i = 0; i < 1000 && ran == 0; i++) { Thread.Yield(); Thread.Sleep(0); }
                t.Join();
                Check(ran == 1, "the other thread never ran");
            });

            Test("threadpool_queueuserworkitem", () =>
            {
                using var done = new CountdownEvent(100);
                int sum = 0;
                for (int i = 0; i < 100; i++) { int v = i; ThreadPool.QueueUserWorkItem(_ => { Interlocked.Add(ref sum, v); done.Signal(); }); }
                Check(done.Wait(10_000) && sum == 4950, $"sum={sum}");
            });

            Test("parallel_for_sums", () =>
            {
                long sum = 0;
                Parallel.For(0, 10_000, i => Interlocked.Add(ref sum, i));
                Check(sum == 49_995_000, $"sum={sum}");
            });
        }
    }
}
