using System.Runtime.InteropServices;
using CosmosNet.Kernel.Console;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>File descriptors, as far as the console needs them: 0 (stdin), 1 (stdout) and 2 (stderr) are
/// the serial port, as are their duplicates. This is how Console.Out/Console.Error reach COM1 through
/// CoreLib's ordinary Unix console code. There is no file system.</summary>
internal static unsafe class FileCalls
{
    const int EBADF = 9;
    const int MaxDescriptors = 64;

    // Which descriptors are open (all of them are the serial port).
    static ulong s_open = 0b111;

    static bool IsOpen(nint fd) => (ulong)fd < MaxDescriptors && (s_open & (1UL << (int)fd)) != 0;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Write")]
    static int Write(nint fd, byte* buffer, int count)
    {
        if (!IsOpen(fd) || fd == 0) { MiscCalls.SetError(EBADF); return -1; }
        Serial.Write(buffer, count);
        return count;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Dup")]
    static nint Dup(nint fd)
    {
        if (!IsOpen(fd)) { MiscCalls.SetError(EBADF); return -1; }
        for (int i = 3; i < MaxDescriptors; i++)
        {
            if ((s_open & (1UL << i)) != 0) continue;
            s_open |= 1UL << i;
            return i;
        }
        MiscCalls.SetError(24); // EMFILE
        return -1;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Close")]
    static int Close(nint fd)
    {
        if (!IsOpen(fd)) { MiscCalls.SetError(EBADF); return -1; }
        s_open &= ~(1UL << (int)fd);
        return 0;
    }

    // The serial line is not a terminal CoreLib could drive (no terminfo, no window size).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_IsATty")]
    static int IsATty(nint fd) => 0;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Read")] static void Read() => Panic.NotImplemented("SystemNative_Read (console input)");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Open")] static void Open() => Panic.NotImplemented("SystemNative_Open (no file system)");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FStat")] static void FStat() => Panic.NotImplemented("SystemNative_FStat");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Stat")] static void Stat() => Panic.NotImplemented("SystemNative_Stat");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LSeek")] static void LSeek() => Panic.NotImplemented("SystemNative_LSeek");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PRead")] static void PRead() => Panic.NotImplemented("SystemNative_PRead");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Poll")] static void Poll() => Panic.NotImplemented("SystemNative_Poll");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Unlink")] static void Unlink() => Panic.NotImplemented("SystemNative_Unlink");
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FLock")] static void FLock() => Panic.NotImplemented("SystemNative_FLock");

    // Terminal control. The serial line has no terminal settings to save or restore and no signals arrive,
    // so set-up and tear-down succeed with nothing to do.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_InitializeTerminalAndSignalHandling")] static int InitializeTerminalAndSignalHandling() => 1;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_UninitializeTerminal")] static void UninitializeTerminal() { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetTerminalInvalidationHandler")] static void SetTerminalInvalidationHandler(nint handler) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetKeypadXmit")] static void SetKeypadXmit(nint fd, byte* terminfoString) { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetWindowSize")]
    static int GetWindowSize(nint fd, void* windowSize) { MiscCalls.SetError(25); return -1; } // ENOTTY

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetControlCharacters")] static void GetControlCharacters() => Panic.NotImplemented("SystemNative_GetControlCharacters");
}
