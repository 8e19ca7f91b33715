using System.Runtime.InteropServices;

namespace CosmosNet.Kernel.Runtime;

/// <summary>The register context the throw stubs capture (PAL_LIMITED_CONTEXT, 80 bytes).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct LimitedContext
{
    public ulong Ip, Rsp, Rbp, Rax, Rbx, Rdx, R12, R13, R14, R15;
}

/// <summary>REGDISPLAY (136 bytes): POINTERS to where each register of the current frame is saved (in a
/// captured context or in a callee's stack frame), plus SP and IP by value.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct RegDisplay
{
    public ulong* Rax, Rcx, Rdx, Rbx, Rbp, Rsi, Rdi, R8, R9, R10, R11, R12, R13, R14, R15;
    public ulong SP, IP;

    /// <summary>Slot of a DWARF register number (callee-saved ones only; null for others).</summary>
    public ulong** Slot(int dwarfRegister)
    {
        fixed (RegDisplay* self = &this)
        {
            switch (dwarfRegister)
            {
                case 0: return &self->Rax;
                case 1: return &self->Rdx;
                case 3: return &self->Rbx;
                case 6: return &self->Rbp;
                case 12: return &self->R12;
                case 13: return &self->R13;
                case 14: return &self->R14;
                case 15: return &self->R15;
                default: return null;
            }
        }
    }
}

/// <summary>CoreLib's StackFrameIterator (360 bytes; CoreLib reads FramePointer @16, ControlPC @24,
/// RegDisplay @32, OriginalControlPC @344). The walk unwinds ILC's CFI frame by frame. ControlPC is the
/// return address minus one (inside the call instruction, so try ranges [start, end) match), except for
/// the faulting instruction of a hardware exception. When the walk leaves a catch or finally funclet it
/// "collides" with the dispatch that called it and continues at that dispatch's frame (the funclet's
/// parent), skipping the clauses up to the one running; a filter funclet is unwound into the dispatcher
/// (which catches what a filter throws).</summary>
[StructLayout(LayoutKind.Explicit, Size = 360)]
internal unsafe struct StackFrameIterator
{
    [FieldOffset(16)] public ulong FramePointer;
    [FieldOffset(24)] public byte* ControlPC;
    [FieldOffset(32)] public RegDisplay Regs;
    [FieldOffset(344)] public byte* OriginalControlPC;
    [FieldOffset(352)] public nint PreviousTransitionFrame;

    public const uint NoClause = 0xFFFFFFFF;

    public bool Init(LimitedContext* context, bool instructionFault)
    {
        fixed (StackFrameIterator* self = &this) NativeMemory.Clear(self, (nuint)sizeof(StackFrameIterator));
        Regs.Rax = &context->Rax;
        Regs.Rdx = &context->Rdx;
        Regs.Rbx = &context->Rbx;
        Regs.Rbp = &context->Rbp;
        Regs.R12 = &context->R12;
        Regs.R13 = &context->R13;
        Regs.R14 = &context->R14;
        Regs.R15 = &context->R15;
        Regs.SP = context->Rsp;
        Regs.IP = context->Ip;
        return Enter((byte*)context->Ip, isReturnAddress: !instructionFault);
    }

    /// <summary>Moves to the caller. False at the end of managed code (or when it cannot unwind).
    /// collideClause: the clause index a collided dispatch was running (NoClause otherwise).</summary>
    public bool Next(uint* collideClause)
    {
        if (collideClause != null) *collideClause = NoClause;
        if (!CodeMap.Find(ControlPC, out CodeMap.Function f)) return false;

        int cfaRegister, cfaOffset;
        int* saved = stackalloc int[17];
        CodeMap.UnwindRule(f, ControlPC, out cfaRegister, out cfaOffset, saved);
        ulong cfa = cfaRegister switch
        {
            7 => Regs.SP,
            6 => *Regs.Rbp,
            _ => 0,
        };
        if (cfa == 0) return false;
        cfa += (ulong)cfaOffset;
        for (int r = 0; r < 17; r++)
        {
            if (saved[r] == 0) continue;
            ulong** slot = Regs.Slot(r);
            if (slot != null) *slot = (ulong*)(cfa + (ulong)(long)saved[r]);
        }
        ulong returnAddress = *(ulong*)(cfa - 8);
        Regs.SP = cfa;
        Regs.IP = returnAddress;

        if (returnAddress == (ulong)ExceptionHandling.FilterFuncletReturn)
        {
            // RhpCallFilterFunclet's frame: padding, the dispatcher's r15, r14, r13, r12, rbx, rbp, then the
            // return address into the dispatcher (which resumes with these registers if the filter throws).
            ulong* frame = (ulong*)Regs.SP;
            Regs.R15 = frame + 1;
            Regs.R14 = frame + 2;
            Regs.R13 = frame + 3;
            Regs.R12 = frame + 4;
            Regs.Rbx = frame + 5;
            Regs.Rbp = frame + 6;
            Regs.IP = frame[7];
            Regs.SP += 8 * 8;
        }
        else if (returnAddress == (ulong)ExceptionHandling.CatchFuncletReturn
              || returnAddress == (ulong)ExceptionHandling.FinallyFuncletReturn)
        {
            ExInfo* dispatch = ExceptionHandling.DispatchAbove(Regs.SP);
            if (dispatch == null) Panic.Halt("stack walk: a funclet is running without an exception dispatch"u8);
            this = dispatch->FrameIterator;
            if (collideClause != null) *collideClause = dispatch->ClauseIndex;
            return true;
        }
        // An [UnmanagedCallersOnly] method was called from native code: managed frames end here.
        else if ((f.MainFlags & CodeMap.ReversePInvoke) != 0) return false;

        return Enter((byte*)Regs.IP, isReturnAddress: true);
    }

    bool Enter(byte* ip, bool isReturnAddress)
    {
        byte* pc = isReturnAddress ? ip - 1 : ip;
        if (!CodeMap.Find(pc, out CodeMap.Function f)) return false;
        ControlPC = pc;
        OriginalControlPC = ip;
        // Funclets run on their parent's rbp: the frame pointer identifies the method activation.
        FramePointer = (f.MainFlags & (CodeMap.HasEHInfo | CodeMap.ReversePInvoke)) != 0 ? *Regs.Rbp : 0;
        return true;
    }
}

/// <summary>CoreLib's ExInfo (400 bytes), one per exception in flight, on the stack of its throw stub.</summary>
[StructLayout(LayoutKind.Explicit, Size = 400)]
internal unsafe struct ExInfo
{
    [FieldOffset(0)] public ExInfo* Previous;
    [FieldOffset(8)] public LimitedContext* Context;
    [FieldOffset(16)] public nint Exception;          // the exception object (CoreLib's; a root for the GC)
    [FieldOffset(24)] public byte Kind;
    [FieldOffset(25)] public byte PassNumber;
    [FieldOffset(28)] public uint ClauseIndex;         // the clause whose handler runs; NoClause otherwise
    [FieldOffset(32)] public StackFrameIterator FrameIterator;
}

/// <summary>RhEHClause as CoreLib declares it.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EHClause
{
    public uint Kind;                                  // 0 typed, 1 fault/finally, 2 filter
    public uint TryStartOffset, TryEndOffset;
    public byte* FilterAddress;
    public byte* HandlerAddress;
    public void* TargetType;                           // MethodTable* of a typed clause
}

/// <summary>CoreLib's MethodRegionInfo: ILC does no hot/cold splitting here, so one region.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct MethodRegionInfo
{
    public byte* HotStart;
    public nuint HotSize;
    public byte* ColdStart;
    public nuint ColdSize;
}

/// <summary>CoreLib's opaque EHEnum (32 bytes): our cursor over a method's clause table.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct EHEnum
{
    public byte* MethodStart;
    public byte* Cursor;
    public uint Remaining;

    /// <summary>Clause: varint try start, varint (try length &lt;&lt; 2 | kind), varint handler offset,
    /// then a rel32 to the MethodTable (typed) or a varint filter offset (filter).</summary>
    public bool Next(EHClause* clause)
    {
        if (Remaining == 0) return false;
        Remaining--;
        byte* p = Cursor;
        uint tryStart = CodeMap.ReadVarUInt(ref p);
        uint lengthAndKind = CodeMap.ReadVarUInt(ref p);
        clause->Kind = lengthAndKind & 3;
        clause->TryStartOffset = tryStart;
        clause->TryEndOffset = tryStart + (lengthAndKind >> 2);
        clause->FilterAddress = null;
        clause->TargetType = null;
        clause->HandlerAddress = MethodStart + CodeMap.ReadVarUInt(ref p);
        if (clause->Kind == 0)
        {
            clause->TargetType = p + *(int*)p;
            p += 4;
        }
        else if (clause->Kind == 2)
        {
            clause->FilterAddress = MethodStart + CodeMap.ReadVarUInt(ref p);
        }
        Cursor = p;
        return true;
    }
}
