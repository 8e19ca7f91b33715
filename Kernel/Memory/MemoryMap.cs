using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Memory;

internal enum MemoryRegionType : uint { Usable = 1, Reserved = 2, AcpiReclaimable = 3, AcpiNvs = 4, Bad = 5 }

internal struct MemoryRegion
{
    public ulong Base;
    public ulong Length;
    public MemoryRegionType Type;
    public readonly ulong End => Base + Length;
}

/// <summary>The bootloader's memory map (Multiboot1), copied out of the loader's memory at the first
/// instruction of C# so nothing depends on where the loader left it.</summary>
internal static unsafe class MemoryMap
{
    public const int MaxRegions = 64;

    [InlineArray(MaxRegions)]
    struct RegionArray { MemoryRegion _first; }

    static RegionArray s_regions;
    static int s_count;

    public static int Count => s_count;
    public static MemoryRegion Get(int index) => s_regions[index];

    /// <summary>Total usable RAM in bytes.</summary>
    public static ulong UsableBytes
    {
        get
        {
            ulong total = 0;
            for (int i = 0; i < s_count; i++) if (s_regions[i].Type == MemoryRegionType.Usable) total += s_regions[i].Length;
            return total;
        }
    }

    /// <summary>Reads the Multiboot1 information structure. Returns false without a memory map.</summary>
    internal static bool ReadMultiboot(byte* info)
    {
        uint flags = *(uint*)info;
        if ((flags & (1 << 6)) == 0) return false;
        uint length = *(uint*)(info + 44);
        byte* entry = (byte*)(ulong)*(uint*)(info + 48);
        byte* end = entry + length;
        while (entry < end && s_count < MaxRegions)
        {
            uint size = *(uint*)entry;            // size of the entry, not counting this field
            var type = *(uint*)(entry + 20);
            ref MemoryRegion r = ref s_regions[s_count++];
            r.Base = *(ulong*)(entry + 4);
            r.Length = *(ulong*)(entry + 12);
            r.Type = type is >= 1 and <= 5 ? (MemoryRegionType)type : MemoryRegionType.Reserved;
            entry += size + 4;
        }
        return s_count > 0;
    }
}
