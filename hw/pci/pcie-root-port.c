/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "pcie-root-port" (1b36:000c): a PCI Express root port with one slot and
 * native hot-plug.  The slot raises its hot-plug interrupt through MSI-X
 * vector 0 (BAR0), or INTA while MSI-X is off, when HPIE is set and an
 * enabled event is pending: attention button pressed, presence detect
 * changed, command completed, data link layer state changed.
 *
 * Hot-plug: the device appears (presence + link up) and PDC/DLLSC are
 * signalled.  Unplug request: the attention button is "pressed"; the
 * removal completes when the guest powers the slot off (Power Controller
 * Control), at machine reset, or at once under -accel qtest where no guest
 * runs.
 */
#include <string.h>
#include <glib.h>
#include "hw/core/machine.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci-internal.h"
#include "hw/pci/pci.h"

#define PCI_DEVICE_ID_REDHAT_PCIE_RP 0x000c
#define RP_LNKCAP_DLLLARC            0x00100000u
#define RP_SLTCTL_WMASK              0x17ff
#define RP_SLTSTA_W1C                0x011f
#define RP_SLTCTL_PIC_ON             0x0100
#define RP_SLTCTL_PIC_OFF            0x0300
#define RP_SLTCTL_AIC_OFF            0x00c0

typedef struct PCIERootPort {
    PCIDevice parent;
    uint8_t port;
    uint8_t chassis;
    uint16_t slot;
    bool hotplug;
    bool power_controller_present;
    uint32_t bus_reserve;
    uint64_t io_reserve, mem_reserve, pref32_reserve, pref64_reserve;
    uint8_t exp;   /* PCIe capability offset */
    bool hp_level; /* hot-plug interrupt condition last seen */
    char *bus_name;
} PCIERootPort;

static unsigned rp_counter;

static uint8_t *exp_reg(PCIERootPort *rp, unsigned reg)
{
    return rp->parent.config + rp->exp + reg;
}

static PCIDevice *rp_child(PCIERootPort *rp)
{
    return rp->parent.sec_bus ? rp->parent.sec_bus->devices[0] : NULL;
}

/* Level of the hot-plug interrupt condition (PCIe base spec 6.7.3.4). */
static bool rp_hp_condition(PCIERootPort *rp)
{
    uint16_t ctl = pci_get_word(exp_reg(rp, PCI_EXP_SLTCTL));
    uint16_t sta = pci_get_word(exp_reg(rp, PCI_EXP_SLTSTA));

    if (!(ctl & PCI_EXP_SLTCTL_HPIE)) {
        return false;
    }
    return ((ctl & PCI_EXP_SLTCTL_ABPE) && (sta & PCI_EXP_SLTSTA_ABP)) ||
           ((ctl & PCI_EXP_SLTCTL_PDCE) && (sta & PCI_EXP_SLTSTA_PDC)) ||
           ((ctl & PCI_EXP_SLTCTL_CCIE) && (sta & PCI_EXP_SLTSTA_CC)) ||
           ((ctl & PCI_EXP_SLTCTL_DLLSCE) && (sta & PCI_EXP_SLTSTA_DLLSC));
}

/* MSI-X is edge-triggered on the condition's rising edge; INTx follows
 * the level. */
static void rp_update_irq(PCIERootPort *rp)
{
    bool level = rp_hp_condition(rp);
    PCIDevice *d = &rp->parent;

    if (msix_enabled(d)) {
        pci_set_irq(d, 0);
        if (level && !rp->hp_level) {
            msix_notify(d, 0);
        }
    } else {
        pci_set_irq(d, level);
    }
    rp->hp_level = level;
}

static void rp_set_status(PCIERootPort *rp, uint16_t set, uint16_t clear)
{
    uint8_t *sta = exp_reg(rp, PCI_EXP_SLTSTA);

    pci_set_word(sta, (pci_get_word(sta) & ~clear) | set);
}

static void rp_set_link(PCIERootPort *rp, bool up)
{
    uint8_t *lnksta = exp_reg(rp, PCI_EXP_LNKSTA);
    uint16_t v = PCI_EXP_LNKSTA_CLS_2_5GB | PCI_EXP_LNKSTA_NLW_X1;

    pci_set_word(lnksta, up ? v | PCI_EXP_LNKSTA_DLLLA : v);
}

static bool rp_pre_plug(PCIBus *bus, PCIDevice *dev, bool hotplug, Error **errp)
{
    PCIERootPort *rp = bus->hotplug_opaque;

    if (hotplug && !rp->hotplug) {
        error_setg(errp,
                   "Hot-plug failed: unsupported by the port device "
                   "'%s'",
                   rp->parent.qdev.id ? rp->parent.qdev.id : "");
        return false;
    }
    return true;
}

static void rp_plug(PCIBus *bus, PCIDevice *dev, bool hotplug)
{
    PCIERootPort *rp = bus->hotplug_opaque;

    rp_set_status(rp, PCI_EXP_SLTSTA_PDS, 0);
    rp_set_link(rp, true);
    if (hotplug) {
        rp_set_status(rp, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC, 0);
        rp_update_irq(rp);
    }
}

static bool rp_slot_powered_off(PCIERootPort *rp)
{
    return rp->power_controller_present &&
           (pci_get_word(exp_reg(rp, PCI_EXP_SLTCTL)) & PCI_EXP_SLTCTL_PCC);
}

static bool rp_unplug_request(PCIBus *bus, PCIDevice *dev, Error **errp)
{
    PCIERootPort *rp = bus->hotplug_opaque;
    MachineState *ms = current_machine;

    if (!rp->hotplug) {
        error_setg(errp,
                   "Hot-unplug failed: unsupported by the port device "
                   "'%s'",
                   rp->parent.qdev.id ? rp->parent.qdev.id : "");
        return false;
    }
    if (rp_slot_powered_off(rp) ||
        (ms && ms->accel && !strcmp(ms->accel, "qtest"))) {
        return true;
    }
    /* Ask the guest: press the attention button. */
    rp_set_status(rp, PCI_EXP_SLTSTA_ABP, 0);
    rp_update_irq(rp);
    return false;
}

static void rp_unplug(PCIBus *bus, PCIDevice *dev)
{
    PCIERootPort *rp = bus->hotplug_opaque;

    rp_set_status(rp, PCI_EXP_SLTSTA_PDC | PCI_EXP_SLTSTA_DLLSC,
                  PCI_EXP_SLTSTA_PDS);
    rp_set_link(rp, false);
    rp_update_irq(rp);
}

static const PCIHotplugOps rp_hotplug_ops = {
    .pre_plug = rp_pre_plug,
    .plug = rp_plug,
    .unplug_request = rp_unplug_request,
    .unplug = rp_unplug,
};

static void rp_config_write(PCIDevice *d, uint32_t addr, uint32_t val,
                            unsigned len)
{
    PCIERootPort *rp = (PCIERootPort *)d;
    uint32_t ctl = rp->exp + PCI_EXP_SLTCTL;
    uint16_t old = pci_get_word(exp_reg(rp, PCI_EXP_SLTCTL));
    PCIDevice *child;

    pci_default_write_config(d, addr, val, len);
    if (addr < ctl + 2 && addr + len > ctl) {
        /* Every Slot Control write is a command that completes at once. */
        rp_set_status(rp, PCI_EXP_SLTSTA_CC, 0);
        child = rp_child(rp);
        if (child && child->unplug_pending && !(old & PCI_EXP_SLTCTL_PCC) &&
            rp_slot_powered_off(rp)) {
            /* The guest released the device: finish the removal. */
            pci_unplug_complete(child);
        }
    }
    rp_update_irq(rp);
}

static void rp_reset(PCIDevice *d)
{
    PCIERootPort *rp = (PCIERootPort *)d;
    PCIDevice *child = rp_child(rp);
    uint16_t ctl = RP_SLTCTL_AIC_OFF;

    /* A populated slot is powered with its indicator on. */
    ctl |= child ? RP_SLTCTL_PIC_ON : RP_SLTCTL_PIC_OFF | PCI_EXP_SLTCTL_PCC;
    if (!rp->power_controller_present) {
        ctl &= ~PCI_EXP_SLTCTL_PCC;
    }
    pci_set_word(exp_reg(rp, PCI_EXP_SLTCTL), ctl);
    pci_set_word(exp_reg(rp, PCI_EXP_SLTSTA), child ? PCI_EXP_SLTSTA_PDS : 0);
    rp_set_link(rp, child != NULL);
    rp->hp_level = false;
    rp_update_irq(rp);
}

static bool rp_init_exp_cap(PCIERootPort *rp, Error **errp)
{
    PCIDevice *d = &rp->parent;
    uint32_t sltcap;

    rp->exp = pci_add_capability(d, PCI_CAP_ID_EXP, 0, PCI_EXP_CAP_SIZE, errp);
    if (!rp->exp) {
        return false;
    }
    /* Version 2, root port, slot implemented. */
    pci_set_word(exp_reg(rp, PCI_EXP_FLAGS),
                 2 | (PCI_EXP_TYPE_ROOT_PORT << 4) | PCI_EXP_FLAGS_SLOT);
    pci_set_long(exp_reg(rp, PCI_EXP_DEVCAP), 0x00008000); /* RBER */
    pci_set_long(exp_reg(rp, PCI_EXP_LNKCAP),
                 ((uint32_t)rp->port << 24) | RP_LNKCAP_DLLLARC | 0x10 | 0x1);
    sltcap = ((uint32_t)rp->slot << PCI_EXP_SLTCAP_PSN_SHIFT);
    if (rp->hotplug) {
        sltcap |= PCI_EXP_SLTCAP_ABP | PCI_EXP_SLTCAP_AIP | PCI_EXP_SLTCAP_PIP |
                  PCI_EXP_SLTCAP_HPC;
        if (rp->power_controller_present) {
            sltcap |= PCI_EXP_SLTCAP_PCP;
        }
    }
    pci_set_long(exp_reg(rp, PCI_EXP_SLTCAP), sltcap);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_DEVCTL, 0xffff);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_LNKCTL, 0x0fff);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_SLTCTL, RP_SLTCTL_WMASK);
    pci_set_word(d->w1cmask + rp->exp + PCI_EXP_SLTSTA, RP_SLTSTA_W1C);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_RTCTL, 0x001f);
    pci_set_long(d->w1cmask + rp->exp + PCI_EXP_RTSTA, 0x00010000);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_DEVCTL2, 0xffff);
    pci_set_word(d->wmask + rp->exp + PCI_EXP_LNKCTL2, 0xffff);
    return true;
}

static bool rp_realize(PCIDevice *d, Error **errp)
{
    PCIERootPort *rp = (PCIERootPort *)d;
    PCIBus *bus;

    if (!pci_bus_is_express(d->bus)) {
        error_setg(errp, "pcie-root-port must be plugged into a PCI Express "
                         "bus");
        return false;
    }
    d->config[PCI_INTERRUPT_PIN] = 1;
    if (!msix_init_exclusive_bar(d, 1, 0, errp) || !rp_init_exp_cap(rp, errp)) {
        return false;
    }
    msix_vector_use(d, 0);
    rp->bus_name = d->qdev.id ? g_strdup(d->qdev.id)
                              : g_strdup_printf("pcie.%u", ++rp_counter);
    if (bus_find(rp->bus_name)) {
        error_setg(errp, "Bus '%s' already exists", rp->bus_name);
        g_clear_pointer(&rp->bus_name, g_free);
        return false;
    }
    bus = pci_bus_new_secondary(d, rp->bus_name);
    bus->slot0_only = true;
    bus->hotplug = &rp_hotplug_ops;
    bus->hotplug_opaque = rp;
    rp_reset(d);
    return true;
}

static void rp_exit(PCIDevice *d)
{
    PCIERootPort *rp = (PCIERootPort *)d;
    PCIBus *bus = d->sec_bus;

    /* Children go first; they cannot live without their bus. */
    for (int i = 0; bus && i < 256; i++) {
        if (bus->devices[i]) {
            qdev_free(&bus->devices[i]->qdev);
        }
    }
    pci_bus_free(bus);
    g_clear_pointer(&rp->bus_name, g_free);
}

static const Property rp_props[] = {
    DEFINE_PROP_UINT8("port", PCIERootPort, port, 0),
    DEFINE_PROP_UINT8("chassis", PCIERootPort, chassis, 0),
    DEFINE_PROP_UINT16("slot", PCIERootPort, slot, 0),
    DEFINE_PROP_BOOL("hotplug", PCIERootPort, hotplug, true),
    DEFINE_PROP_BOOL("power_controller_present", PCIERootPort,
                     power_controller_present, true),
    DEFINE_PROP_UINT32("bus-reserve", PCIERootPort, bus_reserve, UINT32_MAX),
    DEFINE_PROP_SIZE("io-reserve", PCIERootPort, io_reserve, -1),
    DEFINE_PROP_SIZE("mem-reserve", PCIERootPort, mem_reserve, -1),
    DEFINE_PROP_SIZE("pref32-reserve", PCIERootPort, pref32_reserve, -1),
    DEFINE_PROP_SIZE("pref64-reserve", PCIERootPort, pref64_reserve, -1),
    DEFINE_PROP_END,
};

/* After a migration: the hot-plug condition as the registers now say,
 * so the next change raises (or not) exactly as it would have on the
 * source. */
static bool rp_post_load(PCIDevice *d, Error **errp)
{
    PCIERootPort *rp = (PCIERootPort *)d;

    rp->hp_level = rp_hp_condition(rp);
    return true;
}

static PCIDeviceClass pci_bridge_class = {
    .parent = {.type = {.name = "pci-bridge",
                        .parent = TYPE_PCI_DEVICE,
                        .abstract = true}},
    .is_bridge = true,
};

static PCIDeviceClass pcie_port_class = {
    .parent = {.type = {.name = "pcie-port",
                        .parent = "pci-bridge",
                        .abstract = true,
                        .interfaces =
                            (const char *const[]){INTERFACE_PCIE_DEVICE,
                                                  NULL}}},
    .is_express = true,
};

static PCIDeviceClass rp_base_class = {
    .parent = {.type = {.name = "pcie-root-port-base",
                        .parent = "pcie-port",
                        .abstract = true}},
};

static PCIDeviceClass rp_class = {
    .parent =
        {
            .type = {.name = "pcie-root-port", .parent = "pcie-root-port-base"},
            .instance_size = sizeof(PCIERootPort),
            .props = rp_props,
            .category = "Controller/Bridge/Hub devices",
            .desc = "PCI Express Root Port",
            .user_creatable = true,
            .hotpluggable = false,
        },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PCIE_RP,
    .class_id = 0x0604, /* PCI-to-PCI bridge */
    .is_express = true,
    .is_bridge = true,
    .realize = rp_realize,
    .exit = rp_exit,
    .reset = rp_reset,
    .config_write = rp_config_write,
    .config_state_only = true,
    .post_load = rp_post_load,
};

void pcie_root_port_register_types(void)
{
    pci_device_class_register(&pci_bridge_class);
    pci_device_class_register(&pcie_port_class);
    pci_device_class_register(&rp_base_class);
    pci_device_class_register(&rp_class);
}
