using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>Collections that do not leave dead objects findable by the conservative stack scan: stale
/// references in dead stack slots below the caller are overwritten before collecting.</summary>
static class Gc
{
    [InlineArray(2048)]
    struct Zeros { nint _element; }

    /// <summary>Zeroes 16 KiB of stack right below the caller's frame: a zero-initialised local fills this
    /// frame, so the frames of the next call (GC.Collect's) start out clean.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ScrubStack()
    {
        Zeros zeros = default;
        Touch(ref zeros);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void Touch(ref Zeros zeros) => zeros[7] = 0;

    /// <summary>GC.GetTotalMemory(true) measured from a clean stack.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long TotalMemory()
    {
        ScrubStack();
        return MeasureTotalMemory();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static long MeasureTotalMemory()
    {
        CollectTwice();
        ScrubStack();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>Full collection, pending finalizers run, and a second collection to free what they released.
    /// Inlined into the test so that no frame of ours holding stale slots sits between the test's frame
    /// and the zeroed stack the collection runs on.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Full()
    {
        ScrubStack();
        CollectTwice();
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static void CollectTwice()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ScrubStack();
        GC.Collect();
    }

    /// <summary>A deterministic byte pattern for buffer <paramref name="seed"/>.</summary>
    public static byte Pattern(int seed, int index) => (byte)(seed * 31 + index * 7 + (index >> 8));

    public static byte[] Filled(int seed, int length)
    {
        var buffer = new byte[length];
        for (int i = 0; i < length; i++) buffer[i] = Pattern(seed, i);
        return buffer;
    }

    public static bool Intact(byte[] buffer, int seed)
    {
        for (int i = 0; i < buffer.Length; i++) if (buffer[i] != Pattern(seed, i)) return false;
        return true;
    }
}

sealed class Node(int value, Node? next)
{
    public int Value = value;
    public Node? Next = next;
    public string Label = "n" + value;
}

sealed class TreeNode
{
    public TreeNode? Left, Right;
    public long Key;
    public static TreeNode Build(int depth, long key) =>
        new() { Key = key, Left = depth == 0 ? null : Build(depth - 1, key * 2), Right = depth == 0 ? null : Build(depth - 1, key * 2 + 1) };
    public long Sum() => Key + (Left?.Sum() ?? 0) + (Right?.Sum() ?? 0);
    public int Count() => 1 + (Left?.Count() ?? 0) + (Right?.Count() ?? 0);
}

struct Mixed
{
    public long A;
    public string S;
    public int B;
    public object O;
}
