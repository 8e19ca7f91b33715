using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace CosmosNet.Kernel;

/// <summary>The bootloader's command line becomes the app's argv: `qemu -kernel cosmosnet.elf -append "a b"`
/// or `multiboot /boot/cosmosnet.elf a b` in GRUB give Main(string[] args) = ["a", "b"] (argv[0] is the
/// kernel's path). Split on spaces; no quoting. Copied before any memory is allocated: the loader's copy
/// lies in memory the kernel hands out. Words NAME=VALUE whose NAME is an environment variable's usual
/// shape (upper-case letters, digits, '_', not starting with a digit) are the environment instead
/// (Environment.GetEnvironmentVariable); everything else, e.g. NetworkHost's ip=/gw=, stays in args.
/// The kernel's own default (PollingFileWatcher) follows, unless the command line names the same variable.</summary>
internal static unsafe class CommandLine
{
    const int MaxLength = 1024, MaxArguments = 64;

    [InlineArray(MaxLength + 1)] struct TextBuffer { byte _first; }
    [InlineArray(MaxArguments + 1)] struct ArgumentBuffer { nint _first; }

    static TextBuffer s_text;
    static ArgumentBuffer s_arguments;
    static ArgumentBuffer s_environment;   // null-terminated, like environ

    internal static void Read(byte* multibootInfo, int* argc, byte*** argv)
    {
        uint flags = *(uint*)multibootInfo;
        byte* source = (flags & (1 << 2)) != 0 ? (byte*)(ulong)*(uint*)(multibootInfo + 16) : null;
        int length = 0;
        if (source != null) while (length < MaxLength && source[length] != 0) { s_text[length] = source[length]; length++; }
        if (length == 0) foreach (byte b in "cosmosnet"u8) s_text[length++] = b;

        int count = 0, variables = 0;
        for (int i = 0; i < length && count + variables < MaxArguments; )
        {
            while (i < length && s_text[i] == (byte)' ') s_text[i++] = 0;
            if (i == length) break;
            nint word = (nint)Unsafe.AsPointer(ref s_text[i]);
            // argv[0] (the kernel's path under GRUB) is never a variable.
            if (count > 0 && IsVariable(i, length)) s_environment[variables++] = word;
            else s_arguments[count++] = word;
            while (i < length && s_text[i] != (byte)' ') i++;
        }
        for (int i = 0; i < length; i++) if (s_text[i] == (byte)' ') s_text[i] = 0;
        byte* polling = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetReference(PollingFileWatcher));
        if (variables < MaxArguments && Lookup(polling, (byte)'=') == null) s_environment[variables++] = (nint)polling;
        *argc = count;
        *argv = (byte**)Unsafe.AsPointer(ref s_arguments[0]);
    }

    /// <summary>A variable every program's environment has. The kernel has no inotify (SystemNative_INotifyInit fails
    /// with ENOSYS, as Linux without CONFIG_INOTIFY_USER), and Microsoft.Extensions.FileProviders.Physical does not
    /// catch a FileSystemWatcher that fails to start: configuration reload-on-change, on by default in
    /// CreateBuilder/CreateSlimBuilder, would end the host at start. DOTNET_USE_POLLING_FILE_WATCHER=true is .NET's
    /// switch for file systems without change notifications (its container images set it): PhysicalFileProvider
    /// then polls (every 4 s) and never creates a FileSystemWatcher.</summary>
    static ReadOnlySpan<byte> PollingFileWatcher => "DOTNET_USE_POLLING_FILE_WATCHER=true\0"u8;

    static bool IsVariable(int start, int length)
    {
        int i = start;
        if (i < length && s_text[i] is >= (byte)'0' and <= (byte)'9') return false;
        while (i < length && s_text[i] is >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'_') i++;
        return i > start && i < length && s_text[i] == (byte)'=';
    }

    /// <summary>The value of a kernel option word <c>name=value</c> among the arguments (e.g. <c>console=com1</c>,
    /// <c>panic=reboot</c>); empty when absent. Allocation-free: panics read it.</summary>
    internal static ReadOnlySpan<byte> Option(ReadOnlySpan<byte> name)
    {
        for (int a = 1; a < MaxArguments && s_arguments[a] != 0; a++)
        {
            byte* word = (byte*)s_arguments[a];
            int length = 0;
            while (word[length] != 0) length++;
            var text = new ReadOnlySpan<byte>(word, length);
            if (text.Length > name.Length && text.StartsWith(name) && text[name.Length] == (byte)'=') return text[(name.Length + 1)..];
        }
        return default;
    }

    /// <summary>environ: "NAME=VALUE" strings, then null.</summary>
    internal static byte** Environment => (byte**)Unsafe.AsPointer(ref s_environment[0]);

    /// <summary>getenv: the value of a variable, or null.</summary>
    internal static byte* Lookup(byte* name) => Lookup(name, 0);

    /// <summary>The value of the variable whose name ends at <paramref name="end"/> (0, or '=' for a NAME=VALUE word).</summary>
    static byte* Lookup(byte* name, byte end)
    {
        for (byte** entry = Environment; *entry != null; entry++)
        {
            byte* e = *entry, n = name;
            while (*n != end && *n != 0 && *e == *n) { e++; n++; }
            if (*n == end && *e == (byte)'=') return e + 1;
        }
        return null;
    }
}
