using CosmosNet.KernelTests;

// Without arguments: run the suite. The other modes let the host check how the kernel ends:
//   --throw      an unhandled exception  -> "PANIC: Unhandled exception: <type>: <message>", QEMU status 3
//   --null       a null dereference      -> "PANIC: page fault ... (null dereference)", QEMU status 3
//   --crash      an exception thrown three calls deep -> the symbolized frames and the CRASH record (panic=reboot: a reset)
//   --overflow   unbounded recursion    -> "PANIC: stack overflow" with the recursing frames, named
//   --exit N     Main returns N          -> QEMU status 5 when N != 0
//   --args ...   echoes the arguments    -> "ARGS a|b|c"
//   --memory     reads the first and last word of every usable RAM region the loader reported
//                -> "MEMORY <regions> <MiB> <highest end>" (a missing mapping would fault)
return args.FirstOrDefault() switch
{
    "--throw" => throw new InvalidOperationException("thrown by the test kernel"),
    "--null" => DereferenceNull(),
    "--crash" => Crasher.Outer(),
    "--overflow" => Crasher.Recurse(0),
    "--exit" => int.Parse(args[1]),
    "--args" => EchoArguments(args),
    "--memory" => TouchAllMemory(),
    _ => KernelTestRunner.Run("Language", LanguageSuite.Tests),
};

static unsafe int DereferenceNull()
{
    int* pointer = null;
    return *pointer;
}

static int EchoArguments(string[] args)
{
    Console.WriteLine("ARGS " + string.Join("|", args.Skip(1)));
    return 0;
}

static unsafe int TouchAllMemory()
{
    int regions = 0;
    ulong bytes = 0, highest = 0, checksum = 0;
    for (int i = 0; i < CosmosNet.Kernel.Memory.MemoryMap.Count; i++)
    {
        var region = CosmosNet.Kernel.Memory.MemoryMap.Get(i);
        if (region.Type != CosmosNet.Kernel.Memory.MemoryRegionType.Usable || region.Length < 16) continue;
        ulong first = region.Base == 0 ? 4096 : region.Base; // page 0 is deliberately unmapped
        checksum += *(ulong*)first + *(ulong*)((region.End - 8) & ~7UL);
        regions++;
        bytes += region.Length;
        highest = Math.Max(highest, region.End);
    }
    Console.WriteLine($"MEMORY {regions} {bytes >> 20} 0x{highest:x} (checksum {checksum & 0xff})");
    return 0;
}

/// <summary>Named frames for the panic tests: Outer -> Middle -> Inner throws.</summary>
static class Crasher
{
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static int Outer() => Middle() + 1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static int Middle() => Inner() + 1;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static int Inner() => throw new InvalidOperationException("crash record \"test\"\nsecond line");

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public static unsafe int Recurse(int depth)
    {
        byte* pad = stackalloc byte[256];
        pad[depth & 255] = (byte)depth;
        return Recurse(depth + 1) + pad[(depth + 1) & 255];
    }
}
