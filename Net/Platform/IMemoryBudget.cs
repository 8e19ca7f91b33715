namespace CosmosNet.Net.Platform;

/// <summary>
/// How much memory the machine has left for the stack to use. The kernel's host layer reads its heap figures; tests use
/// a fake they can squeeze. The stack asks before it commits memory (receive windows it advertises, new connections)
/// and degrades — smaller windows, SYN cookies or dropped SYNs — when little is left.
/// </summary>
public interface IMemoryBudget
{
    /// <summary>Bytes that can still be allocated (free heap plus memory the heap can still take), as of now.</summary>
    long AvailableBytes { get; }
}
