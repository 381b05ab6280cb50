/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net migration in QEMU's layout: the section "<path>/virtio-net"
 * holds the description "virtio-net" (v11) whose one field "virtio" is the
 * virtio core state (hw/virtio/virtio.c), which in turn carries the field
 * list "virtio-net-device" below.  Loading checks every value against the
 * destination's configuration; post_load rebuilds what is not carried
 * (header lengths, offloads on the backend, queue attachment, first_multi,
 * link state) and starts the announcements.
 */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net-internal.h"
#include "migration/migration.h"
#include "migration/savevm.h"
#include "net/announce.h"
#include "util/main-loop.h"

static NetClientState *vnet_peer0(VirtIONet *n)
{
    return qemu_get_queue(n->nic)->peer;
}

/* ---- hand-written fields ---- */

static bool put_tx_waiting0(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    qemu_put_be32(f, ((VirtIONet *)opaque)->vqs[0].tx_waiting);
    return true;
}

static bool get_tx_waiting0(QEMUFile *f, void *opaque, void *ptr,
                            const VMStateField *field, Error **errp)
{
    ((VirtIONet *)opaque)->vqs[0].tx_waiting = qemu_get_be32(f) != 0;
    return qemu_file_check_error(f, errp);
}

static bool put_mergeable(QEMUFile *f, void *opaque, void *ptr,
                          const VMStateField *field, Error **errp)
{
    qemu_put_be32(f, ((VirtIONet *)opaque)->mergeable_rx_bufs);
    return true;
}

static bool get_mergeable(QEMUFile *f, void *opaque, void *ptr,
                          const VMStateField *field, Error **errp)
{
    /* Recomputed from the negotiated features in post_load. */
    qemu_get_be32(f);
    return qemu_file_check_error(f, errp);
}

static bool put_has_vnet_hdr(QEMUFile *f, void *opaque, void *ptr,
                             const VMStateField *field, Error **errp)
{
    qemu_put_be32(f, ((VirtIONet *)opaque)->has_vnet_hdr);
    return true;
}

static bool get_has_vnet_hdr(QEMUFile *f, void *opaque, void *ptr,
                             const VMStateField *field, Error **errp)
{
    VirtIONet *n = opaque;
    uint32_t v = qemu_get_be32(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v && !n->has_vnet_hdr) {
        error_setg(errp, "virtio-net: saved image requires vnet_hdr=on");
        return false;
    }
    return true;
}

static bool peer_has_ufo(VirtIONet *n)
{
    return n->has_vnet_hdr && vnet_peer0(n) && qemu_has_ufo(vnet_peer0(n));
}

static bool put_has_ufo(QEMUFile *f, void *opaque, void *ptr,
                        const VMStateField *field, Error **errp)
{
    qemu_put_byte(f, peer_has_ufo(opaque));
    return true;
}

static bool get_has_ufo(QEMUFile *f, void *opaque, void *ptr,
                        const VMStateField *field, Error **errp)
{
    uint8_t v = qemu_get_byte(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v && !peer_has_ufo(opaque)) {
        error_setg(errp, "virtio-net: saved image requires TUN_F_UFO support");
        return false;
    }
    return true;
}

static bool has_mq_fields(void *opaque, int version_id)
{
    return ((VirtIONet *)opaque)->max_queue_pairs > 1;
}

static bool put_max_qp(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    qemu_put_be16(f, ((VirtIONet *)opaque)->max_queue_pairs);
    return true;
}

static bool get_max_qp(QEMUFile *f, void *opaque, void *ptr,
                       const VMStateField *field, Error **errp)
{
    VirtIONet *n = opaque;
    uint16_t v = qemu_get_be16(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v != n->max_queue_pairs) {
        error_setg(errp, "%x != %x", v, n->max_queue_pairs);
        return false;
    }
    return true;
}

static bool put_curr_qp(QEMUFile *f, void *opaque, void *ptr,
                        const VMStateField *field, Error **errp)
{
    qemu_put_be16(f, ((VirtIONet *)opaque)->curr_queue_pairs);
    return true;
}

static bool get_curr_qp(QEMUFile *f, void *opaque, void *ptr,
                        const VMStateField *field, Error **errp)
{
    VirtIONet *n = opaque;
    uint16_t v = qemu_get_be16(f);

    if (!qemu_file_check_error(f, errp)) {
        return false;
    }
    if (v > n->max_queue_pairs) {
        error_setg(errp, "virtio-net: curr_queue_pairs %x > max_queue_pairs "
                   "%x", v, n->max_queue_pairs);
        return false;
    }
    if (v == 0) {
        error_setg(errp, "virtio-net: curr_queue_pairs 0");
        return false;
    }
    n->curr_queue_pairs = v;
    return true;
}

static bool put_tx_waiting_rest(QEMUFile *f, void *opaque, void *ptr,
                                const VMStateField *field, Error **errp)
{
    VirtIONet *n = opaque;

    for (int i = 1; i < n->curr_queue_pairs; i++) {
        qemu_put_be32(f, n->vqs[i].tx_waiting);
    }
    return true;
}

static bool get_tx_waiting_rest(QEMUFile *f, void *opaque, void *ptr,
                                const VMStateField *field, Error **errp)
{
    VirtIONet *n = opaque;

    /* curr_queue_pairs was checked against max just before. */
    for (int i = 1; i < n->curr_queue_pairs; i++) {
        n->vqs[i].tx_waiting = qemu_get_be32(f) != 0;
    }
    return qemu_file_check_error(f, errp);
}

static bool has_ctrl_guest_offloads(void *opaque, int version_id)
{
    /* The low feature bits are already loaded when the fields are. */
    return virtio_vdev_has_feature(&((VirtIONet *)opaque)->vdev,
                                   VIRTIO_NET_F_CTRL_GUEST_OFFLOADS);
}

#define VNET_INFO(_var, _name, _get, _put)                                  \
    static const VMStateInfo _var = { .name = _name, .get = _get,           \
                                      .put = _put }
VNET_INFO(tx_waiting0_info, "uint32", get_tx_waiting0, put_tx_waiting0);
VNET_INFO(mergeable_info, "uint32", get_mergeable, put_mergeable);
VNET_INFO(has_vnet_hdr_info, "uint32", get_has_vnet_hdr, put_has_vnet_hdr);
VNET_INFO(has_ufo_info, "uint8", get_has_ufo, put_has_ufo);
VNET_INFO(max_qp_info, "uint16", get_max_qp, put_max_qp);
VNET_INFO(curr_qp_info, "uint16", get_curr_qp, put_curr_qp);
VNET_INFO(tx_waiting_info, "tx_waiting", get_tx_waiting_rest,
          put_tx_waiting_rest);

#define VNET_CUSTOM(_name, _info, _exists)                                  \
    {                                                                       \
        .name = (_name), .kind = VMS_CUSTOM, .info = &(_info),              \
        .exists = (_exists)                                                 \
    }

/* ---- pre_save / pre_load ---- */

/*
 * A frame handed to a busy backend and not yet completed is taken back:
 * the destination pops and sends it again, so it is neither lost nor
 * (since it never left) duplicated.
 */
static bool vnet_pre_save(void *opaque, Error **errp)
{
    VirtIONet *n = opaque;

    for (int i = 0; i < n->max_queue_pairs; i++) {
        VirtIONetQueue *q = &n->vqs[i];

        if (q->async_tx) {
            q->async_tx = NULL; /* the purge must not complete it */
            qemu_purge_queued_packets(qemu_get_subqueue(n->nic, i));
            virtqueue_unpop(q->tx_vq, 1);
            virtio_queue_set_notification(q->tx_vq, true);
            q->tx_waiting = true;
        }
    }
    n->saved_guest_offloads = n->curr_guest_offloads;
    return true;
}

static bool vnet_pre_load(void *opaque, Error **errp)
{
    VirtIONet *n = opaque;

    n->loading = true;
    n->curr_queue_pairs = 1;
    return true;
}

const VMStateDescription vmstate_virtio_net_device = {
    .name = "virtio-net-device",
    .version_id = 11,
    .minimum_version_id = 11,
    .pre_save = vnet_pre_save,
    .pre_load = vnet_pre_load,
    .fields = (const VMStateField[]){
        { .name = "mac", .kind = VMS_BUFFER,
          .offset = offsetof(VirtIONet, mac), .size = 6 },
        VNET_CUSTOM("vqs[0].tx_waiting", tx_waiting0_info, NULL),
        VNET_CUSTOM("mergeable_rx_bufs", mergeable_info, NULL),
        VMSTATE_UINT16(status, VirtIONet),
        VMSTATE_UINT8(promisc, VirtIONet),
        VMSTATE_UINT8(allmulti, VirtIONet),
        { .name = "mac_table.in_use", .kind = VMS_U32,
          .offset = offsetof(VirtIONet, mac_table.in_use), .size = 4 },
        /* in_use above 64 is skipped and becomes 0, as in QEMU. */
        { .name = "mac_table.macs", .kind = VMS_ARRAY,
          .offset = offsetof(VirtIONet, mac_table.macs), .size = 6,
          .elem = VMS_BUFFER, .elem_size = 6, .count_kind = VMS_U32,
          .count_offset = offsetof(VirtIONet, mac_table.in_use),
          .max = VIRTIO_NET_MAC_TABLE_ENTRIES,
          .oversize = VMS_OVERSIZE_SKIP },
        /* The uint32 bitmap as raw bytes: host byte order, as QEMU. */
        { .name = "vlans", .kind = VMS_BUFFER,
          .offset = offsetof(VirtIONet, vlans),
          .size = sizeof(((VirtIONet *)0)->vlans) },
        VNET_CUSTOM("has_vnet_hdr", has_vnet_hdr_info, NULL),
        { .name = "mac_table.multi_overflow", .kind = VMS_U8,
          .offset = offsetof(VirtIONet, mac_table.multi_overflow), .size = 1 },
        { .name = "mac_table.uni_overflow", .kind = VMS_U8,
          .offset = offsetof(VirtIONet, mac_table.uni_overflow), .size = 1 },
        VMSTATE_UINT8(alluni, VirtIONet),
        VMSTATE_UINT8(nomulti, VirtIONet),
        VMSTATE_UINT8(nouni, VirtIONet),
        VMSTATE_UINT8(nobcast, VirtIONet),
        VNET_CUSTOM("has_ufo", has_ufo_info, NULL),
        VNET_CUSTOM("max_queue_pairs", max_qp_info, has_mq_fields),
        VNET_CUSTOM("curr_queue_pairs", curr_qp_info, has_mq_fields),
        VNET_CUSTOM("vqs[1..].tx_waiting", tx_waiting_info, has_mq_fields),
        { .name = "curr_guest_offloads", .kind = VMS_U64,
          .offset = offsetof(VirtIONet, saved_guest_offloads), .size = 8,
          .exists = has_ctrl_guest_offloads },
        VMSTATE_END_OF_LIST,
    },
};

static const VMStateDescription vmstate_virtio_net = {
    .name = "virtio-net",
    .version_id = 11,
    .minimum_version_id = 11,
    .fields = (const VMStateField[]){
        VMSTATE_VIRTIO_DEVICE(VirtIONet, vdev),
        VMSTATE_END_OF_LIST,
    },
};

/* ---- load: queues and post_load ---- */

bool virtio_net_pre_load_queues(VirtIODevice *vdev, unsigned num,
                                Error **errp)
{
    VirtIONet *n = vdev->opaque;
    unsigned pairs = (num - 1) / 2;

    /* Pairs plus the control queue: one pair, or all of them (MQ). */
    if (num % 2 == 0 ||
        (pairs != 1 && pairs != (unsigned)n->max_queue_pairs)) {
        error_setg(errp, "virtio-net: %u virtqueues in the stream do not fit "
                   "max_queue_pairs %x", num, n->max_queue_pairs);
        return false;
    }
    virtio_net_set_multiqueue(n, pairs > 1);
    return true;
}

static void vnet_recompute_first_multi(VirtIONet *n)
{
    uint32_t i;

    for (i = 0; i < n->mac_table.in_use; i++) {
        if (n->mac_table.macs[i * 6] & 1) {
            break;
        }
    }
    n->mac_table.first_multi = i;
}

static bool vnet_load_offloads(VirtIONet *n, Error **errp)
{
    uint64_t allowed =
        virtio_net_offloads_from_features(n->vdev.guest_features);

    if (!virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) {
        n->curr_guest_offloads = allowed;
    } else if (n->saved_guest_offloads & ~allowed) {
        error_setg(errp, "virtio-net: guest offloads 0x%" G_GINT64_MODIFIER
                   "x were not negotiated (0x%" G_GINT64_MODIFIER "x)",
                   n->saved_guest_offloads, allowed);
        return false;
    } else {
        n->curr_guest_offloads = n->saved_guest_offloads;
    }
    virtio_net_apply_offloads(n);
    return true;
}

/* The stream's values that only make sense together with the features. */
static bool vnet_check_loaded(VirtIONet *n, Error **errp)
{
    if (!n->multiqueue && n->curr_queue_pairs != 1) {
        error_setg(errp, "virtio-net: curr_queue_pairs %x without multiqueue",
                   n->curr_queue_pairs);
        return false;
    }
    return true;
}

bool virtio_net_post_load(VirtIODevice *vdev, Error **errp)
{
    VirtIONet *n = vdev->opaque;
    bool link_down = !(n->status & VIRTIO_NET_S_LINK_UP);

    n->loading = false;
    if (!vnet_check_loaded(n, errp)) {
        return false;
    }
    virtio_net_set_hdr_len(n, vdev->guest_features);
    if (!vnet_load_offloads(n, errp)) {
        return false;
    }
    virtio_net_set_queue_pairs(n);
    vnet_recompute_first_multi(n);
    for (int i = 0; i < n->max_queue_pairs; i++) {
        qemu_get_subqueue(n->nic, i)->link_down = link_down;
    }
    qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
    virtio_update_config(vdev);
    if (virtio_vdev_has_feature(vdev, VIRTIO_NET_F_GUEST_ANNOUNCE) &&
        virtio_vdev_has_feature(vdev, VIRTIO_NET_F_CTRL_VQ)) {
        MigrationAnnounceParams p;

        migration_get_announce_params(&p);
        n->announce_rounds = n->announce_round = p.rounds;
        n->announce_initial = p.initial;
        n->announce_max = p.max;
        n->announce_step = p.step;
        if (n->announce_round && n->announce_timer) {
            /* Fires once the VM runs (the virtual clock is stopped). */
            timer_mod_ns(n->announce_timer, clock_get_ns(QEMU_CLOCK_VIRTUAL));
        }
    }
    virtio_net_vhost_update(n);
    virtio_net_update_started(n);
    /* The destination's RARP rounds start from migration/migration.c once
     * the whole stream is loaded, for every NIC. */
    return true;
}

/* ---- the GUEST_ANNOUNCE sequence after migration (QEMU_CLOCK_VIRTUAL) ---- */

static void vnet_announce_timer(void *opaque)
{
    VirtIONet *n = opaque;

    if (n->announce_round <= 0) {
        return;
    }
    n->announce_round--;
    n->status |= VIRTIO_NET_S_ANNOUNCE;
    virtio_update_config(&n->vdev);
    virtio_notify_config(&n->vdev);
}

void virtio_net_announce_ack(VirtIONet *n)
{
    int64_t gap;

    if (n->announce_round <= 0 || !n->announce_timer) {
        return;
    }
    /* The next round only once the guest acknowledged this one. */
    gap = n->announce_initial +
          (n->announce_rounds - n->announce_round - 1) * n->announce_step;
    if (gap < 0 || gap > n->announce_max) {
        gap = n->announce_max;
    }
    timer_mod_ns(n->announce_timer,
                 clock_get_ns(QEMU_CLOCK_VIRTUAL) + gap * 1000000);
}

bool virtio_net_announce_running(VirtIONet *n)
{
    return n->announce_round > 0;
}

/* ---- the Vireo extension: every address the guest uses ---- */

static void vnet_announce_addrs(void *opaque, GArray *macs, GArray *vlans)
{
    VirtIONet *n = opaque;

    g_array_append_vals(macs, n->mac, 6);
    for (uint32_t i = 0; i < n->mac_table.in_use &&
                         i < VIRTIO_NET_MAC_TABLE_ENTRIES; i++) {
        g_array_append_vals(macs, &n->mac_table.macs[i * 6], 6);
    }
    /* Only a VLAN filter the guest manages says which VLANs it is on. */
    if (!virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_VLAN)) {
        return;
    }
    for (uint16_t vid = 1; vid < VIRTIO_NET_MAX_VLAN; vid++) {
        if (n->vlans[vid >> 5] & (1u << (vid & 0x1f))) {
            g_array_append_val(vlans, vid);
        }
    }
}

/* ---- registration ---- */

bool virtio_net_register_migration(VirtIONet *n, const char *path,
                                   Error **errp)
{
    char *idstr = g_strdup_printf("%s/virtio-net", path);
    bool ok = vmstate_register(n->dev, idstr, 0, &vmstate_virtio_net, n,
                               errp);

    g_free(idstr);
    if (!ok) {
        return false;
    }
    n->announce_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, vnet_announce_timer,
                                     n);
    announce_add_nic_addrs(qemu_get_queue(n->nic), vnet_announce_addrs, n);
    return true;
}

void virtio_net_unregister_migration(VirtIONet *n)
{
    savevm_unregister(n);
}

void virtio_net_migration_cleanup(VirtIONet *n)
{
    savevm_unregister(n);
    if (n->nic) {
        announce_del_nic_addrs(qemu_get_queue(n->nic));
    }
    if (n->announce_timer) {
        timer_free(n->announce_timer);
        n->announce_timer = NULL;
    }
    n->announce_round = 0;
}
