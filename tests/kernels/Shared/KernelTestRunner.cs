namespace CosmosNet.KernelTests;

/// <summary>Runs a suite inside the kernel and reports on the serial console, one line per event:
///   KTEST-SUITE name count
///   KTEST-START test            (before the test runs: a panic after it names the culprit)
///   KTEST-PASS test | KTEST-FAIL test message
///   KTEST-DONE passed failed
/// tests/Kernel.Tests parses exactly these lines.</summary>
public static class KernelTestRunner
{
    public static int Run(string suite, KernelTest[] tests)
    {
        Console.WriteLine($"KTEST-SUITE {suite} {tests.Length}");
        int passed = 0, failed = 0;
        foreach (var test in tests)
        {
            Console.WriteLine($"KTEST-START {test.Name}");
            var check = new Check();
            test.Run(check);
            if (check.Failure is null) { passed++; Console.WriteLine($"KTEST-PASS {test.Name}"); }
            else { failed++; Console.WriteLine($"KTEST-FAIL {test.Name} {check.Failure.Replace('\n', ' ')}"); }
        }
        Console.WriteLine($"KTEST-DONE {passed} {failed}");
        return failed == 0 ? 0 : 1;
    }
}
