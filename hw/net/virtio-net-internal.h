/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared between the virtio-net source files. */
#ifndef HW_NET_VIRTIO_NET_INTERNAL_H
#define HW_NET_VIRTIO_NET_INTERNAL_H

#include "hw/net/virtio-net.h"

/* virtio-net.c */
void virtio_net_set_multiqueue(VirtIONet *n, bool multiqueue);
void virtio_net_set_queue_pairs(VirtIONet *n);
void virtio_net_apply_offloads(VirtIONet *n);
/* Start or stop the vhost back-end's rings as the device state asks. */
void virtio_net_vhost_update(VirtIONet *n);

/* virtio-net-rx.c */
bool virtio_net_can_receive(NetClientState *nc);
ssize_t virtio_net_receive_iov(NetClientState *nc, const struct iovec *iov,
                               int iovcnt);
RxFilterInfo *virtio_net_query_rx_filter(NetClientState *nc);
void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq);
void virtio_net_rx_filter_notify(VirtIONet *n);

/* virtio-net-tx.c */
void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq);
void virtio_net_tx_stop(VirtIONetQueue *q);
void virtio_net_tx_purge_all(VirtIONet *n);
void virtio_net_update_started(VirtIONet *n);

/* virtio-net.c */
void virtio_net_set_hdr_len(VirtIONet *n, uint64_t features);
uint64_t virtio_net_offloads_from_features(uint64_t features);

/* virtio-net-migration.c */
extern const VMStateDescription vmstate_virtio_net_device;
bool virtio_net_pre_load_queues(VirtIODevice *vdev, unsigned num,
                                Error **errp);
bool virtio_net_post_load(VirtIODevice *vdev, Error **errp);
/* The guest acknowledged an announcement: schedule the next round. */
void virtio_net_announce_ack(VirtIONet *n);
/* Is the post-migration GUEST_ANNOUNCE sequence still going? */
bool virtio_net_announce_running(VirtIONet *n);
void virtio_net_migration_cleanup(VirtIONet *n);

/* virtio-net-ctrl.c */
void virtio_net_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq);

#endif
