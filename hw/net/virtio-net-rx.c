/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-net receive path, receive filter and query-rx-filter. */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net-internal.h"
#include "system/runstate.h"
#include "util/bswap.h"
#include "util/qlist.h"

static VirtIONetQueue *nc_queue(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    return &n->vqs[nc->queue_index];
}

bool virtio_net_can_receive(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIONetQueue *q;

    /* With a vhost back-end owning the rings, nothing comes this way. */
    if (!runstate_is_running() || n->vhost_started ||
        (int)nc->queue_index >= n->curr_queue_pairs) {
        return false;
    }
    q = nc_queue(nc);
    return q->rx_vq && virtio_queue_ready(q->rx_vq) &&
           (n->vdev.status & VIRTIO_CONFIG_S_DRIVER_OK) && !n->vdev.broken;
}

static bool mac_in(const uint8_t *table, uint32_t from, uint32_t to,
                   const uint8_t *mac)
{
    for (uint32_t i = from; i < to; i++) {
        if (!memcmp(table + 6 * i, mac, 6)) {
            return true;
        }
    }
    return false;
}

/* @pkt: the frame without any vnet header; @len its length. */
static bool receive_filter(VirtIONet *n, const uint8_t *pkt, size_t len)
{
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

    if (n->promisc) {
        return true;
    }
    if (len >= 16 && lduw_be(pkt + 12) == 0x8100) {
        uint16_t vid = lduw_be(pkt + 14) & 0xfff;
        if (!(n->vlans[vid >> 5] & (1u << (vid & 0x1f)))) {
            return false;
        }
    }
    if (len < 6) {
        return false;
    }
    if (pkt[0] & 1) {
        if (!memcmp(pkt, bcast, 6)) {
            return !n->nobcast;
        }
        if (n->nomulti) {
            return false;
        }
        if (n->allmulti || n->mac_table.multi_overflow) {
            return true;
        }
        return mac_in(n->mac_table.macs, n->mac_table.first_multi,
                      n->mac_table.in_use, pkt);
    }
    if (n->nouni) {
        return false;
    }
    if (n->alluni || n->mac_table.uni_overflow || !memcmp(pkt, n->mac, 6)) {
        return true;
    }
    return mac_in(n->mac_table.macs, 0, n->mac_table.first_multi, pkt);
}

/* Enough driver buffers for @need bytes? */
static bool has_buffers(VirtIONet *n, VirtIONetQueue *q, size_t need)
{
    if (n->mergeable_rx_bufs) {
        return virtqueue_avail_bytes(q->rx_vq, need, 0);
    }
    return !virtqueue_empty(q->rx_vq);
}

/* Write header + frame into as many buffers as needed. */
static ssize_t fill_buffers(VirtIONet *n, VirtIONetQueue *q,
                            const struct iovec *iov, int iovcnt, size_t size)
{
    VirtQueueElement *elem = n->scratch;
    uint8_t hdr[12] = { 0 };
    size_t host_hdr = n->host_hdr_len, offset, total = 0;
    struct iovec hdr_sg[12]; /* where the first buffer's header lives */
    unsigned hdr_cnt = 0;
    unsigned count = 0;

    /* A header from the backend is passed through; else a zeroed one. */
    if (host_hdr) {
        iov_to_buf(iov, iovcnt, 0, hdr, MIN(host_hdr, sizeof(hdr)));
    }
    offset = host_hdr;
    while (offset < size || count == 0) {
        size_t room, hdr_here = count == 0 ? n->guest_hdr_len : 0, copied;
        int r = virtqueue_pop(q->rx_vq, elem);

        if (r < 0) {
            return size;
        }
        if (r == 0 || elem->in_len < hdr_here + (count == 0 ? 0 : 1)) {
            if (r > 0) {
                virtqueue_unpop(q->rx_vq, 1);
            }
            virtqueue_unpop(q->rx_vq, count);
            return size; /* cannot happen after has_buffers; drop */
        }
        if (count == 0) {
            iov_from_buf(elem->in_sg, elem->in_num, 0, hdr, hdr_here);
            hdr_cnt = iov_copy(hdr_sg, G_N_ELEMENTS(hdr_sg), elem->in_sg,
                               elem->in_num, 0, hdr_here);
        }
        room = elem->in_len - hdr_here;
        copied = 0;
        if (offset < size) {
            /* Straight from the backend's buffers into the guest's. */
            copied = iov_to_iov(elem->in_sg, elem->in_num, hdr_here, iov,
                                iovcnt, offset, MIN(room, size - offset));
        }
        if (!n->mergeable_rx_bufs && offset + copied < size) {
            /* Too big for one buffer without MRG_RXBUF: drop the frame. */
            virtqueue_unpop(q->rx_vq, 1);
            return size;
        }
        virtqueue_fill(q->rx_vq, elem, hdr_here + copied, count);
        offset += copied;
        total += hdr_here + copied;
        count++;
        if (!n->mergeable_rx_bufs) {
            break;
        }
    }
    if (n->guest_hdr_len >= 12) {
        /* num_buffers is at byte 10 even when the header spans buffers. */
        uint8_t le[2];
        stw_le(le, count);
        iov_from_buf(hdr_sg, hdr_cnt, 10, le, 2);
    }
    virtqueue_flush(q->rx_vq, count);
    virtio_notify(&n->vdev, q->rx_vq);
    return size;
}

ssize_t virtio_net_receive_iov(NetClientState *nc, const struct iovec *iov,
                               int iovcnt)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    VirtIONetQueue *q = nc_queue(nc);
    size_t size = iov_size(iov, iovcnt), host_hdr = n->host_hdr_len;
    uint8_t head[64];
    size_t head_len;

    if (!virtio_net_can_receive(nc)) {
        return -1;
    }
    if (size < host_hdr) {
        return size; /* runt: nothing to deliver */
    }
    if (!has_buffers(n, q, size - host_hdr + n->guest_hdr_len)) {
        /* Keep it queued at the sender; the driver's kick flushes it. */
        virtio_queue_set_notification(q->rx_vq, true);
        if (!has_buffers(n, q, size - host_hdr + n->guest_hdr_len)) {
            return 0;
        }
    }
    head_len = iov_to_buf(iov, iovcnt, host_hdr, head, sizeof(head));
    if (!receive_filter(n, head, head_len)) {
        return size; /* consumed, never queued again */
    }
    return fill_buffers(n, q, iov, iovcnt, size);
}

void virtio_net_handle_rx(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = vdev->opaque;
    unsigned pair = virtio_queue_index(vq) / 2;

    if ((int)pair < n->max_queue_pairs) {
        qemu_flush_queued_packets(qemu_get_subqueue(n->nic, pair));
    }
}

void virtio_net_rx_filter_notify(VirtIONet *n)
{
    char *path = g_strdup_printf("%s/virtio-backend", n->dev->path);

    net_rx_filter_changed(qemu_get_queue(n->nic), n->dev->id, path);
    g_free(path);
}

static RxState rx_state(uint8_t none, uint8_t all)
{
    return none ? RX_STATE_NONE : all ? RX_STATE_ALL : RX_STATE_NORMAL;
}

static strList *mac_list(VirtIONet *n, uint32_t from, uint32_t to)
{
    strList *list = NULL;
    char buf[18];

    /* Built by prepending, so the table comes out reversed, as QEMU. */
    for (uint32_t i = from; i < to; i++) {
        qdev_format_mac((const MACAddr *)(n->mac_table.macs + 6 * i), buf);
        QAPI_LIST_PREPEND(list, g_strdup(buf));
    }
    return list;
}

RxFilterInfo *virtio_net_query_rx_filter(NetClientState *nc)
{
    VirtIONet *n = qemu_get_nic_opaque(nc);
    RxFilterInfo *info = g_new0(RxFilterInfo, 1);
    bool ctrl_vlan = virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_VLAN);
    char buf[18];
    int vlans = 0;

    info->promiscuous = n->promisc;
    /* QEMU reports nobcast here (inverted name); tools expect that. */
    info->broadcast_allowed = n->nobcast;
    info->multicast_overflow = n->mac_table.multi_overflow;
    info->unicast_overflow = n->mac_table.uni_overflow;
    info->unicast = rx_state(n->nouni, n->alluni);
    info->multicast = rx_state(n->nomulti, n->allmulti);
    qdev_format_mac((const MACAddr *)n->mac, buf);
    info->main_mac = g_strdup(buf);
    info->unicast_table = mac_list(n, 0, n->mac_table.first_multi);
    info->multicast_table = mac_list(n, n->mac_table.first_multi,
                                     n->mac_table.in_use);
    for (int vid = 0; vid < VIRTIO_NET_MAX_VLAN; vid++) {
        if (!ctrl_vlan || (n->vlans[vid >> 5] & (1u << (vid & 0x1f)))) {
            QAPI_LIST_PREPEND(info->vlan_table, vid);
            vlans++;
        }
    }
    info->vlan = !ctrl_vlan ? RX_STATE_ALL
                 : vlans ? RX_STATE_NORMAL : RX_STATE_NONE;
    return info;
}
