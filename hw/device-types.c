/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Every device type, registered once at start-up before options are read
 * (so that -device help and qom-list-types see them). */
#include "hw/device-types.h"
#include "hw/pci/pci.h"
#include "hw/virtio/virtio-mmio.h"
#include "hw/virtio/virtio-pci.h"

void device_types_register_all(void)
{
    pci_register_types();
    virtio_pci_register_types();
    virtio_net_pci_register_types();
    virtio_net_device_register_types();
}
