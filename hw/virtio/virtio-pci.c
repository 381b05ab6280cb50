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
#include "hw/pci/msix.h"
#include "hw/virtio/virtio-pci.h"
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

static const VirtioTransportOps vpci_transport = {
    .notify = vpci_notify,
    .queues_changed = vpci_queues_changed,
};

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
    return !p->modern || add_modern(p, errp);
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
