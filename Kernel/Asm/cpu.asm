; CPU instructions C# cannot express, as plain SysV functions (imported with [RuntimeImport]), and the
; interrupt entry stubs. See Kernel/Arch/X64/Cpu.cs for the C# side.
default rel
bits 64
section .text

global cosmos_outb, cosmos_outw, cosmos_outd, cosmos_inb, cosmos_inw, cosmos_ind
global cosmos_rdmsr, cosmos_wrmsr, cosmos_rdtsc
global cosmos_read_cr0, cosmos_read_cr2, cosmos_read_cr3, cosmos_read_cr4, cosmos_write_cr3, cosmos_invlpg
global cosmos_lgdt, cosmos_ltr, cosmos_lidt, cosmos_halt, cosmos_disable_interrupts, cosmos_enable_interrupts, cosmos_pause
global cosmos_capture_registers, cosmos_isr_stubs, cosmos_trap_return, cosmos_breakpoint
extern cosmos_trap

cosmos_outb:  mov edx, edi
              mov eax, esi
              out dx, al
              ret
cosmos_outw:  mov edx, edi
              mov eax, esi
              out dx, ax
              ret
cosmos_outd:  mov edx, edi
              mov eax, esi
              out dx, eax
              ret
cosmos_breakpoint: int3                     ; with an empty IDT: a triple fault, i.e. a reset
              ret
cosmos_inb:   mov edx, edi
              xor eax, eax
              in al, dx
              ret
cosmos_inw:   mov edx, edi
              xor eax, eax
              in ax, dx
              ret
cosmos_ind:   mov edx, edi
              in eax, dx
              ret

cosmos_rdmsr: mov ecx, edi                  ; u64 rdmsr(u32 msr)
              rdmsr
              shl rdx, 32
              or rax, rdx
              ret
cosmos_wrmsr: mov ecx, edi                  ; void wrmsr(u32 msr, u64 value)
              mov eax, esi
              mov rdx, rsi
              shr rdx, 32
              wrmsr
              ret
cosmos_rdtsc: rdtsc
              shl rdx, 32
              or rax, rdx
              ret

cosmos_read_cr0:  mov rax, cr0
                  ret
cosmos_read_cr2:  mov rax, cr2
                  ret
cosmos_read_cr3:  mov rax, cr3
                  ret
cosmos_read_cr4:  mov rax, cr4
                  ret
cosmos_write_cr3: mov cr3, rdi
                  ret
cosmos_invlpg:    invlpg [rdi]
                  ret
cosmos_lidt:      lidt [rdi]                ; rdi -> { u16 limit; u64 base }
                  ret
cosmos_lgdt:      lgdt [rdi]                ; same descriptor format; the selectors keep their meaning
                  ret
cosmos_ltr:       ltr di                    ; di = TSS selector
                  ret
cosmos_halt:      hlt
                  ret
cosmos_disable_interrupts: cli
                  ret
cosmos_enable_interrupts:  sti
                  ret
cosmos_pause:     pause
                  ret

; void cosmos_capture_registers(TrapFrame* frame): the caller's registers, in TrapFrame layout (for
; panics that do not come from a trap). rip/rsp are the caller's, as if this call had not happened.
cosmos_capture_registers:
    mov [rdi + 0*8], r15
    mov [rdi + 1*8], r14
    mov [rdi + 2*8], r13
    mov [rdi + 3*8], r12
    mov [rdi + 4*8], r11
    mov [rdi + 5*8], r10
    mov [rdi + 6*8], r9
    mov [rdi + 7*8], r8
    mov [rdi + 8*8], rbp
    mov [rdi + 9*8], rdi
    mov [rdi + 10*8], rsi
    mov [rdi + 11*8], rdx
    mov [rdi + 12*8], rcx
    mov [rdi + 13*8], rbx
    mov [rdi + 14*8], rax
    mov qword [rdi + 15*8], -1              ; vector: none
    mov qword [rdi + 16*8], 0               ; error code
    mov rax, [rsp]
    mov [rdi + 17*8], rax                   ; rip = return address
    mov ax, cs
    movzx eax, ax
    mov [rdi + 18*8], rax
    pushfq
    pop rax
    mov [rdi + 19*8], rax
    lea rax, [rsp + 8]
    mov [rdi + 20*8], rax
    mov ax, ss
    movzx eax, ax
    mov [rdi + 21*8], rax
    mov rax, [rdi + 14*8]
    ret

; ---- interrupt entry -------------------------------------------------------------------------------
; One stub per vector pushes a dummy error code where the CPU pushes none, then the vector number, and
; joins isr_common, which saves the general registers (TrapFrame) and the SSE state, calls the C#
; dispatcher cosmos_trap(TrapFrame*) and returns with iretq (the dispatcher may edit the frame).
%macro ISR 1
isr_%1:
%if %1 == 8 || (%1 >= 10 && %1 <= 14) || %1 == 17 || %1 == 21 || %1 == 29 || %1 == 30
%else
    push 0
%endif
    push %1
    jmp isr_common
%endmacro

%assign v 0
%rep 256
    ISR v
%assign v v + 1
%endrep

isr_common:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rbp, rsp                            ; TrapFrame*; 16-byte aligned (the CPU aligns the frame)
    sub rsp, 512
    fxsave [rsp]
    mov rdi, rbp
    call cosmos_trap
cosmos_trap_return:                         ; the return address of every trap's C# frame: stack walks (panic traces,
                                            ; the profiler) continue at the TrapFrame in rbp, into the interrupted code
    fxrstor [rsp]
    mov rsp, rbp
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    add rsp, 16                             ; vector, error code
    iretq

section .data
align 8
cosmos_isr_stubs:                           ; u64[256]: entry address of each vector's stub
%assign v 0
%rep 256
    dq isr_ %+ v
%assign v v + 1
%endrep
