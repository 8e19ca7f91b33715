using System.Runtime.CompilerServices;

namespace CosmosNet.KernelTests;

/// <summary>The --oom mode: a live set that grows past the guest's RAM must end in OutOfMemoryException
/// (not a hang or corruption), and once it is dropped the memory is usable again.</summary>
static class GcOutOfMemory
{
    public static int Run()
    {
        var live = new List<byte[]>();
        long megabytes = 0;
        try
        {
            while (true) { live.Add(new byte[1 << 20]); live[^1][12345] = 1; megabytes++; }
        }
        catch (OutOfMemoryException)
        {
            int count = live.Count;
            live = null!;
            Console.WriteLine($"OOM-CAUGHT {megabytes} MiB");
        }
        Gc.Full();
        var again = new List<byte[]>();
        for (int i = 0; i < megabytes / 2; i++) again.Add(new byte[1 << 20]);
        Console.WriteLine($"OOM-RECOVERED {again.Count} MiB");
        try
        {
            GC.KeepAlive(new byte[int.MaxValue - 64]);
            Console.WriteLine("OOM-HUGE not thrown");
        }
        catch (OutOfMemoryException) { Console.WriteLine("OOM-HUGE thrown"); }
        return 0;
    }
}
