/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * query-pci and HMP "info pci": what the guest sees of each PCI function,
 * read from its configuration space (the guest's view), walking bridges
 * into the buses behind them.
 */
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "hw/pci/pci.h"
#include "qapi/qapi-commands.h"

/* Names of the classes a user is likely to meet (class code >> 8). */
static const struct {
    uint16_t class;
    const char *desc;
} pci_class_names[] = {
    {0x0100, "SCSI controller"},
    {0x0101, "IDE controller"},
    {0x0106, "SATA controller"},
    {0x0108, "NVMe controller"},
    {0x0180, "Storage controller"},
    {0x0200, "Ethernet controller"},
    {0x0280, "Network controller"},
    {0x0300, "VGA controller"},
    {0x0380, "Display controller"},
    {0x0403, "Audio controller"},
    {0x0500, "RAM controller"},
    {0x0600, "Host bridge"},
    {0x0601, "ISA bridge"},
    {0x0604, "PCI bridge"},
    {0x0680, "Bridge"},
    {0x0700, "Serial port"},
    {0x0780, "Communication controller"},
    {0x0880, "System peripheral"},
    {0x0c03, "USB controller"},
    {0x0c05, "SMBus"},
    {0x00ff, "Unclassified device"},
};

static const char *pci_class_desc(uint16_t class)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_class_names); i++) {
        if (pci_class_names[i].class == class) {
            return pci_class_names[i].desc;
        }
    }
    return NULL;
}

static PciMemoryRegionList *pci_query_regions(const PCIDevice *dev)
{
    PciMemoryRegionList *head = NULL, **tail = &head;

    for (int i = 0; i < PCI_NUM_BARS; i++) {
        const PCIBar *b = &dev->bars[i];
        PciMemoryRegion *r;

        if (!b->size) {
            continue;
        }
        r = g_new0(PciMemoryRegion, 1);
        r->bar = i;
        r->address = (int64_t)b->addr; /* unmapped: -1 */
        r->size = (int64_t)b->size;
        if (b->type & PCI_BASE_ADDRESS_SPACE_IO) {
            r->type = g_strdup("io");
        } else {
            r->type = g_strdup("memory");
            r->has_prefetch = true;
            r->prefetch = b->type & PCI_BASE_ADDRESS_MEM_PREFETCH;
            r->has_mem_type_64 = true;
            r->mem_type_64 = b->type & PCI_BASE_ADDRESS_MEM_TYPE_64;
        }
        *tail = g_new0(PciMemoryRegionList, 1);
        (*tail)->value = r;
        tail = &(*tail)->next;
    }
    return head;
}

static PciMemoryRange *pci_range(uint64_t base, uint64_t limit)
{
    PciMemoryRange *r = g_new0(PciMemoryRange, 1);

    r->base = (int64_t)base;
    r->limit = (int64_t)limit;
    return r;
}

/* A bridge's windows as its base/limit registers say (granularity rules
 * of the PCI-to-PCI bridge specification). */
static PciBusInfo *pci_query_bridge_bus(const PCIDevice *dev)
{
    const uint8_t *c = dev->config;
    PciBusInfo *info = g_new0(PciBusInfo, 1);
    uint64_t io_base = (uint64_t)(c[PCI_IO_BASE] & 0xf0) << 8;
    uint64_t io_limit = ((uint64_t)(c[PCI_IO_LIMIT] & 0xf0) << 8) | 0xfff;
    uint64_t mem_base = (uint64_t)(pci_get_word(c + PCI_MEMORY_BASE) & 0xfff0)
                        << 16;
    uint64_t mem_limit =
        ((uint64_t)(pci_get_word(c + PCI_MEMORY_LIMIT) & 0xfff0) << 16) |
        0xfffff;
    uint64_t pf_base = (uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_BASE) &
                                  0xfff0) << 16;
    uint64_t pf_limit =
        ((uint64_t)(pci_get_word(c + PCI_PREF_MEMORY_LIMIT) & 0xfff0) << 16) |
        0xfffff;

    if ((c[PCI_IO_BASE] & 0x0f) == 0x01) { /* 32-bit I/O addressing */
        io_base |= (uint64_t)pci_get_word(c + PCI_IO_BASE_UPPER16) << 16;
        io_limit |= (uint64_t)pci_get_word(c + PCI_IO_LIMIT_UPPER16) << 16;
    }
    if ((pci_get_word(c + PCI_PREF_MEMORY_BASE) & 0x0f) == 0x01) { /* 64-bit */
        pf_base |= (uint64_t)pci_get_long(c + PCI_PREF_BASE_UPPER32) << 32;
        pf_limit |= (uint64_t)pci_get_long(c + PCI_PREF_LIMIT_UPPER32) << 32;
    }
    info->number = c[PCI_PRIMARY_BUS];
    info->secondary = c[PCI_SECONDARY_BUS];
    info->subordinate = c[PCI_SUBORDINATE_BUS];
    info->io_range = pci_range(io_base, io_limit);
    info->memory_range = pci_range(mem_base, mem_limit);
    info->prefetchable_range = pci_range(pf_base, pf_limit);
    return info;
}

static PciDeviceInfoList *pci_query_bus(const PCIBus *bus, int depth);

static PciDeviceInfo *pci_query_device(const PCIDevice *dev, int bus_num,
                                       int depth)
{
    const uint8_t *c = dev->config;
    PciDeviceInfo *info = g_new0(PciDeviceInfo, 1);
    uint16_t class = pci_get_word(c + PCI_CLASS_DEVICE);
    const char *desc = pci_class_desc(class);

    info->bus = bus_num;
    info->slot = PCI_SLOT(dev->devfn);
    info->function = PCI_FUNC(dev->devfn);
    info->class_info = g_new0(PciDeviceClass, 1);
    info->class_info->class = class;
    info->class_info->desc = g_strdup(desc);
    info->id = g_new0(PciDeviceId, 1);
    info->id->vendor = pci_get_word(c + PCI_VENDOR_ID);
    info->id->device = pci_get_word(c + PCI_DEVICE_ID);
    if ((c[PCI_HEADER_TYPE] & 0x7f) == PCI_HEADER_TYPE_NORMAL) {
        info->id->has_subsystem = true;
        info->id->subsystem = pci_get_word(c + PCI_SUBSYSTEM_ID);
        info->id->has_subsystem_vendor = true;
        info->id->subsystem_vendor = pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID);
    }
    info->irq_pin = c[PCI_INTERRUPT_PIN];
    if (info->irq_pin) {
        info->has_irq = true;
        info->irq = c[PCI_INTERRUPT_LINE];
    }
    info->qdev_id = g_strdup(dev->qdev.id ? dev->qdev.id : "");
    info->regions = pci_query_regions(dev);
    if (dev->sec_bus) {
        info->pci_bridge = g_new0(PciBridgeInfo, 1);
        info->pci_bridge->bus = pci_query_bridge_bus(dev);
        /* Bridges nest at most as deep as there are bus numbers. */
        if (depth < 256) {
            info->pci_bridge->devices = pci_query_bus(dev->sec_bus, depth + 1);
        }
    }
    return info;
}

static PciDeviceInfoList *pci_query_bus(const PCIBus *bus, int depth)
{
    PciDeviceInfoList *head = NULL, **tail = &head;
    int num = pci_bus_num(bus);

    for (int devfn = 0; devfn < 256; devfn++) {
        const PCIDevice *dev = bus->devices[devfn];

        if (!dev) {
            continue;
        }
        *tail = g_new0(PciDeviceInfoList, 1);
        (*tail)->value = pci_query_device(dev, num, depth);
        tail = &(*tail)->next;
    }
    return head;
}

PciInfoList *qmp_query_pci(Error **errp)
{
    PCIBus *root = pci_get_root_bus();
    PciInfoList *list;

    (void)errp;
    if (!root) {
        return NULL; /* a machine without PCI: an empty list */
    }
    list = g_new0(PciInfoList, 1);
    list->value = g_new0(PciInfo, 1);
    list->value->bus = pci_bus_num(root);
    list->value->devices = pci_query_bus(root, 0);
    return list;
}

/* ---- HMP ---- */

static void hmp_pci_device(GString *out, const PciDeviceInfo *d)
{
    g_string_append_printf(out, "  Bus %2" PRId64 ", device %3" PRId64
                           ", function %" PRId64 ":\r\n",
                           d->bus, d->slot, d->function);
    if (d->class_info->desc) {
        g_string_append_printf(out, "    %s", d->class_info->desc);
    } else {
        g_string_append_printf(out, "    Class %04" PRIx64,
                               d->class_info->class);
    }
    g_string_append_printf(out, ": PCI device %04" PRIx64 ":%04" PRIx64 "\r\n",
                           d->id->vendor, d->id->device);
    if (d->id->has_subsystem) {
        g_string_append_printf(out, "      PCI subsystem %04" PRIx64
                               ":%04" PRIx64 "\r\n",
                               d->id->subsystem_vendor, d->id->subsystem);
    }
    if (d->has_irq) {
        g_string_append_printf(out, "      IRQ %" PRId64 ", pin %c\r\n", d->irq,
                               (char)('A' + d->irq_pin - 1));
    }
    if (d->pci_bridge) {
        const PciBusInfo *b = d->pci_bridge->bus;
        g_string_append_printf(out, "      BUS %" PRId64 ".\r\n", b->number);
        g_string_append_printf(out, "      secondary bus %" PRId64 ".\r\n",
                               b->secondary);
        g_string_append_printf(out, "      subordinate bus %" PRId64 ".\r\n",
                               b->subordinate);
        g_string_append_printf(out, "      IO range [0x%04" PRIx64
                               ", 0x%04" PRIx64 "]\r\n",
                               b->io_range->base, b->io_range->limit);
        g_string_append_printf(out, "      memory range [0x%08" PRIx64
                               ", 0x%08" PRIx64 "]\r\n",
                               b->memory_range->base, b->memory_range->limit);
        g_string_append_printf(out, "      prefetchable memory range [0x%08"
                               PRIx64 ", 0x%08" PRIx64 "]\r\n",
                               b->prefetchable_range->base,
                               b->prefetchable_range->limit);
    }
    for (const PciMemoryRegionList *l = d->regions; l; l = l->next) {
        const PciMemoryRegion *r = l->value;
        uint64_t last = (uint64_t)r->address + (uint64_t)r->size - 1;
        if (!strcmp(r->type, "io")) {
            g_string_append_printf(out, "      BAR%" PRId64 ": I/O at 0x%04"
                                   PRIx64 " [0x%04" PRIx64 "].\r\n",
                                   r->bar, (uint64_t)r->address, last);
        } else {
            g_string_append_printf(out, "      BAR%" PRId64 ": %d bit%s "
                                   "memory at 0x%08" PRIx64 " [0x%08" PRIx64
                                   "].\r\n",
                                   r->bar, r->mem_type_64 ? 64 : 32,
                                   r->prefetch ? " prefetchable" : "",
                                   (uint64_t)r->address, last);
        }
    }
    g_string_append_printf(out, "      id \"%s\"\r\n", d->qdev_id);
    if (d->pci_bridge) {
        for (const PciDeviceInfoList *l = d->pci_bridge->devices; l;
             l = l->next) {
            hmp_pci_device(out, l->value);
        }
    }
}

void hmp_info_pci(GString *out)
{
    PciInfoList *list = qmp_query_pci(NULL);

    for (const PciInfoList *b = list; b; b = b->next) {
        for (const PciDeviceInfoList *l = b->value->devices; l; l = l->next) {
            hmp_pci_device(out, l->value);
        }
    }
    qapi_free_PciInfoList(list);
}
