/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI core: buses, device placement, configuration space with write masks,
 * BAR decoding into the machine's address spaces, capabilities and INTx.
 */
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "hw/pci/msix.h"
#include "hw/pci/pci.h"
#include "hw/pci/pci-internal.h"
#include "migration/savevm.h"
#include "hw/intc/vmstate-helpers.h"

bool pci_hotplug_active;

static const BusClass pci_bus_class;
static GPtrArray *root_buses;

/* ------------------------------------------------------------------ */
/* classes */

static PCIDeviceClass *pci_class_parent(const PCIDeviceClass *pc)
{
    const char *parent = pc->parent.type.parent;
    const DeviceClass *dc = parent ? device_class_find(parent) : NULL;
    const TypeInfo *t = dc ? type_lookup(dc->type.name) : NULL;

    /* Only classes derived from pci-device share the PCIDeviceClass shape. */
    if (!t || !type_is_a(t, TYPE_PCI_DEVICE)) {
        return NULL;
    }
    return (PCIDeviceClass *)dc;
}

PCIDeviceClass *pci_device_get_class(const PCIDevice *dev)
{
    return (PCIDeviceClass *)dev->qdev.cls;
}

/* The nearest class in the chain where the hook at @off is set. */
static const PCIDeviceClass *class_with_hook(const PCIDevice *dev, size_t off)
{
    for (const PCIDeviceClass *c = pci_device_get_class(dev); c;
         c = pci_class_parent(c)) {
        if (*(void *const *)((const char *)c + off)) {
            return c;
        }
    }
    return NULL;
}

#define PCI_HOOK(dev, field)                                                   \
    (class_with_hook((dev), offsetof(PCIDeviceClass, field))                   \
         ? class_with_hook((dev), offsetof(PCIDeviceClass, field))->field      \
         : NULL)

/* Identity fields: the first non-zero value along the chain. */
static void class_ids(const PCIDevice *dev, PCIDeviceClass *out)
{
    memset(out, 0, sizeof(*out));
    for (const PCIDeviceClass *c = pci_device_get_class(dev); c;
         c = pci_class_parent(c)) {
        out->vendor_id = out->vendor_id ? out->vendor_id : c->vendor_id;
        out->device_id = out->device_id ? out->device_id : c->device_id;
        out->subsystem_vendor_id = out->subsystem_vendor_id
                                       ? out->subsystem_vendor_id
                                       : c->subsystem_vendor_id;
        out->subsystem_id =
            out->subsystem_id ? out->subsystem_id : c->subsystem_id;
        out->class_id = out->class_id ? out->class_id : c->class_id;
        out->revision = out->revision ? out->revision : c->revision;
        out->is_express |= c->is_express;
        out->is_bridge |= c->is_bridge;
    }
}

void pci_device_class_register(PCIDeviceClass *pc)
{
    device_class_register(&pc->parent);
}

/* ------------------------------------------------------------------ */
/* buses */

PCIBus *pci_bus_of(BusState *qbus)
{
    return qbus && qbus->cls == &pci_bus_class ? qbus->opaque : NULL;
}

static PCIBus *pci_bus_alloc(const char *name, bool express)
{
    PCIBus *bus = g_new0(PCIBus, 1);

    bus->is_express = express;
    bus->qbus = bus_new(&pci_bus_class, name, bus);
    return bus;
}

PCIBus *pci_root_bus_new(const char *name, bool express)
{
    PCIBus *bus = pci_bus_alloc(name, express);

    if (!root_buses) {
        root_buses = g_ptr_array_new();
    }
    g_ptr_array_add(root_buses, bus);
    return bus;
}

PCIBus *pci_bus_new_secondary(PCIDevice *bridge, const char *name)
{
    PCIBus *bus = pci_bus_alloc(name, pci_device_get_class(bridge)->is_express);

    bus->parent_dev = bridge;
    bridge->sec_bus = bus;
    return bus;
}

void pci_bus_free(PCIBus *bus)
{
    if (!bus) {
        return;
    }
    /* The qdev BusState stays registered by name; mark it dead instead. */
    bus->qbus->opaque = NULL;
    if (bus->parent_dev) {
        bus->parent_dev->sec_bus = NULL;
    }
    if (root_buses) {
        g_ptr_array_remove(root_buses, bus);
    }
    g_free(bus);
}

PCIBus *pci_get_root_bus(void)
{
    return root_buses && root_buses->len ? g_ptr_array_index(root_buses, 0)
                                         : NULL;
}

bool pci_bus_is_root(const PCIBus *bus)
{
    return !bus->parent_dev;
}

bool pci_bus_is_express(const PCIBus *bus)
{
    return bus->is_express;
}

uint8_t pci_bus_num(const PCIBus *bus)
{
    return bus->parent_dev ? bus->parent_dev->config[PCI_SECONDARY_BUS] : 0;
}

PCIBus *pci_find_bus_nr(PCIBus *root, int num)
{
    PCIBus *bus = root;

    /* Each step goes one bridge deeper; the depth is bounded by 256. */
    for (int depth = 0; bus && depth < 256; depth++) {
        PCIBus *next = NULL;

        if (pci_bus_num(bus) == num) {
            return bus;
        }
        for (int i = 0; i < 256 && !next; i++) {
            PCIDevice *d = bus->devices[i];
            if (d && d->sec_bus && num >= d->config[PCI_SECONDARY_BUS] &&
                num <= d->config[PCI_SUBORDINATE_BUS] &&
                d->config[PCI_SECONDARY_BUS] > pci_bus_num(bus)) {
                next = d->sec_bus;
            }
        }
        bus = next;
    }
    return NULL;
}

PCIDevice *pci_find_device(PCIBus *root, int bus_num, uint8_t devfn)
{
    PCIBus *bus = pci_find_bus_nr(root, bus_num);

    return bus ? bus->devices[devfn] : NULL;
}

/* ------------------------------------------------------------------ */
/* placement */

static const char *dev_name(const PCIDevice *dev)
{
    return dev->qdev.cls->type.name;
}

static bool check_multifunction(PCIBus *bus, PCIDevice *dev, int devfn,
                                Error **errp)
{
    int slot = PCI_SLOT(devfn);
    PCIDevice *f0 = bus->devices[PCI_DEVFN(slot, 0)];

    if (PCI_FUNC(devfn)) {
        if (f0 && !f0->multifunction) {
            error_setg(errp,
                       "PCI: single function device can't be populated "
                       "in function %x.%x",
                       slot, PCI_FUNC(devfn));
            return false;
        }
        return true;
    }
    if (dev->multifunction) {
        return true;
    }
    for (int fn = 1; fn < PCI_FUNC_MAX; fn++) {
        if (bus->devices[PCI_DEVFN(slot, fn)]) {
            error_setg(errp,
                       "PCI: %x.0 indicates single function, but %x.%x "
                       "is already populated.",
                       slot, slot, fn);
            return false;
        }
    }
    return true;
}

static bool pci_choose_devfn(PCIBus *bus, PCIDevice *dev, Error **errp)
{
    int devfn = dev->devfn;

    if (devfn < 0) {
        for (devfn = bus->devfn_min; devfn < 256; devfn += PCI_FUNC_MAX) {
            if (!bus->devices[devfn] &&
                (!bus->slot0_only || PCI_SLOT(devfn) == 0)) {
                break;
            }
        }
        if (devfn >= 256) {
            error_setg(errp,
                       "PCI: no slot/function available for %s, all in "
                       "use or reserved",
                       dev_name(dev));
            return false;
        }
    } else if (devfn > 255) {
        error_setg(errp, "PCI: devfn %d out of range for %s", devfn,
                   dev_name(dev));
        return false;
    } else if (bus->slot0_only && PCI_SLOT(devfn) != 0) {
        error_setg(errp,
                   "PCI: slot %d is not valid for %s, parent device "
                   "only allows plugging into slot 0.",
                   PCI_SLOT(devfn), dev_name(dev));
        return false;
    } else if (bus->devices[devfn]) {
        PCIDevice *other = bus->devices[devfn];
        error_setg(errp,
                   "PCI: slot %d function %d not available for %s, in "
                   "use by %s,id=\"%s\"",
                   PCI_SLOT(devfn), PCI_FUNC(devfn), dev_name(dev),
                   dev_name(other), other->qdev.id ? other->qdev.id : "");
        return false;
    }
    if (!check_multifunction(bus, dev, devfn, errp)) {
        return false;
    }
    dev->devfn = devfn;
    return true;
}

static bool pci_bus_plug(BusState *qbus, DeviceState *qdev, Error **errp)
{
    PCIBus *bus = pci_bus_of(qbus);
    PCIDevice *dev = (PCIDevice *)qdev;

    if (!bus) {
        error_setg(errp, "Bus '%s' is no longer available", qbus->name);
        return false;
    }
    if (pci_hotplug_active) {
        if (!bus->hotplug) {
            error_setg(errp, "Bus '%s' does not support hotplugging",
                       qbus->name);
            return false;
        }
        if (!qdev->cls->hotpluggable) {
            error_setg(errp, "Device '%s' does not support hotplugging",
                       dev_name(dev));
            return false;
        }
    }
    if (!pci_choose_devfn(bus, dev, errp)) {
        return false;
    }
    if (bus->hotplug && bus->hotplug->pre_plug &&
        !bus->hotplug->pre_plug(bus, dev, pci_hotplug_active, errp)) {
        return false;
    }
    dev->bus = bus;
    bus->devices[dev->devfn] = dev;
    return true;
}

static void pci_bus_unplug(BusState *qbus, DeviceState *qdev)
{
    PCIBus *bus = pci_bus_of(qbus);
    PCIDevice *dev = (PCIDevice *)qdev;

    if (bus && dev->devfn >= 0 && dev->devfn < 256 &&
        bus->devices[dev->devfn] == dev) {
        bus->devices[dev->devfn] = NULL;
        if (dev->slot_plugged && bus->hotplug && bus->hotplug->unplug) {
            bus->hotplug->unplug(bus, dev);
        }
    }
    dev->slot_plugged = false;
    dev->bus = NULL;
}

static const BusClass pci_bus_class = {
    .kind = TYPE_PCI_BUS,
    .plug = pci_bus_plug,
    .unplug = pci_bus_unplug,
};

/* ------------------------------------------------------------------ */
/* configuration space */

static void pci_init_masks(PCIDevice *dev, bool bridge)
{
    uint8_t *wm = dev->wmask;

    pci_set_word(wm + PCI_COMMAND, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                                       PCI_COMMAND_MASTER | PCI_COMMAND_PARITY |
                                       PCI_COMMAND_SERR |
                                       PCI_COMMAND_INTX_DISABLE);
    pci_set_word(dev->w1cmask + PCI_STATUS, PCI_STATUS_W1C);
    wm[PCI_CACHE_LINE_SIZE] = 0xff;
    wm[PCI_LATENCY_TIMER] = 0xff;
    wm[PCI_INTERRUPT_LINE] = 0xff;
    memset(dev->used, 0xff, 0x40); /* the header belongs to nobody else */
    if (!bridge) {
        return;
    }
    /* Bus numbers, the windows and the bridge control. */
    memset(wm + PCI_PRIMARY_BUS, 0xff, 4);
    wm[PCI_IO_BASE] = 0xf0;
    wm[PCI_IO_LIMIT] = 0xf0;
    pci_set_word(dev->w1cmask + PCI_SEC_STATUS, PCI_STATUS_W1C);
    pci_set_word(wm + PCI_MEMORY_BASE, 0xfff0);
    pci_set_word(wm + PCI_MEMORY_LIMIT, 0xfff0);
    pci_set_word(wm + PCI_PREF_MEMORY_BASE, 0xfff0);
    pci_set_word(wm + PCI_PREF_MEMORY_LIMIT, 0xfff0);
    pci_set_long(wm + PCI_PREF_BASE_UPPER32, 0xffffffff);
    pci_set_long(wm + PCI_PREF_LIMIT_UPPER32, 0xffffffff);
    pci_set_word(wm + PCI_IO_BASE_UPPER16, 0xffff);
    pci_set_word(wm + PCI_IO_LIMIT_UPPER16, 0xffff);
    pci_set_word(wm + PCI_BRIDGE_CONTROL, 0x007f);
    /* 32-bit I/O addressing and 64-bit prefetchable windows. */
    dev->config[PCI_IO_BASE] = 0x01;
    dev->config[PCI_IO_LIMIT] = 0x01;
    pci_set_word(dev->config + PCI_PREF_MEMORY_BASE, 0x0001);
    pci_set_word(dev->config + PCI_PREF_MEMORY_LIMIT, 0x0001);
}

static void pci_init_config(PCIDevice *dev)
{
    PCIDeviceClass ids;
    uint8_t *c;

    class_ids(dev, &ids);
    dev->config_size = ids.is_express && dev->bus->is_express
                           ? PCIE_CONFIG_SPACE_SIZE
                           : PCI_CONFIG_SPACE_SIZE;
    /* Always 4 KiB of storage: accesses are bounded by config_size. */
    dev->config = g_malloc0(PCIE_CONFIG_SPACE_SIZE);
    dev->wmask = g_malloc0(PCIE_CONFIG_SPACE_SIZE);
    dev->w1cmask = g_malloc0(PCIE_CONFIG_SPACE_SIZE);
    dev->used = g_malloc0(PCIE_CONFIG_SPACE_SIZE);
    c = dev->config;
    pci_set_word(c + PCI_VENDOR_ID, ids.vendor_id);
    pci_set_word(c + PCI_DEVICE_ID, ids.device_id);
    c[PCI_REVISION_ID] = ids.revision;
    pci_set_word(c + PCI_CLASS_DEVICE, ids.class_id);
    c[PCI_HEADER_TYPE] =
        ids.is_bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL;
    if (dev->multifunction) {
        c[PCI_HEADER_TYPE] |= PCI_HEADER_TYPE_MULTI_FUNCTION;
    }
    if (!ids.is_bridge) {
        pci_set_word(c + PCI_SUBSYSTEM_VENDOR_ID,
                     ids.subsystem_vendor_id
                         ? ids.subsystem_vendor_id
                         : PCI_SUBVENDOR_ID_REDHAT_QUMRANET);
        pci_set_word(c + PCI_SUBSYSTEM_ID, ids.subsystem_id
                                               ? ids.subsystem_id
                                               : PCI_SUBDEVICE_ID_QEMU);
    }
    pci_init_masks(dev, ids.is_bridge);
}

static void pci_free_config(PCIDevice *dev)
{
    g_clear_pointer(&dev->config, g_free);
    g_clear_pointer(&dev->wmask, g_free);
    g_clear_pointer(&dev->w1cmask, g_free);
    g_clear_pointer(&dev->used, g_free);
}

uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, unsigned len)
{
    uint32_t val = 0;

    if (len > 4 || addr > dev->config_size || len > dev->config_size - addr) {
        return 0xffffffffu;
    }
    for (unsigned i = 0; i < len; i++) {
        val |= (uint32_t)dev->config[addr + i] << (8 * i);
    }
    return val;
}

static bool ranges_overlap(uint32_t a, uint32_t alen, uint32_t b, uint32_t blen)
{
    return a < b + blen && b < a + alen;
}

static void pci_update_intx(PCIDevice *dev);
static void pci_update_subtree(PCIBus *bus, int depth);

void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len)
{
    bool bridge = dev->config[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_BRIDGE;
    uint32_t bar_end = bridge ? 0x18 : 0x28;
    uint32_t rom = bridge ? PCI_ROM_ADDRESS1 : PCI_ROM_ADDRESS;

    if (len > 4 || addr > dev->config_size || len > dev->config_size - addr) {
        return;
    }
    for (unsigned i = 0; i < len; i++) {
        uint8_t b = val >> (8 * i);
        uint8_t wm = dev->wmask[addr + i];
        uint8_t w1c = dev->w1cmask[addr + i];
        uint8_t *p = &dev->config[addr + i];

        *p = (*p & ~wm) | (b & wm);
        *p &= ~(b & w1c);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
        ranges_overlap(addr, len, PCI_BASE_ADDRESS_0,
                       bar_end - PCI_BASE_ADDRESS_0) ||
        ranges_overlap(addr, len, rom, 4)) {
        pci_update_mappings(dev);
    }
    if (ranges_overlap(addr, len, PCI_COMMAND, 2)) {
        pci_update_intx(dev);
    }
    if (bridge && dev->sec_bus &&
        (ranges_overlap(addr, len, PCI_COMMAND, 2) ||
         ranges_overlap(addr, len, PCI_PRIMARY_BUS, 0x34 - PCI_PRIMARY_BUS) ||
         ranges_overlap(addr, len, PCI_BRIDGE_CONTROL, 2))) {
        pci_update_subtree(dev->sec_bus, 0);
    }
    if (dev->msix) {
        msix_write_config(dev, addr, val, len);
    }
}

uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len)
{
    uint32_t (*rd)(PCIDevice *, uint32_t, unsigned) =
        PCI_HOOK(dev, config_read);

    if (len == 0 || len > 4 || addr >= dev->config_size ||
        len > dev->config_size - addr) {
        return 0xffffffffu >> (32 - 8 * (len ? MIN(len, 4) : 4));
    }
    return rd ? rd(dev, addr, len) : pci_default_read_config(dev, addr, len);
}

void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val, unsigned len)
{
    void (*wr)(PCIDevice *, uint32_t, uint32_t, unsigned) =
        PCI_HOOK(dev, config_write);

    if (len == 0 || len > 4 || addr >= dev->config_size ||
        len > dev->config_size - addr) {
        return;
    }
    if (wr) {
        wr(dev, addr, val, len);
    } else {
        pci_default_write_config(dev, addr, val, len);
    }
}

/* ------------------------------------------------------------------ */
/* BARs */

static uint64_t bar_dispatch_read(void *opaque, uint64_t off, unsigned size)
{
    PCIBar *bar = opaque;
    uint64_t val = 0;

    if (bar->dev->msix &&
        msix_bar_access(bar->dev, bar->index, off, size, &val, false)) {
        return val;
    }
    if (bar->ops && bar->ops->read) {
        return bar->ops->read(bar->opaque, off, size);
    }
    return 0;
}

static void bar_dispatch_write(void *opaque, uint64_t off, uint64_t val,
                               unsigned size)
{
    PCIBar *bar = opaque;

    if (bar->dev->msix &&
        msix_bar_access(bar->dev, bar->index, off, size, &val, true)) {
        return;
    }
    if (bar->ops && bar->ops->write) {
        bar->ops->write(bar->opaque, off, val, size);
    }
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

bool pci_register_bar(PCIDevice *dev, int idx, uint8_t type, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque, Error **errp)
{
    bool io = type & PCI_BASE_ADDRESS_SPACE_IO;
    bool is64 = !io && (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    int nbars = (dev->config[PCI_HEADER_TYPE] & 0x7f) ? 2 : PCI_NUM_BARS;
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * idx;
    PCIBar *bar;
    uint64_t mask;
    char *name;

    if (io) {
        type = PCI_BASE_ADDRESS_SPACE_IO;
    } else {
        type &= PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH;
    }
    if (idx < 0 || idx >= nbars || (is64 && idx + 1 >= nbars)) {
        error_setg(errp, "PCI BAR %d is not available on %s", idx,
                   dev_name(dev));
        return false;
    }
    if (dev->bars[idx].size || (is64 && dev->bars[idx + 1].size) ||
        (idx > 0 && dev->bars[idx - 1].size &&
         (dev->bars[idx - 1].type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
         !(dev->bars[idx - 1].type & PCI_BASE_ADDRESS_SPACE_IO))) {
        error_setg(errp, "PCI BAR %d of %s is already in use", idx,
                   dev_name(dev));
        return false;
    }
    if (!is_pow2(size) || size < (io ? 4 : 16) ||
        (!is64 && size > (io ? 0x10000ull : 0x80000000ull))) {
        error_setg(errp, "PCI BAR %d of %s: invalid size 0x%" PRIx64, idx,
                   dev_name(dev), size);
        return false;
    }
    bar = &dev->bars[idx];
    bar->size = size;
    bar->type = type;
    bar->addr = PCI_BAR_UNMAPPED;
    bar->ops = ops;
    bar->opaque = opaque;
    bar->dev = dev;
    bar->index = idx;
    bar->dispatch.read = bar_dispatch_read;
    bar->dispatch.write = bar_dispatch_write;
    bar->dispatch.min_access = ops ? ops->min_access : 0;
    bar->dispatch.max_access = ops ? ops->max_access : 0;
    name = g_strdup_printf("%s-bar%d", dev_name(dev), idx);
    bar->mr = memory_region_new_io(name, size, &bar->dispatch, bar);
    g_free(name);

    mask = ~(size - 1);
    pci_set_long(dev->config + reg, type);
    pci_set_long(dev->wmask + reg, (uint32_t)mask & (io ? ~3u : ~0xfu));
    if (is64) {
        pci_set_long(dev->wmask + reg + 4, mask >> 32);
    }
    return true;
}

uint64_t pci_bar_address(const PCIDevice *dev, int bar)
{
    return bar >= 0 && bar < PCI_NUM_BARS && dev->bars[bar].size
               ? dev->bars[bar].addr
               : PCI_BAR_UNMAPPED;
}

static bool range_within(uint64_t addr, uint64_t size, uint64_t base,
                         uint64_t limit_incl)
{
    return addr >= base && addr + size - 1 <= limit_incl;
}

/* Does the path from @bus up to the host decode [addr, addr+size)? */
static bool pci_bus_decodes(PCIBus *bus, bool io, uint64_t addr, uint64_t size)
{
    for (int depth = 0; bus && depth < 256; depth++) {
        PCIDevice *br = bus->parent_dev;
        const uint8_t *c;
        uint16_t cmd;

        if (!br) {
            if (io ||
                (!bus->mem_windows[0].size && !bus->mem_windows[1].size)) {
                return true;
            }
            for (int i = 0; i < 2; i++) {
                PCIWindow *w = &bus->mem_windows[i];
                if (w->size &&
                    range_within(addr, size, w->base, w->base + w->size - 1)) {
                    return true;
                }
            }
            return false;
        }
        c = br->config;
        cmd = pci_get_word(c + PCI_COMMAND);
        if (io) {
            uint64_t base =
                ((uint64_t)(c[PCI_IO_BASE] & 0xf0) << 8) |
                ((uint64_t)pci_get_word(c + PCI_IO_BASE_UPPER16) << 16);
            uint64_t lim =
                ((uint64_t)(c[PCI_IO_LIMIT] & 0xf0) << 8) | 0xfff |
                ((uint64_t)pci_get_word(c + PCI_IO_LIMIT_UPPER16) << 16);
            if (!(cmd & PCI_COMMAND_IO) ||
                !range_within(addr, size, base, lim)) {
                return false;
            }
        } else {
            uint64_t mb = (uint64_t)(pci_get_word(c + PCI_MEMORY_BASE) & 0xfff0)
                          << 16;
            uint64_t ml =
                ((uint64_t)(pci_get_word(c + PCI_MEMORY_LIMIT) & 0xfff0)
                 << 16) |
                0xfffff;
            uint64_t pb =
                ((uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_BASE) & 0xfff0)
                 << 16) |
                ((uint64_t)pci_get_long(c + PCI_PREF_BASE_UPPER32) << 32);
            uint64_t pl =
                ((uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_LIMIT) & 0xfff0)
                 << 16) |
                0xfffff |
                ((uint64_t)pci_get_long(c + PCI_PREF_LIMIT_UPPER32) << 32);
            if (!(cmd & PCI_COMMAND_MEMORY) ||
                (!range_within(addr, size, mb, ml) &&
                 !range_within(addr, size, pb, pl))) {
                return false;
            }
        }
        bus = br->bus;
    }
    return false;
}

/* Where BAR @i should be mapped given the registers, or unmapped. */
static uint64_t pci_bar_target(PCIDevice *dev, int i)
{
    PCIBar *bar = &dev->bars[i];
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
    uint16_t cmd = pci_get_word(dev->config + PCI_COMMAND);
    bool io = bar->type & PCI_BASE_ADDRESS_SPACE_IO;
    uint64_t addr, last;

    if (!dev->bus || (io && !(cmd & PCI_COMMAND_IO)) ||
        (!io && !(cmd & PCI_COMMAND_MEMORY))) {
        return PCI_BAR_UNMAPPED;
    }
    addr = pci_get_long(dev->config + reg);
    if (io) {
        addr &= ~3ull;
    } else {
        addr &= ~0xfull;
        if (bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            addr |= (uint64_t)pci_get_long(dev->config + reg + 4) << 32;
        }
    }
    addr &= ~(bar->size - 1);
    last = addr + bar->size - 1;
    if (last <= addr || (io && last > 0xffff) ||
        (!io && !(bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
         last > UINT32_MAX)) {
        return PCI_BAR_UNMAPPED;
    }
    if (!pci_bus_decodes(dev->bus, io, addr, bar->size)) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_update_mappings(PCIDevice *dev)
{
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        PCIBar *bar = &dev->bars[i];
        AddressSpace *as = (bar->type & PCI_BASE_ADDRESS_SPACE_IO)
                               ? address_space_io
                               : address_space_memory;
        uint64_t target;
        Error *err = NULL;

        if (!bar->size) {
            continue;
        }
        target = pci_bar_target(dev, i);
        if (target == bar->addr) {
            continue;
        }
        if (bar->addr != PCI_BAR_UNMAPPED) {
            address_space_unmap(as, bar->mr);
            bar->addr = PCI_BAR_UNMAPPED;
        }
        if (target == PCI_BAR_UNMAPPED || !as) {
            continue;
        }
        /* A guest may program overlapping BARs; that BAR stays dark. */
        if (address_space_map(as, target, bar->mr, &err)) {
            bar->addr = target;
        } else {
            error_free(err);
        }
    }
}

static void pci_update_subtree(PCIBus *bus, int depth)
{
    if (!bus || depth > 255) {
        return;
    }
    for (int i = 0; i < 256; i++) {
        PCIDevice *d = bus->devices[i];
        if (d) {
            pci_update_mappings(d);
            pci_update_subtree(d->sec_bus, depth + 1);
        }
    }
}

static void pci_unmap_all(PCIDevice *dev)
{
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        PCIBar *bar = &dev->bars[i];
        if (bar->size && bar->addr != PCI_BAR_UNMAPPED) {
            address_space_unmap((bar->type & PCI_BASE_ADDRESS_SPACE_IO)
                                    ? address_space_io
                                    : address_space_memory,
                                bar->mr);
            bar->addr = PCI_BAR_UNMAPPED;
        }
    }
}

static void pci_free_bars(PCIDevice *dev)
{
    pci_unmap_all(dev);
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        if (dev->bars[i].mr) {
            memory_region_free(dev->bars[i].mr);
        }
        memset(&dev->bars[i], 0, sizeof(dev->bars[i]));
    }
}

/* ------------------------------------------------------------------ */
/* capabilities */

uint8_t pci_add_capability(PCIDevice *dev, uint8_t id, uint8_t offset,
                           uint8_t size, Error **errp)
{
    uint32_t off = offset;

    if (size < 2) {
        error_setg(errp, "%s: capability 0x%x is too small", dev_name(dev), id);
        return 0;
    }
    if (!off) {
        for (off = 0x40; off + size <= PCI_CONFIG_SPACE_SIZE; off += 4) {
            bool free_range = true;
            for (uint32_t i = 0; i < size && free_range; i++) {
                free_range = !dev->used[off + i];
            }
            if (free_range) {
                break;
            }
        }
        if (off + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp, "%s: no space for PCI capability 0x%x",
                       dev_name(dev), id);
            return 0;
        }
    } else {
        if (off < 0x40 || (off & 3) || off + size > PCI_CONFIG_SPACE_SIZE) {
            error_setg(errp,
                       "%s: invalid offset 0x%x for PCI capability "
                       "0x%x",
                       dev_name(dev), off, id);
            return 0;
        }
        for (uint32_t i = 0; i < size; i++) {
            if (dev->used[off + i]) {
                error_setg(errp,
                           "%s: Attempt to add PCI capability %x at "
                           "offset %x overlaps existing capability",
                           dev_name(dev), id, off);
                return 0;
            }
        }
    }
    memset(dev->config + off, 0, size);
    memset(dev->wmask + off, 0, size);
    memset(dev->w1cmask + off, 0, size);
    memset(dev->used + off, id, size);
    /* The newest capability goes to the head of the list, as in QEMU. */
    dev->config[off + PCI_CAP_LIST_ID] = id;
    dev->config[off + PCI_CAP_LIST_NEXT] = dev->config[PCI_CAPABILITY_LIST];
    dev->config[PCI_CAPABILITY_LIST] = off;
    dev->config[PCI_STATUS] |= PCI_STATUS_CAP_LIST;
    return off;
}

/* Walk the list with a bound so a corrupt list cannot loop. */
static uint8_t find_cap_prev(PCIDevice *dev, uint8_t id, uint8_t *prev)
{
    uint8_t p = PCI_CAPABILITY_LIST;

    for (int n = 0; n < 48; n++) {
        uint8_t off = dev->config[p] & ~3;
        if (off < 0x40) {
            return 0;
        }
        if (dev->config[off + PCI_CAP_LIST_ID] == id) {
            if (prev) {
                *prev = p;
            }
            return off;
        }
        p = off + PCI_CAP_LIST_NEXT;
    }
    return 0;
}

uint8_t pci_find_capability(PCIDevice *dev, uint8_t id)
{
    if (!(dev->config[PCI_STATUS] & PCI_STATUS_CAP_LIST)) {
        return 0;
    }
    return find_cap_prev(dev, id, NULL);
}

void pci_del_capability(PCIDevice *dev, uint8_t id, uint8_t size)
{
    uint8_t prev = 0;
    uint8_t off = find_cap_prev(dev, id, &prev);

    if (!off) {
        return;
    }
    dev->config[prev] = dev->config[off + PCI_CAP_LIST_NEXT];
    memset(dev->config + off, 0, size);
    memset(dev->wmask + off, 0, size);
    memset(dev->w1cmask + off, 0, size);
    memset(dev->used + off, 0, size);
    if (!dev->config[PCI_CAPABILITY_LIST]) {
        dev->config[PCI_STATUS] &= ~PCI_STATUS_CAP_LIST;
    }
}

/* ------------------------------------------------------------------ */
/* INTx */

/* Add @delta to line @pin (0..3) seen on @dev's bus, up to the host. */
static void pci_intx_propagate(PCIDevice *dev, int pin, int delta)
{
    for (int depth = 0; dev && dev->bus && depth < 256; depth++) {
        PCIBus *bus = dev->bus;
        int line = pci_swizzle(PCI_SLOT(dev->devfn), pin);
        bool was = bus->irq_count[line] != 0;

        bus->irq_count[line] += delta;
        if (bus->parent_dev) {
            /* A bridge forwards its secondary lines as its own pins. */
            if (was != (bus->irq_count[line] != 0)) {
                dev = bus->parent_dev;
                pin = line;
                continue;
            }
            return;
        }
        if (was != (bus->irq_count[line] != 0) && bus->host_irqs[line]) {
            irq_set(bus->host_irqs[line], bus->irq_count[line] != 0);
        }
        return;
    }
}

/* Count the pin upstream iff it is asserted and not disabled. */
static void pci_update_intx(PCIDevice *dev)
{
    uint8_t pin = dev->config[PCI_INTERRUPT_PIN];
    bool disabled =
        pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_INTX_DISABLE;
    bool want =
        dev->intx_level && !disabled && pin >= 1 && pin <= 4 && dev->bus;

    if (want == dev->intx_routed) {
        return;
    }
    dev->intx_routed = want;
    pci_intx_propagate(dev, (pin - 1) & 3, want ? 1 : -1);
}

void pci_set_irq(PCIDevice *dev, int level)
{
    level = !!level;
    if (level) {
        dev->config[PCI_STATUS] |= PCI_STATUS_INTERRUPT;
    } else {
        dev->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    }
    dev->intx_level = level;
    pci_update_intx(dev);
}

/* ------------------------------------------------------------------ */
/* DMA */

bool pci_bus_master_enabled(const PCIDevice *dev)
{
    for (int depth = 0; dev && depth < 256; depth++) {
        if (!(pci_get_word(dev->config + PCI_COMMAND) & PCI_COMMAND_MASTER)) {
            return false;
        }
        dev = dev->bus ? dev->bus->parent_dev : NULL;
    }
    return true;
}

bool pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len)
{
    return pci_bus_master_enabled(dev) &&
           address_space_read(address_space_memory, addr, buf, len);
}

void pci_dma_notify(PCIDevice *dev, uint64_t pa, uint64_t len)
{
    PCIBus *bus = dev->bus;

    for (int depth = 0; bus && bus->parent_dev && depth < 256; depth++) {
        bus = bus->parent_dev->bus;
    }
    if (bus && bus->dma_written) {
        bus->dma_written(bus->dma_opaque, pa, len);
    }
}

bool pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf, uint64_t len)
{
    if (!pci_bus_master_enabled(dev) ||
        !address_space_write(address_space_memory, addr, buf, len)) {
        return false;
    }
    pci_dma_notify(dev, addr, len);
    return true;
}

/* ------------------------------------------------------------------ */
/* the pci-device base class */

/* ------------------------------------------------------------------ */
/* migration */

/* Registers that say which device this is: a stream for another device
 * model (or another revision) in this slot is refused. */
static const struct {
    uint8_t off, len;
} pci_identity[] = {
    {PCI_VENDOR_ID, 4}, {PCI_REVISION_ID, 4}, {PCI_HEADER_TYPE, 1},
};

static bool pci_get_config(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    PCIDevice *dev = opaque;
    uint8_t *cfg = g_malloc(dev->config_size);
    bool ok = false;

    qemu_get_buffer(f, cfg, dev->config_size);
    if (!qemu_file_check_error(f, errp)) {
        goto out;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(pci_identity); i++) {
        unsigned o = pci_identity[i].off;
        if (memcmp(cfg + o, dev->config + o, pci_identity[i].len)) {
            error_setg(errp, "configuration register 0x%x differs: the "
                       "stream is for another device", o);
            goto out;
        }
    }
    memcpy(dev->config, cfg, dev->config_size);
    ok = true;
out:
    g_free(cfg);
    return ok;
}

static bool pci_put_config(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    PCIDevice *dev = opaque;

    qemu_put_buffer(f, dev->config, dev->config_size);
    return true;
}

static const VMStateInfo pci_config_info = {"pci config", pci_get_config,
                                            pci_put_config};

static bool pci_msix_needed(void *opaque)
{
    return ((PCIDevice *)opaque)->msix != NULL;
}

static bool pci_msix_get(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    PCIDevice *dev = opaque;

    if (!dev->msix) {
        error_setg(errp, "MSI-X state for a device without MSI-X");
        return false;
    }
    return msix_vmstate_load(dev, f, errp);
}

static bool pci_msix_put(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    return msix_vmstate_save(opaque, f, errp);
}

static const VMStateInfo pci_msix_info = {"msix", pci_msix_get,
                                          pci_msix_put};

static const VMStateDescription vmstate_pci_msix = {
    .name = "pci-device/msix",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = pci_msix_needed,
    .fields = (const VMStateField[]){
        {.name = "msix", .kind = VMS_CUSTOM,
         .offset = offsetof(PCIDevice, msix), .size = sizeof(void *),
         .info = &pci_msix_info},
        VMSTATE_END_OF_LIST,
    },
};

static bool pci_post_load(void *opaque, int version_id, Error **errp)
{
    PCIDevice *dev = opaque;
    bool (*post_load)(PCIDevice *, Error **) = PCI_HOOK(dev, post_load);

    if (dev->intx_level != 0 && dev->intx_level != 1) {
        error_setg(errp, "INTx level %d", dev->intx_level);
        return false;
    }
    /* BARs and (for bridges) the windows behind them move to where the
     * registers now say; the INTx count upstream follows the level. */
    pci_update_mappings(dev);
    pci_update_subtree(dev->sec_bus, 0);
    pci_update_intx(dev);
    return !post_load || post_load(dev, errp);
}

const VMStateDescription vmstate_pci_device = {
    .name = "pci-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_SAME_U32(config_size, PCIDevice),
        {.name = "config", .kind = VMS_CUSTOM,
         .offset = offsetof(PCIDevice, config), .size = sizeof(void *),
         .info = &pci_config_info},
        VMSTATE_INT32(intx_level, PCIDevice),
        VMSTATE_END_OF_LIST,
    },
    .subsections = (const VMStateDescription *const[]){&vmstate_pci_msix,
                                                       NULL},
    .post_load = pci_post_load,
};

static bool pci_vmstate_register(PCIDevice *dev, Error **errp)
{
    const PCIDeviceClass *pc = pci_device_get_class(dev);
    char *idstr;
    bool unmigratable, ok;

    /* A device that registered its own section in realize carries its PCI
     * state there (virtio-pci: the transport config of its virtio stream,
     * as in QEMU); a second copy here would be loaded twice. */
    if (savevm_has_owner(&dev->qdev, &unmigratable)) {
        return true;
    }
    idstr = g_strdup_printf("%s:%02x.%x/pci-device",
                            dev->bus->qbus ? dev->bus->qbus->name : "pci",
                            PCI_SLOT(dev->devfn), PCI_FUNC(dev->devfn));
    ok = vmstate_register(pc->config_state_only ? &dev->qdev : NULL, idstr,
                          0, &vmstate_pci_device, dev, errp);

    g_free(idstr);
    return ok;
}

static bool pci_qdev_realize(DeviceState *qdev, Error **errp)
{
    PCIDevice *dev = (PCIDevice *)qdev;
    bool (*realize)(PCIDevice *, Error **) = PCI_HOOK(dev, realize);

    if (!dev->bus) {
        error_setg(errp, "%s: a PCI device needs a PCI bus", dev_name(dev));
        return false;
    }
    pci_init_config(dev);
    if (realize && !realize(dev, errp)) {
        if (dev->msix) {
            msix_uninit(dev);
        }
        pci_free_bars(dev);
        pci_free_config(dev);
        return false;
    }
    if (!pci_vmstate_register(dev, errp)) {
        void (*exit_fn)(PCIDevice *) = PCI_HOOK(dev, exit);
        if (exit_fn) {
            exit_fn(dev);
        }
        if (dev->msix) {
            msix_uninit(dev);
        }
        pci_free_bars(dev);
        pci_free_config(dev);
        return false;
    }
    if (dev->bus->hotplug && dev->bus->hotplug->plug) {
        dev->bus->hotplug->plug(dev->bus, dev, pci_hotplug_active);
    }
    dev->slot_plugged = true;
    return true;
}

static void pci_qdev_unrealize(DeviceState *qdev)
{
    PCIDevice *dev = (PCIDevice *)qdev;
    void (*exit_fn)(PCIDevice *) = PCI_HOOK(dev, exit);

    savevm_unregister(dev);
    pci_set_irq(dev, 0);
    if (exit_fn) {
        exit_fn(dev);
    }
    if (dev->msix) {
        msix_uninit(dev);
    }
    pci_free_bars(dev);
    pci_free_config(dev);
}

/* Power-on values of the registers the guest can change. */
static void pci_reset_regs(PCIDevice *dev)
{
    bool bridge = dev->config[PCI_HEADER_TYPE] & PCI_HEADER_TYPE_BRIDGE;

    pci_set_irq(dev, 0);
    pci_set_word(dev->config + PCI_COMMAND, 0);
    pci_set_word(dev->config + PCI_STATUS,
                 pci_get_word(dev->config + PCI_STATUS) & ~PCI_STATUS_W1C &
                     ~PCI_STATUS_INTERRUPT);
    dev->config[PCI_CACHE_LINE_SIZE] = 0;
    dev->config[PCI_LATENCY_TIMER] = 0;
    dev->config[PCI_INTERRUPT_LINE] = 0;
    for (int i = 0; i < PCI_NUM_BARS; i++) {
        uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * i;
        PCIBar *bar = &dev->bars[i];
        if (!bar->size) {
            continue;
        }
        pci_set_long(dev->config + reg, bar->type);
        if ((bar->type & PCI_BASE_ADDRESS_MEM_TYPE_64) &&
            !(bar->type & PCI_BASE_ADDRESS_SPACE_IO)) {
            pci_set_long(dev->config + reg + 4, 0);
        }
    }
    if (bridge) {
        memset(dev->config + PCI_PRIMARY_BUS, 0, 4);
        dev->config[PCI_IO_BASE] = 0x01;
        dev->config[PCI_IO_LIMIT] = 0x01;
        pci_set_word(dev->config + PCI_SEC_STATUS, 0);
        pci_set_long(dev->config + PCI_MEMORY_BASE, 0);
        pci_set_word(dev->config + PCI_PREF_MEMORY_BASE, 0x0001);
        pci_set_word(dev->config + PCI_PREF_MEMORY_LIMIT, 0x0001);
        memset(dev->config + PCI_PREF_BASE_UPPER32, 0, 12);
        pci_set_word(dev->config + PCI_BRIDGE_CONTROL, 0);
    }
    pci_update_mappings(dev);
    if (dev->sec_bus) {
        pci_update_subtree(dev->sec_bus, 0);
    }
}

static void pci_qdev_reset(DeviceState *qdev)
{
    PCIDevice *dev = (PCIDevice *)qdev;
    void (*reset)(PCIDevice *) = PCI_HOOK(dev, reset);

    if (!dev->config) {
        return;
    }
    pci_reset_regs(dev);
    if (dev->msix) {
        msix_reset(dev);
    }
    if (reset) {
        reset(dev);
    }
}

static void collect_devices(PCIBus *bus, GPtrArray *out, int depth)
{
    for (int i = 0; bus && depth < 256 && i < 256; i++) {
        PCIDevice *d = bus->devices[i];
        if (d) {
            g_ptr_array_add(out, d);
            collect_devices(d->sec_bus, out, depth + 1);
        }
    }
}

void pci_bus_reset(PCIBus *root)
{
    GPtrArray *all = g_ptr_array_new();

    /* Removals first, from a snapshot: they change the bus arrays. */
    collect_devices(root, all, 0);
    for (guint i = 0; i < all->len; i++) {
        PCIDevice *d = g_ptr_array_index(all, i);
        if (d->unplug_pending) {
            pci_unplug_complete(d);
        }
    }
    g_ptr_array_set_size(all, 0);
    collect_devices(root, all, 0);
    for (guint i = 0; i < all->len; i++) {
        pci_qdev_reset(&((PCIDevice *)g_ptr_array_index(all, i))->qdev);
    }
    g_ptr_array_free(all, TRUE);
}

PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type,
                             Error **errp)
{
    DeviceState *qdev = qdev_new(type, errp);
    PCIDevice *dev = (PCIDevice *)qdev;

    if (!qdev) {
        return NULL;
    }
    dev->devfn = devfn;
    qdev->path = g_strdup_printf("/machine/unattached/%s[%d]", type, devfn);
    if (!qdev_realize(qdev, bus->qbus, errp)) {
        qdev_free(qdev);
        return NULL;
    }
    return dev;
}

static const Property pci_device_props[] = {
    DEFINE_PROP_PCI_DEVFN("addr", PCIDevice, devfn),
    DEFINE_PROP_STRING("romfile", PCIDevice, romfile),
    DEFINE_PROP_UINT32("rombar", PCIDevice, rombar, 1),
    DEFINE_PROP_BOOL("multifunction", PCIDevice, multifunction, false),
    DEFINE_PROP_BOOL("x-pcie-lnksta-dllla", PCIDevice, x_pcie_lnksta_dllla,
                     true),
    DEFINE_PROP_BOOL("x-pcie-extcap-init", PCIDevice, x_pcie_extcap_init, true),
    DEFINE_PROP_STRING("failover_pair_id", PCIDevice, failover_pair_id),
    DEFINE_PROP_UINT32("acpi-index", PCIDevice, acpi_index, 0),
    DEFINE_PROP_END,
};

static PCIDeviceClass pci_device_class = {
    .parent =
        {
            .type = {.name = TYPE_PCI_DEVICE,
                     .parent = "device",
                     .abstract = true},
            .instance_size = sizeof(PCIDevice),
            .props = pci_device_props,
            .bus_type = TYPE_PCI_BUS,
            .realize = pci_qdev_realize,
            .unrealize = pci_qdev_unrealize,
            .reset = pci_qdev_reset,
        },
};

static const TypeInfo pci_interfaces[] = {
    {.name = INTERFACE_CONVENTIONAL_PCI_DEVICE,
     .parent = "interface",
     .abstract = true,
     .interface = true},
    {.name = INTERFACE_PCIE_DEVICE,
     .parent = "interface",
     .abstract = true,
     .interface = true},
};

void pci_register_types(void)
{
    static bool done;

    if (done) {
        return;
    }
    done = true;
    for (size_t i = 0; i < G_N_ELEMENTS(pci_interfaces); i++) {
        type_register(&pci_interfaces[i]);
    }
    pci_device_class_register(&pci_device_class);
    pci_host_register_types();
    pci_testdev_register_types();
    pcie_root_port_register_types();
}
