; Weak stand-ins for runtime entry points this kernel links (CoreLib's GC class, the type loader) that the
; kernel does not provide yet. A real definition in the kernel wins; if a stand-in is ever called, the
; kernel panics naming it (Kernel/Runtime/MissingEntryPoint.cs).
default rel
bits 64
section .text
extern cosmos_missing_entry_point
%macro MISSING 1
global %1:weak
%1:
    lea rdi, [.name]
    jmp cosmos_missing_entry_point
.name: db %str(%1), 0
%endmacro
MISSING RhGetGCDescSize
MISSING RhWaitForPendingFinalizers
MISSING RhGetAllocatedBytesForCurrentThread

; GC.GetGeneration (reached from LINQ's grouping): every object of the kernel's heap, which never
; collects, is in generation 0. The GC's own definition replaces this one.
global RhGetGeneration:weak
RhGetGeneration:
    xor eax, eax
    ret
