using CosmosNet.KernelTests;

// Without arguments: run the GC suite. --oom: fill RAM with a live set until OutOfMemoryException
// (reported as "OOM-CAUGHT <MiB>" when caught, then the freed memory is proven reusable: "OOM-RECOVERED").
return args.FirstOrDefault() switch
{
    "--oom" => GcOutOfMemory.Run(),
    _ => KernelTestRunner.Run("Gc", GcSuite.Tests),
};
