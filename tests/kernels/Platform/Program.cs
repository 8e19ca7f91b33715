// The Platform test kernel: interrupts, clocks, timers, randomness, threads and async/await, each test
// asserting values (tests/Kernel.Platform.Tests/PlatformSuiteTests.cs boots it and also compares its clock with
// the host's). Main is async on purpose: `static async Task Main` must work.
using System.Diagnostics;
using CosmosNet.KernelTests;

static partial class Program
{
    static readonly List<KernelTest> s_tests = new();
    static Check? s_check;

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

    static async Task<int> Main()
    {
        await Task.Yield();
        ClockTests.Register();
        ThreadTests.Register();
        AsyncTests.Register();
        ExceptionTests.Register();
        RandomTests.Register();
        InterruptTests.Register();
        PciTests.Register();
        return KernelTestRunner.Run("Platform", s_tests.ToArray());
    }
}
