using CosmosNet.KernelTests;

// Without arguments: run the suite. The other modes let the host check how the kernel ends:
//   --throw      an unhandled exception  -> "PANIC: Unhandled exception: <type>: <message>", QEMU status 3
//   --null       a null dereference      -> "PANIC: page fault ... (null dereference)", QEMU status 3
//   --exit N     Main returns N          -> QEMU status 5 when N != 0
//   --args ...   echoes the arguments    -> "ARGS a|b|c"
return args.FirstOrDefault() switch
{
    "--throw" => throw new InvalidOperationException("thrown by the test kernel"),
    "--null" => DereferenceNull(),
    "--exit" => int.Parse(args[1]),
    "--args" => EchoArguments(args),
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
