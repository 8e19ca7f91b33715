using CosmosNet.Net.Platform;

namespace CosmosNet.Net.Tests.Tcp;

/// <summary>A memory budget the test sets by hand.</summary>
public sealed class FakeMemoryBudget : IMemoryBudget
{
    public long AvailableBytes { get; set; }
}
