/* SPDX-License-Identifier: GPL-2.0-or-later */
/* A qtest PCI driver for the riscv64 virt machine's ECAM host. */
#include <string.h>
#include "pci.h"

#define CFG_COMMAND 0x04
#define CFG_BAR0    0x10
#define CFG_CAP_PTR 0x34
#define CFG_STATUS  0x06
#define CMD_IO      0x1
#define CMD_MEMORY  0x2
#define CMD_MASTER  0x4
#define MSIX_CAP_ID 0x11

QPCIBus *qpci_new_virt(QTestState *qts)
{
    QPCIBus *bus = g_new0(QPCIBus, 1);

    bus->qts = qts;
    bus->ecam_base = QPCI_VIRT_ECAM_BASE;
    bus->pio_base = QPCI_VIRT_PIO_BASE;
    /* Leave the first 4 KiB of ports alone, as PC-style drivers do. */
    bus->pio_alloc = 0x1000;
    bus->pio_limit = QPCI_VIRT_PIO_SIZE;
    bus->mmio_alloc = QPCI_VIRT_MMIO_BASE;
    bus->mmio_limit = QPCI_VIRT_MMIO_END;
    return bus;
}

void qpci_free(QPCIBus *bus)
{
    g_free(bus);
}

uint32_t qpci_ecam_offset(int bus_num, int devfn, uint32_t reg)
{
    return ((uint32_t)bus_num << 20) | ((uint32_t)devfn << 12) | (reg & 0xfff);
}

static uint64_t cfg_addr(QPCIDevice *dev, uint32_t off)
{
    return dev->bus->ecam_base +
           qpci_ecam_offset(dev->bus_num, dev->devfn, off);
}

uint8_t qpci_config_readb(QPCIDevice *dev, uint32_t off)
{
    return qtest_readb(dev->bus->qts, cfg_addr(dev, off));
}

uint16_t qpci_config_readw(QPCIDevice *dev, uint32_t off)
{
    return qtest_readw(dev->bus->qts, cfg_addr(dev, off));
}

uint32_t qpci_config_readl(QPCIDevice *dev, uint32_t off)
{
    return qtest_readl(dev->bus->qts, cfg_addr(dev, off));
}

void qpci_config_writeb(QPCIDevice *dev, uint32_t off, uint8_t val)
{
    qtest_writeb(dev->bus->qts, cfg_addr(dev, off), val);
}

void qpci_config_writew(QPCIDevice *dev, uint32_t off, uint16_t val)
{
    qtest_writew(dev->bus->qts, cfg_addr(dev, off), val);
}

void qpci_config_writel(QPCIDevice *dev, uint32_t off, uint32_t val)
{
    qtest_writel(dev->bus->qts, cfg_addr(dev, off), val);
}

QPCIDevice *qpci_device_new(QPCIBus *bus, int bus_num, int devfn)
{
    QPCIDevice *dev = g_new0(QPCIDevice, 1);

    dev->bus = bus;
    dev->bus_num = bus_num;
    dev->devfn = devfn;
    dev->msix_bar = -1;
    return dev;
}

QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn)
{
    QPCIDevice *dev = qpci_device_new(bus, 0, devfn);

    if (qpci_config_readw(dev, 0) == 0xffff) {
        g_free(dev);
        return NULL;
    }
    return dev;
}

void qpci_device_free(QPCIDevice *dev)
{
    g_free(dev);
}

void qpci_device_foreach(QPCIBus *bus, int vendor, int device,
                         void (*fn)(QPCIDevice *dev, int devfn, void *data),
                         void *data)
{
    for (int devfn = 0; devfn < 256; devfn++) {
        QPCIDevice *dev = qpci_device_find(bus, devfn);
        if (!dev) {
            continue;
        }
        if ((vendor < 0 || qpci_config_readw(dev, 0) == vendor) &&
            (device < 0 || qpci_config_readw(dev, 2) == device)) {
            fn(dev, devfn, data);
        } else {
            qpci_device_free(dev);
        }
    }
}

void qpci_device_enable(QPCIDevice *dev)
{
    uint16_t cmd = qpci_config_readw(dev, CFG_COMMAND);

    cmd |= CMD_IO | CMD_MEMORY | CMD_MASTER;
    qpci_config_writew(dev, CFG_COMMAND, cmd);
    g_assert_cmphex(qpci_config_readw(dev, CFG_COMMAND) & cmd, ==, cmd);
}

uint64_t qpci_bar_probe(QPCIDevice *dev, int bar, bool *io, bool *is64)
{
    uint32_t reg = CFG_BAR0 + 4 * bar;
    uint32_t old = qpci_config_readl(dev, reg), lo, hi = 0xffffffff;
    bool is_io = old & 1, wide = !is_io && ((old >> 1) & 3) == 2;
    uint64_t mask;

    qpci_config_writel(dev, reg, 0xffffffff);
    lo = qpci_config_readl(dev, reg);
    qpci_config_writel(dev, reg, old);
    if (wide) {
        uint32_t oldhi = qpci_config_readl(dev, reg + 4);
        qpci_config_writel(dev, reg + 4, 0xffffffff);
        hi = qpci_config_readl(dev, reg + 4);
        qpci_config_writel(dev, reg + 4, oldhi);
    }
    if (io) {
        *io = is_io;
    }
    if (is64) {
        *is64 = wide;
    }
    lo &= is_io ? ~3u : ~0xfu;
    if (!lo && !(wide && hi)) {
        return 0;
    }
    mask = ((uint64_t)hi << 32) | lo;
    if (!is_io && !wide) {
        mask |= 0xffffffff00000000ull;
    } else if (is_io) {
        mask |= 0xffffffff00000000ull;
    }
    return ~mask + 1;
}

QPCIBar qpci_iomap(QPCIDevice *dev, int bar)
{
    QPCIBar b = {0};
    uint32_t reg = CFG_BAR0 + 4 * bar;
    uint64_t *alloc, limit;

    b.size = qpci_bar_probe(dev, bar, &b.io, &b.is64);
    g_assert_cmpuint(b.size, >, 0);
    alloc = b.io ? &dev->bus->pio_alloc : &dev->bus->mmio_alloc;
    limit = b.io ? dev->bus->pio_limit : dev->bus->mmio_limit;
    b.addr = (*alloc + b.size - 1) & ~(b.size - 1);
    g_assert_cmpuint(b.addr + b.size, <=, limit);
    *alloc = b.addr + b.size;
    qpci_config_writel(dev, reg, (uint32_t)b.addr);
    if (b.is64) {
        qpci_config_writel(dev, reg + 4, b.addr >> 32);
    }
    return b;
}

static uint64_t bar_addr(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    g_assert_cmpuint(off, <, bar.size);
    return bar.io ? dev->bus->pio_base + bar.addr + off : bar.addr + off;
}

uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qtest_readb(dev->bus->qts, bar_addr(dev, bar, off));
}

uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qtest_readw(dev->bus->qts, bar_addr(dev, bar, off));
}

uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off)
{
    return qtest_readl(dev->bus->qts, bar_addr(dev, bar, off));
}

void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint8_t v)
{
    qtest_writeb(dev->bus->qts, bar_addr(dev, bar, off), v);
}

void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint16_t v)
{
    qtest_writew(dev->bus->qts, bar_addr(dev, bar, off), v);
}

void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint32_t v)
{
    qtest_writel(dev->bus->qts, bar_addr(dev, bar, off), v);
}

uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start)
{
    uint8_t off;

    if (!(qpci_config_readw(dev, CFG_STATUS) & 0x10)) {
        return 0;
    }
    off = start ? qpci_config_readb(dev, start + 1)
                : qpci_config_readb(dev, CFG_CAP_PTR);
    /* Bounded: a broken list must fail the test, not hang it. */
    for (int n = 0; off && n < 48; n++) {
        if (qpci_config_readb(dev, off) == id) {
            return off;
        }
        off = qpci_config_readb(dev, off + 1);
    }
    return 0;
}

unsigned qpci_msix_table_size(QPCIDevice *dev)
{
    uint8_t cap = qpci_find_capability(dev, MSIX_CAP_ID, 0);

    g_assert(cap);
    return (qpci_config_readw(dev, cap + 2) & 0x7ff) + 1;
}

/* Find the table and PBA, mapping their BAR when it is not yet. */
static void msix_locate(QPCIDevice *dev)
{
    uint32_t table, pba;
    int bir;
    uint32_t barval;
    uint64_t base;

    if (dev->msix_cap) {
        return;
    }
    dev->msix_cap = qpci_find_capability(dev, MSIX_CAP_ID, 0);
    g_assert(dev->msix_cap);
    table = qpci_config_readl(dev, dev->msix_cap + 4);
    pba = qpci_config_readl(dev, dev->msix_cap + 8);
    bir = table & 7;
    g_assert_cmpint(bir, ==, pba & 7);
    barval = qpci_config_readl(dev, CFG_BAR0 + 4 * bir);
    if ((barval & ~0xfu) == 0) {
        base = qpci_iomap(dev, bir).addr;
    } else {
        base = barval & ~0xfu;
        if (((barval >> 1) & 3) == 2) {
            base |= (uint64_t)qpci_config_readl(dev, CFG_BAR0 + 4 * bir + 4)
                    << 32;
        }
    }
    dev->msix_bar = bir;
    dev->msix_table = base + (table & ~7u);
    dev->msix_pba = base + (pba & ~7u);
}

void qpci_msix_enable(QPCIDevice *dev)
{
    uint16_t ctrl;

    msix_locate(dev);
    ctrl = qpci_config_readw(dev, dev->msix_cap + 2);
    qpci_config_writew(dev, dev->msix_cap + 2, ctrl | 0x8000);
}

void qpci_msix_disable(QPCIDevice *dev)
{
    uint16_t ctrl;

    msix_locate(dev);
    ctrl = qpci_config_readw(dev, dev->msix_cap + 2);
    qpci_config_writew(dev, dev->msix_cap + 2, ctrl & ~0x8000);
}

void qpci_msix_set_function_mask(QPCIDevice *dev, bool masked)
{
    uint16_t ctrl;

    msix_locate(dev);
    ctrl = qpci_config_readw(dev, dev->msix_cap + 2);
    ctrl = masked ? (ctrl | 0x4000) : (ctrl & ~0x4000);
    qpci_config_writew(dev, dev->msix_cap + 2, ctrl);
}

void qpci_msix_set_vector(QPCIDevice *dev, unsigned vector, uint64_t addr,
                          uint32_t data)
{
    uint64_t e;

    msix_locate(dev);
    e = dev->msix_table + 16 * vector;
    qtest_writel(dev->bus->qts, e, (uint32_t)addr);
    qtest_writel(dev->bus->qts, e + 4, addr >> 32);
    qtest_writel(dev->bus->qts, e + 8, data);
}

void qpci_msix_mask_vector(QPCIDevice *dev, unsigned vector, bool masked)
{
    uint64_t ctrl;
    uint32_t v;

    msix_locate(dev);
    ctrl = dev->msix_table + 16 * vector + 12;
    v = qtest_readl(dev->bus->qts, ctrl);
    qtest_writel(dev->bus->qts, ctrl, masked ? (v | 1) : (v & ~1u));
}

bool qpci_msix_pending(QPCIDevice *dev, unsigned vector)
{
    msix_locate(dev);
    return qtest_readb(dev->bus->qts, dev->msix_pba + vector / 8) &
           (1u << (vector % 8));
}
