/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio over PCI for the qtest driver: the modern interface found through
 * the vendor capabilities, or the legacy I/O BAR 0 of a transitional
 * device; MSI-X vectors are pointed into guest RAM.
 */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_PCI_H
#define TESTS_QTEST_LIBQOS_VIRTIO_PCI_H

#include "pci.h"
#include "virtio.h"

#define QVIRTIO_PCI_VENDOR 0x1af4

/* virtio_pci_cap cfg_type values */
#define QVIRTIO_PCI_CAP_COMMON 1
#define QVIRTIO_PCI_CAP_NOTIFY 2
#define QVIRTIO_PCI_CAP_ISR 3
#define QVIRTIO_PCI_CAP_DEVICE 4
#define QVIRTIO_PCI_CAP_PCI 5

typedef struct QVirtioPCICap {
    uint8_t pos;   /* in config space; 0 when absent */
    uint8_t bar;
    uint32_t offset;
    uint32_t length;
} QVirtioPCICap;

typedef struct QVirtioPCI {
    QVirtioDevice vdev;    /* first: the generic driver sees this */
    QPCIDevice *pdev;
    bool legacy;           /* driving the legacy I/O BAR */
    QPCIBar bars[6];
    QVirtioPCICap caps[6]; /* by cfg_type */
    uint32_t notify_mult;
} QVirtioPCI;

/* Read the vendor capability of @type (without mapping anything). */
QVirtioPCICap qvirtio_pci_read_cap(QPCIDevice *pdev, uint8_t type);
/*
 * Take over the virtio device at @devfn on bus 0: enable it, map the BARs
 * the chosen interface needs (@legacy: I/O BAR 0; else the modern caps).
 */
QVirtioPCI *qvirtio_pci_new(QPCIBus *bus, int devfn, QGuestAlloc *alloc,
                            bool legacy);
/* The first function with vendor 0x1af4 (and @device_id when >= 0). */
int qvirtio_pci_find_devfn(QPCIBus *bus, int device_id);
/*
 * MSI-X on: vector v writes qvirtio_msi_data(v) to msi_base + 4v; the
 * config interrupt goes to vector 0.  Queues set up afterwards use the
 * vector given to qvirtqueue_setup.
 */
void qvirtio_pci_enable_msix(QVirtioPCI *p, uint64_t msi_base);
/* The modern common config num_queues register. */
uint16_t qvirtio_pci_num_queues(QVirtioPCI *p);
/* Raw common-config access (modern only), for register tests. */
uint32_t qvirtio_pci_common_read(QVirtioPCI *p, uint32_t off, int size);
void qvirtio_pci_common_write(QVirtioPCI *p, uint32_t off, uint32_t val,
                              int size);

#endif
