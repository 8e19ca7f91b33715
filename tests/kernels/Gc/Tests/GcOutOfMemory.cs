using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>The --oom mode: a live set that grows past the guest's RAM must end in OutOfMemoryException
/// (not a hang or corruption), and once it is dropped the memory is usable again. Reports
///   OOM-CAUGHT n MiB        the live set that fitted when the exception came
///   OOM-RECOVERED n MiB     allocated again (and kept) after dropping it
///   OOM-HUGE thrown         a single array larger than RAM
///   OOM-DISPATCH caught 100 same 1 finally 100 null-deref OutOfMemoryException
///                           with every byte of the heap taken by small objects: 100 failed allocations caught
///                           through a filter, all the one preallocated exception, their finally blocks run; a null
///                           dereference (whose NullReferenceException cannot be allocated) arrives as
///                           OutOfMemoryException instead of failing fast
///   OOM-AFTER null-deref NullReferenceException   and the same dereference once memory is back</summary>
static class GcOutOfMemory
{
    public static int Run()
    {
        long megabytes = FillUntilOutOfMemory();
        Console.WriteLine($"OOM-CAUGHT {megabytes} MiB");
        Gc.Full();
        Console.WriteLine($"OOM-RECOVERED {Refill(megabytes * 3 / 4)} MiB");
        Console.WriteLine($"OOM-HUGE {(HugeThrows() ? "thrown" : "not thrown")}");
        var (caught, same, finallies, nullDeref) = DispatchWhenFull();
        Gc.Full();
        Console.WriteLine($"OOM-DISPATCH caught {caught} same {(same ? 1 : 0)} finally {finallies} null-deref {nullDeref}");
        Console.WriteLine($"OOM-AFTER null-deref {NullDereference()}");
        return 0;
    }

    sealed class Big { public Big? Next; public Payload Data; }
    [InlineArray(120)] struct Payload { long _first; }
    sealed class Tiny { public Tiny? Next; }
    sealed class Holder { public int Value; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static (int Caught, bool Same, int Finallies, string NullDeref) DispatchWhenFull()
    {
        // Fill in two sizes, so that not even a gap for a small exception object is left.
        Big? big = null;
        Tiny? tiny = null;
        try { while (true) big = new Big { Next = big }; } catch (OutOfMemoryException) { }
        try { while (true) tiny = new Tiny { Next = tiny }; } catch (OutOfMemoryException) { }
        int caught = 0, finallies = 0;
        bool same = true;
        Exception? first = null;
        for (int i = 0; i < 100; i++)
        {
            try
            {
                try { GC.KeepAlive(new Tiny()); }
                finally { finallies++; }
            }
            catch (Exception e) when (e is OutOfMemoryException)
            {
                caught++;
                first ??= e;
                same &= ReferenceEquals(first, e);
            }
        }
        int kind = NullDereferenceKind();
        GC.KeepAlive(big);
        GC.KeepAlive(tiny);
        return (caught, same, finallies, kind == 1 ? "OutOfMemoryException" : kind == 2 ? "NullReferenceException" : "other");
    }

    /// <summary>1: OutOfMemoryException, 2: NullReferenceException, 0: nothing thrown; allocates nothing itself.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static int NullDereferenceKind()
    {
        try { Read(null); return 0; }
        catch (OutOfMemoryException) { return 1; }
        catch (NullReferenceException) { return 2; }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Read(Holder? holder) => holder!.Value;

    static string NullDereference() => NullDereferenceKind() switch { 1 => "OutOfMemoryException", 2 => "NullReferenceException", _ => "none" };

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long FillUntilOutOfMemory()
    {
        var live = new List<byte[]>();
        try
        {
            while (true) { live.Add(new byte[1 << 20]); live[^1][12345] = 1; }
        }
        catch (OutOfMemoryException) { }
        long count = 0;
        foreach (var b in live) if (b[12345] == 1) count++;
        return count;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long Refill(long megabytes)
    {
        var again = new List<byte[]>();
        for (long i = 0; i < megabytes; i++) again.Add(Gc.Filled((int)i, 1 << 20));
        long intact = 0;
        for (int i = 0; i < again.Count; i++) if (Gc.Intact(again[i], i)) intact++;
        return intact;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static bool HugeThrows()
    {
        try { GC.KeepAlive(new byte[int.MaxValue - 64]); return false; }
        catch (OutOfMemoryException) { return true; }
    }
}
