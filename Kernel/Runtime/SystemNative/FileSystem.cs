using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>File-system calls CoreLib links against (FileStream, Directory, TimeZoneInfo's zoneinfo files).
/// There is no file system: each panics with its own name if called.</summary>
internal static class FileSystemCalls
{
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LStat")] static void LStat() => Panic.NotImplemented("SystemNative_LStat");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadLink")] static void ReadLink() => Panic.NotImplemented("SystemNative_ReadLink");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_OpenDir")] static void OpenDir() => Panic.NotImplemented("SystemNative_OpenDir");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadDir")] static void ReadDir() => Panic.NotImplemented("SystemNative_ReadDir");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CloseDir")] static void CloseDir() => Panic.NotImplemented("SystemNative_CloseDir");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FTruncate")] static void FTruncate() => Panic.NotImplemented("SystemNative_FTruncate");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FAllocate")] static void FAllocate() => Panic.NotImplemented("SystemNative_FAllocate");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PosixFAdvise")] static void PosixFAdvise() => Panic.NotImplemented("SystemNative_PosixFAdvise");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetFileSystemType")] static void GetFileSystemType() => Panic.NotImplemented("SystemNative_GetFileSystemType");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CanGetHiddenFlag")] static void CanGetHiddenFlag() => Panic.NotImplemented("SystemNative_CanGetHiddenFlag");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LChflagsCanSetHiddenFlag")] static void LChflagsCanSetHiddenFlag() => Panic.NotImplemented("SystemNative_LChflagsCanSetHiddenFlag");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEGid")] static void GetEGid() => Panic.NotImplemented("SystemNative_GetEGid");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetGroups")] static void GetGroups() => Panic.NotImplemented("SystemNative_GetGroups");
}
