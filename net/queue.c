/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NetQueue: a FIFO of packets waiting for one receiver.  Delivery goes
 * through the owner's deliver function; a packet it cannot take stays at
 * the head until the next flush.
 */
#include <string.h>
#include <glib.h>
#include "net/queue.h"

typedef struct NetPacket {
    NetClientState *sender;
    unsigned flags;
    size_t size;
    NetPacketSent *sent_cb;
    uint8_t data[];
} NetPacket;

struct NetQueue {
    NetQueueDeliverFunc *deliver;
    void *opaque;
    GQueue packets;
    unsigned maxlen;
    bool delivering; /* guards against re-entry from a deliver callback */
};

NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque)
{
    NetQueue *q = g_new0(NetQueue, 1);

    q->deliver = deliver;
    q->opaque = opaque;
    q->maxlen = NET_QUEUE_MAXLEN;
    g_queue_init(&q->packets);
    return q;
}

void qemu_del_net_queue(NetQueue *queue)
{
    NetPacket *p;

    if (!queue) {
        return;
    }
    while ((p = g_queue_pop_head(&queue->packets))) {
        g_free(p);
    }
    g_free(queue);
}

unsigned qemu_net_queue_len(const NetQueue *queue)
{
    return queue->packets.length;
}

static size_t iov_total(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

void qemu_net_queue_append_iov(NetQueue *queue, NetClientState *sender,
                               unsigned flags, const struct iovec *iov,
                               int iovcnt, NetPacketSent *sent_cb)
{
    size_t size = iov_total(iov, iovcnt), off = 0;
    NetPacket *p;

    /* Without a completion the sender cannot be throttled: bound memory. */
    if (queue->packets.length >= queue->maxlen && !sent_cb) {
        return;
    }
    p = g_malloc(sizeof(*p) + size);
    p->sender = sender;
    p->flags = flags;
    p->size = size;
    p->sent_cb = sent_cb;
    for (int i = 0; i < iovcnt; i++) {
        memcpy(p->data + off, iov[i].iov_base, iov[i].iov_len);
        off += iov[i].iov_len;
    }
    g_queue_push_tail(&queue->packets, p);
}

static ssize_t queue_deliver(NetQueue *queue, NetClientState *sender,
                             unsigned flags, const struct iovec *iov,
                             int iovcnt)
{
    ssize_t ret;

    queue->delivering = true;
    ret = queue->deliver(sender, flags, iov, iovcnt, queue->opaque);
    queue->delivering = false;
    return ret;
}

ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb)
{
    ssize_t ret;

    /* Keep order: nothing overtakes packets that are already waiting. */
    if (queue->delivering || queue->packets.length) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    ret = queue_deliver(queue, sender, flags, iov, iovcnt);
    if (ret == 0) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    qemu_net_queue_flush(queue);
    return ret;
}

ssize_t qemu_net_queue_send(NetQueue *queue, NetClientState *sender,
                            unsigned flags, const uint8_t *data, size_t size,
                            NetPacketSent *sent_cb)
{
    struct iovec iov = {.iov_base = (void *)data, .iov_len = size};

    return qemu_net_queue_send_iov(queue, sender, flags, &iov, 1, sent_cb);
}

void qemu_net_queue_purge(NetQueue *queue, NetClientState *from)
{
    GList *l = queue->packets.head;

    while (l) {
        GList *next = l->next;
        NetPacket *p = l->data;

        if (p->sender == from) {
            g_queue_delete_link(&queue->packets, l);
            if (p->sent_cb) {
                p->sent_cb(p->sender, 0);
            }
            g_free(p);
        }
        l = next;
    }
}

bool qemu_net_queue_flush(NetQueue *queue)
{
    NetPacket *p;

    if (queue->delivering) {
        return false;
    }
    while ((p = g_queue_pop_head(&queue->packets))) {
        struct iovec iov = {.iov_base = p->data, .iov_len = p->size};
        ssize_t ret = queue_deliver(queue, p->sender, p->flags, &iov, 1);

        if (ret == 0) {
            /* Still busy: put it back in front and wait for the next flush. */
            g_queue_push_head(&queue->packets, p);
            return false;
        }
        if (p->sent_cb) {
            p->sent_cb(p->sender, ret);
        }
        g_free(p);
    }
    return true;
}
