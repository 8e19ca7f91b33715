using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Kernel.Console;
using CosmosNet.Kernel.Runtime.Files;
using static CosmosNet.Kernel.Runtime.Files.Errno;
using FileNode = CosmosNet.Kernel.Runtime.Files.File;
using DirectoryNode = CosmosNet.Kernel.Runtime.Files.Directory;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>File descriptors: 0 (stdin, always at end of file), 1 (stdout) and 2 (stderr) are the serial
/// port, as are their duplicates; the others are open files of the kernel's file tree (Files/FileSystem.cs).
/// This is how Console reaches COM1 and FileStream reaches the files, through CoreLib's ordinary Unix code.
/// A descriptor may also stand for an object of the host layer (a socket: <see cref="Hal.Descriptor"/>); the calls
/// that take only a descriptor (read, write, close, poll, fcntl) hand it over. Failures set errno as Linux would.</summary>
internal static unsafe class FileCalls
{
    /// <summary>The most descriptors open at once (Linux's RLIMIT_NOFILE is of this order once .NET raises the soft limit):
    /// a server holds one per connection, so this bounds connections, not memory; the table grows with use.</summary>
    internal const int MaxDescriptors = 65536;

    /// <summary>An open file description: shared by dup'ed descriptors (one position), like POSIX.</summary>
    sealed class OpenFile(Node? node, bool canRead, bool canWrite, bool append, Hal.Descriptor? device = null)
    {
        public readonly Node? Node = node;          // null: the serial console, or the device
        public readonly Hal.Descriptor? Device = device;
        public readonly bool CanRead = canRead, CanWrite = canWrite, Append = append;
        public long Position;
        public int Descriptors;   // how many descriptor numbers refer to it (dup); the device closes with the last

    }

    static readonly OpenFile s_console = new(null, true, true, false) { Descriptors = 3 };
    static readonly OpenFile?[] s_descriptors = [s_console, s_console, s_console];
    static OpenFile?[] s_table = s_descriptors;
    static int s_lowestFree = s_descriptors.Length;   // no descriptor below this number is free

    static int Fail(int errno) { MiscCalls.SetError(errno); return -1; }

    static OpenFile? Get(nint fd) => fd >= 0 && fd < s_table.Length ? s_table[fd] : null;

    /// <summary>The lowest free descriptor number, as POSIX requires.</summary>
    static int Allocate(OpenFile file)
    {
        for (int i = s_lowestFree; i < MaxDescriptors; i++)
        {
            if (i >= s_table.Length) Array.Resize(ref s_table, Math.Min(MaxDescriptors, s_table.Length * 2));
            if (s_table[i] is null)
            {
                s_table[i] = file;
                file.Descriptors++;
                s_lowestFree = i + 1;
                return i;
            }
        }
        s_lowestFree = MaxDescriptors;
        return Fail(EMFILE);
    }

    internal static int Install(Hal.Descriptor device)
    {
        lock (FileSystem.Gate)
        {
            int fd = Allocate(new OpenFile(null, true, true, false, device));
            return fd >= 0 ? fd : -EMFILE;
        }
    }

    internal static Hal.Descriptor? Find(nint fd)
    {
        lock (FileSystem.Gate) return Get(fd)?.Device;
    }

    /// <summary>Bumped (and poll's waiters woken) whenever a device's readiness changes.</summary>
    static readonly object s_readiness = new();
    static long s_readinessGeneration;

    internal static void ReadinessChanged()
    {
        lock (s_readiness)
        {
            s_readinessGeneration++;
            Monitor.PulseAll(s_readiness);
        }
    }

    /// <summary>A device call's result (count or negative errno) as the syscall's: the count, or -1 with errno set.</summary>
    static int DeviceResult(int result) => result >= 0 ? result : Fail(-result);

    internal static string PathString(byte* path)
    {
        int n = 0;
        while (path[n] != 0) n++;
        return Encoding.UTF8.GetString(path, n);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Write")]
    static int Write(nint fd, byte* buffer, int count)
    {
        if (Find(fd) is { } device) return count < 0 ? Fail(EINVAL) : DeviceResult(device.Write(new ReadOnlySpan<byte>(buffer, count)));
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanWrite || fd == 0) return Fail(EBADF);
            if (file.Node is null) { Serial.Write(buffer, count); return count; }
            long at = file.Append ? ((FileNode)file.Node).Length : file.Position;
            int written = WriteAt((FileNode)file.Node, buffer, count, at);
            if (written > 0) file.Position = at + written;
            return written;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PWrite")]
    static int PWrite(nint fd, byte* buffer, int count, long offset)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanWrite) return Fail(EBADF);
            if (file.Node is null) return Fail(ESPIPE);
            return WriteAt((FileNode)file.Node, buffer, count, offset);
        }
    }

    static int WriteAt(FileNode node, byte* buffer, int count, long offset)
    {
        if (offset < 0 || count < 0) return Fail(EINVAL);
        if (offset + count > int.MaxValue) return Fail(EFBIG);
        if (offset + count > node.Length) node.SetLength(offset + count);
        new ReadOnlySpan<byte>(buffer, count).CopyTo(node.Data.AsSpan((int)offset));
        node.ModifiedTicks = Time.WallClock.UnixTicks;
        return count;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Read")]
    static int Read(nint fd, byte* buffer, int count)
    {
        if (Find(fd) is { } device) return count < 0 ? Fail(EINVAL) : DeviceResult(device.Read(new Span<byte>(buffer, count)));
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanRead) return Fail(EBADF);
            if (file.Node is null) return 0; // console input: there is no keyboard; stdin is at its end
            if (file.Node is not FileNode node) return Fail(EISDIR);
            int read = ReadAt(node, buffer, count, file.Position);
            if (read > 0) file.Position += read;
            return read;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PRead")]
    static int PRead(nint fd, byte* buffer, int count, long offset)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanRead) return Fail(EBADF);
            if (file.Node is null) return Fail(ESPIPE);
            if (file.Node is not FileNode node) return Fail(EISDIR);
            return ReadAt(node, buffer, count, offset);
        }
    }

    internal struct IOVector { public byte* Base; public nuint Count; }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PReadV")]
    static long PReadV(nint fd, IOVector* vectors, int count, long offset)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanRead) return Fail(EBADF);
            if (file.Node is not FileNode node) return Fail(file.Node is null ? ESPIPE : EISDIR);
            long total = 0;
            for (int i = 0; i < count; i++)
            {
                int n = ReadAt(node, vectors[i].Base, (int)vectors[i].Count, offset + total);
                if (n < 0) return n;
                total += n;
                if (n < (int)vectors[i].Count) break;
            }
            return total;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PWriteV")]
    static long PWriteV(nint fd, IOVector* vectors, int count, long offset)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanWrite) return Fail(EBADF);
            if (file.Node is not FileNode node) return Fail(ESPIPE);
            long total = 0;
            for (int i = 0; i < count; i++)
            {
                int n = WriteAt(node, vectors[i].Base, (int)vectors[i].Count, offset + total);
                if (n < 0) return n;
                total += n;
            }
            return total;
        }
    }

    static int ReadAt(FileNode node, byte* buffer, int count, long offset)
    {
        if (offset < 0 || count < 0) return Fail(EINVAL);
        if (offset >= node.Length) return 0;
        int n = (int)Math.Min(count, node.Length - offset);
        node.Data.AsSpan((int)offset, n).CopyTo(new Span<byte>(buffer, n));
        return n;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Open")]
    static nint Open(byte* pathBytes, int flags, int mode)
    {
        const int AccessMask = 0xF, WriteOnly = 1, ReadWrite = 2, Create = 0x20, Exclusive = 0x40, Truncate = 0x80;
        string path = PathString(pathBytes);
        lock (FileSystem.Gate)
        {
            int access = flags & AccessMask;
            bool write = access == WriteOnly || access == ReadWrite;
            Node? node = FileSystem.Lookup(path, out int errno);
            if (node is null)
            {
                if (errno != ENOENT || (flags & Create) == 0) return Fail(errno);
                var parent = FileSystem.LookupParent(path, out string name, out errno);
                if (parent is null) return Fail(errno);
                if (parent.ReadOnly) return Fail(EROFS);
                node = new FileNode(name, readOnly: false, []);
                parent.Add(node);
            }
            else if ((flags & Create) != 0 && (flags & Exclusive) != 0) return Fail(EEXIST);
            if (node is DirectoryNode && write) return Fail(EISDIR);
            if (write && node.ReadOnly) return Fail(EROFS);
            if (node is FileNode file && (flags & Truncate) != 0 && write) file.SetLength(0);
            return Allocate(new OpenFile(node, access != WriteOnly, write, append: false));
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Dup")]
    static nint Dup(nint fd)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            return file is null ? Fail(EBADF) : Allocate(file);
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Close")]
    static int Close(nint fd)
    {
        Hal.Descriptor? device;
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null) return Fail(EBADF);
            s_table[fd] = null;
            s_lowestFree = Math.Min(s_lowestFree, (int)fd);
            device = file.Device;
            // A device closes with the last descriptor that refers to it (dup shares it).
            if (--file.Descriptors > 0) return 0;
        }
        return device is null ? 0 : DeviceResult(device.Close());
    }

    const int FdCloseOnExec = 1;   // FD_CLOEXEC: every descriptor is (there is no exec)

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FcntlGetFD")]
    static int FcntlGetFD(nint fd) => Exists(fd) ? FdCloseOnExec : Fail(EBADF);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FcntlSetFD")]
    static int FcntlSetFD(nint fd, int flags) => Exists(fd) ? 0 : Fail(EBADF);

    /// <summary>O_NONBLOCK: devices honour it; files and the console never wait anyway, so it is recorded nowhere.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FcntlSetIsNonBlocking")]
    static int FcntlSetIsNonBlocking(nint fd, int isNonBlocking)
    {
        if (!Exists(fd)) return Fail(EBADF);
        if (Find(fd) is { } device) device.NonBlocking = isNonBlocking != 0;
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FcntlGetIsNonBlocking")]
    static int FcntlGetIsNonBlocking(nint fd, int* isNonBlocking)
    {
        if (!Exists(fd)) return Fail(EBADF);
        *isNonBlocking = Find(fd) is { NonBlocking: true } ? 1 : 0;
        return 0;
    }

    static bool Exists(nint fd)
    {
        lock (FileSystem.Gate) return Get(fd) is not null;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LSeek")]
    static long LSeek(nint fd, long offset, int whence)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null) return Fail(EBADF);
            if (file.Node is null) return Fail(ESPIPE);
            long length = file.Node is FileNode f ? f.Length : 0;
            long target = whence switch { 0 => offset, 1 => file.Position + offset, 2 => length + offset, _ => -1 };
            if (target < 0 || whence is < 0 or > 2) return Fail(EINVAL);
            return file.Position = target;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FTruncate")]
    static int FTruncate(nint fd, long length)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null || !file.CanWrite) return Fail(file is null ? EBADF : EINVAL);
            if (file.Node is not FileNode node || length < 0) return Fail(EINVAL);
            if (length > int.MaxValue) return Fail(EFBIG);
            node.SetLength(length);
            return 0;
        }
    }

    /// <summary>Space is reserved as it is written; preallocation is "not supported", which FileStream
    /// treats as a hint it may ignore (as on file systems without fallocate).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FAllocate")]
    static int FAllocate(nint fd, long offset, long length) => Fail(ENOTSUP);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_PosixFAdvise")]
    static int PosixFAdvise(nint fd, long offset, long length, int advice) => Get(fd) is null ? EBADF : 0;

    /// <summary>One program, one kernel: advisory locks always succeed.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FLock")]
    static int FLock(nint fd, int operation) => Get(fd) is null ? Fail(EBADF) : 0;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FSync")]
    static int FSync(nint fd) => Get(fd) is null ? Fail(EBADF) : 0;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FStat")]
    static int FStat(nint fd, FileStatus* output)
    {
        lock (FileSystem.Gate)
        {
            var file = Get(fd);
            if (file is null) return Fail(EBADF);
            FileSystemCalls.Fill(file.Node, output);
            if (file.Device is not null) output->Mode = 0xC000 | 0x1FF;   // S_IFSOCK, rwxrwxrwx: devices are sockets
            return 0;
        }
    }

    /// <summary>Readiness: the console and files are always ready; devices say, and a poll with a timeout waits for
    /// one to change (PollEvent = { int fd; short events; short revents }; milliseconds &lt; 0: no timeout). Error and
    /// hang-up are reported whether asked for or not, as poll(2) does.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Poll")]
    static int Poll(PollEvent* events, uint count, int milliseconds, uint* triggered)
    {
        const short In = 1, Out = 4, Error = 8, HangUp = 0x10, Invalid = 0x20;
        long deadline = milliseconds < 0 ? long.MaxValue : Environment.TickCount64 + milliseconds;
        while (true)
        {
            long generation;
            lock (s_readiness) generation = s_readinessGeneration;
            uint ready = 0;
            for (uint i = 0; i < count; i++)
            {
                OpenFile? file;
                lock (FileSystem.Gate) file = Get(events[i].FileDescriptor);
                short mask = (short)(events[i].Events | Error | HangUp);
                events[i].Triggered = file is null ? Invalid
                    : file.Device is { } device ? (short)((short)device.Readiness & mask)
                    : (short)(events[i].Events & (In | Out));
                if (events[i].Triggered != 0) ready++;
            }
            long left = deadline - Environment.TickCount64;
            if (ready > 0 || left <= 0)
            {
                *triggered = ready;
                return 0;
            }
            lock (s_readiness)
            {
                if (s_readinessGeneration == generation) Monitor.Wait(s_readiness, (int)Math.Min(left, int.MaxValue));
            }
        }
    }

    internal struct PollEvent { public int FileDescriptor; public short Events, Triggered; }

    // Terminal control. The serial line has no terminal settings to save or restore and no signals arrive,
    // so set-up and tear-down succeed with nothing to do.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_IsATty")] static int IsATty(nint fd) => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_InitializeTerminalAndSignalHandling")] static int InitializeTerminalAndSignalHandling() => 1;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_UninitializeTerminal")] static void UninitializeTerminal() { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetTerminalInvalidationHandler")] static void SetTerminalInvalidationHandler(nint handler) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SetKeypadXmit")] static void SetKeypadXmit(nint fd, byte* terminfoString) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_InitializeConsoleBeforeRead")] static void InitializeConsoleBeforeRead(byte minChars, byte decisecondsTimeout) { }
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_UninitializeConsoleAfterRead")] static void UninitializeConsoleAfterRead() { }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetWindowSize")]
    static int GetWindowSize(nint fd, void* windowSize) => Fail(ENOTTY);

    /// <summary>No terminal: no control characters are defined (all "disabled").</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetControlCharacters")]
    static void GetControlCharacters(int* names, byte* values, int length, byte* posixDisableValue)
    {
        *posixDisableValue = 0;
        for (int i = 0; i < length; i++) values[i] = 0;
    }

    /// <summary>snprintf with one %s or %d (terminfo strings; unused without a terminal, kept correct).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SNPrintF_1S")]
    static int SNPrintF1S(byte* buffer, int size, byte* format, byte* argument) => Format(buffer, size, format, PathString(argument));

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_SNPrintF_1I")]
    static int SNPrintF1I(byte* buffer, int size, byte* format, int argument) => Format(buffer, size, format, argument.ToString());

    static int Format(byte* buffer, int size, byte* format, string argument)
    {
        string f = PathString(format);
        int at = f.IndexOf('%');
        string text = at >= 0 && at + 1 < f.Length ? f[..at] + argument + f[(at + 2)..] : f;
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        if (size > 0)
        {
            int n = Math.Min(bytes.Length, size - 1);
            bytes.AsSpan(0, n).CopyTo(new Span<byte>(buffer, n));
            buffer[n] = 0;
        }
        return bytes.Length;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadStdin")]
    static int ReadStdin(byte* buffer, int count) => 0;
}
