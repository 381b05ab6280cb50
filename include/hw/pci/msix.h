/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI-X: the capability, the vector table and the pending bit array (PBA)
 * inside a device's BAR, per-vector and function masking, and delivery as
 * a 32-bit memory write of the vector's data to its address.
 */
#ifndef HW_PCI_MSIX_H
#define HW_PCI_MSIX_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/pci/pci.h"
#include "migration/qemu-file.h"

/*
 * Add the MSI-X capability with @nvectors (1..2048) vectors whose table is
 * at @table_off and PBA at @pba_off in BAR @bar, which must already be
 * registered (pci_register_bar) and large enough.  Vectors start masked.
 */
bool msix_init(PCIDevice *dev, unsigned nvectors, int bar, uint32_t table_off,
               uint32_t pba_off, Error **errp);
/* Register BAR @bar as a 32-bit memory BAR holding only the table (at 0)
 * and the PBA (at half the BAR, or right after a larger table), as QEMU
 * lays out its exclusive MSI-X BAR. */
bool msix_init_exclusive_bar(PCIDevice *dev, unsigned nvectors, int bar,
                             Error **errp);
void msix_uninit(PCIDevice *dev);
/* Back to power-on state: disabled, every vector masked, nothing pending. */
void msix_reset(PCIDevice *dev);

bool msix_present(const PCIDevice *dev);
bool msix_enabled(const PCIDevice *dev);
unsigned msix_nr_vectors(const PCIDevice *dev);
/* Masked by its entry, the function mask, or MSI-X being disabled. */
bool msix_is_masked(const PCIDevice *dev, unsigned vector);
bool msix_is_pending(const PCIDevice *dev, unsigned vector);
/* Signal @vector: delivered now, or left pending while masked.  Vectors
 * not marked used and out-of-range vectors are ignored. */
void msix_notify(PCIDevice *dev, unsigned vector);
/* A device marks the vectors it will signal. */
bool msix_vector_use(PCIDevice *dev, unsigned vector);
void msix_vector_unuse(PCIDevice *dev, unsigned vector);
void msix_unuse_all_vectors(PCIDevice *dev);

/* Called by the PCI core. */
void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len);
bool msix_bar_access(PCIDevice *dev, int bar, uint64_t off, unsigned size,
                     uint64_t *val, bool is_write);

/* Migration of the vector table and PBA (the capability itself is in
 * config space).  The load refuses another vector count and PBA bits
 * beyond the vectors, and delivers nothing. */
bool msix_vmstate_save(PCIDevice *dev, QEMUFile *f, Error **errp);
bool msix_vmstate_load(PCIDevice *dev, QEMUFile *f, Error **errp);
/* The same in QEMU's msix_save()/msix_load() layout (no vector count:
 * the table, then ceil(nvectors / 8) PBA bytes), as virtio-pci carries it
 * in its transport config.  Nothing is written or read without MSI-X. */
void msix_save_qemu(PCIDevice *dev, QEMUFile *f);
bool msix_load_qemu(PCIDevice *dev, QEMUFile *f, Error **errp);

#endif
