using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>X86Base.CpuId (CoreLib calls the runtime for it).</summary>
internal static unsafe class CpuId
{
    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_cpuid")]
    static extern void Cpuid(uint leaf, uint subleaf, uint* out4);

    /// <summary>cpuInfo[0..3] = eax, ebx, ecx, edx of CPUID(functionId, subFunctionId).</summary>
    [RuntimeExport("RhCpuIdEx")]
    static void RhCpuIdEx(int* cpuInfo, int functionId, int subFunctionId) => Cpuid((uint)functionId, (uint)subFunctionId, (uint*)cpuInfo);
}
