/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * MSI-X.  The table and the PBA are byte arrays so that any access size the
 * guest uses works; after every change the effective mask of each vector is
 * recomputed and a vector that became unmasked with its pending bit set is
 * delivered.
 */
#include <inttypes.h>
#include <string.h>
#include <glib.h>
#include "hw/pci/msix.h"

struct MSIXState {
    unsigned nvectors;
    int bar;
    uint32_t table_off;
    uint32_t pba_off;
    uint8_t cap;
    uint8_t *table; /* nvectors * 16 bytes */
    uint8_t *pba;   /* a bit per vector, in 64-bit words */
    uint32_t pba_size;
    unsigned *used;
    bool *masked; /* effective mask as last computed */
};

static uint32_t table_size(unsigned n)
{
    return n * PCI_MSIX_ENTRY_SIZE;
}

static uint32_t pba_size(unsigned n)
{
    return ((n + 63) / 64) * 8;
}

bool msix_present(const PCIDevice *dev)
{
    return dev->msix != NULL;
}

static uint16_t msix_ctrl(const PCIDevice *dev)
{
    return pci_get_word(dev->config + dev->msix->cap + PCI_MSIX_FLAGS);
}

bool msix_enabled(const PCIDevice *dev)
{
    return dev->msix && (msix_ctrl(dev) & PCI_MSIX_FLAGS_ENABLE);
}

unsigned msix_nr_vectors(const PCIDevice *dev)
{
    return dev->msix ? dev->msix->nvectors : 0;
}

static bool entry_masked(const MSIXState *m, unsigned v)
{
    return m->table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_CTRL] &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(const PCIDevice *dev, unsigned vector)
{
    if (!dev->msix || vector >= dev->msix->nvectors) {
        return true;
    }
    return !msix_enabled(dev) || (msix_ctrl(dev) & PCI_MSIX_FLAGS_MASKALL) ||
           entry_masked(dev->msix, vector);
}

bool msix_is_pending(const PCIDevice *dev, unsigned vector)
{
    if (!dev->msix || vector >= dev->msix->nvectors) {
        return false;
    }
    return dev->msix->pba[vector / 8] & (1u << (vector % 8));
}

static void set_pending(MSIXState *m, unsigned v, bool on)
{
    if (on) {
        m->pba[v / 8] |= 1u << (v % 8);
    } else {
        m->pba[v / 8] &= ~(1u << (v % 8));
    }
}

/* The message write; dropped when the device may not master the bus. */
static void msix_send(PCIDevice *dev, unsigned v)
{
    const uint8_t *e = dev->msix->table + v * PCI_MSIX_ENTRY_SIZE;
    uint64_t addr = pci_get_long(e + PCI_MSIX_ENTRY_ADDR_LO) |
                    ((uint64_t)pci_get_long(e + PCI_MSIX_ENTRY_ADDR_HI) << 32);
    uint32_t data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);

    if (!pci_bus_master_enabled(dev)) {
        return;
    }
    /* An address nothing answers at is lost, as on real hardware. */
    if (address_space_st(address_space_memory, addr, 4, data)) {
        pci_dma_notify(dev, addr, 4);
    }
}

void msix_notify(PCIDevice *dev, unsigned vector)
{
    MSIXState *m = dev->msix;

    if (!m || vector >= m->nvectors || !m->used[vector]) {
        return;
    }
    if (msix_is_masked(dev, vector)) {
        set_pending(m, vector, true);
        return;
    }
    msix_send(dev, vector);
}

/* Deliver what became unmasked while pending; remember the new masks. */
static void msix_update(PCIDevice *dev)
{
    MSIXState *m = dev->msix;

    for (unsigned v = 0; v < m->nvectors; v++) {
        bool now = msix_is_masked(dev, v);
        if (m->masked[v] && !now && msix_is_pending(dev, v)) {
            set_pending(m, v, false);
            msix_send(dev, v);
        }
        m->masked[v] = now;
    }
}

void msix_write_config(PCIDevice *dev, uint32_t addr, uint32_t val,
                       unsigned len)
{
    uint32_t ctrl = dev->msix->cap + PCI_MSIX_FLAGS;

    if (addr + len <= ctrl || addr >= ctrl + 2) {
        return;
    }
    if (msix_enabled(dev)) {
        /* MSI-X replaces INTx while it is on. */
        pci_set_irq(dev, 0);
    }
    msix_update(dev);
}

bool msix_bar_access(PCIDevice *dev, int bar, uint64_t off, unsigned size,
                     uint64_t *val, bool is_write)
{
    MSIXState *m = dev->msix;
    uint32_t tsize = table_size(m->nvectors);

    if (bar != m->bar || size == 0 || size > 8) {
        return false;
    }
    if (off >= m->table_off && off + size <= m->table_off + tsize) {
        uint8_t *p = m->table + (off - m->table_off);
        if (!is_write) {
            *val = 0;
            for (unsigned i = 0; i < size; i++) {
                *val |= (uint64_t)p[i] << (8 * i);
            }
            return true;
        }
        for (unsigned i = 0; i < size; i++) {
            uint32_t pos = (off - m->table_off + i) % PCI_MSIX_ENTRY_SIZE;
            uint8_t b = *val >> (8 * i);
            /* Only the mask bit of the vector control word is writable. */
            if (pos >= PCI_MSIX_ENTRY_CTRL) {
                b = pos == PCI_MSIX_ENTRY_CTRL ? b & 1 : 0;
            }
            p[i] = b;
        }
        msix_update(dev);
        return true;
    }
    if (off >= m->pba_off && off + size <= m->pba_off + m->pba_size) {
        /* The PBA is read-only. */
        if (!is_write) {
            const uint8_t *p = m->pba + (off - m->pba_off);
            *val = 0;
            for (unsigned i = 0; i < size; i++) {
                *val |= (uint64_t)p[i] << (8 * i);
            }
        }
        return true;
    }
    return false;
}

static void msix_reset_table(MSIXState *m)
{
    memset(m->table, 0, table_size(m->nvectors));
    for (unsigned v = 0; v < m->nvectors; v++) {
        m->table[v * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_CTRL] =
            PCI_MSIX_ENTRY_CTRL_MASKBIT;
        m->masked[v] = true;
    }
    memset(m->pba, 0, m->pba_size);
}

bool msix_init(PCIDevice *dev, unsigned nvectors, int bar, uint32_t table_off,
               uint32_t pba_off, Error **errp)
{
    uint64_t bsize = bar >= 0 && bar < PCI_NUM_BARS ? dev->bars[bar].size : 0;
    uint32_t ts = table_size(nvectors), ps = pba_size(nvectors);
    MSIXState *m;
    uint8_t cap;

    if (dev->msix) {
        error_setg(errp, "%s: MSI-X is already initialized",
                   dev->qdev.cls->type.name);
        return false;
    }
    if (nvectors < 1 || nvectors > PCI_MSIX_FLAGS_QSIZE + 1) {
        error_setg(errp, "The number of MSI-X vectors is invalid");
        return false;
    }
    if (!bsize || (dev->bars[bar].type & PCI_BASE_ADDRESS_SPACE_IO) ||
        (table_off & 7) || (pba_off & 7) || table_off + (uint64_t)ts > bsize ||
        pba_off + (uint64_t)ps > bsize ||
        (table_off < pba_off + ps && pba_off < table_off + ts)) {
        error_setg(errp, "table & pba overlap, or they don't fit in BARs, or "
                         "don't align");
        return false;
    }
    cap = pci_add_capability(dev, PCI_CAP_ID_MSIX, 0, PCI_MSIX_CAP_SIZE, errp);
    if (!cap) {
        return false;
    }
    m = g_new0(MSIXState, 1);
    m->nvectors = nvectors;
    m->bar = bar;
    m->table_off = table_off;
    m->pba_off = pba_off;
    m->pba_size = ps;
    m->cap = cap;
    m->table = g_malloc0(ts);
    m->pba = g_malloc0(ps);
    m->used = g_new0(unsigned, nvectors);
    m->masked = g_new0(bool, nvectors);
    msix_reset_table(m);
    pci_set_word(dev->config + cap + PCI_MSIX_FLAGS, nvectors - 1);
    pci_set_long(dev->config + cap + PCI_MSIX_TABLE, table_off | bar);
    pci_set_long(dev->config + cap + PCI_MSIX_PBA, pba_off | bar);
    /* The guest may only set enable and the function mask. */
    pci_set_word(dev->wmask + cap + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    dev->msix = m;
    return true;
}

static uint64_t pow2ceil(uint64_t v)
{
    uint64_t p = 1;

    while (p < v) {
        p <<= 1;
    }
    return p;
}

bool msix_init_exclusive_bar(PCIDevice *dev, unsigned nvectors, int bar,
                             Error **errp)
{
    uint32_t bar_size = 4096, pba_off = bar_size / 2;

    if (nvectors < 1 || nvectors > PCI_MSIX_FLAGS_QSIZE + 1) {
        error_setg(errp, "The number of MSI-X vectors is invalid");
        return false;
    }
    if (table_size(nvectors) > pba_off) {
        pba_off = table_size(nvectors);
    }
    if (pba_off + pba_size(nvectors) > bar_size) {
        bar_size = pba_off + pba_size(nvectors);
    }
    bar_size = pow2ceil(bar_size);
    if (!pci_register_bar(dev, bar, PCI_BASE_ADDRESS_SPACE_MEMORY, bar_size,
                          NULL, NULL, errp)) {
        return false;
    }
    return msix_init(dev, nvectors, bar, 0, pba_off, errp);
}

void msix_uninit(PCIDevice *dev)
{
    MSIXState *m = dev->msix;

    if (!m) {
        return;
    }
    pci_del_capability(dev, PCI_CAP_ID_MSIX, PCI_MSIX_CAP_SIZE);
    dev->msix = NULL;
    g_free(m->table);
    g_free(m->pba);
    g_free(m->used);
    g_free(m->masked);
    g_free(m);
}

void msix_reset(PCIDevice *dev)
{
    if (!dev->msix) {
        return;
    }
    pci_set_word(dev->config + dev->msix->cap + PCI_MSIX_FLAGS,
                 pci_get_word(dev->config + dev->msix->cap + PCI_MSIX_FLAGS) &
                     ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    msix_reset_table(dev->msix);
}

bool msix_vector_use(PCIDevice *dev, unsigned vector)
{
    if (!dev->msix || vector >= dev->msix->nvectors) {
        return false;
    }
    dev->msix->used[vector]++;
    return true;
}

void msix_vector_unuse(PCIDevice *dev, unsigned vector)
{
    MSIXState *m = dev->msix;

    if (!m || vector >= m->nvectors || !m->used[vector]) {
        return;
    }
    if (--m->used[vector] == 0) {
        set_pending(m, vector, false);
    }
}

void msix_unuse_all_vectors(PCIDevice *dev)
{
    MSIXState *m = dev->msix;

    if (!m) {
        return;
    }
    memset(m->used, 0, m->nvectors * sizeof(*m->used));
    memset(m->pba, 0, m->pba_size);
}

/* ---- migration: be32 nvectors, the table, the PBA ---- */

bool msix_vmstate_save(PCIDevice *dev, QEMUFile *f, Error **errp)
{
    MSIXState *m = dev->msix;

    qemu_put_be32(f, m->nvectors);
    qemu_put_buffer(f, m->table, table_size(m->nvectors));
    qemu_put_buffer(f, m->pba, m->pba_size);
    return true;
}

/* Read @pba_len bytes of PBA (the rest stays clear) after the table. */
static bool msix_load_table_pba(PCIDevice *dev, QEMUFile *f, uint32_t pba_len,
                                Error **errp)
{
    MSIXState *m = dev->msix;
    unsigned n = m->nvectors;
    uint8_t *table, *pba;
    bool ok = false;

    table = g_malloc(table_size(n));
    pba = g_malloc0(m->pba_size);
    qemu_get_buffer(f, table, table_size(n));
    qemu_get_buffer(f, pba, pba_len);
    if (!qemu_file_check_error(f, errp)) {
        goto out;
    }
    for (unsigned v = n; v < m->pba_size * 8; v++) {
        if (pba[v / 8] & (1u << (v % 8))) {
            error_setg(errp, "MSI-X: pending bit %u beyond the %u vectors", v,
                       n);
            goto out;
        }
    }
    memcpy(m->table, table, table_size(n));
    memcpy(m->pba, pba, m->pba_size);
    /* The masks as the source last computed them: nothing is delivered
     * by the load itself. */
    for (unsigned v = 0; v < n; v++) {
        m->masked[v] = msix_is_masked(dev, v);
    }
    ok = true;
out:
    g_free(table);
    g_free(pba);
    return ok;
}

bool msix_vmstate_load(PCIDevice *dev, QEMUFile *f, Error **errp)
{
    MSIXState *m = dev->msix;
    uint32_t n = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (n != m->nvectors) {
        error_setg(errp, "MSI-X: %u vectors in the stream, %u here", n,
                   m->nvectors);
        return false;
    }
    return msix_load_table_pba(dev, f, m->pba_size, errp);
}

/* ---- QEMU's msix_save layout: the table, then ceil(n / 8) PBA bytes ---- */

void msix_save_qemu(PCIDevice *dev, QEMUFile *f)
{
    MSIXState *m = dev->msix;

    if (!m) {
        return;
    }
    qemu_put_buffer(f, m->table, table_size(m->nvectors));
    qemu_put_buffer(f, m->pba, (m->nvectors + 7) / 8);
}

bool msix_load_qemu(PCIDevice *dev, QEMUFile *f, Error **errp)
{
    MSIXState *m = dev->msix;

    return !m || msix_load_table_pba(dev, f, (m->nvectors + 7) / 8, errp);
}
