/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Sv39 and Sv48: page walks, superpages, permission faults, SUM/MXR,
 * A/D updates, misaligned superpages, non-canonical addresses, sfence.vma,
 * U-mode execution.  Page tables live at 0x80200000 and are identity
 * mapped by a gigapage, so S-mode can inspect the PTEs directly.
 */
#include "test.h"

#define V 1
#define R 2
#define W 4
#define X 8
#define U 16
#define A 64
#define D 128

#define L2    0x80200000          /* Sv39 root */
#define L1    0x80201000
#define L0    0x80202000
#define L3_48 0x80210000          /* Sv48 root */
#define L2_48 0x80211000
#define L2B   0x80212000

/* Store a PTE mapping physical address \pa with \flags at \addr. */
.macro PTE addr, pa, flags
    li t0, (((\pa) >> 12) << 10) | (\flags)
    li t1, \addr
    sd t0, 0(t1)
.endm

.macro EXPECT_FAULT cause
    CHECKTRAP \cause
    CLRTRAP
.endm

main:
    /* data the mappings point at */
    li t1, 0x80400234
    li t0, 0x2bcd1234
    sw t0, 0(t1)
    li t1, 0x80300000
    li t0, 0x1111
    sw t0, 0(t1)

    /* Sv39 tables */
    PTE L2 + 2 * 8, 0x80000000, V|R|W|X|A|D      /* gigapage, identity */
    PTE L2 + 3 * 8, 0x80001000, V|R|A|D          /* misaligned gigapage */
    PTE L2 + 0 * 8, L1, V
    PTE L1 + 0 * 8, L0, V
    PTE L1 + 1 * 8, 0x80400000, V|R|W|A|D        /* megapage at 2M */
    PTE L1 + 2 * 8, 0x80401000, V|R|A|D          /* misaligned megapage */
    PTE L0 + 1 * 8, 0x80300000, V|R|W            /* A and D clear */
    PTE L0 + 2 * 8, 0x80301000, V|R|A            /* read-only */
    PTE L0 + 3 * 8, 0x80302000, V|R|W|U|A|D      /* user page */
    PTE L0 + 4 * 8, 0x80303000, V|X|A            /* execute-only */
    PTE L0 + 6 * 8, 0x80304000, V|W|A|D          /* W without R: reserved */
    la t0, ufunc                                 /* user code at va 0x7000 */
    srli t0, t0, 12
    slli t0, t0, 10
    ori t0, t0, V|R|X|U|A
    li t1, L0 + 7 * 8
    sd t0, 0(t1)
    /* Sv48: root -> L2_48 shares the Sv39 lower levels; root[1] -> L2B */
    PTE L3_48 + 0 * 8, L2_48, V
    PTE L3_48 + 1 * 8, L2B, V
    PTE L2_48 + 2 * 8, 0x80000000, V|R|W|X|A|D
    PTE L2_48 + 0 * 8, L1, V
    PTE L2B + 0 * 8, 0x80000000, V|R|A|D

    li t0, (8 << 60) | (L2 >> 12)
    csrw satp, t0
    sfence.vma
    GO_PRIV 1
    CLRTRAP

    /* megapage translation with offset */
    li a3, 0x200234
    lw a4, 0(a3)
    CHECK a4, 0x2bcd1234
    /* A/D updates */
    li a3, 0x1000
    lw a4, 0(a3)
    CHECK a4, 0x1111
    li t1, L0 + 1 * 8
    ld a4, 0(t1)
    andi a4, a4, A|D
    CHECK a4, A
    sw a4, 4(a3)
    ld a4, 0(t1)
    andi a4, a4, A|D
    CHECK a4, A|D
    CHECK s10, -1
    /* read-only page */
    li a3, 0x2000
    lw a4, 0(a3)
    sw a4, 0(a3)
    EXPECT_FAULT 15
    amoadd.w a4, a4, (a3)
    EXPECT_FAULT 15
    /* user page from S: needs SUM, never executable */
    li a3, 0x3000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    li t0, 1 << 18
    csrs sstatus, t0
    lw a4, 0(a3)
    sw a4, 0(a3)
    CHECK s10, -1
    la s9, 1f
    jr a3
1:  EXPECT_FAULT 12
    li t0, 1 << 18
    csrc sstatus, t0
    /* execute-only page: readable only with MXR */
    li a3, 0x4000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    li t0, 1 << 19
    csrs sstatus, t0
    lw a4, 0(a3)
    CHECK s10, -1
    csrc sstatus, t0
    lw a4, 0(a3)                  /* MXR off again: TLB must not remember */
    EXPECT_FAULT 13
    /* invalid and reserved PTEs */
    li a3, 0x5000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    sw a4, 0(a3)
    EXPECT_FAULT 15
    amoor.d a4, a4, (a3)          /* AMOs report store/AMO faults */
    EXPECT_FAULT 15
    CHECK s11, -1                 /* cleared by EXPECT_FAULT */
    la s9, 1f
    jr a3
1:  EXPECT_FAULT 12
    li a3, 0x6000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    /* misaligned superpages */
    li a3, 0xc0000000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    li a3, 0x400000
    lw a4, 0(a3)
    EXPECT_FAULT 13
    /* non-canonical for Sv39 */
    li a3, 0x4000000000
    lw a4, 0(a3)
    CHECK s11, 0x4000000000       /* stval = the address */
    EXPECT_FAULT 13
    li a3, 0x8000000000
    lw a4, 0(a3)
    EXPECT_FAULT 13

    /* sfence.vma: make the read-only page writable */
    li a3, 0x2000
    lw a4, 0(a3)                  /* cache the old translation */
    PTE L0 + 2 * 8, 0x80301000, V|R|W|A|D
    sfence.vma a3, zero
    sw a4, 0(a3)
    CHECK s10, -1
    /* remap va 0x1000 to another frame; a targeted flush suffices */
    li a3, 0x1000
    lw a4, 0(a3)
    PTE L0 + 1 * 8, 0x80400000, V|R|W|A|D       /* 0x80400234 holds data */
    sfence.vma a3, zero
    lw a4, 0x234(a3)
    CHECK a4, 0x2bcd1234
    TO_M

    /* U-mode code at va 0x7000 */
    li t0, 0x1800
    csrc mstatus, t0              /* MPP = U */
    li t0, 0x7000
    csrw mepc, t0
    li s5, 1                      /* come back in M */
    la s9, 2f
    CLRTRAP
    mret
2:  CHECKTRAP 8
    CHECK a0, 0x55
    CHECK s8, 0x7006              /* mepc: the ecall at va 0x7006 */

    /* Sv48 */
    li t0, (9 << 60) | (L3_48 >> 12)
    csrw satp, t0
    csrr a4, satp
    CHECK a4, (9 << 60) | (L3_48 >> 12)
    sfence.vma
    GO_PRIV 1
    CLRTRAP
    li a3, 0x200234
    lw a4, 0(a3)
    CHECK a4, 0x2bcd1234
    li a3, 0x8000000000           /* via root[1] -> gigapage */
    lw a4, 0(a3)
    li t1, 0x80000000
    lw a5, 0(t1)
    sub a4, a4, a5
    CHECK a4, 0
    CHECK s10, -1
    li a3, 0x800000000000         /* non-canonical for Sv48 */
    lw a4, 0(a3)
    EXPECT_FAULT 13
    li a3, 0xffff800000000000     /* canonical, unmapped */
    lw a4, 0(a3)
    EXPECT_FAULT 13
    TO_M
    csrw satp, zero
    j pass

    .balign 4096
ufunc:
    li a0, 0x55                   /* 4 bytes */
    addi a0, a0, 0                /* 2 bytes (c.addi) */
    ecall
1:  j 1b
