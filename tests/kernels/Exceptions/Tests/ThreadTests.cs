namespace CosmosNet.KernelTests;

/// <summary>Every thread has its own chain of exceptions in flight.</summary>
static class ThreadTests
{
    public static void CaughtOnAnotherThread(Check c)
    {
        var log = new List<string>();
        var thread = new Thread(() =>
        {
            try
            {
                try { throw new InvalidOperationException("worker"); }
                finally { lock (log) log.Add("worker finally"); }
            }
            catch (InvalidOperationException e) { lock (log) log.Add("worker caught " + e.Message); }
        });
        thread.Start();
        thread.Join();
        c.SequenceEqual(["worker finally", "worker caught worker"], log);
    }

    /// <summary>Thread A waits inside its catch block (its dispatch is in flight) while thread B throws and
    /// catches; A's `throw;` must then rethrow A's exception, not B's.</summary>
    public static void DispatchesDoNotMixAcrossThreads(Check c)
    {
        string? a = null, b = null;
        using var aInCatch = new ManualResetEventSlim();
        using var bDone = new ManualResetEventSlim();
        var ta = new Thread(() =>
        {
            try
            {
                try { throw new InvalidOperationException("A"); }
                catch (InvalidOperationException) { aInCatch.Set(); bDone.Wait(); throw; }
            }
            catch (InvalidOperationException e) { a = e.Message; }
        });
        var tb = new Thread(() =>
        {
            aInCatch.Wait();
            for (int i = 0; i < 50; i++)
            {
                try { try { throw new FormatException("B" + i); } finally { Thread.Yield(); } }
                catch (FormatException e) { b = e.Message; }
            }
            bDone.Set();
        });
        ta.Start();
        tb.Start();
        ta.Join();
        tb.Join();
        c.Equal("A", a);
        c.Equal("B49", b);
    }

    /// <summary>Frames larger than three pages probe the stack in their prologue (RhpStackProbe).</summary>
    public static void LargeFramesWork(Check c)
    {
        c.Equal(10 * 11 / 2, LargeFrames(10));
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static int LargeFrames(int depth)
    {
        Fatal.LargeFrame frame = default;
        frame[depth * 100] = depth;
        return depth == 0 ? 0 : LargeFrames(depth - 1) + frame[depth * 100];
    }
}
