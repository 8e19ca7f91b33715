using System.Runtime.InteropServices;
using System.Text;
using CosmosNet.Kernel.Runtime.Files;
using static CosmosNet.Kernel.Runtime.Files.Errno;
using FileNode = CosmosNet.Kernel.Runtime.Files.File;
using DirectoryNode = CosmosNet.Kernel.Runtime.Files.Directory;

namespace CosmosNet.Kernel.Runtime.SystemNative;

/// <summary>FileStatus of pal_io.h (what SystemNative_Stat fills in).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FileStatus
{
    public int Flags, Mode;
    public uint Uid, Gid;
    public long Size, ATime, ATimeNsec, MTime, MTimeNsec, CTime, CTimeNsec, BirthTime, BirthTimeNsec, Dev, RDev, Ino;
    public uint UserFlags;
}

/// <summary>Paths and directories of the kernel's file tree (Files/FileSystem.cs): stat, directory
/// listing, create/remove/rename, the current directory. Errors are Linux's errno values.</summary>
internal static unsafe class FileSystemCalls
{
    const int TypeDirectory = 0x4000, TypeRegular = 0x8000, TypeCharacterDevice = 0x2000;

    static int Fail(int errno) { MiscCalls.SetError(errno); return -1; }

    internal static void Fill(Node? node, FileStatus* s)
    {
        *s = default;
        s->Dev = 1;
        if (node is null) { s->Mode = TypeCharacterDevice | 0x1B6; return; } // the console: crw-rw-rw-
        s->Ino = node.Inode;
        s->Mode = (node is DirectoryNode ? TypeDirectory | 0x16D : TypeRegular | 0x1A4) & (node.ReadOnly ? ~0x92 : ~0); // 755/644, minus w when read-only
        s->Size = node is FileNode f ? f.Length : 4096;
        long seconds = node.ModifiedTicks / 10_000_000, nanoseconds = node.ModifiedTicks % 10_000_000 * 100;
        s->ATime = s->MTime = s->CTime = s->BirthTime = seconds;
        s->ATimeNsec = s->MTimeNsec = s->CTimeNsec = s->BirthTimeNsec = nanoseconds;
        s->Flags = 1; // has a birth time
    }

    static int StatPath(byte* path, FileStatus* output)
    {
        string p = FileCalls.PathString(path);
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(p, out int errno);
            if (node is null) return Fail(errno);
            Fill(node, output);
            return 0;
        }
    }

    // There are no symbolic links: lstat is stat.
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Stat")] static int Stat(byte* path, FileStatus* output) => StatPath(path, output);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LStat")] static int LStat(byte* path, FileStatus* output) => StatPath(path, output);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadLink")]
    static int ReadLink(byte* path, byte* buffer, int size)
    {
        lock (FileSystem.Gate) return Fail(FileSystem.Lookup(FileCalls.PathString(path), out int errno) is null ? errno : EINVAL);
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_RealPath")]
    static byte* RealPath(byte* path)
    {
        string p = FileCalls.PathString(path);
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(p, out int errno);
            if (node is null) { Fail(errno); return null; }
            return ToNative(FileSystem.PathOf(node));
        }
    }

    /// <summary>A C string the caller frees with free() (SystemNative_Free).</summary>
    static byte* ToNative(string s)
    {
        int n = Encoding.UTF8.GetByteCount(s);
        byte* p = (byte*)NativeMemory.Alloc((nuint)n + 1);
        Encoding.UTF8.GetBytes(s, new Span<byte>(p, n));
        p[n] = 0;
        return p;
    }

    /// <summary>An open directory stream: a snapshot of the names, and the buffer the current name lives in
    /// until the next ReadDir (the GC never moves objects, so its address is stable).</summary>
    sealed class DirectoryStream(List<(string Name, bool IsDirectory)> entries)
    {
        public readonly List<(string Name, bool IsDirectory)> Entries = entries;
        public int Next;
        public readonly byte[] NameBuffer = new byte[1024];
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_OpenDir")]
    static nint OpenDir(byte* path)
    {
        string p = FileCalls.PathString(path);
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(p, out int errno);
            if (node is null) { Fail(errno); return 0; }
            if (node is not DirectoryNode dir) { Fail(ENOTDIR); return 0; }
            var entries = new List<(string, bool)> { (".", true), ("..", true) };
            foreach (var c in dir.Children) entries.Add((c.Name, c is DirectoryNode));
            return GCHandle.ToIntPtr(GCHandle.Alloc(new DirectoryStream(entries)));
        }
    }

    /// <summary>DirectoryEntry = { const char* Name; int NameLength; int InodeType }; 0 = an entry, -1 = the end.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ReadDir")]
    static int ReadDir(nint dir, DirectoryEntry* entry)
    {
        if (dir == 0) return EBADF;
        var stream = (DirectoryStream)GCHandle.FromIntPtr(dir).Target!;
        *entry = default;
        if (stream.Next >= stream.Entries.Count) return -1;
        var (name, isDirectory) = stream.Entries[stream.Next++];
        int n = Encoding.UTF8.GetBytes(name, stream.NameBuffer.AsSpan(0, stream.NameBuffer.Length - 1));
        stream.NameBuffer[n] = 0;
        entry->Name = (byte*)Marshal.UnsafeAddrOfPinnedArrayElement(stream.NameBuffer, 0);
        entry->NameLength = n;
        entry->InodeType = isDirectory ? 4 : 8; // DT_DIR, DT_REG
        return 0;
    }

    internal struct DirectoryEntry { public byte* Name; public int NameLength, InodeType; }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CloseDir")]
    static int CloseDir(nint dir)
    {
        if (dir == 0) return Fail(EBADF);
        GCHandle.FromIntPtr(dir).Free();
        return 0;
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_MkDir")]
    static int MkDir(byte* path, int mode)
    {
        string p = FileCalls.PathString(path);
        lock (FileSystem.Gate)
        {
            if (FileSystem.Lookup(p, out _) is not null) return Fail(EEXIST);
            var parent = FileSystem.LookupParent(p, out string name, out int errno);
            if (parent is null) return Fail(errno);
            if (parent.ReadOnly) return Fail(EROFS);
            parent.Add(new DirectoryNode(name, readOnly: false));
            return 0;
        }
    }

    static int Remove(byte* path, bool directory)
    {
        string p = FileCalls.PathString(path);
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(p, out int errno);
            if (node is null) return Fail(errno);
            if (node.Parent is null) return Fail(EBUSY);
            if (directory && node is not DirectoryNode) return Fail(ENOTDIR);
            if (!directory && node is DirectoryNode) return Fail(EISDIR);
            if (node is DirectoryNode { Children.Count: > 0 }) return Fail(ENOTEMPTY);
            if (node.Parent.ReadOnly) return Fail(EROFS);
            node.Parent.Children.Remove(node);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Unlink")] static int Unlink(byte* path) => Remove(path, directory: false);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_RmDir")] static int RmDir(byte* path) => Remove(path, directory: true);

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Rename")]
    static int Rename(byte* oldPath, byte* newPath)
    {
        string from = FileCalls.PathString(oldPath), to = FileCalls.PathString(newPath);
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(from, out int errno);
            if (node is null) return Fail(errno);
            var parent = FileSystem.LookupParent(to, out string name, out errno);
            if (parent is null) return Fail(errno);
            if (node.Parent is null) return Fail(EBUSY);
            if (node.Parent.ReadOnly || parent.ReadOnly) return Fail(EROFS);
            for (Node? up = parent; up is not null; up = up.Parent) if (up == node) return Fail(EINVAL);
            if (parent.Find(name) is { } existing && existing != node)
            {
                if (existing is DirectoryNode != node is DirectoryNode) return Fail(existing is DirectoryNode ? EISDIR : ENOTDIR);
                if (existing is DirectoryNode { Children.Count: > 0 }) return Fail(ENOTEMPTY);
                parent.Children.Remove(existing);
            }
            node.Parent.Children.Remove(node);
            node.Name = name;
            parent.Add(node);
            return 0;
        }
    }

    /// <summary>access(2): everything exists is readable and searchable; writable unless read-only.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_Access")]
    static int Access(byte* path, int mode)
    {
        const int Write = 2;
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(FileCalls.PathString(path), out int errno);
            if (node is null) return Fail(errno);
            return (mode & Write) != 0 && node.ReadOnly ? Fail(EROFS) : 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ChDir")]
    static int ChDir(byte* path)
    {
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(FileCalls.PathString(path), out int errno);
            if (node is null) return Fail(errno);
            if (node is not DirectoryNode) return Fail(ENOTDIR);
            FileSystem.CurrentDirectory = FileSystem.PathOf(node);
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetCwd")]
    static byte* GetCwd(byte* buffer, int size)
    {
        string cwd;
        lock (FileSystem.Gate) cwd = FileSystem.Lookup(FileSystem.CurrentDirectory, out _) is { } n ? FileSystem.PathOf(n) : "/";
        int needed = Encoding.UTF8.GetByteCount(cwd);
        if (needed + 1 > size) { Fail(ERANGE); return null; }
        Encoding.UTF8.GetBytes(cwd, new Span<byte>(buffer, needed));
        buffer[needed] = 0;
        return buffer;
    }

    // Permissions and times: the tree keeps a modification time only; modes are fixed (755/644).
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_ChMod")] static int ChMod(byte* path, int mode) => Exists(path);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FChMod")] static int FChMod(nint fd, int mode) => 0;

    static int Exists(byte* path)
    {
        lock (FileSystem.Gate) return FileSystem.Lookup(FileCalls.PathString(path), out int errno) is null ? Fail(errno) : 0;
    }

    /// <summary>utimensat: times = { atime sec, nsec, mtime sec, nsec } (null = now).</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_UTimensat")]
    static int UTimensat(byte* path, long* times)
    {
        lock (FileSystem.Gate)
        {
            var node = FileSystem.Lookup(FileCalls.PathString(path), out int errno);
            if (node is null) return Fail(errno);
            if (node.ReadOnly) return Fail(EROFS);
            node.ModifiedTicks = times == null ? Time.WallClock.UnixTicks : times[2] * 10_000_000 + times[3] / 100;
            return 0;
        }
    }

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_FUTimens")] static int FUTimens(nint fd, long* times) => 0;

    /// <summary>tmpfs's magic: the tree lives in RAM.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetFileSystemType")] static long GetFileSystemType(nint fd) => 0x01021994;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_CanGetHiddenFlag")] static int CanGetHiddenFlag() => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LChflagsCanSetHiddenFlag")] static int LChflagsCanSetHiddenFlag() => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_LChflags")] static int LChflags(byte* path, uint flags) => Fail(ENOTSUP);

    /// <summary>The program runs as root (uid 0, gid 0), the only user there is.</summary>
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetEGid")] static uint GetEGid() => 0;
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_GetGroups")] static int GetGroups(int count, uint* groups) => 0;

    [UnmanagedCallersOnly(EntryPoint = "SystemNative_INotifyInit")] static nint INotifyInit() => Fail(ENOSYS);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_INotifyAddWatch")] static int INotifyAddWatch(nint fd, byte* path, uint mask) => Fail(ENOSYS);
    [UnmanagedCallersOnly(EntryPoint = "SystemNative_INotifyRemoveWatch")] static int INotifyRemoveWatch(nint fd, int wd) => Fail(EBADF);
}
