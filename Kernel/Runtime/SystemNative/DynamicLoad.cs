using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>dlopen/dlsym (NativeLibrary, probing for optional native libraries such as msquic): the image is one
/// static program and has no shared libraries, so every load fails the way dlopen fails for a missing file and .NET
/// throws DllNotFoundException, or moves on when the library was optional (as ASP.NET Core does for HTTP/3).</summary>
internal static unsafe class DynamicLoadCalls
{
    [ThreadStatic] static bool t_failed;   // dlerror's "an error since the last call", per thread

    static byte* Message => (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference("shared libraries are not supported: the image is one static program\0"u8));

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LoadLibrary")]
    static void* LoadLibrary(byte* fileName)
    {
        t_failed = true;
        return null;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetProcAddress")]
    static void* GetProcAddress(void* handle, byte* symbol)
    {
        t_failed = true;
        return null;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FreeLibrary")]
    static void FreeLibrary(void* handle) { }

    /// <summary>The text of the last failure on this thread, once, as dlerror has it (borrowed, never freed).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetLoadLibraryError")]
    static byte* GetLoadLibraryError()
    {
        bool failed = t_failed;
        t_failed = false;
        return failed ? Message : null;
    }
}
