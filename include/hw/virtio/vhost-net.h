/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What virtio-net needs from a vhost backend queue (implemented by the
 * vhost-user netdev, net/vhost-user.c).  @nc is always the backend client
 * (the NIC queue's peer); queue i owns the rings 2i (rx) and 2i+1 (tx).
 */
#ifndef HW_VIRTIO_VHOST_NET_H
#define HW_VIRTIO_VHOST_NET_H

#include "hw/virtio/virtio.h"
#include "net/net.h"

/* Is @nc a vhost backend queue (its data path runs outside vireo)? */
bool vhost_net_is_vhost(NetClientState *nc);
/* Connected and handshake done: the rings can be started. */
bool vhost_net_ready(NetClientState *nc);
/* @features with the bits the back-end controls and does not offer off. */
uint64_t vhost_net_get_features(NetClientState *nc, uint64_t features);
/* Hand the queue's rings to the back-end, enabled or not. */
bool vhost_net_start_queue(NetClientState *nc, VirtIODevice *vdev,
                           uint64_t features, bool enable, Error **errp);
void vhost_net_stop_queue(NetClientState *nc);
bool vhost_net_queue_started(NetClientState *nc);

#endif
