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

/* ---------------- blocks: hand-encoded programs ---------------- */

enum { ZERO = 0, RA = 1, T0 = 5, T1 = 6, S0 = 8, A0 = 10, A1 = 11 };
enum {
    CSR_MSTATUS_N = 0x300, CSR_MIE_N = 0x304, CSR_MTVEC_N = 0x305,
    CSR_MEPC_N = 0x341, CSR_MCAUSE_N = 0x342, CSR_MTVAL_N = 0x343,
    CSR_SATP_N = 0x180, CSR_PMPCFG0_N = 0x3a0, CSR_PMPADDR0_N = 0x3b0,
    CSR_MINSTRET_N = 0xb02,
};

static uint32_t rv_i(unsigned op, unsigned rd, unsigned f3, unsigned rs1,
                     int imm)
{
    return (uint32_t)(imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t rv_r(unsigned op, unsigned rd, unsigned f3, unsigned rs1,
                     unsigned rs2)
{
    return rs2 << 20 | rs1 << 15 | f3 << 12 | rd << 7 | op;
}

static uint32_t rv_s(unsigned f3, unsigned rs1, unsigned rs2, int imm)
{
    return (uint32_t)((imm >> 5) & 0x7f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | (imm & 0x1f) << 7 | 0x23;
}

static uint32_t rv_j(unsigned rd, int off)
{
    uint32_t o = off;
    return ((o >> 20) & 1) << 31 | ((o >> 1) & 0x3ff) << 21 |
           ((o >> 11) & 1) << 20 | ((o >> 12) & 0xff) << 12 | rd << 7 | 0x6f;
}

#define ADDI(rd, rs1, imm) rv_i(0x13, rd, 0, rs1, imm)
#define LW(rd, rs1, imm) rv_i(0x03, rd, 2, rs1, imm)
#define ADD(rd, rs1, rs2) rv_r(0x33, rd, 0, rs1, rs2)
#define SW(rs2, rs1, imm) rv_s(2, rs1, rs2, imm)
#define JAL(rd, off) rv_j(rd, off)
#define JALR(rd, rs1, imm) rv_i(0x67, rd, 0, rs1, imm)
#define CSRR(rd, csr) rv_i(0x73, rd, 2, 0, csr)
#define LUI(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x37)
#define AUIPC(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x17)
#define MRET 0x30200073u
#define SELF_LOOP JAL(ZERO, 0)

static uint64_t csr(TestMachine *m, unsigned num)
{
    uint64_t v = 0;
    g_assert_true(riscv_cpu_read_csr(m->cpu, num, &v));
    return v;
}

/* Write @n instruction words at @pa. */
static void put_code(TestMachine *m, uint64_t pa, const uint32_t *w,
                     unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        put32(m, pa + 4 * i, w[i]);
    }
}

/*
 * A store in the middle of a block rewrites an instruction further down
 * the same block that is already decoded: the new one must run.
 */
static void test_smc_in_block(void)
{
    TestMachine *m = tm_new();
    const uint32_t code[] = {
        LUI(T0, 0x200), ADDI(T0, T0, 0x513), /* t0 = addi a0, zero, 2 */
        AUIPC(T1, 0),                        /* t1 = base + 8 */
        SW(T0, T1, 12),                      /* -> base + 20 */
        ADDI(ZERO, ZERO, 0),
        ADDI(A0, ZERO, 1),                   /* base + 20 */
        SELF_LOOP,
    };

    put_code(m, RAM_BASE, code, G_N_ELEMENTS(code));
    /* Decode (and run) the instruction that will be replaced. */
    riscv_cpu_set_pc(m->cpu, RAM_BASE + 20);
    riscv_cpu_run(m->cpu, 1);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, 1);
    riscv_cpu_set_reg(m->cpu, A0, 0);
    riscv_cpu_set_pc(m->cpu, RAM_BASE);
    riscv_cpu_run(m->cpu, 100000);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, 2);
    g_assert_cmpuint(riscv_cpu_get_pc(m->cpu), ==, RAM_BASE + 24);
    tm_free(m);
}

/* riscv_cpu_run() retires exactly max_insns, however blocks fall. */
static void test_exact_budget(void)
{
    TestMachine *m = tm_new();
    const uint32_t code[] = {
        ADDI(A0, A0, 1), ADDI(A1, A1, 1), ADDI(A0, A0, 1),
        JAL(ZERO, -12),
    };
    static const uint64_t budgets[] = {1, 2, 3, 7, 4096, 12345, 1000003};
    uint64_t total = 0;

    put_code(m, RAM_BASE, code, G_N_ELEMENTS(code));
    for (unsigned i = 0; i < G_N_ELEMENTS(budgets); i++) {
        uint64_t before = riscv_cpu_icount(m->cpu);
        g_assert_cmpint(riscv_cpu_run(m->cpu, budgets[i]), ==,
                        RISCV_RUN_BUDGET);
        g_assert_cmpuint(riscv_cpu_icount(m->cpu) - before, ==, budgets[i]);
        total += budgets[i];
    }
    /* 4 instructions per iteration, two a0 increments, one a1 */
    uint64_t a0 = (total / 4) * 2 + (total % 4 >= 1) + (total % 4 >= 3);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, a0);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A1), ==,
                     total / 4 + (total % 4 >= 2));
    tm_free(m);
}

/*
 * Faults in the middle of a block: mepc, mcause, mtval and minstret are
 * those of the faulting instruction.  The handler reads minstret first.
 */
static void test_trap_mid_block(void)
{
    const struct {
        uint32_t insn;
        uint64_t cause, tval;
    } cases[] = {
        {LW(T0, S0, 0), 5, 0x1234000},   /* load access fault (no device) */
        {SW(T0, S0, 8), 7, 0x1234008},   /* store access fault */
        {0xffffffffu, 2, 0xffffffff},    /* illegal instruction */
    };

    for (unsigned c = 0; c < G_N_ELEMENTS(cases); c++) {
        TestMachine *m = tm_new();
        const uint64_t handler = RAM_BASE + 0x800;
        uint32_t code[16];
        unsigned n = 0;

        code[n++] = LUI(S0, 0x1234);
        for (unsigned i = 0; i < 9; i++) {
            code[n++] = ADDI(A0, A0, 1);
        }
        code[n++] = cases[c].insn; /* index 10 */
        code[n++] = ADDI(A0, A0, 100);
        code[n++] = SELF_LOOP;
        put_code(m, RAM_BASE, code, n);
        put32(m, handler, CSRR(A1, CSR_MINSTRET_N));
        put32(m, handler + 4, SELF_LOOP);
        riscv_cpu_write_csr(m->cpu, CSR_MTVEC_N, handler);
        riscv_cpu_run(m->cpu, 100000);
        g_assert_cmpuint(csr(m, CSR_MEPC_N), ==, RAM_BASE + 40);
        g_assert_cmpuint(csr(m, CSR_MCAUSE_N), ==, cases[c].cause);
        g_assert_cmpuint(csr(m, CSR_MTVAL_N), ==, cases[c].tval);
        g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, 9);
        g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A1), ==, 10);
        tm_free(m);
    }
}

/*
 * Sv39 with only virtual page 0 mapped (to physical RAM_BASE + 0x10000):
 * S-mode code running (or straddling) into page 1 takes an instruction
 * page fault with the address of page 1 in mtval and the pc of the first
 * instruction not fetched in mepc.
 */
static void vm_fetch_fault(uint64_t start_va, const uint16_t *code,
                           unsigned n_half, uint64_t want_epc,
                           uint64_t want_instret)
{
    TestMachine *m = tm_new();
    const uint64_t root = RAM_BASE + 0x20000, l1 = root + 0x1000,
                   l0 = root + 0x2000, page = RAM_BASE + 0x10000;
    const uint64_t handler = RAM_BASE + 0x800;
    uint64_t pte;

    pte = (l1 >> 12) << 10 | 1;
    memcpy(m->ram + (root - RAM_BASE), &pte, 8);
    pte = (l0 >> 12) << 10 | 1;
    memcpy(m->ram + (l1 - RAM_BASE), &pte, 8);
    pte = (page >> 12) << 10 | 0xcb; /* V R X A D */
    memcpy(m->ram + (l0 - RAM_BASE), &pte, 8);
    for (unsigned i = 0; i < n_half; i++) {
        memcpy(m->ram + (page - RAM_BASE) + (start_va & 0xfff) + 2 * i,
               &code[i], 2);
    }
    put32(m, RAM_BASE, MRET);
    put32(m, handler, CSRR(A1, CSR_MINSTRET_N));
    put32(m, handler + 4, SELF_LOOP);
    riscv_cpu_write_csr(m->cpu, CSR_PMPADDR0_N, UINT64_MAX >> 10);
    riscv_cpu_write_csr(m->cpu, CSR_PMPCFG0_N, 0x1f);
    riscv_cpu_write_csr(m->cpu, CSR_MTVEC_N, handler);
    riscv_cpu_write_csr(m->cpu, CSR_MEPC_N, start_va);
    riscv_cpu_write_csr(m->cpu, CSR_MSTATUS_N, 1ULL << 11); /* MPP = S */
    riscv_cpu_write_csr(m->cpu, CSR_SATP_N, 8ULL << 60 | root >> 12);
    riscv_cpu_run(m->cpu, 100000);
    g_assert_cmpuint(csr(m, CSR_MCAUSE_N), ==, 12);
    g_assert_cmpuint(csr(m, CSR_MTVAL_N), ==, 0x1000);
    g_assert_cmpuint(csr(m, CSR_MEPC_N), ==, want_epc);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A1), ==, want_instret);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, want_instret - 1);
    tm_free(m);
}

static void test_block_page_cross_fault(void)
{
    /* addi a0, a0, 1 (32-bit) x 4, running off the end of page 0 */
    const uint16_t run_off[] = {
        0x0513, 0x0015, 0x0513, 0x0015, 0x0513, 0x0015, 0x0513, 0x0015,
    };
    /* c.addi a0, 1; then a 32-bit addi straddling into page 1 */
    const uint16_t straddle[] = {0x0505, 0x0513, 0x0015};

    vm_fetch_fault(0xff0, run_off, G_N_ELEMENTS(run_off), 0x1000, 5);
    vm_fetch_fault(0xffc, straddle, G_N_ELEMENTS(straddle), 0xffe, 2);
}

/*
 * riscv_cpu_invalidate_code() from another thread while the hart keeps
 * calling the code from a loop (a cached, chained path): the new code
 * must be seen soon.
 */
typedef struct InvalCtx {
    TestMachine *m;
    uint64_t func;
    bool fence; /* the guest runs fence.i; the host does not invalidate */
} InvalCtx;

static gpointer patch_later(gpointer data)
{
    InvalCtx *c = data;
    g_usleep(20000);
    __atomic_store_n((uint32_t *)(c->m->ram + (c->func - RAM_BASE)),
                     ADDI(A0, ZERO, 2), __ATOMIC_SEQ_CST);
    if (!c->fence) {
        riscv_cpu_invalidate_code(c->m->cpu, c->func, 4);
    }
    return NULL;
}

static void invalidate_code_thread(bool fence)
{
    TestMachine *m = tm_new();
    InvalCtx ctx = {m, RAM_BASE + 0x3000, fence};
    const uint32_t loop[] = {
        AUIPC(S0, 3),              /* s0 = func */
        JALR(RA, S0, 0),           /* 4: call func */
        ADDI(T0, ZERO, 2),
        /* beq a0, t0, +12 */
        (uint32_t)(T0 << 20 | A0 << 15 | 0 << 12 | 12 << 7 | 0x63),
        fence ? 0x0000100fu : ADDI(ZERO, ZERO, 0), /* fence.i or nop */
        JAL(ZERO, -16),            /* back to the call */
        SELF_LOOP,                 /* 24: done */
    };
    const uint32_t func[] = {ADDI(A0, ZERO, 1), JALR(ZERO, RA, 0)};
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    put_code(m, RAM_BASE, loop, G_N_ELEMENTS(loop));
    put_code(m, ctx.func, func, G_N_ELEMENTS(func));
    riscv_cpu_run(m->cpu, 100000);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, 1);
    GThread *t = g_thread_new("patch", patch_later, &ctx);
    while (riscv_cpu_get_pc(m->cpu) != RAM_BASE + 24 &&
           g_get_monotonic_time() < deadline) {
        riscv_cpu_run(m->cpu, 100000);
    }
    g_thread_join(t);
    g_assert_cmpuint(riscv_cpu_get_pc(m->cpu), ==, RAM_BASE + 24);
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), ==, 2);
    tm_free(m);
}

static void test_invalidate_code_thread(void)
{
    invalidate_code_thread(false);
}

/* Another writer (here the host) and fence.i on the hart: the decoded
 * page is checked against RAM and the new code runs. */
static void test_fence_i_other_writer(void)
{
    invalidate_code_thread(true);
}

/*
 * Interrupt latency: the hart runs a page-long loop (300 load/add pairs
 * and a jump back) of loads of a marker word; another thread raises MTIP
 * and then sets the marker.  Every load that saw the marker ran after the
 * interrupt became pending, so their count is a lower bound of the
 * latency, which must stay within one straight-line run (documented: at
 * most 2052 instructions; here one loop body, as the jump checks).
 */
typedef struct IrqCtx {
    TestMachine *m;
    uint64_t marker;
} IrqCtx;

static gpointer irq_later(gpointer data)
{
    IrqCtx *c = data;
    g_usleep(20000);
    riscv_cpu_set_irq(c->m->cpu, RISCV_IRQ_MTI, true);
    __atomic_store_n((uint32_t *)(c->m->ram + (c->marker - RAM_BASE)), 1,
                     __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_irq_latency(void)
{
    TestMachine *m = tm_new();
    IrqCtx ctx = {m, RAM_BASE + 0x8000};
    const uint64_t loop = RAM_BASE + 0x2000, handler = RAM_BASE + 0x800;
    const unsigned pairs = 300;
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    uint64_t pc = loop;

    put32(m, RAM_BASE, AUIPC(S0, 8)); /* s0 = marker */
    put32(m, RAM_BASE + 4, JAL(ZERO, (int)(loop - RAM_BASE - 4)));
    for (unsigned i = 0; i < pairs; i++, pc += 8) {
        put32(m, pc, LW(T0, S0, 0));
        put32(m, pc + 4, ADD(A0, A0, T0));
    }
    put32(m, pc, JAL(ZERO, -(int)(pc - loop)));
    put32(m, handler, SELF_LOOP);
    riscv_cpu_write_csr(m->cpu, CSR_MTVEC_N, handler);
    riscv_cpu_write_csr(m->cpu, CSR_MIE_N, 1u << RISCV_IRQ_MTI);
    riscv_cpu_write_csr(m->cpu, CSR_MSTATUS_N, 1u << 3); /* MIE */
    GThread *t = g_thread_new("irq", irq_later, &ctx);
    while (csr(m, CSR_MCAUSE_N) == 0 && g_get_monotonic_time() < deadline) {
        riscv_cpu_run(m->cpu, 1000000);
    }
    g_thread_join(t);
    g_assert_cmpuint(csr(m, CSR_MCAUSE_N), ==, (1ULL << 63) | RISCV_IRQ_MTI);
    g_assert_cmpuint(csr(m, CSR_MEPC_N), >=, loop);
    g_assert_cmpuint(csr(m, CSR_MEPC_N), <=, pc);
    g_test_message("loads that saw the marker before the interrupt: %"
                   G_GUINT64_FORMAT, riscv_cpu_get_reg(m->cpu, A0));
    g_assert_cmpuint(riscv_cpu_get_reg(m->cpu, A0), <=, pairs + 1);
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
    g_test_add_func("/riscv/block/smc-in-block", test_smc_in_block);
    g_test_add_func("/riscv/block/exact-budget", test_exact_budget);
    g_test_add_func("/riscv/block/trap-mid-block", test_trap_mid_block);
    g_test_add_func("/riscv/block/page-cross-fault",
                    test_block_page_cross_fault);
    g_test_add_func("/riscv/block/invalidate-code-thread",
                    test_invalidate_code_thread);
    g_test_add_func("/riscv/block/fence-i-other-writer",
                    test_fence_i_other_writer);
    g_test_add_func("/riscv/block/irq-latency", test_irq_latency);
    return g_test_run();
}
