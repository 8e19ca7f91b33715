using CosmosNet.Kernel.Console;

namespace CosmosNet.Kernel.Runtime.Gc;

/// <summary>A check of the incremental collector (GcDiagnostics.VerifyEveryCycle): at each termination,
/// once marking is complete and before anything is cleared or swept, everything strongly reachable is
/// traced again from scratch, stop-the-world, with a bit of its own; an object reachable but left
/// unmarked means a reference the barriers missed, and halts the kernel naming it and the object that
/// refers to it. Costs a second full trace per cycle, so it is for tests.</summary>
internal static unsafe class Verifier
{
    static byte** s_stack;                // the marker's (empty at termination)
    static ulong s_top;
    static bool s_overflow;
    static byte* s_scanning;              // whose fields are being visited (null: a root)

    public static ulong Cycles, ObjectsChecked;

    public static void Check(byte* stackPointer)
    {
        s_stack = Marker.StackMemory;
        s_scanning = null;
        Roots.ScanThreads(stackPointer, &Visit);
        for (int i = 0; i < GcControl.FrozenSegmentCount; i++)
        {
            ref GcControl.FrozenSegment s = ref GcControl.FrozenSegments[i];
            Roots.ScanConservatively(s.Start, s.Start + s.Allocated, &Visit);
        }
        for (int b = 0; b < Handles.BlockCount; b++)
        {
            Handles.Slot* slot = (Handles.Slot*)Handles.Blocks[b];
            for (int i = 0; i < Handles.Slots; i++, slot++)
            {
                if (Handles.IsStrong(slot->Type)) Roots.VisitPrecise((byte*)slot->Target, &Visit);
                else if (slot->Type == (nint)Handles.HandleType.Dependent && slot->Target != null && Marker.IsLive((byte*)slot->Target))
                    Roots.VisitPrecise((byte*)slot->Secondary, &Visit);
            }
        }
        Drain();
        while (s_overflow)
        {
            // The stack overflowed: objects reached whose fields were not visited are found by walking the heap.
            s_overflow = false;
            GcHeap.ForEachObject(&RescanVerified);
            Drain();
        }
        GcHeap.ForEachObject(&ClearBit);
        Cycles++;
    }

    static void Drain()
    {
        while (s_top > 0)
        {
            s_scanning = s_stack[--s_top];
            ObjectModel.ForEachReference(s_scanning, &VisitField);
        }
    }

    static void RescanVerified(byte* obj)
    {
        if ((ObjectModel.Header(obj) & ObjectModel.VerifiedBit) == 0) return;
        s_scanning = obj;
        ObjectModel.ForEachReference(obj, &VisitField);
        Drain();
    }

    static void VisitField(void** field)
    {
        if (GcHeap.InHeap(*field)) Visit((byte*)*field);
    }

    static void Visit(byte* obj)
    {
        ref uint header = ref ObjectModel.Header(obj);
        if ((header & ObjectModel.VerifiedBit) != 0) return;
        header |= ObjectModel.VerifiedBit;
        ObjectsChecked++;
        if ((header & ObjectModel.MarkBit) == 0) Fail(obj);
        if (!ObjectModel.HasPointers(ObjectModel.MethodTable(obj))) return;
        if (s_top == Marker.MarkStackEntries) s_overflow = true;
        else s_stack[s_top++] = obj;
    }

    static void Fail(byte* obj)
    {
        Serial.Write("GC verify: reachable object 0x"u8);
        Serial.WriteHex((ulong)obj);
        Serial.Write(" (MethodTable 0x"u8);
        Serial.WriteHex((ulong)ObjectModel.MethodTable(obj));
        Serial.Write(", "u8);
        Serial.WriteDecimal(ObjectModel.Size(obj));
        Serial.Write(" bytes) is not marked; referenced from "u8);
        if (s_scanning == null) Serial.Write("a root"u8);
        else
        {
            Serial.Write("0x"u8);
            Serial.WriteHex((ulong)s_scanning);
            Serial.Write(" (MethodTable 0x"u8);
            Serial.WriteHex((ulong)ObjectModel.MethodTable(s_scanning));
            Serial.Write(")"u8);
        }
        Serial.Write("\n"u8);
        Panic.Halt("GC verify: the incremental marking missed a reachable object"u8);
    }

    static void ClearBit(byte* obj) => ObjectModel.Header(obj) &= ~ObjectModel.VerifiedBit;
}
