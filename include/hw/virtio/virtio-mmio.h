/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio over MMIO: one transport per slot, each with its own bus
 * ("virtio-mmio-bus.N") that takes one virtio device such as
 * virtio-net-device.  Legacy (version 1) by default, as QEMU's
 * force-legacy=on; modern (version 2) with -global virtio-mmio.force-legacy=off.
 */
#ifndef HW_VIRTIO_VIRTIO_MMIO_H
#define HW_VIRTIO_VIRTIO_MMIO_H

#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_DEVICE "virtio-device"
#define VIRTIO_BUS_KIND "virtio-bus"

typedef struct VirtIOMMIOSlot VirtIOMMIOSlot;

/* Create @count transports at @base + i * @stride; slot i interrupts on
 * @irqs[i].  Buses are offered from the last slot down, so the first
 * -device lands at the highest address, as on QEMU's virt machines. */
void virtio_mmio_create_slots(uint64_t base, uint64_t stride, int count,
                              IrqLine **irqs, bool force_legacy);

/* For a virtio device realized on a virtio-mmio bus: bind it. */
bool virtio_mmio_attach(BusState *bus, VirtIODevice *vdev, Error **errp);
void virtio_mmio_detach(BusState *bus);
/* The device path QEMU gives a device on that slot's bus, which names its
 * migration section: "virtio-mmio@<base, 16 hex digits>". */
char *virtio_mmio_dev_path(BusState *bus);

void virtio_mmio_register_types(void);
void virtio_net_device_register_types(void);

#endif
