/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Self-modifying code: fence.i, stores into the running page, and an
 * instruction that straddles two pages. */
#include "test.h"

main:
    la a3, patch
    call patch
    CHECK a0, 1
    li t0, 0x00200513             /* addi a0, zero, 2 */
    sw t0, 0(a3)
    fence.i
    call patch
    CHECK a0, 2
    /* this hart's own stores invalidate decoded code even without fence.i
     * (stronger than the ISA requires; documented) */
    li t0, 0x00300513
    sw t0, 0(a3)
    call patch
    CHECK a0, 3
    li t0, 0x00014511             /* c.li a0, 4 ; c.nop */
    sw t0, 0(a3)
    fence.i
    call patch
    CHECK a0, 4
    /* patch the next instruction of the running code */
    la t1, 1f
    li t0, 0x00500513
    sw t0, 0(t1)
    .option push
    .option norvc
1:  addi a0, zero, 9
    .option pop
    CHECK a0, 5
    /* a 32-bit instruction across a page boundary */
    call straddle
    CHECK a0, 7
    la t1, straddle
    li t0, 0x0513                 /* addi a0, zero, 8: low half */
    sh t0, 0(t1)
    li t0, 0x0080                 /* high half */
    sh t0, 2(t1)
    fence.i
    call straddle
    CHECK a0, 8
    /* AMO into code also invalidates */
    li t0, 0x00600513
    amoswap.w zero, t0, (a3)
    call patch
    CHECK a0, 6
    j pass

    .option push
    .option norvc
    .align 3
patch:
    addi a0, zero, 1
    ret

    .balign 4096
    .space 4094
straddle:
    addi a0, zero, 7
    ret
    .option pop
