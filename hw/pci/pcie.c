/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The PCI Express capability of endpoints. */
#include "hw/pci/pcie.h"

#define PCIE_DEVCAP_RBER     0x00008000u
#define PCIE_DEVCTL_WMASK    0x7cff /* error reporting, payload, read req... */
#define PCIE_DEVSTA_W1C      0x000f /* the four error-detected bits */
#define PCIE_LNKCAP_X1_2_5GT 0x00000011u
#define PCIE_LNKCTL_WMASK    0x01c3 /* ASPM, RCB, common clock, ext synch */

bool pci_is_express(const PCIDevice *dev)
{
    return dev->config_size == PCIE_CONFIG_SPACE_SIZE;
}

uint8_t pcie_endpoint_cap_init(PCIDevice *dev, uint8_t offset, Error **errp)
{
    uint8_t type =
        pci_bus_is_root(dev->bus) ? PCI_EXP_TYPE_RC_END : PCI_EXP_TYPE_ENDPOINT;
    uint16_t lnksta = PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1;
    uint8_t pos;

    if (!pci_is_express(dev)) {
        error_setg(errp,
                   "%s: a PCI Express capability needs an express "
                   "device on an express bus",
                   dev->qdev.cls->type.name);
        return 0;
    }
    pos =
        pci_add_capability(dev, PCI_CAP_ID_EXP, offset, PCI_EXP_CAP_SIZE, errp);
    if (!pos) {
        return 0;
    }
    pci_set_word(dev->config + pos + PCI_EXP_FLAGS, 2 | (type << 4));
    pci_set_long(dev->config + pos + PCI_EXP_DEVCAP, PCIE_DEVCAP_RBER);
    pci_set_word(dev->wmask + pos + PCI_EXP_DEVCTL, PCIE_DEVCTL_WMASK);
    pci_set_word(dev->w1cmask + pos + PCI_EXP_DEVSTA, PCIE_DEVSTA_W1C);
    if (type == PCI_EXP_TYPE_ENDPOINT) {
        pci_set_long(dev->config + pos + PCI_EXP_LNKCAP, PCIE_LNKCAP_X1_2_5GT);
        pci_set_word(dev->wmask + pos + PCI_EXP_LNKCTL, PCIE_LNKCTL_WMASK);
        if (dev->x_pcie_lnksta_dllla) {
            lnksta |= PCI_EXP_LNKSTA_DLLLA;
        }
        pci_set_word(dev->config + pos + PCI_EXP_LNKSTA, lnksta);
    }
    pci_set_word(dev->wmask + pos + PCI_EXP_DEVCTL2, 0x040f);
    return pos;
}
