/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Interrupts.  The harness sees the first WFI (RISCV_RUN_WFI), raises MTIP
 * and runs again; the rest drives lines itself through the test device
 * (TESTDEV+48: irq number | level << 8).
 */
#include "test.h"

.macro IRQ_LINE num, level
    li t0, TESTDEV
    li t1, (\num) | ((\level) << 8)
    sd t1, 48(t0)
.endm

main:
    la t0, mirq
    csrw mtvec, t0
    li s2, 0
    li t0, 0x80                   /* MTIE */
    csrw mie, t0
    csrsi mstatus, 8              /* MIE */
1:  wfi                           /* the harness raises MTIP */
    beqz s2, 1b
    CHECK s2, 1
    CHECK s10, 0x8000000000000007
    /* masked: pending but MIE=0, nothing is taken, WFI does not sleep */
    csrci mstatus, 8
    IRQ_LINE 7, 1
    nop
    wfi
    nop
    CHECK s2, 1
    csrr a4, mip
    andi a4, a4, 0x80
    CHECK a4, 0x80
    csrsi mstatus, 8              /* taken right after this instruction */
    CHECK s2, 2
    CHECK s10, 0x8000000000000007
    /* priority: MEI before MTI */
    csrci mstatus, 8
    li t0, 0x880
    csrw mie, t0
    IRQ_LINE 7, 1
    IRQ_LINE 11, 1
    csrsi mstatus, 8
    CHECK s2, 3
    CHECK s10, 0x800000000000000b
    /* in S-mode, M interrupts are taken even with MIE=0 */
    csrci mstatus, 8
    GO_PRIV 1
    IRQ_LINE 7, 1
    nop
    CHECK s2, 4
    CHECK s10, 0x8000000000000007
    csrr a4, mepc
    TO_M
    /* delegated supervisor software interrupt, raised by S itself */
    la t0, sirq
    csrw stvec, t0
    li t0, 2                      /* SSIP */
    csrw mideleg, t0
    csrw mie, t0
    csrsi sstatus, 2              /* SIE (only matters below M) */
    GO_PRIV 1
    csrsi sip, 2
    nop
    CHECK s2, 5
    CHECK s10, 0x8000000000000001
    TO_M
    csrw mideleg, zero
    csrci sstatus, 2
    /* csrs on mip must not latch the external SEIP line into software */
    csrw mie, zero
    IRQ_LINE 9, 1
    csrr a4, mip
    CHECK a4, 0x200
    li t0, 0x20
    csrs mip, t0                  /* STIP, as firmware does */
    IRQ_LINE 9, 0
    csrr a4, mip
    CHECK a4, 0x20
    csrw mip, zero
    /* vectored mtvec: interrupt 7 enters at base + 28 */
    la t0, vectors
    ori t0, t0, 1
    csrw mtvec, t0
    li t0, 0x80
    csrw mie, t0
    li s3, 0
    IRQ_LINE 7, 1
    CHECK s3, 7
    CHECK s2, 6
    j pass

    .align 2
mirq:
    csrr t3, mcause
    bgez t3, mtrap                /* exceptions: the common handler */
    csrr s10, mcause
    addi s2, s2, 1
    li t3, TESTDEV
    li t4, 7
    sd t4, 48(t3)                 /* lower MTIP, MEIP, MSIP */
    li t4, 11
    sd t4, 48(t3)
    li t4, 3
    sd t4, 48(t3)
    mret

    .align 2
sirq:
    csrr s10, scause
    addi s2, s2, 1
    csrci sip, 2
    sret

    .align 6
    .option push
    .option norvc
vectors:
    j mirq                        /* exceptions */
    j mirq
    j mirq
    j mirq
    j mirq
    j mirq
    j mirq
    j vec7
    .option pop
vec7:
    li s3, 7
    j mirq
