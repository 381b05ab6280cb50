/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PCI core: buses, the "pci-device" base class, configuration space with
 * write masks, BARs mapped into the machine's address spaces, capability
 * lists and INTx.
 *
 * A PCI device type is a PCIDeviceClass (whose first member is the
 * DeviceClass) registered with pci_device_class_register(); its instance
 * struct starts with PCIDevice.  Leave DeviceClass.realize/unrealize/reset
 * NULL: the base class owns them and calls the PCI hooks below.
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "hw/core/irq.h"
#include "hw/core/qdev.h"
#include "hw/pci/pci_regs.h"
#include "system/memory.h"

#define TYPE_PCI_DEVICE                   "pci-device"
#define TYPE_PCI_BUS                      "PCI" /* BusClass.kind and DeviceClass.bus_type */
#define INTERFACE_CONVENTIONAL_PCI_DEVICE "conventional-pci-device"
#define INTERFACE_PCIE_DEVICE             "pci-express-device"

#define PCI_VENDOR_ID_REDHAT             0x1b36
#define PCI_SUBVENDOR_ID_REDHAT_QUMRANET 0x1af4
#define PCI_SUBDEVICE_ID_QEMU            0x1100

#define PCI_NUM_BARS        6
#define PCI_SLOT_MAX        32
#define PCI_FUNC_MAX        8
#define PCI_DEVFN(slot, fn) ((((slot)&0x1f) << 3) | ((fn)&0x07))
#define PCI_SLOT(devfn)     (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)     ((devfn)&0x07)
#define PCI_BAR_UNMAPPED    UINT64_MAX

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;
typedef struct MSIXState MSIXState;

typedef struct PCIBar {
    uint64_t size;              /* 0: BAR not implemented */
    uint8_t type;               /* PCI_BASE_ADDRESS_SPACE_IO or memory flags */
    uint64_t addr;              /* where it is mapped, or PCI_BAR_UNMAPPED */
    MemoryRegion *mr;           /* the region the PCI core maps */
    const MemoryRegionOps *ops; /* the device's handlers (may be NULL) */
    void *opaque;
    PCIDevice *dev;
    int index;
    MemoryRegionOps dispatch; /* ops of mr: MSI-X first, then the device */
} PCIBar;

typedef struct PCIDeviceClass {
    DeviceClass parent; /* must stay first */
    uint16_t vendor_id;
    uint16_t device_id;
    uint16_t subsystem_vendor_id; /* 0: QEMU's default 0x1af4 */
    uint16_t subsystem_id;        /* 0: QEMU's default 0x1100 */
    uint16_t class_id;
    uint8_t revision;
    bool is_express; /* 4 KiB configuration space */
    bool is_bridge;  /* type 1 header */
    /* Hooks; NULL ones are looked up in the parent class. */
    bool (*realize)(PCIDevice *dev, Error **errp);
    void (*exit)(PCIDevice *dev);
    void (*reset)(PCIDevice *dev);
    uint32_t (*config_read)(PCIDevice *dev, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *dev, uint32_t addr, uint32_t val,
                         unsigned len);
    /*
     * Migration.  The core migrates every PCI device's configuration
     * space, INTx level and MSI-X table/PBA (section "<bus>:<slot>.<fn>/
     * pci-device").  A class whose whole state is that sets
     * config_state_only (checked on the device's own class, not
     * inherited) and is migratable; any other PCI device still blocks
     * migration until it registers the rest of its state itself.
     * post_load (looked up along the chain) recomputes what the device
     * derives from its registers.
     */
    bool config_state_only;
    bool (*post_load)(PCIDevice *dev, Error **errp);
} PCIDeviceClass;

struct PCIDevice {
    DeviceState qdev; /* must stay first */
    /* properties common to every PCI device */
    int32_t devfn; /* "addr"; -1 = choose */
    bool multifunction;
    char *romfile;
    uint32_t rombar;
    char *failover_pair_id;
    uint32_t acpi_index;
    bool x_pcie_lnksta_dllla;
    bool x_pcie_extcap_init;

    PCIBus *bus;
    uint32_t config_size;
    uint8_t *config;
    uint8_t *wmask;   /* bits the guest may write */
    uint8_t *w1cmask; /* bits the guest clears by writing 1 */
    uint8_t *used;    /* bytes claimed by capabilities */
    PCIBar bars[PCI_NUM_BARS];
    int intx_level;   /* level the device drives on its pin */
    bool intx_routed; /* that level currently counted upstream */
    MSIXState *msix;
    PCIBus *sec_bus; /* bridges: the bus behind it */
    bool unplug_pending;
    bool slot_plugged; /* its bus's hot-plug controller saw it arrive */
};

/* Hot-plug behaviour of a bus that has a controller (a root port slot). */
typedef struct PCIHotplugOps {
    bool (*pre_plug)(PCIBus *bus, PCIDevice *dev, bool hotplug, Error **errp);
    void (*plug)(PCIBus *bus, PCIDevice *dev, bool hotplug);
    /* Ask for removal; true when the device may be removed right away. */
    bool (*unplug_request)(PCIBus *bus, PCIDevice *dev, Error **errp);
    void (*unplug)(PCIBus *bus, PCIDevice *dev);
} PCIHotplugOps;

typedef struct PCIWindow {
    uint64_t base;
    uint64_t size;
} PCIWindow;

struct PCIBus {
    BusState *qbus;
    PCIDevice *devices[256];
    PCIDevice *parent_dev; /* bridge that owns it; NULL on the root */
    bool is_express;
    uint8_t devfn_min; /* lowest devfn for automatic placement */
    bool slot0_only;   /* PCIe downstream: device 0 only */
    /* root bus: where BARs may appear and where INTx goes */
    PCIWindow mem_windows[2];
    IrqLine *host_irqs[4];
    int irq_count[4]; /* asserted INTx per line, after swizzle */
    const PCIHotplugOps *hotplug;
    void *hotplug_opaque;
    /* root bus: told about device writes to guest memory (DMA, MSI-X) */
    void (*dma_written)(void *opaque, uint64_t pa, uint64_t len);
    void *dma_opaque;
};

/* ---- class registration ---- */
void pci_device_class_register(PCIDeviceClass *pc);
/* Register every PCI type (core, hosts, devices).  Idempotent. */
void pci_register_types(void);
PCIDeviceClass *pci_device_get_class(const PCIDevice *dev);

/* ---- buses ---- */
PCIBus *pci_root_bus_new(const char *name, bool express);
PCIBus *pci_bus_new_secondary(PCIDevice *bridge, const char *name);
void pci_bus_free(PCIBus *bus);
bool pci_bus_is_root(const PCIBus *bus);
bool pci_bus_is_express(const PCIBus *bus);
uint8_t pci_bus_num(const PCIBus *bus);
/* The bus with number @num below @root (bridges' secondary numbers). */
PCIBus *pci_find_bus_nr(PCIBus *root, int num);
PCIDevice *pci_find_device(PCIBus *root, int bus_num, uint8_t devfn);
PCIBus *pci_bus_of(BusState *qbus);
/* Machine reset of a hierarchy: pending hot-unplugs complete, then every
 * device (bridges before what is behind them) returns to power-on state. */
void pci_bus_reset(PCIBus *root);
PCIBus *pci_get_root_bus(void); /* the first root bus (pcie.0) */
/* HMP "info pci" (hw/pci/pci-qmp.c; query-pci is there too). */
void hmp_info_pci(GString *out);
/* Create, place and realize a device built in (not from -device). */
PCIDevice *pci_create_simple(PCIBus *bus, int devfn, const char *type,
                             Error **errp);

/* ---- configuration space ---- */
uint32_t pci_config_read(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *dev, uint32_t addr, uint32_t val,
                      unsigned len);
uint32_t pci_default_read_config(PCIDevice *dev, uint32_t addr, unsigned len);
void pci_default_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                              unsigned len);
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (p[1] << 8);
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

/* ---- BARs ---- */
/*
 * Declare BAR @bar: @type is PCI_BASE_ADDRESS_SPACE_IO or a combination of
 * PCI_BASE_ADDRESS_MEM_TYPE_64 / _PREFETCH; @size a power of two (at least
 * 16 for memory, 4 for I/O).  @ops (may be NULL) handle accesses that are
 * not claimed by an MSI-X table/PBA in the same BAR.  Call from realize.
 */
bool pci_register_bar(PCIDevice *dev, int bar, uint8_t type, uint64_t size,
                      const MemoryRegionOps *ops, void *opaque, Error **errp);
/* Where BAR @bar is mapped now, or PCI_BAR_UNMAPPED. */
uint64_t pci_bar_address(const PCIDevice *dev, int bar);
/* Re-evaluate every BAR mapping (after command/BAR/bridge changes). */
void pci_update_mappings(PCIDevice *dev);

/* ---- capabilities ---- */
/* Add capability @id of @size bytes at @offset (0: first free, 4-aligned
 * after the header); returns the offset or 0 with @errp set. */
uint8_t pci_add_capability(PCIDevice *dev, uint8_t id, uint8_t offset,
                           uint8_t size, Error **errp);
void pci_del_capability(PCIDevice *dev, uint8_t id, uint8_t size);
/* Offset of the first capability @id, 0 if none. */
uint8_t pci_find_capability(PCIDevice *dev, uint8_t id);

/* ---- INTx ---- */
/* Drive the device's interrupt pin (config[PCI_INTERRUPT_PIN], 1 = INTA). */
void pci_set_irq(PCIDevice *dev, int level);
static inline void pci_irq_assert(PCIDevice *dev)
{
    pci_set_irq(dev, 1);
}
static inline void pci_irq_deassert(PCIDevice *dev)
{
    pci_set_irq(dev, 0);
}
/* The standard swizzle: host line for pin (0 = INTA) of device @slot. */
static inline int pci_swizzle(int slot, int pin)
{
    return (pin + slot) % 4;
}

/* ---- DMA (bus master) ---- */
/* Guest memory access on behalf of @dev; fails when bus mastering is off
 * or the range is not mapped. */
bool pci_dma_read(PCIDevice *dev, uint64_t addr, void *buf, uint64_t len);
bool pci_dma_write(PCIDevice *dev, uint64_t addr, const void *buf,
                   uint64_t len);
bool pci_bus_master_enabled(const PCIDevice *dev);
/* Tell the machine that @dev wrote guest memory (for code caches). */
void pci_dma_notify(PCIDevice *dev, uint64_t pa, uint64_t len);

/* ---- hot-plug (device_add / device_del) ---- */
/* True while a QMP device_add runs (the device is being hot-plugged). */
extern bool pci_hotplug_active;
/* Request removal of @dev; completes now or when the guest releases it
 * (then DEVICE_DELETED is emitted from pci_unplug_complete). */
bool pci_device_unplug_request(PCIDevice *dev, Error **errp);
void pci_unplug_complete(PCIDevice *dev);

/* The core's description of a PCI device's state (for tests). */
extern const struct VMStateDescription vmstate_pci_device;

#endif
