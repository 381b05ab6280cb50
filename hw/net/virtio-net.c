/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net device model: features, config space, virtqueue layout,
 * control queue, receive filter, RX/TX data path and link status.
 * Behaviour follows QEMU's device as described in the project's facts file.
 */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net.h"
#include "hw/net/virtio-net-internal.h"
#include "hw/virtio/vhost-net.h"
#include "qapi/qapi-events.h"
#include "system/runstate.h"
#include "util/bswap.h"

/* Config size by feature (virtio_net_config fields in order). */
static size_t config_size(uint64_t host)
{
    size_t size = 6;

    if (host & (1ULL << VIRTIO_NET_F_STATUS)) {
        size = 8;
    }
    if (host & (1ULL << VIRTIO_NET_F_MQ)) {
        size = 10;
    }
    if (host & (1ULL << VIRTIO_NET_F_MTU)) {
        size = 12;
    }
    if (host & (1ULL << VIRTIO_NET_F_SPEED_DUPLEX)) {
        size = 17;
    }
    if (host & ((1ULL << VIRTIO_NET_F_RSS) | (1ULL << VIRTIO_NET_F_HASH_REPORT))) {
        size = 24;
    }
    return size;
}

static void vnet_get_config(VirtIODevice *vdev, uint8_t *cfg)
{
    VirtIONet *n = vdev->opaque;
    uint8_t full[24] = { 0 };

    memcpy(full, n->mac, 6);
    stw_le(full + 6, n->status);
    stw_le(full + 8, n->max_queue_pairs);
    stw_le(full + 10, n->conf.mtu);
    stl_le(full + 12, n->conf.speed);
    full[16] = n->duplex;
    full[17] = 40;
    stw_le(full + 18, 1);
    memcpy(cfg, full, vdev->config_len);
}

static void vnet_set_config(VirtIODevice *vdev, const uint8_t *cfg)
{
    VirtIONet *n = vdev->opaque;

    /* Only legacy drivers without CTRL_MAC_ADDR may write the MAC. */
    if (!virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_MAC_ADDR) &&
        !virtio_vdev_has_feature(vdev, VIRTIO_F_VERSION_1) &&
        memcmp(cfg, n->mac, 6)) {
        memcpy(n->mac, cfg, 6);
        qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    }
}

static NetClientState *peer0(VirtIONet *n)
{
    return qemu_get_queue(n->nic)->peer;
}

static uint64_t vnet_get_features(VirtIODevice *vdev, uint64_t host)
{
    VirtIONet *n = vdev->opaque;
    uint64_t f = host | 1ULL << VIRTIO_NET_F_MAC;
    static const int need_vnet_hdr[] = {
        VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4, VIRTIO_NET_F_HOST_TSO6,
        VIRTIO_NET_F_HOST_ECN, VIRTIO_NET_F_GUEST_CSUM,
        VIRTIO_NET_F_GUEST_TSO4, VIRTIO_NET_F_GUEST_TSO6,
        VIRTIO_NET_F_GUEST_ECN, VIRTIO_NET_F_GUEST_USO4,
        VIRTIO_NET_F_GUEST_USO6, VIRTIO_NET_F_HOST_USO,
        VIRTIO_NET_F_HASH_REPORT,
    };

    if (!n->has_vnet_hdr) {
        for (size_t i = 0; i < G_N_ELEMENTS(need_vnet_hdr); i++) {
            f &= ~(1ULL << need_vnet_hdr[i]);
        }
    }
    if (!n->has_vnet_hdr || !peer0(n) || !qemu_has_ufo(peer0(n))) {
        f &= ~(1ULL << VIRTIO_NET_F_GUEST_UFO | 1ULL << VIRTIO_NET_F_HOST_UFO);
    }
    if (!n->has_vnet_hdr || !peer0(n) || !qemu_has_uso(peer0(n))) {
        f &= ~(1ULL << VIRTIO_NET_F_GUEST_USO4 |
               1ULL << VIRTIO_NET_F_GUEST_USO6 | 1ULL << VIRTIO_NET_F_HOST_USO);
    }
    if (!(f & (1ULL << VIRTIO_NET_F_CTRL_VQ))) {
        f &= ~(1ULL << VIRTIO_NET_F_GUEST_ANNOUNCE);
    }
    if (peer0(n) && vhost_net_is_vhost(peer0(n))) {
        /* Ring and offload features are what the back-end can do. */
        f = vhost_net_get_features(peer0(n), f);
    }
    return f;
}

/* Guest offloads a feature set asks the backend for. */
uint64_t virtio_net_offloads_from_features(uint64_t f)
{
    uint64_t mask = 1ULL << VIRTIO_NET_F_GUEST_CSUM |
                    1ULL << VIRTIO_NET_F_GUEST_TSO4 |
                    1ULL << VIRTIO_NET_F_GUEST_TSO6 |
                    1ULL << VIRTIO_NET_F_GUEST_ECN |
                    1ULL << VIRTIO_NET_F_GUEST_UFO |
                    1ULL << VIRTIO_NET_F_GUEST_USO4 |
                    1ULL << VIRTIO_NET_F_GUEST_USO6;
    return f & mask;
}

void virtio_net_apply_offloads(VirtIONet *n)
{
    uint64_t o = n->curr_guest_offloads;
    NetOffloads ol = {
        .csum = o & (1ULL << VIRTIO_NET_F_GUEST_CSUM),
        .tso4 = o & (1ULL << VIRTIO_NET_F_GUEST_TSO4),
        .tso6 = o & (1ULL << VIRTIO_NET_F_GUEST_TSO6),
        .ecn = o & (1ULL << VIRTIO_NET_F_GUEST_ECN),
        .ufo = o & (1ULL << VIRTIO_NET_F_GUEST_UFO),
        .uso4 = o & (1ULL << VIRTIO_NET_F_GUEST_USO4),
        .uso6 = o & (1ULL << VIRTIO_NET_F_GUEST_USO6),
    };

    if (n->has_vnet_hdr && peer0(n)) {
        qemu_set_offload(peer0(n), &ol); /* queue 0's peer only, as QEMU */
    }
}

void virtio_net_set_hdr_len(VirtIONet *n, uint64_t f)
{
    n->mergeable_rx_bufs = f & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
    if (f & (1ULL << VIRTIO_F_VERSION_1) || n->mergeable_rx_bufs) {
        n->guest_hdr_len = 12;
    } else {
        n->guest_hdr_len = 10;
    }
    n->host_hdr_len = 0;
    for (int i = 0; i < n->max_queue_pairs; i++) {
        NetClientState *peer = qemu_get_peer(qemu_get_queue(n->nic), i);
        if (n->has_vnet_hdr && peer &&
            qemu_has_vnet_hdr_len(peer, n->guest_hdr_len)) {
            qemu_set_vnet_hdr_len(peer, n->guest_hdr_len);
            n->host_hdr_len = n->guest_hdr_len;
        }
    }
}

static void vnet_set_features(VirtIODevice *vdev, uint64_t f)
{
    VirtIONet *n = vdev->opaque;
    bool mq = (f >> VIRTIO_NET_F_MQ) & 1;
    bool vlan_was = n->saved_features & (1ULL << VIRTIO_NET_F_CTRL_VLAN);
    bool vlan_now = f & (1ULL << VIRTIO_NET_F_CTRL_VLAN);

    virtio_net_set_multiqueue(n, mq);
    virtio_net_set_hdr_len(n, f);
    n->curr_guest_offloads = virtio_net_offloads_from_features(f);
    virtio_net_apply_offloads(n);
    /* CTRL_VLAN off lets every VLAN through; on blocks until VLAN_ADD.
     * An incoming migration brings the guest's table itself. */
    if (!n->loading && (vlan_was != vlan_now || f == 0)) {
        memset(n->vlans, vlan_now ? 0 : 0xff, sizeof(n->vlans));
    }
    n->saved_features = f;
}

/* ---- vhost ---- */

static int vnet_vhost_pairs(VirtIONet *n)
{
    /* All pairs run, as in QEMU; those above curr are only disabled. */
    return n->multiqueue ? n->max_queue_pairs : 1;
}

static bool vnet_vhost_wanted(VirtIONet *n)
{
    NetClientState *p = peer0(n);

    return p && vhost_net_is_vhost(p) && !n->nic->peer_deleted &&
           (n->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK) &&
           (n->status & VIRTIO_NET_S_LINK_UP) && runstate_is_running() &&
           !p->link_down && !n->vdev.broken && vhost_net_ready(p);
}

static void vnet_vhost_stop(VirtIONet *n)
{
    for (int i = 0; i < n->max_queue_pairs; i++) {
        NetClientState *peer = qemu_get_peer(qemu_get_queue(n->nic), i);
        if (peer) {
            vhost_net_stop_queue(peer);
        }
    }
    n->vhost_started = false;
}

static void vnet_vhost_start(VirtIONet *n)
{
    Error *err = NULL;

    for (int i = 0; i < vnet_vhost_pairs(n); i++) {
        NetClientState *nc = qemu_get_subqueue(n->nic, i);

        /* Frames queued for the userspace path are stale now. */
        qemu_purge_queued_packets(nc);
        if (!nc->peer ||
            !vhost_net_start_queue(nc->peer, &n->vdev, n->vdev.guest_features,
                                   i < n->curr_queue_pairs, &err)) {
            if (!err) {
                error_setg(&err, "queue %d has no vhost back-end", i);
            }
            error_report("unable to start vhost net: %s: falling back on "
                         "userspace virtio", error_get_pretty(err));
            error_free(err);
            vnet_vhost_stop(n);
            return;
        }
    }
    n->vhost_started = true;
}

void virtio_net_vhost_update(VirtIONet *n)
{
    bool want = vnet_vhost_wanted(n);

    if (want && !n->vhost_started) {
        vnet_vhost_start(n);
    } else if (!want && n->vhost_started) {
        vnet_vhost_stop(n);
    }
}

static void vnet_reset(VirtIODevice *vdev)
{
    VirtIONet *n = vdev->opaque;

    /* Take the rings back while their addresses are still valid. */
    if (n->vhost_started) {
        vnet_vhost_stop(n);
    }

    n->loading = false;
    n->promisc = 1;
    n->allmulti = n->alluni = n->nomulti = n->nouni = n->nobcast = 0;
    n->curr_queue_pairs = 1;
    n->status &= ~VIRTIO_NET_S_ANNOUNCE;
    memset(&n->mac_table, 0, sizeof(n->mac_table));
    memcpy(n->mac, n->nic_conf.macaddr.a, 6);
    qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    virtio_net_tx_purge_all(n);
}

static void vnet_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIONet *n = vdev->opaque;
    uint8_t old = vdev->status;

    vdev->status = status;
    virtio_net_vhost_update(n);
    virtio_net_update_started(n);
    vdev->status = old; /* the core stores the final value */
}

static const VirtioDeviceOps vnet_ops = {
    .get_features = vnet_get_features,
    .set_features = vnet_set_features,
    .get_config = vnet_get_config,
    .set_config = vnet_set_config,
    .set_status = vnet_set_status,
    .reset = vnet_reset,
    .vmsd = &vmstate_virtio_net_device,
    .pre_load_queues = virtio_net_pre_load_queues,
    .post_load = virtio_net_post_load,
};

/* ---- virtqueue layout ---- */

static void add_pair(VirtIONet *n, int i)
{
    VirtIONetQueue *q = &n->vqs[i];

    q->n = n;
    q->index = i;
    q->rx_vq = virtio_add_queue(&n->vdev, n->conf.rx_queue_size,
                                virtio_net_handle_rx);
    q->tx_vq = virtio_add_queue(&n->vdev, n->conf.tx_queue_size,
                                virtio_net_handle_tx);
}

static void del_pair(VirtIONet *n, int i)
{
    VirtIONetQueue *q = &n->vqs[i];

    virtio_net_tx_stop(q);
    virtio_del_queue(&n->vdev, 2 * i + 1);
    virtio_del_queue(&n->vdev, 2 * i);
    q->rx_vq = q->tx_vq = NULL;
}

/* Rebuild to @pairs queue pairs with the ctrl vq last. */
static void change_num_queue_pairs(VirtIONet *n, int pairs)
{
    int old = (virtio_get_num_queues(&n->vdev) - 1) / 2;

    if (old == pairs) {
        return;
    }
    virtio_del_queue(&n->vdev, 2 * old);
    for (int i = old - 1; i >= pairs; i--) {
        del_pair(n, i);
    }
    for (int i = old; i < pairs; i++) {
        add_pair(n, i);
    }
    n->ctrl_vq = virtio_add_queue(&n->vdev, VIRTIO_NET_CTRL_QUEUE_SIZE,
                                  virtio_net_handle_ctrl);
    if (n->vdev.transport && n->vdev.transport->queues_changed) {
        n->vdev.transport->queues_changed(n->vdev.transport_opaque);
    }
}

void virtio_net_set_queue_pairs(VirtIONet *n)
{
    if (n->nic->peer_deleted || n->max_queue_pairs <= 1) {
        return;
    }
    for (int i = 0; i < n->max_queue_pairs; i++) {
        NetClientState *peer = qemu_get_peer(qemu_get_queue(n->nic), i);
        Error *err = NULL;
        if (!peer) {
            continue;
        }
        if (i < n->curr_queue_pairs) {
            qemu_net_queue_enable(peer, &err);
        } else {
            qemu_net_queue_disable(peer, &err);
        }
        if (err) {
            error_report_err(err);
        }
    }
}

void virtio_net_set_multiqueue(VirtIONet *n, bool multiqueue)
{
    n->multiqueue = multiqueue;
    change_num_queue_pairs(n, multiqueue ? n->max_queue_pairs : 1);
    virtio_net_set_queue_pairs(n);
}

/* ---- link status ---- */

static void vnet_link_status_changed(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    uint16_t old = n->status;

    if (nc->link_down) {
        n->status &= ~VIRTIO_NET_S_LINK_UP;
    } else {
        n->status |= VIRTIO_NET_S_LINK_UP;
    }
    if (n->status != old &&
        virtio_has_feature(n->vdev.host_features, VIRTIO_NET_F_STATUS)) {
        virtio_update_config(&n->vdev);
        virtio_notify_config(&n->vdev);
    }
    virtio_net_vhost_update(n);
    virtio_net_update_started(n);
}

/*
 * announce-self: a driver that took GUEST_ANNOUNCE (which needs the
 * control queue to ACK) is told to send its own gratuitous ARPs and
 * neighbour advertisements, for all its addresses and VLANs.
 */
static void vnet_announce(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);

    if (!virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_GUEST_ANNOUNCE) ||
        !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_VQ) ||
        virtio_net_announce_running(n)) {
        return; /* the post-migration sequence already asks the guest */
    }
    n->status |= VIRTIO_NET_S_ANNOUNCE;
    virtio_update_config(&n->vdev);
    virtio_notify_config(&n->vdev);
}

static NetClientInfo vnet_info = {
    .type = NET_CLIENT_DRIVER_NIC,
    .size = sizeof(NICState),
    .can_receive = virtio_net_can_receive,
    .receive_iov = virtio_net_receive_iov,
    .link_status_changed = vnet_link_status_changed,
    .query_rx_filter = virtio_net_query_rx_filter,
    .announce = vnet_announce,
};

/* ---- realize ---- */

static void vnet_vm_state(void *opaque, bool running, RunState state)
{
    virtio_net_vhost_update(opaque);
    virtio_net_update_started(opaque);
}

static bool check_conf(VirtIONet *n, Error **errp)
{
    VirtIONetConf *c = &n->conf;
    int pairs = n->max_queue_pairs;

    if (c->rx_queue_size < VIRTIO_NET_RX_QUEUE_DEFAULT ||
        c->rx_queue_size > VIRTQUEUE_MAX_SIZE ||
        (c->rx_queue_size & (c->rx_queue_size - 1))) {
        error_setg(errp, "Invalid rx_queue_size (= %u), must be a power of 2 "
                   "between %d and %d.", c->rx_queue_size,
                   VIRTIO_NET_RX_QUEUE_DEFAULT, VIRTQUEUE_MAX_SIZE);
        return false;
    }
    if (c->tx_queue_size < VIRTIO_NET_TX_QUEUE_DEFAULT ||
        c->tx_queue_size > VIRTIO_NET_TX_QUEUE_DEFAULT ||
        (c->tx_queue_size & (c->tx_queue_size - 1))) {
        error_setg(errp, "Invalid tx_queue_size (= %u), must be a power of 2 "
                   "between %d and %d", c->tx_queue_size,
                   VIRTIO_NET_TX_QUEUE_DEFAULT, VIRTIO_NET_TX_QUEUE_DEFAULT);
        return false;
    }
    if (2 * pairs + 1 > VIRTIO_QUEUE_MAX) {
        error_setg(errp, "Invalid number of queue pairs (= %d), must be a "
                   "positive integer less than %d.", pairs,
                   (VIRTIO_QUEUE_MAX - 1) / 2);
        return false;
    }
    if (c->speed < -1) {
        error_setg(errp, "'speed' must be between 0 and INT_MAX");
        return false;
    }
    if (c->duplex && strcmp(c->duplex, "half") && strcmp(c->duplex, "full")) {
        error_setg(errp, "'duplex' must be 'half' or 'full'");
        return false;
    }
    return true;
}

static void apply_conf_features(VirtIONet *n)
{
    VirtIONetConf *c = &n->conf;

    n->duplex = 0xff;
    if (c->duplex) {
        n->duplex = !strcmp(c->duplex, "full");
    }
    if (c->speed >= 0 || c->duplex) {
        c->host_features |= 1ULL << VIRTIO_NET_F_SPEED_DUPLEX;
    }
    if (c->mtu) {
        c->host_features |= 1ULL << VIRTIO_NET_F_MTU;
    }
    if (c->failover) {
        c->host_features |= 1ULL << VIRTIO_NET_F_STANDBY;
    }
    if (c->tx && strcmp(c->tx, "timer") && strcmp(c->tx, "bh")) {
        warn_report("virtio-net: Unknown option tx=%s, valid options: "
                    "\"timer\" \"bh\"", c->tx);
    }
    n->tx_timer_mode = c->tx && !strcmp(c->tx, "timer");
}

bool virtio_net_realize(VirtIONet *n, DeviceState *dev, const char *type_name,
                        const char *model, Error **errp)
{
    n->dev = dev;
    n->type_name = type_name;
    if (n->conf.netdev &&
        !net_peers_from_id(type_name, n->conf.netdev, &n->nic_conf.peers,
                           errp)) {
        return false;
    }
    n->max_queue_pairs = MAX(n->nic_conf.peers.queues, 1);
    if (!check_conf(n, errp)) {
        return false;
    }
    apply_conf_features(n);
    n->nic_conf.macaddr = n->conf.mac;
    qemu_macaddr_default_if_unset(&n->nic_conf.macaddr);
    memcpy(n->mac, n->nic_conf.macaddr.a, 6);

    virtio_init(&n->vdev, "virtio-net", VIRTIO_ID_NET,
                config_size(n->conf.host_features), &vnet_ops, n);
    n->vdev.host_features = n->conf.host_features;
    n->vdev.legacy_features |= 1ULL << VIRTIO_NET_F_GSO;
    n->vqs = g_new0(VirtIONetQueue, n->max_queue_pairs);
    n->scratch = g_malloc(sizeof(VirtQueueElement));
    add_pair(n, 0);
    n->ctrl_vq = virtio_add_queue(&n->vdev, VIRTIO_NET_CTRL_QUEUE_SIZE,
                                  virtio_net_handle_ctrl);

    n->nic = qemu_new_nic(&vnet_info, &n->nic_conf, model,
                          dev->id ? dev->id : NULL, n);
    for (int i = 0; i < n->max_queue_pairs; i++) {
        /* The guest sees frames as they are; no padding to 60 bytes. */
        qemu_get_subqueue(n->nic, i)->do_not_pad = true;
    }
    n->has_vnet_hdr = peer0(n) && qemu_has_vnet_hdr(peer0(n));
    n->status = VIRTIO_NET_S_LINK_UP;
    if (peer0(n) && peer0(n)->link_down) {
        n->status &= ~VIRTIO_NET_S_LINK_UP;
    }
    qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    qemu_get_queue(n->nic)->rxfilter_notify_enabled = 1;
    memset(n->vlans, 0xff, sizeof(n->vlans));
    vnet_reset(&n->vdev);
    virtio_net_set_hdr_len(n, 0);
    virtio_update_config(&n->vdev);
    vm_state_notify_add(vnet_vm_state, n);
    return true;
}

void virtio_net_unrealize(VirtIONet *n)
{
    vm_state_notify_remove(vnet_vm_state, n);
    virtio_net_migration_cleanup(n);
    if (n->vhost_started) {
        vnet_vhost_stop(n);
    }
    for (int i = 0; i < n->max_queue_pairs; i++) {
        virtio_net_tx_stop(&n->vqs[i]);
        g_free(n->vqs[i].tx_elem);
    }
    if (n->nic) {
        qemu_del_nic(n->nic);
        n->nic = NULL;
    }
    g_free(n->vqs);
    g_free(n->scratch);
    virtio_cleanup(&n->vdev);
}

int virtio_net_default_vectors(VirtIONet *n)
{
    return 2 * n->max_queue_pairs + 2;
}
