/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Virtio core: device state shared by every transport, and split
 * virtqueues.  Everything read from guest memory is validated; a malformed
 * ring marks the device broken (NEEDS_RESET + config interrupt), as the
 * virtio spec asks, instead of being trusted.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>
#include "migration/qemu-file.h"
#include "migration/vmstate.h"
#include "system/memory.h"
#include "util/iov.h"
#include "util/error.h"

#define VIRTIO_QUEUE_MAX 1024
#define VIRTQUEUE_MAX_SIZE 1024
#define VIRTIO_NO_VECTOR 0xffff

/* Device status bits. */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER 2
#define VIRTIO_CONFIG_S_DRIVER_OK 4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED 0x80

/* Transport-independent feature bits. */
#define VIRTIO_F_NOTIFY_ON_EMPTY 24
#define VIRTIO_F_ANY_LAYOUT 27
#define VIRTIO_RING_F_INDIRECT_DESC 28
#define VIRTIO_RING_F_EVENT_IDX 29
#define VIRTIO_F_BAD_FEATURE 30
#define VIRTIO_F_VERSION_1 32
#define VIRTIO_F_IOMMU_PLATFORM 33
#define VIRTIO_F_RING_PACKED 34
#define VIRTIO_F_IN_ORDER 35
#define VIRTIO_F_RING_RESET 40

/* Split ring layout. */
#define VRING_DESC_F_NEXT 1
#define VRING_DESC_F_WRITE 2
#define VRING_DESC_F_INDIRECT 4
#define VRING_USED_F_NO_NOTIFY 1
#define VRING_AVAIL_F_NO_INTERRUPT 1

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;

/* One buffer chain taken from the avail ring. */
typedef struct VirtQueueElement {
    unsigned index;     /* head descriptor index */
    unsigned out_num;   /* driver-to-device buffers */
    unsigned in_num;    /* device-to-driver buffers */
    size_t out_len;     /* bytes in out_sg */
    size_t in_len;      /* bytes in in_sg */
    struct iovec out_sg[VIRTQUEUE_MAX_SIZE];
    struct iovec in_sg[VIRTQUEUE_MAX_SIZE];
} VirtQueueElement;

typedef void VirtIOHandleOutput(VirtIODevice *vdev, VirtQueue *vq);

/* What a device model provides. */
typedef struct VirtioDeviceOps {
    /* Features offered; @host are the device's configured bits. */
    uint64_t (*get_features)(VirtIODevice *vdev, uint64_t host);
    /* Called on every write of the driver's features and with 0 on reset. */
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    /* FEATURES_OK check; false refuses the set. */
    bool (*validate_features)(VirtIODevice *vdev);
    void (*get_config)(VirtIODevice *vdev, uint8_t *config);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *config);
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
    void (*reset)(VirtIODevice *vdev);
    /* Migration: the device's own fields, saved inside the virtio state
     * (opaque = the device model), e.g. "virtio-net-device". */
    const VMStateDescription *vmsd;
    /* Loading: give the device @num virtqueues, as the stream has them
     * (virtio-net rebuilds its pairs); false refuses the count. */
    bool (*pre_load_queues)(VirtIODevice *vdev, unsigned num, Error **errp);
    /* Loading: everything is in place (features set, rings checked). */
    bool (*post_load)(VirtIODevice *vdev, Error **errp);
} VirtioDeviceOps;

/* What a transport (PCI, MMIO) provides. */
typedef struct VirtioTransportOps {
    /* Raise the interrupt for @vector (MSI-X) or the shared line. */
    void (*notify)(void *opaque, uint16_t vector);
    /* The number of virtqueues changed (virtio-net rebuilds its vqs). */
    void (*queues_changed)(void *opaque);

    /*
     * Migration (all optional).  The transport's part of the virtio state:
     * its config (PCI: config space, MSI-X, config vector) before the core
     * fields, a per-queue part (PCI: the vector) after each queue, and an
     * "extra state" description saved in the virtio/extra_state subsection
     * when has_extra_state says so (opaque = the transport).
     */
    bool (*save_config)(void *opaque, QEMUFile *f, Error **errp);
    bool (*load_config)(void *opaque, QEMUFile *f, Error **errp);
    void (*save_queue)(void *opaque, unsigned n, QEMUFile *f);
    bool (*load_queue)(void *opaque, unsigned n, QEMUFile *f, Error **errp);
    const VMStateDescription *extra_state;
    bool (*has_extra_state)(void *opaque);
    /* Queues carry a be32 ring alignment in the stream (virtio-mmio). */
    bool variable_vring_alignment;
    /* The load is complete: drive interrupt lines again. */
    void (*post_load)(void *opaque);
} VirtioTransportOps;

struct VirtIODevice {
    const char *name;
    uint16_t device_id;
    uint8_t status;
    uint8_t isr;
    uint16_t queue_sel;
    uint64_t host_features;
    /* Bits only a legacy driver may see (hidden from virtio 1.x). */
    uint64_t legacy_features;
    uint64_t guest_features;
    uint32_t generation;
    uint16_t config_vector;
    size_t config_len;
    uint8_t *config;
    bool broken;
    bool legacy_mode;       /* driver speaks legacy (pre-1.0) */
    /* The transport offers VERSION_1 (modern interface present). */
    bool version1_offered;
    /* Scratch for loading the virtio/... subsections. */
    bool loaded_ring_addrs;
    bool loaded_started;
    bool loaded_disabled;
    uint8_t loaded_endian;
    AddressSpace *dma_as;
    VirtQueue *vq;          /* VIRTIO_QUEUE_MAX entries */
    const VirtioDeviceOps *ops;
    void *opaque;           /* the device model */
    const VirtioTransportOps *transport;
    void *transport_opaque;
};

void virtio_init(VirtIODevice *vdev, const char *name, uint16_t device_id,
                 size_t config_len, const VirtioDeviceOps *ops, void *opaque);
void virtio_cleanup(VirtIODevice *vdev);
void virtio_bind_transport(VirtIODevice *vdev, const VirtioTransportOps *ops,
                           void *opaque);

VirtQueue *virtio_add_queue(VirtIODevice *vdev, unsigned size,
                            VirtIOHandleOutput *handler);
void virtio_del_queue(VirtIODevice *vdev, unsigned n);
unsigned virtio_get_num_queues(VirtIODevice *vdev);
VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n);
unsigned virtio_queue_index(VirtQueue *vq);

void virtio_reset(VirtIODevice *vdev);
/* Driver writes its feature bits; false if refused (FEATURES_OK fails). */
bool virtio_set_features(VirtIODevice *vdev, uint64_t features);
void virtio_set_status(VirtIODevice *vdev, uint8_t status);
uint64_t virtio_offered_features(VirtIODevice *vdev);
bool virtio_has_feature(uint64_t features, unsigned bit);
bool virtio_vdev_has_feature(VirtIODevice *vdev, unsigned bit);
void virtio_update_config(VirtIODevice *vdev); /* refresh vdev->config */
void virtio_notify_config(VirtIODevice *vdev);

/* Mark the device broken: logged once, NEEDS_RESET, config interrupt. */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/*
 * Migration: the "virtio" field of a device's outer description, in QEMU's
 * byte layout (transport config, status, isr, queue_sel, features, config,
 * queues, the device's vmsd, then the virtio/... subsections).  Loading
 * checks the queue count and sizes, the ring addresses and indexes against
 * the guest's rings, and the features against what the device offers.
 */
extern const VMStateInfo virtio_vmstate_info;
#define VMSTATE_VIRTIO_DEVICE(_s, _f)                                       \
    {                                                                       \
        .name = "virtio", .kind = VMS_CUSTOM, .offset = offsetof(_s, _f),   \
        .size = sizeof(VirtIODevice), .info = &virtio_vmstate_info          \
    }
bool virtio_save(VirtIODevice *vdev, QEMUFile *f, Error **errp);
bool virtio_load(VirtIODevice *vdev, QEMUFile *f, int version_id,
                 Error **errp);

/* Queue configuration, written by transports. */
void virtio_queue_set_num(VirtQueue *vq, unsigned num);
unsigned virtio_queue_get_num(VirtQueue *vq);
unsigned virtio_queue_get_max_num(VirtQueue *vq);
void virtio_queue_set_rings(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used);
/* Legacy layout: one page-aligned area starting at @pa. */
void virtio_queue_set_legacy_addr(VirtQueue *vq, uint64_t pa, unsigned align);
/* The ring alignment of the legacy layout (0 until one was set). */
unsigned virtio_queue_get_align(VirtQueue *vq);
uint64_t virtio_queue_get_desc(VirtQueue *vq);
uint64_t virtio_queue_get_avail(VirtQueue *vq);
uint64_t virtio_queue_get_used(VirtQueue *vq);
void virtio_queue_set_ready(VirtQueue *vq, bool ready);
bool virtio_queue_ready(VirtQueue *vq);
void virtio_queue_set_vector(VirtQueue *vq, uint16_t vector);
uint16_t virtio_queue_vector(VirtQueue *vq);
/* The driver kicked queue @n. */
void virtio_queue_notify(VirtIODevice *vdev, unsigned n);

/*
 * vhost hooks (KVM's ioeventfd/irqfd model without KVM).  With a host
 * notifier set, a driver kick of the queue is written to that eventfd
 * instead of running the device's handler; -1 gives the queue back.
 */
void virtio_queue_set_host_notifier(VirtQueue *vq, int fd);
/* The back-end used buffers and signalled: raise the queue's interrupt. */
void virtio_queue_irq(VirtQueue *vq);
/* Ring positions handed to and taken back from a vhost back-end. */
uint16_t virtio_queue_get_last_avail_idx(VirtQueue *vq);
/* Set last_avail and take used_idx from the guest's used ring. */
bool virtio_queue_set_last_avail_idx(VirtQueue *vq, uint16_t idx);
/* used->idx as the guest's ring has it (used_idx if unreadable). */
uint16_t virtio_queue_get_used_idx_from_ring(VirtQueue *vq);

/* Data path. */
bool virtqueue_empty(VirtQueue *vq);
/* 1: *elem filled; 0: nothing available; -1: the device is now broken. */
int virtqueue_pop(VirtQueue *vq, VirtQueueElement *elem);
/* Give a popped element back unused (it is popped again next time). */
void virtqueue_unpop(VirtQueue *vq, unsigned count);
/* Complete @elem with @len bytes written; call virtqueue_flush after. */
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, unsigned len,
                    unsigned idx);
void virtqueue_flush(VirtQueue *vq, unsigned count);
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, unsigned len);
/* Interrupt the driver if it wants one (EVENT_IDX / NO_INTERRUPT). */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);
/* Ask the driver not to kick (or to kick again). */
void virtio_queue_set_notification(VirtQueue *vq, bool enable);
/* Are at least @in_bytes of device-writable buffers available? */
bool virtqueue_avail_bytes(VirtQueue *vq, size_t in_bytes, size_t out_bytes);

#endif
