/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net-device: virtio-net on a virtio-mmio slot. */
#include <glib.h>
#include "hw/net/virtio-net.h"
#include "hw/virtio/virtio-mmio.h"

typedef struct VirtIONetDevice {
    DeviceState qdev;
    VirtIONet vnet;
} VirtIONetDevice;

static bool vnet_dev_realize(DeviceState *dev, Error **errp)
{
    VirtIONetDevice *d = (VirtIONetDevice *)dev;
    char *path;
    bool ok;

    if (!dev->parent_bus) {
        error_setg(errp, "virtio-net-device needs a virtio-mmio slot");
        return false;
    }
    if (!virtio_net_realize(&d->vnet, dev, dev->cls->type.name,
                            dev->cls->type.name, errp)) {
        return false;
    }
    if (!virtio_mmio_attach(dev->parent_bus, &d->vnet.vdev, errp)) {
        return false;
    }
    path = virtio_mmio_dev_path(dev->parent_bus);
    ok = virtio_net_register_migration(&d->vnet, path, errp);
    g_free(path);
    if (!ok) {
        virtio_mmio_detach(dev->parent_bus);
        virtio_net_unrealize(&d->vnet);
    }
    return ok;
}

static void vnet_dev_unrealize(DeviceState *dev)
{
    VirtIONetDevice *d = (VirtIONetDevice *)dev;

    virtio_mmio_detach(dev->parent_bus);
    virtio_net_unrealize(&d->vnet);
}

static void vnet_dev_reset(DeviceState *dev)
{
    virtio_reset(&((VirtIONetDevice *)dev)->vnet.vdev);
}

static const Property vnet_dev_props[] = {
    VIRTIO_NET_PROPERTIES(VirtIONetDevice, vnet),
    DEFINE_PROP_END,
};

static DeviceClass vnet_dev_class = {
    .type = { .name = "virtio-net-device", .parent = TYPE_VIRTIO_DEVICE },
    .instance_size = sizeof(VirtIONetDevice),
    .props = vnet_dev_props,
    .category = "Network devices",
    .desc = "virtio network device on a virtio-mmio slot",
    .bus_type = VIRTIO_BUS_KIND,
    .user_creatable = true,
    .realize = vnet_dev_realize,
    .unrealize = vnet_dev_unrealize,
    .reset = vnet_dev_reset,
};

void virtio_net_device_register_types(void)
{
    static bool done;

    if (!done) {
        done = true;
        virtio_mmio_register_types();
        device_class_register(&vnet_dev_class);
    }
}
