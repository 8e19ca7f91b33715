using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

sealed class Blob { public long A, B; }

/// <summary>Unreachable objects really are freed, and the memory figures say so exactly.</summary>
static class ReclaimTests
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference MakeGarbage() => new WeakReference(new Node(1, new Node(2, null)));

    public static void WeakReferenceGoesNullWhenUnreachable(Check c)
    {
        var weak = MakeGarbage();
        Gc.Full();
        c.False(weak.IsAlive);
        c.True(weak.Target is null);
    }

    public static void WeakReferenceStaysWhileReachable(Check c)
    {
        var node = new Node(5, null);
        var weak = new WeakReference<Node>(node);
        Gc.Full();
        c.True(weak.TryGetTarget(out var target) && ReferenceEquals(node, target));
        GC.KeepAlive(node);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference[] MakeGraph()
    {
        var tree = TreeNode.Build(8, 1);
        return [new WeakReference(tree), new WeakReference(tree.Left!.Left), new WeakReference(tree.Right!.Right!.Right)];
    }

    public static void WholeGraphFreedWhenRootDropped(Check c)
    {
        var weak = MakeGraph();
        Gc.Full();
        c.False(weak[0].IsAlive);
        c.False(weak[1].IsAlive);
        c.False(weak[2].IsAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static byte[] NewArray(int length) => new byte[length];

    public static void TotalMemoryGrowsByExactArraySize(Check c)
    {
        long before = Gc.TotalMemory();
        var array = NewArray(1_000_000);
        long after = Gc.TotalMemory();
        c.Equal(1_000_024L, after - before);   // 8 header + 8 MethodTable + 8 length + data
        GC.KeepAlive(array);
    }

    public static void TotalMemoryGrowsByExactObjectSizes(Check c)
    {
        long before = Gc.TotalMemory();
        var blobs = new Blob[1000];
        for (int i = 0; i < blobs.Length; i++) blobs[i] = new Blob { A = i, B = -i };
        long after = Gc.TotalMemory();
        c.Equal(24L + 8000 + 1000 * 32, after - before);
        GC.KeepAlive(blobs);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void AllocateAndDrop(int megabytes)
    {
        var keep = new List<byte[]>();
        for (int i = 0; i < megabytes; i++) keep.Add(new byte[1 << 20]);
        GC.KeepAlive(keep);
    }

    public static void TotalMemoryReturnsAfterRelease(Check c)
    {
        long before = Gc.TotalMemory();
        AllocateAndDrop(8);
        long after = Gc.TotalMemory();
        c.True(after - before < 64 * 1024, $"{after - before} bytes still counted");
    }

    public static void FreedMemoryIsReused(Check c)
    {
        AllocateAndDrop(8);   // the heap grows once to hold 8 MiB ...
        Gc.Full();
        long committed = GC.GetGCMemoryInfo().TotalCommittedBytes;
        for (int round = 0; round < 6; round++) { AllocateAndDrop(8); Gc.Full(); }
        long grown = GC.GetGCMemoryInfo().TotalCommittedBytes - committed;
        // ... then reuses it. A leak would grow it by 8 MiB a round; one more large-object growth step (8 MiB)
        // can happen when a collection cycle in progress and the small-object space have split the empty units.
        c.True(grown <= 8L << 20, $"heap grew by {grown} bytes for 48 MiB more allocated and dropped");
    }

    public static void CollectionCountCountsEveryCollection(Check c)
    {
        int before = GC.CollectionCount(0);
        for (int i = 0; i < 5; i++) GC.Collect();
        c.Equal(before + 5, GC.CollectionCount(0));
        c.Equal(GC.CollectionCount(0), GC.CollectionCount(1));
        c.Equal(GC.CollectionCount(0), GC.CollectionCount(GC.MaxGeneration));
        c.Equal(2, GC.MaxGeneration);
    }

    public static void GcMemoryInfoDescribesTheLastCollection(Check c)
    {
        Gc.Full();
        var info = GC.GetGCMemoryInfo();
        c.Equal((long)GC.CollectionCount(0), info.Index);
        c.Equal(2, info.Generation);
        c.False(info.Compacted);
        c.False(info.Concurrent);
        c.True(info.HeapSizeBytes > 0 && info.HeapSizeBytes <= GC.GetTotalMemory(false));
        c.Equal(info.HeapSizeBytes, info.PromotedBytes);
        c.True(info.TotalCommittedBytes >= info.HeapSizeBytes);
        c.True(info.TotalAvailableMemoryBytes > 16L << 20 && info.TotalAvailableMemoryBytes < 8L << 30);
        c.True(info.PauseDurations[0] > TimeSpan.Zero && info.PauseDurations[0] < TimeSpan.FromSeconds(10));
    }

    public static void TotalAllocatedBytesAdvances(Check c)
    {
        long before = GC.GetTotalAllocatedBytes();
        GC.KeepAlive(NewArray(100_000));
        c.True(GC.GetTotalAllocatedBytes() - before >= 100_024);
    }

    public static void LargeObjectsAreFreedToo(Check c)
    {
        var weak = new WeakReference[4];
        for (int i = 0; i < weak.Length; i++) weak[i] = WeakLarge(500_000 * (i + 1));
        Gc.Full();
        bool anyAlive = false;
        foreach (var w in weak) anyAlive |= w.IsAlive;
        c.False(anyAlive);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static WeakReference WeakLarge(int length) => new WeakReference(new byte[length]);
}
