/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net-pci, -transitional and -non-transitional. */
#include <glib.h>
#include "hw/net/virtio-net.h"
#include "hw/virtio/virtio-pci.h"

typedef struct VirtIONetPCI {
    VirtIOPCIProxy proxy;
    VirtIONet vnet;
} VirtIONetPCI;

static VirtIODevice *vnet_pci_realize(VirtIOPCIProxy *proxy, Error **errp)
{
    VirtIONetPCI *d = (VirtIONetPCI *)proxy;
    DeviceState *dev = &proxy->pci.qdev;

    if (!virtio_net_realize(&d->vnet, dev, dev->cls->type.name,
                            dev->cls->type.name, errp)) {
        return NULL;
    }
    return &d->vnet.vdev;
}

static void vnet_pci_unrealize(VirtIOPCIProxy *proxy)
{
    virtio_net_unrealize(&((VirtIONetPCI *)proxy)->vnet);
}

static unsigned vnet_pci_vectors(VirtIOPCIProxy *proxy)
{
    return virtio_net_default_vectors(&((VirtIONetPCI *)proxy)->vnet);
}

static const Property vnet_pci_props[] = {
    VIRTIO_PCI_PROPERTIES(VirtIONetPCI),
    VIRTIO_NET_PROPERTIES(VirtIONetPCI, vnet),
    DEFINE_PROP_END,
};

static const char *const pci_ifaces[] = { "conventional-pci-device",
                                          "pci-express-device", NULL };

static VirtioPCIClass vnet_pci_base = {
    .parent = {
        .parent = {
            .type = { .name = "virtio-net-pci-base", .parent = "virtio-pci",
                      .abstract = true },
            .instance_size = sizeof(VirtIONetPCI),
            .props = vnet_pci_props,
            .category = "Network devices",
        },
        .class_id = 0x0200,
    },
    .device_realize = vnet_pci_realize,
    .device_unrealize = vnet_pci_unrealize,
    .default_vectors = vnet_pci_vectors,
    .force_legacy = -1,
};

#define VNET_PCI_LEAF(_name, _desc, _ifaces, _force)                        \
    {                                                                       \
        .parent = {                                                         \
            .parent = {                                                     \
                .type = { .name = (_name), .parent = "virtio-net-pci-base", \
                          .interfaces = (_ifaces) },                        \
                .category = "Network devices",                              \
                .desc = (_desc),                                            \
                .user_creatable = true,                                     \
                .hotpluggable = true,                                       \
            },                                                              \
        },                                                                  \
        .force_legacy = (_force),                                           \
    }

static VirtioPCIClass vnet_pci_leaves[] = {
    VNET_PCI_LEAF("virtio-net-pci", "virtio network device", pci_ifaces, -1),
    VNET_PCI_LEAF("virtio-net-pci-transitional",
                  "virtio network device (transitional)", pci_ifaces, 1),
    VNET_PCI_LEAF("virtio-net-pci-non-transitional",
                  "virtio network device (modern only)", pci_ifaces, 0),
};

void virtio_net_pci_register_types(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    virtio_pci_register_types();
    pci_device_class_register(&vnet_pci_base.parent);
    for (size_t i = 0; i < G_N_ELEMENTS(vnet_pci_leaves); i++) {
        pci_device_class_register(&vnet_pci_leaves[i].parent);
    }
}
