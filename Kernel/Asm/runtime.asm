; The runtime helpers whose calling conventions C# cannot meet (register-only conventions, tail jumps),
; plus memmove/memset (managed code calls these for large blocks; a managed version would recurse) and
; the data symbols ILC's object references. Everything else of the runtime is C# under Kernel/Runtime.
default rel
bits 64
%include "caller-saved.inc"
section .text

global RhpPInvoke, RhpPInvokeReturn, RhpReversePInvoke, RhpReversePInvokeReturn, RhpGcPoll, RhpStackProbe
global RhpInitialDynamicInterfaceDispatch, cosmos_initial_dispatch_stub
global memmove, memset, memcpy
global RhpTrapThreads, __security_cookie, g_cpuFeatures
extern RhpResolveInterfaceMethod

; Transitions between managed and native code: nothing to do while there is no GC suspension.
RhpPInvoke:
RhpPInvokeReturn:
RhpReversePInvoke:
RhpReversePInvokeReturn:
RhpGcPoll:
    ret

; Called in the prologue of frames larger than 3 pages (smaller ones probe inline): touches every page from
; the one below rsp down to r11, the lowest address of the new frame, so that the frame cannot jump over
; the stack's guard page. r11 preserved, rax clobbered.
RhpStackProbe:
    mov rax, rsp
    and rax, -4096
.probe:
    sub rax, 4096
    test dword [rax], eax
    cmp rax, r11
    jg .probe
    ret

; Interface call through a dispatch cell: r11 = cell, rdi = this; every argument register must reach the
; target intact, so only rax and r10 (and r11) are touched before the jump. A resolved cell's cache word points
; at its cache block (Kernel/Runtime/InterfaceDispatch.cs: 16-byte entries {MethodTable, target} from offset
; CACHE_ENTRIES, ended by a null MethodTable); a hit jumps straight to the target. Anything else — a cell not yet
; resolved (tagged cache word or vtable offset below 0x1000), a type not in the block, a null this — goes to
; CoreLib's resolver, which fills the cache through RhpUpdateDispatchCellCache.
CACHE_ENTRIES equ 48
RhpInitialDynamicInterfaceDispatch:
    mov rax, [r11 + 8]
    test al, 3
    jnz .resolve
    cmp rax, 0x1000
    jb .resolve
    test rdi, rdi
    jz .resolve
    mov r10, [rdi]                          ; this's MethodTable
    add rax, CACHE_ENTRIES
.scan:
    cmp r10, [rax]
    je .hit
    cmp qword [rax], 0
    je .resolve
    add rax, 16
    jmp .scan
.hit:
    jmp [rax + 8]
.resolve:
    push rbp
    mov rbp, rsp
    push rdi
    push rsi
    push rdx
    push rcx
    push r8
    push r9
    SAVE_XMM 8
    mov rsi, r11
    call RhpResolveInterfaceMethod          ; (object this, cell) -> code address
    RESTORE_XMM 8
    pop r9
    pop r8
    pop rcx
    pop rdx
    pop rsi
    pop rdi
    pop rbp
    jmp rax

; The stub's address, for dispatch cells made at run time (RhNewInterfaceDispatchCell).
cosmos_initial_dispatch_stub:
    lea rax, [RhpInitialDynamicInterfaceDispatch]
    ret

; void* memmove(void* dst, const void* src, size_t n)
memmove:
memcpy:
    mov rax, rdi
    mov rcx, rdx
    cmp rdi, rsi
    jbe .forward
    lea r8, [rsi + rdx]
    cmp rdi, r8
    jae .forward
    lea rsi, [rsi + rdx - 1]                ; overlapping, destination above: copy backwards
    lea rdi, [rdi + rdx - 1]
    std
    rep movsb
    cld
    ret
.forward:
    ; 64 bytes a pass through SSE registers, the rest (< 64) by rep movsb. Under QEMU's TCG every iteration of a
    ; rep-prefixed instruction costs about as much as a pass of this loop, so byte-wise rep movsb made large copies
    ; (socket buffers, 64 KiB segments) the bulk TCP paths' largest cost. Safe for overlap with the destination
    ; below the source: each pass loads its 64 bytes before storing any, and stores only below what it has not read.
    cmp rcx, 64
    jb .tail
.block:
    movdqu xmm0, [rsi]
    movdqu xmm1, [rsi + 16]
    movdqu xmm2, [rsi + 32]
    movdqu xmm3, [rsi + 48]
    movdqu [rdi], xmm0
    movdqu [rdi + 16], xmm1
    movdqu [rdi + 32], xmm2
    movdqu [rdi + 48], xmm3
    add rsi, 64
    add rdi, 64
    sub rcx, 64
    cmp rcx, 64
    jae .block
.tail:
    rep movsb
    ret

; void* memset(void* dst, int value, size_t n): 64 bytes a pass through an SSE register (as memmove), then rep stosb.
memset:
    mov r8, rdi
    movzx eax, sil
    mov rcx, rdx
    cmp rcx, 64
    jb .tail
    movd xmm0, eax
    punpcklbw xmm0, xmm0
    punpcklwd xmm0, xmm0
    pshufd xmm0, xmm0, 0
.block:
    movdqu [rdi], xmm0
    movdqu [rdi + 16], xmm0
    movdqu [rdi + 32], xmm0
    movdqu [rdi + 48], xmm0
    add rdi, 64
    sub rcx, 64
    cmp rcx, 64
    jae .block
.tail:
    rep stosb
    mov rax, r8
    ret

section .data
align 8
RhpTrapThreads:    dd 0                     ; GC-poll flag: 0 = never trap
align 8
__security_cookie: dq 0x2f5c8e1a7d3b9c46    ; stack-cookie seed (fixed: there is no loader to randomise it)
g_cpuFeatures:     dd 0                     ; no optional instruction sets beyond the x86-64 baseline

; Image layout for the C# side (Kernel/Runtime/Image.cs, struct Layout: same order).
extern __image_start, __image_end, __text_end, __bss_start, __bss_end, __tdata_start, __tdata_end
extern __tls_memsz, __tls_align, cosmos_boot_stack_bottom, cosmos_boot_stack_top
extern __eh_frame_hdr_start, __eh_frame_hdr_end, __eh_frame_start, __eh_frame_end
extern __start___managedcode, __stop___managedcode, __start___unbox, __stop___unbox
extern g_compilerEmbeddedKnobsBlob, cosmos_isr_stubs, cosmos_multiboot_magic, cosmos_multiboot_info, __build_id_start, __build_id_end
global cosmos_image_layout
section .data
align 8
image_layout:
    dq __image_start, __image_end, __text_end, __bss_start, __bss_end, __tdata_start, __tdata_end
    dq __tls_memsz, __tls_align, cosmos_boot_stack_bottom, cosmos_boot_stack_top
    dq __eh_frame_hdr_start, __eh_frame_hdr_end, __eh_frame_start, __eh_frame_end
    dq __start___managedcode, __stop___managedcode, __start___unbox, __stop___unbox
    dq g_compilerEmbeddedKnobsBlob, cosmos_isr_stubs
multiboot_magic_copy: dq 0
multiboot_info_copy:  dq 0
    dq __build_id_start, __build_id_end
section .text
cosmos_image_layout:
    mov eax, [cosmos_multiboot_magic]
    mov [multiboot_magic_copy], rax
    mov eax, [cosmos_multiboot_info]
    mov [multiboot_info_copy], rax
    lea rax, [image_layout]
    ret
