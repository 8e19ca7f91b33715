using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Long runs: many times the guest's RAM in garbage while a live set is kept and verified byte
/// for byte; churned collections; fragmentation.</summary>
static class StressTests
{
    static long GuestRam => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>QEMU sets CPUID's hypervisor bit, Bochs does not: Bochs runs this suite ~20x slower, so
    /// there the garbage target is a fixed 64 MiB to keep its boot in bounded time.</summary>
    static bool OnBochs => (System.Runtime.Intrinsics.X86.X86Base.CpuId(1, 0).Ecx & (1 << 31)) == 0;

    /// <summary>Allocates 10x the guest's RAM in garbage of mixed sizes (small objects, strings, arrays,
    /// large arrays) while ~8 MiB of buffers, strings and a dictionary stay live and are checked.</summary>
    public static void TenTimesRamOfGarbageWithVerifiedLiveSet(Check c)
    {
        var buffers = new List<byte[]>();
        for (int i = 0; i < 48; i++) buffers.Add(Gc.Filled(i, i % 4 == 0 ? 120_000 : 30_000 + i * 997));
        var dictionary = new Dictionary<int, string>();
        for (int i = 0; i < 20_000; i++) dictionary[i] = "value-" + i;
        var longLived = TreeNode.Build(12, 1);
        long treeSum = longLived.Sum();

        long target = OnBochs ? 64L << 20 : 10 * GuestRam, allocated = 0;
        int startCollections = GC.CollectionCount(0), rounds = 0;
        bool intact = true;
        while (allocated < target)
        {
            allocated += Garbage(rounds);
            if (++rounds % 16 == 0)
            {
                for (int i = 0; i < buffers.Count; i++) intact &= Gc.Intact(buffers[i], i);
                // Replace some of the live set: old buffers become garbage, new ones must survive.
                int slot = rounds / 16 % buffers.Count;
                buffers[slot] = Gc.Filled(slot, buffers[slot].Length);
                dictionary[rounds] = "value-" + rounds;
            }
        }
        for (int i = 0; i < buffers.Count; i++) intact &= Gc.Intact(buffers[i], i);
        bool dictionaryOk = dictionary.Count == 20_000;
        for (int i = 0; i < 20_000; i++) dictionaryOk &= dictionary[i] == "value-" + i;
        c.True(intact);
        c.True(dictionaryOk);
        c.Equal(treeSum, longLived.Sum());
        c.True(allocated >= target);
        int collections = GC.CollectionCount(0) - startCollections;
        c.True(collections > allocated / (64L << 20), $"only {collections} collections for {allocated >> 20} MiB");
        Console.WriteLine($"GC-STRESS {allocated >> 20} MiB of garbage, RAM {GuestRam >> 20} MiB, {collections} collections");
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long Garbage(int round)
    {
        long bytes = 0;
        for (int i = 0; i < 2000; i++) { GC.KeepAlive(new Node(i, null)); bytes += 80; }
        for (int i = 0; i < 200; i++) { GC.KeepAlive(new string('g', 100 + i)); bytes += 250; }
        for (int i = 0; i < 50; i++) { GC.KeepAlive(new int[1000 + i * 10]); bytes += 4000; }
        GC.KeepAlive(new byte[100_000 + round % 7 * 50_000]);
        bytes += 250_000;
        var list = new List<string>();
        for (int i = 0; i < 500; i++) list.Add(i.ToString());
        bytes += 500 * 32 + 4096;
        return bytes;
    }

    public static void DictionaryChurnKeepsLatestValues(Check c)
    {
        var map = new Dictionary<string, byte[]>();
        for (int round = 0; round < 40; round++)
            for (int i = 0; i < 500; i++) map["key" + i] = Gc.Filled(round + i, 200);
        Gc.Full();
        bool ok = map.Count == 500;
        for (int i = 0; i < 500; i++) ok &= Gc.Intact(map["key" + i], 39 + i);
        c.True(ok);
    }

    public static void FragmentedHeapStillServesLargeArrays(Check c)
    {
        var keep = new List<byte[]>();
        for (int i = 0; i < 4000; i++)
        {
            var b = new byte[1000 + i % 5 * 300];
            if (i % 2 == 0) keep.Add(b);
        }
        Gc.Full();
        var large = new byte[6_000_000];
        large[^1] = 9;
        var smalls = new List<int[]>();
        for (int i = 0; i < 3000; i++) smalls.Add(new int[50]);
        c.Equal(2000, keep.Count);
        c.Equal((byte)9, large[^1]);
        c.Equal(3000, smalls.Count);
    }

    public static void CollectionsDuringDeepRecursionKeepFrames(Check c)
    {
        // References held only in the frames of a deep recursion (and in registers) survive.
        c.Equal(Expected(200), Recurse(200));
    }

    static long Expected(int depth) { long s = 0; for (int i = 0; i <= depth; i++) s += i; return s; }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long Recurse(int depth)
    {
        var mine = new Node(depth, null);
        if (depth % 50 == 0) GC.Collect();
        long below = depth == 0 ? 0 : Recurse(depth - 1);
        for (int i = 0; i < 100; i++) GC.KeepAlive(new byte[64]);
        return below + mine.Value;
    }

    public static void ManyForcedCollectionsInARow(Check c)
    {
        var list = new List<Node>();
        for (int i = 0; i < 100; i++) { list.Add(new Node(i, null)); GC.Collect(); }
        int sum = 0;
        foreach (var n in list) sum += n.Value;
        c.Equal(4950, sum);
    }
}
