/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * F and D: arithmetic with each rounding mode, fflags, conversions and
 * their saturation, NaN boxing, min/max, compares, fclass, FMA.
 */
#include "test.h"

#define ONE_D   0x3ff0000000000000
#define TWO_D   0x4000000000000000
#define THREE_D 0x4008000000000000
#define QNAN_D  0x7ff8000000000000
#define SNAN_D  0x7ff0000000000001
#define INF_D   0x7ff0000000000000
#define DMAX    0x7fefffffffffffff
#define NX 1
#define UF 2
#define OF 4
#define DZ 8
#define NV 16

.macro LDD freg, val
    li t0, \val
    fmv.d.x \freg, t0
.endm
.macro LDS freg, val              /* properly NaN-boxed single */
    li t0, \val
    fmv.w.x \freg, t0
.endm
.macro CHECKD freg, val
    fmv.x.d a4, \freg
    CHECK a4, \val
.endm
.macro CHECKFLAGS val
    csrrw a4, fflags, zero
    CHECK a4, \val
.endm

main:
    li t0, 0x2000
    csrs mstatus, t0              /* FS = Initial */
    csrw fcsr, zero

    /* --- basic double arithmetic --- */
    LDD f1, ONE_D
    LDD f2, TWO_D
    LDD f3, THREE_D
    fadd.d f4, f1, f2
    CHECKD f4, THREE_D
    CHECKFLAGS 0
    fsub.d f4, f1, f2
    CHECKD f4, 0xbff0000000000000
    fmul.d f4, f2, f3
    CHECKD f4, 0x4018000000000000
    CHECKFLAGS 0
    /* 1/3 in each rounding mode */
    fdiv.d f4, f1, f3, rne
    CHECKD f4, 0x3fd5555555555555
    CHECKFLAGS NX
    fdiv.d f4, f1, f3, rup
    CHECKD f4, 0x3fd5555555555556
    fdiv.d f4, f1, f3, rdn
    CHECKD f4, 0x3fd5555555555555
    fdiv.d f4, f1, f3, rtz
    CHECKD f4, 0x3fd5555555555555
    fneg.d f5, f1
    fdiv.d f4, f5, f3, rdn
    CHECKD f4, 0xbfd5555555555556
    fdiv.d f4, f5, f3, rup
    CHECKD f4, 0xbfd5555555555555
    fdiv.d f4, f5, f3, rmm
    CHECKD f4, 0xbfd5555555555555
    /* 2/3: the nearest is above, so RNE and RUP agree */
    fdiv.d f4, f2, f3, rne
    CHECKD f4, 0x3fe5555555555555
    fdiv.d f4, f2, f3, rup
    CHECKD f4, 0x3fe5555555555556
    CHECKFLAGS NX
    /* dynamic rounding from frm */
    li t0, 2                      /* RDN */
    csrw frm, t0
    fdiv.d f4, f5, f3
    CHECKD f4, 0xbfd5555555555556
    csrr a4, fcsr
    CHECK a4, 0x41                /* frm=2, NX */
    csrw frm, zero
    CHECKFLAGS NX
    /* an invalid frm makes dynamic-rounding ops illegal */
    li t0, 5
    csrw frm, t0
    CLRTRAP
    fadd.d f4, f1, f2
    CHECKTRAP 2
    CLRTRAP
    fadd.d f4, f1, f2, rne        /* static rm is fine */
    CHECK s10, -1
    csrw frm, zero

    /* --- exceptional results --- */
    fmv.d.x f6, zero
    fdiv.d f4, f1, f6
    CHECKD f4, INF_D
    CHECKFLAGS DZ
    fdiv.d f4, f6, f6
    CHECKD f4, QNAN_D
    CHECKFLAGS NV
    fsqrt.d f4, f5
    CHECKD f4, QNAN_D
    CHECKFLAGS NV
    LDD f7, 0x4010000000000000    /* sqrt(4) = 2 */
    fsqrt.d f4, f7
    CHECKD f4, TWO_D
    CHECKFLAGS 0
    LDD f7, DMAX
    fmul.d f4, f7, f2
    CHECKD f4, INF_D
    CHECKFLAGS OF|NX
    fmul.d f4, f7, f2, rtz
    CHECKD f4, DMAX
    CHECKFLAGS OF|NX
    LDD f7, 0x0010000000000000    /* smallest normal */
    fdiv.d f4, f7, f3             /* tiny and inexact */
    CHECKD f4, 0x0005555555555555
    CHECKFLAGS UF|NX
    LDD f8, 0x3e10000000000000    /* 2^-30: exact subnormal result */
    fmul.d f4, f7, f8
    CHECKD f4, 0x0000000000400000
    CHECKFLAGS 0
    /* a NaN input propagates as the canonical NaN; sNaN raises NV */
    LDD f7, 0xfff8000000000123
    fadd.d f4, f7, f1
    CHECKD f4, QNAN_D
    CHECKFLAGS 0
    LDD f7, SNAN_D
    fadd.d f4, f7, f1
    CHECKD f4, QNAN_D
    CHECKFLAGS NV

    /* --- single precision and NaN boxing --- */
    LDS f1, 0x3f800000            /* 1.0f */
    LDS f2, 0x33800000            /* 2^-24 */
    fadd.s f4, f1, f2, rne        /* tie: to even */
    CHECKD f4, 0xffffffff3f800000
    CHECKFLAGS NX
    fadd.s f4, f1, f2, rup
    CHECKD f4, 0xffffffff3f800001
    fadd.s f4, f1, f2, rmm        /* tie: away from zero */
    CHECKD f4, 0xffffffff3f800001
    CHECKFLAGS NX
    li t0, 0x3f800000             /* not boxed: reads as canonical NaN */
    fmv.d.x f3, t0
    fadd.s f4, f3, f1
    CHECKD f4, 0xffffffff7fc00000
    CHECKFLAGS 0
    fsgnj.s f4, f3, f1            /* sign injection also unboxes */
    CHECKD f4, 0xffffffff7fc00000
    fmv.x.w a4, f3                /* fmv.x.w takes the raw low word */
    CHECK a4, 0x3f800000
    li t0, 0x80000000
    fmv.w.x f4, t0
    fmv.x.w a4, f4
    CHECK a4, 0xffffffff80000000
    la a3, fdata
    li t0, 0x40490fdb             /* pi as a float */
    sw t0, 0(a3)
    flw f4, 0(a3)
    CHECKD f4, 0xffffffff40490fdb
    fsw f4, 4(a3)
    lw a4, 4(a3)
    CHECK a4, 0x40490fdb
    LDS f5, 0x40400000            /* 3.0f */
    fdiv.s f4, f1, f5
    CHECKD f4, 0xffffffff3eaaaaab
    fdiv.s f4, f1, f5, rtz
    CHECKD f4, 0xffffffff3eaaaaaa
    fsqrt.s f4, f5
    CHECKD f4, 0xffffffff3fddb3d7
    CHECKFLAGS NX
    LDS f6, 0x7f7fffff            /* FLT_MAX */
    fmul.s f4, f6, f6
    CHECKD f4, 0xffffffff7f800000
    CHECKFLAGS OF|NX

    /* --- conversions to integer --- */
    LDD f1, 0x4004000000000000    /* 2.5 */
    fcvt.w.d a4, f1, rne
    CHECK a4, 2
    CHECKFLAGS NX
    fcvt.w.d a4, f1, rmm
    CHECK a4, 3
    fcvt.w.d a4, f1, rup
    CHECK a4, 3
    fcvt.w.d a4, f1, rdn
    CHECK a4, 2
    fcvt.w.d a4, f1, rtz
    CHECK a4, 2
    fneg.d f2, f1
    fcvt.w.d a4, f2, rmm
    CHECK a4, -3
    fcvt.w.d a4, f2, rne
    CHECK a4, -2
    fcvt.w.d a4, f2, rdn
    CHECK a4, -3
    CHECKFLAGS NX
    LDD f1, 0x41e65a0bc0000000    /* 3e9 */
    fcvt.w.d a4, f1
    CHECK a4, 0x7fffffff
    CHECKFLAGS NV
    fcvt.wu.d a4, f1              /* 32-bit result is sign-extended */
    CHECK a4, 0xffffffffb2d05e00
    CHECKFLAGS 0
    fcvt.l.d a4, f1
    CHECK a4, 3000000000
    LDD f1, QNAN_D
    fcvt.w.d a4, f1
    CHECK a4, 0x7fffffff
    CHECKFLAGS NV
    fcvt.wu.d a4, f1
    CHECK a4, -1
    fcvt.l.d a4, f1
    CHECK a4, 0x7fffffffffffffff
    fcvt.lu.d a4, f1
    CHECK a4, -1
    CHECKFLAGS NV
    LDD f1, 0xfff0000000000000    /* -inf */
    fcvt.w.d a4, f1
    CHECK a4, 0xffffffff80000000
    fcvt.l.d a4, f1
    CHECK a4, 0x8000000000000000
    fcvt.lu.d a4, f1
    CHECK a4, 0
    CHECKFLAGS NV
    fneg.d f1, f1                 /* +inf */
    fcvt.lu.d a4, f1
    CHECK a4, -1
    CHECKFLAGS NV
    LDD f1, 0xbff0000000000000    /* -1.0 to unsigned: invalid */
    fcvt.wu.d a4, f1
    CHECK a4, 0
    CHECKFLAGS NV
    LDD f1, 0xbfe0000000000000    /* -0.5 rounds to 0: only inexact */
    fcvt.wu.d a4, f1, rtz
    CHECK a4, 0
    CHECKFLAGS NX
    LDD f1, 0x43e0000000000000    /* 2^63 */
    fcvt.l.d a4, f1
    CHECK a4, 0x7fffffffffffffff
    CHECKFLAGS NV
    fcvt.lu.d a4, f1
    CHECK a4, 0x8000000000000000
    CHECKFLAGS 0
    fneg.d f1, f1                 /* -2^63 fits exactly */
    fcvt.l.d a4, f1
    CHECK a4, 0x8000000000000000
    CHECKFLAGS 0
    LDD f1, 0x43f0000000000000    /* 2^64 */
    fcvt.lu.d a4, f1
    CHECK a4, -1
    CHECKFLAGS NV
    LDS f1, 0xc0200000            /* -2.5f */
    fcvt.l.s a4, f1, rmm
    CHECK a4, -3
    fcvt.lu.s a4, f1
    CHECK a4, 0
    CHECKFLAGS NV|NX

    /* --- conversions from integer and between formats --- */
    li a3, 0x20000000000001       /* 2^53 + 1 */
    fcvt.d.l f4, a3
    CHECKD f4, 0x4340000000000000
    CHECKFLAGS NX
    fcvt.d.l f4, a3, rup
    CHECKD f4, 0x4340000000000001
    li a3, -1
    fcvt.s.lu f4, a3              /* 2^64 - 1 rounds up to 2^64 */
    CHECKD f4, 0xffffffff5f800000
    fcvt.s.lu f4, a3, rtz
    CHECKD f4, 0xffffffff5f7fffff
    fcvt.s.w f4, a3
    CHECKD f4, 0xffffffffbf800000
    fcvt.d.wu f4, a3              /* uses the low 32 bits only */
    CHECKD f4, 0x41efffffffe00000
    CHECKFLAGS NX
    fcvt.d.w f4, a3
    CHECKD f4, 0xbff0000000000000
    CHECKFLAGS 0
    LDD f1, 0x3fd5555555555555    /* 1/3 */
    fcvt.s.d f4, f1
    CHECKD f4, 0xffffffff3eaaaaab
    fcvt.s.d f4, f1, rtz
    CHECKD f4, 0xffffffff3eaaaaaa
    CHECKFLAGS NX
    LDD f1, DMAX
    fcvt.s.d f4, f1
    CHECKD f4, 0xffffffff7f800000
    CHECKFLAGS OF|NX
    LDS f1, 0x3dcccccd            /* 0.1f */
    fcvt.d.s f4, f1
    CHECKD f4, 0x3fb99999a0000000
    CHECKFLAGS 0
    LDS f1, 0x7f800001            /* signalling NaN */
    fcvt.d.s f4, f1
    CHECKD f4, QNAN_D
    CHECKFLAGS NV

    /* --- min/max --- */
    fmv.d.x f1, zero
    fneg.d f2, f1                 /* -0 */
    fmin.d f4, f1, f2
    CHECKD f4, 0x8000000000000000
    fmax.d f4, f2, f1
    CHECKD f4, 0
    LDD f3, QNAN_D
    LDD f5, ONE_D
    fmin.d f4, f3, f5
    CHECKD f4, ONE_D
    CHECKFLAGS 0
    LDD f6, SNAN_D
    fmax.d f4, f5, f6
    CHECKD f4, ONE_D
    CHECKFLAGS NV
    fmax.d f4, f3, f6
    CHECKD f4, QNAN_D
    LDS f7, 0xbf800000
    LDS f8, 0x3f800000
    fmin.s f4, f7, f8
    CHECKD f4, 0xffffffffbf800000
    fmax.s f4, f7, f8
    CHECKD f4, 0xffffffff3f800000
    CHECKFLAGS NV

    /* --- compares --- */
    feq.d a4, f3, f5              /* quiet NaN: no flag for feq */
    CHECK a4, 0
    CHECKFLAGS 0
    flt.d a4, f3, f5
    CHECK a4, 0
    CHECKFLAGS NV
    fle.d a4, f5, f3
    CHECK a4, 0
    CHECKFLAGS NV
    feq.d a4, f6, f5              /* signalling NaN: feq flags too */
    CHECK a4, 0
    CHECKFLAGS NV
    feq.d a4, f1, f2              /* +0 == -0 */
    CHECK a4, 1
    fle.d a4, f1, f2
    CHECK a4, 1
    flt.d a4, f2, f1
    CHECK a4, 0
    flt.s a4, f7, f8
    CHECK a4, 1
    fle.s a4, f8, f7
    CHECK a4, 0
    feq.s a4, f8, f8
    CHECK a4, 1
    CHECKFLAGS 0

    /* --- fclass --- */
    LDD f1, 0xfff0000000000000
    fclass.d a4, f1
    CHECK a4, 1
    LDD f1, 0xbff0000000000000
    fclass.d a4, f1
    CHECK a4, 2
    LDD f1, 0x800fffffffffffff
    fclass.d a4, f1
    CHECK a4, 4
    LDD f1, 0x8000000000000000
    fclass.d a4, f1
    CHECK a4, 8
    fclass.d a4, f0
    CHECK a4, 16
    LDD f1, 0x0000000000000001
    fclass.d a4, f1
    CHECK a4, 32
    LDD f1, ONE_D
    fclass.d a4, f1
    CHECK a4, 64
    LDD f1, INF_D
    fclass.d a4, f1
    CHECK a4, 128
    LDD f1, SNAN_D
    fclass.d a4, f1
    CHECK a4, 256
    LDD f1, QNAN_D
    fclass.d a4, f1
    CHECK a4, 512
    LDS f1, 0x7fa00000
    fclass.s a4, f1
    CHECK a4, 256
    LDS f1, 0x00000001
    fclass.s a4, f1
    CHECK a4, 32
    li t0, 0x12345678             /* unboxed: canonical NaN */
    fmv.d.x f1, t0
    fclass.s a4, f1
    CHECK a4, 512
    CHECKFLAGS 0

    /* --- sign injection --- */
    LDD f1, 0x3ff0000000000000
    LDD f2, 0xc000000000000000
    fsgnj.d f4, f1, f2
    CHECKD f4, 0xbff0000000000000
    fsgnjn.d f4, f1, f2
    CHECKD f4, 0x3ff0000000000000
    fsgnjx.d f4, f2, f2
    CHECKD f4, 0x4000000000000000
    fabs.d f4, f2
    CHECKD f4, 0x4000000000000000
    LDD f3, SNAN_D                /* no NaN handling in sign injection */
    fneg.d f4, f3
    CHECKD f4, 0xfff0000000000001
    CHECKFLAGS 0

    /* --- fused multiply-add --- */
    LDD f1, TWO_D
    LDD f2, THREE_D
    LDD f3, ONE_D
    fmadd.d f4, f1, f2, f3
    CHECKD f4, 0x401c000000000000 /* 7 */
    fmsub.d f4, f1, f2, f3
    CHECKD f4, 0x4014000000000000 /* 5 */
    fnmsub.d f4, f1, f2, f3
    CHECKD f4, 0xc014000000000000 /* -5 */
    fnmadd.d f4, f1, f2, f3
    CHECKD f4, 0xc01c000000000000 /* -7 */
    CHECKFLAGS 0
    LDD f1, 0x3ff0000000000001    /* 1 + 2^-52 */
    LDD f2, 0x3fefffffffffffff    /* 1 - 2^-53 */
    LDD f3, 0xbff0000000000000    /* -1 */
    fmadd.d f4, f1, f2, f3        /* exact 2^-53 - 2^-105, no rounding */
    CHECKD f4, 0x3c9ffffffffffffe
    CHECKFLAGS 0
    fmul.d f5, f1, f2             /* unfused: the product rounds to 1 */
    fadd.d f5, f5, f3
    CHECKD f5, 0
    CHECKFLAGS NX
    fmv.d.x f1, zero
    LDD f2, INF_D
    LDD f3, QNAN_D
    fmadd.d f4, f1, f2, f3        /* 0 * inf + qNaN: still invalid */
    CHECKD f4, QNAN_D
    CHECKFLAGS NV
    LDS f1, 0x40000000
    LDS f2, 0x40400000
    LDS f3, 0x3f800000
    fmadd.s f4, f1, f2, f3
    CHECKD f4, 0xffffffff40e00000 /* 7.0f */
    fnmadd.s f4, f1, f2, f3
    CHECKD f4, 0xffffffffc0e00000

    /* --- fld/fsd and compressed fp loads/stores --- */
    la a3, fdata
    li t0, 0x0123456789abcdef
    sd t0, 8(a3)
    fld f9, 8(a3)
    c.fsd f9, 16(a3)
    c.fld f10, 16(a3)
    CHECKD f10, 0x0123456789abcdef
    addi sp, sp, -16
    c.fsdsp f10, 8(sp)
    c.fldsp f11, 8(sp)
    addi sp, sp, 16
    CHECKD f11, 0x0123456789abcdef

    /* --- RMM: exact ties go away from zero, everything else as RNE --- */
    LDS f1, 0xbf800000            /* -1.0f */
    LDS f2, 0x33800000            /* 2^-24 */
    fsub.s f4, f1, f2, rmm
    CHECKD f4, 0xffffffffbf800001
    CHECKFLAGS NX
    fsub.s f4, f1, f2, rne
    CHECKD f4, 0xffffffffbf800000
    CHECKFLAGS NX
    LDS f1, 0x3f800800            /* 1 + 2^-12 */
    fmul.s f4, f1, f1, rmm        /* 1 + 2^-11 + 2^-24: a tie */
    CHECKD f4, 0xffffffff3f801001
    CHECKFLAGS NX
    fmul.s f4, f1, f1, rne
    CHECKD f4, 0xffffffff3f801000
    CHECKFLAGS NX
    LDS f1, 0x3f800000
    LDS f2, 0x33800000
    fmadd.s f4, f1, f1, f2, rmm   /* 1 * 1 + 2^-24 */
    CHECKD f4, 0xffffffff3f800001
    CHECKFLAGS NX
    fnmsub.s f4, f1, f1, f2, rmm  /* -(1 * 1) + 2^-24: toward zero side */
    CHECKD f4, 0xffffffffbf7fffff
    CHECKFLAGS 0
    LDS f1, 0x00000001            /* smallest subnormal */
    LDS f2, 0x40000000            /* 2.0f */
    fdiv.s f4, f1, f2, rmm        /* 2^-150: tie between 0 and 2^-149 */
    CHECKD f4, 0xffffffff00000001
    CHECKFLAGS (UF | NX)
    fdiv.s f4, f1, f2, rne
    CHECKD f4, 0xffffffff00000000
    CHECKFLAGS (UF | NX)
    LDS f1, 0x3f800000            /* 1.0f */
    LDS f2, 0x40400000            /* 3.0f */
    fdiv.s f4, f1, f2, rmm        /* no tie: same as RNE */
    fdiv.s f5, f1, f2, rne
    fmv.x.d a5, f5
    fmv.x.d a4, f4
    CHECK a4, 0xffffffff3eaaaaab
    CHECK a5, 0xffffffff3eaaaaab
    CHECKFLAGS NX
    li t1, 0x1000001              /* 2^24 + 1 */
    fcvt.s.w f4, t1, rmm
    CHECKD f4, 0xffffffff4b800001
    CHECKFLAGS NX
    fcvt.s.w f4, t1, rne
    CHECKD f4, 0xffffffff4b800000
    CHECKFLAGS NX
    li t1, -0x1000001
    fcvt.s.l f4, t1, rmm
    CHECKD f4, 0xffffffffcb800001
    CHECKFLAGS NX
    LDD f1, 0x3ff0000010000000    /* 1 + 2^-24 as a double */
    fcvt.s.d f4, f1, rmm
    CHECKD f4, 0xffffffff3f800001
    CHECKFLAGS NX
    LDD f1, 0x7ff0000000000001    /* sNaN */
    fcvt.s.d f4, f1, rmm
    CHECKD f4, 0xffffffff7fc00000
    CHECKFLAGS NV
    /* double precision */
    LDD f1, ONE_D
    LDD f2, 0x3ca0000000000000    /* 2^-53 */
    fadd.d f4, f1, f2, rmm
    CHECKD f4, 0x3ff0000000000001
    CHECKFLAGS NX
    fadd.d f4, f1, f2, rne
    CHECKD f4, ONE_D
    CHECKFLAGS NX
    fmadd.d f4, f1, f1, f2, rmm
    CHECKD f4, 0x3ff0000000000001
    CHECKFLAGS NX
    LDD f3, 0xbff0000000000000    /* -1.0 */
    fsub.d f4, f3, f2, rmm
    CHECKD f4, 0xbff0000000000001
    CHECKFLAGS NX
    LDD f1, 0x3ff0000004000000    /* 1 + 2^-26 */
    LDD f2, 0x3ff0000002000000    /* 1 + 2^-27 */
    fmul.d f4, f1, f2, rmm        /* 1 + 2^-26 + 2^-27 + 2^-53 */
    CHECKD f4, 0x3ff0000006000001
    CHECKFLAGS NX
    fmul.d f4, f1, f2, rne
    CHECKD f4, 0x3ff0000006000000
    CHECKFLAGS NX
    LDD f1, 0x0000000000000001    /* smallest subnormal */
    LDD f2, TWO_D
    fdiv.d f4, f1, f2, rmm
    CHECKD f4, 0x0000000000000001
    CHECKFLAGS (UF | NX)
    LDD f1, ONE_D
    LDD f2, THREE_D
    fdiv.d f4, f1, f2, rmm        /* no tie: same as RNE */
    CHECKD f4, 0x3fd5555555555555
    CHECKFLAGS NX
    li t1, 0x20000000000001       /* 2^53 + 1 */
    fcvt.d.l f4, t1, rmm
    CHECKD f4, 0x4340000000000001
    CHECKFLAGS NX
    fcvt.d.lu f4, t1, rne
    CHECKD f4, 0x4340000000000000
    CHECKFLAGS NX
    LDD f1, 0x4000000000000000    /* sqrt(2): never a tie */
    fsqrt.d f4, f1, rmm
    CHECKD f4, 0x3ff6a09e667f3bcd
    CHECKFLAGS NX

    /* --- fflags accumulate; fcsr/frm/fflags views --- */
    li t0, 0xff
    csrw fcsr, t0
    csrr a4, fflags
    CHECK a4, 0x1f
    csrr a4, frm
    CHECK a4, 7
    csrr a4, fcsr
    CHECK a4, 0xff
    csrw fcsr, zero
    j pass

    .data
    .align 4
fdata:
    .space 64
