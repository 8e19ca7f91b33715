; x87 cores of sin, cos, pow, exp, the logarithms and atan2 (Kernel/Runtime/LibM.cs handles the special cases around them).
default rel
bits 64
section .text
global cosmos_x87_sin, cosmos_x87_cos, cosmos_x87_exp2_ylog2x, cosmos_x87_exp, cosmos_x87_log, cosmos_x87_atan2

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

; double cosmos_x87_exp(double x) = 2^(x * log2 e), |x| < 1e4 (no overflow inside the x87)
cosmos_x87_exp:
    sub rsp, 8
    movsd [rsp], xmm0
    fld qword [rsp]             ; x
    fldl2e                      ; log2 e, x
    fmulp st1, st0              ; v = x*log2(e)
    fld st0                     ; v, v
    frndint                     ; n, v
    fsub st1, st0               ; n, f
    fxch st1                    ; f, n
    f2xm1
    fld1
    faddp st1, st0              ; 2^f, n
    fscale
    fstp st1
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 8
    ret

; double cosmos_x87_log(double x, int base): base 0 = ln, 1 = log2, 2 = log10; x > 0 finite
cosmos_x87_log:
    sub rsp, 8
    movsd [rsp], xmm0
    cmp edi, 1
    je .two
    ja .ten
    fldln2
    jmp .go
.two:
    fld1
    jmp .go
.ten:
    fldlg2
.go:
    fld qword [rsp]             ; x, k
    fyl2x                       ; k * log2(x)
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 8
    ret

; double cosmos_x87_atan2(double y, double x): fpatan takes the quadrant from both signs
cosmos_x87_atan2:
    sub rsp, 16
    movsd [rsp], xmm0
    movsd [rsp + 8], xmm1
    fld qword [rsp]             ; y
    fld qword [rsp + 8]         ; x, y
    fpatan                      ; atan(y / x)
    fstp qword [rsp]
    movsd xmm0, [rsp]
    add rsp, 16
    ret
