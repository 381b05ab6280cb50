/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Guest MIPS of the software RISC-V CPU on a fixed compute loop: a bitwise
 * CRC-32 over a 1 KiB buffer (loads, shifts, branches, a store per pass),
 * repeated for a fixed number of instructions.  The code is hand-encoded
 * so the benchmark needs no cross compiler.
 *
 * Usage: bench-riscv-cpu [million-instructions]   (default 500)
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "target/riscv/cpu.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1u << 20)

static uint8_t *ram;

static void *b_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    if (pa >= RAM_BASE && len <= RAM_SIZE && pa - RAM_BASE <= RAM_SIZE - len) {
        return ram + (pa - RAM_BASE);
    }
    return NULL;
}

static bool b_mmio_read(void *o, uint64_t pa, unsigned size, uint64_t *v)
{
    return false;
}

static bool b_mmio_write(void *o, uint64_t pa, unsigned size, uint64_t v)
{
    return false;
}

static const RiscvMemOps b_ops = {
    .ram_ptr = b_ram_ptr,
    .mmio_read = b_mmio_read,
    .mmio_write = b_mmio_write,
};

/* A few encoders for the RV64I formats. */
static uint32_t enc_i(unsigned op, unsigned rd, unsigned f3, unsigned rs1,
                      int imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_r(unsigned op, unsigned rd, unsigned f3, unsigned rs1,
                      unsigned rs2, unsigned f7)
{
    return f7 << 25 | rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t enc_s(unsigned f3, unsigned rs1, unsigned rs2, int imm)
{
    return (uint32_t)((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | (imm & 0x1f) << 7 | 0x23;
}

static uint32_t enc_b(unsigned f3, unsigned rs1, unsigned rs2, int off)
{
    uint32_t o = off;
    return ((o >> 12) & 1) << 31 | ((o >> 5) & 0x3f) << 25 | rs2 << 20 |
           rs1 << 15 | f3 << 12 | ((o >> 1) & 0xf) << 8 |
           ((o >> 11) & 1) << 7 | 0x63;
}

static uint32_t enc_u(unsigned op, unsigned rd, uint32_t imm20)
{
    return imm20 << 12 | rd << 7 | op;
}

static uint32_t enc_j(unsigned rd, int off)
{
    uint32_t o = off;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 |
           ((o >> 11) & 1) << 20 | ((o >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

enum { T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10, A1 = 11, A2 = 12 };
enum { OPI = 0x13, OPR = 0x33, LOAD = 0x03 };

static unsigned build_program(uint32_t *c)
{
    unsigned n = 0;
    c[n++] = enc_u(0x17, S0, 0x10);               /* auipc s0, 0x10 */
    c[n++] = enc_u(0x37, S1, 0xedb88);            /* lui s1, 0xedb88 */
    c[n++] = enc_i(OPI, S1, 0, S1, 0x320);        /* addi s1, s1, 0x320 */
    c[n++] = enc_i(OPI, S1, 1, S1, 32);           /* slli s1, s1, 32 */
    c[n++] = enc_i(OPI, S1, 5, S1, 32);           /* srli s1, s1, 32 */
    unsigned outer = n;
    c[n++] = enc_i(OPI, A0, 0, 0, -1);            /* li a0, -1 */
    c[n++] = enc_i(OPI, A0, 5, A0, 32);           /* srli a0, a0, 32 */
    c[n++] = enc_i(OPI, A1, 0, S0, 0);            /* mv a1, s0 */
    c[n++] = enc_i(OPI, A2, 0, S0, 1024);         /* addi a2, s0, 1024 */
    unsigned loop = n;
    c[n++] = enc_i(LOAD, T0, 4, A1, 0);           /* lbu t0, 0(a1) */
    c[n++] = enc_r(OPR, A0, 4, A0, T0, 0);        /* xor a0, a0, t0 */
    c[n++] = enc_i(OPI, T1, 0, 0, 8);             /* li t1, 8 */
    unsigned bit = n;
    c[n++] = enc_i(OPI, T2, 7, A0, 1);            /* andi t2, a0, 1 */
    c[n++] = enc_i(OPI, A0, 5, A0, 1);            /* srli a0, a0, 1 */
    c[n++] = enc_b(0, T2, 0, 8);                  /* beqz t2, +8 */
    c[n++] = enc_r(OPR, A0, 4, A0, S1, 0);        /* xor a0, a0, s1 */
    c[n++] = enc_i(OPI, T1, 0, T1, -1);           /* addi t1, t1, -1 */
    c[n] = enc_b(1, T1, 0, (int)(bit - n) * 4);   /* bnez t1, bit */
    n++;
    c[n++] = enc_i(OPI, A1, 0, A1, 1);            /* addi a1, a1, 1 */
    c[n] = enc_b(1, A1, A2, (int)(loop - n) * 4); /* bne a1, a2, loop */
    n++;
    c[n++] = enc_s(3, S0, A0, -8);                /* sd a0, -8(s0) */
    c[n] = enc_j(0, (int)(outer - n) * 4);        /* j outer */
    n++;
    return n;
}

static uint32_t crc32_ref(const uint8_t *p, size_t len)
{
    uint32_t crc = 0xffffffff;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ ((crc & 1) ? 0xedb88320 : 0);
        }
    }
    return crc;
}

int main(int argc, char **argv)
{
    uint64_t minsns = argc > 1 ? strtoull(argv[1], NULL, 10) : 500;
    uint64_t insns = minsns * 1000000;
    uint32_t code[64];
    unsigned n;

    ram = g_malloc0(RAM_SIZE);
    n = build_program(code);
    memcpy(ram, code, n * 4);
    for (unsigned i = 0; i < 1024; i++) {
        ram[0x10000 + i] = (uint8_t)(i * 7 + 3);
    }

    RiscvCpu *cpu = riscv_cpu_new(0, &b_ops, NULL, NULL);
    riscv_cpu_reset(cpu, RAM_BASE);
    gint64 t0 = g_get_monotonic_time();
    while (riscv_cpu_icount(cpu) < insns) {
        if (riscv_cpu_run(cpu, insns - riscv_cpu_icount(cpu)) !=
            RISCV_RUN_BUDGET) {
            fprintf(stderr, "unexpected stop at pc 0x%llx\n",
                    (unsigned long long)riscv_cpu_get_pc(cpu));
            return 1;
        }
    }
    gint64 t1 = g_get_monotonic_time();

    uint64_t result;
    memcpy(&result, ram + 0x10000 - 8, 8);
    uint32_t want = crc32_ref(ram + 0x10000, 1024);
    if ((uint32_t)result != want) {
        fprintf(stderr, "wrong CRC: got 0x%08x, want 0x%08x\n",
                (uint32_t)result, want);
        return 1;
    }
    double secs = (t1 - t0) / 1e6;
    printf("riscv-cpu: %llu instructions in %.3f s: %.1f guest MIPS\n",
           (unsigned long long)riscv_cpu_icount(cpu), secs,
           riscv_cpu_icount(cpu) / secs / 1e6);
    riscv_cpu_free(cpu);
    g_free(ram);
    return 0;
}
