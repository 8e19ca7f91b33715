; x87 cores of sin, cos and pow (Kernel/Runtime/LibM.cs handles the special cases around them).
default rel
bits 64
section .text
global cosmos_x87_sin, cosmos_x87_cos, cosmos_x87_exp2_ylog2x

; double cosmos_x87_sin(double x), |x| < 2^63
cosmos_x87_sin:
    sub rsp, 8
    movsd [rsp], xmm0
    fld qword [rsp]
    fsin
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 8
    ret

cosmos_x87_cos:
    sub rsp, 8
    movsd [rsp], xmm0
    fld qword [rsp]
    fcos
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 8
    ret

; double cosmos_x87_exp2_ylog2x(double x, double y) = 2^(y * log2 x), x > 0 finite, in 80-bit precision
cosmos_x87_exp2_ylog2x:
    sub rsp, 24
    movsd [rsp], xmm1
    movsd [rsp + 8], xmm0
    fld qword [rsp]             ; y
    fld qword [rsp + 8]         ; x, y
    fyl2x                       ; v = y*log2(x)
    fld st0                     ; v, v
    frndint                     ; n, v
    fsub st1, st0               ; n, f = v - n  (|f| <= 0.5)
    fxch st1                    ; f, n
    f2xm1                       ; 2^f - 1, n
    fld1
    faddp st1, st0              ; 2^f, n
    fscale                      ; 2^f * 2^n, n
    fstp st1                    ; result
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 24
    ret
