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
    }

    [MethodImpl(MethodImplOptions.InternalCall), RuntimeImport("cosmos_image_layout")]
    static extern Layout* GetLayout();

    public static Layout* Current => GetLayout();

    public static bool Contains(void* address) => address >= Current->Start && address < Current->End;
}
