/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user front-end: the message protocol spoken over a unix socket
 * chardev to a back-end process that runs the virtqueues (DPDK, OVS, ...).
 *
 * Messages are exchanged synchronously on the chardev's connected socket;
 * every reply is checked (request code, flags, size) and waited for with a
 * timeout, because the back-end is another program and may be hostile.
 */
#ifndef HW_VIRTIO_VHOST_USER_H
#define HW_VIRTIO_VHOST_USER_H

#include <stdbool.h>
#include <stdint.h>
#include "chardev/char.h"
#include "util/error.h"

/* Requests (front-end to back-end). */
enum {
    VHOST_USER_GET_FEATURES = 1,
    VHOST_USER_SET_FEATURES = 2,
    VHOST_USER_SET_OWNER = 3,
    VHOST_USER_RESET_OWNER = 4,
    VHOST_USER_SET_MEM_TABLE = 5,
    VHOST_USER_SET_LOG_BASE = 6,
    VHOST_USER_SET_LOG_FD = 7,
    VHOST_USER_SET_VRING_NUM = 8,
    VHOST_USER_SET_VRING_ADDR = 9,
    VHOST_USER_SET_VRING_BASE = 10,
    VHOST_USER_GET_VRING_BASE = 11,
    VHOST_USER_SET_VRING_KICK = 12,
    VHOST_USER_SET_VRING_CALL = 13,
    VHOST_USER_SET_VRING_ERR = 14,
    VHOST_USER_GET_PROTOCOL_FEATURES = 15,
    VHOST_USER_SET_PROTOCOL_FEATURES = 16,
    VHOST_USER_GET_QUEUE_NUM = 17,
    VHOST_USER_SET_VRING_ENABLE = 18,
    VHOST_USER_SEND_RARP = 19,
    VHOST_USER_NET_SET_MTU = 20,
};

/* Virtio feature bit that announces the protocol-feature requests. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30

/* Protocol features. */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_LOG_SHMFD 1
#define VHOST_USER_PROTOCOL_F_RARP 2
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_NET_MTU 4
#define VHOST_USER_PROTOCOL_F_CONFIG 9

/* Header flags. */
#define VHOST_USER_VERSION 0x1
#define VHOST_USER_VERSION_MASK 0x3
#define VHOST_USER_REPLY_MASK (1u << 2)
#define VHOST_USER_NEED_REPLY_MASK (1u << 3)
/* SET_VRING_KICK/CALL/ERR payload: ring index in bits 0-7, this = no fd. */
#define VHOST_USER_VRING_IDX_MASK 0xff
#define VHOST_USER_VRING_NOFD_MASK (1u << 8)

#define VHOST_USER_HDR_SIZE 12
#define VHOST_USER_MAX_RAM_SLOTS 8
/* Queue pairs a netdev may have (QEMU's bound). */
#define VHOST_USER_MAX_QUEUES 1024
/* How long a reply may take before the back-end is declared broken. */
#define VHOST_USER_REPLY_TIMEOUT_MS 5000

typedef struct VhostUserMemRegion {
    uint64_t guest_phys_addr;
    uint64_t memory_size;
    uint64_t userspace_addr;
    uint64_t mmap_offset;
} VhostUserMemRegion;

/* Addresses are in the front-end's virtual address space. */
typedef struct VhostUserVringAddr {
    uint32_t index;
    uint32_t flags;
    uint64_t desc_user_addr;
    uint64_t used_user_addr;
    uint64_t avail_user_addr;
    uint64_t log_guest_addr;
} VhostUserVringAddr;

/* One connection to a back-end, shared by every queue pair of a netdev. */
typedef struct VhostUserConn {
    Chardev *chr;
    const char *name;           /* for messages: the netdev id */
    int timeout_ms;
    bool ready;                 /* handshake done on this connection */
    bool broken;                /* out of sync: wait for a reconnect */
    uint64_t features;          /* GET_FEATURES */
    uint64_t protocol_features; /* negotiated */
    unsigned max_queues;        /* GET_QUEUE_NUM, 1 without F_MQ */
} VhostUserConn;

void vhost_user_conn_init(VhostUserConn *c, Chardev *chr, const char *name);
/* A new connection: forget what the last peer told us. */
void vhost_user_conn_reset(VhostUserConn *c);
bool vhost_user_has_protocol(const VhostUserConn *c, unsigned bit);

/*
 * GET_FEATURES, then with F_PROTOCOL_FEATURES: GET_PROTOCOL_FEATURES,
 * SET_PROTOCOL_FEATURES (what we support of it), GET_QUEUE_NUM when F_MQ;
 * then SET_OWNER.  Sets c->ready.
 */
bool vhost_user_handshake(VhostUserConn *c, Error **errp);
bool vhost_user_set_features(VhostUserConn *c, uint64_t features,
                             Error **errp);
bool vhost_user_set_mem_table(VhostUserConn *c, const VhostUserMemRegion *r,
                              const int *fds, unsigned n, Error **errp);
bool vhost_user_set_vring_num(VhostUserConn *c, unsigned idx, unsigned num,
                              Error **errp);
bool vhost_user_set_vring_base(VhostUserConn *c, unsigned idx, unsigned base,
                               Error **errp);
bool vhost_user_set_vring_addr(VhostUserConn *c, const VhostUserVringAddr *a,
                               Error **errp);
/* @req: SET_VRING_KICK, SET_VRING_CALL or SET_VRING_ERR; @fd -1: none. */
bool vhost_user_set_vring_fd(VhostUserConn *c, unsigned req, unsigned idx,
                             int fd, Error **errp);
bool vhost_user_get_vring_base(VhostUserConn *c, unsigned idx,
                               uint16_t *base, Error **errp);
bool vhost_user_set_vring_enable(VhostUserConn *c, unsigned idx, bool enable,
                                 Error **errp);
/* Only when F_RARP was negotiated; true (nothing sent) otherwise. */
bool vhost_user_send_rarp(VhostUserConn *c, const uint8_t mac[6],
                          Error **errp);

#endif
