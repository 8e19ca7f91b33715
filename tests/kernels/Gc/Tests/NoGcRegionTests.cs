using System.Runtime.CompilerServices;
using CosmosNet.Kernel;

namespace CosmosNet.KernelTests;

/// <summary>GC.TryStartNoGCRegion / EndNoGCRegion: inside a region the collector does not stop the program
/// at all; going over the amount, or GC.Collect, ends it and EndNoGCRegion says so.</summary>
static class NoGcRegionTests
{
    public static void NoPauseWhileAllocatingLessThanTheAmount(Check c)
    {
        if (!GC.TryStartNoGCRegion(6L << 20)) { c.True(false, "TryStartNoGCRegion(6 MiB) refused"); return; }
        long pauses = GcDiagnostics.PauseCount;
        int collections = GC.CollectionCount(0);
        c.Equal(System.Runtime.GCLatencyMode.NoGCRegion, System.Runtime.GCSettings.LatencyMode);
        long allocated = Allocate(5L << 20);
        long pausesInside = GcDiagnostics.PauseCount - pauses;
        int collectionsInside = GC.CollectionCount(0) - collections;
        GC.EndNoGCRegion();
        c.True(allocated >= 5L << 20);
        c.True(System.Runtime.GCSettings.LatencyMode != System.Runtime.GCLatencyMode.NoGCRegion);
        c.Equal(0L, pausesInside);
        c.Equal(0, collectionsInside);
    }

    public static void AllocatingMoreThanTheAmountEndsTheRegion(Check c)
    {
        c.True(GC.TryStartNoGCRegion(1L << 20));
        Allocate(8L << 20);
        c.True(Throws<InvalidOperationException>(GC.EndNoGCRegion));
        long pauses = GcDiagnostics.PauseCount;
        Allocate(16L << 20);
        c.True(GcDiagnostics.PauseCount > pauses, "the collector did not resume");
    }

    public static void CollectEndsTheRegion(Check c)
    {
        c.True(GC.TryStartNoGCRegion(4L << 20));
        GC.Collect();
        c.True(Throws<InvalidOperationException>(GC.EndNoGCRegion));
    }

    public static void NestingAndEndingTwiceAreErrors(Check c)
    {
        c.True(Throws<InvalidOperationException>(GC.EndNoGCRegion));
        c.True(GC.TryStartNoGCRegion(2L << 20));
        c.True(Throws<InvalidOperationException>(() => GC.TryStartNoGCRegion(2L << 20)));
        GC.EndNoGCRegion();
        c.True(Throws<InvalidOperationException>(GC.EndNoGCRegion));
    }

    public static void MoreThanRamIsRefused(Check c)
    {
        long ram = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        c.True(Throws<ArgumentOutOfRangeException>(() => GC.TryStartNoGCRegion(2 * ram)));
        c.True(Throws<InvalidOperationException>(GC.EndNoGCRegion));
    }

    static bool Throws<T>(Action action) where T : Exception
    {
        try { action(); return false; }
        catch (T) { return true; }
    }

    /// <summary>Small objects and 1 KiB arrays, dropped at once; returns the bytes allocated.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    static long Allocate(long bytes)
    {
        long done = 0;
        while (done < bytes)
        {
            GC.KeepAlive(new object());
            GC.KeepAlive(new byte[1000]);
            done += 24 + 1024;
        }
        return done;
    }
}
