/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * NetQueue: the packets waiting for one receiving net client.  A sender
 * that passes a completion callback is told when its packet finally went
 * through (or was purged, with length 0), so it can stop reading its own
 * source meanwhile instead of dropping.
 */
#ifndef NET_QUEUE_H
#define NET_QUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

typedef struct NetClientState NetClientState;
typedef struct NetQueue NetQueue;

/* Completion of an asynchronous send; @ret is the length, 0 when purged. */
typedef void NetPacketSent(NetClientState *sender, ssize_t ret);

#define QEMU_NET_PACKET_FLAG_NONE 0
#define QEMU_NET_PACKET_FLAG_RAW  (1u << 0)

/* Queue length above which packets without a completion are dropped. */
#define NET_QUEUE_MAXLEN 10000

/*
 * Hands one packet to the receiver; returns its length, 0 when the
 * receiver cannot take it now (it is then kept), or <0 on a drop.
 */
typedef ssize_t NetQueueDeliverFunc(NetClientState *sender, unsigned flags,
                                    const struct iovec *iov, int iovcnt,
                                    void *opaque);

NetQueue *qemu_new_net_queue(NetQueueDeliverFunc *deliver, void *opaque);
void qemu_del_net_queue(NetQueue *queue);

ssize_t qemu_net_queue_send(NetQueue *queue, NetClientState *sender,
                            unsigned flags, const uint8_t *data, size_t size,
                            NetPacketSent *sent_cb);
ssize_t qemu_net_queue_send_iov(NetQueue *queue, NetClientState *sender,
                                unsigned flags, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb);
/* Queue without trying to deliver (used while the queue is being flushed). */
void qemu_net_queue_append_iov(NetQueue *queue, NetClientState *sender,
                               unsigned flags, const struct iovec *iov,
                               int iovcnt, NetPacketSent *sent_cb);

/* Drop every packet sent by @from; their completions run with length 0. */
void qemu_net_queue_purge(NetQueue *queue, NetClientState *from);
/* Deliver what can be delivered; true when the queue is now empty. */
bool qemu_net_queue_flush(NetQueue *queue);
unsigned qemu_net_queue_len(const NetQueue *queue);

#endif
