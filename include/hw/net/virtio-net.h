/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net, independent of its transport.  A transport device
 * (virtio-net-pci, virtio-net-device) embeds a VirtIONet, lists
 * VIRTIO_NET_PROPERTIES in its property table and calls
 * virtio_net_realize/unrealize.
 */
#ifndef HW_NET_VIRTIO_NET_H
#define HW_NET_VIRTIO_NET_H

#include "hw/core/qdev.h"
#include "hw/virtio/virtio.h"
#include "net/net.h"
#include "util/timer.h"

#define VIRTIO_ID_NET 1

/* Feature bits (virtio spec 5.1.3). */
#define VIRTIO_NET_F_CSUM 0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_CTRL_GUEST_OFFLOADS 2
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_GSO 6
#define VIRTIO_NET_F_GUEST_TSO4 7
#define VIRTIO_NET_F_GUEST_TSO6 8
#define VIRTIO_NET_F_GUEST_ECN 9
#define VIRTIO_NET_F_GUEST_UFO 10
#define VIRTIO_NET_F_HOST_TSO4 11
#define VIRTIO_NET_F_HOST_TSO6 12
#define VIRTIO_NET_F_HOST_ECN 13
#define VIRTIO_NET_F_HOST_UFO 14
#define VIRTIO_NET_F_MRG_RXBUF 15
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_F_CTRL_VQ 17
#define VIRTIO_NET_F_CTRL_RX 18
#define VIRTIO_NET_F_CTRL_VLAN 19
#define VIRTIO_NET_F_CTRL_RX_EXTRA 20
#define VIRTIO_NET_F_GUEST_ANNOUNCE 21
#define VIRTIO_NET_F_MQ 22
#define VIRTIO_NET_F_CTRL_MAC_ADDR 23
#define VIRTIO_NET_F_GUEST_USO4 54
#define VIRTIO_NET_F_GUEST_USO6 55
#define VIRTIO_NET_F_HOST_USO 56
#define VIRTIO_NET_F_HASH_REPORT 57
#define VIRTIO_NET_F_RSS 60
#define VIRTIO_NET_F_RSC_EXT 61
#define VIRTIO_NET_F_STANDBY 62
#define VIRTIO_NET_F_SPEED_DUPLEX 63

#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_S_ANNOUNCE 2

#define VIRTIO_NET_TX_TIMER_NS 150000
#define VIRTIO_NET_TX_BURST 256
#define VIRTIO_NET_MAC_TABLE_ENTRIES 64
#define VIRTIO_NET_MAX_VLAN 4096
#define VIRTIO_NET_RX_QUEUE_DEFAULT 256
#define VIRTIO_NET_TX_QUEUE_DEFAULT 256
#define VIRTIO_NET_CTRL_QUEUE_SIZE 64
#define VIRTIO_NET_VQ_PAIRS_MAX 0x8000

/* Control queue classes and commands. */
#define VIRTIO_NET_OK 0
#define VIRTIO_NET_ERR 1
#define VIRTIO_NET_CTRL_RX 0
#define VIRTIO_NET_CTRL_MAC 1
#define VIRTIO_NET_CTRL_MAC_TABLE_SET 0
#define VIRTIO_NET_CTRL_MAC_ADDR_SET 1
#define VIRTIO_NET_CTRL_VLAN 2
#define VIRTIO_NET_CTRL_VLAN_ADD 0
#define VIRTIO_NET_CTRL_VLAN_DEL 1
#define VIRTIO_NET_CTRL_ANNOUNCE 3
#define VIRTIO_NET_CTRL_ANNOUNCE_ACK 0
#define VIRTIO_NET_CTRL_MQ 4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET 0
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS 5
#define VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET 0

typedef struct VirtIONet VirtIONet;

typedef struct VirtIONetQueue {
    VirtIONet *n;
    unsigned index;
    VirtQueue *rx_vq;
    VirtQueue *tx_vq;
    QEMUTimer *tx_timer;
    guint tx_bh;
    bool tx_waiting;
    VirtQueueElement *tx_elem;  /* reused for every frame sent */
    VirtQueueElement *async_tx; /* tx_elem while in flight at the backend */
} VirtIONetQueue;

/* Everything -device can set. */
typedef struct VirtIONetConf {
    uint64_t host_features;
    MACAddr mac;
    char *netdev;
    char *tx;
    uint32_t txtimer;
    int32_t txburst;
    uint16_t rx_queue_size;
    uint16_t tx_queue_size;
    uint16_t mtu;
    bool mtu_bypass_backend;
    int32_t speed;
    char *duplex;
    bool failover;
} VirtIONetConf;

struct VirtIONet {
    VirtIODevice vdev;
    VirtIONetConf conf;
    DeviceState *dev;      /* the transport device (id, path) */
    const char *type_name; /* for property error messages */
    NICState *nic;
    NICConf nic_conf;
    uint8_t mac[6];
    uint16_t status;
    uint8_t duplex;
    VirtIONetQueue *vqs;
    VirtQueue *ctrl_vq;
    int max_queue_pairs;
    int curr_queue_pairs;
    bool multiqueue;
    bool mergeable_rx_bufs;
    size_t guest_hdr_len;
    size_t host_hdr_len;
    bool has_vnet_hdr;
    uint8_t promisc;
    uint8_t allmulti;
    uint8_t alluni;
    uint8_t nomulti;
    uint8_t nouni;
    uint8_t nobcast;
    struct {
        uint32_t in_use;
        uint32_t first_multi;
        uint8_t multi_overflow;
        uint8_t uni_overflow;
        uint8_t macs[VIRTIO_NET_MAC_TABLE_ENTRIES * 6];
    } mac_table;
    uint32_t vlans[VIRTIO_NET_MAX_VLAN / 32];
    uint64_t curr_guest_offloads;
    uint64_t saved_features;
    bool tx_timer_mode;
    VirtQueueElement *scratch; /* rx/ctrl element buffer */
    /* The data-path rings are handed to the vhost back-end (the ctrl vq
     * always stays here). */
    bool vhost_started;

    /* Migration (hw/net/virtio-net-migration.c). */
    bool loading;                  /* between pre_load and post_load */
    uint64_t saved_guest_offloads; /* curr_guest_offloads on the wire */
    QEMUTimer *announce_timer;     /* GUEST_ANNOUNCE after migration */
    int64_t announce_round;        /* rounds still to signal */
    int64_t announce_rounds, announce_initial, announce_max, announce_step;
};

/* Property entries for a transport struct @S holding a VirtIONet at @f. */
#define VIRTIO_NET_FEATURE(name, S, f, bit, def)                            \
    DEFINE_PROP_BIT64(name, S, f.conf.host_features, bit, def)
#define VIRTIO_NET_PROPERTIES(S, f)                                         \
    VIRTIO_NET_FEATURE("csum", S, f, VIRTIO_NET_F_CSUM, true),              \
    VIRTIO_NET_FEATURE("guest_csum", S, f, VIRTIO_NET_F_GUEST_CSUM, true),  \
    VIRTIO_NET_FEATURE("gso", S, f, VIRTIO_NET_F_GSO, true),                \
    VIRTIO_NET_FEATURE("guest_tso4", S, f, VIRTIO_NET_F_GUEST_TSO4, true),  \
    VIRTIO_NET_FEATURE("guest_tso6", S, f, VIRTIO_NET_F_GUEST_TSO6, true),  \
    VIRTIO_NET_FEATURE("guest_ecn", S, f, VIRTIO_NET_F_GUEST_ECN, true),    \
    VIRTIO_NET_FEATURE("guest_ufo", S, f, VIRTIO_NET_F_GUEST_UFO, true),    \
    VIRTIO_NET_FEATURE("guest_announce", S, f,                              \
                       VIRTIO_NET_F_GUEST_ANNOUNCE, true),                  \
    VIRTIO_NET_FEATURE("host_tso4", S, f, VIRTIO_NET_F_HOST_TSO4, true),    \
    VIRTIO_NET_FEATURE("host_tso6", S, f, VIRTIO_NET_F_HOST_TSO6, true),    \
    VIRTIO_NET_FEATURE("host_ecn", S, f, VIRTIO_NET_F_HOST_ECN, true),      \
    VIRTIO_NET_FEATURE("host_ufo", S, f, VIRTIO_NET_F_HOST_UFO, true),      \
    VIRTIO_NET_FEATURE("mrg_rxbuf", S, f, VIRTIO_NET_F_MRG_RXBUF, true),    \
    VIRTIO_NET_FEATURE("status", S, f, VIRTIO_NET_F_STATUS, true),          \
    VIRTIO_NET_FEATURE("ctrl_vq", S, f, VIRTIO_NET_F_CTRL_VQ, true),        \
    VIRTIO_NET_FEATURE("ctrl_rx", S, f, VIRTIO_NET_F_CTRL_RX, true),        \
    VIRTIO_NET_FEATURE("ctrl_vlan", S, f, VIRTIO_NET_F_CTRL_VLAN, true),    \
    VIRTIO_NET_FEATURE("ctrl_rx_extra", S, f, VIRTIO_NET_F_CTRL_RX_EXTRA,   \
                       true),                                               \
    VIRTIO_NET_FEATURE("ctrl_mac_addr", S, f, VIRTIO_NET_F_CTRL_MAC_ADDR,   \
                       true),                                               \
    VIRTIO_NET_FEATURE("ctrl_guest_offloads", S, f,                         \
                       VIRTIO_NET_F_CTRL_GUEST_OFFLOADS, true),             \
    VIRTIO_NET_FEATURE("mq", S, f, VIRTIO_NET_F_MQ, false),                 \
    VIRTIO_NET_FEATURE("guest_uso4", S, f, VIRTIO_NET_F_GUEST_USO4, true),  \
    VIRTIO_NET_FEATURE("guest_uso6", S, f, VIRTIO_NET_F_GUEST_USO6, true),  \
    VIRTIO_NET_FEATURE("host_uso", S, f, VIRTIO_NET_F_HOST_USO, true),      \
    DEFINE_PROP_BIT64("indirect_desc", S, f.conf.host_features,             \
                      VIRTIO_RING_F_INDIRECT_DESC, true),                   \
    DEFINE_PROP_BIT64("event_idx", S, f.conf.host_features,                 \
                      VIRTIO_RING_F_EVENT_IDX, true),                       \
    DEFINE_PROP_BIT64("notify_on_empty", S, f.conf.host_features,           \
                      VIRTIO_F_NOTIFY_ON_EMPTY, true),                      \
    DEFINE_PROP_BIT64("any_layout", S, f.conf.host_features,                \
                      VIRTIO_F_ANY_LAYOUT, true),                           \
    DEFINE_PROP_BIT64("iommu_platform", S, f.conf.host_features,            \
                      VIRTIO_F_IOMMU_PLATFORM, false),                      \
    DEFINE_PROP_BIT64("packed", S, f.conf.host_features,                    \
                      VIRTIO_F_RING_PACKED, false),                         \
    DEFINE_PROP_BIT64("queue_reset", S, f.conf.host_features,               \
                      VIRTIO_F_RING_RESET, false),                          \
    DEFINE_PROP_MACADDR("mac", S, f.conf.mac),                              \
    DEFINE_PROP_NETDEV("netdev", S, f.conf.netdev),                         \
    DEFINE_PROP_UINT32("x-txtimer", S, f.conf.txtimer,                      \
                       VIRTIO_NET_TX_TIMER_NS),                             \
    DEFINE_PROP_INT32("x-txburst", S, f.conf.txburst, VIRTIO_NET_TX_BURST), \
    DEFINE_PROP_STRING("tx", S, f.conf.tx),                                 \
    DEFINE_PROP_UINT16("rx_queue_size", S, f.conf.rx_queue_size,            \
                       VIRTIO_NET_RX_QUEUE_DEFAULT),                        \
    DEFINE_PROP_UINT16("tx_queue_size", S, f.conf.tx_queue_size,            \
                       VIRTIO_NET_TX_QUEUE_DEFAULT),                        \
    DEFINE_PROP_UINT16("host_mtu", S, f.conf.mtu, 0),                       \
    DEFINE_PROP_BOOL("x-mtu-bypass-backend", S, f.conf.mtu_bypass_backend,  \
                     true),                                                 \
    DEFINE_PROP_INT32("speed", S, f.conf.speed, -1),                        \
    DEFINE_PROP_STRING("duplex", S, f.conf.duplex),                         \
    DEFINE_PROP_BOOL("failover", S, f.conf.failover, false)

bool virtio_net_realize(VirtIONet *n, DeviceState *dev, const char *type_name,
                        const char *model, Error **errp);
void virtio_net_unrealize(VirtIONet *n);
/*
 * Register the device's migration section "<@path>/virtio-net", instance 0,
 * description "virtio-net" v11 (QEMU's layout), owned by @n->dev.
 */
bool virtio_net_register_migration(VirtIONet *n, const char *path,
                                   Error **errp);
void virtio_net_unregister_migration(VirtIONet *n);

/* The number of vectors virtio-net-pci defaults to: 2 * queues + 2. */
int virtio_net_default_vectors(VirtIONet *n);

#endif
