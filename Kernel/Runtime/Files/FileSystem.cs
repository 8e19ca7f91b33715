using System.Reflection;
using WallClock = CosmosNet.Kernel.Time.WallClock;

namespace CosmosNet.Kernel.Runtime.Files;

/// <summary>A file system entry. Files keep their bytes in memory; nothing is ever on a disk.</summary>
internal abstract class Node(string name, bool readOnly)
{
    static long s_nextInode = 1;
    public string Name { get; set; } = name;
    public Directory? Parent { get; set; }
    public bool ReadOnly { get; } = readOnly;
    public long Inode { get; } = Interlocked.Increment(ref s_nextInode);
    public long ModifiedTicks { get; set; } = WallClock.UnixTicks;   // 100 ns since the Unix epoch
}

internal sealed class Directory(string name, bool readOnly) : Node(name, readOnly)
{
    public readonly List<Node> Children = [];
    public Node? Find(string name) { foreach (var c in Children) if (c.Name == name) return c; return null; }
    public void Add(Node child) { child.Parent = this; Children.Add(child); }
}

internal sealed class File(string name, bool readOnly, byte[] data) : Node(name, readOnly)
{
    public byte[] Data = data;
    public long Length = data.Length;

    public void SetLength(long length)
    {
        if (length > Data.Length) Array.Resize(ref Data, (int)Math.Max(length, Math.Min((long)Data.Length * 2, int.MaxValue)));
        if (length < Length) Array.Clear(Data, (int)length, (int)(Length - length));
        Length = length;
        ModifiedTicks = WallClock.UnixTicks;
    }
}

/// <summary>The kernel's one file tree, built on first use:
///   /app     read-only: the app's files/ folder, built into the image (embedded resources "cosmosfs:/path")
///   /config  read-only: files handed to the kernel as Multiboot modules (QEMU -initrd, GRUB module), named
///            by their module string (default appsettings.json)
///   /tmp     writable, in RAM; so is /root, the home directory of the one user
/// The current directory starts at /app. Every operation takes one lock (the tree is small and rarely hot).</summary>
internal static class FileSystem
{
    public const string ResourcePrefix = "cosmosfs:/";
    static Directory? s_root;
    public static readonly Lock Gate = new();
    public static string CurrentDirectory = "/app";

    public static Directory Root
    {
        get
        {
            if (s_root is null) lock (Gate) s_root ??= Build();
            return s_root;
        }
    }

    static Directory Build()
    {
        var root = new Directory("", readOnly: true);
        var app = new Directory("app", readOnly: true);
        root.Add(app);
        var entry = Assembly.GetEntryAssembly();
        if (entry is not null)
            foreach (string resource in entry.GetManifestResourceNames())
            {
                if (!resource.StartsWith(ResourcePrefix, StringComparison.Ordinal)) continue;
                using var stream = entry.GetManifestResourceStream(resource)!;
                var data = new byte[stream.Length];
                stream.ReadExactly(data);
                AddFile(app, resource[ResourcePrefix.Length..].Replace('\\', '/'), data);
            }
        var config = new Directory("config", readOnly: true);
        root.Add(config);
        foreach (var module in BootModules.All) AddFile(config, module.Name, module.Data);
        root.Add(new Directory("tmp", readOnly: false));
        root.Add(new Directory("root", readOnly: false));   // root's home (Environment.SpecialFolder.UserProfile)
        return root;
    }

    static void AddFile(Directory dir, string relativePath, byte[] data)
    {
        string[] parts = relativePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (dir.Find(parts[i]) is not Directory sub) { sub = new Directory(parts[i], dir.ReadOnly); dir.Add(sub); }
            dir = sub;
        }
        if (parts.Length > 0 && dir.Find(parts[^1]) is null) dir.Add(new File(parts[^1], dir.ReadOnly, data));
    }

    /// <summary>The absolute, normalized form of a path ("." and ".." resolved against the current directory).</summary>
    public static List<string> Split(string path)
    {
        var parts = new List<string>();
        if (!path.StartsWith('/')) foreach (var p in CurrentDirectory.Split('/', StringSplitOptions.RemoveEmptyEntries)) parts.Add(p);
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".") continue;
            if (p == "..") { if (parts.Count > 0) parts.RemoveAt(parts.Count - 1); continue; }
            parts.Add(p);
        }
        return parts;
    }

    /// <summary>The node at a path, or an errno (ENOENT, ENOTDIR).</summary>
    public static Node? Lookup(string path, out int errno)
    {
        Node node = Root;
        foreach (var part in Split(path))
        {
            if (node is not Directory dir) { errno = Errno.ENOTDIR; return null; }
            var next = dir.Find(part);
            if (next is null) { errno = Errno.ENOENT; return null; }
            node = next;
        }
        errno = 0;
        return node;
    }

    /// <summary>The directory that would hold a path's last component, and that component's name.</summary>
    public static Directory? LookupParent(string path, out string name, out int errno)
    {
        var parts = Split(path);
        name = parts.Count > 0 ? parts[^1] : "";
        if (parts.Count == 0) { errno = Errno.EBUSY; return null; }
        Node node = Root;
        for (int i = 0; i < parts.Count - 1; i++)
        {
            if (node is not Directory d) { errno = Errno.ENOTDIR; return null; }
            var next = d.Find(parts[i]);
            if (next is null) { errno = Errno.ENOENT; return null; }
            node = next;
        }
        if (node is not Directory dir) { errno = Errno.ENOTDIR; return null; }
        errno = 0;
        return dir;
    }

    public static string PathOf(Node node)
    {
        if (node.Parent is null) return "/";
        var names = new List<string>();
        for (Node? n = node; n?.Parent is not null; n = n.Parent) names.Add(n.Name);
        names.Reverse();
        return "/" + string.Join('/', names);
    }
}
