using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Arch.X64;

/// <summary>CPUID queries and the hardware random instructions (Kernel/Asm/threads.asm).</summary>
internal static unsafe class CpuFeatures
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_cpuid")] static extern void Cpuid(uint leaf, uint subleaf, uint* out4);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_rdrand")] static extern bool RdRand(ulong* value);
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_rdseed")] static extern bool RdSeed(ulong* value);

    static uint Register(uint leaf, int index)
    {
        uint* r = stackalloc uint[4];
        Cpuid(0, 0, r);
        uint maxLeaf = r[0];
        if (leaf > maxLeaf && leaf < 0x80000000) return 0;
        Cpuid(leaf, 0, r);
        return r[index];
    }

    public static bool HasRdrand => (Register(1, 2) & (1u << 30)) != 0;
    public static bool HasRdseed => (Register(7, 1) & (1u << 18)) != 0;
    public static bool HasTscDeadline => (Register(1, 2) & (1u << 24)) != 0;

    /// <summary>A hardware random word (RDSEED preferred, then RDRAND, with the usual retries); false
    /// when the CPU has neither or keeps failing.</summary>
    public static bool TryHardwareRandom(out ulong value)
    {
        ulong v = 0;
        bool ok = false;
        if (HasRdseed) for (int i = 0; i < 32 && !ok; i++) ok = RdSeed(&v);
        if (!ok && HasRdrand) for (int i = 0; i < 32 && !ok; i++) ok = RdRand(&v);
        value = v;
        return ok;
    }
}

/// <summary>The one-CPU critical section: interrupts off, previous state restored (nests).</summary>
internal static class InterruptGuard
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_interrupts_save_disable")] public static extern ulong Disable();
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_interrupts_restore")] public static extern void Restore(ulong flags);
}
