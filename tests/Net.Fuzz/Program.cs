using CosmosNet.Net.Simulation;
using SharpFuzz;

// Under afl-fuzz: no arguments, one input per iteration on stdin (SharpFuzz's persistent mode).
// Otherwise: `--seeds DIR` writes the starting corpus; `--replay FILE...` runs inputs and reports exceptions.
switch (args)
{
    case ["--seeds", var dir]:
        StackFuzzSeeds.Write(dir);
        return 0;
    case ["--replay", .. var files]:
        int failed = 0;
        foreach (var file in files)
        {
            try { Console.WriteLine($"ok    {file}\n{StackFuzzTarget.Run(File.ReadAllBytes(file))}"); }
            catch (Exception e) { failed++; Console.WriteLine($"CRASH {file}: {e}"); }
        }
        return failed == 0 ? 0 : 1;
    case []:
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            StackFuzzTarget.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        });
        return 0;
    default:
        Console.Error.WriteLine("usage: CosmosNet.Net.Fuzz [--seeds DIR | --replay FILE...]   (no arguments: run under afl-fuzz)");
        return 2;
}
