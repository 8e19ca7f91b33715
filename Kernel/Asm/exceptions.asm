; Exception dispatch entry points whose calling conventions C# cannot meet (see
; Kernel/Runtime/ExceptionHandling.cs for the C# side and CoreLib's System.Runtime.EH for the dispatcher).
;   RhpThrowEx / RhpRethrow / RhpThrowHwEx   capture the thrower's registers (PAL_LIMITED_CONTEXT) and an
;                                            ExInfo on the stack, link it, and call CoreLib's dispatcher
;   RhpCallCatchFunclet / Finally / Filter   run a funclet with the callee-saved registers of its parent frame
; Layouts (ILCompiler 10.0.12, System.Runtime.AsmOffsets): ExInfo 400 bytes, PAL_LIMITED_CONTEXT 80 bytes,
; REGDISPLAY holds pointers to the saved registers.
%include "callee-saved.inc"
default rel
bits 64
section .text

global RhpThrowEx, RhpRethrow, RhpThrowHwEx
global RhpCallCatchFunclet, RhpCallFinallyFunclet, RhpCallFilterFunclet
global RhpCallCatchFunclet2, RhpCallFinallyFunclet2, RhpCallFilterFunclet2
global cosmos_capture_context
extern RhThrowEx, RhRethrow, RhThrowHwEx
global cosmos_exinfo_head

; The newest ExInfo of the running thread (the chain is per thread): kept in the thread's TCB, the block
; FS points at (word 0 is its self pointer, the scheduler zeroes the words after it for every thread).
%define EXINFO_HEAD [fs:abs 8]

EXINFO_PREV     equ 0
EXINFO_CONTEXT  equ 8
EXINFO_EXCEPTION equ 16
EXINFO_KIND     equ 24
EXINFO_PASS     equ 25
EXINFO_CLAUSE   equ 28
EXINFO_SIZE     equ 400

CTX_IP  equ 0
CTX_RSP equ 8
CTX_RBP equ 16
CTX_RAX equ 24
CTX_RBX equ 32
CTX_RDX equ 40
CTX_R12 equ 48
CTX_R13 equ 56
CTX_R14 equ 64
CTX_R15 equ 72
CTX_SIZE equ 80

RD_RBX equ 24
RD_RBP equ 32
RD_R12 equ 88
RD_R13 equ 96
RD_R14 equ 104
RD_R15 equ 112
RD_SP  equ 120

FRAME   equ EXINFO_SIZE + CTX_SIZE          ; ExInfo at [rsp], context above it; 480 keeps rsp 16-aligned

; Builds the throw frame: rax = the thrower's rsp (after the throw), r11 = its ip, dl = ExKind.
%macro THROW_FRAME 0
    and rsp, -16
    sub rsp, FRAME
    mov [rsp + EXINFO_SIZE + CTX_IP], r11
    mov [rsp + EXINFO_SIZE + CTX_RSP], rax
    mov [rsp + EXINFO_SIZE + CTX_RBP], rbp
    mov qword [rsp + EXINFO_SIZE + CTX_RAX], 0
    mov [rsp + EXINFO_SIZE + CTX_RBX], rbx
    mov qword [rsp + EXINFO_SIZE + CTX_RDX], 0
    mov [rsp + EXINFO_SIZE + CTX_R12], r12
    mov [rsp + EXINFO_SIZE + CTX_R13], r13
    mov [rsp + EXINFO_SIZE + CTX_R14], r14
    mov [rsp + EXINFO_SIZE + CTX_R15], r15
    mov qword [rsp + EXINFO_EXCEPTION], 0
    mov [rsp + EXINFO_KIND], dl
    mov byte [rsp + EXINFO_PASS], 1
    mov dword [rsp + EXINFO_CLAUSE], 0xFFFFFFFF
    lea rax, [rsp + EXINFO_SIZE]
    mov [rsp + EXINFO_CONTEXT], rax
    mov rax, EXINFO_HEAD                    ; link it as the thread's newest
    mov [rsp + EXINFO_PREV], rax
    mov EXINFO_HEAD, rsp
%endmacro

; void RhpThrowEx(Exception rdi)
RhpThrowEx:
    mov r11, [rsp]                          ; ip: the return address in the throwing method
    lea rax, [rsp + 8]
    mov dl, 1                               ; ExKind.Throw
    THROW_FRAME
    mov rsi, rsp
    call RhThrowEx                          ; (exception, ref ExInfo): does not return
    ud2

; void RhpRethrow(): `throw;` inside a catch funclet. Exceptions thrown and caught inside the funclet
; are popped by then, so the newest ExInfo is the one whose catch funclet is running.
RhpRethrow:
    mov r11, [rsp]
    lea rax, [rsp + 8]
    mov dl, 1
    THROW_FRAME
    mov rdi, [rsp + EXINFO_PREV]            ; the active exception: the newest before this one
    mov rsi, rsp
    call RhRethrow                          ; (ref ExInfo active, ref ExInfo new): does not return
    ud2

; Entered from a CPU fault (the trap handler rewrote the interrupted context): edi = exception code,
; rsi = faulting instruction, every other register as at the fault, rsp = the faulting rsp.
RhpThrowHwEx:
    mov r11, rsi
    mov rax, rsp
    mov dl, 2                               ; ExKind.HardwareFault
    THROW_FRAME
    mov rsi, rsp
    call RhThrowHwEx                        ; (code, ref ExInfo): does not return
    ud2

; Loads the callee-saved registers of the parent frame from the REGDISPLAY in %1.
%macro LOAD_PARENT_REGISTERS 1
    mov rax, [%1 + RD_RBX]
    mov rbx, [rax]
    mov rax, [%1 + RD_RBP]
    mov rbp, [rax]
    mov rax, [%1 + RD_R12]
    mov r12, [rax]
    mov rax, [%1 + RD_R13]
    mov r13, [rax]
    mov rax, [%1 + RD_R14]
    mov r14, [rax]
    mov rax, [%1 + RD_R15]
    mov r15, [rax]
%endmacro

; void* RhpCallCatchFunclet(Exception rdi, void* handler rsi, REGDISPLAY* rdx, ExInfo* rcx): runs the catch
; funclet, then resumes the parent method at the address it returns, on the parent's stack, with the
; parent's callee-saved registers; the ExInfos of the finished dispatch (all below that stack) are popped.
; Never returns. The SFI recognises RhpCallCatchFunclet2 as the return address of a running catch funclet.
RhpCallCatchFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 24                             ; [0] REGDISPLAY*, [8] ExInfo*
    mov [rsp], rdx
    mov [rsp + 8], rcx
    mov r8, rsi
    LOAD_PARENT_REGISTERS rdx
    call r8                                 ; rdi = exception; rbp = the parent's frame
RhpCallCatchFunclet2:
    mov rdx, [rsp]
    mov r8, [rdx + RD_SP]                   ; the parent's stack
    mov rdx, [rsp + 8]                      ; this dispatch is over, and so is every dispatch whose ExInfo
.pop:                                       ; lies below the parent's stack (unwound by this one)
    mov rdx, [rdx + EXINFO_PREV]
    test rdx, rdx
    jz .popped
    cmp rdx, r8
    jb .pop
.popped:
    mov EXINFO_HEAD, rdx
    mov rsp, r8
    jmp rax                                 ; only rax, rdx, r8 changed: the parent's registers are intact

; void RhpCallFinallyFunclet(void* handler rdi, REGDISPLAY* rsi)
RhpCallFinallyFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 8
    mov [rsp], rsi
    LOAD_PARENT_REGISTERS rsi
    call rdi
RhpCallFinallyFunclet2:
    mov rsi, [rsp]                          ; the funclet may have updated the parent's registers
    mov rax, [rsi + RD_RBX]
    mov [rax], rbx
    mov rax, [rsi + RD_RBP]
    mov [rax], rbp
    mov rax, [rsi + RD_R12]
    mov [rax], r12
    mov rax, [rsi + RD_R13]
    mov [rax], r13
    mov rax, [rsi + RD_R14]
    mov [rax], r14
    mov rax, [rsi + RD_R15]
    mov [rax], r15
    add rsp, 8
    POP_CALLEE_SAVED
    ret

; bool RhpCallFilterFunclet(Exception rdi, void* filter rsi, REGDISPLAY* rdx): filters only need the
; parent's frame pointer, but ILC's funclets do not preserve the callee-saved registers they use (their
; method's prologue saved them), and this returns to the dispatcher, which keeps its state in them.
; Frame: [rsp] padding, [rsp + 8] r15, r14, r13, r12, rbx, [rsp + 48] rbp, [rsp + 56] return address
; (StackFrameIterator.Next unwinds it by hand).
RhpCallFilterFunclet:
    PUSH_CALLEE_SAVED
    sub rsp, 8                              ; keep rsp 16-aligned at the call
    mov rax, [rdx + RD_RBP]
    mov rbp, [rax]
    call rsi
RhpCallFilterFunclet2:
    add rsp, 8
    POP_CALLEE_SAVED
    ret

; ExInfo* cosmos_exinfo_head(): the running thread's newest ExInfo.
cosmos_exinfo_head:
    mov rax, EXINFO_HEAD
    ret

; void cosmos_capture_context(PAL_LIMITED_CONTEXT* rdi): the caller's registers as at the return from
; this call (ip = return address, rsp = after it), for stack walks that start at the caller.
cosmos_capture_context:
    mov rax, [rsp]
    mov [rdi + CTX_IP], rax
    lea rax, [rsp + 8]
    mov [rdi + CTX_RSP], rax
    mov [rdi + CTX_RBP], rbp
    mov qword [rdi + CTX_RAX], 0
    mov [rdi + CTX_RBX], rbx
    mov qword [rdi + CTX_RDX], 0
    mov [rdi + CTX_R12], r12
    mov [rdi + CTX_R13], r13
    mov [rdi + CTX_R14], r14
    mov [rdi + CTX_R15], r15
    ret
