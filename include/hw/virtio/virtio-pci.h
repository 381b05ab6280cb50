/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio over PCI: the modern interface (vendor capabilities in BAR 4,
 * MSI-X in BAR 1) and, for transitional devices, the legacy I/O BAR 0.
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"
#define PCI_VENDOR_ID_REDHAT_QUMRANET 0x1af4
#define VIRTIO_PCI_VECTORS_UNSET 0xffffffffu

typedef struct VirtIOPCIProxy VirtIOPCIProxy;

typedef struct VirtioPCIClass {
    PCIDeviceClass parent;
    /* Realize the embedded virtio device and return it. */
    VirtIODevice *(*device_realize)(VirtIOPCIProxy *proxy, Error **errp);
    void (*device_unrealize)(VirtIOPCIProxy *proxy);
    /* vectors when the property is unset */
    unsigned (*default_vectors)(VirtIOPCIProxy *proxy);
    /* "transitional" / "non-transitional" variants force the interfaces */
    int force_legacy; /* -1: auto, 0: no legacy, 1: legacy */
} VirtioPCIClass;

struct VirtIOPCIProxy {
    PCIDevice pci;
    int disable_legacy;     /* OnOffAuto */
    bool disable_modern;
    uint32_t nvectors;
    bool ioeventfd;
    bool modern_pio_notify;
    bool page_per_vq;
    bool ats;
    bool aer;
    VirtIODevice *vdev;
    bool legacy;
    bool modern;
    uint32_t dfselect;
    uint32_t gfselect;
    uint32_t guest_features[2];
};

#define VIRTIO_PCI_PROPERTIES(S)                                           \
    DEFINE_PROP_ON_OFF_AUTO("disable-legacy", S, proxy.disable_legacy,     \
                            ON_OFF_AUTO_AUTO),                             \
    DEFINE_PROP_BOOL("disable-modern", S, proxy.disable_modern, false),    \
    DEFINE_PROP_UINT32("vectors", S, proxy.nvectors,                       \
                       VIRTIO_PCI_VECTORS_UNSET),                          \
    DEFINE_PROP_BOOL("ioeventfd", S, proxy.ioeventfd, true),               \
    DEFINE_PROP_BOOL("modern-pio-notify", S, proxy.modern_pio_notify,      \
                     false),                                               \
    DEFINE_PROP_BOOL("page-per-vq", S, proxy.page_per_vq, false),          \
    DEFINE_PROP_BOOL("ats", S, proxy.ats, false),                          \
    DEFINE_PROP_BOOL("aer", S, proxy.aer, false)

/* QEMU's device path of a PCI function, e.g. "0000:00:04.0" (g_free). */
char *virtio_pci_dev_path(PCIDevice *dev);

void virtio_pci_register_types(void);
void virtio_net_pci_register_types(void);

#endif
