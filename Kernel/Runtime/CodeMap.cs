namespace CosmosNet.Kernel.Runtime;

/// <summary>Where managed code is and how to unwind it, from what ILC emits for every method and funclet:
/// an .eh_frame FDE (prologue-only CFI, CIE "zLR" with pc-relative sdata4 pointers) whose LSDA starts with
/// ILC's flags byte. ld --eh-frame-hdr sorts the FDEs into .eh_frame_hdr: binary search by code address.
/// LSDA: u8 flags (kind root/handler/filter in bits 0-1, has-EH-info 4, reverse-P/Invoke 8,
/// associated-data 0x10); a funclet's LSDA continues with a rel32 to its method's main LSDA; a main LSDA
/// continues with [rel32 associated data] and, when it has EH info, a rel32 to the clause table.</summary>
internal static unsafe class CodeMap
{
    public const byte KindMask = 3, KindRoot = 0, KindCatchOrFinally = 1, KindFilter = 2;
    public const byte HasEHInfo = 4, ReversePInvoke = 8, HasAssociatedData = 0x10;

    /// <summary>One method or funclet: its code range, its own LSDA, and the method it belongs to.</summary>
    public struct Function
    {
        public byte* Start, End;
        public byte* Lsda;          // this function's LSDA (flags byte first)
        public byte* MainLsda;      // the method's root LSDA (== Lsda for a root)
        public byte* MainStart;     // the method's root code start: EH clause offsets are relative to it
        public byte* Fde;
        public byte Kind => (byte)(*Lsda & KindMask);
        public byte MainFlags => *MainLsda;
    }

    // .eh_frame_hdr: u8 version, u8 eh_frame_ptr_enc, u8 fde_count_enc, u8 table_enc, then eh_frame_ptr,
    // fde_count and the table of { initial location, FDE address } pairs (datarel sdata4: 0x3b).
    static byte* s_header;
    static int* s_table;
    static int s_count;

    static bool EnsureTable()
    {
        if (s_table != null) return true;
        byte* hdr = Image.Current->EhFrameHdrStart;
        if (hdr == null || hdr[0] != 1 || hdr[2] != 0x03 || hdr[3] != 0x3b)
            Panic.Halt("unwind: .eh_frame_hdr is missing or not in the expected encoding (link with --eh-frame-hdr)"u8);
        s_header = hdr;
        s_count = *(int*)(hdr + 8);
        s_table = (int*)(hdr + 12);
        return true;
    }

    /// <summary>True for an address inside managed code (any method or funclet ILC compiled).</summary>
    public static bool IsManagedCode(void* pc) => Find(pc, out _);

    /// <summary>The method or funclet containing pc.</summary>
    public static bool Find(void* pc, out Function f)
    {
        f = default;
        EnsureTable();
        int index = IndexOf((byte*)pc);
        if (index < 0) return false;
        if (!Read(index, out f) || pc >= f.End) { f = default; return false; }
        if ((*f.Lsda & KindMask) == KindRoot)
        {
            f.MainLsda = f.Lsda;
            f.MainStart = f.Start;
            return true;
        }
        f.MainLsda = f.Lsda + 1 + *(int*)(f.Lsda + 1);
        // Funclets follow their method's body: the nearest earlier entry with the main LSDA is the method.
        for (int i = index - 1; i >= 0 && i >= index - 256; i--)
        {
            if (!Read(i, out Function main)) break;
            if (main.Lsda == f.MainLsda) { f.MainStart = main.Start; return true; }
        }
        f = default;
        return false;
    }

    static int IndexOf(byte* pc)
    {
        int lo = 0, hi = s_count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            if (s_header + s_table[mid * 2] <= pc) { found = mid; lo = mid + 1; }
            else hi = mid - 1;
        }
        return found;
    }

    // FDE: u32 length, s32 CIE pointer, pc_begin (pcrel sdata4), pc_range (sdata4), uleb augmentation
    // length, LSDA (pcrel sdata4), then the CFA instructions.
    static bool Read(int index, out Function f)
    {
        f = default;
        byte* fde = s_header + s_table[index * 2 + 1];
        byte* p = fde + 8;
        f.Start = p + *(int*)p;
        f.End = f.Start + *(int*)(p + 4);
        p += 8;
        ulong augmentation = ReadUleb(ref p);
        if (augmentation < 4) return false;          // no LSDA: not ILC's code
        f.Lsda = p + *(int*)p;
        f.Fde = fde;
        return true;
    }

    /// <summary>The CFA rule and saved-register offsets in effect at pc (ILC's CFI: def_cfa, def_cfa_offset,
    /// def_cfa_register, offset, advance_loc, nop). savedOffset[r] is the CFA offset of DWARF register r
    /// (0 = not saved); the return address is always at CFA - 8.</summary>
    public static void UnwindRule(in Function f, byte* pc, out int cfaRegister, out int cfaOffset, int* savedOffset)
    {
        cfaRegister = 7;                             // CIE: CFA = rsp + 8, return address at CFA - 8
        cfaOffset = 8;
        for (int r = 0; r < 17; r++) savedOffset[r] = 0;
        byte* fde = f.Fde;
        byte* end = fde + 4 + *(uint*)fde;
        byte* p = fde + 16;
        ulong augmentation = ReadUleb(ref p);
        p += augmentation;
        byte* location = f.Start;
        while (p < end)
        {
            byte op = *p++;
            switch (op >> 6)
            {
                case 1:
                    location += op & 0x3F;
                    if (location > pc) return;
                    continue;
                case 2:
                    Save(savedOffset, op & 0x3F, -8 * (int)ReadUleb(ref p));
                    continue;
                case 3:
                    Save(savedOffset, op & 0x3F, 0);
                    continue;
            }
            switch (op)
            {
                case 0x00: break;                                            // nop
                case 0x02: location += *p++; if (location > pc) return; break;  // advance_loc1
                case 0x03: location += *(ushort*)p; p += 2; if (location > pc) return; break;
                case 0x04: location += *(uint*)p; p += 4; if (location > pc) return; break;
                case 0x0c: cfaRegister = (int)ReadUleb(ref p); cfaOffset = (int)ReadUleb(ref p); break;
                case 0x0d: cfaRegister = (int)ReadUleb(ref p); break;
                case 0x0e: cfaOffset = (int)ReadUleb(ref p); break;
                case 0x05: { int r = (int)ReadUleb(ref p); Save(savedOffset, r, -8 * (int)ReadUleb(ref p)); break; }
                default: Panic.Halt("unwind: unsupported CFI instruction in ILC's .eh_frame"u8); break;
            }
        }
    }

    static void Save(int* savedOffset, int register, int offset)
    {
        if (register < 17) savedOffset[register] = offset;
    }

    static ulong ReadUleb(ref byte* p)
    {
        ulong value = 0;
        int shift = 0;
        byte b;
        do { b = *p++; value |= (ulong)(b & 0x7F) << shift; shift += 7; } while ((b & 0x80) != 0);
        return value;
    }

    /// <summary>ILC's variable-length unsigned integer: the low bits of the first byte give the length
    /// (x0: 1 byte, x01: 2, x011: 3, x0111: 4, 1111: a plain u32 follows).</summary>
    public static uint ReadVarUInt(ref byte* p)
    {
        uint b = p[0];
        if ((b & 1) == 0) { p += 1; return b >> 1; }
        if ((b & 2) == 0) { uint v = (uint)(*(ushort*)p >> 2); p += 2; return v; }
        if ((b & 4) == 0) { uint v = (uint)(p[0] | p[1] << 8 | p[2] << 16) >> 3; p += 3; return v; }
        if ((b & 8) == 0) { uint v = *(uint*)p >> 4; p += 4; return v; }
        uint w = *(uint*)(p + 1);
        p += 5;
        return w;
    }

    /// <summary>The EH clause table of a method (null when it has none): varint count, then the clauses.</summary>
    public static byte* EHInfo(byte* mainLsda)
    {
        byte flags = *mainLsda;
        if ((flags & HasEHInfo) == 0) return null;
        byte* p = mainLsda + 1;
        if ((flags & HasAssociatedData) != 0) p += 4;
        return p + *(int*)p;
    }
}
