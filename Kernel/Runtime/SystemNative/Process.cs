using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Kernel.Runtime.Files;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>The process as .NET sees it: the environment (KEY=VALUE words of the kernel command line, see
/// CommandLine), who it runs as (root), its host and OS names, and POSIX signals. One program runs, as pid 1.</summary>
internal static unsafe class ProcessCalls
{
    public const string HostName = "cosmosnet", OsRelease = "1.0.0-cosmosnet";

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEnv")]
    static byte* GetEnv(byte* name) => CommandLine.Lookup(name);

    /// <summary>environ: a null-terminated array of "KEY=VALUE" strings, which the kernel keeps for the whole run.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEnviron")] static byte** GetEnviron() => CommandLine.Environment;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FreeEnviron")] static void FreeEnviron(byte** environment) { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPid")] static int GetPid() => 1;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEUid")] static uint GetEUid() => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetUid")] static uint GetUid() => 0;

    /// <summary>Passwd of pal_uid.h: { Name, Password, UserId, GroupId, UserInfo, HomeDirectory, Shell }.</summary>
    internal struct Passwd { public byte* Name, Password; public uint UserId, GroupId; public byte* UserInfo, HomeDirectory, Shell; }

    /// <summary>getpwuid_r: uid 0 is root (home /root); 0 = found, -1 = no such user, else an errno.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPwUidR")]
    static int GetPwUidR(uint uid, Passwd* entry, byte* buffer, int length)
    {
        if (uid != 0) return -1;
        var strings = new SpanWriter(buffer, length);
        entry->Name = strings.Add("root");
        entry->Password = strings.Add("x");
        entry->UserInfo = strings.Add("root");
        entry->HomeDirectory = strings.Add("/root");
        entry->Shell = strings.Add("/bin/sh");
        entry->UserId = entry->GroupId = 0;
        return strings.Overflowed ? Errno.ERANGE : 0;
    }

    /// <summary>Lays out C strings one after another in the caller's buffer.</summary>
    ref struct SpanWriter(byte* buffer, int length)
    {
        int _used;
        public bool Overflowed;
        public byte* Add(string s)
        {
            int n = Encoding.UTF8.GetByteCount(s);
            if (_used + n + 1 > length) { Overflowed = true; return null; }
            byte* p = buffer + _used;
            Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
            p[n] = 0;
            _used += n + 1;
            return p;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetHostName")]
    static int GetHostName(byte* name, int length)
    {
        var writer = new SpanWriter(name, length);
        if (writer.Add(HostName) == null) { MiscCalls.SetError(Errno.EINVAL); return -1; }
        return 0;
    }

    static byte* Duplicate(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    // uname(2): Environment.OSVersion and RuntimeInformation.OSDescription.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetUnixRelease")] static byte* GetUnixRelease() => Duplicate(OsRelease);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetUnixVersion")] static byte* GetUnixVersion() => Duplicate("CosmosNet " + OsRelease);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetProcessPath")] static byte* GetProcessPath() => Duplicate("/app/cosmosnet");

    /// <summary>sysconf: clock ticks per second and the page size.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SysConf")]
    static long SysConf(int name) => name switch { 1 => 100, 2 => 4096, _ => -1 };

    // POSIX signals: registration with Linux's numbers; Runtime.Signals delivers them (the ACPI power button is
    // SIGTERM) on its thread through Raise.
    static delegate* unmanaged<int, int, int> s_handler;
    static ulong s_enabled;

    /// <summary>PosixSignal (negative, .NET's own) to Linux's signal number; positive numbers are raw signals.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetPlatformSignalNumber")]
    static int GetPlatformSignalNumber(int signal) => signal switch
    {
        -1 => 1,   // SIGHUP
        -2 => 2,   // SIGINT
        -3 => 3,   // SIGQUIT
        -4 => 15,  // SIGTERM
        -5 => 17,  // SIGCHLD
        -6 => 18,  // SIGCONT
        -7 => 28,  // SIGWINCH
        -8 => 21,  // SIGTTIN
        -9 => 22,  // SIGTTOU
        -10 => 20, // SIGTSTP
        > 0 and < 65 => signal,
        _ => 0,
    };

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetPosixSignalHandler")]
    static void SetPosixSignalHandler(delegate* unmanaged<int, int, int> handler) => s_handler = handler;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_EnablePosixSignalHandling")]
    static int EnablePosixSignalHandling(int signal)
    {
        if (signal is <= 0 or >= 64) { MiscCalls.SetError(Errno.EINVAL); return 0; }
        s_enabled |= 1UL << signal;
        return 1;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_DisablePosixSignalHandling")]
    static void DisablePosixSignalHandling(int signal) { if (signal is > 0 and < 64) s_enabled &= ~(1UL << signal); }

    /// <summary>No handler cancelled the signal: its default action. For the terminating signals that is the
    /// end of the program, as on Linux.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_HandleNonCanceledPosixSignal")]
    static void HandleNonCanceledPosixSignal(int signal) => Signals.DefaultAction(signal);

    /// <summary>Delivers a signal to the app's registered handlers (returns false when none is registered).</summary>
    internal static bool Raise(int signal)
    {
        if (s_handler == null || signal is <= 0 or >= 64 || (s_enabled & (1UL << signal)) == 0) return false;
        int posix = signal switch { 1 => -1, 2 => -2, 3 => -3, 15 => -4, 17 => -5, 18 => -6, 28 => -7, 21 => -8, 22 => -9, 20 => -10, _ => signal };
        return s_handler(signal, posix) != 0;   // 0: no registration for this signal
    }
}
