/* SPDX-License-Identifier: GPL-2.0-or-later */
/* CSR access rules, illegal instructions, privilege changes, delegation. */
#include "test.h"

main:
    /* --- identification and misa --- */
    csrr a4, mhartid
    CHECK a4, 0
    csrr a4, misa
    srli a5, a4, 62
    CHECK a5, 2
    li t0, 0x3ffffff
    and a4, a4, t0
    CHECK a4, 0x14112d
    CLRTRAP
    csrw mvendorid, zero         /* read-only CSR */
    CHECKTRAP 2
    CLRTRAP
    csrr a4, 0x7ff               /* no such CSR */
    CHECKTRAP 2
    CLRTRAP
    csrr a4, cycle               /* csrrs with x0: no write, legal */
    CHECK s10, -1
    .word 0x0000006b             /* reserved opcode */
    CHECKTRAP 2
    CHECK s11, 0x6b              /* mtval holds the instruction */
    CLRTRAP
    .word 0xffffffff
    CHECK s11, 0xffffffff

    /* --- WARL fields --- */
    csrr s4, mstatus
    li t0, -1
    csrw mstatus, t0
    csrr a4, mstatus
    CHECK a4, 0x8000000a007e79aa
    li t0, 0x1800 | 0x2000       /* MPP=M, FS=Initial */
    csrw mstatus, t0
    li t0, 0x1000                /* MPP=2 is reserved: ignored */
    csrc mstatus, t0             /* MPP becomes 01 (S): legal */
    csrr a4, mstatus
    srli a4, a4, 11
    andi a4, a4, 3
    CHECK a4, 1
    li t0, 0x1800
    csrc mstatus, t0
    li t0, 0x1000
    csrs mstatus, t0             /* 10: reserved, keep 00 */
    csrr a4, mstatus
    srli a4, a4, 11
    andi a4, a4, 3
    CHECK a4, 0
    csrr a4, sstatus
    li t0, 0x300000000 | 0x2000
    CHECK a4, 0x200002000        /* UXL and FS are visible */
    li t0, -1
    csrw medeleg, t0
    csrr a4, medeleg
    CHECK a4, 0xb3ff
    csrw mideleg, t0
    csrr a4, mideleg
    CHECK a4, 0x222
    csrw mie, t0
    csrr a4, mie
    CHECK a4, 0xaaa
    csrr a4, sie
    CHECK a4, 0x222
    csrw mie, zero
    csrw mideleg, zero
    csrw sie, t0                 /* nothing delegated: no effect */
    csrr a4, mie
    CHECK a4, 0
    csrw medeleg, zero
    li t0, 0x80001235
    csrw mepc, t0
    csrr a4, mepc
    CHECK a4, 0x80001234
    li t0, 0x80000101
    csrw stvec, t0
    csrr a4, stvec
    CHECK a4, 0x80000101         /* vectored mode kept */
    li t0, 0x80000102
    csrw stvec, t0
    csrr a4, stvec
    CHECK a4, 0x80000100         /* mode 2 reserved */
    li t0, (10 << 60) | 5        /* Sv57 is not supported: ignored */
    csrw satp, t0
    csrr a4, satp
    CHECK a4, 0
    li t0, (8 << 60) | (0xffff << 44) | 0x80123
    csrw satp, t0                /* ASID reads as zero */
    csrr a4, satp
    li t0, (8 << 60) | 0x80123
    sub a4, a4, t0
    CHECK a4, 0
    csrw satp, zero
    csrw menvcfg, t0
    csrr a4, menvcfg
    CHECK a4, 1                  /* only FIOM: no Sstc, no PBMT */
    csrw mip, zero
    li t0, -1
    csrw mip, t0
    csrr a4, mip
    CHECK a4, 0x222              /* software-writable SSIP/STIP/SEIP */
    csrw mip, zero
    li t0, 100
    csrw minstret, t0
    csrr a4, minstret
    addi a4, a4, -100
    CHECK a4, 0                  /* the write overrides its own retire */
    csrr a4, pmpcfg0
    CHECK a4, 0x1f               /* set up by test.h */
    CLRTRAP
    csrr a4, pmpcfg1             /* odd pmpcfg do not exist on RV64 */
    CHECKTRAP 2

    /* --- time and counters --- */
    rdtime a4
    rdtime a5
    sub a4, a5, a4
    CHECK a4, 1                  /* the harness's clock ticks per read */

    /* --- S-mode: M CSRs trap, ecall cause 9 --- */
    GO_PRIV 1
    CLRTRAP
    csrr a4, mstatus
    CHECKTRAP 2
    CLRTRAP
    mret
    CHECKTRAP 2
    CLRTRAP
    csrr a4, sstatus             /* fine in S */
    CHECK s10, -1
    CLRTRAP
    rdcycle a4                   /* mcounteren.CY = 0 */
    CHECKTRAP 2
    CLRTRAP
    ecall
    CHECKTRAP 9
    TO_M
    li t0, 5                     /* CY and IR for S */
    csrw mcounteren, t0
    GO_PRIV 1
    CLRTRAP
    rdcycle a4
    rdinstret a4
    CHECK s10, -1
    CLRTRAP
    rdtime a4                    /* TM not enabled */
    CHECKTRAP 2
    TO_M

    /* --- U-mode --- */
    GO_PRIV 0
    CLRTRAP
    rdcycle a4                   /* scounteren.CY = 0 */
    CHECKTRAP 2
    CLRTRAP
    csrr a4, sstatus
    CHECKTRAP 2
    CLRTRAP
    sret
    CHECKTRAP 2
    CLRTRAP
    wfi
    CHECKTRAP 2
    CLRTRAP
    ecall
    CHECKTRAP 8
    TO_M

    /* --- TSR, TVM, TW in S-mode --- */
    li t0, (1 << 20) | (1 << 21) | (1 << 22)
    csrs mstatus, t0
    GO_PRIV 1
    CLRTRAP
    sret
    CHECKTRAP 2
    CLRTRAP
    csrr a4, satp
    CHECKTRAP 2
    CLRTRAP
    sfence.vma
    CHECKTRAP 2
    CLRTRAP
    wfi
    CHECKTRAP 2
    TO_M
    li t0, (1 << 20) | (1 << 21) | (1 << 22)
    csrc mstatus, t0

    /* --- delegation to S --- */
    la t0, strap
    csrw stvec, t0
    li t0, (1 << 2) | (1 << 8)   /* illegal insn, ecall from U */
    csrw medeleg, t0
    GO_PRIV 0
    CLRTRAP
    li s7, 0
    .word 0x0000006b
    CHECKTRAP 2
    CHECK s11, 0x6b              /* stval */
    CLRTRAP
    ecall
    CHECKTRAP 8
    CHECK s7, 2
    TO_M
    csrr a4, mcause              /* TO_M's ebreak */
    CHECK a4, 3
    csrr a4, scause
    CHECK a4, 8
    csrr a4, sstatus
    andi a4, a4, 0x100           /* SPP = U */
    CHECK a4, 0
    /* an ecall from S is not delegated (bit 9 clear) */
    GO_PRIV 1
    CLRTRAP
    ecall
    CHECKTRAP 9
    /* an illegal instruction in S goes to S (SPP = S) */
    CLRTRAP
    .word 0x0000006b
    CHECKTRAP 2
    csrr a4, scause              /* handled in S */
    CHECK a4, 2
    TO_M
    csrw medeleg, zero

    /* --- sret returns to SPP with SIE = SPIE --- */
    li t0, 0x100 | 0x20          /* SPP = S, SPIE = 1 */
    csrs sstatus, t0
    la t0, 1f
    csrw sepc, t0
    sret                         /* from M-mode: allowed */
1:  csrr a4, sstatus
    andi a4, a4, 0x122
    CHECK a4, 0x22               /* SIE=1, SPIE=1, SPP=U */
    TO_M
    csrci sstatus, 2

    /* --- FS tracking --- */
    li t0, 0x6000
    csrc mstatus, t0             /* FS = Off */
    CLRTRAP
    fadd.d f1, f2, f3
    CHECKTRAP 2
    CLRTRAP
    csrr a4, fcsr
    CHECKTRAP 2
    CLRTRAP
    fld f1, 0(sp)
    CHECKTRAP 2
    li t0, 0x2000
    csrs mstatus, t0             /* FS = Initial */
    csrr a4, mstatus
    bltz a4, 2f                  /* SD must be clear */
    fadd.d f1, f2, f3
    csrr a4, mstatus
    srli a5, a4, 13
    andi a5, a5, 3
    CHECK a5, 3                  /* Dirty */
    srli a5, a4, 63
    CHECK a5, 1                  /* SD */
    csrr a4, sstatus
    srli a5, a4, 63
    CHECK a5, 1
    j pass
2:  li a0, 999
    j fail
