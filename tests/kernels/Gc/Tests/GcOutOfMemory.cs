using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>The --oom mode: a live set that grows past the guest's RAM must end in OutOfMemoryException
/// (not a hang or corruption), and once it is dropped the memory is usable again. Reports
///   OOM-CAUGHT n MiB        the live set that fitted when the exception came
///   OOM-RECOVERED n MiB     allocated again (and kept) after dropping it
///   OOM-HUGE thrown         a single array larger than RAM</summary>
static class GcOutOfMemory
{
    public static int Run()
    {
        long megabytes = FillUntilOutOfMemory();
        Console.WriteLine($"OOM-CAUGHT {megabytes} MiB");
        Gc.Full();
        Console.WriteLine($"OOM-RECOVERED {Refill(megabytes * 3 / 4)} MiB");
        Console.WriteLine($"OOM-HUGE {(HugeThrows() ? "thrown" : "not thrown")}");
        return 0;
    }

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
