/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The generic PCI Express host bridge (ECAM) and its riscv virt hook-up. */
#include <string.h>
#include <glib.h>
#include "hw/pci-host/gpex.h"
#include "hw/pci/pci-internal.h"
#include "hw/riscv/virt.h"
#include "system/runstate.h"

static GPEXHost *default_host;

/* ECAM: bus in bits 27:20, devfn in 19:12, register in 11:0. */
static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
    GPEXHost *h = opaque;
    PCIDevice *dev =
        pci_find_device(h->bus, (off >> 20) & 0xff, (off >> 12) & 0xff);

    if (!dev) {
        /* No function there: the master abort reads as all ones. */
        return size >= 4 ? 0xffffffffu : (1u << (8 * size)) - 1;
    }
    return pci_config_read(dev, off & 0xfff, size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    GPEXHost *h = opaque;
    PCIDevice *dev =
        pci_find_device(h->bus, (off >> 20) & 0xff, (off >> 12) & 0xff);

    if (dev) {
        pci_config_write(dev, off & 0xfff, val, size);
    }
}

static const MemoryRegionOps ecam_ops = {
    .read = ecam_read,
    .write = ecam_write,
    .min_access = 1,
    .max_access = 4,
};

/* The PIO window is the I/O port space seen through memory. */
static uint64_t pio_read(void *opaque, uint64_t off, unsigned size)
{
    uint64_t val;

    if (!address_space_ld(address_space_io, off, size, &val)) {
        return size >= 8 ? UINT64_MAX : (1ull << (8 * size)) - 1;
    }
    return val;
}

static void pio_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    address_space_st(address_space_io, off, size, val);
}

static const MemoryRegionOps pio_ops = {
    .read = pio_read,
    .write = pio_write,
    .min_access = 1,
    .max_access = 4,
};

void gpex_set_irq_line(GPEXHost *h, int n, IrqLine *irq)
{
    if (!h || n < 0 || n >= GPEX_NUM_IRQS) {
        return;
    }
    h->cfg.intx[n] = irq;
    h->bus->host_irqs[n] = irq;
    if (irq) {
        irq_set(irq, h->bus->irq_count[n] != 0);
    }
}

static void gpex_reset(void *opaque)
{
    GPEXHost *h = opaque;

    pci_bus_reset(h->bus);
}

GPEXHost *gpex_host_create(const GPEXConfig *cfg, Error **errp)
{
    GPEXHost *h = g_new0(GPEXHost, 1);

    pci_register_types();
    h->cfg = *cfg;
    h->bus = pci_root_bus_new(cfg->bus_name, true);
    memcpy(h->bus->mem_windows, cfg->mmio, sizeof(cfg->mmio));
    for (int i = 0; i < GPEX_NUM_IRQS; i++) {
        h->bus->host_irqs[i] = cfg->intx[i];
    }
    h->ecam =
        memory_region_new_io("pcie-mmcfg-mmio", cfg->ecam_size, &ecam_ops, h);
    h->pio =
        memory_region_new_io("gpex_ioport_window", cfg->pio_size, &pio_ops, h);
    if (!address_space_map(address_space_memory, cfg->ecam_base, h->ecam,
                           errp) ||
        !address_space_map(address_space_memory, cfg->pio_base, h->pio, errp)) {
        goto fail;
    }
    h->root =
        pci_create_simple(h->bus, PCI_DEVFN(0, 0), TYPE_GPEX_ROOT_DEVICE, errp);
    if (!h->root) {
        goto fail;
    }
    if (!default_host) {
        default_host = h;
    }
    reset_handler_add(gpex_reset, h);
    return h;
fail:
    address_space_unmap(address_space_memory, h->ecam);
    address_space_unmap(address_space_memory, h->pio);
    memory_region_free(h->ecam);
    memory_region_free(h->pio);
    pci_bus_free(h->bus);
    g_free(h);
    return NULL;
}

GPEXHost *gpex_host_get(void)
{
    return default_host;
}

static void virt_pcie_dma_written(void *opaque, uint64_t pa, uint64_t len)
{
    virt_dma_written(opaque, pa, len);
}

bool virt_pcie_init(MachineState *ms, IrqLine *intx[GPEX_NUM_IRQS],
                    Error **errp)
{
    GPEXHost *h;
    GPEXConfig cfg = {
        .bus_name = "pcie.0",
        .ecam_base = VIRT_PCIE_ECAM_BASE,
        .ecam_size = VIRT_PCIE_ECAM_SIZE,
        .pio_base = VIRT_PCIE_PIO_BASE,
        .pio_size = VIRT_PCIE_PIO_SIZE,
        .mmio = {{VIRT_PCIE_MMIO_BASE, VIRT_PCIE_MMIO_SIZE}},
    };

    /* The 64-bit window sits above RAM, aligned to its own size. */
    virt_pcie_high_mmio(ms, &cfg.mmio[1].base, &cfg.mmio[1].size);
    if (!cfg.mmio[1].size) {
        cfg.mmio[1].size = VIRT_PCIE_HIGH_MMIO_SIZE;
        cfg.mmio[1].base =
            (VIRT_DRAM_BASE + ms->ram_size + VIRT_PCIE_HIGH_MMIO_SIZE - 1) &
            ~(VIRT_PCIE_HIGH_MMIO_SIZE - 1);
    }
    for (int i = 0; i < GPEX_NUM_IRQS; i++) {
        cfg.intx[i] = intx ? intx[i] : virt_plic_irq(ms, VIRT_PCIE_IRQ + i);
    }
    h = gpex_host_create(&cfg, errp);
    if (!h) {
        return false;
    }
    h->bus->dma_written = virt_pcie_dma_written;
    h->bus->dma_opaque = ms;
    return true;
}

/* ------------------------------------------------------------------ */
/* types */

static PCIDeviceClass gpex_root_class = {
    .parent =
        {
            .type = {.name = TYPE_GPEX_ROOT_DEVICE,
                     .parent = TYPE_PCI_DEVICE,
                     .interfaces =
                         (const char *const[]){
                             INTERFACE_CONVENTIONAL_PCI_DEVICE, NULL}},
            .category = "Controller/Bridge/Hub devices",
            .desc = "QEMU generic PCIe host bridge",
            .user_creatable = false,
        },
    .vendor_id = PCI_VENDOR_ID_REDHAT,
    .device_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST,
    .class_id = 0x0600, /* host bridge */
    .config_state_only = true, /* ECAM and PIO windows are stateless */
};

static const TypeInfo host_types[] = {
    {.name = "pci-host-bridge", .parent = "sys-bus-device", .abstract = true},
    {.name = "pcie-host-bridge", .parent = "pci-host-bridge", .abstract = true},
    {.name = TYPE_GPEX_HOST, .parent = "pcie-host-bridge"},
};

void pci_host_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(host_types); i++) {
        type_register(&host_types[i]);
    }
    pci_device_class_register(&gpex_root_class);
}
