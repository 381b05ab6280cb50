/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Common start-up code and check macros for the bare-metal test programs.
 * RAM starts at 0x80000000; the harness's test device is at TESTDEV:
 *   +0  write: finish with this code (0 = pass, otherwise the failed check)
 *   +8  write: actual value of the failed check
 *   +16 write: expected value of the failed check
 * The M-mode trap handler stores mcause in s10, mtval in s11, mepc in s8,
 * counts traps in s7, and resumes at s9 (then clears it) when s9 != 0, or
 * after the trapping instruction otherwise.  It clobbers t3-t5.  With s5
 * nonzero it returns in M-mode (TO_M) and clears s5.
 * strap is the same for S-mode (scause/stval/sepc into s10/s11/s8).
 */
#define TESTDEV 0x10000000

    .set __id, 0

/* Fail unless register \reg equals the constant \val. */
.macro CHECK reg, val
    .set __id, __id + 1
    li t6, \val
    beq \reg, t6, 99f
    mv a1, \reg
    mv a2, t6
    li a0, __id
    j fail
99:
.endm

/* Fail unless a trap with cause \cause was taken since the last CLRTRAP. */
.macro CHECKTRAP cause
    CHECK s10, \cause
.endm

/* Continue at the next instruction in privilege \mpp (0 U, 1 S, 3 M). */
.macro GO_PRIV mpp
    li t0, 0x1800
    csrc mstatus, t0
    li t0, (\mpp) << 11
    csrs mstatus, t0
    la t0, 98f
    csrw mepc, t0
    mret
98:
.endm

/* From any mode back to M-mode, via ebreak (never delegated here). */
.macro TO_M
    li s5, 1
    ebreak
.endm

.macro CLRTRAP
    li s10, -1
    li s11, -1
.endm

    .section .text.init
    .globl _start
_start:
    li sp, 0x80800000
    la t0, mtrap
    csrw mtvec, t0
    /* PMP: S and U may access everything (pmp.S changes this). */
    li t0, -1
    csrw pmpaddr0, t0
    li t0, 0x1f                  /* NAPOT, RWX */
    csrw pmpcfg0, t0
    li s9, 0
    li s7, 0
    li s5, 0
    CLRTRAP
    j main

    .align 2
mtrap:
    csrr s10, mcause
    csrr s11, mtval
    csrr s8, mepc
    addi s7, s7, 1
    beqz s5, 3f
    li t5, 0x1800
    csrs mstatus, t5
    li s5, 0
3:  beqz s9, 1f
    csrw mepc, s9
    li s9, 0
    mret
1:  csrr t5, mepc
    lhu t4, 0(t5)
    andi t4, t4, 3
    li t3, 3
    addi t5, t5, 2
    bne t4, t3, 2f
    addi t5, t5, 2
2:  csrw mepc, t5
    mret

    .align 2
strap:
    csrr s10, scause
    csrr s11, stval
    csrr s8, sepc
    addi s7, s7, 1
    beqz s9, 1f
    csrw sepc, s9
    li s9, 0
    sret
1:  csrr t5, sepc
    lhu t4, 0(t5)
    andi t4, t4, 3
    li t3, 3
    addi t5, t5, 2
    bne t4, t3, 2f
    addi t5, t5, 2
2:  csrw sepc, t5
    sret

pass:
    TO_M                         /* the test device is not mapped in VM */
    li t0, TESTDEV
    sd zero, 0(t0)
1:  j 1b

fail:
    TO_M
    li t0, TESTDEV
    sd a1, 8(t0)
    sd a2, 16(t0)
    sd a0, 0(t0)
1:  j 1b

    .text
