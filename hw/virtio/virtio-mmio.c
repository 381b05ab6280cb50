/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio transport (virtio spec 4.2), legacy and modern layouts. */
#include <inttypes.h>
#include <glib.h>
#include "hw/virtio/virtio-mmio.h"
#include "system/memory.h"
#include "util/cutils.h"

#define MAGIC_VALUE 0x74726976 /* "virt" */
#define VENDOR_QEMU 0x554d4551 /* "QEMU" */

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008,
    R_VENDOR_ID = 0x00c, R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014,
    R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
    R_GUEST_PAGE_SIZE = 0x028, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_ALIGN = 0x03c, R_QUEUE_PFN = 0x040,
    R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060,
    R_INT_ACK = 0x064, R_STATUS = 0x070, R_DESC_LO = 0x080, R_DESC_HI = 0x084,
    R_AVAIL_LO = 0x090, R_AVAIL_HI = 0x094, R_USED_LO = 0x0a0,
    R_USED_HI = 0x0a4, R_GENERATION = 0x0fc, R_CONFIG = 0x100,
};

struct VirtIOMMIOSlot {
    BusState *bus;
    MemoryRegion *mr;
    IrqLine *irq;
    VirtIODevice *vdev;
    bool legacy;
    uint32_t dfsel;
    uint32_t gfsel;
    uint32_t guest_features[2];
    uint32_t page_size;
    uint32_t queue_align;
    uint64_t base;
};

static void mmio_update_irq(VirtIOMMIOSlot *s)
{
    irq_set(s->irq, s->vdev && s->vdev->isr);
}

static void mmio_notify(void *opaque, uint16_t vector)
{
    mmio_update_irq(opaque);
}

/*
 * Migration: QEMU's virtio-mmio keeps its modern register state (driver
 * features and every queue's size, enable and addresses) in the
 * "virtio_mmio" description, saved in virtio/extra_state when the slot is
 * not legacy.  A legacy slot has nothing beyond the core state, apart from
 * the ring alignment the core carries per queue.
 */
static bool mmio_has_extra_state(void *opaque)
{
    return !((VirtIOMMIOSlot *)opaque)->legacy;
}

static void put_addr(QEMUFile *f, uint64_t a)
{
    qemu_put_be32(f, (uint32_t)a);
    qemu_put_be32(f, a >> 32);
}

static uint64_t get_addr(QEMUFile *f)
{
    uint64_t lo = qemu_get_be32(f);
    return lo | (uint64_t)qemu_get_be32(f) << 32;
}

static bool put_mmio_vqs(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIOMMIOSlot *s = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = virtio_get_queue(s->vdev, i);
        bool present = virtio_queue_get_max_num(vq) != 0;

        qemu_put_be16(f, present ? virtio_queue_get_num(vq) : 0);
        qemu_put_byte(f, present && virtio_queue_ready(vq));
        put_addr(f, virtio_queue_get_desc(vq));
        put_addr(f, virtio_queue_get_avail(vq));
        put_addr(f, virtio_queue_get_used(vq));
    }
    return qemu_file_check_error(f, errp);
}

static bool mmio_load_vq(VirtIOMMIOSlot *s, unsigned i, uint16_t num,
                         bool enabled, const uint64_t r[3], Error **errp)
{
    VirtQueue *vq = virtio_get_queue(s->vdev, i);
    unsigned max = virtio_queue_get_max_num(vq);

    if (!max) {
        if (enabled) {
            error_setg(errp, "virtio-mmio: queue %u is enabled in the stream "
                       "but the device has no such queue", i);
            return false;
        }
        return true;
    }
    if (num) {
        if (num > max || (num & (num - 1))) {
            error_setg(errp, "virtio-mmio: queue %u size 0x%x is not a power "
                       "of 2 up to 0x%x", i, num, max);
            return false;
        }
        virtio_queue_set_num(vq, num);
    } else if (enabled) {
        error_setg(errp, "virtio-mmio: queue %u is enabled with size 0", i);
        return false;
    }
    virtio_queue_set_rings(vq, r[0], r[1], r[2]);
    virtio_queue_set_ready(vq, enabled);
    return true;
}

static bool get_mmio_vqs(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIOMMIOSlot *s = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        uint16_t num = qemu_get_be16(f);
        uint8_t enabled = qemu_get_byte(f);
        uint64_t r[3];

        for (int k = 0; k < 3; k++) {
            r[k] = get_addr(f);
        }
        if (!qemu_file_check_error(f, errp)) {
            return false;
        }
        if (enabled > 1) {
            error_setg(errp, "virtio-mmio: queue %u enable byte 0x%x", i,
                       enabled);
            return false;
        }
        if (!mmio_load_vq(s, i, num, enabled, r, errp)) {
            return false;
        }
    }
    return true;
}

static const VMStateInfo mmio_vqs_info = {
    .name = "virtio_mmio/queue_state",
    .get = get_mmio_vqs,
    .put = put_mmio_vqs,
};

static const VMStateDescription vmstate_virtio_mmio_state = {
    .name = "virtio_mmio/state",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = mmio_has_extra_state,
    .fields = (const VMStateField[]){
        { .name = "guest_features", .kind = VMS_ARRAY,
          .offset = offsetof(VirtIOMMIOSlot, guest_features),
          .size = sizeof(uint32_t), .elem = VMS_U32,
          .elem_size = sizeof(uint32_t), .count_kind = VMS_END, .max = 2 },
        { .name = "vqs", .kind = VMS_CUSTOM, .info = &mmio_vqs_info },
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_mmio = {
    .name = "virtio_mmio",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){ VMSTATE_END_OF_LIST },
    .subsections = (const VMStateDescription *const[]){
        &vmstate_virtio_mmio_state,
        NULL,
    },
};

static void mmio_post_load(void *opaque)
{
    VirtIOMMIOSlot *s = opaque;

    /* A legacy slot's feature latch is not in the stream. */
    s->guest_features[0] = (uint32_t)s->vdev->guest_features;
    s->guest_features[1] = s->vdev->guest_features >> 32;
    mmio_update_irq(s);
}

static const VirtioTransportOps mmio_transport = {
    .notify = mmio_notify,
    .extra_state = &vmstate_virtio_mmio,
    .has_extra_state = mmio_has_extra_state,
    .variable_vring_alignment = true,
    .post_load = mmio_post_load,
};

static void mmio_reset(VirtIOMMIOSlot *s)
{
    if (s->vdev) {
        virtio_reset(s->vdev);
    }
    s->dfsel = s->gfsel = 0;
    s->guest_features[0] = s->guest_features[1] = 0;
    mmio_update_irq(s);
}

static uint64_t features_offered(VirtIOMMIOSlot *s)
{
    uint64_t f = virtio_offered_features(s->vdev);
    return s->legacy ? f
                     : (f & ~s->vdev->legacy_features) |
                           1ULL << VIRTIO_F_VERSION_1;
}

static uint32_t config_read(VirtIOMMIOSlot *s, uint64_t off, unsigned size)
{
    uint32_t val = 0;

    virtio_update_config(s->vdev);
    for (unsigned i = 0; i < size && off + i < s->vdev->config_len; i++) {
        val |= (uint32_t)s->vdev->config[off + i] << (8 * i);
    }
    return val;
}

static uint64_t mmio_read(void *opaque, uint64_t off, unsigned size)
{
    VirtIOMMIOSlot *s = opaque;
    VirtIODevice *vdev = s->vdev;
    VirtQueue *vq;

    if (off == R_MAGIC) {
        return MAGIC_VALUE;
    }
    if (off == R_VERSION) {
        return s->legacy ? 1 : 2;
    }
    if (!vdev) {
        return 0; /* an empty slot: device id 0 means "nothing here" */
    }
    if (off >= R_CONFIG) {
        return config_read(s, off - R_CONFIG, size);
    }
    vq = virtio_get_queue(vdev, vdev->queue_sel);
    switch (off) {
    case R_DEVICE_ID:
        return vdev->device_id;
    case R_VENDOR_ID:
        return VENDOR_QEMU;
    case R_DEV_FEATURES:
        return s->dfsel < 2 ? features_offered(s) >> (32 * s->dfsel) : 0;
    case R_QUEUE_NUM_MAX:
        return vq ? virtio_queue_get_max_num(vq) : 0;
    case R_QUEUE_PFN:
        return s->legacy && vq ? virtio_queue_get_desc(vq) / s->page_size : 0;
    case R_QUEUE_READY:
        return !s->legacy && vq && virtio_queue_ready(vq);
    case R_INT_STATUS:
        return vdev->isr;
    case R_STATUS:
        return vdev->status;
    case R_GENERATION:
        return s->legacy ? 0 : vdev->generation;
    }
    return 0;
}

static void set_ring_half(VirtQueue *vq, uint64_t off, uint32_t val)
{
    uint64_t r[3] = { virtio_queue_get_desc(vq), virtio_queue_get_avail(vq),
                      virtio_queue_get_used(vq) };
    unsigned which = (off - R_DESC_LO) / 0x10;
    bool hi = off & 4;

    r[which] = hi ? (r[which] & 0xffffffffULL) | (uint64_t)val << 32
                  : (r[which] & ~0xffffffffULL) | val;
    virtio_queue_set_rings(vq, r[0], r[1], r[2]);
}

static void write_features(VirtIOMMIOSlot *s, uint32_t val)
{
    /* Legacy drivers have only the low 32 feature bits. */
    if (s->gfsel < (s->legacy ? 1u : 2u)) {
        s->guest_features[s->gfsel] = val;
        virtio_set_features(s->vdev, (uint64_t)s->guest_features[1] << 32 |
                                         s->guest_features[0]);
    }
}

static void queue_write(VirtIOMMIOSlot *s, VirtQueue *vq, uint64_t off,
                        uint32_t val)
{
    if (!vq || !virtio_queue_get_max_num(vq)) {
        return;
    }
    switch (off) {
    case R_QUEUE_NUM:
        virtio_queue_set_num(vq, val);
        break;
    case R_QUEUE_ALIGN:
        s->queue_align = val;
        break;
    case R_QUEUE_PFN:
        if (!s->legacy) {
            break;
        }
        if (val == 0) {
            mmio_reset(s);
        } else {
            virtio_queue_set_legacy_addr(vq, (uint64_t)val * s->page_size,
                                         s->queue_align ? s->queue_align
                                                        : 4096);
        }
        break;
    case R_QUEUE_READY:
        if (!s->legacy) {
            virtio_queue_set_ready(vq, val & 1);
        }
        break;
    default:
        if (!s->legacy && off >= R_DESC_LO && off <= R_USED_HI) {
            set_ring_half(vq, off, val);
        }
    }
}

static void mmio_write(void *opaque, uint64_t off, uint64_t val,
                       unsigned size)
{
    VirtIOMMIOSlot *s = opaque;
    VirtIODevice *vdev = s->vdev;

    if (!vdev) {
        return;
    }
    if (off >= R_CONFIG) {
        off -= R_CONFIG;
        if (off + size <= vdev->config_len) {
            virtio_update_config(vdev);
            for (unsigned i = 0; i < size; i++) {
                vdev->config[off + i] = val >> (8 * i);
            }
            if (vdev->ops->set_config) {
                vdev->ops->set_config(vdev, vdev->config);
            }
        }
        return;
    }
    switch (off) {
    case R_DEV_FEATURES_SEL:
        s->dfsel = val;
        break;
    case R_DRV_FEATURES:
        write_features(s, val);
        break;
    case R_DRV_FEATURES_SEL:
        s->gfsel = val;
        break;
    case R_GUEST_PAGE_SIZE:
        /* Legacy: a power of two; anything else keeps the old value. */
        if (val && !(val & (val - 1))) {
            s->page_size = val;
        }
        break;
    case R_QUEUE_SEL:
        if (val < VIRTIO_QUEUE_MAX) {
            vdev->queue_sel = val;
        }
        break;
    case R_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, val);
        break;
    case R_INT_ACK:
        vdev->isr &= ~val;
        mmio_update_irq(s);
        break;
    case R_STATUS:
        if (val == 0) {
            mmio_reset(s);
        } else {
            virtio_set_status(vdev, val);
        }
        break;
    default:
        queue_write(s, virtio_get_queue(vdev, vdev->queue_sel), off, val);
    }
}

static const MemoryRegionOps mmio_ops = {
    .read = mmio_read,
    .write = mmio_write,
    .min_access = 4,
    .max_access = 4,
};

static bool slot_has_room(BusState *bus)
{
    return ((VirtIOMMIOSlot *)bus->opaque)->vdev == NULL;
}

static bool slot_plug(BusState *bus, DeviceState *dev, Error **errp)
{
    if (!slot_has_room(bus)) {
        error_setg(errp, "Bus '%s' does not support hotplugging", bus->name);
        return false;
    }
    return true;
}

static const BusClass virtio_mmio_bus_class = {
    .kind = VIRTIO_BUS_KIND,
    .plug = slot_plug,
    .has_room = slot_has_room,
};

bool virtio_mmio_attach(BusState *bus, VirtIODevice *vdev, Error **errp)
{
    VirtIOMMIOSlot *s = bus->opaque;

    s->vdev = vdev;
    vdev->version1_offered = !s->legacy;
    virtio_bind_transport(vdev, &mmio_transport, s);
    return true;
}

char *virtio_mmio_dev_path(BusState *bus)
{
    VirtIOMMIOSlot *s = bus->opaque;

    /* QEMU's: the proxy sits on the main system bus, which has no path. */
    return g_strdup_printf("virtio-mmio@%016" PRIx64, s->base);
}

void virtio_mmio_detach(BusState *bus)
{
    VirtIOMMIOSlot *s = bus->opaque;
    s->vdev = NULL;
    irq_set(s->irq, 0);
}

void virtio_mmio_create_slots(uint64_t base, uint64_t stride, int count,
                              IrqLine **irqs, bool force_legacy)
{
    const char *g = qdev_global_value("virtio-mmio", "force-legacy");

    /* -global virtio-mmio.force-legacy=off selects the modern layout. */
    if (g && !parse_bool("force-legacy", g, &force_legacy, NULL)) {
        warn_report("virtio-mmio: ignoring force-legacy=%s", g);
    }
    for (int i = count - 1; i >= 0; i--) {
        VirtIOMMIOSlot *s = g_new0(VirtIOMMIOSlot, 1);
        char *name = g_strdup_printf("virtio-mmio-bus.%d", i);

        s->irq = irqs ? irqs[i] : NULL;
        s->legacy = force_legacy;
        s->page_size = 4096;
        s->base = base + i * stride;
        s->mr = memory_region_new_io("virtio-mmio", 0x200, &mmio_ops, s);
        address_space_map(address_space_memory, base + i * stride, s->mr,
                          &error_abort);
        s->bus = bus_new(&virtio_mmio_bus_class, name, s);
        g_free(name);
    }
}

void virtio_mmio_register_types(void)
{
    static const TypeInfo types[] = {
        { .name = TYPE_VIRTIO_DEVICE, .parent = "device", .abstract = true },
        { .name = "virtio-mmio", .parent = "sys-bus-device" },
    };
    static bool done;

    if (!done) {
        done = true;
        for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
            type_register(&types[i]);
        }
    }
}
