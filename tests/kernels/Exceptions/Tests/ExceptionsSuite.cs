namespace CosmosNet.KernelTests;

/// <summary>The Exceptions suite: every test by name. The host (tests/Kernel.Tests) reads this same list.</summary>
public static class ExceptionsSuite
{
    public static readonly KernelTest[] Tests =
    [
        new("Catch_SameFrame", BasicTests.CatchSameFrame),
        new("Catch_AcrossTwoFrames", BasicTests.CatchAcrossTwoFrames),
    ];
}
