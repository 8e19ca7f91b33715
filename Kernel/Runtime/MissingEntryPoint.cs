using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Target of weak stand-ins (e.g. Apps/KernelTests/missing.asm) for entry points an image links
/// but nothing implements yet: calling one panics with its name.</summary>
internal static unsafe class MissingEntryPoint
{
    [UnmanagedCallersOnly(EntryPoint = "cosmos_missing_entry_point")]
    static void Called(byte* name)
    {
        int length = 0;
        while (name[length] != 0) length++;
        Panic.Halt(new ReadOnlySpan<byte>(name, length));
    }
}
