// The Platform test kernel: interrupts, clocks, timers, randomness, threads and async/await, each test
// asserting values (tests/Kernel.Platform.Tests boots it and also compares its clock with the host's; the
// tests are listed in Tests/PlatformSuite.cs). Main is async on purpose: `static async Task Main` must work.
using CosmosNet.KernelTests;

static class Program
{
    static async Task<int> Main()
    {
        await Task.Yield();
        return KernelTestRunner.Run("Platform", PlatformSuite.Tests);
    }
}
