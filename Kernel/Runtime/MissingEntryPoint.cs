using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Target of weak stand-ins an app's assembly may declare for entry points its image links but
/// nothing implements yet: calling one panics with its name. No file in this tree declares one today.</summary>
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
