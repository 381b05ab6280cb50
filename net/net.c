/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The net core: the list of clients, peering, delivery, NICs, MACs and
 * lookups.  Configuration and the management commands are in
 * net/net-config.c.
 */
#include <string.h>
#include <glib.h>
#include "net/net.h"
#include "net/announce.h"
#include "net/clients.h"
#include "qapi/qapi-events.h"
#include "system/runstate.h"

/* Every client, in creation order (a NIC's queues are consecutive). */
static GQueue net_clients = G_QUEUE_INIT;
static bool vm_notifier_added;

static void net_vm_state_changed(void *opaque, bool running, RunState state);

GList *net_client_list(void);
GList *net_client_list(void)
{
    return net_clients.head;
}

static void net_ensure_vm_notifier(void)
{
    if (!vm_notifier_added) {
        vm_state_notify_add(net_vm_state_changed, NULL);
        vm_notifier_added = true;
    }
}

/* "<model>.<n>", n = how many other clients share the model. */
static char *net_assign_name(NetClientState *self, const char *model)
{
    int n = 0;

    for (GList *l = net_clients.head; l; l = l->next) {
        NetClientState *nc = l->data;
        if (nc != self && !strcmp(nc->model, model)) {
            n++;
        }
    }
    return g_strdup_printf("%s.%d", model, n);
}

static ssize_t net_deliver(NetClientState *sender, unsigned flags,
                           const struct iovec *iov, int iovcnt, void *opaque);

static void net_client_setup(NetClientState *nc, NetClientInfo *info,
                             NetClientState *peer, const char *model,
                             const char *name, NetClientDestructor *destructor)
{
    nc->info = info;
    nc->model = g_strdup(model);
    nc->name = name ? g_strdup(name) : net_assign_name(nc, model);
    if (peer) {
        g_assert(!peer->peer);
        nc->peer = peer;
        peer->peer = nc;
    }
    g_queue_push_tail(&net_clients, nc);
    nc->incoming_queue = qemu_new_net_queue(net_deliver, nc);
    nc->destructor = destructor;
    net_ensure_vm_notifier();
}

static void net_client_destructor_free(NetClientState *nc)
{
    g_free(nc);
}

NetClientState *qemu_new_net_queue_client(NetClientInfo *info,
                                          NetClientState *peer,
                                          const char *model, const char *name,
                                          bool is_netdev)
{
    NetClientState *nc;

    g_assert(info->size >= sizeof(NetClientState));
    nc = g_malloc0(info->size);
    net_client_setup(nc, info, peer, model, name, net_client_destructor_free);
    nc->is_netdev = is_netdev;
    return nc;
}

NetClientState *qemu_new_net_client(NetClientInfo *info, NetClientState *peer,
                                    const char *model, const char *name)
{
    return qemu_new_net_queue_client(info, peer, model, name, false);
}

/* ---- NICs ---- */

static int nic_queue_count(const NICState *nic)
{
    return MAX(nic->conf->peers.queues, 1);
}

NICState *qemu_new_nic(NetClientInfo *info, NICConf *conf, const char *model,
                       const char *name, void *opaque)
{
    int queues = MAX(conf->peers.queues, 1);
    NICState *nic;

    g_assert(info->type == NET_CLIENT_DRIVER_NIC);
    g_assert(info->size >= sizeof(NICState));
    nic = g_malloc0(info->size + sizeof(NetClientState) * queues);
    nic->ncs = (NetClientState *)((char *)nic + info->size);
    nic->conf = conf;
    nic->opaque = opaque;
    for (int i = 0; i < queues; i++) {
        NetClientState *nc = &nic->ncs[i];
        net_client_setup(nc, info, conf->peers.ncs[i], model, name, NULL);
        nc->queue_index = i;
        nc->rxfilter_notify_enabled = 1;
    }
    return nic;
}

NetClientState *qemu_get_subqueue(NICState *nic, int queue_index)
{
    return nic->ncs + queue_index;
}

NetClientState *qemu_get_queue(NICState *nic)
{
    return qemu_get_subqueue(nic, 0);
}

NICState *qemu_get_nic(NetClientState *nc)
{
    NetClientState *nc0 = nc - nc->queue_index;

    return (NICState *)((char *)nc0 - nc->info->size);
}

void *qemu_get_nic_opaque(NetClientState *nc)
{
    return qemu_get_nic(nc)->opaque;
}

NetClientState *qemu_get_peer(NetClientState *nc, int queue_index)
{
    g_assert(nc);
    return nc[queue_index].peer;
}

/* ---- freeing ---- */

/* Take @nc off the list and let its backend release what it holds. */
static void net_client_cleanup(NetClientState *nc)
{
    g_queue_remove(&net_clients, nc);
    /* Senders waiting on packets queued for @nc get their completion. */
    if (nc->peer) {
        qemu_net_queue_purge(nc->incoming_queue, nc->peer);
        qemu_purge_queued_packets(nc);
    }
    if (nc->info->cleanup) {
        nc->info->cleanup(nc);
    }
}

static void net_client_free(NetClientState *nc)
{
    if (nc->incoming_queue) {
        qemu_del_net_queue(nc->incoming_queue);
    }
    if (nc->peer) {
        nc->peer->peer = NULL;
    }
    g_free(nc->name);
    g_free(nc->model);
    if (nc->destructor) {
        nc->destructor(nc);
    }
}

void qemu_del_net_client(NetClientState *nc)
{
    NetClientState *ncs[MAX_QUEUE_NUM];
    int queues;

    g_assert(nc->info->type != NET_CLIENT_DRIVER_NIC);
    queues = qemu_find_net_clients_except(nc->name, ncs, NET_CLIENT_DRIVER_NIC,
                                          MAX_QUEUE_NUM);
    queues = MIN(queues, MAX_QUEUE_NUM);
    if (queues == 0) {
        /* Already taken off the list (a NIC still holds it): nothing. */
        return;
    }
    if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
        NICState *nic = qemu_get_nic(nc->peer);

        if (nic->peer_deleted) {
            return;
        }
        /*
         * The NIC keeps its peers until it goes away itself: the guest
         * only sees the link drop, and the id is free again at once.
         */
        nic->peer_deleted = true;
        for (int i = 0; i < queues; i++) {
            if (ncs[i]->peer) {
                ncs[i]->peer->link_down = 1;
            }
        }
        if (nc->peer->info->link_status_changed) {
            nc->peer->info->link_status_changed(nc->peer);
        }
        for (int i = 0; i < queues; i++) {
            g_queue_remove(&net_clients, ncs[i]);
        }
        return;
    }
    for (int i = 0; i < queues; i++) {
        net_client_cleanup(ncs[i]);
        net_client_free(ncs[i]);
    }
}

/* MAC slots 52:54:00:12:34:XX handed out by default. */
static uint8_t mac_slot_used[256];
static const uint8_t mac_default_prefix[5] = {0x52, 0x54, 0x00, 0x12, 0x34};

static void mac_slot_set(const MACAddr *mac, int delta)
{
    if (!memcmp(mac->a, mac_default_prefix, 5)) {
        int v = mac_slot_used[mac->a[5]] + delta;
        mac_slot_used[mac->a[5]] = CLAMP(v, 0, 255);
    }
}

void qemu_macaddr_default_if_unset(MACAddr *macaddr)
{
    static const MACAddr zero;

    if (memcmp(macaddr, &zero, sizeof(zero))) {
        mac_slot_set(macaddr, 1);
        return;
    }
    for (int i = 0x56; i < 256; i++) {
        if (!mac_slot_used[i]) {
            memcpy(macaddr->a, mac_default_prefix, 5);
            macaddr->a[5] = i;
            mac_slot_used[i] = 1;
            return;
        }
    }
    /* All 170 slots taken: reuse the last one rather than fail. */
    memcpy(macaddr->a, mac_default_prefix, 5);
    macaddr->a[5] = 0xff;
}

void qemu_del_nic(NICState *nic)
{
    int queues = nic_queue_count(nic);

    mac_slot_set(&nic->conf->macaddr, -1);
    for (int i = 0; i < queues; i++) {
        NetClientState *nc = qemu_get_subqueue(nic, i);
        NetClientState *peer = nc->peer;

        if (!peer) {
            continue;
        }
        if (nic->peer_deleted) {
            /* Already off the list; release it for good now. */
            qemu_net_queue_purge(nc->incoming_queue, peer);
            qemu_net_queue_purge(peer->incoming_queue, nc);
            if (peer->info->cleanup) {
                peer->info->cleanup(peer);
            }
            net_client_free(peer);
        } else {
            qemu_purge_queued_packets(peer);
        }
    }
    for (int i = queues - 1; i >= 0; i--) {
        NetClientState *nc = qemu_get_subqueue(nic, i);
        net_client_cleanup(nc);
        net_client_free(nc);
    }
    g_free(nic);
}

/* ---- delivery ---- */

bool qemu_can_receive_packet(NetClientState *nc)
{
    if (nc->receive_disabled) {
        return false;
    }
    if (nc->info->can_receive && !nc->info->can_receive(nc)) {
        return false;
    }
    return true;
}

bool qemu_can_send_packet(NetClientState *sender)
{
    if (!runstate_is_running()) {
        return false;
    }
    if (!sender->peer) {
        return true;
    }
    return qemu_can_receive_packet(sender->peer);
}

static size_t iov_size(const struct iovec *iov, int iovcnt)
{
    size_t n = 0;

    for (int i = 0; i < iovcnt; i++) {
        n += iov[i].iov_len;
    }
    return n;
}

static ssize_t net_call_receive(NetClientState *nc, const struct iovec *iov,
                                int iovcnt)
{
    if (nc->info->receive_iov) {
        return nc->info->receive_iov(nc, iov, iovcnt);
    }
    if (!nc->info->receive) {
        return iov_size(iov, iovcnt);
    }
    if (iovcnt == 1) {
        return nc->info->receive(nc, iov[0].iov_base, iov[0].iov_len);
    } else {
        size_t size = iov_size(iov, iovcnt), off = 0;
        uint8_t *buf = g_malloc(size);
        ssize_t ret;

        for (int i = 0; i < iovcnt; i++) {
            memcpy(buf + off, iov[i].iov_base, iov[i].iov_len);
            off += iov[i].iov_len;
        }
        ret = nc->info->receive(nc, buf, size);
        g_free(buf);
        return ret;
    }
}

static ssize_t net_deliver(NetClientState *sender, unsigned flags,
                           const struct iovec *iov, int iovcnt, void *opaque)
{
    NetClientState *nc = opaque;
    ssize_t ret;

    if (nc->link_down) {
        return iov_size(iov, iovcnt);
    }
    if (nc->receive_disabled) {
        return 0;
    }
    if ((flags & QEMU_NET_PACKET_FLAG_RAW) && nc->vnet_hdr_len > 0 &&
        iovcnt < 64) {
        /* A raw frame to a vnet-header peer gets a zeroed header first. */
        struct iovec v[65];
        uint8_t hdr[64] = {0};

        v[0].iov_base = hdr;
        v[0].iov_len = MIN((size_t)nc->vnet_hdr_len, sizeof(hdr));
        memcpy(&v[1], iov, sizeof(*iov) * iovcnt);
        ret = net_call_receive(nc, v, iovcnt + 1);
        if (ret > 0) {
            ret = iov_size(iov, iovcnt);
        }
    } else {
        ret = net_call_receive(nc, iov, iovcnt);
    }
    if (ret == 0) {
        nc->receive_disabled = 1;
    }
    return ret;
}

static ssize_t net_send_iov(NetClientState *sender, unsigned flags,
                            const struct iovec *iov, int iovcnt,
                            NetPacketSent *sent_cb)
{
    size_t size = iov_size(iov, iovcnt);
    NetQueue *queue;

    if (sender->link_down || !sender->peer) {
        return size;
    }
    if (size > NET_BUFSIZE) {
        return size;
    }
    queue = sender->peer->incoming_queue;
    if (!qemu_can_send_packet(sender)) {
        qemu_net_queue_append_iov(queue, sender, flags, iov, iovcnt, sent_cb);
        return 0;
    }
    return qemu_net_queue_send_iov(queue, sender, flags, iov, iovcnt, sent_cb);
}

ssize_t qemu_sendv_packet_async(NetClientState *sender, const struct iovec *iov,
                                int iovcnt, NetPacketSent *sent_cb)
{
    return net_send_iov(sender, QEMU_NET_PACKET_FLAG_NONE, iov, iovcnt,
                        sent_cb);
}

ssize_t qemu_sendv_packet(NetClientState *nc, const struct iovec *iov,
                          int iovcnt)
{
    return qemu_sendv_packet_async(nc, iov, iovcnt, NULL);
}

ssize_t qemu_send_packet_async(NetClientState *sender, const uint8_t *buf,
                               int size, NetPacketSent *sent_cb)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = MAX(size, 0)};

    return net_send_iov(sender, QEMU_NET_PACKET_FLAG_NONE, &iov, 1, sent_cb);
}

ssize_t qemu_send_packet(NetClientState *nc, const uint8_t *buf, int size)
{
    return qemu_send_packet_async(nc, buf, size, NULL);
}

ssize_t qemu_send_packet_raw(NetClientState *nc, const uint8_t *buf, int size)
{
    struct iovec iov = {.iov_base = (void *)buf, .iov_len = MAX(size, 0)};

    return net_send_iov(nc, QEMU_NET_PACKET_FLAG_RAW, &iov, 1, NULL);
}

void qemu_flush_or_purge_queued_packets(NetClientState *nc, bool purge)
{
    nc->receive_disabled = 0;
    if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_HUBPORT) {
        net_hub_flush(nc->peer);
    }
    if (!qemu_net_queue_flush(nc->incoming_queue) && purge) {
        /* What cannot go through now is completed as dropped. */
        qemu_net_queue_purge(nc->incoming_queue, nc->peer);
    }
}

void qemu_flush_queued_packets(NetClientState *nc)
{
    qemu_flush_or_purge_queued_packets(nc, false);
}

void qemu_purge_queued_packets(NetClientState *nc)
{
    if (nc->peer) {
        qemu_net_queue_purge(nc->peer->incoming_queue, nc);
    }
}

static void net_vm_state_changed(void *opaque, bool running, RunState state)
{
    GList *l = net_clients.head;

    while (l) {
        NetClientState *nc = l->data;
        l = l->next;
        if (running) {
            if (nc->peer && qemu_can_send_packet(nc)) {
                qemu_flush_queued_packets(nc->peer);
            }
        } else {
            qemu_flush_or_purge_queued_packets(nc, true);
        }
    }
}

/* ---- backend capabilities ---- */

bool qemu_has_ufo(NetClientState *nc)
{
    return nc && nc->info->has_ufo && nc->info->has_ufo(nc);
}

bool qemu_has_uso(NetClientState *nc)
{
    return nc && nc->info->has_uso && nc->info->has_uso(nc);
}

bool qemu_has_vnet_hdr(NetClientState *nc)
{
    return nc && nc->info->has_vnet_hdr && nc->info->has_vnet_hdr(nc);
}

bool qemu_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return nc && nc->info->has_vnet_hdr_len &&
           nc->info->has_vnet_hdr_len(nc, len);
}

void qemu_set_vnet_hdr_len(NetClientState *nc, int len)
{
    if (nc && nc->info->set_vnet_hdr_len) {
        nc->vnet_hdr_len = len;
        nc->info->set_vnet_hdr_len(nc, len);
    }
}

void qemu_set_offload(NetClientState *nc, const NetOffloads *ol)
{
    if (nc && nc->info->set_offload) {
        nc->info->set_offload(nc, ol);
    }
}

int qemu_set_vnet_le(NetClientState *nc, bool is_le)
{
    if (!nc || !nc->info->set_vnet_le) {
        return -1;
    }
    return nc->info->set_vnet_le(nc, is_le);
}

int qemu_set_vnet_be(NetClientState *nc, bool is_be)
{
    if (!nc || !nc->info->set_vnet_be) {
        /* Big-endian headers are what a legacy BE guest needs. */
        return is_be ? -1 : 0;
    }
    return nc->info->set_vnet_be(nc, is_be);
}

bool qemu_net_queue_enable(NetClientState *nc, Error **errp)
{
    if (!nc || !nc->info->queue_enable) {
        return true;
    }
    return nc->info->queue_enable(nc, errp);
}

bool qemu_net_queue_disable(NetClientState *nc, Error **errp)
{
    if (!nc || !nc->info->queue_disable) {
        return true;
    }
    return nc->info->queue_disable(nc, errp);
}

/* ---- naming and lookup ---- */

void qemu_format_nic_info_str(NetClientState *nc, const uint8_t macaddr[6])
{
    snprintf(nc->info_str, sizeof(nc->info_str),
             "model=%s,macaddr=%02x:%02x:%02x:%02x:%02x:%02x", nc->model,
             macaddr[0], macaddr[1], macaddr[2], macaddr[3], macaddr[4],
             macaddr[5]);
}

NetClientState *qemu_find_netdev(const char *id)
{
    for (GList *l = net_clients.head; l; l = l->next) {
        NetClientState *nc = l->data;
        if (nc->info->type != NET_CLIENT_DRIVER_NIC && !strcmp(nc->name, id)) {
            return nc;
        }
    }
    return NULL;
}

int qemu_find_net_clients_except(const char *id, NetClientState **ncs,
                                 NetClientDriver type, int max)
{
    int n = 0;

    for (GList *l = net_clients.head; l; l = l->next) {
        NetClientState *nc = l->data;
        if (nc->info->type == type || (id && strcmp(nc->name, id))) {
            continue;
        }
        if (n < max) {
            ncs[n] = nc;
        }
        n++;
    }
    return n;
}

bool net_peers_from_id(const char *typename, const char *id, NICPeers *peers,
                       Error **errp)
{
    NetClientState **ncs = g_new(NetClientState *, MAX_QUEUE_NUM);
    int n = qemu_find_net_clients_except(id, ncs, NET_CLIENT_DRIVER_NIC,
                                         MAX_QUEUE_NUM);
    bool ok = false;

    if (n > MAX_QUEUE_NUM) {
        error_setg(errp,
                   "queues of backend '%s'(%d) exceeds QEMU "
                   "limitation(%d)",
                   id, n, MAX_QUEUE_NUM);
        goto out;
    }
    if (n == 0) {
        error_setg(errp, "Property '%s.netdev' can't find value '%s'", typename,
                   id);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        if (ncs[i]->peer) {
            error_setg(errp,
                       "Property '%s.netdev' can't take value '%s', "
                       "it's in use",
                       typename, id);
            goto out;
        }
    }
    for (int i = 0; i < n; i++) {
        peers->ncs[i] = ncs[i];
        ncs[i]->queue_index = i;
    }
    peers->queues = n;
    ok = true;
out:
    g_free(ncs);
    return ok;
}

void net_rx_filter_changed(NetClientState *nic_nc, const char *dev_id,
                           const char *path)
{
    NetClientState *nc0 = nic_nc - nic_nc->queue_index;

    if (nc0->rxfilter_notify_enabled) {
        qapi_event_send_nic_rx_filter_changed(dev_id, path);
        nc0->rxfilter_notify_enabled = 0;
    }
}

bool net_client_set_link(const char *name, bool up, Error **errp)
{
    NetClientState **ncs = g_new(NetClientState *, MAX_QUEUE_NUM);
    int n = qemu_find_net_clients_except(name, ncs, NET_CLIENT_DRIVER__MAX,
                                         MAX_QUEUE_NUM);
    NetClientState *nc;

    n = MIN(n, MAX_QUEUE_NUM);
    if (n == 0) {
        g_free(ncs);
        error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device '%s' not found",
                  name);
        return false;
    }
    nc = ncs[0];
    for (int i = 0; i < n; i++) {
        ncs[i]->link_down = !up;
    }
    if (nc->info->link_status_changed) {
        nc->info->link_status_changed(nc);
    }
    if (nc->peer) {
        /*
         * Only a backend name reaches through to the NIC; a NIC name
         * leaves the backend alone (hub setups depend on that).
         */
        if (nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
            for (int i = 0; i < n; i++) {
                if (ncs[i]->peer) {
                    ncs[i]->peer->link_down = !up;
                }
            }
        }
        if (nc->peer->info->link_status_changed) {
            nc->peer->info->link_status_changed(nc->peer);
        }
    }
    g_free(ncs);
    return true;
}

void net_print_client(GString *out, NetClientState *nc)
{
    g_string_append_printf(out, "%s: index=%u,type=%s,%s\r\n", nc->name,
                           nc->queue_index, NetClientDriver_str(nc->info->type),
                           nc->info_str);
}

void hmp_info_network(GString *out)
{
    net_hub_info(out);
    for (GList *l = net_clients.head; l; l = l->next) {
        NetClientState *nc = l->data;
        NetClientState *peer = nc->peer;
        bool is_nic = nc->info->type == NET_CLIENT_DRIVER_NIC;

        if (net_hub_id_for_client(nc) >= 0) {
            continue; /* shown in the hub block */
        }
        if (!peer || is_nic) {
            net_print_client(out, nc);
        }
        if (peer && is_nic) {
            g_string_append(out, " \\ ");
            net_print_client(out, peer);
        }
    }
}

void net_check_clients(void)
{
    net_hub_check_clients();
    for (GList *l = net_clients.head; l; l = l->next) {
        NetClientState *nc = l->data;

        if (nc->peer || nc->info->type == NET_CLIENT_DRIVER_HUBPORT) {
            continue;
        }
        if (nc->info->type == NET_CLIENT_DRIVER_NIC) {
            warn_report("nic %s has no peer", nc->name);
        } else {
            warn_report("netdev %s has no peer", nc->name);
        }
    }
}

void net_cleanup(void)
{
    NetClientState *nc;

    announce_cleanup();
    /* NICs belong to their devices; only backends are deleted here. */
    for (;;) {
        nc = NULL;
        for (GList *l = net_clients.head; l; l = l->next) {
            NetClientState *c = l->data;
            if (c->info->type != NET_CLIENT_DRIVER_NIC) {
                nc = c;
                break;
            }
        }
        if (!nc) {
            break;
        }
        if (nc->peer && nc->peer->info->type == NET_CLIENT_DRIVER_NIC) {
            /* Unhook from the NIC so the NIC's own deletion is simple. */
            NetClientState *p = nc->peer;
            qemu_purge_queued_packets(nc);
            qemu_net_queue_purge(p->incoming_queue, nc);
            p->peer = NULL;
            nc->peer = NULL;
        }
        qemu_del_net_client(nc);
    }
}
