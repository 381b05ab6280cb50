/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the AIA interrupt controllers: IMSIC interrupt files (MMIO
 * and the CSR-side interface), APLIC domains in MSI and direct mode, and
 * the two together (APLIC MSIs landing in IMSIC files).
 */
#include <glib.h>
#include "hw/intc/riscv_aplic.h"
#include "hw/intc/riscv_imsic.h"
#include "system/memory.h"

#define IMSIC_M_BASE 0x24000000ULL
#define IMSIC_S_BASE 0x28000000ULL
#define APLIC_M_BASE 0x0c000000ULL
#define APLIC_S_BASE 0x0d000000ULL
#define NSRC         96

static int levels[64];
static int changes;

static void record_level(void *opaque, int n, int level)
{
    levels[n] = level;
    changes++;
}

static uint64_t ld(AddressSpace *as, uint64_t addr)
{
    uint64_t v = 0;
    g_assert_true(address_space_ld(as, addr, 4, &v));
    return v;
}

static void st(AddressSpace *as, uint64_t addr, uint64_t v)
{
    g_assert_true(address_space_st(as, addr, 4, v));
}

static uint64_t ireg(RiscvImsic *s, unsigned hart, unsigned isel)
{
    uint64_t v = 0xdead;
    g_assert_true(riscv_imsic_rmw(s, hart, isel, 0, 0, &v));
    return v;
}

static void ireg_write(RiscvImsic *s, unsigned hart, unsigned isel, uint64_t v)
{
    uint64_t old;
    g_assert_true(riscv_imsic_rmw(s, hart, isel, v, ~0ULL, &old));
}

/* ---- IMSIC ---- */

typedef struct ImsicFixture {
    AddressSpace *as;
    RiscvImsic *m, *s;
} ImsicFixture;

static void imsic_setup(ImsicFixture *fx, unsigned harts, unsigned guests)
{
    memset(levels, 0, sizeof(levels));
    changes = 0;
    fx->as = address_space_new("test", 1ULL << 32);
    fx->m = riscv_imsic_new("m", true, harts, 0, 255, &error_abort);
    fx->s = riscv_imsic_new("s", false, harts, guests, 255, &error_abort);
    for (unsigned h = 0; h < harts; h++) {
        irq_init(riscv_imsic_output(fx->m, h), record_level, NULL, 2 * h);
        irq_init(riscv_imsic_output(fx->s, h), record_level, NULL, 2 * h + 1);
    }
    g_assert_true(address_space_map(fx->as, IMSIC_M_BASE,
                                    riscv_imsic_mmio(fx->m), &error_abort));
    g_assert_true(address_space_map(fx->as, IMSIC_S_BASE,
                                    riscv_imsic_mmio(fx->s), &error_abort));
}

static void imsic_teardown(ImsicFixture *fx)
{
    address_space_free(fx->as);
    riscv_imsic_free(fx->m);
    riscv_imsic_free(fx->s);
}

static void test_imsic_msi_and_claim(void)
{
    ImsicFixture fx;

    imsic_setup(&fx, 2, 0);
    g_assert_cmpuint(riscv_imsic_hart_stride(fx.s), ==, 0x1000);
    /* An MSI to hart 1's S file sets eip bit 5 there and nowhere else. */
    st(fx.as, IMSIC_S_BASE + 0x1000, 5);
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 5);
    g_assert_cmphex(ireg(fx.s, 0, IMSIC_ISEL_EIP0), ==, 0);
    g_assert_cmphex(ireg(fx.m, 1, IMSIC_ISEL_EIP0), ==, 0);
    /* Not enabled, no delivery yet: topei 0, line low. */
    g_assert_cmpuint(riscv_imsic_topei(fx.s, 1, false), ==, 0);
    ireg_write(fx.s, 1, IMSIC_ISEL_EIE0, 1ULL << 5 | 1ULL << 9);
    g_assert_cmphex(riscv_imsic_topei(fx.s, 1, false), ==, 5 << 16 | 5);
    g_assert_cmpint(levels[3], ==, 0); /* eidelivery = 0 */
    ireg_write(fx.s, 1, IMSIC_ISEL_EIDELIVERY, 1);
    g_assert_cmpint(levels[3], ==, 1);
    g_assert_cmpint(levels[2], ==, 0);
    /* Big-endian port, identity 9. */
    st(fx.as, IMSIC_S_BASE + 0x1000 + 4, GUINT32_SWAP_LE_BE(9));
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 5 | 1ULL << 9);
    /* Claims go lowest identity first; the line drops after the last. */
    g_assert_cmphex(riscv_imsic_topei(fx.s, 1, true), ==, 5 << 16 | 5);
    g_assert_cmpint(levels[3], ==, 1);
    g_assert_cmphex(riscv_imsic_topei(fx.s, 1, true), ==, 9 << 16 | 9);
    g_assert_cmpint(levels[3], ==, 0);
    g_assert_cmphex(riscv_imsic_topei(fx.s, 1, true), ==, 0);
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 0);
    /* MMIO reads are zero. */
    g_assert_cmpuint(ld(fx.as, IMSIC_S_BASE + 0x1000), ==, 0);
    imsic_teardown(&fx);
}

static void test_imsic_threshold_and_arrays(void)
{
    ImsicFixture fx;
    uint64_t old;

    imsic_setup(&fx, 1, 0);
    ireg_write(fx.m, 0, IMSIC_ISEL_EIDELIVERY, 1);
    /* eie2 (identities 64..127) and the highest identity, 255 in eie6. */
    ireg_write(fx.m, 0, IMSIC_ISEL_EIE0 + 2, ~0ULL);
    ireg_write(fx.m, 0, IMSIC_ISEL_EIE0 + 6, ~0ULL);
    g_assert_cmphex(ireg(fx.m, 0, IMSIC_ISEL_EIE0 + 6), ==, ~0ULL);
    st(fx.as, IMSIC_M_BASE, 255);
    st(fx.as, IMSIC_M_BASE, 100);
    st(fx.as, IMSIC_M_BASE, 256); /* beyond num_ids: dropped */
    st(fx.as, IMSIC_M_BASE, 0);   /* identity 0 does not exist */
    g_assert_cmphex(ireg(fx.m, 0, IMSIC_ISEL_EIP0 + 2), ==, 1ULL << (100 - 64));
    g_assert_cmphex(ireg(fx.m, 0, IMSIC_ISEL_EIP0 + 6), ==, 1ULL << 63);
    g_assert_cmphex(ireg(fx.m, 0, IMSIC_ISEL_EIP0), ==, 0);
    g_assert_cmpint(levels[0], ==, 1);
    /* Threshold 100: identity 100 and above no longer count. */
    ireg_write(fx.m, 0, IMSIC_ISEL_EITHRESHOLD, 100);
    g_assert_cmpuint(riscv_imsic_topei(fx.m, 0, false), ==, 0);
    g_assert_cmpint(levels[0], ==, 0);
    ireg_write(fx.m, 0, IMSIC_ISEL_EITHRESHOLD, 101);
    g_assert_cmphex(riscv_imsic_topei(fx.m, 0, false), ==, 100 << 16 | 100);
    g_assert_cmpint(levels[0], ==, 1);
    /* csrc-style clear of one eip bit through the rmw interface. */
    g_assert_true(
        riscv_imsic_rmw(fx.m, 0, IMSIC_ISEL_EIP0 + 2, 0, 1ULL << 36, &old));
    g_assert_cmphex(old, ==, 1ULL << 36);
    g_assert_cmpint(levels[0], ==, 0);
    /* Software can set pending bits; bit 0 of eip0 is read-only zero. */
    ireg_write(fx.m, 0, IMSIC_ISEL_EIP0, ~0ULL);
    g_assert_cmphex(ireg(fx.m, 0, IMSIC_ISEL_EIP0), ==, ~1ULL);
    /* eidelivery is WARL 0/1 (no APLIC bypass value). */
    ireg_write(fx.m, 0, IMSIC_ISEL_EIDELIVERY, 0x40000000);
    g_assert_cmpuint(ireg(fx.m, 0, IMSIC_ISEL_EIDELIVERY), ==, 0);
    imsic_teardown(&fx);
}

static void test_imsic_illegal_selectors(void)
{
    ImsicFixture fx;
    uint64_t old = 0;

    imsic_setup(&fx, 1, 0);
    /* Odd eip/eie numbers do not exist for XLEN = 64. */
    g_assert_false(riscv_imsic_rmw(fx.s, 0, IMSIC_ISEL_EIP0 + 1, 0, 0, &old));
    g_assert_false(riscv_imsic_rmw(fx.s, 0, IMSIC_ISEL_EIE63, 0, 0, &old));
    g_assert_false(riscv_imsic_rmw(fx.s, 0, 0x6f, 0, 0, &old));
    g_assert_false(riscv_imsic_rmw(fx.s, 0, 0x100, 0, 0, &old));
    g_assert_false(riscv_imsic_rmw(fx.s, 1, IMSIC_ISEL_EIP0, 0, 0, &old));
    /* Reserved numbers read zero and ignore writes. */
    g_assert_true(riscv_imsic_rmw(fx.s, 0, 0x71, ~0ULL, ~0ULL, &old));
    g_assert_cmpuint(ireg(fx.s, 0, 0x71), ==, 0);
    /* eip beyond num_ids (255): read-only zero. */
    ireg_write(fx.s, 0, IMSIC_ISEL_EIP0 + 8, ~0ULL);
    g_assert_cmpuint(ireg(fx.s, 0, IMSIC_ISEL_EIP0 + 8), ==, 0);
    g_assert_cmpuint(riscv_imsic_topei(fx.s, 7, true), ==, 0);
    imsic_teardown(&fx);
}

static void test_imsic_guest_pages(void)
{
    ImsicFixture fx;
    Error *err = NULL;

    imsic_setup(&fx, 2, 3);
    g_assert_cmpuint(riscv_imsic_guest_bits(fx.s), ==, 2);
    g_assert_cmphex(riscv_imsic_hart_stride(fx.s), ==, 0x4000);
    /* Hart 1's S file is at 4 pages; its guest pages drop MSIs. */
    st(fx.as, IMSIC_S_BASE + 0x4000 + 0x1000, 7);
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 0);
    st(fx.as, IMSIC_S_BASE + 0x4000, 7);
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 7);
    g_assert_cmphex(ireg(fx.s, 0, IMSIC_ISEL_EIP0), ==, 0);
    riscv_imsic_reset(fx.s);
    g_assert_cmphex(ireg(fx.s, 1, IMSIC_ISEL_EIP0), ==, 0);
    imsic_teardown(&fx);

    g_assert_null(riscv_imsic_new("x", true, 1, 1, 255, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(riscv_imsic_new("x", false, 1, 0, 100, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(riscv_imsic_new("x", false, 0, 0, 255, &err));
    g_assert_nonnull(err);
    error_free(err);
}

/* ---- APLIC in MSI mode, with IMSICs ---- */

typedef struct AiaFixture {
    ImsicFixture im;
    RiscvAplic *m, *s;
} AiaFixture;

static void aia_setup(AiaFixture *fx, unsigned harts, bool msi)
{
    imsic_setup(&fx->im, harts, 0);
    fx->m = riscv_aplic_new("aplic-m", NULL, true, msi, NSRC, harts, 0x8000,
                            fx->im.as, &error_abort);
    fx->s = riscv_aplic_new("aplic-s", fx->m, false, msi, NSRC, harts, 0x8000,
                            NULL, &error_abort);
    if (msi) {
        riscv_aplic_set_msi_config(fx->m, IMSIC_M_BASE, 0, IMSIC_S_BASE, 0,
                                   harts > 1 ? 1 : 0);
    } else {
        for (unsigned h = 0; h < harts; h++) {
            irq_init(riscv_aplic_output(fx->m, h), record_level, NULL,
                     32 + 2 * h);
            irq_init(riscv_aplic_output(fx->s, h), record_level, NULL,
                     32 + 2 * h + 1);
        }
    }
    g_assert_true(address_space_map(fx->im.as, APLIC_M_BASE,
                                    riscv_aplic_mmio(fx->m), &error_abort));
    g_assert_true(address_space_map(fx->im.as, APLIC_S_BASE,
                                    riscv_aplic_mmio(fx->s), &error_abort));
}

static void aia_teardown(AiaFixture *fx)
{
    AddressSpace *as = fx->im.as;

    address_space_free(as);
    fx->im.as = NULL;
    riscv_aplic_free(fx->m);
    riscv_imsic_free(fx->im.m);
    riscv_imsic_free(fx->im.s);
}

#define SRCCFG(base, i) ((base) + APLIC_SOURCECFG + 4 * ((i)-1))
#define TARGET(base, i) ((base) + APLIC_TARGET + 4 * ((i)-1))

/* What OpenSBI and Linux do: delegate @src to the S domain, make it
 * level-high, target hart @hart with @eiid, enable it. */
static void aia_route(AiaFixture *fx, unsigned src, unsigned hart,
                      unsigned eiid, unsigned sm)
{
    AddressSpace *as = fx->im.as;

    st(as, SRCCFG(APLIC_M_BASE, src), APLIC_SOURCECFG_D | 0);
    st(as, SRCCFG(APLIC_S_BASE, src), sm);
    st(as, TARGET(APLIC_S_BASE, src), hart << 18 | eiid);
    st(as, APLIC_S_BASE + APLIC_SETIENUM, src);
}

static void test_aplic_registers(void)
{
    AiaFixture fx;
    AddressSpace *as;

    aia_setup(&fx, 2, true);
    as = fx.im.as;
    /* domaincfg: 0x80 in the top byte, DM fixed at 1, BE fixed at 0. */
    g_assert_cmphex(ld(as, APLIC_M_BASE), ==, 0x80000004);
    st(as, APLIC_M_BASE, 0xffffffff);
    g_assert_cmphex(ld(as, APLIC_M_BASE), ==, 0x80000104);
    /* MSI address configuration: preset, root only, lockable. */
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_MMSIADDRCFG), ==,
                    IMSIC_M_BASE >> 12);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_MMSIADDRCFGH), ==, 1 << 12);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SMSIADDRCFG), ==,
                    IMSIC_S_BASE >> 12);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_MMSIADDRCFG), ==, 0);
    st(as, APLIC_M_BASE + APLIC_MMSIADDRCFGH, APLIC_MSIADDRCFGH_L | 1 << 12);
    st(as, APLIC_M_BASE + APLIC_MMSIADDRCFG, 0x1234);
    st(as, APLIC_M_BASE + APLIC_SMSIADDRCFG, 0x1234);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_MMSIADDRCFG), ==,
                    IMSIC_M_BASE >> 12);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SMSIADDRCFG), ==,
                    IMSIC_S_BASE >> 12);
    /* sourcecfg: reserved modes read inactive; D in a leaf clears it. */
    st(as, SRCCFG(APLIC_M_BASE, 3), 2);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_M_BASE, 3)), ==, 0);
    st(as, SRCCFG(APLIC_M_BASE, 3), APLIC_SOURCECFG_D | 5); /* no child 5 */
    g_assert_cmphex(ld(as, SRCCFG(APLIC_M_BASE, 3)), ==, 0);
    /* Not delegated: the child's sourcecfg is read-only zero. */
    st(as, SRCCFG(APLIC_S_BASE, 3), APLIC_SM_EDGE1);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_S_BASE, 3)), ==, 0);
    st(as, SRCCFG(APLIC_M_BASE, 3), APLIC_SOURCECFG_D);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_M_BASE, 3)), ==, APLIC_SOURCECFG_D);
    st(as, SRCCFG(APLIC_S_BASE, 3), APLIC_SOURCECFG_D | APLIC_SM_EDGE1);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_S_BASE, 3)), ==, 0);
    st(as, SRCCFG(APLIC_S_BASE, 3), APLIC_SM_EDGE1);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_S_BASE, 3)), ==, APLIC_SM_EDGE1);
    /* target: EIID 11 bits, guest index read-only zero (no H). */
    st(as, TARGET(APLIC_S_BASE, 3), 1 << 18 | 0x3f << 12 | 0xfff);
    g_assert_cmphex(ld(as, TARGET(APLIC_S_BASE, 3)), ==, 1 << 18 | 0x7ff);
    /* Inactive sources: target and enable read-only zero. */
    st(as, TARGET(APLIC_M_BASE, 3), 7);
    g_assert_cmphex(ld(as, TARGET(APLIC_M_BASE, 3)), ==, 0);
    st(as, APLIC_M_BASE + APLIC_SETIENUM, 3);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SETIE), ==, 0);
    st(as, APLIC_S_BASE + APLIC_SETIE, ~0u);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_SETIE), ==, 1 << 3);
    st(as, APLIC_S_BASE + APLIC_CLRIE, 1 << 3);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_SETIE), ==, 0);
    /* Taking the delegation back makes the child's source inactive. */
    st(as, SRCCFG(APLIC_M_BASE, 3), 0);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_S_BASE, 3)), ==, 0);
    g_assert_cmphex(ld(as, TARGET(APLIC_S_BASE, 3)), ==, 0);
    /* Beyond the sources and the map: zero, no crash. */
    st(as, SRCCFG(APLIC_M_BASE, 200), APLIC_SM_EDGE1);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_M_BASE, 200)), ==, 0);
    st(as, APLIC_M_BASE + APLIC_SETIPNUM, 5000);
    g_assert_cmphex(ld(as, APLIC_M_BASE + 0x7ffc), ==, 0);
    aia_teardown(&fx);
}

static void test_aplic_msi_level(void)
{
    AiaFixture fx;
    AddressSpace *as;
    IrqLine *uart;

    aia_setup(&fx, 2, true);
    as = fx.im.as;
    uart = riscv_aplic_input(fx.m, 10);
    g_assert_nonnull(uart);
    g_assert_null(riscv_aplic_input(fx.s, 10));
    g_assert_null(riscv_aplic_input(fx.m, NSRC));
    ireg_write(fx.im.s, 1, IMSIC_ISEL_EIDELIVERY, 1);
    ireg_write(fx.im.s, 1, IMSIC_ISEL_EIE0, 1ULL << 33);
    aia_route(&fx, 10, 1, 33, APLIC_SM_LEVEL1);
    /* Domain IE still off: the source stays pending, nothing is sent. */
    irq_set(uart, 1);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_SETIP), ==, 1 << 10);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_IN_CLRIP), ==, 1 << 10);
    g_assert_cmpint(levels[3], ==, 0);
    /* IE on: one MSI to hart 1's S file (0x28001000), pending cleared. */
    st(as, APLIC_S_BASE, APLIC_DOMAINCFG_IE);
    g_assert_cmpint(levels[3], ==, 1);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_SETIP), ==, 0);
    g_assert_cmphex(riscv_imsic_topei(fx.im.s, 1, true), ==, 33 << 16 | 33);
    g_assert_cmpint(levels[3], ==, 0);
    /* Still high: no second MSI by itself (the spec's level rule)... */
    g_assert_cmphex(ireg(fx.im.s, 1, IMSIC_ISEL_EIP0), ==, 0);
    /* ...but Linux's EOI re-trigger through setipnum_le sends one. */
    st(as, APLIC_S_BASE + APLIC_SETIPNUM_LE, 10);
    g_assert_cmphex(ireg(fx.im.s, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 33);
    riscv_imsic_topei(fx.im.s, 1, true);
    /* Once low, setip cannot make a level source pending. */
    irq_set(uart, 0);
    st(as, APLIC_S_BASE + APLIC_SETIPNUM, 10);
    g_assert_cmphex(ireg(fx.im.s, 1, IMSIC_ISEL_EIP0), ==, 0);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_IN_CLRIP), ==, 0);
    /* A new rising edge sends again; hart 0 never sees anything. */
    irq_set(uart, 1);
    g_assert_cmphex(ireg(fx.im.s, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 33);
    g_assert_cmphex(ireg(fx.im.s, 0, IMSIC_ISEL_EIP0), ==, 0);
    g_assert_cmphex(ireg(fx.im.m, 1, IMSIC_ISEL_EIP0), ==, 0);
    aia_teardown(&fx);
}

static void test_aplic_msi_edge_and_m_level(void)
{
    AiaFixture fx;
    AddressSpace *as;

    aia_setup(&fx, 2, true);
    as = fx.im.as;
    /* Source 5 stays in the M domain, inverted edge, to hart 1's M file. */
    st(as, SRCCFG(APLIC_M_BASE, 5), APLIC_SM_EDGE0);
    st(as, TARGET(APLIC_M_BASE, 5), 1 << 18 | 0x3f << 12 | 44);
    g_assert_cmphex(ld(as, TARGET(APLIC_M_BASE, 5)), ==, 1 << 18 | 44);
    st(as, APLIC_M_BASE + APLIC_SETIENUM, 5);
    st(as, APLIC_M_BASE, APLIC_DOMAINCFG_IE);
    irq_set(riscv_aplic_input(fx.m, 5), 1); /* rising: not for Edge0 */
    g_assert_cmphex(ireg(fx.im.m, 1, IMSIC_ISEL_EIP0), ==, 0);
    irq_set(riscv_aplic_input(fx.m, 5), 0); /* falling: one MSI */
    g_assert_cmphex(ireg(fx.im.m, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 44);
    /* Disabled: setip leaves it pending; enabling sends it. */
    st(as, APLIC_M_BASE + APLIC_CLRIENUM, 5);
    st(as, APLIC_M_BASE + APLIC_SETIP, 1 << 5);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SETIP), ==, 1 << 5);
    st(as, APLIC_M_BASE + APLIC_CLRIPNUM, 5);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SETIP), ==, 0);
    st(as, APLIC_M_BASE + APLIC_SETIPNUM_BE, GUINT32_SWAP_LE_BE(5));
    riscv_imsic_rmw(fx.im.m, 1, IMSIC_ISEL_EIP0, 0, ~0ULL, &(uint64_t){0});
    st(as, APLIC_M_BASE + APLIC_SETIENUM, 5);
    g_assert_cmphex(ireg(fx.im.m, 1, IMSIC_ISEL_EIP0), ==, 1ULL << 44);
    /* genmsi: an extempore MSI to hart 0's S file from the S domain. */
    st(as, APLIC_S_BASE + APLIC_GENMSI, 0 << 18 | 77);
    g_assert_cmphex(ireg(fx.im.s, 0, IMSIC_ISEL_EIP0 + 2), ==,
                    1ULL << (77 - 64));
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_GENMSI), ==, 77);
    aia_teardown(&fx);
}

/* A hostile guest points MSIs at the APLIC's own setipnum: a detached
 * source whose EIID is its own number re-triggers itself forever. */
static void test_aplic_msi_loop(void)
{
    AiaFixture fx;
    AddressSpace *as;

    aia_setup(&fx, 1, true);
    as = fx.im.as;
    /* MSIs of the M domain go to its own setipnum_le (hart 0, LHXS 0). */
    st(as, APLIC_M_BASE + APLIC_MMSIADDRCFG, (APLIC_M_BASE + 0x2000) >> 12);
    st(as, APLIC_M_BASE + APLIC_MMSIADDRCFGH, 0);
    st(as, SRCCFG(APLIC_M_BASE, 4), APLIC_SM_DETACHED);
    st(as, TARGET(APLIC_M_BASE, 4), 4); /* hart 0, EIID 4 */
    st(as, APLIC_M_BASE + APLIC_SETIENUM, 4);
    st(as, APLIC_M_BASE, APLIC_DOMAINCFG_IE);
    st(as, APLIC_M_BASE + APLIC_SETIPNUM, 4); /* must return */
    /* It either ended pending or was just sent: the device still works. */
    st(as, APLIC_M_BASE + APLIC_CLRIENUM, 4);
    st(as, APLIC_M_BASE + APLIC_CLRIPNUM, 4);
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_SETIP), ==, 0);
    aia_teardown(&fx);
}

/* ---- APLIC in direct mode (aia=aplic) ---- */

static void test_aplic_direct(void)
{
    AiaFixture fx;
    AddressSpace *as;
    uint64_t idc1 = APLIC_S_BASE + APLIC_IDC + APLIC_IDC_SIZE;

    aia_setup(&fx, 2, false);
    as = fx.im.as;
    g_assert_cmphex(ld(as, APLIC_S_BASE), ==, 0x80000000);
    st(as, SRCCFG(APLIC_M_BASE, 33), APLIC_SOURCECFG_D);
    st(as, SRCCFG(APLIC_M_BASE, 34), APLIC_SOURCECFG_D);
    st(as, SRCCFG(APLIC_S_BASE, 33), APLIC_SM_LEVEL1);
    st(as, SRCCFG(APLIC_S_BASE, 34), APLIC_SM_EDGE1);
    /* Priority 0 is written as 1. */
    st(as, TARGET(APLIC_S_BASE, 33), 1 << 18 | 0);
    g_assert_cmphex(ld(as, TARGET(APLIC_S_BASE, 33)), ==, 1 << 18 | 1);
    st(as, TARGET(APLIC_S_BASE, 34), 1 << 18 | 3);
    st(as, APLIC_S_BASE + APLIC_SETIE, 3u << 1 | 1u << 2);
    st(as, APLIC_S_BASE + APLIC_SETIE + 4, 3u << 1);
    st(as, APLIC_S_BASE, APLIC_DOMAINCFG_IE);
    st(as, idc1 + APLIC_IDC_IDELIVERY, 1);
    irq_set(riscv_aplic_input(fx.m, 34), 1);
    g_assert_cmpint(levels[32 + 3], ==, 1);
    g_assert_cmpint(levels[32 + 1], ==, 0); /* hart 0 */
    irq_set(riscv_aplic_input(fx.m, 33), 1);
    /* Lower priority number wins: 33 (prio 1) before 34 (prio 3). */
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_TOPI), ==, 33 << 16 | 1);
    /* Level source: claim does not clear it, the wire does. */
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_CLAIMI), ==, 33 << 16 | 1);
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_TOPI), ==, 33 << 16 | 1);
    st(as, APLIC_S_BASE + APLIC_CLRIPNUM, 33); /* ignored for level */
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_TOPI), ==, 33 << 16 | 1);
    irq_set(riscv_aplic_input(fx.m, 33), 0);
    /* Threshold 3 hides priority 3. */
    st(as, idc1 + APLIC_IDC_ITHRESHOLD, 3);
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_TOPI), ==, 0);
    g_assert_cmpint(levels[32 + 3], ==, 0);
    st(as, idc1 + APLIC_IDC_ITHRESHOLD, 0);
    g_assert_cmpint(levels[32 + 3], ==, 1);
    /* Edge source: the claim clears it and the output drops. */
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_CLAIMI), ==, 34 << 16 | 3);
    g_assert_cmpint(levels[32 + 3], ==, 0);
    /* iforce: a spurious interrupt, cleared by the claim of nothing. */
    st(as, idc1 + APLIC_IDC_IFORCE, 1);
    g_assert_cmpint(levels[32 + 3], ==, 1);
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_CLAIMI), ==, 0);
    g_assert_cmpint(levels[32 + 3], ==, 0);
    g_assert_cmphex(ld(as, idc1 + APLIC_IDC_IFORCE), ==, 0);
    /* No MSI registers in a direct-mode-only APLIC. */
    g_assert_cmphex(ld(as, APLIC_M_BASE + APLIC_MMSIADDRCFGH), ==, 0);
    st(as, APLIC_S_BASE + APLIC_GENMSI, 5);
    g_assert_cmphex(ld(as, APLIC_S_BASE + APLIC_GENMSI), ==, 0);
    /* Reset: sources inactive, output low, wires remembered. */
    irq_set(riscv_aplic_input(fx.m, 33), 1);
    riscv_aplic_reset(fx.m);
    g_assert_cmphex(ld(as, SRCCFG(APLIC_M_BASE, 33)), ==, 0);
    g_assert_cmpint(levels[32 + 3], ==, 0);
    aia_teardown(&fx);
}

static void test_aplic_bad_config(void)
{
    Error *err = NULL;
    RiscvAplic *root;

    g_assert_null(
        riscv_aplic_new("a", NULL, false, true, 96, 1, 0x8000, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(
        riscv_aplic_new("a", NULL, true, false, 96, 600, 0x8000, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(
        riscv_aplic_new("a", NULL, true, true, 5000, 1, 0x8000, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    root = riscv_aplic_new("a", NULL, true, true, 96, 1, 0x8000, NULL,
                           &error_abort);
    for (int i = 0; i < APLIC_MAX_CHILDREN; i++) {
        g_assert_nonnull(riscv_aplic_new("b", root, false, true, 96, 1, 0x8000,
                                         NULL, &error_abort));
    }
    g_assert_null(
        riscv_aplic_new("b", root, false, true, 96, 1, 0x8000, NULL, &err));
    g_assert_nonnull(err);
    error_free(err);
    riscv_aplic_free(root); /* frees the children too */
}

/* Random register traffic must never crash or hang. */
static void test_aplic_imsic_garbage(void)
{
    AiaFixture fx;
    GRand *r = g_rand_new_with_seed(1234);

    for (int mode = 0; mode < 2; mode++) {
        aia_setup(&fx, 3, mode);
        for (int i = 0; i < 20000; i++) {
            static const uint64_t bases[] = {APLIC_M_BASE, APLIC_S_BASE,
                                             IMSIC_M_BASE, IMSIC_S_BASE};
            uint64_t base = bases[g_rand_int_range(r, 0, 4)];
            uint64_t off = g_rand_int_range(r, 0, 0x8000) & ~3u;
            uint32_t v = g_rand_int(r);
            uint64_t dummy;
            if (base >= IMSIC_M_BASE) {
                off %= 0x3000;
            }
            if (g_rand_boolean(r)) {
                address_space_st(fx.im.as, base + off, 4, v);
            } else {
                address_space_ld(fx.im.as, base + off, 4, &dummy);
            }
            irq_set(riscv_aplic_input(fx.m, g_rand_int_range(r, 1, NSRC)),
                    g_rand_boolean(r));
            riscv_imsic_rmw(fx.im.s, g_rand_int_range(r, 0, 3),
                            g_rand_int_range(r, 0, 0x120), v, v, &dummy);
            riscv_imsic_topei(fx.im.m, g_rand_int_range(r, 0, 3), true);
        }
        aia_teardown(&fx);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-aia/imsic/msi-and-claim", test_imsic_msi_and_claim);
    g_test_add_func("/riscv-aia/imsic/threshold-and-arrays",
                    test_imsic_threshold_and_arrays);
    g_test_add_func("/riscv-aia/imsic/illegal-selectors",
                    test_imsic_illegal_selectors);
    g_test_add_func("/riscv-aia/imsic/guest-pages", test_imsic_guest_pages);
    g_test_add_func("/riscv-aia/aplic/registers", test_aplic_registers);
    g_test_add_func("/riscv-aia/aplic/msi-level", test_aplic_msi_level);
    g_test_add_func("/riscv-aia/aplic/msi-edge-m-level",
                    test_aplic_msi_edge_and_m_level);
    g_test_add_func("/riscv-aia/aplic/msi-loop", test_aplic_msi_loop);
    g_test_add_func("/riscv-aia/aplic/direct", test_aplic_direct);
    g_test_add_func("/riscv-aia/aplic/bad-config", test_aplic_bad_config);
    g_test_add_func("/riscv-aia/garbage", test_aplic_imsic_garbage);
    return g_test_run();
}
