/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A vhost device: a group of virtqueues (a virtio-net queue pair) whose data
 * path runs in a vhost back-end.  Starting it hands the rings, the guest
 * memory table and two eventfds per ring to the back-end; a driver kick is
 * written to the ring's kick eventfd, and the back-end's call eventfd
 * raises the queue's interrupt from the main loop (ioeventfd/irqfd without
 * KVM).  Stopping takes the ring positions back (GET_VRING_BASE).
 *
 * Only vhost-user back-ends exist so far; the protocol is in vhost-user.h.
 */
#ifndef HW_VIRTIO_VHOST_H
#define HW_VIRTIO_VHOST_H

#include <glib.h>
#include "hw/virtio/vhost-user.h"
#include "hw/virtio/virtio.h"

#define VHOST_DEV_MAX_VQS 2

typedef struct VhostVirtqueue {
    VirtQueue *vq; /* NULL: not handed to the back-end */
    int kick_fd;
    int call_fd;
    guint call_watch;
} VhostVirtqueue;

typedef struct VhostDev {
    VhostUserConn *conn;
    unsigned vq_index; /* the device's index of our first ring */
    unsigned nvqs;
    bool started;
    bool enabled; /* SET_VRING_ENABLE state last sent */
    VirtIODevice *vdev;
    VhostVirtqueue vqs[VHOST_DEV_MAX_VQS];
} VhostDev;

void vhost_dev_init(VhostDev *hdev, VhostUserConn *conn, unsigned vq_index,
                    unsigned nvqs);
/*
 * Hand the rings to the back-end with @features negotiated.  The device
 * with vq_index 0 also sends the memory table.  Rings come up disabled
 * when protocol features are in use: see vhost_dev_set_enable.
 * On failure nothing stays handed over.
 */
bool vhost_dev_start(VhostDev *hdev, VirtIODevice *vdev, uint64_t features,
                     Error **errp);
/*
 * Take the rings back: GET_VRING_BASE gives last_avail_idx; when the
 * back-end is gone the guest's used index is used instead.
 */
void vhost_dev_stop(VhostDev *hdev);
/* SET_VRING_ENABLE on every ring (true without protocol features). */
bool vhost_dev_set_enable(VhostDev *hdev, bool enable, Error **errp);

#endif
