/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PCI core, MSI-X and the ECAM host driven in-process through the
 * machine's address spaces, exactly as guest accesses arrive: ECAM and BAR
 * accesses are memory loads/stores, INTx lines are our own IrqLines.
 */
#include <string.h>
#include <glib.h>
#include "hw/core/qom.h"
#include "hw/pci-host/gpex.h"
#include "hw/pci/msix.h"
#include "hw/pci/pcie.h"
#include "hw/pci/pci.h"
#include "hw/riscv/virt.h"
#include "qapi/qapi-commands.h"

#define ECAM           VIRT_PCIE_ECAM_BASE
#define RAM_BASE       VIRT_DRAM_BASE
#define RAM_SIZE       (1u << 20)
#define RP_PIC_OFF_PCC 0x03c0 /* indicators off */

static GPEXHost *host;
static int irq_level[4];
static IrqLine irq_lines[4];
static IrqLine *irq_ptrs[4];

static void record_irq(void *opaque, int n, int level)
{
    irq_level[n] = level;
}

static uint64_t ld(uint64_t addr, unsigned size)
{
    uint64_t v = 0;

    g_assert_true(address_space_ld(address_space_memory, addr, size, &v));
    return v;
}

static void st(uint64_t addr, unsigned size, uint64_t v)
{
    g_assert_true(address_space_st(address_space_memory, addr, size, v));
}

static uint64_t cfg(int devfn, uint32_t reg)
{
    return ECAM + ((uint64_t)devfn << 12) + reg;
}

static PCIDevice *add_dev(const char *type, const char *addr,
                          const char *props[], Error **errp)
{
    DeviceState *d = qdev_new(type, errp);

    if (!d) {
        return NULL;
    }
    if (addr && !qdev_prop_set_str(d, "addr", addr, errp)) {
        qdev_free(d);
        return NULL;
    }
    for (int i = 0; props && props[i]; i += 2) {
        if (!qdev_prop_set_str(d, props[i], props[i + 1], errp)) {
            qdev_free(d);
            return NULL;
        }
    }
    if (!qdev_realize(d, host->bus->qbus, errp)) {
        qdev_free(d);
        return NULL;
    }
    return (PCIDevice *)d;
}

static void test_host_bridge(void)
{
    g_assert_cmphex(ld(cfg(0, 0), 2), ==, 0x1b36);
    g_assert_cmphex(ld(cfg(0, 2), 2), ==, 0x0008);
    g_assert_cmphex(ld(cfg(0, 0x0a), 2), ==, 0x0600);
    /* Empty slots and functions read as all ones at every width. */
    g_assert_cmphex(ld(cfg(PCI_DEVFN(31, 7), 0), 4), ==, 0xffffffff);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(31, 7), 0), 2), ==, 0xffff);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(31, 7), 0), 1), ==, 0xff);
    /* A bus number with nothing behind it. */
    g_assert_cmphex(ld(ECAM + (5ull << 20), 4), ==, 0xffffffff);
    /* Vendor id is read-only. */
    st(cfg(0, 0), 2, 0x1234);
    g_assert_cmphex(ld(cfg(0, 0), 2), ==, 0x1b36);
}

static void test_placement(void)
{
    Error *err = NULL;
    PCIDevice *a = add_dev("pci-testdev", "3.0", NULL, &error_abort);
    PCIDevice *b;

    g_assert_cmpint(a->devfn, ==, PCI_DEVFN(3, 0));
    g_assert_cmphex(ld(cfg(PCI_DEVFN(3, 0), 0), 4), ==, 0x00051b36);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(3, 0), PCI_SUBSYSTEM_VENDOR_ID), 4), ==,
                    0x11001af4);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(3, 0), 0x0a), 2), ==, 0x00ff);

    b = add_dev("pci-testdev", "3.0", NULL, &err);
    g_assert_null(b);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "PCI: slot 3 function 0 not available for pci-testdev, "
                    "in use by pci-testdev,id=\"\"");
    error_free(err);
    err = NULL;

    /* Function 1 of a single-function slot. */
    b = add_dev("pci-testdev", "3.1", NULL, &err);
    g_assert_null(b);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "PCI: single function device can't be populated in "
                    "function 3.1");
    error_free(err);
    err = NULL;

    /* Multifunction: 4.0 with the bit, then 4.1. */
    {
        const char *mf[] = {"multifunction", "on", NULL};
        PCIDevice *f0 = add_dev("pci-testdev", "4.0", mf, &error_abort);
        PCIDevice *f1 = add_dev("pci-testdev", "4.1", NULL, &error_abort);
        g_assert_cmphex(ld(cfg(PCI_DEVFN(4, 0), PCI_HEADER_TYPE), 1), ==, 0x80);
        g_assert_cmphex(ld(cfg(PCI_DEVFN(4, 1), 0), 2), ==, 0x1b36);
        qdev_free(&f1->qdev);
        qdev_free(&f0->qdev);
    }

    /* Automatic placement takes the first free slot (1). */
    b = add_dev("pci-testdev", NULL, NULL, &error_abort);
    g_assert_cmpint(b->devfn, ==, PCI_DEVFN(1, 0));
    qdev_free(&b->qdev);
    qdev_free(&a->qdev);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(3, 0), 0), 4), ==, 0xffffffff);
}

static void test_bars(void)
{
    const char *props[] = {"membar", "0x100000000", NULL};
    PCIDevice *d = add_dev("pci-testdev", "2.0", props, &error_abort);
    int fn = PCI_DEVFN(2, 0);

    /* BAR0: 4 KiB memory; BAR1: 256 bytes of I/O; BAR2: 64-bit 4 GiB. */
    st(cfg(fn, 0x10), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x10), 4), ==, 0xfffff000);
    st(cfg(fn, 0x14), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x14), 4), ==, 0xffffff01);
    st(cfg(fn, 0x18), 4, 0xffffffff);
    st(cfg(fn, 0x1c), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x18), 4), ==, 0x0000000c);
    g_assert_cmphex(ld(cfg(fn, 0x1c), 4), ==, 0xffffffff);
    /* Unimplemented BARs and the ROM stay zero. */
    st(cfg(fn, 0x20), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x20), 4), ==, 0);
    st(cfg(fn, 0x30), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x30), 4), ==, 0);

    st(cfg(fn, 0x10), 4, 0x40001000);
    st(cfg(fn, 0x14), 4, 0x2000);
    st(cfg(fn, 0x18), 4, 0);
    st(cfg(fn, 0x1c), 4, 0x4);
    /* Nothing decodes until the command register says so. */
    g_assert_cmphex(pci_bar_address(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_false(
        address_space_ld(address_space_memory, 0x40001000, 4, &(uint64_t){0}));
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_bar_address(d, 0), ==, 0x40001000);
    g_assert_cmphex(pci_bar_address(d, 2), ==, 0x400000000ull);
    g_assert_cmphex(pci_bar_address(d, 1), ==, PCI_BAR_UNMAPPED);
    /* The test header: test 0 on the memory BAR is width 1, named. */
    g_assert_cmphex(ld(0x40001000 + 1, 1), ==, 1);
    g_assert_cmphex(ld(0x40001000 + 16, 4), ==, 0x6f696d6d); /* "mmio" */
    st(0x40001000 + ld(0x40001000 + 4, 4), 1, 0);
    g_assert_cmpint(ld(0x40001000 + 12, 4), ==, 1);

    /* I/O through the PIO window once I/O decoding is on. */
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    g_assert_cmphex(pci_bar_address(d, 1), ==, 0x2000);
    g_assert_cmphex(ld(VIRT_PCIE_PIO_BASE + 0x2000 + 16, 4), ==, 0x74726f70);

    /* Moving a BAR moves the mapping. */
    st(cfg(fn, 0x10), 4, 0x40008000);
    g_assert_cmphex(pci_bar_address(d, 0), ==, 0x40008000);
    g_assert_false(
        address_space_ld(address_space_memory, 0x40001000, 4, &(uint64_t){0}));
    g_assert_cmphex(ld(0x40008000 + 1, 1), ==, 1);
    /* Outside the windows (over RAM) a BAR stays dark. */
    st(cfg(fn, 0x10), 4, 0x80000000);
    g_assert_cmphex(pci_bar_address(d, 0), ==, PCI_BAR_UNMAPPED);
    g_assert_cmphex(ld(RAM_BASE, 4), ==, 0);
    /* Disabling unmaps everything. */
    st(cfg(fn, 0x10), 4, 0x40001000);
    st(cfg(fn, PCI_COMMAND), 2, 0);
    for (int i = 0; i < 3; i++) {
        g_assert_cmphex(pci_bar_address(d, i), ==, PCI_BAR_UNMAPPED);
    }
    qdev_free(&d->qdev);
}

static void test_write_masks(void)
{
    PCIDevice *d = add_dev("pci-testdev", "5.0", NULL, &error_abort);
    int fn = PCI_DEVFN(5, 0);

    /* Only the defined command bits stick. */
    st(cfg(fn, PCI_COMMAND), 2, 0xffff);
    g_assert_cmphex(ld(cfg(fn, PCI_COMMAND), 2), ==, 0x0547);
    st(cfg(fn, PCI_COMMAND), 2, 0);
    /* Class, revision, header type and the subsystem are read-only. */
    st(cfg(fn, 0x08), 4, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, 0x08), 4), ==, 0x00ff0000);
    st(cfg(fn, PCI_HEADER_TYPE), 1, 0xff);
    g_assert_cmphex(ld(cfg(fn, PCI_HEADER_TYPE), 1), ==, 0);
    st(cfg(fn, PCI_SUBSYSTEM_VENDOR_ID), 4, 0);
    g_assert_cmphex(ld(cfg(fn, PCI_SUBSYSTEM_VENDOR_ID), 4), ==, 0x11001af4);
    /* Interrupt line is writable, the pin is not. */
    st(cfg(fn, PCI_INTERRUPT_LINE), 2, 0xffff);
    g_assert_cmphex(ld(cfg(fn, PCI_INTERRUPT_LINE), 2), ==, 0x00ff);
    /* Status error bits are write-1-to-clear. */
    d->config[PCI_STATUS + 1] |= 0x80;
    st(cfg(fn, PCI_STATUS), 2, 0x0000);
    g_assert_cmphex(ld(cfg(fn, PCI_STATUS), 2) & 0x8000, ==, 0x8000);
    st(cfg(fn, PCI_STATUS), 2, 0x8000);
    g_assert_cmphex(ld(cfg(fn, PCI_STATUS), 2) & 0x8000, ==, 0);
    /* Conventional on the root bus: 256 bytes, the rest reads ones. */
    g_assert_cmphex(ld(cfg(fn, 0x100), 4), ==, 0xffffffff);
    qdev_free(&d->qdev);
}

static void test_capabilities(void)
{
    const char *props[] = {"x-msix-vectors", "4", NULL};
    PCIDevice *d = add_dev("pci-testdev", "6.0", props, &error_abort);
    Error *err = NULL;
    uint8_t vndr;

    g_assert_cmphex(ld(cfg(d->devfn, PCI_STATUS), 2) & PCI_STATUS_CAP_LIST, ==,
                    PCI_STATUS_CAP_LIST);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_MSIX), ==, 0x40);
    vndr = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 8, &error_abort);
    g_assert_cmpint(vndr, ==, 0x4c);
    /* The newest is the head; it links to the older one. */
    g_assert_cmpint(ld(cfg(d->devfn, PCI_CAPABILITY_LIST), 1), ==, vndr);
    g_assert_cmpint(ld(cfg(d->devfn, vndr + 1), 1), ==, 0x40);
    g_assert_cmpint(ld(cfg(d->devfn, 0x41), 1), ==, 0);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==, vndr);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_EXP), ==, 0);
    /* Overlap is refused. */
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_PM, 0x44, 8, &err), ==, 0);
    g_assert_nonnull(err);
    error_free(err);
    /* A guest cannot rewrite the list. */
    st(cfg(d->devfn, PCI_CAPABILITY_LIST), 1, 0x80);
    g_assert_cmpint(ld(cfg(d->devfn, PCI_CAPABILITY_LIST), 1), ==, vndr);
    /* A corrupt (looping) list does not hang the walk. */
    d->config[vndr + 1] = vndr;
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_PM), ==, 0);
    d->config[vndr + 1] = 0x40;
    qdev_free(&d->qdev);
}

static void test_msix(void)
{
    const char *props[] = {"x-msix-vectors", "4", NULL};
    PCIDevice *d = add_dev("pci-testdev", "7.0", props, &error_abort);
    int fn = d->devfn;
    uint64_t bar4 = 0x40100000, table = bar4, pba = bar4 + 0x800;
    uint64_t msg = RAM_BASE + 0x1000;
    uint32_t cap = 0x40;

    g_assert_cmphex(ld(cfg(fn, cap + 2), 2), ==, 3); /* 4 vectors */
    g_assert_cmphex(ld(cfg(fn, cap + 4), 4), ==, 4); /* table 0, BIR 4 */
    g_assert_cmphex(ld(cfg(fn, cap + 8), 4), ==, 0x804);
    st(cfg(fn, 0x20), 4, bar4);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    /* Vectors start masked. */
    g_assert_cmphex(ld(table + 12, 4), ==, 1);
    st(table + 0, 4, msg);
    st(table + 4, 4, 0);
    st(table + 8, 4, 0xdead0001);
    st(table + 16, 8, msg + 4); /* 64-bit access to entry 1 */
    st(table + 24, 4, 0xdead0002);
    g_assert_cmphex(ld(table + 16, 4), ==, msg + 4);
    /* Reserved control bits do not stick. */
    st(table + 12, 4, 0xfffffffe);
    g_assert_cmphex(ld(table + 12, 4), ==, 0);

    /* Not enabled: pending, nothing written. */
    st(bar4 + 0xc00, 4, 0);
    g_assert_cmphex(ld(msg, 4), ==, 0);
    g_assert_true(msix_is_pending(d, 0));
    g_assert_cmphex(ld(pba, 1), ==, 1);
    st(pba, 4, 0); /* the PBA is read-only */
    g_assert_cmphex(ld(pba, 1), ==, 1);
    /* Enable: the pending vector is delivered. */
    st(cfg(fn, cap + 2), 2, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(ld(msg, 4), ==, 0xdead0001);
    g_assert_false(msix_is_pending(d, 0));

    /* Masked vector 1: pending until unmasked. */
    st(table + 16 + 12, 4, 1);
    st(bar4 + 0xc00, 4, 1);
    g_assert_cmphex(ld(msg + 4, 4), ==, 0);
    g_assert_cmphex(ld(pba, 1), ==, 2);
    st(table + 16 + 12, 4, 0);
    g_assert_cmphex(ld(msg + 4, 4), ==, 0xdead0002);
    g_assert_cmphex(ld(pba, 1), ==, 0);

    /* Function mask holds every vector. */
    st(msg, 4, 0);
    st(cfg(fn, cap + 2), 2, PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    st(bar4 + 0xc00, 4, 0);
    g_assert_cmphex(ld(msg, 4), ==, 0);
    st(cfg(fn, cap + 2), 2, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmphex(ld(msg, 4), ==, 0xdead0001);

    /* Without bus mastering the write goes nowhere (and is not pending). */
    st(msg, 4, 0);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    st(bar4 + 0xc00, 4, 0);
    g_assert_cmphex(ld(msg, 4), ==, 0);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);

    /* Out-of-range vectors and unmapped addresses are harmless. */
    st(bar4 + 0xc00, 4, 1000);
    st(table + 32, 4, 0x1000); /* nothing there */
    st(table + 32 + 12, 4, 0);
    st(bar4 + 0xc00, 4, 2);
    /* Only bits 14-15 of the control word are writable. */
    st(cfg(fn, cap + 2), 2, 0x07ff);
    g_assert_cmphex(ld(cfg(fn, cap + 2), 2), ==, 3);

    /* Reset: disabled, masked, nothing pending. */
    qdev_reset_all();
    g_assert_false(msix_enabled(d));
    g_assert_true(msix_is_masked(d, 0));
    g_assert_cmphex(pci_bar_address(d, 4), ==, PCI_BAR_UNMAPPED);
    qdev_free(&d->qdev);
}

static void test_intx(void)
{
    const char *p1[] = {"x-intx-pin", "1", NULL};
    const char *p2[] = {"x-intx-pin", "2", NULL};
    PCIDevice *a = add_dev("pci-testdev", "9.0", p1, &error_abort);
    PCIDevice *b = add_dev("pci-testdev", "a.0", p2, &error_abort);

    st(cfg(a->devfn, 0x20), 4, 0x40200000);
    st(cfg(b->devfn, 0x20), 4, 0x40201000);
    st(cfg(a->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    st(cfg(b->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    g_assert_cmpint(ld(cfg(a->devfn, PCI_INTERRUPT_PIN), 1), ==, 1);

    /* Slot 9, INTA: (0 + 9) % 4 = line 1. */
    st(0x40200c04, 4, 1);
    g_assert_cmpint(irq_level[1], ==, 1);
    g_assert_cmphex(ld(cfg(a->devfn, PCI_STATUS), 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    /* Slot 10, INTB: (1 + 10) % 4 = line 3. */
    st(0x40201c04, 4, 1);
    g_assert_cmpint(irq_level[3], ==, 1);
    /* INTX_DISABLE masks the line but keeps the status bit. */
    st(cfg(a->devfn, PCI_COMMAND), 2,
       PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(irq_level[1], ==, 0);
    g_assert_cmphex(ld(cfg(a->devfn, PCI_STATUS), 2) & PCI_STATUS_INTERRUPT, ==,
                    PCI_STATUS_INTERRUPT);
    st(cfg(a->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    g_assert_cmpint(irq_level[1], ==, 1);
    st(0x40200c04, 4, 0);
    g_assert_cmpint(irq_level[1], ==, 0);
    /* Removing an asserting device releases its line. */
    qdev_free(&b->qdev);
    g_assert_cmpint(irq_level[3], ==, 0);
    qdev_free(&a->qdev);
}

static void test_bad_accesses(void)
{
    uint64_t v;
    PCIDevice *d = add_dev("pci-testdev", "b.0", NULL, &error_abort);

    /* Unaligned and odd-sized ECAM accesses are split, never fatal. */
    g_assert_true(address_space_ld(address_space_memory, cfg(0, 1), 4, &v));
    g_assert_true(address_space_ld(address_space_memory, cfg(0, 0xfff), 2, &v));
    g_assert_true(address_space_ld(address_space_memory, cfg(0, 0), 8, &v));
    g_assert_cmphex(v & 0xffffffff, ==, 0x00081b36);
    g_assert_true(address_space_st(address_space_memory, cfg(d->devfn, 3), 4,
                                   0xffffffff));
    g_assert_true(address_space_st(address_space_memory, cfg(d->devfn, 0xffe),
                                   4, 0xffffffff));
    /* The last byte of ECAM works, one past it is not mapped. */
    g_assert_true(address_space_ld(address_space_memory,
                                   ECAM + VIRT_PCIE_ECAM_SIZE - 1, 1, &v));
    g_assert_cmphex(v, ==, 0xff);
    g_assert_false(address_space_ld(address_space_memory,
                                    ECAM + VIRT_PCIE_ECAM_SIZE - 2, 4, &v));
    /* PIO window: unassigned ports read ones. */
    g_assert_cmphex(ld(VIRT_PCIE_PIO_BASE + 0xfff0, 4), ==, 0xffffffff);
    /* Overlapping BARs: the second one stays unmapped. */
    {
        PCIDevice *e = add_dev("pci-testdev", "c.0", NULL, &error_abort);
        st(cfg(d->devfn, 0x10), 4, 0x40300000);
        st(cfg(e->devfn, 0x10), 4, 0x40300000);
        st(cfg(d->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
        st(cfg(e->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
        g_assert_cmphex(pci_bar_address(d, 0), ==, 0x40300000);
        g_assert_cmphex(pci_bar_address(e, 0), ==, PCI_BAR_UNMAPPED);
        /* When the first moves away, re-enabling maps the second. */
        st(cfg(d->devfn, 0x10), 4, 0x40400000);
        st(cfg(e->devfn, PCI_COMMAND), 2, 0);
        st(cfg(e->devfn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
        g_assert_cmphex(pci_bar_address(e, 0), ==, 0x40300000);
        qdev_free(&e->qdev);
    }
    /* A 32-bit BAR that would wrap past 4 GiB is not mapped. */
    st(cfg(d->devfn, 0x10), 4, 0xfffff000);
    g_assert_cmphex(pci_bar_address(d, 0), ==, PCI_BAR_UNMAPPED);
    qdev_free(&d->qdev);
}

static void test_bad_props(void)
{
    Error *err = NULL;
    const char *big[] = {"x-msix-vectors", "4096", NULL};
    const char *odd[] = {"membar", "0x3000", NULL};

    g_assert_null(add_dev("pci-testdev", "d.0", big, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    g_assert_null(add_dev("pci-testdev", "d.0", odd, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;
    /* The failed devices left the slot free. */
    g_assert_cmphex(ld(cfg(PCI_DEVFN(13, 0), 0), 4), ==, 0xffffffff);
    /* The host bridge cannot be created by the user. */
    g_assert_false(device_class_find("gpex-root")->user_creatable);
}

static DeviceState *dev_add_json(const char *json, bool hotplug, Error **errp)
{
    json_t *opts = json_loads(json, 0, NULL);
    DeviceState *d = NULL;

    g_assert_nonnull(opts);
    if (hotplug) {
        json_t *ret = NULL;
        const char *id = json_string_value(json_object_get(opts, "id"));
        qmp_marshal_device_add(opts, &ret, errp);
        if (ret) {
            d = qdev_find_by_id(id);
            json_decref(ret);
        }
    } else {
        d = qdev_device_add(opts, errp);
    }
    json_decref(opts);
    return d;
}

static uint64_t cfg_bus(int bus, int devfn, uint32_t reg)
{
    return ECAM + ((uint64_t)bus << 20) + ((uint64_t)devfn << 12) + reg;
}

static void test_root_port(void)
{
    Error *err = NULL;
    DeviceState *rp = dev_add_json("{\"driver\":\"pcie-root-port\","
                                   "\"id\":\"rp1\",\"addr\":\"1.0\","
                                   "\"chassis\":\"1\",\"slot\":\"7\"}",
                                   false, &error_abort);
    PCIDevice *p = (PCIDevice *)rp;
    int fn = PCI_DEVFN(1, 0);
    uint8_t exp, msix;
    uint64_t msg = RAM_BASE + 0x2000, bar0 = 0x40600000;
    DeviceState *c;

    g_assert_cmphex(ld(cfg(fn, 0), 4), ==, 0x000c1b36);
    g_assert_cmphex(ld(cfg(fn, 0x0a), 2), ==, 0x0604);
    g_assert_cmphex(ld(cfg(fn, PCI_HEADER_TYPE), 1), ==, 1);
    exp = pci_find_capability(p, PCI_CAP_ID_EXP);
    msix = pci_find_capability(p, PCI_CAP_ID_MSIX);
    g_assert_cmpint(exp, !=, 0);
    g_assert_cmpint(msix, !=, 0);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_FLAGS), 2), ==, 0x0142);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTCAP), 4) >> 19, ==, 7);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTCAP), 4) & 0x5b, ==, 0x5b);
    /* Empty slot: no presence, link down. */
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2) & PCI_EXP_SLTSTA_PDS,
                    ==, 0);

    /* Root bus has no hot-plug controller. */
    g_assert_null(
        dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"x\"}", true, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Bus 'pcie.0' does not support hotplugging");
    error_free(err);
    err = NULL;

    /* Bus numbers, a memory window, MSI-X for the hot-plug interrupt. */
    st(cfg(fn, PCI_PRIMARY_BUS), 4, 0x00010100);
    st(cfg(fn, PCI_MEMORY_BASE), 4, 0x40704060);
    st(cfg(fn, 0x10), 4, bar0);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    st(bar0, 4, msg);
    st(bar0 + 8, 4, 0xabcd);
    st(bar0 + 12, 4, 0);
    st(cfg(fn, msix + 2), 2, PCI_MSIX_FLAGS_ENABLE);
    st(cfg(fn, exp + PCI_EXP_SLTCTL), 2,
       PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_ABPE |
           PCI_EXP_SLTCTL_DLLSCE | RP_PIC_OFF_PCC);
    /* That write completed a command (CC), not enabled: no interrupt. */
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2) & PCI_EXP_SLTSTA_CC,
                    ==, PCI_EXP_SLTSTA_CC);
    g_assert_cmphex(ld(msg, 4), ==, 0);

    /* Only slot 0 behind a root port. */
    g_assert_null(dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"h0\","
                               "\"bus\":\"rp1\",\"addr\":\"2.0\"}",
                               true, &err));
    g_assert_nonnull(strstr(error_get_pretty(err), "only allows plugging "
                                                   "into slot 0"));
    error_free(err);
    err = NULL;

    /* Hot-plug: presence, link, and the interrupt. */
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    c = dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"hp1\","
                     "\"bus\":\"rp1\"}",
                     true, &error_abort);
    g_assert_nonnull(c);
    g_assert_cmphex(ld(msg, 4), ==, 0xabcd);
    g_assert_cmphex(
        ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2) &
            (PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC),
        ==, PCI_EXP_SLTSTA_PDS | PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_LNKSTA), 2) & PCI_EXP_LNKSTA_DLLLA,
                    ==, PCI_EXP_LNKSTA_DLLLA);
    g_assert_cmphex(ld(cfg_bus(1, 0, 0), 4), ==, 0x00051b36);
    /* Slot taken. */
    g_assert_null(dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"h2\","
                               "\"bus\":\"rp1\"}",
                               true, &err));
    g_assert_nonnull(err);
    error_free(err);
    err = NULL;

    /* The child's BAR appears only inside the bridge window. */
    st(cfg_bus(1, 0, 0x10), 4, 0x40600000 + 0x100000);
    st(cfg_bus(1, 0, PCI_COMMAND), 2, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_bar_address((PCIDevice *)c, 0), ==, 0x40700000);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MASTER);
    g_assert_cmphex(pci_bar_address((PCIDevice *)c, 0), ==, PCI_BAR_UNMAPPED);
    st(cfg(fn, PCI_COMMAND), 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    g_assert_cmphex(pci_bar_address((PCIDevice *)c, 0), ==, 0x40700000);
    st(cfg_bus(1, 0, 0x10), 4, 0x40800000); /* outside the window */
    g_assert_cmphex(pci_bar_address((PCIDevice *)c, 0), ==, PCI_BAR_UNMAPPED);

    /* Acknowledge the events (write 1 to clear). */
    st(cfg(fn, exp + PCI_EXP_SLTSTA), 2, 0x011f);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2), ==,
                    PCI_EXP_SLTSTA_PDS);
    st(msg, 4, 0);

    /* Unplug: the attention button is pressed, the device stays. */
    qmp_device_del("hp1", &error_abort);
    g_assert_cmphex(ld(msg, 4), ==, 0xabcd);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2) & PCI_EXP_SLTSTA_ABP,
                    ==, PCI_EXP_SLTSTA_ABP);
    g_assert_nonnull(qdev_find_by_id("hp1"));
    qmp_device_del("hp1", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Device 'hp1' is already in the process of unplug");
    error_free(err);
    err = NULL;
    /* The guest powers the slot off: the device goes. */
    st(cfg(fn, exp + PCI_EXP_SLTCTL), 2,
       PCI_EXP_SLTCTL_HPIE | PCI_EXP_SLTCTL_PDCE | PCI_EXP_SLTCTL_ABPE |
           PCI_EXP_SLTCTL_DLLSCE | RP_PIC_OFF_PCC | PCI_EXP_SLTCTL_PCC);
    g_assert_null(qdev_find_by_id("hp1"));
    g_assert_cmphex(ld(cfg_bus(1, 0, 0), 4), ==, 0xffffffff);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2) & PCI_EXP_SLTSTA_PDS,
                    ==, 0);
    qmp_device_del("hp1", &err);
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);
    err = NULL;
    /* With the slot powered off, a removal completes at once. */
    c = dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"hp2\","
                     "\"bus\":\"rp1\"}",
                     true, &error_abort);
    qmp_device_del("hp2", &error_abort);
    g_assert_null(qdev_find_by_id("hp2"));
    /* Repeated plug/unplug cycles leave nothing behind. */
    for (int i = 0; i < 10; i++) {
        c = dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"cyc\","
                         "\"bus\":\"rp1\",\"x-msix-vectors\":\"2\"}",
                         true, &error_abort);
        qmp_device_del("cyc", &error_abort);
        g_assert_null(qdev_find_by_id("cyc"));
    }
    /* Slot powered on again: a pending removal completes at reset. */
    st(cfg(fn, exp + PCI_EXP_SLTCTL), 2, RP_PIC_OFF_PCC);
    dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"hp3\","
                 "\"bus\":\"rp1\"}",
                 true, &error_abort);
    qmp_device_del("hp3", &error_abort);
    g_assert_nonnull(qdev_find_by_id("hp3"));
    pci_bus_reset(host->bus);
    g_assert_null(qdev_find_by_id("hp3"));
    /* Reset cleared the bus numbers and the port's state. */
    g_assert_cmphex(ld(cfg(fn, PCI_PRIMARY_BUS), 4), ==, 0);
    g_assert_cmphex(ld(cfg(fn, exp + PCI_EXP_SLTSTA), 2), ==, 0);
    g_assert_false(msix_enabled(p));
    /* The root port itself sits on pcie.0: not removable. */
    qmp_device_del("rp1", &err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Bus 'pcie.0' does not support hotplugging");
    error_free(err);
    err = NULL;
    /* A cold-plugged child goes with its port. */
    dev_add_json("{\"driver\":\"pci-testdev\",\"id\":\"cold\","
                 "\"bus\":\"rp1\"}",
                 false, &error_abort);
    qdev_free(rp);
    g_assert_null(qdev_find_by_id("cold"));
    g_assert_cmphex(ld(cfg(fn, 0), 4), ==, 0xffffffff);
}

/* Random configuration writes of every size and alignment to a bridge and
 * an endpoint with MSI-X: nothing may crash, leak or map outside windows. */
static void test_config_fuzz(void)
{
    DeviceState *rp = dev_add_json("{\"driver\":\"pcie-root-port\","
                                   "\"id\":\"fz\",\"addr\":\"e.0\"}",
                                   false, &error_abort);
    const char *props[] = {"x-msix-vectors", "16",         "x-intx-pin", "3",
                           "membar",         "0x10000000", NULL};
    PCIDevice *ep = add_dev("pci-testdev", "f.0", props, &error_abort);
    GRand *r = g_rand_new_with_seed(1234);
    int fns[] = {PCI_DEVFN(0xe, 0), PCI_DEVFN(0xf, 0), 0};

    for (int i = 0; i < 20000; i++) {
        int fn = fns[g_rand_int_range(r, 0, 3)];
        unsigned size = 1u << g_rand_int_range(r, 0, 4);
        uint32_t reg = g_rand_int_range(r, 0, 0x1000);
        uint64_t v = ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r);
        uint64_t out;

        if (reg + size > 0x1000) {
            continue;
        }
        address_space_st(address_space_memory, cfg(fn, reg), size, v);
        address_space_ld(address_space_memory, cfg(fn, reg), size, &out);
        /* Poke whatever the BARs now decode, too. */
        for (int b = 0; b < PCI_NUM_BARS; b++) {
            uint64_t a = pci_bar_address(ep, b);
            if (a != PCI_BAR_UNMAPPED && !(ep->bars[b].type & 1)) {
                address_space_st(address_space_memory,
                                 a + (v % ep->bars[b].size), 4, v >> 32);
            }
        }
    }
    /* Vendor ids never changed. */
    g_assert_cmphex(ld(cfg(fns[0], 0), 4), ==, 0x000c1b36);
    g_assert_cmphex(ld(cfg(fns[1], 0), 4), ==, 0x00051b36);
    g_rand_free(r);
    qdev_free(&ep->qdev);
    qdev_free(rp);
}

/* An express endpoint defined by the test: 4 KiB config space, PCIe cap. */
static bool xdev_realize(PCIDevice *dev, Error **errp)
{
    return pcie_endpoint_cap_init(dev, 0, errp) != 0;
}

static PCIDeviceClass xdev_class = {
    .parent = {.type = {.name = "test-pcie-ep",
                        .parent = TYPE_PCI_DEVICE,
                        .interfaces =
                            (const char *const[]){INTERFACE_PCIE_DEVICE, NULL}},
               .user_creatable = true,
               .hotpluggable = true},
    .vendor_id = 0x1b36,
    .device_id = 0x00fe,
    .class_id = 0x0200,
    .is_express = true,
    .realize = xdev_realize,
};

static void test_pcie_endpoint(void)
{
    DeviceState *rp = dev_add_json("{\"driver\":\"pcie-root-port\","
                                   "\"id\":\"rpx\",\"addr\":\"10.0\"}",
                                   false, &error_abort);
    int rpfn = PCI_DEVFN(0x10, 0);
    DeviceState *a, *b;
    uint8_t cap;

    pci_device_class_register(&xdev_class);
    /* On the root bus: an integrated endpoint with extended space. */
    a = dev_add_json("{\"driver\":\"test-pcie-ep\",\"addr\":\"11.0\"}", false,
                     &error_abort);
    g_assert_true(pci_is_express((PCIDevice *)a));
    cap = pci_find_capability((PCIDevice *)a, PCI_CAP_ID_EXP);
    g_assert_cmpint(cap, !=, 0);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(0x11, 0), cap + PCI_EXP_FLAGS), 2), ==,
                    0x0092);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(0x11, 0), 0x100), 4), ==, 0);
    g_assert_cmphex(ld(cfg(PCI_DEVFN(0x11, 0), 0xffc), 4), ==, 0);
    /* Behind a root port: an endpoint with its link up. */
    st(cfg(rpfn, PCI_PRIMARY_BUS), 4, 0x00020200);
    b = dev_add_json(
        "{\"driver\":\"test-pcie-ep\",\"id\":\"xb\",\"bus\":\"rpx\"}", true,
        &error_abort);
    cap = pci_find_capability((PCIDevice *)b, PCI_CAP_ID_EXP);
    g_assert_cmphex(ld(cfg_bus(2, 0, cap + PCI_EXP_FLAGS), 2), ==, 0x0002);
    g_assert_cmphex(ld(cfg_bus(2, 0, cap + PCI_EXP_LNKSTA), 2) &
                        PCI_EXP_LNKSTA_DLLLA,
                    ==, PCI_EXP_LNKSTA_DLLLA);
    /* A conventional device cannot have one. */
    {
        PCIDevice *c = add_dev("pci-testdev", "12.0", NULL, &error_abort);
        Error *err = NULL;
        g_assert_cmpint(pcie_endpoint_cap_init(c, 0, &err), ==, 0);
        g_assert_nonnull(err);
        error_free(err);
        qdev_free(&c->qdev);
    }
    qdev_free(a);
    qdev_free(rp);
}

static void test_types(void)
{
    const TypeInfo *t = type_lookup("pci-testdev");

    g_assert_nonnull(t);
    g_assert_true(type_is_a(t, "pci-device"));
    g_assert_true(type_is_a(t, "device"));
    g_assert_true(type_is_a(t, "conventional-pci-device"));
    g_assert_false(type_is_a(t, "pci-express-device"));
    g_assert_true(type_lookup("pci-device")->abstract);
    g_assert_true(type_is_a(type_lookup("gpex-pcihost"), "device"));
}

int main(int argc, char **argv)
{
    MemoryRegion *ram;

    g_test_init(&argc, &argv, NULL);
    type_init_base();
    memory_init();
    ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    address_space_map(address_space_memory, RAM_BASE, ram, &error_abort);
    for (int i = 0; i < 4; i++) {
        irq_init(&irq_lines[i], record_irq, NULL, i);
        irq_ptrs[i] = &irq_lines[i];
    }
    {
        /* The host keeps a pointer to the machine: it must outlive it. */
        static MachineState ms = {.ram_size = RAM_SIZE};
        g_assert_true(virt_pcie_init(&ms, irq_ptrs, &error_abort));
    }
    host = gpex_host_get();
    g_assert_nonnull(host);

    g_test_add_func("/pci/core/host-bridge", test_host_bridge);
    g_test_add_func("/pci/core/placement", test_placement);
    g_test_add_func("/pci/core/bars", test_bars);
    g_test_add_func("/pci/core/write-masks", test_write_masks);
    g_test_add_func("/pci/core/capabilities", test_capabilities);
    g_test_add_func("/pci/core/msix", test_msix);
    g_test_add_func("/pci/core/intx", test_intx);
    g_test_add_func("/pci/core/bad-accesses", test_bad_accesses);
    g_test_add_func("/pci/core/bad-props", test_bad_props);
    g_test_add_func("/pci/core/root-port", test_root_port);
    g_test_add_func("/pci/core/config-fuzz", test_config_fuzz);
    g_test_add_func("/pci/core/pcie-endpoint", test_pcie_endpoint);
    g_test_add_func("/pci/core/types", test_types);
    return g_test_run();
}
