using System.Runtime;
using System.Runtime.CompilerServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>Addresses the linker script (Boot/kernel.ld) and the boot stub define, read through
/// cosmos_image_layout (Kernel/Asm/runtime.asm).</summary>
internal static unsafe class Image
{
    public struct Layout
    {
        public byte* Start, End;                    // the whole image, .bss included
        public byte* TextEnd;                       // code ends here
        public byte* BssStart, BssEnd;
        public byte* TdataStart, TdataEnd;          // initial TLS image (thread statics)
        public ulong TlsMemorySize, TlsAlignment;   // TP offset of the image = -align_up(size, alignment)
        public byte* BootStackBottom, BootStackTop;
        public byte* EhFrameHdrStart, EhFrameHdrEnd;
        public byte* EhFrameStart, EhFrameEnd;
        public byte* ManagedCodeStart, ManagedCodeEnd;
        public byte* UnboxStart, UnboxEnd;
        public byte* KnobsBlob;                     // g_compilerEmbeddedKnobsBlob
        public nint* InterruptStubs;                // cosmos_isr_stubs: u64[256]
        public ulong MultibootMagic, MultibootInfo;
        public byte* BuildIdStart, BuildIdEnd;      // the ELF note of ld --build-id (name "GNU", then the id)
    }

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_image_layout")]
    static extern Layout* GetLayout();

    public static Layout* Current => GetLayout();

    /// <summary>The image's build id (ld --build-id=sha1) in hex, written without allocating; "unknown" without one.</summary>
    public static void WriteBuildId(delegate*<byte, void> put)
    {
        // Note: u32 name size, u32 descriptor size, u32 type (3 = NT_GNU_BUILD_ID), the name padded to 4, the id.
        byte* note = Current->BuildIdStart;
        if (note == null || Current->BuildIdEnd - note < 16 || *(uint*)(note + 8) != 3)
        {
            foreach (byte b in "unknown"u8) put(b);
            return;
        }
        uint nameSize = *(uint*)note, size = *(uint*)(note + 4);
        byte* id = note + 12 + ((nameSize + 3) & ~3u);
        for (uint i = 0; i < size && id + i < Current->BuildIdEnd; i++)
        {
            put("0123456789abcdef"u8[id[i] >> 4]);
            put("0123456789abcdef"u8[id[i] & 15]);
        }
    }

    public static bool Contains(void* address) => address >= Current->Start && address < Current->End;
}
