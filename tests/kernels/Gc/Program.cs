using CosmosNet.KernelTests;

// Every collection cycle is checked by a second, stop-the-world trace: an object the incremental marking
// left unmarked though reachable halts the kernel (a write barrier was bypassed).
CosmosNet.Kernel.GcDiagnostics.VerifyEveryCycle = true;

// Without arguments: run the GC suite (--only <prefix>: the tests whose names start with it). --oom: fill RAM with a live set until OutOfMemoryException
// (reported as "OOM-CAUGHT <MiB>" when caught, then the freed memory is proven reusable: "OOM-RECOVERED").
return args.FirstOrDefault() switch
{
    "--oom" => GcOutOfMemory.Run(),
    "--only" => KernelTestRunner.Run("Gc", GcSuite.Tests.Where(t => t.Name.StartsWith(args[1])).ToArray()),
    _ => KernelTestRunner.Run("Gc", GcSuite.Tests),
};
