/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Migration descriptions of the riscv virt board's state: the hart, PLIC,
 * ACLINT, 16550 UART, APLIC and IMSIC.  For each: save, load into a fresh
 * device, the same state (same bytes when saved again, same behaviour);
 * and hostile streams (bad versions, out-of-range values and counts,
 * another configuration) refused with an error.
 */
#include <string.h>
#include <glib.h>
#include "hw/char/serial.h"
#include "hw/intc/riscv_aclint.h"
#include "hw/intc/riscv_aplic.h"
#include "hw/intc/riscv_imsic.h"
#include "hw/intc/riscv_plic.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "target/riscv/cpu.h"
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

/* The bytes @vmsd writes for @opaque. */
static GBytes *save(const VMStateDescription *vmsd, void *opaque)
{
    QEMUFile *f = qemu_file_new_mem_output();
    const uint8_t *data;
    size_t len;
    GBytes *b;

    g_assert_true(vmstate_save(f, vmsd, opaque, NULL, &error_abort));
    data = qemu_file_mem_data(f, &len);
    b = g_bytes_new(data, len);
    qemu_fclose(f);
    return b;
}

/* Load @data (version @version); returns the error, NULL on success. */
static Error *load_bytes(const VMStateDescription *vmsd, void *opaque,
                         const void *data, size_t len, int version)
{
    QEMUFile *f = qemu_file_new_mem_input(data, len);
    Error *err = NULL;
    bool ok = vmstate_load(f, vmsd, opaque, version, &err);

    qemu_fclose(f);
    g_assert_true(ok == (err == NULL));
    return err;
}

static void load_ok(const VMStateDescription *vmsd, void *opaque, GBytes *b)
{
    Error *err = load_bytes(vmsd, opaque, g_bytes_get_data(b, NULL),
                            g_bytes_get_size(b), vmsd->version_id);
    if (err) {
        g_error("load failed: %s", error_get_pretty(err));
    }
}

/* The stream with a be32 at @off replaced must be refused, mentioning
 * @what. */
static void refuse_be32(const VMStateDescription *vmsd, void *opaque, GBytes *b,
                        size_t off, uint32_t val, const char *what)
{
    size_t len;
    uint8_t *d = g_memdup2(g_bytes_get_data(b, &len), g_bytes_get_size(b));
    Error *err;

    g_assert_cmpuint(off + 4, <=, len);
    d[off] = val >> 24;
    d[off + 1] = val >> 16;
    d[off + 2] = val >> 8;
    d[off + 3] = val;
    err = load_bytes(vmsd, opaque, d, len, vmsd->version_id);
    if (!err) {
        g_error("%s: 0x%x at offset %zu was accepted (%s)", vmsd->name, val,
                off, what);
    }
    if (!strstr(error_get_pretty(err), what)) {
        g_error("error '%s' does not mention '%s'", error_get_pretty(err),
                what);
    }
    error_free(err);
    g_free(d);
}

/* Newer and older versions than supported are refused; a truncated
 * stream too, at every length. */
static void refuse_versions_and_truncation(const VMStateDescription *vmsd,
                                           void *opaque, GBytes *b)
{
    size_t len;
    const uint8_t *d = g_bytes_get_data(b, &len);
    Error *err = load_bytes(vmsd, opaque, d, len, vmsd->version_id + 1);

    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "newer"));
    error_free(err);
    if (vmsd->minimum_version_id > 0) {
        err = load_bytes(vmsd, opaque, d, len, vmsd->minimum_version_id - 1);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(error_get_pretty(err), "older"));
        error_free(err);
    }
    /* Only a cut inside an (optional) subsection's header can look like
     * the end of the description; in a whole stream the section footer
     * catches it. */
    for (size_t cut = 0; cut < len; cut++) {
        err = load_bytes(vmsd, opaque, d, cut, vmsd->version_id);
        if (!err) {
            size_t p = cut;
            while (p > 0 && d[p] != 0x05) {
                p--;
            }
            g_assert_true(d[p] == 0x05 && p + 1 < len);
            g_assert_cmpuint(cut, <, p + 2 + d[p + 1]);
            g_assert_cmpmem(d + p + 2, strlen(vmsd->name), vmsd->name,
                            strlen(vmsd->name));
        }
        error_free(err);
    }
}

static void assert_same_state(const VMStateDescription *vmsd, void *a, void *b)
{
    GBytes *sa = save(vmsd, a), *sb = save(vmsd, b);

    g_assert_true(g_bytes_equal(sa, sb));
    g_bytes_unref(sa);
    g_bytes_unref(sb);
}

/* ---- the hart ---- */

static void *cpu_ram_ptr(void *opaque, uint64_t pa, uint64_t len)
{
    return NULL;
}

static bool cpu_mmio_read(void *opaque, uint64_t pa, unsigned size,
                          uint64_t *val)
{
    *val = 0;
    return false;
}

static bool cpu_mmio_write(void *opaque, uint64_t pa, unsigned size,
                           uint64_t val)
{
    return false;
}

static const RiscvMemOps cpu_ops = {
    .ram_ptr = cpu_ram_ptr,
    .mmio_read = cpu_mmio_read,
    .mmio_write = cpu_mmio_write,
};

/* Offsets in the "riscv-cpu" stream. */
#define CPU_OFF_MISA 4
#define CPU_OFF_PRIV (4 + 8 + 32 * 8 + 8 + 32 * 8 + 8)

static void test_cpu_round_trip(void)
{
    const VMStateDescription *vmsd = riscv_cpu_vmstate();
    RiscvCpu *a = riscv_cpu_new(1, &cpu_ops, NULL, NULL);
    RiscvCpu *b = riscv_cpu_new(1, &cpu_ops, NULL, NULL);
    RiscvCpu *other = riscv_cpu_new(2, &cpu_ops, NULL, NULL);
    uint64_t v;
    GBytes *s;
    Error *err;

    riscv_cpu_reset(a, 0x80000000);
    riscv_cpu_reset(b, 0x1000);
    riscv_cpu_reset(other, 0x1000);
    for (unsigned i = 1; i < 32; i++) {
        riscv_cpu_set_reg(a, i, 0x1111111111111111ULL * (i % 15) + i);
        riscv_cpu_set_fpr(a, i, ~(uint64_t)i);
    }
    riscv_cpu_set_pc(a, 0x80201234);
    g_assert_true(riscv_cpu_write_csr(a, 0x180, (8ULL << 60) | 0x81234));
    g_assert_true(riscv_cpu_write_csr(a, 0x105, 0xffffffff80001000ULL));
    g_assert_true(riscv_cpu_write_csr(a, 0x140, 0xabcdef));
    g_assert_true(riscv_cpu_write_csr(a, 0x303, 0x222));
    g_assert_true(riscv_cpu_write_csr(a, 0x304, 0xaaa));
    g_assert_true(riscv_cpu_write_csr(a, 0x3a0, 0x1f));
    g_assert_true(riscv_cpu_write_csr(a, 0x3b0, 0x20000000));
    g_assert_true(riscv_cpu_write_csr(a, 0x003, 0x85));      /* fcsr */
    g_assert_true(riscv_cpu_write_csr(a, 0xb00, 123456789)); /* mcycle */
    riscv_cpu_set_irq(a, RISCV_IRQ_MEI, 1);

    s = save(vmsd, a);
    load_ok(vmsd, b, s);
    assert_same_state(vmsd, a, b);
    g_assert_cmphex(riscv_cpu_get_pc(b), ==, 0x80201234);
    for (unsigned i = 0; i < 32; i++) {
        g_assert_cmphex(riscv_cpu_get_reg(b, i), ==, riscv_cpu_get_reg(a, i));
        g_assert_cmphex(riscv_cpu_get_fpr(b, i), ==, riscv_cpu_get_fpr(a, i));
    }
    g_assert_true(riscv_cpu_read_csr(b, 0x180, &v));
    g_assert_cmphex(v, ==, (8ULL << 60) | 0x81234);
    g_assert_true(riscv_cpu_read_csr(b, 0x3b0, &v));
    g_assert_cmphex(v, ==, 0x20000000);
    g_assert_true(riscv_cpu_read_csr(b, 0x003, &v));
    g_assert_cmphex(v, ==, 0x85);
    g_assert_true(riscv_cpu_read_csr(b, 0xb00, &v));
    g_assert_cmpuint(v, ==, 123456789);
    g_assert_true(riscv_cpu_read_csr(b, 0x344, &v)); /* mip */
    g_assert_true(v & (1u << RISCV_IRQ_MEI));
    g_assert_true(riscv_cpu_wakeup_pending(b)); /* mie.MEIE and MEIP */

    /* Hostile or foreign streams. */
    refuse_versions_and_truncation(vmsd, b, s);
    refuse_be32(vmsd, b, s, CPU_OFF_PRIV, 2, "privilege");
    refuse_be32(vmsd, b, s, CPU_OFF_MISA, 0xffffffff, "misa");
    err = load_bytes(vmsd, other, g_bytes_get_data(s, NULL),
                     g_bytes_get_size(s), 1);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "hartid"));
    error_free(err);
    g_bytes_unref(s);
    riscv_cpu_free(a);
    riscv_cpu_free(b);
    riscv_cpu_free(other);
}

/* ---- PLIC ---- */

static RiscvPlic *plic_new(unsigned sources, AddressSpace **as)
{
    RiscvPlic *p =
        riscv_plic_new("t.plic", sources, 4, 3, 0x600000, &error_abort);

    for (int i = 0; i < 4; i++) {
        irq_init(riscv_plic_output(p, i), record_level, NULL, i);
    }
    *as = as_with(riscv_plic_mmio(p));
    return p;
}

static void test_plic(void)
{
    AddressSpace *as1, *as2, *as3;
    RiscvPlic *a = plic_new(96, &as1), *b = plic_new(96, &as2);
    RiscvPlic *small = plic_new(64, &as3);
    GBytes *s;
    Error *err;

    st(as1, 10 * 4, 4, 5); /* priority of source 10 */
    st(as1, 33 * 4, 4, 3);
    st(as1, PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE, 4, 1u << 10); /* ctx 1 */
    st(as1, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE, 4, 2);      /* threshold */
    irq_set(riscv_plic_input(a, 10), 1);
    irq_set(riscv_plic_input(a, 33), 1);
    g_assert_cmpint(levels[1], ==, 1);

    memset(levels, 0, sizeof(levels));
    s = save(&vmstate_riscv_plic, a);
    load_ok(&vmstate_riscv_plic, b, s);
    assert_same_state(&vmstate_riscv_plic, a, b);
    /* The output is driven again after the load. */
    g_assert_cmpint(levels[1], ==, 1);
    g_assert_cmpint(levels[0], ==, 0);
    g_assert_cmpuint(ld(as2, 10 * 4, 4), ==, 5);
    g_assert_cmpuint(ld(as2, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE, 4), ==,
                     2);
    /* Claim on the copy gives source 10; completing with the line still
     * high makes it pending again (the level travelled). */
    g_assert_cmpuint(ld(as2, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4),
                     ==, 10);
    st(as2, PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE + 4, 4, 10);
    g_assert_cmphex(ld(as2, PLIC_PENDING_BASE, 4), ==, 1u << 10);

    refuse_versions_and_truncation(&vmstate_riscv_plic, b, s);
    /* Priority 0xff of source 5 (3 priority bits). */
    refuse_be32(&vmstate_riscv_plic, b, s, 8 + 5 * 4, 0xff, "priority");
    /* Source 0 given a priority. */
    refuse_be32(&vmstate_riscv_plic, b, s, 8, 1, "source 0");
    /* The number of contexts is configuration. */
    refuse_be32(&vmstate_riscv_plic, b, s, 4, 1000, "num_contexts");
    /* Source 0 (which does not exist) pending: word 0 of pending. */
    refuse_be32(&vmstate_riscv_plic, b, s, 8 + 96 * 4 + 3 * 4, 1, "beyond");
    /* A PLIC with fewer sources refuses the stream. */
    err = load_bytes(&vmstate_riscv_plic, small, g_bytes_get_data(s, NULL),
                     g_bytes_get_size(s), 1);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "num_sources"));
    error_free(err);

    g_bytes_unref(s);
    address_space_free(as1);
    address_space_free(as2);
    address_space_free(as3);
    riscv_plic_free(a);
    riscv_plic_free(b);
    riscv_plic_free(small);
}

/* ---- ACLINT: mtime continues ---- */

static void test_aclint_time(void)
{
    RiscvAclint *a = riscv_aclint_new("t.clint", 2, 10000000, &error_abort);
    RiscvAclint *b = riscv_aclint_new("t.clint", 2, 10000000, &error_abort);
    RiscvAclint *c = riscv_aclint_new("t.clint", 3, 10000000, &error_abort);
    AddressSpace *as1 = as_with(riscv_aclint_mmio(a));
    AddressSpace *as2 = as_with(riscv_aclint_mmio(b));
    int64_t t0;
    uint64_t mtime;
    GBytes *s;
    Error *err;

    for (int h = 0; h < 2; h++) {
        irq_init(riscv_aclint_mtip_out(b, h), record_level, NULL, 2 * h);
        irq_init(riscv_aclint_msip_out(b, h), record_level, NULL, 2 * h + 1);
    }
    clock_virtual_set_manual(true);
    t0 = clock_get_ns(QEMU_CLOCK_VIRTUAL);
    /* The source's mtime is far ahead of this clock; B's starts at 0. */
    st(as1, ACLINT_MTIME, 8, 5000000000ULL);
    st(as2, ACLINT_MTIME, 8, 0);
    st(as1, ACLINT_MTIMECMP_BASE, 8, 5000000100ULL);     /* hart 0: soon */
    st(as1, ACLINT_MTIMECMP_BASE + 8, 8, 4000000000ULL); /* hart 1: due */
    st(as1, ACLINT_MSIP_BASE + 4, 4, 1);
    mtime = riscv_aclint_time(a);

    memset(levels, 0, sizeof(levels));
    s = save(&vmstate_riscv_aclint, a);
    load_ok(&vmstate_riscv_aclint, b, s);
    /* Same mtime (the clock did not move), not B's own old time. */
    g_assert_cmpuint(riscv_aclint_time(b), ==, mtime);
    g_assert_cmpuint(ld(as2, ACLINT_MTIMECMP_BASE, 8), ==, 5000000100ULL);
    g_assert_cmpint(levels[0], ==, 0); /* hart 0 MTIP: not yet */
    g_assert_cmpint(levels[2], ==, 1); /* hart 1 MTIP: due */
    g_assert_cmpint(levels[3], ==, 1); /* hart 1 MSIP */
    /* Time continues from there: 10 us later, 100 ticks later, and the
     * timer of hart 0 fires. */
    clock_virtual_advance_to(t0 + 10000);
    g_assert_cmpuint(riscv_aclint_time(b), ==, mtime + 100);
    g_assert_cmpint(levels[0], ==, 1);

    refuse_versions_and_truncation(&vmstate_riscv_aclint, b, s);
    /* Another timebase (the be64 after num_harts; low word). */
    refuse_be32(&vmstate_riscv_aclint, b, s, 8, 1000, "timebase");
    /* msip is one bit. */
    {
        size_t len = g_bytes_get_size(s);
        uint8_t *d = g_memdup2(g_bytes_get_data(s, NULL), len);
        d[4 + 8 + 8 + 8] = 2; /* msip of hart 0 */
        err = load_bytes(&vmstate_riscv_aclint, b, d, len, 1);
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(error_get_pretty(err), "msip"));
        error_free(err);
        g_free(d);
    }
    err = load_bytes(&vmstate_riscv_aclint, c, g_bytes_get_data(s, NULL),
                     g_bytes_get_size(s), 1);
    g_assert_nonnull(err);
    error_free(err);
    g_bytes_unref(s);
    address_space_free(as1);
    address_space_free(as2);
    riscv_aclint_free(a);
    riscv_aclint_free(b);
    riscv_aclint_free(c);
}

/* ---- UART ---- */

/* Offsets in the "serial-16550a" stream. */
#define UART_OFF_FCR      8
#define UART_OFF_RX_HEAD  10
#define UART_OFF_RX_COUNT 14

static void test_serial(void)
{
    IrqLine irq_a, irq_b;
    SerialState *a, *b;
    AddressSpace *as1, *as2;
    GBytes *s;
    size_t len;
    uint8_t *d;
    Error *err;

    irq_init(&irq_a, record_level, NULL, 0);
    irq_init(&irq_b, record_level, NULL, 1);
    a = serial_new("t.serial", NULL, &irq_a, &error_abort);
    b = serial_new("t.serial", NULL, &irq_b, &error_abort);
    as1 = as_with(serial_mmio(a));
    as2 = as_with(serial_mmio(b));
    /* FIFO on, loopback, received-data interrupt: three bytes in the
     * receive FIFO. */
    st(as1, 2, 1, 0x01);
    st(as1, 4, 1, 0x10);
    st(as1, 1, 1, 0x01);
    st(as1, 0, 1, 'a');
    st(as1, 0, 1, 'b');
    g_assert_cmpuint(ld(as1, 0, 1), ==, 'a');
    st(as1, 0, 1, 'c');
    st(as1, 7, 1, 0x5a); /* scratch */
    g_assert_cmpint(levels[0], ==, 1);

    s = save(&vmstate_serial_16550a, a);
    load_ok(&vmstate_serial_16550a, b, s);
    assert_same_state(&vmstate_serial_16550a, a, b);
    g_assert_cmpint(levels[1], ==, 1); /* the line is driven */
    g_assert_cmpuint(ld(as2, 7, 1), ==, 0x5a);
    g_assert_cmpuint(ld(as2, 5, 1) & 1, ==, 1); /* LSR.DR */
    g_assert_cmpuint(ld(as2, 0, 1), ==, 'b');
    g_assert_cmpuint(ld(as2, 0, 1), ==, 'c');
    g_assert_cmpuint(ld(as2, 5, 1) & 1, ==, 0);
    g_assert_cmpint(levels[1], ==, 0);

    refuse_versions_and_truncation(&vmstate_serial_16550a, b, s);
    /* A FIFO count beyond the 16-byte FIFO, and a head outside it. */
    refuse_be32(&vmstate_serial_16550a, b, s, UART_OFF_RX_COUNT, 17, "count");
    refuse_be32(&vmstate_serial_16550a, b, s, UART_OFF_RX_HEAD, 16, "position");
    /* Two bytes held with the FIFO off (it holds one then). */
    len = g_bytes_get_size(s);
    d = g_memdup2(g_bytes_get_data(s, NULL), len);
    d[UART_OFF_FCR] = 0;
    err = load_bytes(&vmstate_serial_16550a, b, d, len, 1);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "count"));
    error_free(err);
    /* An FCR with reserved bits. */
    d[UART_OFF_FCR] = 0x37;
    err = load_bytes(&vmstate_serial_16550a, b, d, len, 1);
    g_assert_nonnull(err);
    error_free(err);
    g_free(d);
    g_bytes_unref(s);
    address_space_free(as1);
    address_space_free(as2);
    serial_free(a);
    serial_free(b);
}

/* ---- IMSIC ---- */

static void test_imsic(void)
{
    RiscvImsic *a = riscv_imsic_new("t.imsic", false, 2, 0, 63, &error_abort);
    RiscvImsic *b = riscv_imsic_new("t.imsic", false, 2, 0, 63, &error_abort);
    uint64_t old;
    GBytes *s;

    for (int h = 0; h < 2; h++) {
        irq_init(riscv_imsic_output(b, h), record_level, NULL, 10 + h);
    }
    g_assert_true(riscv_imsic_rmw(a, 1, 0x70, 1, ~0ULL, &old)); /* delivery */
    g_assert_true(riscv_imsic_rmw(a, 1, 0xc0, 1ULL << 9, ~0ULL, &old));
    riscv_imsic_set_pending(a, 1, 9);
    riscv_imsic_set_pending(a, 0, 5);
    g_assert_cmpuint(riscv_imsic_topei(a, 1, false) >> 16, ==, 9);

    memset(levels, 0, sizeof(levels));
    s = save(&vmstate_riscv_imsic, a);
    load_ok(&vmstate_riscv_imsic, b, s);
    assert_same_state(&vmstate_riscv_imsic, a, b);
    g_assert_cmpint(levels[11], ==, 1);
    g_assert_cmpint(levels[10], ==, 0);
    g_assert_cmpuint(riscv_imsic_topei(b, 1, true) >> 16, ==, 9);
    g_assert_cmpuint(riscv_imsic_topei(b, 1, false), ==, 0);

    refuse_versions_and_truncation(&vmstate_riscv_imsic, b, s);
    /* eidelivery 2 of hart 0; identity 0 pending (low word of eip[0]). */
    refuse_be32(&vmstate_riscv_imsic, b, s, 12, 2, "eidelivery");
    refuse_be32(&vmstate_riscv_imsic, b, s, 12 + 8 + 4, 1, "identity");
    g_bytes_unref(s);
    riscv_imsic_free(a);
    riscv_imsic_free(b);
}

/* ---- APLIC (direct mode) ---- */

static void test_aplic(void)
{
    RiscvAplic *a = riscv_aplic_new("t.aplic", NULL, true, false, 96, 2,
                                    APLIC_SIZE(2), NULL, &error_abort);
    RiscvAplic *b = riscv_aplic_new("t.aplic", NULL, true, false, 96, 2,
                                    APLIC_SIZE(2), NULL, &error_abort);
    AddressSpace *as1 = as_with(riscv_aplic_mmio(a));
    AddressSpace *as2 = as_with(riscv_aplic_mmio(b));
    GBytes *s;

    for (int h = 0; h < 2; h++) {
        irq_init(riscv_aplic_output(b, h), record_level, NULL, 20 + h);
    }
    st(as1, APLIC_SOURCECFG + 4 * (7 - 1), 4, 6); /* level high */
    st(as1, APLIC_DOMAINCFG, 4, 1u << 8);         /* IE */
    st(as1, APLIC_IDC + APLIC_IDC_SIZE, 4, 1);    /* hart 1 idelivery */
    irq_set(riscv_aplic_input(a, 7), 1);

    memset(levels, 0, sizeof(levels));
    s = save(&vmstate_riscv_aplic, a);
    load_ok(&vmstate_riscv_aplic, b, s);
    assert_same_state(&vmstate_riscv_aplic, a, b);
    g_assert_cmpuint(ld(as2, APLIC_SOURCECFG + 4 * (7 - 1), 4), ==, 6);

    refuse_versions_and_truncation(&vmstate_riscv_aplic, b, s);
    /* sourcecfg 3 = 2 (reserved mode): stream offset 16 + 4 * 3. */
    refuse_be32(&vmstate_riscv_aplic, b, s, 16 + 4 * 3, 2, "sourcecfg");
    /* domaincfg.IE as 5. */
    refuse_be32(&vmstate_riscv_aplic, b, s, 8, 5, "IE");
    g_bytes_unref(s);
    address_space_free(as1);
    address_space_free(as2);
    riscv_aplic_free(a);
    riscv_aplic_free(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/riscv-vmstate/cpu", test_cpu_round_trip);
    g_test_add_func("/riscv-vmstate/plic", test_plic);
    g_test_add_func("/riscv-vmstate/aclint-time", test_aclint_time);
    g_test_add_func("/riscv-vmstate/serial", test_serial);
    g_test_add_func("/riscv-vmstate/imsic", test_imsic);
    g_test_add_func("/riscv-vmstate/aplic", test_aplic);
    return g_test_run();
}
