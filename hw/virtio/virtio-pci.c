/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-pci transport.
 *
 * BAR 4 (64-bit memory): common config at 0x0000, ISR at 0x1000, device
 * config at 0x2000, notifications at 0x3000 (4 bytes per queue).
 * BAR 1: MSI-X table and PBA.  BAR 0 (transitional only): legacy I/O.
 */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net.h"
#include "hw/pci/msix.h"
#include "hw/pci/pci_regs.h"
#include "hw/virtio/virtio-pci.h"
#include "migration/savevm.h"
#include "util/bswap.h"

#define MODERN_BAR 4
#define MSIX_BAR 1
#define LEGACY_BAR 0
#define COMMON_OFF 0x0000
#define ISR_OFF 0x1000
#define DEVICE_OFF 0x2000
#define NOTIFY_OFF 0x3000
#define REGION_SIZE 0x1000
#define MODERN_BAR_SIZE 0x4000
#define NOTIFY_MULT 4

/* virtio_pci_cap cfg_type values */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR 3
#define CAP_DEVICE 4
#define CAP_PCI 5

/* Legacy header; MSI-X adds two vector registers before device config. */
#define L_HOST_FEATURES 0
#define L_GUEST_FEATURES 4
#define L_QUEUE_PFN 8
#define L_QUEUE_NUM 12
#define L_QUEUE_SEL 14
#define L_QUEUE_NOTIFY 16
#define L_STATUS 18
#define L_ISR 19
#define L_CONFIG_VECTOR 20
#define L_QUEUE_VECTOR 22

static VirtioPCIClass *proxy_class(VirtIOPCIProxy *p)
{
    return (VirtioPCIClass *)p->pci.qdev.cls;
}

/* The nearest class in the chain that sets a hook (subclasses add none). */
static const VirtioPCIClass *hook_class(VirtIOPCIProxy *p, size_t off)
{
    const DeviceClass *dc = p->pci.qdev.cls;

    while (dc) {
        const VirtioPCIClass *vc = (const VirtioPCIClass *)dc;
        const TypeInfo *t = type_lookup(dc->type.name);
        if (!t || !type_is_a(t, TYPE_VIRTIO_PCI)) {
            return NULL;
        }
        if (*(void *const *)((const char *)vc + off)) {
            return vc;
        }
        dc = dc->type.parent ? device_class_find(dc->type.parent) : NULL;
    }
    return NULL;
}

#define VPCI_HOOK(p, f)                                                      \
    (hook_class((p), offsetof(VirtioPCIClass, f))                            \
         ? hook_class((p), offsetof(VirtioPCIClass, f))->f : NULL)

/* ---- interrupts ---- */

static void vpci_notify(void *opaque, uint16_t vector)
{
    VirtIOPCIProxy *p = opaque;

    if (msix_enabled(&p->pci)) {
        if (vector != VIRTIO_NO_VECTOR && vector < msix_nr_vectors(&p->pci)) {
            msix_notify(&p->pci, vector);
        }
        return;
    }
    pci_set_irq(&p->pci, p->vdev->isr & 1 || p->vdev->isr & 2);
}

static void vpci_queues_changed(void *opaque)
{
    /* num_queues is read live from the core; nothing is cached here. */
}

/*
 * ---- migration ----
 *
 * As QEMU, the transport travels inside the device's virtio stream (one
 * section "<pci path>/virtio-net"), not in a pci-device section:
 *   config: QEMU's pci_device_save() ("PCIDevice" v2: be32 version 2, the
 *           whole config space with the INTx status bit clear, be32 level
 *           of each of the 4 pins), msix_save() (table + PBA), and be16
 *           config_vector with MSI-X;
 *   queue:  be16 vector with MSI-X;
 *   extra:  "virtio_pci" / "virtio_pci/modern_state" (feature selectors,
 *           driver feature words, and per queue "modern_queue_state").
 */

#define VPCI_DEVICE_VMSTATE_VERSION 2
#define VPCI_NUM_PINS 4

/* Registers that say which device this is, checked on load. */
static const struct {
    uint8_t off, len;
} vpci_identity[] = {
    {PCI_VENDOR_ID, 4}, {PCI_REVISION_ID, 4}, {PCI_HEADER_TYPE, 1},
};

static void vpci_put_pci(VirtIOPCIProxy *p, QEMUFile *f)
{
    PCIDevice *d = &p->pci;
    uint8_t status = d->config[PCI_STATUS];

    qemu_put_be32(f, VPCI_DEVICE_VMSTATE_VERSION);
    /* The INTx status bit is implied by the pin levels that follow. */
    d->config[PCI_STATUS] &= ~PCI_STATUS_INTERRUPT;
    qemu_put_buffer(f, d->config, d->config_size);
    d->config[PCI_STATUS] = status;
    for (int pin = 0; pin < VPCI_NUM_PINS; pin++) {
        qemu_put_be32(f, pin == 0 ? d->intx_level : 0);
    }
}

static bool vpci_check_pci(VirtIOPCIProxy *p, const uint8_t *cfg,
                           const uint32_t *levels, Error **errp)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vpci_identity); i++) {
        unsigned o = vpci_identity[i].off;
        if (memcmp(cfg + o, p->pci.config + o, vpci_identity[i].len)) {
            error_setg(errp, "virtio-pci: configuration register 0x%x "
                       "differs: the stream is for another device", o);
            return false;
        }
    }
    for (int pin = 0; pin < VPCI_NUM_PINS; pin++) {
        if (levels[pin] > 1 || (pin && levels[pin])) {
            error_setg(errp, "virtio-pci: irq state %u for pin %d",
                       levels[pin], pin);
            return false;
        }
    }
    return true;
}

static bool vpci_get_pci(VirtIOPCIProxy *p, QEMUFile *f, Error **errp)
{
    PCIDevice *d = &p->pci;
    uint32_t version = qemu_get_be32(f), levels[VPCI_NUM_PINS];
    uint8_t *cfg = g_malloc(d->config_size);
    bool ok = false;

    qemu_get_buffer(f, cfg, d->config_size);
    for (int pin = 0; pin < VPCI_NUM_PINS; pin++) {
        levels[pin] = qemu_get_be32(f);
    }
    if (!qemu_file_check_error(f, errp)) {
        goto out;
    }
    if (version < 1 || version > VPCI_DEVICE_VMSTATE_VERSION) {
        error_setg(errp, "virtio-pci: PCIDevice version %u", version);
        goto out;
    }
    if (!vpci_check_pci(p, cfg, levels, errp)) {
        goto out;
    }
    memcpy(d->config, cfg, d->config_size);
    /* BARs move to where the registers say; the pin (and the status bit)
     * take the source's level. */
    pci_update_mappings(d);
    pci_set_irq(d, levels[0]);
    ok = true;
out:
    g_free(cfg);
    return ok;
}

static bool vpci_save_config(void *opaque, QEMUFile *f, Error **errp)
{
    VirtIOPCIProxy *p = opaque;

    vpci_put_pci(p, f);
    msix_save_qemu(&p->pci, f);
    if (msix_present(&p->pci)) {
        qemu_put_be16(f, p->vdev->config_vector);
    }
    return qemu_file_check_error(f, errp);
}

/* A vector from the stream: NO_VECTOR, or one the table has (marked used). */
static bool vpci_load_vector(VirtIOPCIProxy *p, uint16_t vector,
                             const char *what, Error **errp)
{
    if (vector == VIRTIO_NO_VECTOR) {
        return true;
    }
    if (vector >= msix_nr_vectors(&p->pci)) {
        error_setg(errp, "virtio-pci: %s vector %u, the device has %u", what,
                   vector, msix_nr_vectors(&p->pci));
        return false;
    }
    msix_vector_use(&p->pci, vector);
    return true;
}

static bool vpci_load_config(void *opaque, QEMUFile *f, Error **errp)
{
    VirtIOPCIProxy *p = opaque;
    uint16_t vector = VIRTIO_NO_VECTOR;

    if (!vpci_get_pci(p, f, errp)) {
        return false;
    }
    if (msix_present(&p->pci)) {
        msix_unuse_all_vectors(&p->pci);
        if (!msix_load_qemu(&p->pci, f, errp)) {
            return false;
        }
        vector = qemu_get_be16(f);
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
    }
    p->vdev->config_vector = vector;
    return vpci_load_vector(p, vector, "config", errp);
}

static void vpci_save_queue(void *opaque, unsigned n, QEMUFile *f)
{
    VirtIOPCIProxy *p = opaque;

    if (msix_present(&p->pci)) {
        qemu_put_be16(f, virtio_queue_vector(virtio_get_queue(p->vdev, n)));
    }
}

static bool vpci_load_queue(void *opaque, unsigned n, QEMUFile *f,
                            Error **errp)
{
    VirtIOPCIProxy *p = opaque;
    VirtQueue *vq = virtio_get_queue(p->vdev, n);
    uint16_t vector = VIRTIO_NO_VECTOR;
    char what[16];

    if (msix_present(&p->pci)) {
        vector = qemu_get_be16(f);
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        snprintf(what, sizeof(what), "queue %u", n);
        if (!vpci_load_vector(p, vector, what, errp)) {
            return false;
        }
    }
    virtio_queue_set_vector(vq, vector);
    return true;
}

static bool vpci_has_extra_state(void *opaque)
{
    return ((VirtIOPCIProxy *)opaque)->modern;
}

/* "virtio_pci/modern_queue_state": be16 num, an unused byte, bool enabled,
 * desc, avail and used as two be32 words each (low first). */
static void vpci_put_addr(QEMUFile *f, uint64_t a)
{
    qemu_put_be32(f, (uint32_t)a);
    qemu_put_be32(f, a >> 32);
}

static uint64_t vpci_get_addr(QEMUFile *f)
{
    uint64_t lo = qemu_get_be32(f);
    return lo | (uint64_t)qemu_get_be32(f) << 32;
}

static bool vpci_put_vqs(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIOPCIProxy *p = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = virtio_get_queue(p->vdev, i);
        bool present = virtio_queue_get_max_num(vq) != 0;

        qemu_put_be16(f, present ? virtio_queue_get_num(vq) : 0);
        qemu_put_byte(f, 0);
        qemu_put_byte(f, present && virtio_queue_ready(vq));
        vpci_put_addr(f, virtio_queue_get_desc(vq));
        vpci_put_addr(f, virtio_queue_get_avail(vq));
        vpci_put_addr(f, virtio_queue_get_used(vq));
    }
    return qemu_file_check_error(f, errp);
}

static bool vpci_load_vq(VirtIOPCIProxy *p, unsigned i, uint16_t num,
                         bool enabled, const uint64_t r[3], Error **errp)
{
    VirtQueue *vq = virtio_get_queue(p->vdev, i);
    unsigned max = virtio_queue_get_max_num(vq);

    if (!max) {
        if (enabled) {
            error_setg(errp, "virtio-pci: queue %u is enabled in the stream "
                       "but the device has no such queue", i);
            return false;
        }
        return true;
    }
    if (num) {
        if (num > max || (num & (num - 1))) {
            error_setg(errp, "virtio-pci: queue %u size 0x%x is not a power "
                       "of 2 up to 0x%x", i, num, max);
            return false;
        }
        virtio_queue_set_num(vq, num);
    } else if (enabled) {
        error_setg(errp, "virtio-pci: queue %u is enabled with size 0", i);
        return false;
    }
    virtio_queue_set_rings(vq, r[0], r[1], r[2]);
    virtio_queue_set_ready(vq, enabled);
    return true;
}

static bool vpci_get_vqs(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIOPCIProxy *p = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        uint16_t num = qemu_get_be16(f);
        uint8_t enabled;
        uint64_t r[3];

        qemu_get_byte(f); /* unused: enabled was once a be16 */
        enabled = qemu_get_byte(f);
        for (int k = 0; k < 3; k++) {
            r[k] = vpci_get_addr(f);
        }
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        if (enabled > 1) {
            error_setg(errp, "virtio-pci: queue %u enabled byte 0x%x", i,
                       enabled);
            return false;
        }
        if (!vpci_load_vq(p, i, num, enabled, r, errp)) {
            return false;
        }
    }
    return true;
}

static const VMStateInfo vpci_vqs_info = {
    .name = "virtio_pci/modern_queue_state",
    .get = vpci_get_vqs,
    .put = vpci_put_vqs,
};

static const VMStateDescription vmstate_virtio_pci_modern_state = {
    .name = "virtio_pci/modern_state",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = vpci_has_extra_state,
    .fields = (const VMStateField[]){
        VMSTATE_UINT32(dfselect, VirtIOPCIProxy),
        VMSTATE_UINT32(gfselect, VirtIOPCIProxy),
        { .name = "guest_features", .kind = VMS_ARRAY,
          .offset = offsetof(VirtIOPCIProxy, guest_features),
          .size = sizeof(uint32_t), .elem = VMS_U32,
          .elem_size = sizeof(uint32_t), .count_kind = VMS_END, .max = 2 },
        { .name = "vqs", .kind = VMS_CUSTOM, .info = &vpci_vqs_info },
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_pci = {
    .name = "virtio_pci",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){ VMSTATE_END_OF_LIST },
    .subsections = (const VMStateDescription *const[]){
        &vmstate_virtio_pci_modern_state,
        NULL,
    },
};

static void vpci_post_load(void *opaque)
{
    VirtIOPCIProxy *p = opaque;

    /* Without the modern interface the feature latch is not in the
     * stream: it is what the (legacy) driver negotiated. */
    if (!p->modern) {
        p->guest_features[0] = (uint32_t)p->vdev->guest_features;
        p->guest_features[1] = p->vdev->guest_features >> 32;
    }
}

static const VirtioTransportOps vpci_transport = {
    .notify = vpci_notify,
    .queues_changed = vpci_queues_changed,
    .save_config = vpci_save_config,
    .load_config = vpci_load_config,
    .save_queue = vpci_save_queue,
    .load_queue = vpci_load_queue,
    .extra_state = &vmstate_virtio_pci,
    .has_extra_state = vpci_has_extra_state,
    .post_load = vpci_post_load,
};

/* QEMU's PCI device path: "<domain>:<root bus>" and then ":<slot>.<fn>"
 * for every device from the root down, e.g. "0000:00:04.0". */
char *virtio_pci_dev_path(PCIDevice *dev)
{
    GString *s = g_string_new(NULL);
    GPtrArray *chain = g_ptr_array_new();
    PCIBus *bus = dev->bus;

    g_ptr_array_add(chain, dev);
    while (bus->parent_dev && chain->len < 256) {
        g_ptr_array_add(chain, bus->parent_dev);
        bus = bus->parent_dev->bus;
    }
    g_string_printf(s, "0000:%02x", pci_bus_num(bus));
    for (guint i = chain->len; i-- > 0;) {
        PCIDevice *d = g_ptr_array_index(chain, i);
        g_string_append_printf(s, ":%02x.%x", PCI_SLOT(d->devfn),
                               PCI_FUNC(d->devfn));
    }
    g_ptr_array_free(chain, true);
    return g_string_free(s, false);
}

/* The device's section; only virtio-net has a migration description. */
static bool vpci_register_migration(VirtIOPCIProxy *p, Error **errp)
{
    char *path;
    bool ok;

    if (p->vdev->device_id != VIRTIO_ID_NET) {
        return true;
    }
    path = virtio_pci_dev_path(&p->pci);
    ok = virtio_net_register_migration(p->vdev->opaque, path, errp);
    g_free(path);
    return ok;
}

static uint16_t checked_vector(VirtIOPCIProxy *p, uint16_t vector)
{
    /* A vector the table does not have reads back as NO_VECTOR. */
    if (vector == VIRTIO_NO_VECTOR || !msix_present(&p->pci) ||
        vector >= msix_nr_vectors(&p->pci)) {
        return VIRTIO_NO_VECTOR;
    }
    msix_vector_use(&p->pci, vector);
    return vector;
}

static void vpci_reset(VirtIOPCIProxy *p)
{
    virtio_reset(p->vdev);
    p->dfselect = p->gfselect = 0;
    p->guest_features[0] = p->guest_features[1] = 0;
    if (msix_present(&p->pci)) {
        msix_unuse_all_vectors(&p->pci);
    }
    pci_set_irq(&p->pci, 0);
}

static void vpci_set_status(VirtIOPCIProxy *p, uint8_t val)
{
    if (val == 0) {
        vpci_reset(p);
        return;
    }
    virtio_set_status(p->vdev, val);
}

static uint8_t isr_read_clear(VirtIOPCIProxy *p)
{
    uint8_t isr = p->vdev->isr;

    p->vdev->isr = 0;
    pci_set_irq(&p->pci, 0);
    return isr;
}

/* ---- modern common config ---- */

static uint64_t offered(VirtIOPCIProxy *p)
{
    return (virtio_offered_features(p->vdev) & ~p->vdev->legacy_features) |
           1ULL << VIRTIO_F_VERSION_1;
}

static uint64_t common_read(VirtIOPCIProxy *p, uint64_t off, unsigned size)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, vdev->queue_sel);

    switch (off) {
    case 0x00:
        return p->dfselect;
    case 0x04:
        return p->dfselect < 2 ? offered(p) >> (32 * p->dfselect) : 0;
    case 0x08:
        return p->gfselect;
    case 0x0c:
        return p->gfselect < 2 ? p->guest_features[p->gfselect] : 0;
    case 0x10:
        return vdev->config_vector;
    case 0x12:
        return virtio_get_num_queues(vdev);
    case 0x14:
        return vdev->status;
    case 0x15:
        return vdev->generation & 0xff;
    case 0x16:
        return vdev->queue_sel;
    case 0x18:
        return vq ? virtio_queue_get_num(vq) * !!virtio_queue_get_max_num(vq)
                  : 0;
    case 0x1a:
        return vq ? virtio_queue_vector(vq) : VIRTIO_NO_VECTOR;
    case 0x1c:
        return vq && virtio_queue_ready(vq);
    case 0x1e:
        return vdev->queue_sel;
    case 0x20: case 0x24: case 0x28: case 0x2c: case 0x30: case 0x34: {
        uint64_t v = !vq ? 0 : off < 0x28 ? virtio_queue_get_desc(vq)
                     : off < 0x30 ? virtio_queue_get_avail(vq)
                                  : virtio_queue_get_used(vq);
        return size == 8 ? v : (off & 4) ? v >> 32 : (uint32_t)v;
    }
    }
    return 0;
}

static void set_ring_part(VirtQueue *vq, uint64_t off, uint64_t val,
                          unsigned size)
{
    uint64_t rings[3] = { virtio_queue_get_desc(vq),
                          virtio_queue_get_avail(vq),
                          virtio_queue_get_used(vq) };
    unsigned which = (off - 0x20) / 8;

    if (size == 8) {
        rings[which] = val;
    } else if (off & 4) {
        rings[which] = (rings[which] & 0xffffffffULL) | val << 32;
    } else {
        rings[which] = (rings[which] & ~0xffffffffULL) | (uint32_t)val;
    }
    virtio_queue_set_rings(vq, rings[0], rings[1], rings[2]);
}

static void write_driver_features(VirtIOPCIProxy *p, uint32_t val)
{
    uint64_t all;

    if (p->gfselect >= 2 || (p->vdev->status & VIRTIO_CONFIG_S_FEATURES_OK)) {
        return;
    }
    p->guest_features[p->gfselect] = val;
    all = (uint64_t)p->guest_features[1] << 32 | p->guest_features[0];
    virtio_set_features(p->vdev, all);
}

static void common_write(VirtIOPCIProxy *p, uint64_t off, uint64_t val,
                         unsigned size)
{
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, vdev->queue_sel);
    bool vq_present = vq && virtio_queue_get_max_num(vq);

    switch (off) {
    case 0x00:
        p->dfselect = val;
        break;
    case 0x08:
        p->gfselect = val;
        break;
    case 0x0c:
        write_driver_features(p, val);
        break;
    case 0x10:
        vdev->config_vector = checked_vector(p, val);
        break;
    case 0x14:
        vpci_set_status(p, val);
        break;
    case 0x16:
        vdev->queue_sel = val < VIRTIO_QUEUE_MAX ? val : vdev->queue_sel;
        break;
    case 0x18:
        if (vq_present && !virtio_queue_ready(vq)) {
            virtio_queue_set_num(vq, val);
        }
        break;
    case 0x1a:
        if (vq_present) {
            virtio_queue_set_vector(vq, checked_vector(p, val));
        }
        break;
    case 0x1c:
        /* Only enabling is defined; writing 0 is ignored (use reset). */
        if (vq_present && val == 1) {
            virtio_queue_set_ready(vq, true);
        }
        break;
    case 0x20: case 0x24: case 0x28: case 0x2c: case 0x30: case 0x34:
        if (vq_present && !virtio_queue_ready(vq)) {
            set_ring_part(vq, off, val, size);
        }
        break;
    }
}

static uint64_t modern_read(void *opaque, uint64_t off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    uint64_t cfg_off;
    uint64_t val = 0;

    if (off < COMMON_OFF + REGION_SIZE) {
        return common_read(p, off, size);
    }
    if (off < ISR_OFF + REGION_SIZE) {
        return off == ISR_OFF ? isr_read_clear(p) : 0;
    }
    if (off < DEVICE_OFF + REGION_SIZE) {
        cfg_off = off - DEVICE_OFF;
        virtio_update_config(p->vdev);
        for (unsigned i = 0; i < size && cfg_off + i < p->vdev->config_len;
             i++) {
            val |= (uint64_t)p->vdev->config[cfg_off + i] << (8 * i);
        }
        return val;
    }
    return 0;
}

static void modern_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    uint64_t cfg_off;

    if (off < COMMON_OFF + REGION_SIZE) {
        common_write(p, off, val, size);
    } else if (off >= DEVICE_OFF && off < DEVICE_OFF + REGION_SIZE) {
        cfg_off = off - DEVICE_OFF;
        if (cfg_off + size > p->vdev->config_len) {
            return;
        }
        virtio_update_config(p->vdev);
        for (unsigned i = 0; i < size; i++) {
            p->vdev->config[cfg_off + i] = val >> (8 * i);
        }
        if (p->vdev->ops->set_config) {
            p->vdev->ops->set_config(p->vdev, p->vdev->config);
        }
    } else if (off >= NOTIFY_OFF && off < NOTIFY_OFF + REGION_SIZE) {
        virtio_queue_notify(p->vdev, (off - NOTIFY_OFF) / NOTIFY_MULT);
    }
}

static const MemoryRegionOps modern_ops = {
    .read = modern_read,
    .write = modern_write,
    .min_access = 1,
    .max_access = 8,
};

/* ---- legacy I/O BAR ---- */

static unsigned legacy_header(VirtIOPCIProxy *p)
{
    return msix_enabled(&p->pci) ? 24 : 20;
}

static uint64_t legacy_read(void *opaque, uint64_t off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, vdev->queue_sel);
    unsigned hdr = legacy_header(p);
    uint64_t val = 0;

    if (off >= hdr) {
        virtio_update_config(vdev);
        for (unsigned i = 0; i < size && off - hdr + i < vdev->config_len;
             i++) {
            val |= (uint64_t)vdev->config[off - hdr + i] << (8 * i);
        }
        return val;
    }
    switch (off) {
    case L_HOST_FEATURES:
        return (uint32_t)virtio_offered_features(vdev);
    case L_GUEST_FEATURES:
        return (uint32_t)vdev->guest_features;
    case L_QUEUE_PFN:
        return vq ? virtio_queue_get_desc(vq) >> 12 : 0;
    case L_QUEUE_NUM:
        return vq ? virtio_queue_get_max_num(vq) : 0;
    case L_QUEUE_SEL:
        return vdev->queue_sel;
    case L_STATUS:
        return vdev->status;
    case L_ISR:
        return isr_read_clear(p);
    case L_CONFIG_VECTOR:
        return vdev->config_vector;
    case L_QUEUE_VECTOR:
        return vq ? virtio_queue_vector(vq) : VIRTIO_NO_VECTOR;
    }
    return 0;
}

static void legacy_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = p->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, vdev->queue_sel);
    unsigned hdr = legacy_header(p);

    if (off >= hdr) {
        if (off - hdr + size <= vdev->config_len) {
            virtio_update_config(vdev);
            for (unsigned i = 0; i < size; i++) {
                vdev->config[off - hdr + i] = val >> (8 * i);
            }
            if (vdev->ops->set_config) {
                vdev->ops->set_config(vdev, vdev->config);
            }
        }
        return;
    }
    switch (off) {
    case L_GUEST_FEATURES:
        vdev->legacy_mode = true;
        virtio_set_features(vdev, (uint32_t)val);
        break;
    case L_QUEUE_PFN:
        if (val == 0) {
            vpci_reset(p); /* as the legacy interface defines */
        } else if (vq && virtio_queue_get_max_num(vq)) {
            virtio_queue_set_legacy_addr(vq, val << 12, 4096);
        }
        break;
    case L_QUEUE_SEL:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case L_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, val);
        break;
    case L_STATUS:
        vpci_set_status(p, val);
        break;
    case L_CONFIG_VECTOR:
        vdev->config_vector = checked_vector(p, val);
        break;
    case L_QUEUE_VECTOR:
        if (vq) {
            virtio_queue_set_vector(vq, checked_vector(p, val));
        }
        break;
    }
}

static const MemoryRegionOps legacy_ops = {
    .read = legacy_read,
    .write = legacy_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- capabilities ---- */

static bool add_vndr_cap(VirtIOPCIProxy *p, uint8_t type, uint32_t offset,
                         uint32_t length, uint8_t extra, Error **errp)
{
    uint8_t len = 16 + extra;
    uint8_t pos = pci_add_capability(&p->pci, PCI_CAP_ID_VNDR, 0, len, errp);
    uint8_t *c;

    if (!pos) {
        return false;
    }
    c = p->pci.config + pos;
    c[2] = len;
    c[3] = type;
    c[4] = type == CAP_PCI ? 0 : MODERN_BAR;
    pci_set_long(c + 8, type == CAP_PCI ? 0 : offset);
    pci_set_long(c + 12, type == CAP_PCI ? 0 : length);
    if (type == CAP_NOTIFY) {
        pci_set_long(c + 16, NOTIFY_MULT);
    }
    if (type == CAP_PCI) {
        /* bar, offset, length and data are the driver's to write */
        memset(p->pci.wmask + pos + 4, 0xff, 1);
        memset(p->pci.wmask + pos + 8, 0xff, 12);
    }
    return true;
}

static bool add_modern(VirtIOPCIProxy *p, Error **errp)
{
    return pci_register_bar(&p->pci, MODERN_BAR,
                            PCI_BASE_ADDRESS_SPACE_MEMORY |
                                PCI_BASE_ADDRESS_MEM_TYPE_64 |
                                PCI_BASE_ADDRESS_MEM_PREFETCH,
                            MODERN_BAR_SIZE, &modern_ops, p, errp) &&
           add_vndr_cap(p, CAP_COMMON, COMMON_OFF, REGION_SIZE, 0, errp) &&
           add_vndr_cap(p, CAP_ISR, ISR_OFF, REGION_SIZE, 0, errp) &&
           add_vndr_cap(p, CAP_DEVICE, DEVICE_OFF, REGION_SIZE, 0, errp) &&
           add_vndr_cap(p, CAP_NOTIFY, NOTIFY_OFF,
                        VIRTIO_QUEUE_MAX * NOTIFY_MULT, 4, errp) &&
           add_vndr_cap(p, CAP_PCI, 0, 0, 4, errp);
}

static uint64_t pow2ceil(uint64_t v)
{
    uint64_t p = 1;
    while (p < v) {
        p <<= 1;
    }
    return p;
}

static void set_ids(VirtIOPCIProxy *p)
{
    uint8_t *cfg = p->pci.config;
    uint16_t id = p->vdev->device_id;

    pci_set_word(cfg + PCI_VENDOR_ID, PCI_VENDOR_ID_REDHAT_QUMRANET);
    pci_set_word(cfg + PCI_SUBSYSTEM_VENDOR_ID, PCI_VENDOR_ID_REDHAT_QUMRANET);
    if (p->legacy) {
        /* Transitional: 0x1000 + device id - 1 (net = 0x1000). */
        pci_set_word(cfg + PCI_DEVICE_ID, 0x1000 + id - 1);
        pci_set_word(cfg + PCI_SUBSYSTEM_ID, id);
        cfg[PCI_REVISION_ID] = 0;
    } else {
        pci_set_word(cfg + PCI_DEVICE_ID, 0x1040 + id);
        pci_set_word(cfg + PCI_SUBSYSTEM_ID, PCI_SUBDEVICE_ID_QEMU);
        cfg[PCI_REVISION_ID] = 1;
    }
    cfg[PCI_INTERRUPT_PIN] = 1;
}

static bool vpci_realize(PCIDevice *pci, Error **errp)
{
    VirtIOPCIProxy *p = (VirtIOPCIProxy *)pci;
    VirtIODevice *(*dev_realize)(VirtIOPCIProxy *, Error **) =
        VPCI_HOOK(p, device_realize);
    unsigned (*def_vectors)(VirtIOPCIProxy *) = VPCI_HOOK(p, default_vectors);
    int force = proxy_class(p)->force_legacy;

    p->vdev = dev_realize ? dev_realize(p, errp) : NULL;
    if (!p->vdev) {
        return false;
    }
    virtio_bind_transport(p->vdev, &vpci_transport, p);
    /* auto: transitional on the root complex, modern-only behind a PCIe
     * port, as QEMU decides it. */
    if (force >= 0) {
        p->legacy = force;
    } else if (p->disable_legacy == ON_OFF_AUTO_AUTO) {
        p->legacy = pci_bus_is_root(pci->bus) || !pci_bus_is_express(pci->bus);
    } else {
        p->legacy = p->disable_legacy == ON_OFF_AUTO_OFF;
    }
    p->modern = !p->disable_modern;
    if (force == 0 && p->disable_modern) {
        error_setg(errp, "device cannot work as neither modern nor legacy "
                   "mode is enabled");
        return false;
    }
    if (!p->legacy && !p->modern) {
        error_setg(errp, "device cannot work as neither modern nor legacy "
                   "mode is enabled");
        return false;
    }
    if (p->nvectors == VIRTIO_PCI_VECTORS_UNSET) {
        p->nvectors = def_vectors ? def_vectors(p) : 2;
    }
    set_ids(p);
    if (p->legacy &&
        !pci_register_bar(pci, LEGACY_BAR, PCI_BASE_ADDRESS_SPACE_IO,
                          pow2ceil(24 + p->vdev->config_len), &legacy_ops, p,
                          errp)) {
        return false;
    }
    if (p->nvectors && !msix_init_exclusive_bar(pci, p->nvectors, MSIX_BAR,
                                                errp)) {
        return false;
    }
    if (p->modern && !add_modern(p, errp)) {
        return false;
    }
    /* The virtio/virtqueues subsection follows the offered VERSION_1. */
    p->vdev->version1_offered = p->modern;
    return vpci_register_migration(p, errp);
}

static void vpci_exit(PCIDevice *pci)
{
    VirtIOPCIProxy *p = (VirtIOPCIProxy *)pci;
    void (*unrealize)(VirtIOPCIProxy *) = VPCI_HOOK(p, device_unrealize);

    if (unrealize) {
        unrealize(p);
    }
    p->vdev = NULL;
}

static void vpci_device_reset(PCIDevice *pci)
{
    VirtIOPCIProxy *p = (VirtIOPCIProxy *)pci;
    if (p->vdev) {
        vpci_reset(p);
    }
}

static VirtioPCIClass virtio_pci_class = {
    .parent = {
        .parent = {
            .type = { .name = TYPE_VIRTIO_PCI, .parent = TYPE_PCI_DEVICE,
                      .abstract = true },
            .instance_size = sizeof(VirtIOPCIProxy),
        },
        .class_id = 0xff00,
        .realize = vpci_realize,
        .exit = vpci_exit,
        .reset = vpci_device_reset,
    },
    .force_legacy = -1,
};

void virtio_pci_register_types(void)
{
    static bool done;
    if (!done) {
        done = true;
        pci_device_class_register(&virtio_pci_class.parent);
    }
}
