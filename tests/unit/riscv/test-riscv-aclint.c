/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the RISC-V ACLINT devices (MSWI, MTIMER, SSWI) through their
 * MMIO windows, hostile accesses included, and of the SSWI edge reaching a
 * hart's mip.SSIP, where the guest clears it through sip.
 */
#include <glib.h>
#include <string.h>
#include "hw/intc/riscv_aclint.h"
#include "system/memory.h"
#include "target/riscv/cpu.h"
#include "util/timer.h"

#define HARTS 2
#define HZ 10000000

/* What the devices drove: levels of msip/mtip, count of ssip raises. */
static int msip[HARTS], mtip[HARTS], ssip_raises[HARTS], ssip_lowers;

static void on_msip(void *opaque, int n, int level)
{
    msip[n] = level;
}

static void on_mtip(void *opaque, int n, int level)
{
    mtip[n] = level;
}

static void on_ssip(void *opaque, int n, int level)
{
    if (level) {
        ssip_raises[n]++;
    } else {
        ssip_lowers++;
    }
}

static RiscvAclint *aclint_setup(void)
{
    RiscvAclint *a = riscv_aclint_new("aclint", HARTS, HZ, &error_abort);

    clock_virtual_set_manual(true);
    memset(msip, 0, sizeof(msip));
    memset(mtip, 0, sizeof(mtip));
    memset(ssip_raises, 0, sizeof(ssip_raises));
    ssip_lowers = 0;
    for (int h = 0; h < HARTS; h++) {
        irq_init(riscv_aclint_msip_out(a, h), on_msip, NULL, h);
        irq_init(riscv_aclint_mtip_out(a, h), on_mtip, NULL, h);
        irq_init(riscv_aclint_ssip_out(a, h), on_ssip, NULL, h);
    }
    return a;
}

static AddressSpace *as_with(MemoryRegion *mr, uint64_t base)
{
    AddressSpace *as = address_space_new("test", 1ULL << 32);
    g_assert_true(address_space_map(as, base, mr, &error_abort));
    return as;
}

static uint64_t ld(AddressSpace *as, uint64_t addr, unsigned size)
{
    uint64_t v = 0;
    g_assert_true(address_space_ld(as, addr, size, &v));
    return v;
}

static void st(AddressSpace *as, uint64_t addr, unsigned size, uint64_t v)
{
    g_assert_true(address_space_st(as, addr, size, v));
}

static void test_new_errors(void)
{
    Error *err = NULL;

    g_assert_null(riscv_aclint_new("a", 0, HZ, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(riscv_aclint_new("a", ACLINT_MAX_HARTS + 1, HZ, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(riscv_aclint_new("a", 1, 0, &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_windows(void)
{
    RiscvAclint *a = aclint_setup();

    g_assert_cmpuint(memory_region_size(riscv_aclint_mswi_mmio(a)), ==,
                     0x4000);
    g_assert_cmpuint(memory_region_size(riscv_aclint_mtimer_mmio(a)), ==,
                     0x8000);
    g_assert_cmpuint(memory_region_size(riscv_aclint_sswi_mmio(a)), ==,
                     0x4000);
    g_assert_cmpuint(memory_region_size(riscv_aclint_mmio(a)), ==, 0x10000);
    g_assert_null(riscv_aclint_msip_out(a, HARTS));
    g_assert_null(riscv_aclint_mtip_out(a, HARTS));
    g_assert_null(riscv_aclint_ssip_out(a, HARTS));
    riscv_aclint_free(a);
}

static void test_mswi(void)
{
    RiscvAclint *a = aclint_setup();
    AddressSpace *as = as_with(riscv_aclint_mswi_mmio(a), 0x2000000);

    st(as, 0x2000004, 4, 1);
    g_assert_cmpint(msip[1], ==, 1);
    g_assert_cmpint(msip[0], ==, 0);
    g_assert_cmpuint(ld(as, 0x2000004, 4), ==, 1);
    /* Only bit 0 is stored: 2 clears, 3 sets. */
    st(as, 0x2000004, 4, 2);
    g_assert_cmpint(msip[1], ==, 0);
    g_assert_cmpuint(ld(as, 0x2000004, 4), ==, 0);
    st(as, 0x2000000, 4, 0xffffffff);
    g_assert_cmpint(msip[0], ==, 1);
    g_assert_cmpuint(ld(as, 0x2000000, 4), ==, 1);
    /* Byte and halfword writes are not register accesses. */
    st(as, 0x2000000, 1, 0);
    st(as, 0x2000002, 2, 0);
    g_assert_cmpint(msip[0], ==, 1);
    /* Harts beyond -smp, up to the end of the window: ignored, read 0. */
    st(as, 0x2000008, 4, 1);
    st(as, 0x2003ffc, 4, 1);
    g_assert_cmpuint(ld(as, 0x2000008, 4), ==, 0);
    g_assert_cmpuint(ld(as, 0x2003ffc, 4), ==, 0);
    g_assert_cmpint(msip[0] + msip[1], ==, 1);
    /* Outside the window is a bus error, not a device access. */
    g_assert_false(address_space_st(as, 0x2004000, 4, 1));
    riscv_aclint_reset(a);
    g_assert_cmpint(msip[0], ==, 0);
    g_assert_cmpuint(ld(as, 0x2000000, 4), ==, 0);
    address_space_free(as);
    riscv_aclint_free(a);
}

static void test_mtimer(void)
{
    RiscvAclint *a = aclint_setup();
    AddressSpace *as = as_with(riscv_aclint_mtimer_mmio(a), 0x2004000);
    uint64_t mtime = 0x2004000 + ACLINT_MTIMER_MTIME;
    int64_t t0 = clock_get_ns(QEMU_CLOCK_VIRTUAL);

    /* mtime at +0x7ff8, 10 MHz from the virtual clock. */
    g_assert_cmpuint(ld(as, mtime, 8), ==, t0 / 100);
    g_assert_cmpuint(ld(as, mtime, 4), ==, (uint32_t)(t0 / 100));
    g_assert_cmpuint(ld(as, mtime + 4, 4), ==, (t0 / 100) >> 32);

    /* mtimecmp of hart 1 at +8: 1000 ticks ahead. */
    g_assert_cmphex(ld(as, 0x2004008, 8), ==, UINT64_MAX);
    st(as, 0x2004008, 8, t0 / 100 + 1000);
    g_assert_cmpint(mtip[1], ==, 0);
    clock_virtual_advance_to((t0 / 100 + 1000) * 100);
    g_assert_cmpint(mtip[1], ==, 1);
    g_assert_cmpint(mtip[0], ==, 0);
    /* The 32-bit halves. */
    st(as, 0x200400c, 4, 0x12345678);
    st(as, 0x2004008, 4, 0x9abcdef0);
    g_assert_cmphex(ld(as, 0x2004008, 8), ==, 0x123456789abcdef0ULL);
    g_assert_cmphex(ld(as, 0x200400c, 4), ==, 0x12345678);
    g_assert_cmpint(mtip[1], ==, 0);
    /* Byte and halfword writes do not touch the register. */
    st(as, 0x2004008, 1, 0);
    st(as, 0x200400a, 2, 0);
    g_assert_cmphex(ld(as, 0x2004008, 8), ==, 0x123456789abcdef0ULL);
    /* A past value raises MTIP at once. */
    st(as, 0x2004000, 8, 0);
    g_assert_cmpint(mtip[0], ==, 1);

    /* Writing mtime moves the time base; halves too. */
    st(as, mtime, 8, 5);
    g_assert_cmpuint(ld(as, mtime, 8), ==, 5);
    g_assert_cmpint(mtip[0], ==, 1);
    st(as, mtime + 4, 4, 1);
    g_assert_cmphex(ld(as, mtime, 8), ==, (1ULL << 32) | 5);

    /* Harts beyond -smp and the hole before mtime: read 0, no effect. */
    st(as, 0x2004010, 8, 0);
    st(as, 0x2004000 + 0x7ff0, 8, 0);
    g_assert_cmpuint(ld(as, 0x2004010, 8), ==, 0);
    g_assert_cmpuint(ld(as, 0x2004000 + 0x7ff0, 8), ==, 0);
    g_assert_cmpint(riscv_aclint_timer_deadline_ns(a, HARTS), ==, INT64_MAX);
    riscv_aclint_check_timer(a, HARTS); /* must not crash */
    g_assert_false(address_space_ld(as, 0x200c000, 4, &(uint64_t){0}));
    address_space_free(as);
    riscv_aclint_free(a);
}

static void test_sswi(void)
{
    RiscvAclint *a = aclint_setup();
    AddressSpace *as = as_with(riscv_aclint_sswi_mmio(a), 0x2f00000);

    /* Each write of 1 is one edge on SSIP; it never lowers it. */
    st(as, 0x2f00004, 4, 1);
    g_assert_cmpint(ssip_raises[1], ==, 1);
    st(as, 0x2f00004, 4, 1);
    g_assert_cmpint(ssip_raises[1], ==, 2);
    g_assert_cmpint(ssip_raises[0], ==, 0);
    st(as, 0x2f00004, 4, 0);
    st(as, 0x2f00004, 4, 2);
    g_assert_cmpint(ssip_raises[1], ==, 2);
    st(as, 0x2f00000, 4, 0xffffffff);
    g_assert_cmpint(ssip_raises[0], ==, 1);
    g_assert_cmpint(ssip_lowers, ==, 0);
    /* setssip reads as 0. */
    g_assert_cmpuint(ld(as, 0x2f00000, 4), ==, 0);
    g_assert_cmpuint(ld(as, 0x2f00004, 4), ==, 0);
    /* Bytes, halfwords, harts beyond -smp: nothing. */
    st(as, 0x2f00000, 1, 1);
    st(as, 0x2f00002, 2, 1);
    st(as, 0x2f00008, 4, 1);
    st(as, 0x2f03ffc, 4, 1);
    g_assert_cmpint(ssip_raises[0], ==, 1);
    g_assert_cmpint(ssip_raises[1], ==, 2);
    g_assert_false(address_space_st(as, 0x2f04000, 4, 1));
    /* Reset has no SSWI state to clear and raises nothing. */
    riscv_aclint_reset(a);
    g_assert_cmpint(ssip_raises[0] + ssip_raises[1], ==, 3);
    address_space_free(as);
    riscv_aclint_free(a);
}

/* The CLINT window is the MSWI with the MTIMER after it, on one state. */
static void test_clint_shares_state(void)
{
    RiscvAclint *a = aclint_setup();
    AddressSpace *clint = as_with(riscv_aclint_mmio(a), 0);
    AddressSpace *acl = address_space_new("acl", 1ULL << 32);

    g_assert_true(address_space_map(acl, 0x2000000, riscv_aclint_mswi_mmio(a),
                                    &error_abort));
    g_assert_true(address_space_map(acl, 0x2004000,
                                    riscv_aclint_mtimer_mmio(a),
                                    &error_abort));
    st(clint, ACLINT_MSIP_BASE + 4, 4, 1);
    g_assert_cmpuint(ld(acl, 0x2000004, 4), ==, 1);
    st(acl, 0x2004000, 8, 0x1234);
    g_assert_cmphex(ld(clint, ACLINT_MTIMECMP_BASE, 8), ==, 0x1234);
    g_assert_cmphex(ld(clint, ACLINT_MTIME, 8), ==,
                    ld(acl, 0x2004000 + ACLINT_MTIMER_MTIME, 8));
    /* Past the MTIMER (0xc000..0xffff): reads 0, writes do nothing. */
    st(clint, 0xc000, 8, 7);
    g_assert_cmpuint(ld(clint, 0xc000, 8), ==, 0);
    g_assert_cmpuint(ld(clint, 0xfffc, 4), ==, 0);
    address_space_free(clint);
    address_space_free(acl);
    riscv_aclint_free(a);
}

/* ---- a hart and the SSWI ---- */

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x2000
#define SSWI_BASE 0x2f00000ULL

typedef struct Machine {
    uint8_t ram[RAM_SIZE];
    AddressSpace *as;
    RiscvCpu *cpu;
} Machine;

static void *m_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    Machine *m = opaque;

    if (pa >= RAM_BASE && len <= RAM_SIZE && pa - RAM_BASE <= RAM_SIZE - len) {
        return m->ram + (pa - RAM_BASE);
    }
    return NULL;
}

static bool m_mmio_read(void *opaque, uint64_t pa, unsigned size,
                        uint64_t *val)
{
    Machine *m = opaque;
    return address_space_ld(m->as, pa, size, val);
}

static bool m_mmio_write(void *opaque, uint64_t pa, unsigned size,
                         uint64_t val)
{
    Machine *m = opaque;
    return address_space_st(m->as, pa, size, val);
}

static const RiscvMemOps m_ops = {
    .ram_ptr = m_ram_ptr,
    .mmio_read = m_mmio_read,
    .mmio_write = m_mmio_write,
};

static void m_ssip(void *opaque, int hart, int level)
{
    Machine *m = opaque;
    if (level) {
        riscv_cpu_set_irq(m->cpu, RISCV_IRQ_SSI, 1);
    }
}

/* RV64 encodings, enough for the program below. */
enum { T0 = 5, T1 = 6, T2 = 7, S0 = 8, S1 = 9, A0 = 10 };
enum { CSR_SIP_NR = 0x144, CSR_MIDELEG_NR = 0x303, CSR_MIP_NR = 0x344 };


static uint32_t i_type(uint32_t op, int rd, int f3, int rs1, int32_t imm)
{
    return ((uint32_t)imm & 0xfff) << 20 | rs1 << 15 | f3 << 12 | rd << 7 |
           op;
}

static uint32_t s_type(int f3, int rs1, int rs2, int32_t imm)
{
    return ((uint32_t)imm >> 5 & 0x7f) << 25 | rs2 << 20 | rs1 << 15 |
           f3 << 12 | (imm & 0x1f) << 7 | 0x23;
}

#define ADDI(rd, rs1, imm) i_type(0x13, rd, 0, rs1, imm)
#define CSRRW(rd, csr, rs1) i_type(0x73, rd, 1, rs1, csr)
#define CSRRS(rd, csr, rs1) i_type(0x73, rd, 2, rs1, csr)
#define CSRRC(rd, csr, rs1) i_type(0x73, rd, 3, rs1, csr)
#define SW(rs2, off, rs1) s_type(2, rs1, rs2, off)
#define SD(rs2, off, rs1) s_type(3, rs1, rs2, off)
#define AUIPC(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x17)
#define LUI(rd, imm20) ((uint32_t)(imm20) << 12 | (rd) << 7 | 0x37)
#define JAL_SELF 0x0000006fu

static void test_sswi_sets_ssip(void)
{
    Machine *m = g_new0(Machine, 1);
    RiscvAclint *a = riscv_aclint_new("aclint", 1, HZ, &error_abort);
    /* Results at RAM_BASE + 0x1000: mip after each step. */
    const uint32_t prog[] = {
        AUIPC(S0, 1),
        LUI(S1, SSWI_BASE >> 12),
        ADDI(T0, 0, 1 << RISCV_IRQ_SSI),
        ADDI(T1, 0, 1),
        ADDI(T2, 0, 1 << RISCV_IRQ_STI),
        CSRRW(0, CSR_MIDELEG_NR, T0),  /* SSIP writable through sip */
        SW(T1, 0, S1),                 /* setssip[0] = 1 */
        CSRRS(A0 + 0, CSR_MIP_NR, 0),  /* SSIP set */
        CSRRC(0, CSR_SIP_NR, T0),      /* the guest clears it */
        CSRRS(A0 + 1, CSR_MIP_NR, 0),  /* SSIP clear */
        SW(0, 0, S1),                  /* setssip[0] = 0: nothing */
        CSRRS(A0 + 2, CSR_MIP_NR, 0),  /* still clear */
        SW(T1, 0, S1),                 /* set again */
        CSRRS(0, CSR_MIP_NR, T2),      /* csrs of STIP keeps SSIP */
        CSRRS(A0 + 3, CSR_MIP_NR, 0),  /* SSIP and STIP */
        CSRRC(0, CSR_MIP_NR, T0),      /* cleared through mip */
        CSRRS(A0 + 4, CSR_MIP_NR, 0),  /* STIP only */
        SD(A0 + 0, 0, S0),
        SD(A0 + 1, 8, S0),
        SD(A0 + 2, 16, S0),
        SD(A0 + 3, 24, S0),
        SD(A0 + 4, 32, S0),
        JAL_SELF,
    };
    uint64_t r[5];

    m->as = as_with(riscv_aclint_sswi_mmio(a), SSWI_BASE);
    memcpy(m->ram, prog, sizeof(prog));
    m->cpu = riscv_cpu_new(0, &m_ops, m, NULL);
    irq_init(riscv_aclint_ssip_out(a, 0), m_ssip, m, 0);
    riscv_cpu_reset(m->cpu, RAM_BASE);
    riscv_cpu_run(m->cpu, 200);
    memcpy(r, m->ram + 0x1000, sizeof(r));
    g_assert_cmphex(r[0] & 0x222, ==, 0x002);
    g_assert_cmphex(r[1] & 0x222, ==, 0);
    g_assert_cmphex(r[2] & 0x222, ==, 0);
    g_assert_cmphex(r[3] & 0x222, ==, 0x022);
    g_assert_cmphex(r[4] & 0x222, ==, 0x020);
    riscv_cpu_free(m->cpu);
    address_space_free(m->as);
    riscv_aclint_free(a);
    g_free(m);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-aclint/new-errors", test_new_errors);
    g_test_add_func("/riscv-aclint/windows", test_windows);
    g_test_add_func("/riscv-aclint/mswi", test_mswi);
    g_test_add_func("/riscv-aclint/mtimer", test_mtimer);
    g_test_add_func("/riscv-aclint/sswi", test_sswi);
    g_test_add_func("/riscv-aclint/clint-shares-state",
                    test_clint_shares_state);
    g_test_add_func("/riscv-aclint/sswi-sets-ssip", test_sswi_sets_ssip);
    return g_test_run();
}
