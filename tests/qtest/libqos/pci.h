/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A PCI driver for qtest tests: configuration space through ECAM, BAR
 * sizing and placement in the host's MMIO/PIO windows, capabilities and
 * MSI-X vectors pointed at guest RAM.  Only qtest reads/writes are used, as
 * an external qtest client (QEMU's libqos) would drive the riscv64 virt
 * machine.
 */
#ifndef TESTS_QTEST_LIBQOS_PCI_H
#define TESTS_QTEST_LIBQOS_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include "libqtest.h"

/* QEMU libqos riscv64/virt layout (generic-pcihost). */
#define QPCI_VIRT_ECAM_BASE 0x30000000ull
#define QPCI_VIRT_PIO_BASE  0x03000000ull
#define QPCI_VIRT_PIO_SIZE  0x10000ull
#define QPCI_VIRT_MMIO_BASE 0x40000000ull
#define QPCI_VIRT_MMIO_END  0x80000000ull

typedef struct QPCIBus {
    QTestState *qts;
    uint64_t ecam_base;
    uint64_t pio_base;
    uint64_t pio_alloc, pio_limit;   /* port numbers */
    uint64_t mmio_alloc, mmio_limit; /* guest physical */
} QPCIBus;

typedef struct QPCIDevice {
    QPCIBus *bus;
    int bus_num;
    int devfn;
    uint8_t msix_cap;
    int msix_bar;
    uint64_t msix_table, msix_pba; /* guest addresses once mapped */
} QPCIDevice;

typedef struct QPCIBar {
    uint64_t addr; /* guest physical (memory) or port (I/O) */
    uint64_t size;
    bool io;
    bool is64;
} QPCIBar;

QPCIBus *qpci_new_virt(QTestState *qts);
void qpci_free(QPCIBus *bus);

uint32_t qpci_ecam_offset(int bus_num, int devfn, uint32_t reg);
QPCIDevice *qpci_device_new(QPCIBus *bus, int bus_num, int devfn);
/* NULL when the function does not answer (vendor id 0xffff). */
QPCIDevice *qpci_device_find(QPCIBus *bus, int devfn);
void qpci_device_free(QPCIDevice *dev);
/* Call @fn for every present function on bus 0 (optionally filtered). */
void qpci_device_foreach(QPCIBus *bus, int vendor, int device,
                         void (*fn)(QPCIDevice *dev, int devfn, void *data),
                         void *data);

uint8_t qpci_config_readb(QPCIDevice *dev, uint32_t off);
uint16_t qpci_config_readw(QPCIDevice *dev, uint32_t off);
uint32_t qpci_config_readl(QPCIDevice *dev, uint32_t off);
void qpci_config_writeb(QPCIDevice *dev, uint32_t off, uint8_t val);
void qpci_config_writew(QPCIDevice *dev, uint32_t off, uint16_t val);
void qpci_config_writel(QPCIDevice *dev, uint32_t off, uint32_t val);

/* Memory + I/O decoding and bus mastering on. */
void qpci_device_enable(QPCIDevice *dev);
/* Size BAR @bar with the all-ones probe (restores the register);
 * 0 when not implemented. */
uint64_t qpci_bar_probe(QPCIDevice *dev, int bar, bool *io, bool *is64);
/* Allocate space in the right window and program the BAR. */
QPCIBar qpci_iomap(QPCIDevice *dev, int bar);

uint8_t qpci_io_readb(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint16_t qpci_io_readw(QPCIDevice *dev, QPCIBar bar, uint64_t off);
uint32_t qpci_io_readl(QPCIDevice *dev, QPCIBar bar, uint64_t off);
void qpci_io_writeb(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint8_t v);
void qpci_io_writew(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint16_t v);
void qpci_io_writel(QPCIDevice *dev, QPCIBar bar, uint64_t off, uint32_t v);

/* Offset of capability @id after @start (0 = from the list head). */
uint8_t qpci_find_capability(QPCIDevice *dev, uint8_t id, uint8_t start);

/* MSI-X: map the table BAR (if needed), enable, program vectors. */
void qpci_msix_enable(QPCIDevice *dev);
void qpci_msix_disable(QPCIDevice *dev);
void qpci_msix_set_function_mask(QPCIDevice *dev, bool masked);
void qpci_msix_set_vector(QPCIDevice *dev, unsigned vector, uint64_t addr,
                          uint32_t data);
void qpci_msix_mask_vector(QPCIDevice *dev, unsigned vector, bool masked);
bool qpci_msix_pending(QPCIDevice *dev, unsigned vector);
unsigned qpci_msix_table_size(QPCIDevice *dev);

#endif
