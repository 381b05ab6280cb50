/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Integer ALU, branches, loads/stores of every width, M and C forms. */
#include "test.h"

main:
    /* --- immediate ALU --- */
    li a3, 5
    addi a4, a3, -7
    CHECK a4, -2
    slti a4, a3, 6
    CHECK a4, 1
    slti a4, a3, -1
    CHECK a4, 0
    li a3, -1
    sltiu a4, a3, 1          /* 0xffff... < 1 unsigned: no */
    CHECK a4, 0
    sltiu a4, zero, -1       /* 0 < 0xffff...: yes */
    CHECK a4, 1
    li a3, 0x0f0f
    xori a4, a3, -1
    CHECK a4, 0xfffffffffffff0f0
    ori a4, a3, 0x70
    CHECK a4, 0x0f7f
    andi a4, a3, 0x0ff
    CHECK a4, 0x0f
    li a3, 1
    slli a4, a3, 63
    CHECK a4, 0x8000000000000000
    srli a5, a4, 63
    CHECK a5, 1
    srai a5, a4, 63
    CHECK a5, -1
    lui a4, 0x80000          /* sign-extended on RV64 */
    CHECK a4, 0xffffffff80000000
    auipc a4, 0
    la a5, 1f
1:  addi a5, a5, -0          /* a4 holds the address of the auipc */
    sub a5, a5, a4
    CHECK a5, 12             /* auipc(4) la(8) */

    /* --- register ALU --- */
    li a3, 0x7fffffffffffffff
    li a5, 1
    add a4, a3, a5
    CHECK a4, 0x8000000000000000
    sub a4, zero, a5
    CHECK a4, -1
    li a5, 65                /* shift amounts use the low 6 bits */
    sll a4, a3, a5
    CHECK a4, 0xfffffffffffffffe
    li a3, -16
    srl a4, a3, a5
    CHECK a4, 0x7ffffffffffffff8
    sra a4, a3, a5
    CHECK a4, -8
    slt a4, a3, zero
    CHECK a4, 1
    sltu a4, a3, zero
    CHECK a4, 0
    li a3, 0xff00
    li a5, 0x0ff0
    xor a4, a3, a5
    CHECK a4, 0xf0f0
    or a4, a3, a5
    CHECK a4, 0xfff0
    and a4, a3, a5
    CHECK a4, 0x0f00

    /* --- 32-bit ops sign-extend their result --- */
    li a3, 0x7fffffff
    addiw a4, a3, 1
    CHECK a4, 0xffffffff80000000
    addw a4, a3, a3
    CHECK a4, -2
    li a3, 0x100000000
    subw a4, zero, a3        /* low word 0 */
    CHECK a4, 0
    li a3, 1
    slliw a4, a3, 31
    CHECK a4, 0xffffffff80000000
    li a3, 0xffffffff80000000
    srliw a4, a3, 4
    CHECK a4, 0x08000000
    sraiw a4, a3, 4
    CHECK a4, 0xfffffffff8000000
    li a5, 36                /* sllw uses the low 5 bits: 4 */
    li a3, 0x12345678
    sllw a4, a3, a5
    CHECK a4, 0x23456780
    srlw a4, a3, a5
    CHECK a4, 0x01234567
    li a3, 0x80000000
    sraw a4, a3, a5
    CHECK a4, 0xfffffffff8000000
    /* x0 stays zero */
    addi zero, zero, 5
    CHECK zero, 0

    /* --- branches --- */
    li a3, -1
    li a5, 1
    li a4, 0
    beq a3, a3, 1f
    li a4, 1
1:  bne a3, a5, 1f
    li a4, 2
1:  blt a3, a5, 1f
    li a4, 3
1:  bge a5, a3, 1f
    li a4, 4
1:  bltu a5, a3, 1f
    li a4, 5
1:  bgeu a3, a5, 1f
    li a4, 6
1:  CHECK a4, 0
    blt a5, a3, 2f           /* not taken */
    bltu a3, a5, 2f
    bge a3, a5, 2f
    bgeu a5, a3, 2f
    beq a3, a5, 2f
    bne a3, a3, 2f
    j 3f
2:  li a4, 7
3:  CHECK a4, 0
    /* jal / jalr link values and jalr clearing bit 0 */
    jal ra, 1f
1:  la a5, 1b
    sub a5, ra, a5
    CHECK a5, 0
    la a3, 2f
    addi a3, a3, 1           /* odd target: bit 0 is ignored */
    jalr ra, 0(a3)
    li a4, 9
2:  CHECK a4, 0

    /* --- loads and stores --- */
    la a3, buf
    li a4, 0x8899aabbccddeeff
    sd a4, 0(a3)
    lb a5, 0(a3)
    CHECK a5, 0xffffffffffffffff
    lbu a5, 0(a3)
    CHECK a5, 0xff
    lh a5, 2(a3)
    CHECK a5, 0xffffffffffffccdd
    lhu a5, 2(a3)
    CHECK a5, 0xccdd
    lw a5, 4(a3)
    CHECK a5, 0xffffffff8899aabb
    lwu a5, 4(a3)
    CHECK a5, 0x8899aabb
    ld a5, 0(a3)
    CHECK a5, 0x8899aabbccddeeff
    li a4, 0x11
    sb a4, 1(a3)
    li a4, 0x2233
    sh a4, 6(a3)
    ld a5, 0(a3)
    CHECK a5, 0x2233aabbccdd11ff
    li a4, 0x44556677
    sw a4, 8(a3)
    lw a5, 8(a3)
    CHECK a5, 0x44556677
    lb a5, -1(a3)            /* byte before buf */
    CHECK a5, 0x5a
    /* misaligned accesses are handled in RAM */
    li a4, 0x0102030405060708
    sd a4, 17(a3)
    ld a5, 17(a3)
    CHECK a5, 0x0102030405060708
    lw a5, 19(a3)
    CHECK a5, 0x03040506
    lhu a5, 24(a3)
    CHECK a5, 0x01
    /* misaligned across a page boundary */
    la a3, pagebuf
    li t0, 4093
    add a3, a3, t0
    li a4, 0x1122334455667788
    sd a4, 0(a3)
    ld a5, 0(a3)
    CHECK a5, 0x1122334455667788
    lbu a5, 3(a3)
    CHECK a5, 0x55

    /* --- MMIO loads: sizes, sign extension, misaligned, bus errors --- */
    li a3, 0x10001000             /* reads 0xfedcba9876543288 */
    lb a5, 0(a3)
    CHECK a5, 0xffffffffffffff88
    lbu a5, 0(a3)
    CHECK a5, 0x88
    lh a5, 0(a3)
    CHECK a5, 0x3288
    lw a5, 0(a3)
    CHECK a5, 0x76543288
    lwu a5, 4(a3)
    CHECK a5, 0xfedcba98
    lw a5, 4(a3)
    CHECK a5, 0xfffffffffedcba98
    ld a5, 0(a3)
    CHECK a5, 0xfedcba9876543288
    CLRTRAP
    lw a5, 2(a3)                  /* misaligned MMIO traps */
    CHECKTRAP 4
    CLRTRAP
    li a3, 0x20000000             /* nothing there: access faults */
    lw a5, 0(a3)
    CHECKTRAP 5
    CHECK s11, 0x20000000
    CLRTRAP
    sd a5, 8(a3)
    CHECKTRAP 7
    CLRTRAP
    la s9, 1f
    jr a3                         /* fetch from non-RAM */
1:  CHECKTRAP 1

    /* --- M extension --- */
    li a3, -7
    li a5, 2
    mul a4, a3, a5
    CHECK a4, -14
    div a4, a3, a5
    CHECK a4, -3             /* rounds toward zero */
    rem a4, a3, a5
    CHECK a4, -1
    divu a4, a3, a5
    CHECK a4, 0x7ffffffffffffffc
    remu a4, a3, a5
    CHECK a4, 1
    div a4, a3, zero
    CHECK a4, -1
    divu a4, a3, zero
    CHECK a4, -1
    rem a4, a3, zero
    CHECK a4, -7
    remu a4, a3, zero
    CHECK a4, -7
    li a3, 0x8000000000000000
    li a5, -1
    div a4, a3, a5           /* overflow */
    CHECK a4, 0x8000000000000000
    rem a4, a3, a5
    CHECK a4, 0
    mulh a4, a3, a5          /* -2^63 * -1 = 2^63: high word 0 */
    CHECK a4, 0
    mulhu a4, a3, a5         /* 2^63 * (2^64-1) >> 64 = 2^63 - 1 */
    CHECK a4, 0x7fffffffffffffff
    mulhsu a4, a5, a3        /* -1 * 2^63 >> 64 = -1 */
    CHECK a4, -1
    li a3, 0x123456789
    li a5, 0x987654321
    mulhu a4, a3, a5
    CHECK a4, 0xa
    mul a4, a3, a5
    CHECK a4, 0xd77d742cce1833a9
    li a3, 0x80000000
    li a5, -1
    divw a4, a3, a5          /* INT32_MIN / -1 */
    CHECK a4, 0xffffffff80000000
    remw a4, a3, a5
    CHECK a4, 0
    divuw a4, a3, zero
    CHECK a4, -1
    remuw a4, a3, zero
    CHECK a4, 0xffffffff80000000
    li a3, 0x100000003
    li a5, 0x100000007
    mulw a4, a3, a5          /* 3 * 7 in the low word */
    CHECK a4, 21
    li a3, -20
    li a5, 6
    divw a4, a3, a5
    CHECK a4, -3
    remw a4, a3, a5
    CHECK a4, -2
    divuw a4, a3, a5         /* 0xffffffec / 6 = 0x2aaaaaa7 */
    CHECK a4, 0x2aaaaaa7
    remuw a4, a3, a5
    CHECK a4, 2

    /* --- compressed forms (explicit) --- */
    c.li a4, -3
    CHECK a4, -3
    c.addi a4, 5
    CHECK a4, 2
    c.lui a4, 0xfffe1        /* imm 0x3f...: sign-extended 0x...e1000 */
    CHECK a4, 0xfffffffffffe1000
    c.li a4, 1
    c.slli a4, 40
    CHECK a4, 0x10000000000
    c.srli a4, 8             /* a4 is a C register (x14) */
    CHECK a4, 0x100000000
    c.li a4, -8
    c.srai a4, 1
    CHECK a4, -4
    c.andi a4, 0x1d
    CHECK a4, 0x1c
    c.li a5, 7
    c.mv a3, a5
    CHECK a3, 7
    c.add a3, a5
    CHECK a3, 14
    c.sub a3, a5
    CHECK a3, 7
    c.li a4, 5
    c.xor a4, a5
    CHECK a4, 2
    c.or a4, a5
    CHECK a4, 7
    c.li a4, 12
    c.and a4, a5
    CHECK a4, 4
    li a4, 0x7fffffff
    c.addiw a4, 1
    CHECK a4, 0xffffffff80000000
    li a4, 0x7fffffff
    c.addw a4, a5
    CHECK a4, 0xffffffff80000006
    c.subw a4, a5
    CHECK a4, 0x7fffffff
    mv s0, sp
    c.addi16sp sp, -64
    sub a4, s0, sp
    CHECK a4, 64
    c.addi4spn a3, sp, 16
    sub a4, a3, sp
    CHECK a4, 16
    li a4, 0x1234567890
    c.sdsp a4, 8(sp)
    c.ldsp a5, 8(sp)
    CHECK a5, 0x1234567890
    c.swsp a4, 16(sp)
    c.lwsp a5, 16(sp)
    CHECK a5, 0x34567890
    addi a3, sp, 0
    c.sd a4, 24(a3)
    c.ld a5, 24(a3)
    CHECK a5, 0x1234567890
    li a4, -5
    c.sw a4, 32(a3)
    c.lw a5, 32(a3)
    CHECK a5, -5
    c.addi16sp sp, 64
    c.li a4, 0
    c.beqz a4, 1f
    c.li a4, 1
1:  c.bnez a4, 2f
    c.j 3f
2:  c.li a4, 2
3:  CHECK a4, 0
    la a3, 4f
    c.jalr a3
    c.j 5f
4:  c.jr ra
5:  la a3, 6f
    c.jr a3
    c.li a4, 3
6:  CHECK a4, 0
    j pass

    .data
    .align 4
    .space 15
    .byte 0x5a
buf:
    .space 64
    .align 12
pagebuf:
    .space 8192
