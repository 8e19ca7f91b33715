using System.Runtime;

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

    [RuntimeExport("RhGetRuntimeVersion")] static void RhGetRuntimeVersion() => Panic.NotImplemented("RhGetRuntimeVersion");
}
