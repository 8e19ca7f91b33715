using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Start-up queries: AppContext knobs compiled into the image, runtime version.</summary>
internal static unsafe class Startup
{
    /// <summary>g_compilerEmbeddedKnobsBlob: u32 count, then count key pointers, then count value pointers.</summary>
    [RuntimeExport("RhGetKnobValues")]
    static uint RhGetKnobValues(byte*** keys, byte*** values)
    {
        byte* blob = Image.Current->KnobsBlob;
        uint count = *(uint*)blob;
        *keys = (byte**)(blob + 8);
        *values = *keys + count;
        return count;
    }

    /// <summary>The runtime's product version as UTF-8 (Environment.Version, RuntimeInformation.FrameworkDescription):
    /// that of the ILCompiler/CoreLib the image is built with (global.json pins it).</summary>
    [RuntimeExport("RhGetRuntimeVersion")]
    static byte* RhGetRuntimeVersion(int* length)
    {
        ReadOnlySpan<byte> version = "10.0.12"u8;
        *length = version.Length;
        return (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(version));
    }
}
