/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev vhost-user,id=ID,chardev=CHR[,queues=N][,vhostforce=on|off]
 *
 * N net clients named ID share one unix socket chardev to a vhost-user
 * back-end; each owns a VhostDev for its queue pair (rings 2i and 2i+1).
 * Packets never pass through these clients: once virtio-net starts the
 * rings, the back-end reads and writes guest memory itself.
 *
 * Connection life: on CHR_EVENT_OPENED the handshake runs (features,
 * protocol features, queue count, SET_OWNER) and the link goes up; on
 * CHR_EVENT_CLOSED the link goes down, so virtio-net takes the rings back
 * and the device keeps running without a data path until the back-end
 * (or a new one) connects again.
 */
#include <string.h>
#include <glib.h>
#include "chardev/char.h"
#include "hw/net/virtio-net.h"
#include "hw/virtio/vhost-net.h"
#include "hw/virtio/vhost.h"
#include "migration/blocker.h"
#include "net/clients.h"

typedef struct VhostUserShared {
    Chardev *chr;
    char *name;
    VhostUserConn conn;
    int queues;
    int refs; /* queues not yet cleaned up */
    NetClientState **ncs;
    bool warned_stray;
    Error **init_errp; /* set while the netdev is being created */
    /* The back-end writes guest RAM behind the dirty log (no LOG_SHMFD
     * support in Vireo yet): migration is blocked while it exists. */
    Error *migration_blocker;
} VhostUserShared;

typedef struct VhostUserNetState {
    NetClientState nc;
    VhostUserShared *s;
    VhostDev dev;
} VhostUserNetState;

/* Virtio feature bits whose support is the back-end's to offer. */
static const int vhost_user_feature_bits[] = {
    VIRTIO_F_NOTIFY_ON_EMPTY,     VIRTIO_RING_F_INDIRECT_DESC,
    VIRTIO_RING_F_EVENT_IDX,      VIRTIO_F_ANY_LAYOUT,
    VIRTIO_F_IOMMU_PLATFORM,      VIRTIO_F_RING_PACKED,
    VIRTIO_F_RING_RESET,          VIRTIO_NET_F_CSUM,
    VIRTIO_NET_F_GUEST_CSUM,      VIRTIO_NET_F_GSO,
    VIRTIO_NET_F_GUEST_TSO4,      VIRTIO_NET_F_GUEST_TSO6,
    VIRTIO_NET_F_GUEST_ECN,       VIRTIO_NET_F_GUEST_UFO,
    VIRTIO_NET_F_HOST_TSO4,       VIRTIO_NET_F_HOST_TSO6,
    VIRTIO_NET_F_HOST_ECN,        VIRTIO_NET_F_HOST_UFO,
    VIRTIO_NET_F_MRG_RXBUF,       VIRTIO_NET_F_MTU,
    VIRTIO_NET_F_GUEST_ANNOUNCE,  VIRTIO_NET_F_GUEST_USO4,
    VIRTIO_NET_F_GUEST_USO6,      VIRTIO_NET_F_HOST_USO,
    VIRTIO_NET_F_HASH_REPORT,     VIRTIO_NET_F_RSS,
};

static VhostUserNetState *vu_state(NetClientState *nc)
{
    if (!nc || nc->info->type != NET_CLIENT_DRIVER_VHOST_USER) {
        return NULL;
    }
    return (VhostUserNetState *)nc;
}

/* ---- the net client ---- */

static ssize_t vu_receive(NetClientState *nc, const uint8_t *buf, size_t len)
{
    /* The userspace path runs only while the rings are not handed over,
     * i.e. while there is no data path to the back-end: drop. */
    return len;
}

static bool vu_queue_set(NetClientState *nc, bool enable, Error **errp)
{
    VhostUserNetState *u = vu_state(nc);

    nc->vring_enable = enable;
    if (!u->dev.started) {
        return true; /* applied when the rings are started */
    }
    return vhost_dev_set_enable(&u->dev, enable, errp);
}

static bool vu_queue_enable(NetClientState *nc, Error **errp)
{
    return vu_queue_set(nc, true, errp);
}

static bool vu_queue_disable(NetClientState *nc, Error **errp)
{
    return vu_queue_set(nc, false, errp);
}

static bool vu_true(NetClientState *nc)
{
    return true;
}

static bool vu_has_vnet_hdr_len(NetClientState *nc, int len)
{
    return true; /* the back-end reads the header size from the features */
}

static void vu_cleanup(NetClientState *nc)
{
    VhostUserNetState *u = vu_state(nc);
    VhostUserShared *s = u->s;

    vhost_dev_stop(&u->dev);
    s->ncs[nc->queue_index] = NULL;
    if (--s->refs > 0) {
        return;
    }
    if (s->chr) {
        chardev_detach(s->chr);
    }
    if (s->migration_blocker) {
        migrate_del_blocker(s->migration_blocker);
        error_free(s->migration_blocker);
    }
    g_free(s->ncs);
    g_free(s->name);
    g_free(s);
}

static NetClientInfo vhost_user_info = {
    .type = NET_CLIENT_DRIVER_VHOST_USER,
    .size = sizeof(VhostUserNetState),
    .receive = vu_receive,
    .cleanup = vu_cleanup,
    .has_vnet_hdr = vu_true,
    .has_ufo = vu_true,
    .has_uso = vu_true,
    .has_vnet_hdr_len = vu_has_vnet_hdr_len,
    .queue_enable = vu_queue_enable,
    .queue_disable = vu_queue_disable,
};

/* ---- the connection ---- */

static void vu_set_link(VhostUserShared *s, bool up)
{
    Error *err = NULL;

    if (!s->ncs[0] || !s->ncs[0]->link_down == up) {
        return;
    }
    /* As QEMU: set_link on the netdev, which takes the NIC along. */
    if (!net_client_set_link(s->name, up, &err)) {
        error_report_err(err);
    }
}

static bool vu_connect(VhostUserShared *s, Error **errp)
{
    if (!vhost_user_handshake(&s->conn, errp)) {
        return false;
    }
    if ((unsigned)s->queues > s->conn.max_queues) {
        error_setg(errp, "you are asking more queues than supported: %u",
                   s->conn.max_queues);
        s->conn.ready = false;
        return false;
    }
    return true;
}

static void vu_event(void *opaque, ChrEvent event)
{
    VhostUserShared *s = opaque;
    Error *err = NULL;

    if (event == CHR_EVENT_OPENED) {
        if (!vu_connect(s, &err)) {
            if (s->init_errp) {
                error_propagate(s->init_errp, err);
                return;
            }
            error_prepend(&err, "vhost-user '%s': ", s->name);
            error_report_err(err);
            return;
        }
        vu_set_link(s, true);
        return;
    }
    vu_set_link(s, false); /* virtio-net takes the rings back */
    vhost_user_conn_reset(&s->conn);
}

static size_t vu_can_read(void *opaque)
{
    return 4096; /* keep reading, so a hang-up is noticed */
}

static void vu_read(void *opaque, const uint8_t *buf, size_t len)
{
    VhostUserShared *s = opaque;

    /* Requests are answered synchronously; anything else is noise. */
    if (!s->warned_stray) {
        warn_report("vhost-user '%s': ignoring %zu unexpected bytes from the "
                    "back-end", s->name, len);
        s->warned_stray = true;
    }
}

/* ---- creation ---- */

static Chardev *vu_claim_chardev(const NetdevVhostUserOptions *o,
                                 Error **errp)
{
    Chardev *chr = chardev_find(o->chardev);

    if (!chr) {
        error_setg(errp, "chardev \"%s\" not found", o->chardev);
        return NULL;
    }
    if (!chardev_can_pass_fds(chr)) {
        error_setg(errp, "chardev \"%s\" is not a unix socket", o->chardev);
        return NULL;
    }
    return chr;
}

bool net_init_vhost_user(const Netdev *netdev, const char *name,
                         NetClientState *peer, Error **errp)
{
    const NetdevVhostUserOptions *o = &netdev->u.vhost_user;
    int queues = o->has_queues ? o->queues : 1;
    VhostUserShared *s;
    Chardev *chr;
    Error *err = NULL;

    if (o->has_queues && (o->queues < 1 || o->queues > MAX_QUEUE_NUM)) {
        error_setg(errp, "vhost-user number of queues must be in range "
                   "[1, %d]", MAX_QUEUE_NUM);
        return false;
    }
    if (peer) {
        error_setg(errp, "vhost-user requires -netdev (not -net)");
        return false;
    }
    chr = vu_claim_chardev(o, errp);
    if (!chr) {
        return false;
    }
    if (chr->fe_attached) {
        error_setg(errp, "Device '%s' is in use", chr->id);
        return false;
    }
    s = g_new0(VhostUserShared, 1);
    s->name = g_strdup(name);
    s->queues = queues;
    s->ncs = g_new0(NetClientState *, queues);
    vhost_user_conn_init(&s->conn, chr, s->name);
    error_setg(&s->migration_blocker, "Migration disabled: vhost-user netdev "
               "'%s' has no dirty page logging", name);
    migrate_add_blocker(s->migration_blocker);
    for (int i = 0; i < queues; i++) {
        NetClientState *nc = qemu_new_net_queue_client(
            &vhost_user_info, NULL, "vhost-user", name, true);
        VhostUserNetState *u = vu_state(nc);

        u->s = s;
        nc->queue_index = i;
        nc->vring_enable = i == 0;
        nc->link_down = 1; /* up once the back-end has answered */
        vhost_dev_init(&u->dev, &s->conn, 2 * i, 2);
        snprintf(nc->info_str, sizeof(nc->info_str), "vhost-user%d to %s", i,
                 chr->id);
        s->ncs[i] = nc;
        s->refs++;
    }
    /*
     * A connected socket (client, or a server that waited for its peer)
     * is announced by chardev_attach at once, and the handshake runs now;
     * a server with wait=off comes up when the back-end connects.
     */
    s->chr = chr;
    s->init_errp = &err;
    chardev_attach(chr, vu_can_read, vu_read, vu_event, s, &error_abort);
    s->init_errp = NULL;
    if (err) {
        error_propagate(errp, err);
        qemu_del_net_client(s->ncs[0]);
        return false;
    }
    if (s->conn.ready) {
        for (int i = 0; i < queues; i++) {
            s->ncs[i]->link_down = 0;
        }
    }
    return true;
}

/* ---- what virtio-net uses (hw/virtio/vhost-net.h) ---- */

bool vhost_net_is_vhost(NetClientState *nc)
{
    return vu_state(nc) != NULL;
}

bool vhost_net_ready(NetClientState *nc)
{
    VhostUserNetState *u = vu_state(nc);

    return u && u->s->conn.ready && !u->s->conn.broken;
}

uint64_t vhost_net_get_features(NetClientState *nc, uint64_t features)
{
    VhostUserNetState *u = vu_state(nc);

    if (!u) {
        return features;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(vhost_user_feature_bits); i++) {
        uint64_t bit = 1ULL << vhost_user_feature_bits[i];
        if (!(u->s->conn.features & bit)) {
            features &= ~bit;
        }
    }
    return features;
}

bool vhost_net_start_queue(NetClientState *nc, VirtIODevice *vdev,
                           uint64_t features, bool enable, Error **errp)
{
    VhostUserNetState *u = vu_state(nc);
    uint64_t mask = 1ULL << VIRTIO_F_VERSION_1 | 1ULL << VIRTIO_NET_F_MQ;

    if (!u) {
        return false;
    }
    /*
     * The back-end acks only its own bits: the ring and offload features
     * from the list; control-queue and config features stay in vireo.
     */
    for (size_t i = 0; i < G_N_ELEMENTS(vhost_user_feature_bits); i++) {
        mask |= 1ULL << vhost_user_feature_bits[i];
    }
    features &= mask & u->s->conn.features;
    if (!vhost_dev_start(&u->dev, vdev, features, errp)) {
        return false;
    }
    nc->vring_enable = enable;
    if (!vhost_dev_set_enable(&u->dev, enable, errp)) {
        vhost_dev_stop(&u->dev);
        return false;
    }
    return true;
}

void vhost_net_stop_queue(NetClientState *nc)
{
    VhostUserNetState *u = vu_state(nc);

    if (u) {
        vhost_dev_stop(&u->dev);
    }
}

bool vhost_net_queue_started(NetClientState *nc)
{
    VhostUserNetState *u = vu_state(nc);

    return u && u->dev.started;
}
