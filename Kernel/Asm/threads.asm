; Kernel threads and the few CPU instructions of the time/random code (see Kernel/Threading/Scheduler.cs,
; Kernel/Arch/X64/CpuFeatures.cs, Kernel/Runtime/CpuId.cs). Plain SysV functions imported with [RuntimeImport].
%include "callee-saved.inc"
default rel
bits 64
section .text

global cosmos_switch_context, cosmos_thread_trampoline, cosmos_interrupts_save_disable, cosmos_interrupts_restore
global cosmos_wait_for_interrupt, cosmos_cpuid, cosmos_rdrand, cosmos_rdseed, RhGetThreadEntryPointAddress
extern ThreadEntryPoint, cosmos_thread_main

; void cosmos_switch_context(u64* saveRsp, u64 newRsp): saves the callee-saved registers and the x87/SSE
; state (MXCSR and the x87 control word are callee-saved) on the current stack, stores rsp in *saveRsp and
; resumes the thread whose stack is newRsp (saved by this same function or built by Scheduler.Create).
cosmos_switch_context:
    PUSH_CALLEE_SAVED
    sub rsp, 520                            ; 512-byte fxsave area, 16-byte aligned (entry rsp = 8 mod 16)
    fxsave [rsp]
    mov [rdi], rsp
    mov rsp, rsi
    fxrstor [rsp]
    add rsp, 520
    POP_CALLEE_SAVED
    ret

; First code of a new thread (its first "return" from cosmos_switch_context): r12 = the KThread*.
cosmos_thread_trampoline:
    mov rdi, r12
    call cosmos_thread_main                 ; never returns
    ud2

; u64 cosmos_interrupts_save_disable(): RFLAGS before cli (restore with cosmos_interrupts_restore).
cosmos_interrupts_save_disable:
    pushfq
    pop rax
    cli
    ret
cosmos_interrupts_restore:
    test edi, 1 << 9
    jz .off
    sti
.off:
    ret

; Idle: sti takes effect after the next instruction, so an interrupt cannot slip in between and be
; missed by the hlt. Returns with interrupts disabled again.
cosmos_wait_for_interrupt:
    sti
    hlt
    cli
    ret

; void cosmos_cpuid(u32 leaf, u32 subleaf, u32* out4)  (eax, ebx, ecx, edx)
cosmos_cpuid:
    push rbx
    mov r8, rdx
    mov eax, edi
    mov ecx, esi
    cpuid
    mov [r8], eax
    mov [r8 + 4], ebx
    mov [r8 + 8], ecx
    mov [r8 + 12], edx
    pop rbx
    ret

; bool cosmos_rdrand(u64* value) / cosmos_rdseed: false when the CPU had no entropy ready (CF = 0).
cosmos_rdrand:
    rdrand rax
    jnc .fail
    mov [rdi], rax
    mov eax, 1
    ret
.fail:
    xor eax, eax
    ret
cosmos_rdseed:
    rdseed rax
    jnc .fail
    mov [rdi], rax
    mov eax, 1
    ret
.fail:
    xor eax, eax
    ret

; CoreLib hands this to SystemNative_CreateThread: its [UnmanagedCallersOnly] thread start routine.
RhGetThreadEntryPointAddress:
    lea rax, [ThreadEntryPoint]
    ret
