; CosmosNet boot stub: Multiboot1 entry (32-bit protected mode, paging off) -> long mode -> the
; start-up sequence of NativeAOT's bootstrapper, redone for bare metal:
;   CosmosKernelEarlyInit(magic, mbi, &argc, &argv)  C#: serial, memory map, page tables (no objects yet)
;   InitializeModules(...)              CoreLib: rehydrate data, register modules, static bases
;   CosmosKernelInit()                  C#: IDT, clocks, everything that may use objects
;   __managed__Main(argc, argv)         CoreLib start-up code, then the app's Main
;   CosmosKernelExit(exitCode)          C#: report and power off (does not return)
; The boot page tables identity-map the first 4 GiB (page 0 not present); the kernel replaces them in
; CosmosKernelEarlyInit with tables built from the memory map.

default rel

extern __image_start, __load_end, __bss_start, __bss_end
extern __tdata_start, __tdata_end, __tls_memsz, __tls_align
extern __start___modules, __stop___modules
extern CosmosKernelEarlyInit, CosmosKernelInit, CosmosKernelExit
extern InitializeModules, __managed__Main
extern GetRuntimeException, RuntimeFailFast, AppendExceptionStackFrame, GetSystemArrayEEType
extern OnFirstChanceException, OnUnhandledException

global _start32, cosmos_gdt, cosmos_boot_stack_bottom, cosmos_boot_stack_top, cosmos_boot_tls_block
global cosmos_multiboot_magic, cosmos_multiboot_info

MB_MAGIC    equ 0x1BADB002
MB_FLAGS    equ (1 << 1) | (1 << 16)        ; memory map wanted; load addresses below (a.out kludge)
BOOT_STACK  equ 1024 * 1024
TLS_BLOCK   equ 4096                        ; boot thread: TLS image below the middle, TCB at the middle

section .multiboot
align 4
mb_header:
    dd MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)
    dd mb_header, __image_start, __load_end, __bss_end, _start32

section .boot32
bits 32
_start32:
    cli
    cld
    mov esi, eax                            ; multiboot magic
    mov ebp, ebx                            ; multiboot info (physical)

    ; The loader zeroes .bss too; do it anyway so nothing depends on the loader.
    mov edi, __bss_start
    mov ecx, __bss_end
    sub ecx, edi
    xor eax, eax
    rep stosb
    mov [cosmos_multiboot_magic], esi
    mov [cosmos_multiboot_info], ebp

    ; Long mode available? (CPUID 0x80000001 EDX bit 29.) If not, stop: there is nothing to report to.
    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29
    jz .no_long_mode

    ; Boot page tables: PML4[0] -> PDPT; PDPT[0..3] -> 4 PDs of 2 MiB pages = 4 GiB identity map;
    ; the first 2 MiB through a page table whose entry 0 is absent (null dereferences fault).
    mov eax, boot_pdpt
    or eax, 3
    mov [boot_pml4], eax
    xor ecx, ecx
.pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, 3
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jb .pdpt
    xor ecx, ecx
.pd:
    mov eax, ecx
    shl eax, 21
    or eax, 0x83                            ; present, writable, 2 MiB page
    mov [boot_pd + ecx * 8], eax
    inc ecx
    cmp ecx, 4 * 512
    jb .pd
    mov eax, boot_pt
    or eax, 3
    mov [boot_pd], eax
    mov ecx, 1
.pt:
    mov eax, ecx
    shl eax, 12
    or eax, 3
    mov [boot_pt + ecx * 8], eax
    inc ecx
    cmp ecx, 512
    jb .pt

    mov eax, cr4
    or eax, (1 << 5) | (1 << 9) | (1 << 10) ; PAE, OSFXSR, OSXMMEXCPT (SSE is used by all managed code)
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax
    mov ecx, 0xC0000080                     ; EFER.LME
    rdmsr
    or eax, 1 << 8
    wrmsr
    mov eax, cr0
    and eax, ~(1 << 2)                      ; EM off
    or eax, (1 << 31) | (1 << 16) | (1 << 1) | 1   ; PG, WP, MP, PE
    mov cr0, eax
    lgdt [gdt_pointer]
    jmp 0x08:long_mode

.no_long_mode:
    hlt
    jmp .no_long_mode

section .text
bits 64
long_mode:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor eax, eax
    mov fs, ax
    mov gs, ax
    mov rsp, cosmos_boot_stack_top
    xor ebp, ebp
    fninit

    ; Thread statics (ELF TLS, variant II): FS base -> TCB whose first word points to itself; the TLS
    ; image sits just below it, at -align_up(memsz, align), exactly where ld's local-exec offsets expect it.
    mov rdi, cosmos_boot_tls_block + TLS_BLOCK / 2     ; TCB
    mov [rdi], rdi
    mov rax, __tls_memsz
    mov rcx, __tls_align
    dec rcx
    add rax, rcx
    not rcx
    and rax, rcx                            ; align_up(memsz, align)
    cmp rax, TLS_BLOCK / 2
    ja .halt                                ; TLS image too large for the boot block
    mov rdx, rdi
    sub rdx, rax                            ; TLS image start
    mov rsi, __tdata_start
    mov rcx, __tdata_end
    sub rcx, rsi
    xchg rdi, rdx
    rep movsb                               ; .tbss part is already zero
    mov rax, rdx
    shr rdx, 32
    mov ecx, 0xC0000100                     ; IA32_FS_BASE
    wrmsr

    mov edi, [cosmos_multiboot_magic]
    mov esi, [cosmos_multiboot_info]
    mov rdx, boot_argc
    mov rcx, boot_argv
    call CosmosKernelEarlyInit              ; also fills argc/argv from the loader's command line

    mov rdi, __image_start                  ; the OS module handle: opaque to CoreLib
    mov rsi, __start___modules
    mov rdx, __stop___modules
    sub rdx, rsi
    shr rdx, 3
    mov rcx, classlib_functions
    mov r8d, (classlib_functions.end - classlib_functions) / 8
    call InitializeModules

    call CosmosKernelInit

    mov edi, [boot_argc]
    mov rsi, [boot_argv]
    call __managed__Main
    mov edi, eax
    call CosmosKernelExit
.halt:
    cli
    hlt
    jmp .halt

section .data
align 16
; Flat 64-bit code and data segments. Accessed bits preset: the CPU would otherwise write them.
cosmos_gdt:
    dq 0
    dq 0x00AF9B000000FFFF                   ; 0x08: 64-bit code, ring 0
    dq 0x00CF93000000FFFF                   ; 0x10: data, ring 0
.end:
gdt_pointer:
    dw cosmos_gdt.end - cosmos_gdt - 1
    dq cosmos_gdt

; Indexed by CoreLib's ClasslibFunctionId; only exception dispatch reads it.
align 8
classlib_functions:
    dq GetRuntimeException, RuntimeFailFast, 0, AppendExceptionStackFrame, 0, GetSystemArrayEEType
    dq OnFirstChanceException, OnUnhandledException, 0, 0, 0, 0, 0, 0
.end:

boot_argc: dd 0
align 8
boot_argv: dq 0

align 4
cosmos_multiboot_magic: dd 0
cosmos_multiboot_info:  dd 0

section .bss
alignb 4096
boot_pml4:  resb 4096
boot_pdpt:  resb 4096
boot_pd:    resb 4 * 4096
boot_pt:    resb 4096
cosmos_boot_tls_block: resb TLS_BLOCK
alignb 16
cosmos_boot_stack_bottom:
    resb BOOT_STACK
cosmos_boot_stack_top:
