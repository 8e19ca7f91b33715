namespace CosmosNet.KernelTests;

/// <summary>The Platform suite: every test by name (registered by the Register methods of the nested test
/// classes). The host (tests/Kernel.Platform.Tests) reads this same list.</summary>
static partial class PlatformSuite
{
    static readonly List<KernelTest> s_tests = new();
    static Check? s_check;

    public static readonly KernelTest[] Tests = Collect();

    static KernelTest[] Collect()
    {
        ClockTests.Register();
        ThreadTests.Register();
        AsyncTests.Register();
        ExceptionTests.Register();
        RandomTests.Register();
        InterruptTests.Register();
        PciTests.Register();
        return s_tests.ToArray();
    }

    /// <summary>Registers a test; its body runs on the thread pool with a 60 s limit.</summary>
    static void Test(string name, Func<Task> body) => s_tests.Add(new KernelTest(name, check =>
    {
        s_check = check;
        Task run = Task.Run(body);
        Task.WhenAny(run, Task.Delay(60_000)).Wait();   // WhenAny never throws: a faulted test is reported below
        if (!run.IsCompleted) check.True(false, "the test did not finish within 60 s");
        else if (run.IsFaulted) check.True(false, "threw " + run.Exception!.InnerException!.GetType().Name + ": " + run.Exception.InnerException.Message);
        s_check = null;
    }));

    static void Test(string name, Action body) => Test(name, () => { body(); return Task.CompletedTask; });

    /// <summary>Records a failure (the first one of a test is reported) unless <paramref name="condition"/>.</summary>
    static void Check(bool condition, string what) => s_check?.True(condition, what);
}
