; Garbage-collector helpers whose calling conventions C# cannot express (Kernel/Runtime/Gc): the write
; barriers, and register spilling for the conservative stack scan.
default rel
bits 64
%include "caller-saved.inc"

global cosmos_gc_spill_and_call, cosmos_gc_save_flags_cli, cosmos_gc_restore_flags, cosmos_gc_barrier_state
global RhpAssignRef, RhpCheckedAssignRef, RhpByRefAssignRef, RhpCheckedLockCmpXchg, RhpCheckedXchg
extern CosmosGcBarrierBufferFull

BARRIER_ENTRIES equ 8192

; struct Marker.BarrierState (Kernel/Runtime/Gc/Marker.cs, same order)
MARKING    equ 0            ; byte: the incremental marker is running
TOP        equ 8            ; next free entry of the barrier buffer
END        equ 16           ; end of the buffer
START      equ 24           ; start of the buffer
KINDS      equ 32           ; GcHeap's unit-kind table (Small = 1, Large = 2)
UNIT_COUNT equ 40           ; entries in that table

section .data
align 64
barrier_state:
    dq 0
    dq barrier_buffer
    dq barrier_buffer + BARRIER_ENTRIES * 8
    dq barrier_buffer
    dq 0
    dq 0

section .bss
align 16
barrier_buffer: resq BARRIER_ENTRIES

section .text

; BarrierState* cosmos_gc_barrier_state(void)
cosmos_gc_barrier_state:
    lea rax, [barrier_state]
    ret

; Write barriers. Contract with ILC's code: rdi = destination, rsi = reference; only rax, rcx and the
; flags may change (RhpByRefAssignRef: *rdi = *rsi and both advance by 8).
; While the incremental marker runs they are Dijkstra insertion barriers: a stored reference to an
; unmarked heap object is recorded in the barrier buffer, which the marker shades at its next step, so a
; marked (black) object never ends up pointing at an unmarked (white) one the marker would miss.
; The store comes first: a thread preempted between the store and the check still holds the reference in
; a register saved on its stack, which the marker rescans when it finishes; a store made before the marker
; started is part of the heap the marker traces anyway.
RhpAssignRef:
RhpCheckedAssignRef:
    mov [rdi], rsi
    cmp byte [barrier_state + MARKING], 0
    jne shade_rsi
    ret

RhpByRefAssignRef:
    mov rcx, [rsi]
    mov [rdi], rcx
    add rdi, 8
    add rsi, 8
    cmp byte [barrier_state + MARKING], 0
    jne shade_rcx
    ret

; rdi = destination, rsi = value, rdx = comparand -> old value (shading rsi when the exchange failed is
; harmless: at worst it keeps an object alive one more cycle)
RhpCheckedLockCmpXchg:
    mov rax, rdx
    lock cmpxchg [rdi], rsi
    cmp byte [barrier_state + MARKING], 0
    jne shade_rsi
    ret

; rdi = destination, rsi = value -> old value
RhpCheckedXchg:
    mov rax, rsi
    xchg [rdi], rax
    cmp byte [barrier_state + MARKING], 0
    jne shade_rsi
    ret

; Records rsi / rcx (an object reference or null) in the barrier buffer when it is an unmarked heap object.
; Preserves every register but rcx and the flags. Interrupts are off while the entry is appended, so a
; thread switch cannot interleave two appends or an append and a marker step. A full buffer is handed to
; the collector (every caller-saved register kept: the barrier's callers assume them intact).
shade_rsi:
    mov rcx, rsi
shade_rcx:
    test rcx, rcx
    jz .done
    test byte [rcx - 8], 1          ; mark bit: already grey or black
    jnz .done
    push rax
    mov rax, rcx
    shr rax, 20                     ; GcHeap.UnitShift
    cmp rax, [barrier_state + UNIT_COUNT]
    jae .pop
    add rax, [barrier_state + KINDS]
    movzx eax, byte [rax]
    dec eax
    cmp eax, 1                      ; Small (1) or Large (2): frozen and image objects are never marked
    ja .pop
.append:
    pushfq
    cli
    mov rax, [barrier_state + TOP]
    cmp rax, [barrier_state + END]
    jae .full
    mov [rax], rcx
    add rax, 8
    mov [barrier_state + TOP], rax
    popfq
.pop:
    pop rax
.done:
    ret
.full:
    popfq
    push rcx                        ; rsp is 16-byte aligned here: return address + rax + 8 pushes + 256
    push rdx
    push rsi
    push rdi
    push r8
    push r9
    push r10
    push r11
    SAVE_XMM 16
    call CosmosGcBarrierBufferFull
    RESTORE_XMM 16
    pop r11
    pop r10
    pop r9
    pop r8
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    jmp .append

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
