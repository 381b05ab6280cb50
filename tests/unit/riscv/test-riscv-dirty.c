/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The software CPU under dirty logging: a bare-metal program's stores,
 * AMOs, SC and page-crossing stores mark exactly the pages they write,
 * also when the hart had cached a writable TLB entry before logging
 * started, and again after the log was fetched and cleared.
 */
#include <string.h>
#include <glib.h>
#include "system/memory.h"
#include "target/riscv/cpu.h"

#define BASE 0x80000000ULL
#define RAM_SIZE (1u << 20)
#define PAGES (RAM_SIZE / 4096)

static MemoryRegion *ram;

static void *ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    if (pa < BASE || pa - BASE >= RAM_SIZE || len > RAM_SIZE - (pa - BASE)) {
        return NULL;
    }
    return (uint8_t *)memory_region_ram_ptr(ram) + (pa - BASE);
}

static const RiscvMemOps ops = {.ram_ptr = ram_ptr};

static uint32_t st(unsigned f3, unsigned rs1, unsigned rs2, int imm)
{
    return ((imm >> 5 & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
           ((imm & 0x1f) << 7) | 0x23;
}

static uint32_t amo(unsigned f5, unsigned f3, unsigned rd, unsigned rs1,
                    unsigned rs2)
{
    return (f5 << 27) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) |
           0x2f;
}

#define SD(rs1, rs2, imm) st(3, rs1, rs2, imm)
#define SW(rs1, rs2, imm) st(2, rs1, rs2, imm)
#define AMOADD_D(rd, rs1, rs2) amo(0x00, 3, rd, rs1, rs2)
#define LR_D(rd, rs1) amo(0x02, 3, rd, rs1, 0)
#define SC_D(rd, rs1, rs2) amo(0x03, 3, rd, rs1, rs2)

/* Pages (from BASE) the registers point into. */
enum { PG_A = 0x10, PG_B = 0x11, PG_C = 0x12, PG_D = 0x13, PG_E = 0x14 };

static void run(RiscvCpu *cpu, uint64_t n)
{
    g_assert_cmpint(riscv_cpu_run(cpu, n), ==, RISCV_RUN_BUDGET);
}

/* The pages marked in the log, as a sorted string, then cleared. */
static char *take_dirty(void)
{
    unsigned long bm[PAGES / (8 * sizeof(long))] = {0};
    GString *s = g_string_new("");

    memory_region_dirty_fetch_and_clear(ram, bm);
    for (unsigned p = 0; p < PAGES; p++) {
        if (bm[p / (8 * sizeof(long))] & (1UL << (p % (8 * sizeof(long))))) {
            g_string_append_printf(s, "%s%x", s->len ? " " : "", p);
        }
    }
    return g_string_free(s, FALSE);
}

static void check_dirty(const char *want)
{
    char *got = take_dirty();
    g_assert_cmpstr(got, ==, want);
    g_free(got);
}

static void test_stores_marked(void)
{
    const uint32_t prog[] = {
        SD(10, 5, 0),       /* 0: page A, before logging: TLB entry cached */
        SD(10, 5, 8),       /* 1: page A again, logging on */
        SW(11, 5, 4),       /* 2: page B */
        AMOADD_D(0, 12, 5), /* 3: page C */
        LR_D(6, 13),        /* 4: page D, read only */
        SC_D(7, 13, 5),     /* 5: page D, succeeds */
        SD(14, 5, 0),       /* 6: x14 = end of page E - 4: E and E + 1 */
        SD(10, 5, 16),      /* 7: page A once more, after a fetch */
    };
    RiscvCpu *cpu;
    uint8_t *host;

    ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    host = memory_region_ram_ptr(ram);
    memcpy(host, prog, sizeof(prog));
    cpu = riscv_cpu_new(0, &ops, NULL, NULL);
    riscv_cpu_reset(cpu, BASE);
    riscv_cpu_set_reg(cpu, 5, 0x1122334455667788ULL);
    riscv_cpu_set_reg(cpu, 10, BASE + PG_A * 4096);
    riscv_cpu_set_reg(cpu, 11, BASE + PG_B * 4096);
    riscv_cpu_set_reg(cpu, 12, BASE + PG_C * 4096);
    riscv_cpu_set_reg(cpu, 13, BASE + PG_D * 4096);
    riscv_cpu_set_reg(cpu, 14, BASE + PG_E * 4096 + 4092);

    run(cpu, 1);
    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    run(cpu, 6);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 7), ==, 0); /* SC succeeded */
    check_dirty("10 11 12 13 14 15");
    /* The data is there too. */
    g_assert_cmphex(*(uint64_t *)(host + PG_C * 4096), ==,
                    0x1122334455667788ULL);

    /* After fetch-and-clear, the same (now cached) page is marked again. */
    run(cpu, 1);
    check_dirty("10");

    /* Logging off: stores go on, nothing is marked. */
    memory_global_dirty_log_stop();
    riscv_cpu_set_pc(cpu, BASE);
    run(cpu, 3);
    g_assert(memory_global_dirty_log_start(1000, &error_abort));
    check_dirty("");
    memory_global_dirty_log_stop();
    riscv_cpu_free(cpu);
    memory_region_free(ram);
}

/* A hart running on its own thread while logging starts: the start
 * waits for it to drop its writable entries, and a store loop's page is
 * marked after every fetch. */
static gpointer hart_thread(gpointer opaque)
{
    RiscvCpu *cpu = opaque;

    while (riscv_cpu_run(cpu, 100000) == RISCV_RUN_BUDGET) {
    }
    return NULL;
}

static void test_running_hart(void)
{
    const uint32_t prog[] = {
        SD(10, 5, 0),  /* loop: store to page A */
        0x0000006f | (((-4 >> 1) & 0x3ff) << 21) | (1u << 31) |
            (0xffu << 12) | (1u << 20), /* j loop (jal x0, -4) */
    };
    RiscvCpu *cpu;
    GThread *t;
    char *got;

    ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    memcpy(memory_region_ram_ptr(ram), prog, sizeof(prog));
    cpu = riscv_cpu_new(0, &ops, NULL, NULL);
    riscv_cpu_reset(cpu, BASE);
    riscv_cpu_set_reg(cpu, 10, BASE + PG_A * 4096);
    t = g_thread_new("hart", hart_thread, cpu);
    g_usleep(20000); /* the loop has a writable entry for page A by now */
    g_assert(memory_global_dirty_log_start(2000, &error_abort));
    for (int i = 0; i < 20; i++) {
        g_usleep(2000);
        got = take_dirty();
        g_assert_cmpstr(got, ==, "10");
        g_free(got);
    }
    riscv_cpu_request_exit(cpu);
    g_thread_join(t);
    memory_global_dirty_log_stop();
    riscv_cpu_free(cpu);
    memory_region_free(ram);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv/dirty/stores-marked", test_stores_marked);
    g_test_add_func("/riscv/dirty/running-hart", test_running_hart);
    return g_test_run();
}
