/* SPDX-License-Identifier: GPL-2.0-or-later */
/* PCI Express capability helpers for devices. */
#ifndef HW_PCI_PCIE_H
#define HW_PCI_PCIE_H

#include <stdbool.h>
#include <stdint.h>
#include "hw/pci/pci.h"

/* True when the device has the 4 KiB (PCI Express) configuration space:
 * its class is express and it sits on an express bus. */
bool pci_is_express(const PCIDevice *dev);

/*
 * Add a version 2 PCI Express capability at @offset (0 = first free):
 * a Root Complex Integrated Endpoint on a root bus, an Endpoint behind a
 * port.  The link reads x1 at 2.5 GT/s, with Data Link Layer Link Active
 * unless the device's x-pcie-lnksta-dllla property is off.  Returns the
 * offset, or 0 with @errp set.
 */
uint8_t pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset, Error **errp);

#endif
