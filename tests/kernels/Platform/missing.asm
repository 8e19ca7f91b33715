; Weak stand-ins for runtime entry points this test app pulls in that the kernel does not provide yet
; (other areas: GC, interface dispatch, file system, libm). A real definition in the kernel wins;
; if a stand-in is ever called, the kernel panics naming it.
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
MISSING RhGetGeneration
