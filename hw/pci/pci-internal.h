/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the PCI core files only. */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

void pci_host_register_types(void);       /* hw/pci-host/gpex.c */
void pci_testdev_register_types(void);    /* hw/pci/pci-testdev.c */
void pcie_root_port_register_types(void); /* hw/pci/pcie-root-port.c */

#endif
