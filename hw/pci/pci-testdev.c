/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "pci-testdev": QEMU's PCI test device (ids 1b36:0005).  BAR0 is 4 KiB of
 * memory and BAR1 256 bytes of I/O, each starting with the test header
 * described in QEMU's docs/specs/pci-testdev.rst; BAR2 is an optional
 * 64-bit prefetchable BAR of "membar" bytes without storage.
 *
 * Vireo extension for tests (off by default, so the device looks exactly
 * like QEMU's unless asked): x-msix-vectors=N and/or x-intx-pin=1..4 add a
 * 4 KiB memory BAR4 with the MSI-X table at 0, the PBA at 0x800 and a
 * doorbell at 0xc00: a 32-bit write of V to 0xc00 signals MSI-X vector V,
 * a write of L to 0xc04 drives the INTx pin to level L.
 */
#include <string.h>
#include <glib.h>
#include "hw/pci/msix.h"
#include "hw/pci/pci-internal.h"
#include "hw/pci/pci.h"

#define TESTDEV_MEM_SIZE  4096
#define TESTDEV_IO_SIZE   256
#define TESTDEV_NTESTS    3
#define TESTDEV_DATAMATCH 0xfa
#define TESTDEV_NAME_OFF  16
#define DOORBELL_BAR      4
#define DOORBELL_BAR_SIZE 4096
#define DOORBELL_MSIX_PBA 0x800
#define DOORBELL_VECTOR   0xc00
#define DOORBELL_INTX     0xc04

typedef struct TestdevBar {
    bool io;
    uint8_t current;                /* selected test */
    uint32_t count[TESTDEV_NTESTS]; /* writes seen per test */
} TestdevBar;

typedef struct PCITestDev {
    PCIDevice parent;
    uint64_t membar_size;
    uint32_t msix_vectors;
    uint8_t intx_pin;
    TestdevBar bar[2];
} PCITestDev;

static const char *const test_names[TESTDEV_NTESTS] = {
    "no-eventfd",
    "wildcard-eventfd",
    "datamatch-eventfd",
};

/* Each test's register lives in the second half of the BAR. */
static uint32_t test_offset(const TestdevBar *b, unsigned t)
{
    return (b->io ? TESTDEV_IO_SIZE : TESTDEV_MEM_SIZE) / 2 + 4 * t;
}

static uint8_t header_byte(const TestdevBar *b, uint64_t off)
{
    unsigned t = b->current;
    uint8_t hdr[TESTDEV_NAME_OFF + 32] = {0};
    char *name;

    if (t >= TESTDEV_NTESTS) {
        return 0; /* width 0: no such test on this BAR */
    }
    hdr[0] = t;
    hdr[1] = 1;
    pci_set_long(hdr + 4, test_offset(b, t));
    hdr[8] = t == 2 ? TESTDEV_DATAMATCH : 0;
    pci_set_long(hdr + 12, b->count[t]);
    name = g_strdup_printf("%s-%s", b->io ? "portio" : "mmio", test_names[t]);
    strncpy((char *)hdr + TESTDEV_NAME_OFF, name, 31);
    g_free(name);
    return off < sizeof(hdr) ? hdr[off] : 0;
}

static uint64_t testdev_read(TestdevBar *b, uint64_t off, unsigned size)
{
    uint64_t val = 0;

    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)header_byte(b, off + i) << (8 * i);
    }
    return val;
}

static void testdev_write(TestdevBar *b, uint64_t off, uint64_t val,
                          unsigned size)
{
    if (off == 0) {
        b->current = val;
        return;
    }
    for (unsigned t = 0; t < TESTDEV_NTESTS; t++) {
        if (off == test_offset(b, t)) {
            if (t != 2 || (val & 0xff) == TESTDEV_DATAMATCH) {
                b->count[t]++;
            }
            return;
        }
    }
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    return testdev_read(&((PCITestDev *)opaque)->bar[0], off, size);
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    testdev_write(&((PCITestDev *)opaque)->bar[0], off, val, size);
}

static uint64_t pio_read(void *opaque, uint64_t off, unsigned size)
{
    return testdev_read(&((PCITestDev *)opaque)->bar[1], off, size);
}

static void pio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    testdev_write(&((PCITestDev *)opaque)->bar[1], off, val, size);
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read, .write = mmio_write, .max_access = 4};
static const MemoryRegionOps pio_ops = {
    .read = pio_read, .write = pio_write, .max_access = 4};
static const MemoryRegionOps membar_ops = {0};

static void doorbell_write(void *opaque, uint64_t off, uint64_t val,
                           unsigned size)
{
    PCITestDev *d = opaque;

    if (off == DOORBELL_VECTOR && size == 4) {
        msix_notify(&d->parent, val);
    } else if (off == DOORBELL_INTX && size == 4) {
        pci_set_irq(&d->parent, val != 0);
    }
}

static const MemoryRegionOps doorbell_ops = {
    .write = doorbell_write, .min_access = 4, .max_access = 4};

static bool testdev_realize(PCIDevice *dev, Error **errp)
{
    PCITestDev *d = (PCITestDev *)dev;

    d->bar[0].io = false;
    d->bar[1].io = true;
    dev->config[PCI_INTERRUPT_PIN] = d->intx_pin;
    if (d->intx_pin > 4) {
        error_setg(errp, "x-intx-pin must be 0..4");
        return false;
    }
    if (d->msix_vectors > 128) {
        error_setg(errp, "x-msix-vectors must be 0..128");
        return false;
    }
    if (!pci_register_bar(dev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY,
                          TESTDEV_MEM_SIZE, &mmio_ops, d, errp) ||
        !pci_register_bar(dev, 1, PCI_BASE_ADDRESS_SPACE_IO, TESTDEV_IO_SIZE,
                          &pio_ops, d, errp)) {
        return false;
    }
    if (d->membar_size &&
        !pci_register_bar(dev, 2,
                          PCI_BASE_ADDRESS_MEM_TYPE_64 |
                              PCI_BASE_ADDRESS_MEM_PREFETCH,
                          d->membar_size, &membar_ops, d, errp)) {
        error_prepend(errp, "membar: ");
        return false;
    }
    if (!d->msix_vectors && !d->intx_pin) {
        return true;
    }
    if (!pci_register_bar(dev, DOORBELL_BAR, PCI_BASE_ADDRESS_SPACE_MEMORY,
                          DOORBELL_BAR_SIZE, &doorbell_ops, d, errp)) {
        return false;
    }
    if (d->msix_vectors) {
        if (!msix_init(dev, d->msix_vectors, DOORBELL_BAR, 0, DOORBELL_MSIX_PBA,
                       errp)) {
            return false;
        }
        for (unsigned v = 0; v < d->msix_vectors; v++) {
            msix_vector_use(dev, v);
        }
    }
    return true;
}

static void testdev_reset(PCIDevice *dev)
{
    PCITestDev *d = (PCITestDev *)dev;

    memset(d->bar[0].count, 0, sizeof(d->bar[0].count));
    memset(d->bar[1].count, 0, sizeof(d->bar[1].count));
    d->bar[0].current = d->bar[1].current = 0;
}

static const Property testdev_props[] = {
    DEFINE_PROP_SIZE("membar", PCITestDev, membar_size, 0),
    DEFINE_PROP_UINT32("x-msix-vectors", PCITestDev, msix_vectors, 0),
    DEFINE_PROP_UINT8("x-intx-pin", PCITestDev, intx_pin, 0),
    DEFINE_PROP_END,
};

static PCIDeviceClass testdev_class = {
    .parent =
        {
            .type = {.name = "pci-testdev",
                     .parent = TYPE_PCI_DEVICE,
                     .interfaces =
                         (const char *const[]){
                             INTERFACE_CONVENTIONAL_PCI_DEVICE, NULL}},
            .instance_size = sizeof(PCITestDev),
            .props = testdev_props,
            .category = "Misc devices",
            .desc = "PCI Test Device",
            .user_creatable = true,
            .hotpluggable = true,
        },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = 0x0005,
    .class_id = 0x00ff, /* "other" */
    .realize = testdev_realize,
    .reset = testdev_reset,
};

void pci_testdev_register_types(void)
{
    pci_device_class_register(&testdev_class);
}
