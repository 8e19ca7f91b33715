using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>The modes that end the kernel (checked by the host through the serial output).</summary>
static class Fatal
{
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int ThrowUnhandled() => Inner(3);

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int Inner(int depth) => depth == 0 ? throw new InvalidOperationException("nobody catches this") : Inner(depth - 1) + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int Recurse(int depth)
    {
        Span<byte> frame = stackalloc byte[256];
        frame[0] = (byte)depth;
        return Recurse(depth + 1) + frame[0];
    }

    /// <summary>Recursion with 16 KiB frames: the prologue's stack probe hits the guard page.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static int RecurseLarge(int depth)
    {
        LargeFrame frame = default;
        frame[depth % 4096] = depth;
        return RecurseLarge(depth + 1) + frame[depth % 4096];
    }

    [InlineArray(4096)]
    public struct LargeFrame { int _element; }

    public static int MeasureThrowCost()
    {
        foreach (int depth in new[] { 1, 20 })
        {
            const int Throws = 2000;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            for (int i = 0; i < Throws; i++)
            {
                try { ThrowAt(depth); }
                catch (InvalidOperationException) { }
            }
            Console.WriteLine($"MEASURE throw+catch across {depth} frames: {watch.Elapsed.TotalMicroseconds / Throws:F1} us");
        }
        return 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    static int ThrowAt(int depth) => depth <= 1 ? throw new InvalidOperationException() : ThrowAt(depth - 1) + 1;

    public static int OnThread(Action action)
    {
        var thread = new Thread(() => action());
        thread.Start();
        thread.Join();
        return 0;
    }
}
