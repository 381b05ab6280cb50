/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A extension: AMOs of both widths, LR/SC success and failure cases. */
#include "test.h"

main:
    la a3, words
    /* --- 32-bit AMOs return the old value sign-extended --- */
    li a4, 5
    sw a4, 0(a3)
    li a5, 3
    amoadd.w a4, a5, (a3)
    CHECK a4, 5
    lw a4, 0(a3)
    CHECK a4, 8
    li a5, 0x80000001
    amoswap.w a4, a5, (a3)
    CHECK a4, 8
    amoxor.w a4, zero, (a3)
    CHECK a4, 0xffffffff80000001
    li a5, 0xff
    amoand.w a4, a5, (a3)
    lw a4, 0(a3)
    CHECK a4, 1
    li a5, 0x70
    amoor.w.aqrl a4, a5, (a3)
    lw a4, 0(a3)
    CHECK a4, 0x71
    li a4, -2
    sw a4, 0(a3)
    li a5, 1
    amomin.w a4, a5, (a3)        /* min(-2, 1) = -2 */
    lw a4, 0(a3)
    CHECK a4, -2
    amominu.w a4, a5, (a3)       /* minu(0xfffffffe, 1) = 1 */
    lw a4, 0(a3)
    CHECK a4, 1
    li a5, -7
    amomax.w a4, a5, (a3)        /* max(1, -7) = 1 */
    lw a4, 0(a3)
    CHECK a4, 1
    amomaxu.w a4, a5, (a3)       /* maxu(1, 0xfffffff9) */
    lw a4, 0(a3)
    CHECK a4, -7
    /* the upper word is untouched by .w AMOs */
    lw a4, 4(a3)
    CHECK a4, 0

    /* --- 64-bit AMOs --- */
    li a4, 0x100000000
    sd a4, 8(a3)
    addi a6, a3, 8
    li a5, 0xffffffff
    amoadd.d a4, a5, (a6)
    CHECK a4, 0x100000000
    ld a4, 8(a3)
    CHECK a4, 0x1ffffffff
    li a5, -1
    amomin.d a4, a5, (a6)
    ld a4, 8(a3)
    CHECK a4, -1
    li a5, 3
    amomaxu.d a4, a5, (a6)       /* maxu(~0, 3) = ~0 */
    ld a4, 8(a3)
    CHECK a4, -1
    amomax.d a4, a5, (a6)        /* max(-1, 3) = 3 */
    ld a4, 8(a3)
    CHECK a4, 3
    amominu.d a4, zero, (a6)
    CHECK a4, 3
    ld a4, 8(a3)
    CHECK a4, 0
    li a5, 0x5555
    amoswap.d a4, a5, (a6)
    amoxor.d a4, a5, (a6)
    CHECK a4, 0x5555
    amoor.d a4, a5, (a6)
    CHECK a4, 0
    amoand.d a4, zero, (a6)
    CHECK a4, 0x5555

    /* --- LR/SC --- */
    li a4, 0x80000000
    sw a4, 16(a3)
    addi a6, a3, 16
    lr.w a4, (a6)
    CHECK a4, 0xffffffff80000000
    li a5, 42
    sc.w a7, a5, (a6)
    CHECK a7, 0                  /* success */
    lw a4, 0(a6)
    CHECK a4, 42
    li a5, 43
    sc.w a7, a5, (a6)            /* no reservation any more */
    CHECK a7, 1
    lw a4, 0(a6)
    CHECK a4, 42
    /* a store of a different value in between breaks the reservation */
    lr.d a4, (a6)
    li a5, 7
    sd a5, 0(a6)
    li a5, 9
    sc.d a7, a5, (a6)
    CHECK a7, 1
    ld a4, 0(a6)
    CHECK a4, 7
    /* SC to another address than the LR fails */
    lr.d a4, (a6)
    addi a2, a6, 8
    sc.d a7, a5, (a2)
    CHECK a7, 1
    /* a trap in between clears the reservation */
    lr.d a4, (a6)
    ecall
    sc.d a7, a5, (a6)
    CHECK a7, 1
    /* a successful 64-bit pair */
    lr.d.aq a4, (a6)
    CHECK a4, 7
    sc.d.rl a7, a5, (a6)
    CHECK a7, 0
    ld a4, 0(a6)
    CHECK a4, 9

    /* --- misaligned and MMIO AMOs trap --- */
    CLRTRAP
    addi a2, a3, 2
    amoadd.w a4, a5, (a2)
    CHECKTRAP 6                  /* store/AMO address misaligned */
    sub a4, s11, a3
    CHECK a4, 2                  /* mtval = faulting address */
    CLRTRAP
    lr.w a4, (a2)
    CHECKTRAP 4                  /* load address misaligned */
    CLRTRAP
    li a2, TESTDEV + 64
    amoswap.d a4, a5, (a2)
    CHECKTRAP 7                  /* store/AMO access fault */
    CLRTRAP
    lr.d a4, (a2)
    CHECKTRAP 5                  /* load access fault */
    j pass

    .data
    .align 4
words:
    .space 64
