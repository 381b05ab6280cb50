/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net transmit path (bh or timer mode, bursts, asynchronous
 * completion by the backend) and the per-queue started/stopped state.
 */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net-internal.h"
#include "system/runstate.h"
#include "util/main-loop.h"

static void tx_schedule(VirtIONetQueue *q);

static bool queue_started(VirtIONet *n, int i)
{
    VirtIODevice *vdev = &n->vdev;

    return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
           (n->status & VIRTIO_NET_S_LINK_UP) && runstate_is_running() &&
           !vdev->broken && !n->vhost_started &&
           (i == 0 || (n->multiqueue && i < n->curr_queue_pairs));
}

/* Link down: the guest's frames go nowhere; complete them all. */
static void tx_drop_all(VirtIONetQueue *q)
{
    VirtIONet *n = q->n;
    VirtQueueElement *elem = g_malloc(sizeof(*elem));
    bool any = false;

    while (virtqueue_pop(q->tx_vq, elem) > 0) {
        virtqueue_push(q->tx_vq, elem, 0);
        any = true;
    }
    if (any) {
        virtio_notify(&n->vdev, q->tx_vq);
    }
    g_free(elem);
}

static void tx_complete(NetClientState *nc, ssize_t len);

/* Send one element; false when it went asynchronous (backend busy). */
static bool tx_one(VirtIONetQueue *q, VirtQueueElement *elem)
{
    VirtIONet *n = q->n;
    struct iovec sg[VIRTQUEUE_MAX_SIZE];
    size_t skip = n->guest_hdr_len - n->host_hdr_len;
    unsigned cnt;
    ssize_t ret;

    if (elem->out_len < n->guest_hdr_len) {
        virtio_error(&n->vdev, "virtio-net header not in first element");
        return true;
    }
    cnt = iov_copy(sg, VIRTQUEUE_MAX_SIZE, elem->out_sg, elem->out_num, skip,
                   elem->out_len - skip);
    ret = qemu_sendv_packet_async(qemu_get_subqueue(n->nic, q->index), sg, cnt,
                                  tx_complete);
    if (ret == 0) {
        return false;
    }
    virtqueue_push(q->tx_vq, elem, 0);
    return true;
}

/* Returns the number of frames sent, or -1 when waiting for the backend. */
static int tx_flush(VirtIONetQueue *q)
{
    VirtIONet *n = q->n;
    int sent = 0;

    if (q->async_tx || n->vdev.broken || !queue_started(n, q->index)) {
        return 0;
    }
    if (!q->tx_elem) {
        q->tx_elem = g_malloc(sizeof(*q->tx_elem));
    }
    while (sent < n->conf.txburst) {
        VirtQueueElement *elem = q->tx_elem;
        if (virtqueue_pop(q->tx_vq, elem) <= 0) {
            break;
        }
        if (!tx_one(q, elem)) {
            /* The backend queued it: wait for tx_complete. */
            q->async_tx = elem;
            virtio_queue_set_notification(q->tx_vq, false);
            return -1;
        }
        sent++;
        if (n->vdev.broken) {
            break;
        }
    }
    if (sent) {
        virtio_notify(&n->vdev, q->tx_vq);
    }
    return sent;
}

static void tx_complete(NetClientState *nc, ssize_t len)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIONetQueue *q = &n->vqs[nc->queue_index];

    if (!q->async_tx) {
        return;
    }
    virtqueue_push(q->tx_vq, q->async_tx, 0);
    virtio_notify(&n->vdev, q->tx_vq);
    q->async_tx = NULL;
    virtio_queue_set_notification(q->tx_vq, true);
    tx_schedule(q);
}

/* Run a flush; a full burst or a race with the driver reschedules. */
static void tx_run(VirtIONetQueue *q)
{
    int sent;

    q->tx_waiting = false;
    sent = tx_flush(q);
    if (sent < 0) {
        return;
    }
    if (sent >= q->n->conf.txburst) {
        tx_schedule(q);
        return;
    }
    virtio_queue_set_notification(q->tx_vq, true);
    if (!virtqueue_empty(q->tx_vq) && queue_started(q->n, q->index)) {
        virtio_queue_set_notification(q->tx_vq, false);
        tx_schedule(q);
    }
}

static gboolean tx_bh(gpointer opaque)
{
    VirtIONetQueue *q = opaque;

    q->tx_bh = 0;
    tx_run(q);
    return G_SOURCE_REMOVE;
}

static void tx_timer_cb(void *opaque)
{
    tx_run(opaque);
}

static void tx_schedule(VirtIONetQueue *q)
{
    q->tx_waiting = true;
    if (!queue_started(q->n, q->index)) {
        return; /* resumed by virtio_net_update_started */
    }
    if (q->n->tx_timer_mode) {
        if (!q->tx_timer) {
            q->tx_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, tx_timer_cb, q);
        }
        if (!timer_pending(q->tx_timer)) {
            timer_mod_ns(q->tx_timer, clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                                          q->n->conf.txtimer);
        }
    } else if (!q->tx_bh) {
        q->tx_bh = main_loop_add_bh(tx_bh, q);
    }
}

void virtio_net_handle_tx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = vdev->opaque;
    VirtIONetQueue *q = &n->vqs[virtio_queue_index(vq) / 2];

    /* Link down, or a pair above curr_queue_pairs (its backend queue is
     * detached): the guest's frames are completed and dropped, as QEMU. */
    if (!(n->status & VIRTIO_NET_S_LINK_UP) ||
        (q->index > 0 && q->index >= (unsigned)n->curr_queue_pairs)) {
        tx_drop_all(q);
        return;
    }
    if (n->tx_timer_mode && q->tx_waiting && q->tx_timer &&
        timer_pending(q->tx_timer)) {
        /* A second kick while waiting flushes at once. */
        timer_del(q->tx_timer);
        tx_run(q);
        return;
    }
    virtio_queue_set_notification(vq, false);
    tx_schedule(q);
}

void virtio_net_tx_stop(VirtIONetQueue *q)
{
    if (q->tx_timer) {
        timer_free(q->tx_timer);
        q->tx_timer = NULL;
    }
    if (q->tx_bh) {
        main_loop_remove(q->tx_bh);
        q->tx_bh = 0;
    }
}

void virtio_net_tx_purge_all(VirtIONet *n)
{
    for (int i = 0; i < n->max_queue_pairs; i++) {
        VirtIONetQueue *q = &n->vqs[i];
        if (q->async_tx) {
            qemu_purge_queued_packets(qemu_get_subqueue(n->nic, i));
            q->async_tx = NULL;
        }
        q->tx_waiting = false;
        virtio_net_tx_stop(q);
    }
}

void virtio_net_update_started(VirtIONet *n)
{
    bool driver_ok = n->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK;

    for (int i = 0; i < n->max_queue_pairs; i++) {
        VirtIONetQueue *q = &n->vqs[i];

        if (!q->tx_vq) {
            continue;
        }
        if (queue_started(n, i)) {
            qemu_flush_queued_packets(qemu_get_subqueue(n->nic, i));
            if (q->tx_waiting) {
                tx_schedule(q);
            }
            continue;
        }
        /* Stopped: keep tx_waiting so that a restart resumes the flush. */
        if (q->tx_timer) {
            timer_del(q->tx_timer);
        }
        if (q->tx_bh) {
            main_loop_remove(q->tx_bh);
            q->tx_bh = 0;
        }
        if (driver_ok && runstate_is_running() &&
            !(n->status & VIRTIO_NET_S_LINK_UP)) {
            tx_drop_all(q);
        }
    }
}
