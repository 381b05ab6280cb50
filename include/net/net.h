/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The net core: net clients (one queue of one endpoint), NICs made of one
 * client per queue, peering, packet delivery through NetQueues, lookup,
 * link state, and the glue for the command line, QMP and HMP.
 *
 * Names and semantics follow QEMU's include/net/net.h so device code reads
 * the same.  A NIC's queue i is peered with its backend's queue i; every
 * queue of a netdev shares the netdev id as its name.
 */
#ifndef NET_NET_H
#define NET_NET_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <glib.h>
#include <jansson.h>
#include "hw/core/qdev.h" /* MACAddr */
#include "net/queue.h"
#include "qapi/qapi-types.h"
#include "util/error.h"

#define MAX_QUEUE_NUM 1024
/* Largest packet the core carries (a 64 KiB GSO frame plus headroom). */
#define NET_BUFSIZE (4096 + 65536)

/* Offloads a guest can take (TUNSETOFFLOAD on a tap). */
typedef struct NetOffloads {
    bool csum;
    bool tso4;
    bool tso6;
    bool ecn;
    bool ufo;
    bool uso4;
    bool uso6;
} NetOffloads;

typedef void NetClientDestructor(NetClientState *nc);

typedef struct NetClientInfo {
    NetClientDriver type;
    size_t size; /* allocation size; the client struct starts with
                    NetClientState */
    /* Return the length consumed, 0 to be called again later, <0 to drop. */
    ssize_t (*receive)(NetClientState *nc, const uint8_t *buf, size_t size);
    ssize_t (*receive_iov)(NetClientState *nc, const struct iovec *iov,
                           int iovcnt);
    bool (*can_receive)(NetClientState *nc);
    void (*cleanup)(NetClientState *nc);
    void (*link_status_changed)(NetClientState *nc);
    /* NICs: fill a new RxFilterInfo (name is filled by the core). */
    RxFilterInfo *(*query_rx_filter)(NetClientState *nc);
    /* Start/stop reading the backend's source. */
    void (*poll)(NetClientState *nc, bool enable);
    bool (*has_ufo)(NetClientState *nc);
    bool (*has_uso)(NetClientState *nc);
    bool (*has_vnet_hdr)(NetClientState *nc);
    bool (*has_vnet_hdr_len)(NetClientState *nc, int len);
    void (*set_vnet_hdr_len)(NetClientState *nc, int len);
    void (*set_offload)(NetClientState *nc, const NetOffloads *ol);
    int (*set_vnet_le)(NetClientState *nc, bool is_le);
    int (*set_vnet_be)(NetClientState *nc, bool is_be);
    /* Attach / detach one queue of a multiqueue backend (tap TUNSETQUEUE). */
    bool (*queue_enable)(NetClientState *nc, Error **errp);
    bool (*queue_disable)(NetClientState *nc, Error **errp);
    /* NICs: announce-self round (virtio-net: ask the guest to announce). */
    void (*announce)(NetClientState *nc);
} NetClientInfo;

struct NetClientState {
    NetClientInfo *info;
    int link_down;
    NetClientState *peer;
    NetQueue *incoming_queue;
    char *model;
    char *name;
    char info_str[256];
    unsigned receive_disabled : 1;
    unsigned rxfilter_notify_enabled : 1;
    NetClientDestructor *destructor;
    unsigned int queue_index;
    int vring_enable;
    int vnet_hdr_len;
    bool is_netdev;
    bool do_not_pad;
    bool is_datapath;
};

typedef struct NICPeers {
    NetClientState *ncs[MAX_QUEUE_NUM];
    int32_t queues;
} NICPeers;

typedef struct NICConf {
    MACAddr macaddr;
    NICPeers peers;
    int32_t bootindex;
} NICConf;

typedef struct NICState {
    NetClientState *ncs; /* one per queue, allocated with the NICState */
    NICConf *conf;
    void *opaque;
    bool peer_deleted;
} NICState;

/* ---- clients ---- */
NetClientState *qemu_new_net_client(NetClientInfo *info, NetClientState *peer,
                                    const char *model, const char *name);
/* A backend client that belongs to a -netdev/netdev_add (is_netdev). */
NetClientState *qemu_new_net_queue_client(NetClientInfo *info,
                                          NetClientState *peer,
                                          const char *model, const char *name,
                                          bool is_netdev);
/* Deletes every queue named like @nc (see the NIC rules in net.c). */
void qemu_del_net_client(NetClientState *nc);

/*
 * @info->size must be >= sizeof(NICState); queues = max(1, peers.queues).
 * @name: the device id (NULL: generated "<model>.<n>" per queue).
 */
NICState *qemu_new_nic(NetClientInfo *info, NICConf *conf, const char *model,
                       const char *name, void *opaque);
void qemu_del_nic(NICState *nic);
NetClientState *qemu_get_subqueue(NICState *nic, int queue_index);
NetClientState *qemu_get_queue(NICState *nic);
NICState *qemu_get_nic(NetClientState *nc);
void *qemu_get_nic_opaque(NetClientState *nc);
NetClientState *qemu_get_peer(NetClientState *nc, int queue_index);

/* ---- packets ---- */
bool qemu_can_receive_packet(NetClientState *nc);
bool qemu_can_send_packet(NetClientState *sender);
ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, int size);
ssize_t qemu_send_packet_raw(NetClientState *nc, const uint8_t *buf, int size);
/* Returns the size, or 0 when queued (then @sent_cb runs later). */
ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb);
ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov,
                          int iovcnt);
ssize_t qemu_sendv_packet_async(NetClientState *sender, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb);
/* Clear receive_disabled and deliver what waits for @nc. */
void qemu_flush_queued_packets(NetClientState *nc);
void qemu_flush_or_purge_queued_packets(NetClientState *nc, bool purge);
/* Drop packets sent by @nc that wait in its peer's queue. */
void qemu_purge_queued_packets(NetClientState *nc);

/* ---- backend capabilities (called on the backend, i.e. nc->peer) ---- */
bool qemu_has_ufo(NetClientState *nc);
bool qemu_has_uso(NetClientState *nc);
bool qemu_has_vnet_hdr(NetClientState *nc);
bool qemu_has_vnet_hdr_len(NetClientState *nc, int len);
void qemu_set_vnet_hdr_len(NetClientState *nc, int len);
void qemu_set_offload(NetClientState *nc, const NetOffloads *ol);
int qemu_set_vnet_le(NetClientState *nc, bool is_le);
int qemu_set_vnet_be(NetClientState *nc, bool is_be);
/* Attach/detach one backend queue; true when it has no such notion. */
bool qemu_net_queue_enable(NetClientState *nc, Error **errp);
bool qemu_net_queue_disable(NetClientState *nc, Error **errp);

/* ---- naming, MACs, lookup ---- */
void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6]);
/* Assign 52:54:00:12:34:56 onward when @macaddr is all zero. */
void qemu_macaddr_default_if_unset(MACAddr *macaddr);
/* First non-NIC client named @id. */
NetClientState *qemu_find_netdev(const char *id);
/* Clients named @id (all when NULL) whose type is not @type; returns the
 * total count, writing at most @max into @ncs. */
int qemu_find_net_clients_except(const char *id, NetClientState **ncs,
                                 NetClientDriver type, int max);
/*
 * The `netdev=` device property: collect every backend queue named @id
 * into @peers (queue_index set), with QEMU's errors naming "@typename.netdev".
 */
bool net_peers_from_id(const char *typename, const char *id, NICPeers *peers,
                       Error **errp);
/*
 * A NIC's receive filter changed: emit NIC_RX_FILTER_CHANGED {name?, path}
 * when its notification flag (on queue 0) is set, then clear the flag;
 * query-rx-filter sets it again.  @dev_id may be NULL.
 */
void net_rx_filter_changed(NetClientState *nic_nc, const char *dev_id,
                           const char *path);
/* Set a client's link the way QMP set_link does. */
bool net_client_set_link(const char *name, bool up, Error **errp);

/* ---- configuration ---- */
/* -netdev (keyval or JSON form) and netdev_add. */
bool net_client_netdev_add(json_t *opts, bool json_form, Error **errp);
bool net_netdev_add(const Netdev *netdev, Error **errp);
bool net_netdev_del(const char *id, Error **errp);
/* -nic TYPE[,model=...,mac=...]: the backend, then the device. */
bool net_client_nic_add(json_t *opts, Error **errp);
/* -net nic|TYPE,...: legacy hub networking (hub 0). */
bool net_client_net_add(json_t *opts, Error **errp);
/* Backend type names implemented here, for -netdev help (NULL-terminated). */
const char *const *net_backend_names(void);
/* Startup warnings about clients without peers (QEMU's net_check_clients). */
void net_check_clients(void);
/* Delete every client (at exit). */
void net_cleanup(void);
/* HMP "info network". */
void hmp_info_network(GString *out);

#endif
