/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Unit tests of the riscv virt board's devices: PLIC, CLINT, 16550 UART. */
#include <glib.h>
#include "hw/char/serial.h"
#include "hw/intc/riscv_aclint.h"
#include "hw/intc/riscv_plic.h"
#include "system/memory.h"
#include "util/timer.h"

static int levels[64];

static void record_level(void *opaque, int n, int level)
{
    levels[n] = level;
}

static AddressSpace *as_with(MemoryRegion *mr)
{
    AddressSpace *as = address_space_new("test", 1ULL << 32);
    g_assert_true(address_space_map(as, 0, mr, &error_abort));
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

/* ---- PLIC ---- */

#define CTX_M0 0
#define CTX_S0 1

static RiscvPlic *plic_setup(AddressSpace **as)
{
    RiscvPlic *p = riscv_plic_new("plic", 96, 4, 3, 0x600000, &error_abort);

    memset(levels, 0, sizeof(levels));
    for (int i = 0; i < 4; i++) {
        irq_init(riscv_plic_output(p, i), record_level, NULL, i);
    }
    *as = as_with(riscv_plic_mmio(p));
    return p;
}

static void test_plic_registers(void)
{
    AddressSpace *as;
    RiscvPlic *p = plic_setup(&as);
    Error *err = NULL;

    st(as, 0 * 4, 4, 7);          /* source 0 does not exist */
    g_assert_cmpuint(ld(as, 0, 4), ==, 0);
    st(as, 10 * 4, 4, 0xff);      /* 3 priority bits */
    g_assert_cmpuint(ld(as, 10 * 4, 4), ==, 7);
    st(as, 95 * 4, 4, 2);
    g_assert_cmpuint(ld(as, 95 * 4, 4), ==, 2);
    st(as, 96 * 4, 4, 2);         /* beyond the last source */
    g_assert_cmpuint(ld(as, 96 * 4, 4), ==, 0);
    /* Enables: bit 0 and bits past source 95 are not writable. */
    st(as, PLIC_ENABLE_BASE, 4, 0xffffffff);
    g_assert_cmphex(ld(as, PLIC_ENABLE_BASE, 4), ==, 0xfffffffe);
    st(as, PLIC_ENABLE_BASE + 8, 4, 0xffffffff);
    g_assert_cmphex(ld(as, PLIC_ENABLE_BASE + 8, 4), ==, 0xffffffff);
    st(as, PLIC_ENABLE_BASE + 12, 4, 0xffffffff); /* word 3: none */
    g_assert_cmphex(ld(as, PLIC_ENABLE_BASE + 12, 4), ==, 0);
    /* Contexts past the last one read 0 and ignore writes. */
    st(as, PLIC_CONTEXT_BASE + 4 * PLIC_CONTEXT_STRIDE, 4, 5);
    g_assert_cmpuint(ld(as, PLIC_CONTEXT_BASE + 4 * PLIC_CONTEXT_STRIDE, 4),
                     ==, 0);
    st(as, PLIC_CONTEXT_BASE, 4, 0xff);
    g_assert_cmpuint(ld(as, PLIC_CONTEXT_BASE, 4), ==, 7);
    /* Pending is read-only. */
    st(as, PLIC_PENDING_BASE, 4, 0xffffffff);
    g_assert_cmphex(ld(as, PLIC_PENDING_BASE, 4), ==, 0);
    g_assert_null(riscv_plic_input(p, 0));
    g_assert_null(riscv_plic_input(p, 96));
    g_assert_null(riscv_plic_new("bad", 96, 4, 3, 0x201000, &err));
    g_assert_nonnull(err);
    error_free(err);
    address_space_free(as);
    riscv_plic_free(p);
}

static void test_plic_claim_complete(void)
{
    AddressSpace *as;
    RiscvPlic *p = plic_setup(&as);
    uint64_t claim_s0 = PLIC_CONTEXT_BASE + CTX_S0 * PLIC_CONTEXT_STRIDE + 4;

    st(as, 10 * 4, 4, 1);
    st(as, 33 * 4, 4, 1);
    irq_raise(riscv_plic_input(p, 10));
    g_assert_cmphex(ld(as, PLIC_PENDING_BASE, 4), ==, 1u << 10);
    g_assert_cmpint(levels[CTX_S0], ==, 0); /* not enabled yet */
    st(as, PLIC_ENABLE_BASE + CTX_S0 * PLIC_ENABLE_STRIDE, 4, 1u << 10);
    g_assert_cmpint(levels[CTX_S0], ==, 1);
    g_assert_cmpint(levels[CTX_M0], ==, 0);
    /* Threshold at the source's priority masks it. */
    st(as, PLIC_CONTEXT_BASE + CTX_S0 * PLIC_CONTEXT_STRIDE, 4, 1);
    g_assert_cmpint(levels[CTX_S0], ==, 0);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 0);
    st(as, PLIC_CONTEXT_BASE + CTX_S0 * PLIC_CONTEXT_STRIDE, 4, 0);
    g_assert_cmpint(levels[CTX_S0], ==, 1);

    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 10);
    g_assert_cmpint(levels[CTX_S0], ==, 0);
    g_assert_cmphex(ld(as, PLIC_PENDING_BASE, 4), ==, 0);
    /* Claimed: not pending again until completed, even if level. */
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 0);
    st(as, claim_s0, 4, 10);      /* complete, line still high */
    g_assert_cmpint(levels[CTX_S0], ==, 1);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 10);
    irq_lower(riscv_plic_input(p, 10));
    st(as, claim_s0, 4, 10);
    g_assert_cmpint(levels[CTX_S0], ==, 0);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 0);

    /* Priorities: higher first, lowest id on ties. */
    st(as, PLIC_ENABLE_BASE + CTX_S0 * PLIC_ENABLE_STRIDE + 4, 4, 1u << 1);
    st(as, 20 * 4, 4, 1);
    st(as, PLIC_ENABLE_BASE + CTX_S0 * PLIC_ENABLE_STRIDE, 4,
       (1u << 10) | (1u << 20));
    irq_raise(riscv_plic_input(p, 20));
    irq_raise(riscv_plic_input(p, 33));
    irq_raise(riscv_plic_input(p, 10));
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 10);
    st(as, 33 * 4, 4, 5);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 33);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 20);
    /* Completing a source the context has not enabled is ignored. */
    st(as, PLIC_ENABLE_BASE + CTX_S0 * PLIC_ENABLE_STRIDE, 4, 0);
    st(as, claim_s0, 4, 20);
    st(as, PLIC_ENABLE_BASE + CTX_S0 * PLIC_ENABLE_STRIDE, 4, 1u << 20);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 0);
    st(as, claim_s0, 4, 20);
    g_assert_cmpuint(ld(as, claim_s0, 4), ==, 20);
    /* Bogus completions are harmless. */
    st(as, claim_s0, 4, 0);
    st(as, claim_s0, 4, 0xffffffff);
    riscv_plic_reset(p);
    g_assert_cmpint(levels[CTX_S0], ==, 0);
    address_space_free(as);
    riscv_plic_free(p);
}

/* ---- CLINT ---- */

static void test_clint(void)
{
    RiscvAclint *a = riscv_aclint_new("clint", 2, 10000000, &error_abort);
    AddressSpace *as = as_with(riscv_aclint_mmio(a));
    int64_t t0;

    clock_virtual_set_manual(true);
    t0 = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    memset(levels, 0, sizeof(levels));
    for (int h = 0; h < 2; h++) {
        irq_init(riscv_aclint_msip_out(a, h), record_level, NULL, h);
        irq_init(riscv_aclint_mtip_out(a, h), record_level, NULL, 10 + h);
    }
    g_assert_cmpuint(ld(as, ACLINT_MTIME, 8), ==, t0 / 100);
    st(as, ACLINT_MSIP_BASE + 4, 4, 0xffffffff);
    g_assert_cmpint(levels[1], ==, 1);
    g_assert_cmpuint(ld(as, ACLINT_MSIP_BASE + 4, 4), ==, 1);
    st(as, ACLINT_MSIP_BASE + 4, 4, 0);
    g_assert_cmpint(levels[1], ==, 0);
    g_assert_cmpint(levels[0], ==, 0);

    /* Timer 1000 ticks (100 us) ahead. */
    g_assert_cmphex(ld(as, ACLINT_MTIMECMP_BASE, 8), ==, UINT64_MAX);
    st(as, ACLINT_MTIMECMP_BASE, 8, t0 / 100 + 1000);
    g_assert_cmpint(levels[10], ==, 0);
    g_assert_cmpint(riscv_aclint_timer_deadline_ns(a, 0), ==,
                    (t0 / 100 + 1000) * 100);
    clock_virtual_advance_to(t0 + 50000);
    g_assert_cmpint(levels[10], ==, 0);
    g_assert_cmpuint(ld(as, ACLINT_MTIME, 8), ==, (t0 + 50000) / 100);
    clock_virtual_advance_to((t0 / 100 + 1000) * 100);
    g_assert_cmpint(levels[10], ==, 1);
    g_assert_cmpint(riscv_aclint_timer_deadline_ns(a, 0), ==, INT64_MAX);
    g_assert_cmpint(levels[11], ==, 0);
    /* 32-bit halves: high word to max parks the timer. */
    st(as, ACLINT_MTIMECMP_BASE + 4, 4, 0xffffffff);
    g_assert_cmpint(levels[10], ==, 0);
    g_assert_cmphex(ld(as, ACLINT_MTIMECMP_BASE + 4, 4), ==, 0xffffffff);
    /* A past value raises MTIP at once. */
    st(as, ACLINT_MTIMECMP_BASE + 8, 8, 0);
    g_assert_cmpint(levels[11], ==, 1);
    /* Writing mtime moves the time base. */
    st(as, ACLINT_MTIME, 8, 5);
    g_assert_cmpuint(ld(as, ACLINT_MTIME, 8), ==, 5);
    st(as, ACLINT_MTIMECMP_BASE + 8, 8, 105);
    g_assert_cmpint(levels[11], ==, 0);
    clock_virtual_advance_to(clock_get_ns(QEMU_CLOCK_VIRTUAL) + 10000);
    g_assert_cmpint(levels[11], ==, 1);
    /* Out-of-range harts read 0. */
    g_assert_cmpuint(ld(as, ACLINT_MSIP_BASE + 8, 4), ==, 0);
    g_assert_cmpuint(ld(as, ACLINT_MTIMECMP_BASE + 16, 8), ==, 0);
    riscv_aclint_reset(a);
    g_assert_cmpint(levels[11], ==, 0);
    address_space_free(as);
    riscv_aclint_free(a);
}

/* ---- UART ---- */

static void test_uart(void)
{
    SerialState *s;
    AddressSpace *as;
    IrqLine irq;

    memset(levels, 0, sizeof(levels));
    irq_init(&irq, record_level, NULL, 0);
    s = serial_new("uart", NULL, &irq, &error_abort);
    as = as_with(serial_mmio(s));

    g_assert_cmphex(ld(as, 5, 1), ==, 0x60);  /* THRE | TEMT */
    g_assert_cmphex(ld(as, 2, 1), ==, 0x01);  /* no interrupt */
    /* Divisor latch. */
    st(as, 3, 1, 0x83);
    st(as, 0, 1, 0x01);
    st(as, 1, 1, 0x02);
    g_assert_cmphex(ld(as, 0, 1), ==, 0x01);
    g_assert_cmphex(ld(as, 1, 1), ==, 0x02);
    st(as, 3, 1, 0x03);
    g_assert_cmphex(ld(as, 1, 1), ==, 0x00);
    /* THRE interrupt on enable; reading IIR acknowledges it. */
    st(as, 1, 1, 0x02);
    g_assert_cmpint(levels[0], ==, 1);
    g_assert_cmphex(ld(as, 2, 1), ==, 0x02);
    g_assert_cmpint(levels[0], ==, 0);
    g_assert_cmphex(ld(as, 2, 1), ==, 0x01);
    /* Loopback with FIFOs: bytes come back, DR and RX interrupts. */
    st(as, 2, 1, 0x07);
    st(as, 4, 1, 0x10 | 0x03);
    g_assert_cmphex(ld(as, 6, 1) & 0x30, ==, 0x30); /* DSR, CTS from DTR/RTS */
    st(as, 1, 1, 0x05);                            /* RDI | RLSI */
    st(as, 0, 1, 'A');
    g_assert_cmphex(ld(as, 5, 1) & 0x01, ==, 0x01);
    g_assert_cmpint(levels[0], ==, 1);
    g_assert_cmphex(ld(as, 2, 1), ==, 0xc4);        /* FIFO, data */
    g_assert_cmphex(ld(as, 0, 1), ==, 'A');
    g_assert_cmpint(levels[0], ==, 0);
    g_assert_cmphex(ld(as, 5, 1) & 0x01, ==, 0);
    /* 17 bytes overflow the 16-byte FIFO: OE, line status interrupt. */
    for (int i = 0; i < 17; i++) {
        st(as, 0, 1, 'a' + i);
    }
    g_assert_cmphex(ld(as, 2, 1), ==, 0xc6);
    g_assert_cmphex(ld(as, 5, 1) & 0x03, ==, 0x03);
    g_assert_cmphex(ld(as, 5, 1) & 0x02, ==, 0);   /* OE clears on read */
    g_assert_cmphex(ld(as, 2, 1), ==, 0xc4);        /* >= trigger level 1 */
    for (int i = 0; i < 16; i++) {
        g_assert_cmphex(ld(as, 0, 1), ==, 'a' + i);
    }
    g_assert_cmphex(ld(as, 0, 1), ==, 0);           /* empty reads 0 */
    g_assert_cmpint(levels[0], ==, 0);
    /* FCR clears the receive FIFO. */
    st(as, 0, 1, 'x');
    st(as, 2, 1, 0x03);
    g_assert_cmphex(ld(as, 5, 1) & 0x01, ==, 0);
    st(as, 7, 1, 0x5a);
    g_assert_cmphex(ld(as, 7, 1), ==, 0x5a);
    serial_reset(s);
    g_assert_cmphex(ld(as, 7, 1), ==, 0);
    g_assert_cmphex(ld(as, 3, 1), ==, 0x03);
    address_space_free(as);
    serial_free(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-devices/plic/registers", test_plic_registers);
    g_test_add_func("/riscv-devices/plic/claim-complete",
                    test_plic_claim_complete);
    g_test_add_func("/riscv-devices/clint", test_clint);
    g_test_add_func("/riscv-devices/uart", test_uart);
    return g_test_run();
}
