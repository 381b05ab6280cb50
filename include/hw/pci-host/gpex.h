/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generic PCI Express host ("gpex-pcihost"): an ECAM configuration
 * window, a PIO window forwarding to the I/O port space, and memory
 * windows where BARs appear at their guest-programmed addresses.
 */
#ifndef HW_PCI_HOST_GPEX_H
#define HW_PCI_HOST_GPEX_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/core/irq.h"
#include "hw/core/machine.h"
#include "hw/pci/pci.h"

#define TYPE_GPEX_HOST                 "gpex-pcihost"
#define TYPE_GPEX_ROOT_DEVICE          "gpex-root"
#define PCI_DEVICE_ID_REDHAT_PCIE_HOST 0x0008
#define GPEX_NUM_IRQS                  4

typedef struct GPEXConfig {
    const char *bus_name; /* "pcie.0" */
    uint64_t ecam_base, ecam_size;
    uint64_t pio_base, pio_size;
    PCIWindow mmio[2];            /* [0] 32-bit, [1] 64-bit; size 0 = none */
    IrqLine *intx[GPEX_NUM_IRQS]; /* host lines for INTA..INTD; may be NULL */
} GPEXConfig;

typedef struct GPEXHost {
    GPEXConfig cfg;
    PCIBus *bus;
    PCIDevice *root; /* 00.0, the host bridge function */
    MemoryRegion *ecam;
    MemoryRegion *pio;
} GPEXHost;

/* Create the root bus and host bridge and map the windows. */
GPEXHost *gpex_host_create(const GPEXConfig *cfg, Error **errp);
/* The host created for the machine, or NULL. */
GPEXHost *gpex_host_get(void);
/* Connect (or replace) the INTx lines later, e.g. once the the wired interrupt controller (PLIC or APLIC) exists. */
void gpex_set_irq_line(GPEXHost *h, int n, IrqLine *irq);

/*
 * riscv virt hook-up: the host at QEMU's addresses (ECAM 0x30000000,
 * PIO 0x03000000, MMIO 0x40000000 and the 64-bit window above RAM), host
 * INTx lines 0..3 on @intx, or when @intx is NULL on the machine's the wired interrupt controller (PLIC or APLIC)
 * sources 32..35 (virt_plic_irq; lines stay unconnected without a the wired interrupt controller (PLIC or APLIC)).
 */
bool virt_pcie_init(MachineState *ms, IrqLine *intx[GPEX_NUM_IRQS],
                    Error **errp);

#endif
