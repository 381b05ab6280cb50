/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PMP: NAPOT/NA4/TOR matching, priority, partial matches, locking. */
#include "test.h"

#define D1 0x80400000             /* 4K page: read-only for S/U */
#define D2 0x80401000             /* word RW, then TOR read-only */

main:
    /* WARL probing as OpenSBI does it */
    li t0, -1
    csrw pmpaddr5, t0
    csrr a4, pmpaddr5
    CHECK a4, 0x003fffffffffffff
    csrw pmpaddr20, t0            /* beyond the 16 entries: zero */
    csrr a4, pmpaddr20
    CHECK a4, 0
    csrw pmpaddr5, zero

    li t0, 0x201001ff             /* NAPOT 4K at D1 */
    csrw pmpaddr0, t0
    li t0, 0x20100400             /* NA4 at D2 */
    csrw pmpaddr1, t0
    li t0, 0x20100480             /* TOR top: D2 + 0x200 */
    csrw pmpaddr2, t0
    li t0, 0x2007ffff             /* NAPOT 4M at 0x80000000: code */
    csrw pmpaddr3, t0
    li t0, 0x1f091319
    csrw pmpcfg0, t0
    csrr a4, pmpcfg0
    CHECK a4, 0x1f091319

    li a3, D1
    li a5, D2
    li t0, 0x1234
    sw t0, 0(a3)                  /* M-mode: unlocked entries do not apply */
    sw t0, 4(a5)
    li t0, 0x800
    add t0, a5, t0
    sw zero, 0(t0)

    GO_PRIV 1
    CLRTRAP
    lw a4, 0(a3)
    CHECK s10, -1
    CHECK a4, 0x1234
    sw a4, 8(a3)
    CHECKTRAP 7
    CHECK s11, D1 + 8
    CLRTRAP
    sw a4, 0(a5)                  /* NA4 RW */
    CHECK s10, -1
    lw a4, 4(a5)                  /* TOR R */
    CHECK a4, 0x1234
    sw a4, 4(a5)
    CHECKTRAP 7
    CLRTRAP
    lw a4, 2(a5)                  /* straddles NA4 and TOR: partial match */
    CHECKTRAP 5
    CLRTRAP
    li t0, 0x800
    add t0, a5, t0
    lw a4, 0(t0)                  /* no entry matches: S is denied */
    CHECKTRAP 5
    CLRTRAP
    la s9, 1f
    jr a3                         /* executing a read-only page */
1:  CHECKTRAP 1
    CHECK s8, D1
    TO_M

    /* U-mode is checked the same way */
    GO_PRIV 0
    CLRTRAP
    sw a4, 8(a3)
    CHECKTRAP 7
    TO_M

    /* MPRV with MPP=S applies S's PMP view to M's loads and stores */
    li t0, (1 << 17) | (1 << 11)
    csrs mstatus, t0
    CLRTRAP
    sw a4, 8(a3)
    CHECKTRAP 7
    li t0, (1 << 17) | (3 << 11)
    csrc mstatus, t0

    /* locking: entry 0 now applies to M-mode too and cannot change */
    li t0, 0x80
    csrs pmpcfg0, t0
    CLRTRAP
    lw a4, 0(a3)
    CHECK s10, -1
    sw a4, 8(a3)
    CHECKTRAP 7
    li t0, 0x1f
    csrc pmpcfg0, t0              /* ignored for a locked entry */
    csrr a4, pmpcfg0
    andi a4, a4, 0xff
    CHECK a4, 0x99
    csrw pmpaddr0, zero
    csrr a4, pmpaddr0
    CHECK a4, 0x201001ff
    /* a locked TOR entry also locks the address below it */
    li t0, 0x800000
    csrs pmpcfg0, t0              /* L on entry 2 (TOR) */
    csrw pmpaddr1, zero
    csrr a4, pmpaddr1
    CHECK a4, 0x20100400
    j pass
