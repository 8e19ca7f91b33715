using System.Runtime;
using CosmosNet.Kernel.Memory;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The runtime's view of the one module ILC produced: its ReadyToRun header (signature "RTR",
/// major version 16 for ILCompiler 10.0.12) lists the sections CoreLib asks for by id. Managed code reads
/// only OsHandle @0 and Header @8 of a TypeManager; the rest is ours.</summary>
internal static unsafe class Modules
{
    const uint ReadyToRunSignature = 0x00525452;
    const ushort SupportedMajorVersion = 16;

    public struct TypeManager
    {
        public nint OsHandle;
        public byte* Header;
        public nint* ClasslibFunctions;
        public int ClasslibFunctionCount;
    }

    static nint s_osModule;
    static TypeManager* s_typeManager;

    /// <summary>The module's TypeManager (for the exception dispatcher and the GC).</summary>
    public static TypeManager* TypeManagerOfKernel => s_typeManager;

    [RuntimeExport("RhpRegisterOsModule")]
    static nint RhpRegisterOsModule(nint osModule)
    {
        s_osModule = osModule;
        return osModule;
    }

    [RuntimeExport("RhpCreateTypeManager")]
    static TypeManager* RhpCreateTypeManager(nint osModule, byte* header, nint* classlibFunctions, int count)
    {
        if (*(uint*)header != ReadyToRunSignature || *(ushort*)(header + 4) != SupportedMajorVersion)
            Panic.Halt("RhpCreateTypeManager: ReadyToRun header is not version 16 (ILCompiler 10.0.x expected)"u8);
        var tm = (TypeManager*)NativeHeap.Allocate((ulong)sizeof(TypeManager));
        tm->OsHandle = osModule;
        tm->Header = header;
        tm->ClasslibFunctions = classlibFunctions;
        tm->ClasslibFunctionCount = count;
        s_typeManager = tm;
        return tm;
    }

    /// <summary>Takes a POINTER to the TypeManagerHandle (CoreLib passes it by ref).</summary>
    [RuntimeExport("RhpGetModuleSection")]
    static void* RhpGetModuleSection(TypeManager** handle, int sectionId, int* length) => FindSection(*handle, sectionId, length);

    [RuntimeExport("RhFindBlob")]
    static bool RhFindBlob(TypeManager** handle, uint blobId, byte** blob, uint* length)
    {
        int size;
        void* section = FindSection(*handle, 300 + (int)blobId, &size);
        *blob = (byte*)section;
        *length = (uint)size;
        return section != null;
    }

    static void* FindSection(TypeManager* tm, int sectionId, int* length)
    {
        byte* header = tm->Header;
        int rows = *(ushort*)(header + 12);
        int rowSize = header[14];
        byte* row = header + 16;
        for (int i = 0; i < rows; i++, row += rowSize)
        {
            if (*(int*)row != sectionId) continue;
            int flags = *(int*)(row + 4);
            byte* start = *(byte**)(row + 8);
            byte* end = *(byte**)(row + 16);
            *length = (flags & 1) != 0 ? (int)(end - start) : sizeof(void*);
            return start;
        }
        *length = 0;
        return null;
    }

    [RuntimeExport("RhGetOSModuleFromPointer")]
    static nint RhGetOSModuleFromPointer(byte* pointer) => Image.Contains(pointer) ? s_osModule : 0;

    [RuntimeExport("RhGetModuleFileName")]
    static int RhGetModuleFileName(nint osModule, byte** name)
    {
        ReadOnlySpan<byte> fileName = "cosmosnet.elf"u8; // static data: the pointer stays valid
        fixed (byte* p = fileName) *name = p;
        return fileName.Length;
    }

    /// <summary>Entry of CoreLib's classlib function table (index = ClasslibFunctionId), 0 when absent.
    /// One module, one class library: every code address and type belongs to this table.</summary>
    internal static nint ClasslibFunction(int id)
    {
        TypeManager* tm = s_typeManager;
        return tm != null && (uint)id < (uint)tm->ClasslibFunctionCount ? tm->ClasslibFunctions[id] : 0;
    }
}
