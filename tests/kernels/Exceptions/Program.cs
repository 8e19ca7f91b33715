using CosmosNet.KernelTests;

// Without arguments: run the suite. The other modes let the host check how the kernel ends:
//   --unhandled   an exception nobody catches  -> "PANIC: Unhandled exception: System.InvalidOperationException: ..."
//                 followed by the stack trace naming the throwing methods, QEMU status 3
//   --overflow    unbounded recursion           -> "PANIC: stack overflow", QEMU status 3
//   --overflow-large                             the same with 16 KiB frames (stack probes)
//   --overflow-thread / --unhandled-thread       the same on a second thread
//   --measure     prints the cost of a throw caught 1 and 20 frames up (not a test: TCG timing)
return args.FirstOrDefault() switch
{
    "--unhandled" => Fatal.ThrowUnhandled(),
    "--overflow" => Fatal.Recurse(1),
    "--overflow-large" => Fatal.RecurseLarge(1),
    "--measure" => Fatal.MeasureThrowCost(),
    "--unhandled-thread" => Fatal.OnThread(() => Fatal.ThrowUnhandled()),
    "--overflow-thread" => Fatal.OnThread(() => Fatal.Recurse(1)),
    _ => KernelTestRunner.Run("Exceptions", ExceptionsSuite.Tests),
};
