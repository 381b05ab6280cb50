/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The AIA CSRs of the software CPU (Smaia/Ssaia) against real IMSIC
 * interrupt files: miselect/mireg, siselect/sireg, mtopei/stopei claims,
 * mtopi/stopi, mvien/mvip, illegal selectors and privilege.  Each check
 * executes hand-encoded CSR instructions.
 */
#include <string.h>
#include <glib.h>
#include "hw/intc/riscv_imsic.h"
#include "target/riscv/cpu.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000ULL
#define TRAP_VEC (RAM_BASE + 0x8000)

enum {
    MVIEN = 0x308,
    MVIP = 0x309,
    MISELECT = 0x350,
    MIREG = 0x351,
    MTOPEI = 0x35c,
    MTOPI = 0xfb0,
    SISELECT = 0x150,
    SIREG = 0x151,
    STOPEI = 0x15c,
    STOPI = 0xdb0,
    MSTATUS = 0x300,
    MIDELEG = 0x303,
    MIE = 0x304,
    MTVEC = 0x305,
    MEPC = 0x341,
    MCAUSE = 0x342,
    MIP = 0x344,
};
enum { A0 = 10, A1 = 11, T0 = 5 };

typedef struct Hart {
    uint8_t *ram;
    RiscvCpu *cpu;
    RiscvImsic *m, *s;
    uint64_t next; /* where the next instruction goes */
} Hart;

static void *h_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    Hart *h = opaque;
    if (pa >= RAM_BASE && len <= RAM_SIZE && pa - RAM_BASE <= RAM_SIZE - len) {
        return h->ram + (pa - RAM_BASE);
    }
    return NULL;
}

static bool h_mmio_read(void *opaque, uint64_t pa, unsigned size, uint64_t *val)
{
    return false;
}

static bool h_mmio_write(void *opaque, uint64_t pa, unsigned size, uint64_t val)
{
    return false;
}

static const RiscvMemOps h_ops = {
    .ram_ptr = h_ram_ptr,
    .mmio_read = h_mmio_read,
    .mmio_write = h_mmio_write,
};

static bool h_imsic_rmw(void *opaque, unsigned hartid, unsigned priv,
                        unsigned isel, uint64_t wval, uint64_t wmask,
                        uint64_t *old)
{
    Hart *h = opaque;
    return riscv_imsic_rmw(priv == RISCV_PRIV_M ? h->m : h->s, hartid, isel,
                           wval, wmask, old);
}

static uint32_t h_imsic_topei(void *opaque, unsigned hartid, unsigned priv,
                              bool claim)
{
    Hart *h = opaque;
    return riscv_imsic_topei(priv == RISCV_PRIV_M ? h->m : h->s, hartid, claim);
}

static const RiscvImsicOps h_imsic_ops = {
    .rmw = h_imsic_rmw,
    .topei = h_imsic_topei,
};

static void h_xeip(void *opaque, int n, int level)
{
    Hart *h = opaque;
    riscv_cpu_set_irq(h->cpu, n ? RISCV_IRQ_SEI : RISCV_IRQ_MEI, level);
}

static Hart *hart_new(bool with_imsic)
{
    Hart *h = g_new0(Hart, 1);
    RiscvCpuConfig cfg = {.pmp_entries = 0};

    h->ram = g_malloc0(RAM_SIZE);
    if (with_imsic) {
        h->m = riscv_imsic_new("m", true, 1, 0, 255, &error_abort);
        h->s = riscv_imsic_new("s", false, 1, 0, 255, &error_abort);
        irq_init(riscv_imsic_output(h->m, 0), h_xeip, h, 0);
        irq_init(riscv_imsic_output(h->s, 0), h_xeip, h, 1);
        cfg.imsic = &h_imsic_ops;
        cfg.imsic_opaque = h;
    }
    h->cpu = riscv_cpu_new(0, &h_ops, h, &cfg);
    riscv_cpu_reset(h->cpu, RAM_BASE);
    riscv_cpu_write_csr(h->cpu, MTVEC, TRAP_VEC);
    h->next = RAM_BASE;
    return h;
}

static void hart_free(Hart *h)
{
    riscv_cpu_free(h->cpu);
    riscv_imsic_free(h->m);
    riscv_imsic_free(h->s);
    g_free(h->ram);
    g_free(h);
}

static uint32_t csr_insn(unsigned funct3, unsigned rd, unsigned csr,
                         unsigned rs1)
{
    return csr << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x73;
}
#define CSRRW(rd, csr, rs1) csr_insn(1, rd, csr, rs1)
#define CSRRS(rd, csr, rs1) csr_insn(2, rd, csr, rs1)
#define CSRRC(rd, csr, rs1) csr_insn(3, rd, csr, rs1)
#define MRET                0x30200073u

/* Execute one instruction; true when it completed without a trap. */
static bool step(Hart *h, uint32_t insn)
{
    uint64_t pc = h->next;

    g_assert_cmpuint(pc + 4, <, TRAP_VEC);
    memcpy(h->ram + (pc - RAM_BASE), &insn, 4);
    h->next += 4;
    riscv_cpu_set_pc(h->cpu, pc);
    riscv_cpu_run(h->cpu, 1);
    return riscv_cpu_get_pc(h->cpu) != TRAP_VEC;
}

static uint64_t rd_csr(Hart *h, unsigned csr)
{
    g_assert_true(step(h, CSRRS(A0, csr, 0)));
    return riscv_cpu_get_reg(h->cpu, A0);
}

static void wr_csr(Hart *h, unsigned csr, uint64_t v)
{
    riscv_cpu_set_reg(h->cpu, T0, v);
    g_assert_true(step(h, CSRRW(0, csr, T0)));
}

static void assert_illegal(Hart *h, uint32_t insn)
{
    uint64_t cause;

    g_assert_false(step(h, insn));
    g_assert_true(riscv_cpu_read_csr(h->cpu, MCAUSE, &cause));
    g_assert_cmpuint(cause, ==, 2);
}

static uint64_t imsic_reg(RiscvImsic *s, unsigned isel)
{
    uint64_t v;
    g_assert_true(riscv_imsic_rmw(s, 0, isel, 0, 0, &v));
    return v;
}

static void test_absent_without_imsic(void)
{
    Hart *h = hart_new(false);
    static const unsigned csrs[] = {MISELECT, MIREG,    MTOPEI, MTOPI,  MVIEN,
                                    MVIP,     SISELECT, SIREG,  STOPEI, STOPI};
    uint64_t v;

    g_assert_null(strstr(riscv_cpu_isa_string(h->cpu), "aia"));
    for (unsigned i = 0; i < G_N_ELEMENTS(csrs); i++) {
        assert_illegal(h, CSRRS(A0, csrs[i], 0));
        g_assert_false(riscv_cpu_read_csr(h->cpu, csrs[i], &v));
    }
    hart_free(h);
}

static void test_isa_strings(void)
{
    Hart *h = hart_new(true);
    const char *const *ext = riscv_cpu_isa_extensions(h->cpu);
    bool smaia = false, ssaia = false;

    g_assert_true(
        g_str_has_suffix(riscv_cpu_isa_string(h->cpu), "_smaia_ssaia"));
    for (int i = 0; ext[i]; i++) {
        smaia |= !strcmp(ext[i], "smaia");
        ssaia |= !strcmp(ext[i], "ssaia");
    }
    g_assert_true(smaia && ssaia);
    hart_free(h);
}

static void test_m_file_and_claim(void)
{
    Hart *h = hart_new(true);

    /* eidelivery and eie0 through miselect/mireg. */
    wr_csr(h, MISELECT, 0x70);
    g_assert_cmpuint(rd_csr(h, MISELECT), ==, 0x70);
    wr_csr(h, MIREG, 1);
    g_assert_cmpuint(imsic_reg(h->m, 0x70), ==, 1);
    wr_csr(h, MISELECT, 0xc0);
    riscv_cpu_set_reg(h->cpu, T0, 1ULL << 5 | 1ULL << 7);
    g_assert_true(step(h, CSRRS(A1, MIREG, T0))); /* csrs keeps others */
    g_assert_cmphex(imsic_reg(h->m, 0xc0), ==, 1ULL << 5 | 1ULL << 7);
    g_assert_cmphex(imsic_reg(h->s, 0xc0), ==, 0);

    /* Two MSIs: MEIP rises; mtopi reports MEI once it is enabled. */
    riscv_imsic_set_pending(h->m, 0, 7);
    riscv_imsic_set_pending(h->m, 0, 5);
    g_assert_cmphex(rd_csr(h, MIP) & (1 << 11), ==, 1 << 11);
    g_assert_cmpuint(rd_csr(h, MTOPI), ==, 0);
    wr_csr(h, MIE, 1 << 11);
    g_assert_cmphex(rd_csr(h, MTOPI), ==, 11 << 16 | 1);
    /* A plain read of mtopei does not claim. */
    g_assert_cmphex(rd_csr(h, MTOPEI), ==, 5 << 16 | 5);
    g_assert_cmphex(rd_csr(h, MTOPEI), ==, 5 << 16 | 5);
    /* csrrw claims what it reads, lowest identity first. */
    g_assert_true(step(h, CSRRW(A0, MTOPEI, 0)));
    g_assert_cmphex(riscv_cpu_get_reg(h->cpu, A0), ==, 5 << 16 | 5);
    g_assert_true(step(h, CSRRW(A0, MTOPEI, 0)));
    g_assert_cmphex(riscv_cpu_get_reg(h->cpu, A0), ==, 7 << 16 | 7);
    g_assert_cmpuint(rd_csr(h, MTOPEI), ==, 0);
    g_assert_cmpuint(rd_csr(h, MIP) & (1 << 11), ==, 0);
    g_assert_cmpuint(rd_csr(h, MTOPI), ==, 0);
    /* eip0 through mireg: csrc clears one bit atomically. */
    riscv_imsic_set_pending(h->m, 0, 9);
    riscv_imsic_set_pending(h->m, 0, 10);
    wr_csr(h, MISELECT, 0x80);
    riscv_cpu_set_reg(h->cpu, T0, 1ULL << 9);
    g_assert_true(step(h, CSRRC(A0, MIREG, T0)));
    g_assert_cmphex(riscv_cpu_get_reg(h->cpu, A0), ==, 1ULL << 9 | 1ULL << 10);
    g_assert_cmphex(imsic_reg(h->m, 0x80), ==, 1ULL << 10);
    /* The debugger's view claims on write too. */
    wr_csr(h, MISELECT, 0xc0);
    riscv_cpu_set_reg(h->cpu, T0, 1ULL << 10);
    g_assert_true(step(h, CSRRS(0, MIREG, T0)));
    g_assert_true(riscv_cpu_read_csr(h->cpu, MTOPEI, &(uint64_t){0}));
    g_assert_cmphex(imsic_reg(h->m, 0x80), ==, 1ULL << 10);
    g_assert_true(riscv_cpu_write_csr(h->cpu, MTOPEI, 0));
    g_assert_cmphex(imsic_reg(h->m, 0x80), ==, 0);
    hart_free(h);
}

static void test_selectors(void)
{
    Hart *h = hart_new(true);

    /* iprio0/2/..: read-only zero; odd numbers illegal (XLEN = 64). */
    wr_csr(h, MISELECT, 0x30);
    wr_csr(h, MIREG, ~0ULL);
    g_assert_cmpuint(rd_csr(h, MIREG), ==, 0);
    wr_csr(h, MISELECT, 0x31);
    assert_illegal(h, CSRRS(A0, MIREG, 0));
    /* Reserved ranges and odd eip/eie numbers are illegal. */
    static const unsigned bad[] = {0x00, 0x2f, 0x40,  0x6f, 0x81,
                                   0xc1, 0xff, 0x100, 0xfff};
    for (unsigned i = 0; i < G_N_ELEMENTS(bad); i++) {
        wr_csr(h, MISELECT, bad[i]);
        assert_illegal(h, CSRRS(A0, MIREG, 0));
        wr_csr(h, SISELECT, bad[i]);
        assert_illegal(h, CSRRS(A0, SIREG, 0));
    }
    /* Reserved IMSIC numbers read zero. */
    wr_csr(h, MISELECT, 0x71);
    g_assert_cmpuint(rd_csr(h, MIREG), ==, 0);
    /* mtopi and stopi are read-only. */
    assert_illegal(h, CSRRW(0, MTOPI, T0));
    assert_illegal(h, CSRRW(0, STOPI, T0));
    hart_free(h);
}

static void test_s_file_and_privilege(void)
{
    Hart *h = hart_new(true);

    wr_csr(h, MIDELEG, 1 << 9);
    wr_csr(h, MIE, 1 << 9);
    /* siselect/sireg reach the S file, not the M file. */
    wr_csr(h, SISELECT, 0x70);
    wr_csr(h, SIREG, 1);
    wr_csr(h, SISELECT, 0xc2);
    wr_csr(h, SIREG, 1ULL << (70 - 64));
    g_assert_cmphex(imsic_reg(h->s, 0xc2), ==, 1ULL << 6);
    g_assert_cmphex(imsic_reg(h->m, 0xc2), ==, 0);
    riscv_imsic_set_pending(h->s, 0, 70);
    /* SEI is delegated: stopi reports it, mtopi does not. */
    g_assert_cmphex(rd_csr(h, STOPI), ==, 9 << 16 | 1);
    g_assert_cmpuint(rd_csr(h, MTOPI), ==, 0);

    /* Drop to S-mode with mret and claim there. */
    riscv_cpu_write_csr(h->cpu, MSTATUS, 1ULL << 11); /* MPP = S, SIE = 0 */
    riscv_cpu_write_csr(h->cpu, MEPC, h->next + 4);
    g_assert_true(step(h, MRET));
    g_assert_cmpuint(riscv_cpu_get_priv(h->cpu), ==, RISCV_PRIV_S);
    g_assert_true(step(h, CSRRW(A0, STOPEI, 0)));
    g_assert_cmphex(riscv_cpu_get_reg(h->cpu, A0), ==, 70 << 16 | 70);
    g_assert_cmpuint(rd_csr(h, STOPI), ==, 0);
    /* Machine-level AIA CSRs are out of reach from S-mode. */
    g_assert_false(step(h, CSRRS(A0, MTOPEI, 0)));
    g_assert_cmpuint(riscv_cpu_get_priv(h->cpu), ==, RISCV_PRIV_M);
    hart_free(h);
}

static void test_mvien_mvip(void)
{
    Hart *h = hart_new(true);

    wr_csr(h, MVIEN, ~0ULL);
    g_assert_cmpuint(rd_csr(h, MVIEN), ==, 0);
    /* mvip bits 1, 5, 9 are the software-writable SSIP, STIP, SEIP. */
    wr_csr(h, MVIP, ~0ULL);
    g_assert_cmphex(rd_csr(h, MVIP), ==, 1 << 1 | 1 << 5 | 1 << 9);
    g_assert_cmphex(rd_csr(h, MIP) & 0x222, ==, 0x222);
    wr_csr(h, MVIP, 0);
    g_assert_cmphex(rd_csr(h, MIP) & 0x222, ==, 0);
    hart_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-aia-csr/absent", test_absent_without_imsic);
    g_test_add_func("/riscv-aia-csr/isa", test_isa_strings);
    g_test_add_func("/riscv-aia-csr/m-file-claim", test_m_file_and_claim);
    g_test_add_func("/riscv-aia-csr/selectors", test_selectors);
    g_test_add_func("/riscv-aia-csr/s-file-privilege",
                    test_s_file_and_privilege);
    g_test_add_func("/riscv-aia-csr/mvien-mvip", test_mvien_mvip);
    return g_test_run();
}
