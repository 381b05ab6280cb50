/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio driver for qtest tests: status and feature negotiation, split
 * virtqueues laid out in guest RAM, buffers (direct and indirect), kicks,
 * waiting for used entries and interrupts.  The transport (PCI modern or
 * legacy, MMIO) sits behind QVirtioOps; everything else is shared.
 *
 * Only qtest reads and writes touch the machine, as an external driver
 * would.  Waits poll guest memory with a bounded timeout: under -accel
 * qtest the device's data path runs from vireo's main loop.
 */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_H
#define TESTS_QTEST_LIBQOS_VIRTIO_H

#include <stdbool.h>
#include <stdint.h>
#include "libqtest.h"

#define QVIRTIO_RAM_BASE 0x80000000ull

#define QVIRTIO_S_ACKNOWLEDGE 1
#define QVIRTIO_S_DRIVER 2
#define QVIRTIO_S_DRIVER_OK 4
#define QVIRTIO_S_FEATURES_OK 8
#define QVIRTIO_S_NEEDS_RESET 0x40
#define QVIRTIO_S_FAILED 0x80

#define QVIRTIO_F_NOTIFY_ON_EMPTY 24
#define QVIRTIO_F_ANY_LAYOUT 27
#define QVIRTIO_F_INDIRECT_DESC 28
#define QVIRTIO_F_EVENT_IDX 29
#define QVIRTIO_F_VERSION_1 32

#define QVRING_DESC_F_NEXT 1
#define QVRING_DESC_F_WRITE 2
#define QVRING_DESC_F_INDIRECT 4

#define QVIRTIO_NO_VECTOR 0xffff
/* Default wait for a used entry or an interrupt. */
#define QVIRTIO_TIMEOUT_MS 5000

/* A bump allocator over guest RAM (nothing is ever freed). */
typedef struct QGuestAlloc {
    uint64_t next;
    uint64_t end;
} QGuestAlloc;

void qguest_alloc_init(QGuestAlloc *a, uint64_t start, uint64_t end);
/* @align is a power of two; the memory is zeroed. */
uint64_t qguest_alloc(QTestState *qts, QGuestAlloc *a, uint64_t size,
                      uint64_t align);

typedef struct QVirtioDevice QVirtioDevice;
typedef struct QVirtQueue QVirtQueue;

/* What a transport provides. */
typedef struct QVirtioOps {
    uint8_t (*get_status)(QVirtioDevice *d);
    void (*set_status)(QVirtioDevice *d, uint8_t status);
    uint64_t (*get_features)(QVirtioDevice *d);
    void (*set_features)(QVirtioDevice *d, uint64_t features);
    /* Device config space, byte @off. */
    uint8_t (*config_readb)(QVirtioDevice *d, uint64_t off);
    void (*config_writeb)(QVirtioDevice *d, uint64_t off, uint8_t v);
    /* Read-to-clear ISR (0 when MSI-X carries the interrupts). */
    uint8_t (*get_isr)(QVirtioDevice *d);
    /* Queues the device offers (PCI modern num_queues; else probed). */
    uint16_t (*num_queues)(QVirtioDevice *d);
    /* Max size of queue @index (0: not present). */
    uint16_t (*queue_max)(QVirtioDevice *d, uint16_t index);
    /* Program and enable a queue the library laid out in @vq. */
    void (*queue_setup)(QVirtioDevice *d, QVirtQueue *vq);
    void (*queue_notify)(QVirtioDevice *d, QVirtQueue *vq);
    /* MSI-X: route the config interrupt / a queue to @vector. */
    void (*set_config_vector)(QVirtioDevice *d, uint16_t vector);
    uint16_t (*get_config_vector)(QVirtioDevice *d);
    /* Legacy layouts put the whole ring in one aligned area. */
    bool (*legacy_layout)(QVirtioDevice *d);
    void (*free)(QVirtioDevice *d);
} QVirtioOps;

struct QVirtioDevice {
    QTestState *qts;
    const QVirtioOps *ops;
    QGuestAlloc *alloc;
    uint16_t device_id;
    uint64_t features;      /* negotiated */
    bool msix;              /* interrupts are MSI-X messages */
    uint64_t msi_base;      /* vector v writes (0x1000|v) to msi_base+4v */
    uint16_t config_vector;
    void *opaque;           /* the transport's state */
};

struct QVirtQueue {
    QVirtioDevice *dev;
    uint16_t index;
    uint16_t num;
    uint64_t desc, avail, used;
    uint16_t free_head;     /* next descriptor to hand out (round robin) */
    uint16_t avail_idx;     /* our shadow of avail->idx */
    uint16_t last_used;     /* used entries consumed so far */
    uint16_t vector;
    uint32_t notify_off;    /* transport-specific */
    bool event_idx;
    bool indirect;
};

/* One guest buffer of a chain. */
typedef struct QVirtBuf {
    uint64_t addr;
    uint32_t len;
    bool write;  /* device-writable */
} QVirtBuf;

/* ---- device ---- */

uint8_t qvirtio_get_status(QVirtioDevice *d);
void qvirtio_set_status(QVirtioDevice *d, uint8_t status);
void qvirtio_reset(QVirtioDevice *d);
uint64_t qvirtio_get_features(QVirtioDevice *d);
/*
 * reset → ACKNOWLEDGE → DRIVER → features (@want & offered) → FEATURES_OK
 * and check it stuck.  Returns the negotiated set; DRIVER_OK is separate
 * (queues are set up in between).
 */
uint64_t qvirtio_negotiate(QVirtioDevice *d, uint64_t want);
void qvirtio_driver_ok(QVirtioDevice *d);
uint8_t qvirtio_config_readb(QVirtioDevice *d, uint64_t off);
uint16_t qvirtio_config_readw(QVirtioDevice *d, uint64_t off);
uint32_t qvirtio_config_readl(QVirtioDevice *d, uint64_t off);
void qvirtio_config_writeb(QVirtioDevice *d, uint64_t off, uint8_t v);
void qvirtio_free(QVirtioDevice *d);

/* ---- interrupts ---- */

/* Enable MSI-X style delivery into guest RAM at @base (transport has it). */
uint64_t qvirtio_msi_addr(QVirtioDevice *d, uint16_t vector);
uint32_t qvirtio_msi_data(uint16_t vector);
/* True if @vector's message arrived since the last call (then cleared);
 * the message data written must be the expected one. */
bool qvirtio_msi_take(QVirtioDevice *d, uint16_t vector);
/* The config-change interrupt: MSI-X message or ISR bit 1 (read clears). */
bool qvirtio_config_irq_take(QVirtioDevice *d);
/* Wait up to @timeout_ms for qvirtio_config_irq_take. */
bool qvirtio_wait_config_irq(QVirtioDevice *d, int timeout_ms);

/* ---- queues ---- */

/* Lay out queue @index in guest RAM with the transport's size (or @num
 * when not 0), route it to @vector, enable it. */
QVirtQueue *qvirtqueue_setup(QVirtioDevice *d, uint16_t index, uint16_t num,
                             uint16_t vector);
void qvirtqueue_free(QVirtQueue *vq);

/* Write descriptor @i as given (for malformed-ring tests too). */
void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next);
/* Chain @n buffers in consecutive free descriptors; returns the head. */
uint16_t qvirtqueue_add(QVirtQueue *vq, const QVirtBuf *bufs, int n);
/* Same, through one INDIRECT descriptor pointing to a table in RAM. */
uint16_t qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtBuf *bufs, int n);
/* Offer @head in the avail ring (no kick). */
void qvirtqueue_publish(QVirtQueue *vq, uint16_t head);
/* Write avail->idx directly (malformed-ring tests). */
void qvirtqueue_set_avail_idx(QVirtQueue *vq, uint16_t idx);
void qvirtqueue_kick(QVirtQueue *vq);
uint16_t qvirtqueue_used_idx(QVirtQueue *vq);
/* Take the next used entry if there is one. */
bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *id, uint32_t *len);
/* Wait (bounded) for the next used entry. */
bool qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *id, uint32_t *len,
                          int timeout_ms);
/* The queue's interrupt: its MSI-X message, or ISR bit 0. */
bool qvirtqueue_irq_take(QVirtQueue *vq);

/* Sleep a little so that vireo's main loop can run (used while polling). */
void qvirtio_poll_pause(QTestState *qts);

#endif
