/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A virtio-net driver for qtest tests on top of the virtio driver: rx, tx
 * and control queues for N queue pairs, frames with the virtio_net_hdr,
 * control commands with their ack byte.
 */
#ifndef TESTS_QTEST_LIBQOS_VIRTIO_NET_H
#define TESTS_QTEST_LIBQOS_VIRTIO_NET_H

#include "virtio.h"

#define QVNET_F_CSUM 0
#define QVNET_F_MTU 3
#define QVNET_F_MAC 5
#define QVNET_F_MRG_RXBUF 15
#define QVNET_F_STATUS 16
#define QVNET_F_CTRL_VQ 17
#define QVNET_F_CTRL_RX 18
#define QVNET_F_CTRL_VLAN 19
#define QVNET_F_CTRL_RX_EXTRA 20
#define QVNET_F_GUEST_ANNOUNCE 21
#define QVNET_F_MQ 22
#define QVNET_F_CTRL_MAC_ADDR 23
#define QVNET_F_SPEED_DUPLEX 63

#define QVNET_S_LINK_UP 1

#define QVNET_OK 0
#define QVNET_ERR 1
#define QVNET_CTRL_RX 0
#define QVNET_CTRL_RX_PROMISC 0
#define QVNET_CTRL_RX_ALLMULTI 1
#define QVNET_CTRL_RX_ALLUNI 2
#define QVNET_CTRL_RX_NOMULTI 3
#define QVNET_CTRL_RX_NOUNI 4
#define QVNET_CTRL_RX_NOBCAST 5
#define QVNET_CTRL_MAC 1
#define QVNET_CTRL_MAC_TABLE_SET 0
#define QVNET_CTRL_MAC_ADDR_SET 1
#define QVNET_CTRL_VLAN 2
#define QVNET_CTRL_VLAN_ADD 0
#define QVNET_CTRL_VLAN_DEL 1
#define QVNET_CTRL_ANNOUNCE 3
#define QVNET_CTRL_MQ 4
#define QVNET_CTRL_MQ_VQ_PAIRS_SET 0
#define QVNET_CTRL_GUEST_OFFLOADS 5

#define QVNET_MAX_PAIRS 8

/* One data queue and the guest buffers posted on it (by head). */
typedef struct QVnetQueue {
    QVirtQueue *vq;
    uint64_t *addr;
    uint32_t *len;
} QVnetQueue;

typedef struct QVirtioNet {
    QVirtioDevice *dev;
    int pairs;              /* queue pairs set up */
    int max_pairs;          /* config max_virtqueue_pairs (1 without MQ) */
    size_t hdr_len;         /* 12, or 10 for legacy without MRG_RXBUF */
    QVnetQueue rx[QVNET_MAX_PAIRS];
    QVnetQueue tx[QVNET_MAX_PAIRS];
    QVirtQueue *ctrl;       /* NULL without CTRL_VQ */
    bool repost;            /* qvnet_recv posts consumed buffers again */
    uint32_t repost_size;
} QVirtioNet;

/*
 * Negotiate @want (& offered), set up @pairs queue pairs (1 unless MQ was
 * negotiated) and the control queue, route interrupts (MSI-X: config 0,
 * rx i → 1+2i, tx i → 2+2i, ctrl → 2*max_pairs+1), DRIVER_OK.
 */
QVirtioNet *qvnet_init(QVirtioDevice *dev, uint64_t want, int pairs);
void qvnet_free(QVirtioNet *n);
/* Default driver features: everything but offloads the tests don't do. */
uint64_t qvnet_default_features(void);

/* Post @count receive buffers of @size bytes on rx queue @q and kick. */
void qvnet_post_rx(QVirtioNet *n, int q, int count, uint32_t size);
/*
 * Queue a frame (header prepended, zeroed) on tx queue @q and kick.
 * Returns the head; qvnet_send also waits for its completion.
 */
uint16_t qvnet_send_nowait(QVirtioNet *n, int q, const void *frame,
                           size_t len);
bool qvnet_send(QVirtioNet *n, int q, const void *frame, size_t len);
/*
 * Wait for the next received frame on rx queue @q: copies the frame
 * (without the header) to @frame and returns its length, or -1 on
 * timeout.  @num_buffers (may be NULL) gets the header's num_buffers
 * (with MRG_RXBUF that many used entries are consumed).
 */
int qvnet_recv(QVirtioNet *n, int q, uint8_t *frame, size_t max,
               uint16_t *num_buffers, int timeout_ms);
/* Like qvnet_recv with a short timeout: true if nothing arrives. */
bool qvnet_rx_idle(QVirtioNet *n, int q, int ms);
/*
 * Fill the whole ring of rx queue @q (nothing posted on it yet) with
 * buffers of @size bytes, in a few qtest writes, and kick.
 */
void qvnet_fill_rx(QVirtioNet *n, int q, uint32_t size);
/* One received frame (without the virtio_net_hdr), for qvnet_rx_drain. */
typedef void (*QVnetRxFn)(int q, const uint8_t *frame, size_t len,
                          void *opaque);
/*
 * Take every frame already completed on rx queue @q, give each to @fn and
 * offer the same buffers (descriptors unchanged) again in one batch with
 * one kick.  Never waits.  For rings filled with qvnet_fill_rx (or
 * qvnet_post_rx without repost), not mixed with qvnet_recv's repost.
 * Returns the number of frames taken.
 */
int qvnet_rx_drain(QVirtioNet *n, int q, QVnetRxFn fn, void *opaque);
/* Send a control command; returns the ack byte, or -1 if not completed. */
int qvnet_ctrl(QVirtioNet *n, uint8_t cls, uint8_t cmd, const void *data,
               size_t len);
/* Config space fields. */
void qvnet_config_mac(QVirtioNet *n, uint8_t mac[6]);
uint16_t qvnet_config_status(QVirtioNet *n);

#endif
