/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the software RISC-V CPU: bare-metal programs from progs/ run on a
 * tiny machine made of a RAM buffer and a test device, plus C-driven tests
 * of the machine-facing API (interrupts, WFI, code invalidation).
 */
#include <glib.h>
#include <string.h>

#include "target/riscv/cpu.h"
#include "tests/unit/riscv/riscv-progs.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (16u << 20)
#define TESTDEV 0x10000000ULL
#define MAGIC_REG 0x10001000ULL

typedef struct TestMachine {
    uint8_t *ram;
    RiscvCpu *cpu;
    bool done;
    uint64_t code, actual, expected;
    uint64_t time;
    unsigned mmio_reads, mmio_writes;
    GString *console;
} TestMachine;

static void *tm_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    TestMachine *m = opaque;
    if (pa >= RAM_BASE && len <= RAM_SIZE && pa - RAM_BASE <= RAM_SIZE - len) {
        return m->ram + (pa - RAM_BASE);
    }
    return NULL;
}

static bool tm_mmio_read(void *opaque, uint64_t pa, unsigned size,
                         uint64_t *val)
{
    TestMachine *m = opaque;
    m->mmio_reads++;
    if (pa >= MAGIC_REG && pa < MAGIC_REG + 8) {
        /* bytes 0x88 0x99 ... from the register base */
        uint64_t v = 0xfedcba9876543288ULL;
        *val = v >> (8 * (pa - MAGIC_REG));
        if (size < 8) {
            *val &= (1ULL << (8 * size)) - 1;
        }
        return true;
    }
    if (pa >= TESTDEV && pa < TESTDEV + 0x100) {
        *val = 0;
        return true;
    }
    return false;
}

static bool tm_mmio_write(void *opaque, uint64_t pa, unsigned size,
                          uint64_t val)
{
    TestMachine *m = opaque;
    m->mmio_writes++;
    switch (pa - TESTDEV) {
    case 0:
        m->done = true;
        m->code = val;
        riscv_cpu_request_exit(m->cpu);
        return true;
    case 8: m->actual = val; return true;
    case 16: m->expected = val; return true;
    case 40: g_string_append_c(m->console, (char)val); return true;
    case 48: /* program-driven interrupt line: bit | level << 8 */
        riscv_cpu_set_irq(m->cpu, val & 63, (val >> 8) & 1);
        return true;
    }
    return pa >= TESTDEV && pa < TESTDEV + 0x100;
}

static uint64_t tm_read_time(void *opaque)
{
    TestMachine *m = opaque;
    return m->time++;
}

static const RiscvMemOps tm_ops = {
    .ram_ptr = tm_ram_ptr,
    .mmio_read = tm_mmio_read,
    .mmio_write = tm_mmio_write,
    .read_time = tm_read_time,
};

static TestMachine *tm_new(void)
{
    TestMachine *m = g_new0(TestMachine, 1);
    m->ram = g_malloc0(RAM_SIZE);
    m->cpu = riscv_cpu_new(0, &tm_ops, m, NULL);
    m->console = g_string_new("");
    riscv_cpu_reset(m->cpu, RAM_BASE);
    return m;
}

static void tm_free(TestMachine *m)
{
    riscv_cpu_free(m->cpu);
    g_string_free(m->console, true);
    g_free(m->ram);
    g_free(m);
}

static const RiscvProg *find_prog(const char *name)
{
    for (const RiscvProg *p = riscv_progs; p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    return NULL;
}

/* Load @name; returns NULL (after g_test_skip) without the toolchain. */
static TestMachine *tm_load(const char *name)
{
    if (!RISCV_PROGS_AVAILABLE) {
        g_test_skip("riscv64-linux-gnu-gcc not installed (Debian package "
                    "gcc-riscv64-linux-gnu): test programs not built");
        return NULL;
    }
    const RiscvProg *p = find_prog(name);
    g_assert_nonnull(p);
    g_assert_cmpuint(p->size, <, RAM_SIZE);
    TestMachine *m = tm_new();
    memcpy(m->ram, p->data, p->size);
    return m;
}

/* Run until the program reports, the budget runs out, or WFI. */
static RiscvRunResult tm_run(TestMachine *m, uint64_t budget)
{
    RiscvRunResult r = RISCV_RUN_BUDGET;
    while (!m->done && budget) {
        uint64_t chunk = MIN(budget, 100000);
        uint64_t before = riscv_cpu_icount(m->cpu);
        r = riscv_cpu_run(m->cpu, chunk);
        uint64_t ran = riscv_cpu_icount(m->cpu) - before;
        budget -= MIN(budget, MAX(ran, 1));
        if (r == RISCV_RUN_WFI) {
            break;
        }
    }
    return r;
}

static void tm_assert_passed(TestMachine *m, const char *name)
{
    if (!m->done) {
        g_test_message("%s: no result; pc=0x%" G_GINT64_MODIFIER "x",
                       name, riscv_cpu_get_pc(m->cpu));
    } else if (m->code) {
        g_test_message("%s: check %" G_GUINT64_FORMAT " failed: got 0x%"
                       G_GINT64_MODIFIER "x, expected 0x%" G_GINT64_MODIFIER
                       "x", name, m->code, m->actual, m->expected);
    }
    g_assert_true(m->done);
    g_assert_cmpuint(m->code, ==, 0);
}

static void test_prog(gconstpointer data)
{
    const char *name = data;
    TestMachine *m = tm_load(name);
    if (!m) {
        return;
    }
    tm_run(m, 50 * 1000 * 1000);
    tm_assert_passed(m, name);
    tm_free(m);
}

/*
 * irq.S: the program enables MTIE and does WFI; the CPU must hand WFI back
 * to us, and take the interrupt once we raise MTIP.
 */
static void test_wfi_irq(void)
{
    TestMachine *m = tm_load("irq");
    if (!m) {
        return;
    }
    RiscvRunResult r = tm_run(m, 1000000);
    g_assert_cmpint(r, ==, RISCV_RUN_WFI);
    g_assert_false(m->done);
    g_assert_false(riscv_cpu_wakeup_pending(m->cpu));
    /* Nothing pending: waiting times out. */
    g_assert_false(riscv_cpu_wait_for_interrupt(m->cpu, 1000000));
    /* A second run without an interrupt stays asleep... */
    riscv_cpu_set_irq(m->cpu, RISCV_IRQ_MTI, true);
    g_assert_true(riscv_cpu_wakeup_pending(m->cpu));
    g_assert_true(riscv_cpu_wait_for_interrupt(m->cpu, -1));
    tm_run(m, 1000000);
    tm_assert_passed(m, "irq");
    tm_free(m);
}

/* Thread-safe wake-up: set_irq from another thread ends the wait. */
static gpointer raise_later(gpointer data)
{
    TestMachine *m = data;
    g_usleep(20000);
    riscv_cpu_set_irq(m->cpu, RISCV_IRQ_MTI, true);
    return NULL;
}

static void test_wfi_wakeup_thread(void)
{
    TestMachine *m = tm_load("irq");
    if (!m) {
        return;
    }
    g_assert_cmpint(tm_run(m, 1000000), ==, RISCV_RUN_WFI);
    GThread *t = g_thread_new("irq", raise_later, m);
    g_assert_true(riscv_cpu_wait_for_interrupt(m->cpu, 5 * 1000000000LL));
    g_thread_join(t);
    tm_run(m, 1000000);
    tm_assert_passed(m, "irq");
    tm_free(m);
}

/*
 * Hand-assembled: code that the host rewrites behind the CPU's back.
 *   0: addi a0, zero, 1      00100513
 *   4: ebreak                 00100073
 * The trap vector points at a loop that ends the run via the test device.
 */
static void put32(TestMachine *m, uint64_t pa, uint32_t v)
{
    memcpy(m->ram + (pa - RAM_BASE), &v, 4);
}

static void test_invalidate_code(void)
{
    TestMachine *m = tm_new();
    RiscvCpu *cpu = m->cpu;

    put32(m, RAM_BASE, 0x00100513);     /* addi a0, zero, 1 */
    put32(m, RAM_BASE + 4, 0x0000006f); /* j . */
    riscv_cpu_reset(cpu, RAM_BASE);
    riscv_cpu_run(cpu, 100);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 10), ==, 1);

    /* Rewrite the first instruction as "addi a0, zero, 2" like DMA would. */
    put32(m, RAM_BASE, 0x00200513);
    riscv_cpu_set_pc(cpu, RAM_BASE);
    riscv_cpu_invalidate_code(cpu, RAM_BASE, 4);
    riscv_cpu_run(cpu, 100);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 10), ==, 2);

    /* Without invalidation the decoded copy may be used: no assertion on
     * staleness, but after a full-range invalidate the new code runs. */
    put32(m, RAM_BASE, 0x00300513);
    riscv_cpu_invalidate_code(cpu, 0, UINT64_MAX);
    riscv_cpu_set_pc(cpu, RAM_BASE);
    riscv_cpu_run(cpu, 100);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 10), ==, 3);
    tm_free(m);
}

/* Illegal instruction with no trap handler set: traps to mtvec 0 (not
 * RAM), which is an instruction access fault: the CPU must not crash. */
static void test_garbage_does_not_crash(void)
{
    TestMachine *m = tm_new();
    GRand *rand = g_rand_new_with_seed(1234);

    for (unsigned i = 0; i < 64 * 1024; i += 4) {
        put32(m, RAM_BASE + i, g_rand_int(rand));
    }
    for (unsigned round = 0; round < 50; round++) {
        uint64_t pc = RAM_BASE + 4 * g_rand_int_range(rand, 0, 16384);
        riscv_cpu_reset(m->cpu, pc);
        /* Trap into random code too. */
        riscv_cpu_write_csr(m->cpu, 0x305, RAM_BASE + 4 * round);
        riscv_cpu_run(m->cpu, 20000);
    }
    g_rand_free(rand);
    tm_free(m);
}

static void test_api(void)
{
    TestMachine *m = tm_new();
    RiscvCpu *cpu = m->cpu;
    uint64_t v;

    g_assert_cmpstr(riscv_cpu_isa_string(cpu), ==,
                    "rv64imafdc_zicntr_zicsr_zifencei_zihintpause_zihpm");
    g_assert_cmpstr(riscv_cpu_mmu_type(cpu), ==, "riscv,sv48");
    g_assert_cmpstr(riscv_cpu_isa_extensions(cpu)[0], ==, "i");
    riscv_cpu_set_reg(cpu, 0, 55);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 0), ==, 0);
    riscv_cpu_set_reg(cpu, 10, 55);
    g_assert_cmpuint(riscv_cpu_get_reg(cpu, 10), ==, 55);
    g_assert_true(riscv_cpu_read_csr(cpu, 0x301, &v)); /* misa */
    g_assert_cmpuint(v >> 62, ==, 2);
    g_assert_cmpuint(v & 0x3ffffff, ==, 0x14112d); /* IMAFDCSU */
    g_assert_true(riscv_cpu_read_csr(cpu, 0xf14, &v));
    g_assert_cmpuint(v, ==, 0);
    g_assert_false(riscv_cpu_read_csr(cpu, 0x7ff, &v));
    g_assert_cmpuint(riscv_cpu_get_priv(cpu), ==, RISCV_PRIV_M);
    /* Exit requested before running: returns at once. */
    riscv_cpu_request_exit(cpu);
    g_assert_cmpint(riscv_cpu_run(cpu, 1000), ==, RISCV_RUN_EXIT);

    RiscvCpuConfig cfg = {.max_mmu = RISCV_MMU_SV39, .pmp_entries = 0};
    RiscvCpu *c2 = riscv_cpu_new(3, &tm_ops, m, &cfg);
    g_assert_cmpstr(riscv_cpu_mmu_type(c2), ==, "riscv,sv39");
    g_assert_true(riscv_cpu_read_csr(c2, 0xf14, &v));
    g_assert_cmpuint(v, ==, 3);
    riscv_cpu_free(c2);
    tm_free(m);
}

int main(int argc, char **argv)
{
    static const char *const progs[] = {"alu", "amo", "csr", "fp",
                                        "pmp", "smc", "vm"};
    g_test_init(&argc, &argv, NULL);
    for (unsigned i = 0; i < G_N_ELEMENTS(progs); i++) {
        char *path = g_strdup_printf("/riscv/prog/%s", progs[i]);
        g_test_add_data_func(path, progs[i], test_prog);
        g_free(path);
    }
    g_test_add_func("/riscv/wfi-irq", test_wfi_irq);
    g_test_add_func("/riscv/wfi-wakeup-thread", test_wfi_wakeup_thread);
    g_test_add_func("/riscv/invalidate-code", test_invalidate_code);
    g_test_add_func("/riscv/garbage", test_garbage_does_not_crash);
    g_test_add_func("/riscv/api", test_api);
    return g_test_run();
}
