using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Finalizers run (outside the collector) for unreachable objects, never for reachable ones.</summary>
static class FinalizerTests
{
    // Each test counts only its own batch: an object of an earlier test that a stale stack word kept
    // alive a little longer may be finalized during a later test.
    sealed class Counted
    {
        public static int Batch, Finalized;
        public static long ValueSum;
        public int Value, MyBatch;
        public Counted(int value) { Value = value; MyBatch = Batch; }
        ~Counted() { if (MyBatch == Batch) { Finalized++; ValueSum += Value; } }
        public static void NewBatch() { Batch++; Finalized = 0; ValueSum = 0; }
    }

    sealed class Suppressed
    {
        public static int Finalized;
        public Suppressed(bool suppress) { if (suppress) GC.SuppressFinalize(this); }
        ~Suppressed() { Finalized++; }
    }

    sealed class Twice
    {
        public static int Finalized;
        ~Twice() { if (++Finalized == 1) GC.ReRegisterForFinalize(this); }
    }

    sealed class Resurrecting
    {
        public static Resurrecting? Saved;
        public readonly List<string> Payload = ["alive", "and", "well"];
        ~Resurrecting() { Saved = this; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeCounted(int count, int start)
    {
        for (int i = 0; i < count; i++) GC.KeepAlive(new Counted(start + i));
    }

    public static void FinalizerRunsForUnreachableObject(Check c)
    {
        Counted.NewBatch();
        MakeCounted(1, 40);
        Gc.Full();
        c.Equal(1, Counted.Finalized);
        c.Equal(40L, Counted.ValueSum);
    }

    public static void FinalizerNotRunWhileReachable(Check c)
    {
        Counted.NewBatch();
        var keep = new Counted(1);
        Gc.Full();
        c.Equal(0, Counted.Finalized);
        GC.KeepAlive(keep);
    }

    public static void ThousandFinalizersAllRun(Check c)
    {
        Counted.NewBatch();
        MakeCounted(1000, 1);
        Gc.Full();
        c.Equal(1000, Counted.Finalized);
        c.Equal(500_500L, Counted.ValueSum);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeSuppressed() { GC.KeepAlive(new Suppressed(true)); GC.KeepAlive(new Suppressed(false)); }

    public static void SuppressFinalizePreventsTheFinalizer(Check c)
    {
        Suppressed.Finalized = 0;
        MakeSuppressed();
        Gc.Full();
        c.Equal(1, Suppressed.Finalized);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeTwice() => GC.KeepAlive(new Twice());

    public static void ReRegisterForFinalizeRunsItAgain(Check c)
    {
        Twice.Finalized = 0;
        MakeTwice();
        Gc.Full();
        Gc.Full();
        c.Equal(2, Twice.Finalized);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeResurrecting() => GC.KeepAlive(new Resurrecting());

    public static void ResurrectedObjectIsIntact(Check c)
    {
        Resurrecting.Saved = null;
        MakeResurrecting();
        Gc.Full();
        Gc.Full();
        c.True(Resurrecting.Saved is not null);
        if (Resurrecting.Saved is { } saved) c.Equal("alive and well", string.Join(" ", saved.Payload));
        Resurrecting.Saved = null;
    }

    public static void WaitForPendingFinalizersRunsThem(Check c)
    {
        Counted.NewBatch();
        MakeCounted(10, 0);
        Gc.ScrubStack();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        c.Equal(10, Counted.Finalized);
    }

    public static void FinalizerSeesFieldsOfDeadGraph(Check c)
    {
        // A finalizable object's references stay valid until its finalizer ran.
        Counted.NewBatch();
        MakeHolder();
        Gc.Full();
        c.Equal(1, Holder.Seen);
    }

    sealed class Holder
    {
        public static int Seen;
        public Node Chain = new(1, new Node(2, new Node(3, null)));
        ~Holder() { if (Chain.Next!.Next!.Value == 3 && Chain.Next.Label == "n2") Seen++; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeHolder() { Holder.Seen = 0; GC.KeepAlive(new Holder()); }

    sealed class Garbage
    {
        public static int Finalized, FinalizerThreadId;
        ~Garbage()
        {
            Volatile.Write(ref FinalizerThreadId, Environment.CurrentManagedThreadId);
            Interlocked.Increment(ref Finalized);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void MakeGarbage(int count)
    {
        for (int i = 0; i < count; i++) GC.KeepAlive(new Garbage());
    }

    /// <summary>No GC.Collect, no WaitForPendingFinalizers: collections triggered by allocation queue the
    /// dead objects and the finalizer thread (preempting this one) runs their finalizers.</summary>
    public static void FinalizersRunWithoutGcCollect(Check c)
    {
        Volatile.Write(ref Garbage.Finalized, 0);
        int collectionsBefore = GC.CollectionCount(0);
        long rounds = 0;
        while (Volatile.Read(ref Garbage.Finalized) == 0 && rounds < 20_000)   // at most ~20 M objects
        {
            MakeGarbage(1000);
            rounds++;
        }
        c.True(Volatile.Read(ref Garbage.Finalized) > 0);
        c.True(GC.CollectionCount(0) > collectionsBefore);
        c.True(Volatile.Read(ref Garbage.FinalizerThreadId) != Environment.CurrentManagedThreadId);
    }

    /// <summary>After a burst of allocation-triggered collections, GC.Collect + WaitForPendingFinalizers
    /// leaves nothing unfinalized: every object made is counted exactly once.</summary>
    public static void WaitForPendingFinalizersObservesAllOfThem(Check c)
    {
        Gc.Full();
        Volatile.Write(ref Garbage.Finalized, 0);
        int collectionsBefore = GC.CollectionCount(0), made = 0;
        // Until allocation has completed at least one (incremental) collection, at most 2 M objects.
        while ((made < 200_000 || GC.CollectionCount(0) == collectionsBefore) && made < 2_000_000)
        {
            MakeGarbage(10_000);
            made += 10_000;
        }
        c.True(GC.CollectionCount(0) > collectionsBefore);
        Gc.ScrubStack();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        c.Equal(made, Volatile.Read(ref Garbage.Finalized));
    }
}
