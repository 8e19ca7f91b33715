using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime.Files;

/// <summary>Files handed to the kernel by the boot loader as Multiboot modules (QEMU -initrd a,b; GRUB's
/// module lines): they appear under /config, named by the module's string (its last word's file name; a
/// module without one is appsettings.json). Early boot records where they are, so the physical memory
/// allocator leaves them alone; the bytes are copied into the file system on first use.</summary>
internal static unsafe class BootModules
{
    const int MaxModules = 8, MaxName = 96;

    struct Entry { public ulong Start, End; public NameBuffer Name; public int NameLength; }
    [InlineArray(MaxModules)] struct EntryArray { Entry _first; }
    [InlineArray(MaxName)] struct NameBuffer { byte _first; }

    static EntryArray s_entries;
    static int s_count;

    /// <summary>The highest address any module occupies (0 if none): memory up to here stays reserved.</summary>
    public static ulong End { get; private set; }

    /// <summary>Early boot, before any allocation: copies the module list out of the loader's structures.</summary>
    internal static void Read(byte* multibootInfo)
    {
        uint flags = *(uint*)multibootInfo;
        if ((flags & (1 << 3)) == 0) return;
        uint count = *(uint*)(multibootInfo + 20);
        uint* module = (uint*)(ulong)*(uint*)(multibootInfo + 24);
        for (uint i = 0; i < count && s_count < MaxModules; i++, module += 4)
        {
            ref Entry e = ref s_entries[s_count++];
            e.Start = module[0];
            e.End = module[1];
            if (e.End > End) End = e.End;
            // The module string: take the file name of its last word ("/boot/appsettings.json" or "x y/z.json").
            byte* text = (byte*)(ulong)module[2];
            int length = 0, start = 0;
            if (text != null) while (text[length] != 0) length++;
            while (length > 0 && text[length - 1] == ' ') length--;
            for (int k = 0; k < length; k++) if (text[k] == '/' || text[k] == ' ') start = k + 1;
            e.NameLength = 0;
            for (int k = start; k < length && e.NameLength < MaxName; k++) e.Name[e.NameLength++] = text[k];
        }
    }

    public static IEnumerable<(string Name, byte[] Data)> All
    {
        get
        {
            var modules = new List<(string, byte[])>();
            for (int i = 0; i < s_count; i++)
            {
                ref Entry e = ref s_entries[i];
                string name = e.NameLength == 0 ? (i == 0 ? "appsettings.json" : $"module{i}")
                    : System.Text.Encoding.UTF8.GetString(new ReadOnlySpan<byte>(Unsafe.AsPointer(ref e.Name[0]), e.NameLength));
                modules.Add((name, new ReadOnlySpan<byte>((void*)e.Start, (int)(e.End - e.Start)).ToArray()));
            }
            return modules;
        }
    }
}
