/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtio core and split virtqueues.
 *
 * Ring memory belongs to the guest and can change under us at any moment,
 * so every index and descriptor is read once, checked, and only then used.
 * Buffers are mapped to host pointers only when they lie wholly in RAM.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "hw/virtio/virtio.h"
#include "util/bswap.h"

typedef struct VRingDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VRingDesc;

struct VirtQueue {
    VirtIODevice *vdev;
    unsigned index;
    unsigned num;      /* ring size the driver chose */
    unsigned num_max;  /* size the device offers; 0 = queue not present */
    uint64_t desc;
    uint64_t avail;
    uint64_t used;
    bool ready;
    uint16_t last_avail_idx;
    uint16_t used_idx;
    uint16_t signalled_used;
    bool signalled_used_valid;
    bool notification;
    unsigned inuse;
    uint16_t vector;
    unsigned align;    /* legacy layout: used ring alignment */
    VirtIOHandleOutput *handle_output;
    int host_notifier; /* eventfd a driver kick is written to, or -1 */
};

/* ---- guest memory access, little-endian (virtio 1.x and our target) ---- */

static bool ld16(VirtQueue *vq, uint64_t pa, uint16_t *v)
{
    uint64_t x;
    if (!address_space_ld(vq->vdev->dma_as, pa, 2, &x)) {
        return false;
    }
    *v = x;
    return true;
}

static bool st16(VirtQueue *vq, uint64_t pa, uint16_t v)
{
    return address_space_st(vq->vdev->dma_as, pa, 2, v);
}

static bool read_desc(VirtIODevice *vdev, uint64_t pa, VRingDesc *d)
{
    uint8_t b[16];

    if (!address_space_read(vdev->dma_as, pa, b, sizeof(b))) {
        return false;
    }
    d->addr = ldq_le(b);
    d->len = ldl_le(b + 8);
    d->flags = lduw_le(b + 12);
    d->next = lduw_le(b + 14);
    return true;
}

/* ---- device ---- */

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len, const VirtioDeviceOps *ops, void *opaque)
{
    memset(vdev, 0, sizeof(*vdev));
    vdev->name = name;
    vdev->device_id = device_id;
    vdev->config_len = config_len;
    vdev->config = g_malloc0(config_len ? config_len : 1);
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->dma_as = address_space_memory;
    vdev->legacy_features = 1ULL << VIRTIO_F_NOTIFY_ON_EMPTY |
                            1ULL << VIRTIO_F_ANY_LAYOUT |
                            1ULL << VIRTIO_F_BAD_FEATURE;
    vdev->ops = ops;
    vdev->opaque = opaque;
    vdev->vq = g_new0(VirtQueue, VIRTIO_QUEUE_MAX);
    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].index = i;
        vdev->vq[i].vector = VIRTIO_NO_VECTOR;
        vdev->vq[i].notification = true;
        vdev->vq[i].host_notifier = -1;
    }
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_free(vdev->config);
    g_free(vdev->vq);
    vdev->config = NULL;
    vdev->vq = NULL;
}

void virtio_bind_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                           void *opaque)
{
    vdev->transport = ops;
    vdev->transport_opaque = opaque;
}

VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned size,
                            VirtIOHandleOutput *handler)
{
    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        VirtQueue *vq = &vdev->vq[i];
        if (vq->num_max == 0) {
            vq->num_max = size;
            vq->num = size;
            vq->handle_output = handler;
            return vq;
        }
    }
    return NULL;
}

static void queue_reset(VirtQueue *vq)
{
    vq->num = vq->num_max;
    vq->desc = vq->avail = vq->used = 0;
    vq->ready = false;
    vq->last_avail_idx = vq->used_idx = 0;
    vq->signalled_used = 0;
    vq->signalled_used_valid = false;
    vq->notification = true;
    vq->inuse = 0;
    vq->vector = VIRTIO_NO_VECTOR;
    vq->align = 0;
}

void virtio_del_queue(VirtIODevice *vdev, unsigned n)
{
    if (n < VIRTIO_QUEUE_MAX) {
        queue_reset(&vdev->vq[n]);
        vdev->vq[n].num_max = 0;
        vdev->vq[n].num = 0;
        vdev->vq[n].handle_output = NULL;
    }
}

unsigned virtio_get_num_queues(VirtIODevice *vdev)
{
    unsigned n = 0;
    while (n < VIRTIO_QUEUE_MAX && vdev->vq[n].num_max) {
        n++;
    }
    return n;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n)
{
    return n < VIRTIO_QUEUE_MAX ? &vdev->vq[n] : NULL;
}

unsigned virtio_queue_index(VirtQueue *vq)
{
    return vq->index;
}

bool virtio_has_feature(uint64_t features, unsigned bit)
{
    return bit < 64 && (features & (1ULL << bit));
}

bool virtio_vdev_has_feature(VirtIODevice *vdev, unsigned bit)
{
    return virtio_has_feature(vdev->guest_features, bit);
}

uint64_t virtio_offered_features(VirtIODevice *vdev)
{
    uint64_t f = vdev->host_features;
    return vdev->ops->get_features ? vdev->ops->get_features(vdev, f) : f;
}

void virtio_update_config(VirtIODevice *vdev)
{
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
}

static void transport_notify(VirtIODevice *vdev, uint16_t vector)
{
    if (vdev->transport && vdev->transport->notify) {
        vdev->transport->notify(vdev->transport_opaque, vector);
    }
}

void virtio_notify_config(VirtIODevice *vdev)
{
    if (!(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vdev->isr |= 2;
    vdev->generation++;
    transport_notify(vdev, vdev->config_vector);
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    va_list ap;
    char *msg;

    if (vdev->broken) {
        return; /* log once: a guest must not be able to flood our log */
    }
    va_start(ap, fmt);
    msg = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    error_report("%s: %s", vdev->name, msg);
    g_free(msg);
    vdev->broken = true;
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        virtio_notify_config(vdev);
    }
}

void virtio_reset(VirtIODevice *vdev)
{
    if (vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
    vdev->status = 0;
    vdev->isr = 0;
    vdev->queue_sel = 0;
    vdev->broken = false;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    vdev->guest_features = 0;
    if (vdev->ops->set_features) {
        vdev->ops->set_features(vdev, 0);
    }
    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (vdev->vq[i].num_max) {
            queue_reset(&vdev->vq[i]);
        }
    }
    virtio_update_config(vdev);
}

bool virtio_set_features(VirtIODevice *vdev, uint64_t features)
{
    /* Features are fixed once FEATURES_OK was accepted. */
    if (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) {
        return false;
    }
    /* VERSION_1 is offered by the transport, not the device model; only
     * a modern interface can write bit 32 at all. */
    vdev->guest_features = features & (virtio_offered_features(vdev) |
                                       1ULL << VIRTIO_F_VERSION_1);
    if (vdev->ops->set_features) {
        vdev->ops->set_features(vdev, vdev->guest_features);
    }
    virtio_update_config(vdev);
    return vdev->guest_features == features;
}

void virtio_set_status(VirtIODevice *vdev, uint8_t status)
{
    if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !(vdev->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        vdev->ops->validate_features && !vdev->ops->validate_features(vdev)) {
        /* Refused: FEATURES_OK stays clear for the driver to see. */
        status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
    }
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, status);
    }
    vdev->status = status | (vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

/* ---- queue configuration ---- */

void virtio_queue_set_num(VirtQueue *vq, unsigned num)
{
    /* The size must be a power of two no larger than the device's. */
    if (num && num <= vq->num_max && !(num & (num - 1))) {
        vq->num = num;
    }
}

unsigned virtio_queue_get_num(VirtQueue *vq)
{
    return vq->num;
}

unsigned virtio_queue_get_max_num(VirtQueue *vq)
{
    return vq->num_max;
}

void virtio_queue_set_rings(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used)
{
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

void virtio_queue_set_legacy_addr(VirtQueue *vq, uint64_t pa, unsigned align)
{
    uint64_t avail = pa + 16ULL * vq->num;
    uint64_t used = avail + 4 + 2ULL * vq->num + 2;

    used = (used + align - 1) & ~(uint64_t)(align - 1);
    vq->align = align;
    virtio_queue_set_rings(vq, pa, avail, used);
    vq->ready = pa != 0;
}

unsigned virtio_queue_get_align(VirtQueue *vq)
{
    return vq->align;
}

uint64_t virtio_queue_get_desc(VirtQueue *vq)
{
    return vq->desc;
}

uint64_t virtio_queue_get_avail(VirtQueue *vq)
{
    return vq->avail;
}

uint64_t virtio_queue_get_used(VirtQueue *vq)
{
    return vq->used;
}

void virtio_queue_set_ready(VirtQueue *vq, bool ready)
{
    vq->ready = ready;
}

bool virtio_queue_ready(VirtQueue *vq)
{
    return vq->ready && vq->desc;
}

void virtio_queue_set_vector(VirtQueue *vq, uint16_t vector)
{
    vq->vector = vector;
}

uint16_t virtio_queue_vector(VirtQueue *vq)
{
    return vq->vector;
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned n)
{
    VirtQueue *vq;

    if (n >= VIRTIO_QUEUE_MAX || vdev->broken) {
        return;
    }
    vq = &vdev->vq[n];
    if (vq->host_notifier >= 0) {
        /* ioeventfd: a vhost back-end owns this ring and reads the kick. */
        uint64_t one = 1;
        if (write(vq->host_notifier, &one, sizeof(one)) < 0) {
            /* EAGAIN: the counter is saturated, a kick is pending anyway */
        }
        return;
    }
    if (vq->num_max && virtio_queue_ready(vq) && vq->handle_output &&
        (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        vq->handle_output(vdev, vq);
    }
}

/* ---- data path ---- */

static bool avail_idx(VirtQueue *vq, uint16_t *idx)
{
    if (!ld16(vq, vq->avail + 2, idx)) {
        virtio_error(vq->vdev, "queue %u: avail ring at 0x%" G_GINT64_MODIFIER
                     "x is not in guest memory", vq->index, vq->avail);
        return false;
    }
    return true;
}

/* Number of new buffers, or -1 if the driver's index is impossible. */
static int avail_count(VirtQueue *vq)
{
    uint16_t idx, n;

    if (!avail_idx(vq, &idx)) {
        return -1;
    }
    n = idx - vq->last_avail_idx;
    if (n > vq->num) {
        virtio_error(vq->vdev, "queue %u: guest moved avail index from %u to "
                     "%u", vq->index, vq->last_avail_idx, idx);
        return -1;
    }
    return n;
}

bool virtqueue_empty(VirtQueue *vq)
{
    if (vq->vdev->broken || !virtio_queue_ready(vq)) {
        return true;
    }
    return avail_count(vq) <= 0;
}

/* Map one guest buffer into iovecs (one per RAM region it touches). */
static bool map_buffer(VirtQueue *vq, VirtQueueElement *elem, uint64_t pa,
                       uint32_t len, bool write)
{
    struct iovec *sg = write ? elem->in_sg : elem->out_sg;
    unsigned *num = write ? &elem->in_num : &elem->out_num;
    void *p;

    if (len == 0) {
        return true; /* empty buffers carry nothing; the spec allows them */
    }
    p = address_space_ram_ptr(vq->vdev->dma_as, pa, len);
    if (!p) {
        virtio_error(vq->vdev, "queue %u: buffer 0x%" G_GINT64_MODIFIER
                     "x+%u is not in guest RAM", vq->index, pa, len);
        return false;
    }
    if (*num >= VIRTQUEUE_MAX_SIZE) {
        virtio_error(vq->vdev, "queue %u: descriptor chain has too many "
                     "buffers", vq->index);
        return false;
    }
    sg[*num].iov_base = p;
    sg[*num].iov_len = len;
    (*num)++;
    if (write) {
        elem->in_len += len;
    } else {
        elem->out_len += len;
    }
    return true;
}

typedef struct DescWalk {
    uint64_t table;   /* guest address of the descriptor table */
    unsigned size;    /* entries in it */
    bool indirect;
} DescWalk;

/* Walk one chain in @w starting at @i, adding its buffers to @elem. */
static bool walk_chain(VirtQueue *vq, VirtQueueElement *elem, DescWalk *w,
                       unsigned i, unsigned *total)
{
    VirtIODevice *vdev = vq->vdev;

    for (unsigned steps = 0;; steps++) {
        VRingDesc d;

        if (i >= w->size || steps >= w->size) {
            virtio_error(vdev, "queue %u: descriptor %u out of range or "
                         "chain loops", vq->index, i);
            return false;
        }
        if (++*total > VIRTQUEUE_MAX_SIZE) {
            virtio_error(vdev, "queue %u: descriptor chain too long",
                         vq->index);
            return false;
        }
        if (!read_desc(vdev, w->table + 16ULL * i, &d)) {
            virtio_error(vdev, "queue %u: descriptor table is not in guest "
                         "memory", vq->index);
            return false;
        }
        if (d.flags & VRING_DESC_F_INDIRECT) {
            DescWalk inner;
            if (w->indirect || !virtio_vdev_has_feature(vdev,
                                    VIRTIO_RING_F_INDIRECT_DESC)) {
                virtio_error(vdev, "queue %u: indirect descriptor %s",
                             vq->index, w->indirect ? "inside an indirect "
                             "table" : "without INDIRECT_DESC");
                return false;
            }
            if ((d.flags & VRING_DESC_F_NEXT) || d.len == 0 || d.len % 16 ||
                d.len / 16 > VIRTQUEUE_MAX_SIZE) {
                virtio_error(vdev, "queue %u: bad indirect table (len %u)",
                             vq->index, d.len);
                return false;
            }
            inner = (DescWalk){ .table = d.addr, .size = d.len / 16,
                                .indirect = true };
            return walk_chain(vq, elem, &inner, 0, total);
        }
        if (!(d.flags & VRING_DESC_F_WRITE) && elem->in_num) {
            virtio_error(vdev, "queue %u: device-readable buffer after a "
                         "writable one", vq->index);
            return false;
        }
        if (!map_buffer(vq, elem, d.addr, d.len, d.flags & VRING_DESC_F_WRITE)) {
            return false;
        }
        if (!(d.flags & VRING_DESC_F_NEXT)) {
            return true;
        }
        i = d.next;
    }
}

/* @publish: tell an EVENT_IDX driver where to kick next (not when only
 * peeking). */
static int pop_chain(VirtQueue *vq, VirtQueueElement *elem, bool publish)
{
    VirtIODevice *vdev = vq->vdev;
    uint16_t head;
    unsigned total = 0;
    DescWalk w;
    int n;

    if (vdev->broken) {
        return -1;
    }
    if (!virtio_queue_ready(vq)) {
        return 0;
    }
    n = avail_count(vq);
    if (n <= 0) {
        return n;
    }
    if (!ld16(vq, vq->avail + 4 + 2ULL * (vq->last_avail_idx % vq->num),
              &head)) {
        virtio_error(vdev, "queue %u: avail ring is not in guest memory",
                     vq->index);
        return -1;
    }
    if (head >= vq->num) {
        virtio_error(vdev, "queue %u: guest offered descriptor %u of %u",
                     vq->index, head, vq->num);
        return -1;
    }
    elem->index = head;
    elem->in_num = elem->out_num = 0;
    elem->in_len = elem->out_len = 0;
    w = (DescWalk){ .table = vq->desc, .size = vq->num, .indirect = false };
    if (!walk_chain(vq, elem, &w, head, &total)) {
        return -1;
    }
    vq->last_avail_idx++;
    vq->inuse++;
    /* With EVENT_IDX, tell the driver which index should kick us next. */
    if (publish && virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX) &&
        vq->notification) {
        st16(vq, vq->used + 4 + 8ULL * vq->num, vq->last_avail_idx);
    }
    return 1;
}

int virtqueue_pop(VirtQueue *vq, VirtQueueElement *elem)
{
    return pop_chain(vq, elem, true);
}

void virtqueue_unpop(VirtQueue *vq, unsigned count)
{
    vq->last_avail_idx -= count;
    vq->inuse -= count;
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, unsigned len,
                    unsigned idx)
{
    uint64_t slot;
    uint8_t b[8];

    if (vq->vdev->broken) {
        return;
    }
    slot = vq->used + 4 + 8ULL * ((vq->used_idx + idx) % vq->num);
    stl_le(b, elem->index);
    stl_le(b + 4, len);
    if (!address_space_write(vq->vdev->dma_as, slot, b, sizeof(b))) {
        virtio_error(vq->vdev, "queue %u: used ring is not in guest memory",
                     vq->index);
    }
}

void virtqueue_flush(VirtQueue *vq, unsigned count)
{
    uint16_t old = vq->used_idx, new = old + count;

    if (vq->vdev->broken) {
        return;
    }
    /* The entries must be visible before the index that publishes them. */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    if (!st16(vq, vq->used + 2, new)) {
        virtio_error(vq->vdev, "queue %u: used ring is not in guest memory",
                     vq->index);
        return;
    }
    vq->used_idx = new;
    vq->inuse -= count;
    /* If the driver's used_event falls in (old, new] we must notify. */
    if ((int16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, unsigned len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

static bool vring_need_event(uint16_t event, uint16_t new, uint16_t old)
{
    return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

static bool should_notify(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    uint16_t flags, event, old, new;
    bool valid;

    /* NOTIFY_ON_EMPTY: always interrupt when we ran the ring dry. */
    if (virtio_vdev_has_feature(vdev, VIRTIO_F_NOTIFY_ON_EMPTY) &&
        !vq->inuse && virtqueue_empty(vq)) {
        return true;
    }
    if (!virtio_vdev_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return ld16(vq, vq->avail, &flags) &&
               !(flags & VRING_AVAIL_F_NO_INTERRUPT);
    }
    valid = vq->signalled_used_valid;
    old = vq->signalled_used;
    new = vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    if (!ld16(vq, vq->avail + 4 + 2ULL * vq->num, &event)) {
        return false;
    }
    return !valid || vring_need_event(event, new, old);
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !should_notify(vq)) {
        return;
    }
    vdev->isr |= 1;
    transport_notify(vdev, vq->vector);
}

void virtio_queue_set_host_notifier(VirtQueue *vq, int fd)
{
    vq->host_notifier = fd;
}

void virtio_queue_irq(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;

    /* The back-end already applied EVENT_IDX / NO_INTERRUPT. */
    if (vdev->broken || !(vdev->status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vdev->isr |= 1;
    transport_notify(vdev, vq->vector);
}

uint16_t virtio_queue_get_last_avail_idx(VirtQueue *vq)
{
    return vq->last_avail_idx;
}

bool virtio_queue_set_last_avail_idx(VirtQueue *vq, uint16_t idx)
{
    uint16_t used = 0;
    bool ok = true;

    vq->last_avail_idx = idx;
    vq->inuse = 0;
    vq->signalled_used_valid = false;
    /* The back-end advanced the used ring in guest memory: take it over. */
    if (virtio_queue_ready(vq)) {
        ok = ld16(vq, vq->used + 2, &used);
    }
    vq->used_idx = used;
    return ok;
}

uint16_t virtio_queue_get_used_idx_from_ring(VirtQueue *vq)
{
    uint16_t used = vq->used_idx;

    if (virtio_queue_ready(vq)) {
        ld16(vq, vq->used + 2, &used);
    }
    return used;
}

void virtio_queue_set_notification(VirtQueue *vq, bool enable)
{
    uint16_t flags;

    vq->notification = enable;
    if (!virtio_queue_ready(vq) || vq->vdev->broken) {
        return;
    }
    if (virtio_vdev_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t idx;

        /*
         * Ask for a kick at the driver's next new buffer, i.e. after its
         * current avail index: buffers it already made available may not
         * be enough (mergeable RX), and an event index behind the avail
         * index would never be crossed, so the driver would never kick.
         */
        if (enable && avail_idx(vq, &idx)) {
            st16(vq, vq->used + 4 + 8ULL * vq->num, idx);
            /* Published before the caller looks at the ring again. */
            __atomic_thread_fence(__ATOMIC_SEQ_CST);
        }
        return;
    }
    if (ld16(vq, vq->used, &flags)) {
        flags = enable ? flags & ~VRING_USED_F_NO_NOTIFY
                       : flags | VRING_USED_F_NO_NOTIFY;
        st16(vq, vq->used, flags);
    }
}

bool virtqueue_avail_bytes(VirtQueue *vq, size_t in_bytes, size_t out_bytes)
{
    /* One element per thread: this runs for every received frame. */
    static __thread VirtQueueElement *elem;
    size_t in = 0, out = 0;
    unsigned popped = 0;

    if (!elem) {
        elem = g_malloc(sizeof(*elem));
    }
    /* Peek by walking chains and giving them back; nothing is written. */
    while ((in < in_bytes || out < out_bytes) &&
           pop_chain(vq, elem, false) > 0) {
        in += elem->in_len;
        out += elem->out_len;
        popped++;
    }
    virtqueue_unpop(vq, popped);
    return in >= in_bytes && out >= out_bytes;
}

/* ---- migration (QEMU's virtio_save/virtio_load layout) ---- */

#define VIRTIO_DEVICE_ENDIAN_LITTLE 1

static bool ring_in_ram(VirtIODevice *vdev, uint64_t pa, uint64_t len)
{
    return address_space_ram_ptr(vdev->dma_as, pa, len) != NULL;
}

/* --- the virtio/... subsections --- */

static bool virtqueues_needed(void *opaque)
{
    VirtIODevice *vdev = opaque;

    return vdev->version1_offered ||
           virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1);
}

static bool put_virtqueues(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        qemu_put_be64(f, vdev->vq[i].avail);
        qemu_put_be64(f, vdev->vq[i].used);
    }
    return qemu_file_check_error(f, errp);
}

static bool get_virtqueues(QEMUFile *f, void *opaque, void *ptr,
                           const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        uint64_t avail = qemu_get_be64(f), used = qemu_get_be64(f);
        /* Queues the device does not have keep nothing from the stream. */
        if (vdev->vq[i].num_max) {
            vdev->vq[i].avail = avail;
            vdev->vq[i].used = used;
        }
    }
    vdev->loaded_ring_addrs = true;
    return qemu_file_check_error(f, errp);
}

static const VMStateInfo virtqueues_info = {
    .name = "virtqueue_state",
    .get = get_virtqueues,
    .put = put_virtqueues,
};

static bool ringsize_needed(void *opaque)
{
    VirtIODevice *vdev = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        if (vdev->vq[i].num != vdev->vq[i].num_max) {
            return true;
        }
    }
    return false;
}

static bool put_ringsize(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        qemu_put_be32(f, vdev->vq[i].num_max);
    }
    return qemu_file_check_error(f, errp);
}

static bool get_ringsize(QEMUFile *f, void *opaque, void *ptr,
                         const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;

    for (unsigned i = 0; i < VIRTIO_QUEUE_MAX; i++) {
        uint32_t def = qemu_get_be32(f);
        /* The sizes are configuration: both ends must offer the same. */
        if (!qemu_file_get_error(f) && vdev->vq[i].num_max &&
            def != vdev->vq[i].num_max) {
            error_setg(errp, "virtio: VQ %u default size 0x%x in the stream, "
                       "0x%x on this device", i, def, vdev->vq[i].num_max);
            return false;
        }
    }
    return qemu_file_check_error(f, errp);
}

static const VMStateInfo ringsize_info = {
    .name = "ringsize_state",
    .get = get_ringsize,
    .put = put_ringsize,
};

static bool endian_needed(void *opaque)
{
    return false; /* always the default (little) on our targets */
}

static bool endian_post_load(void *opaque, int version_id, Error **errp)
{
    VirtIODevice *vdev = opaque;

    if (vdev->loaded_endian != VIRTIO_DEVICE_ENDIAN_LITTLE) {
        error_setg(errp, "virtio: device endianness %u is not supported",
                   vdev->loaded_endian);
        return false;
    }
    return true;
}

static bool features64_needed(void *opaque)
{
    return ((VirtIODevice *)opaque)->guest_features >> 32;
}

static bool broken_needed(void *opaque)
{
    return ((VirtIODevice *)opaque)->broken;
}

static bool started_needed(void *opaque)
{
    VirtIODevice *vdev = opaque;

    vdev->loaded_started = vdev->status & VIRTIO_CONFIG_S_DRIVER_OK;
    return vdev->loaded_started;
}

static bool disabled_post_load(void *opaque, int version_id, Error **errp)
{
    VirtIODevice *vdev = opaque;

    if (vdev->loaded_disabled) {
        error_setg(errp, "virtio: the stream has a disabled device");
        return false;
    }
    return true;
}

static bool extra_state_needed(void *opaque)
{
    VirtIODevice *vdev = opaque;
    const VirtioTransportOps *t = vdev->transport;

    return t && t->extra_state && t->has_extra_state &&
           t->has_extra_state(vdev->transport_opaque);
}

static bool put_extra_state(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;

    return vmstate_save(f, vdev->transport->extra_state,
                        vdev->transport_opaque, NULL, errp);
}

static bool get_extra_state(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    VirtIODevice *vdev = opaque;
    const VirtioTransportOps *t = vdev->transport;

    if (!t || !t->extra_state) {
        error_setg(errp, "virtio: the stream has transport state this "
                   "transport does not take");
        return false;
    }
    return vmstate_load(f, t->extra_state, vdev->transport_opaque, 1, errp);
}

static const VMStateInfo extra_state_info = {
    .name = "virtqueue_extra_state",
    .get = get_extra_state,
    .put = put_extra_state,
};

#define VIRTIO_CUSTOM(_name, _info)                                         \
    {                                                                       \
        .name = (_name), .kind = VMS_CUSTOM, .info = &(_info)               \
    }

static const VMStateDescription vmstate_virtio_device_endian = {
    .name = "virtio/device_endian",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = endian_needed,
    .post_load = endian_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_UINT8(loaded_endian, VirtIODevice),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_64bit_features = {
    .name = "virtio/64bit_features",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = features64_needed,
    .fields = (const VMStateField[]){
        VMSTATE_UINT64(guest_features, VirtIODevice),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_virtqueues = {
    .name = "virtio/virtqueues",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = virtqueues_needed,
    .fields = (const VMStateField[]){
        VIRTIO_CUSTOM("vq", virtqueues_info),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_ringsize = {
    .name = "virtio/ringsize",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = ringsize_needed,
    .fields = (const VMStateField[]){
        VIRTIO_CUSTOM("vq", ringsize_info),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_broken = {
    .name = "virtio/broken",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = broken_needed,
    .fields = (const VMStateField[]){
        VMSTATE_BOOL(broken, VirtIODevice),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_extra_state = {
    .name = "virtio/extra_state",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = extra_state_needed,
    .fields = (const VMStateField[]){
        VIRTIO_CUSTOM("extra_state", extra_state_info),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_started = {
    .name = "virtio/started",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = started_needed,
    .fields = (const VMStateField[]){
        VMSTATE_BOOL(loaded_started, VirtIODevice),
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_disabled = {
    .name = "virtio/disabled",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = endian_needed, /* never: we have no disabled devices */
    .post_load = disabled_post_load,
    .fields = (const VMStateField[]){
        VMSTATE_BOOL(loaded_disabled, VirtIODevice),
        VMSTATE_END_OF_LIST,
    },
};

/* Only subsections: the core fields are written by hand before them. */
static const VMStateDescription vmstate_virtio = {
    .name = "virtio",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){ VMSTATE_END_OF_LIST },
    .subsections = (const VMStateDescription *const[]){
        &vmstate_virtio_device_endian,
        &vmstate_virtio_64bit_features,
        &vmstate_virtio_virtqueues,
        &vmstate_virtio_ringsize,
        &vmstate_virtio_broken,
        &vmstate_virtio_extra_state,
        &vmstate_virtio_started,
        &vmstate_virtio_disabled,
        NULL,
    },
};

/* --- save --- */

bool virtio_save(VirtIODevice *vdev, QEMUFile *f, Error **errp)
{
    const VirtioTransportOps *t = vdev->transport;
    unsigned num = virtio_get_num_queues(vdev);

    if (t && t->save_config && !t->save_config(vdev->transport_opaque, f,
                                                errp)) {
        return false;
    }
    qemu_put_byte(f, vdev->status);
    qemu_put_byte(f, vdev->isr);
    qemu_put_be16(f, vdev->queue_sel);
    qemu_put_be32(f, (uint32_t)vdev->guest_features);
    virtio_update_config(vdev);
    qemu_put_be32(f, vdev->config_len);
    qemu_put_buffer(f, vdev->config, vdev->config_len);
    qemu_put_be32(f, num);
    for (unsigned i = 0; i < num; i++) {
        VirtQueue *vq = &vdev->vq[i];

        qemu_put_be32(f, vq->num);
        if (t && t->variable_vring_alignment) {
            qemu_put_be32(f, vq->align);
        }
        qemu_put_be64(f, vq->desc);
        qemu_put_be16(f, vq->last_avail_idx);
        if (t && t->save_queue) {
            t->save_queue(vdev->transport_opaque, i, f);
        }
    }
    if (vdev->ops->vmsd &&
        !vmstate_save(f, vdev->ops->vmsd, vdev->opaque, NULL, errp)) {
        return false;
    }
    return vmstate_save(f, &vmstate_virtio, vdev, NULL, errp);
}

/* --- load --- */

static bool load_queue_header(VirtIODevice *vdev, QEMUFile *f, unsigned i,
                              Error **errp)
{
    const VirtioTransportOps *t = vdev->transport;
    VirtQueue *vq = &vdev->vq[i];
    uint32_t num = qemu_get_be32(f), align = 0;

    if (t && t->variable_vring_alignment) {
        align = qemu_get_be32(f);
    }
    vq->desc = qemu_get_be64(f);
    vq->last_avail_idx = qemu_get_be16(f);
    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (!num || num > vq->num_max || (num & (num - 1))) {
        error_setg(errp, "virtio: VQ %u size 0x%x is not a power of 2 up to "
                   "0x%x", i, num, vq->num_max);
        return false;
    }
    vq->num = num;
    if (align && (align & (align - 1))) {
        error_setg(errp, "virtio: VQ %u alignment 0x%x is not a power of 2",
                   i, align);
        return false;
    }
    vq->align = align;
    if (!vq->desc && vq->last_avail_idx) {
        error_setg(errp, "VQ %u address 0x0 inconsistent with Host index "
                   "0x%x", i, vq->last_avail_idx);
        return false;
    }
    if (t && t->load_queue &&
        !t->load_queue(vdev->transport_opaque, i, f, errp)) {
        return false;
    }
    return true;
}

static bool load_core(VirtIODevice *vdev, QEMUFile *f, Error **errp)
{
    const VirtioTransportOps *t = vdev->transport;
    uint32_t config_len, num;

    if (t && t->load_config && !t->load_config(vdev->transport_opaque, f,
                                                errp)) {
        return false;
    }
    vdev->status = qemu_get_byte(f);
    vdev->isr = qemu_get_byte(f);
    vdev->queue_sel = qemu_get_be16(f);
    /* The low half for now: virtio-net's fields depend on it. */
    vdev->guest_features = qemu_get_be32(f);
    config_len = qemu_get_be32(f);
    qemu_get_buffer(f, vdev->config, MIN(config_len, vdev->config_len));
    if (config_len > vdev->config_len) {
        qemu_file_skip(f, config_len - vdev->config_len);
    }
    num = qemu_get_be32(f);
    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (vdev->queue_sel >= VIRTIO_QUEUE_MAX) {
        error_setg(errp, "virtio: queue_sel %u is out of range",
                   vdev->queue_sel);
        return false;
    }
    if (num > VIRTIO_QUEUE_MAX) {
        error_setg(errp, "Invalid number of virtqueues: 0x%x", num);
        return false;
    }
    if (vdev->ops->pre_load_queues &&
        !vdev->ops->pre_load_queues(vdev, num, errp)) {
        return false;
    }
    if (num != virtio_get_num_queues(vdev)) {
        error_setg(errp, "virtio: %u virtqueues in the stream, the device "
                   "has %u", num, virtio_get_num_queues(vdev));
        return false;
    }
    for (unsigned i = 0; i < num; i++) {
        if (!load_queue_header(vdev, f, i, errp)) {
            return false;
        }
    }
    return true;
}

static bool load_features(VirtIODevice *vdev, Error **errp)
{
    uint64_t features = vdev->guest_features;
    uint64_t allowed = virtio_offered_features(vdev) |
                       1ULL << VIRTIO_F_VERSION_1;

    if (features & ~allowed) {
        error_setg(errp, "Features 0x%" G_GINT64_MODIFIER "x unsupported. "
                   "Allowed features: 0x%" G_GINT64_MODIFIER "x",
                   features, allowed);
        return false;
    }
    if (vdev->ops->set_features) {
        vdev->ops->set_features(vdev, features);
    }
    vdev->guest_features = features;
    return true;
}

/* Check queue @i against the guest's ring; false fails the load. */
static bool load_check_ring(VirtIODevice *vdev, unsigned i, Error **errp)
{
    VirtQueue *vq = &vdev->vq[i];
    uint16_t avail = 0, used = 0;

    vq->inuse = 0;
    vq->used_idx = 0;
    vq->signalled_used_valid = false;
    if (!vq->desc) {
        return true;
    }
    if (!ring_in_ram(vdev, vq->desc, 16ULL * vq->num) ||
        !ring_in_ram(vdev, vq->avail, 6 + 2ULL * vq->num) ||
        !ring_in_ram(vdev, vq->used, 6 + 8ULL * vq->num)) {
        /* As QEMU's "Cannot map": the device is broken, the load goes on. */
        virtio_error(vdev, "VQ %u: ring (desc 0x%" G_GINT64_MODIFIER "x) is "
                     "not in guest RAM", i, vq->desc);
        return true;
    }
    ld16(vq, vq->avail + 2, &avail);
    ld16(vq, vq->used + 2, &used);
    if ((uint16_t)(avail - vq->last_avail_idx) > vq->num) {
        virtio_error(vdev, "VQ %u size 0x%x Guest index 0x%x inconsistent "
                     "with Host index 0x%x: delta 0x%x", i, vq->num, avail,
                     vq->last_avail_idx, (uint16_t)(avail - vq->last_avail_idx));
        return true;
    }
    vq->used_idx = used;
    vq->inuse = (uint16_t)(vq->last_avail_idx - used);
    if (vq->inuse > vq->num) {
        error_setg(errp, "VQ %u size 0x%x < last_avail_idx 0x%x - used_idx "
                   "0x%x", i, vq->num, vq->last_avail_idx, used);
        return false;
    }
    return true;
}

bool virtio_load(VirtIODevice *vdev, QEMUFile *f, int version_id,
                 Error **errp)
{
    const VirtioTransportOps *t = vdev->transport;
    unsigned num;

    vdev->loaded_ring_addrs = false;
    vdev->loaded_endian = VIRTIO_DEVICE_ENDIAN_LITTLE;
    vdev->loaded_disabled = false;
    vdev->broken = false;
    if (!load_core(vdev, f, errp)) {
        return false;
    }
    if (vdev->ops->vmsd &&
        !vmstate_load(f, vdev->ops->vmsd, vdev->opaque, version_id, errp)) {
        return false;
    }
    if (!vmstate_load(f, &vmstate_virtio, vdev, 1, errp) ||
        !load_features(vdev, errp)) {
        return false;
    }
    num = virtio_get_num_queues(vdev);
    for (unsigned i = 0; i < num; i++) {
        VirtQueue *vq = &vdev->vq[i];

        if (!virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1)) {
            /* Legacy layout: avail and used follow from desc. */
            virtio_queue_set_legacy_addr(vq, vq->desc,
                                         vq->align ? vq->align : 4096);
        } else if (!vdev->loaded_ring_addrs && vq->desc) {
            error_setg(errp, "virtio: VQ %u ring addresses are missing from "
                       "the stream", i);
            return false;
        } else if (!(t && t->extra_state)) {
            vq->ready = vq->desc != 0;
        }
        if (!load_check_ring(vdev, i, errp)) {
            return false;
        }
    }
    if (t && t->post_load) {
        t->post_load(vdev->transport_opaque);
    }
    return !vdev->ops->post_load || vdev->ops->post_load(vdev, errp);
}

static bool put_virtio(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    return virtio_save(ptr, f, errp);
}

static bool get_virtio(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    /* The outer description's version is the device's (virtio-net: 11). */
    return virtio_load(ptr, f, ((VirtIODevice *)ptr)->ops->vmsd
                                   ? ((VirtIODevice *)ptr)->ops->vmsd->version_id
                                   : 1,
                       errp);
}

const VMStateInfo virtio_vmstate_info = {
    .name = "virtio",
    .get = get_virtio,
    .put = put_virtio,
};
