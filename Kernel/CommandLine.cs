using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel;

/// <summary>The bootloader's command line becomes the app's argv: `qemu -kernel cosmosnet.elf -append "a b"`
/// or `multiboot /boot/cosmosnet.elf a b` in GRUB give Main(string[] args) = ["a", "b"] (argv[0] is the
/// kernel's path). Split on spaces; no quoting. Copied before any memory is allocated: the loader's copy
/// lies in memory the kernel hands out.</summary>
internal static unsafe class CommandLine
{
    const int MaxLength = 1024, MaxArguments = 64;

    [InlineArray(MaxLength + 1)] struct TextBuffer { byte _first; }
    [InlineArray(MaxArguments + 1)] struct ArgumentBuffer { nint _first; }

    static TextBuffer s_text;
    static ArgumentBuffer s_arguments;

    internal static void Read(byte* multibootInfo, int* argc, byte*** argv)
    {
        uint flags = *(uint*)multibootInfo;
        byte* source = (flags & (1 << 2)) != 0 ? (byte*)(ulong)*(uint*)(multibootInfo + 16) : null;
        int length = 0;
        if (source != null) while (length < MaxLength && source[length] != 0) { s_text[length] = source[length]; length++; }
        if (length == 0) foreach (byte b in "cosmosnet"u8) s_text[length++] = b;

        int count = 0;
        for (int i = 0; i < length && count < MaxArguments; )
        {
            while (i < length && s_text[i] == (byte)' ') s_text[i++] = 0;
            if (i == length) break;
            s_arguments[count++] = (nint)Unsafe.AsPointer(ref s_text[i]);
            while (i < length && s_text[i] != (byte)' ') i++;
        }
        for (int i = 0; i < length; i++) if (s_text[i] == (byte)' ') s_text[i] = 0;
        *argc = count;
        *argv = (byte**)Unsafe.AsPointer(ref s_arguments[0]);
    }
}
