namespace CosmosNet.Kernel.Hal;

/// <summary>Device registers: a memory BAR mapped uncached at its physical address (so the pointer is the
/// physical address).</summary>
public static unsafe class Mmio
{
    /// <summary>Maps <paramref name="length"/> bytes of device memory at <paramref name="physical"/>; mapping an
    /// already mapped range again is harmless. Access it through <c>(byte*)physical</c> with volatile reads/writes.</summary>
    public static void Map(ulong physical, ulong length) => Arch.X64.Paging.MapMmio(physical, length);

    /// <summary>Register accesses through the accessors below since boot: an emulator runs each one
    /// synchronously in its device model, so they are what a driver should batch (the profiler reports them
    /// per request). Drivers access registers only through these.</summary>
    public static ulong Reads, Writes;

    public static byte Read8(byte* register) { Reads++; return Volatile.Read(ref *register); }
    public static ushort Read16(byte* register) { Reads++; return Volatile.Read(ref *(ushort*)register); }
    public static uint Read32(byte* register) { Reads++; return Volatile.Read(ref *(uint*)register); }
    public static void Write8(byte* register, byte value) { Writes++; Volatile.Write(ref *register, value); }
    public static void Write16(byte* register, ushort value) { Writes++; Volatile.Write(ref *(ushort*)register, value); }
    public static void Write32(byte* register, uint value) { Writes++; Volatile.Write(ref *(uint*)register, value); }
}

/// <summary>Memory a device reads and writes (rings, buffers): identity-mapped, so a pointer's value is the
/// physical address to program into the device. Never freed, never moved by the GC.</summary>
public static unsafe class DmaMemory
{
    /// <summary>Zeroed, 4 KiB-aligned pages; panics when physical memory is exhausted (a driver's rings are
    /// allocated once at probe).</summary>
    public static void* AllocatePages(ulong count) => Memory.PhysicalMemory.AllocatePages(count);

    /// <summary><paramref name="bytes"/> aligned to <paramref name="alignment"/> (a power of two), not zeroed;
    /// null when no memory is left.</summary>
    public static void* Allocate(ulong bytes, ulong alignment = 4096) => Memory.PhysicalMemory.Allocate(bytes, alignment);
}
