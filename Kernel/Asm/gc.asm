; Garbage-collector helpers whose calling conventions C# cannot express (Kernel/Runtime/Gc).
default rel
bits 64
section .text

global cosmos_gc_spill_and_call, cosmos_gc_save_flags_cli, cosmos_gc_restore_flags

; void cosmos_gc_spill_and_call(void (*fn)(void* sp, nint arg), nint arg)
; Pushes every callee-saved register so that the conservative stack scan, starting at the stack
; pointer handed to fn, also sees object references that callers keep only in registers.
cosmos_gc_spill_and_call:
    push rbp
    mov rbp, rsp
    push rbx
    push r12
    push r13
    push r14
    push r15
    sub rsp, 8                  ; 16-byte alignment at the call
    mov rax, rdi
    mov rdi, rsp
    call rax
    add rsp, 8
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; ulong cosmos_gc_save_flags_cli(void): RFLAGS before interrupts were disabled.
cosmos_gc_save_flags_cli:
    pushfq
    pop rax
    cli
    ret

; void cosmos_gc_restore_flags(ulong flags)
cosmos_gc_restore_flags:
    push rdi
    popfq
    ret
