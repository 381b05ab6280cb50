/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net control queue.  Each command is {u8 class, u8 cmd, payload}
 * in the driver's buffers, answered by one status byte.  Sizes are checked
 * exactly; on error the device state is unchanged.
 */
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net-internal.h"
#include "util/bswap.h"

#define CTRL_MAX_PAYLOAD (4 + 6 * 2 * 1024 + 8) /* generous bound */

static int ctrl_rx(VirtIONet *n, uint8_t cmd, const uint8_t *p, size_t len)
{
    uint8_t *field;

    if (len != 1) {
        return VIRTIO_NET_ERR;
    }
    switch (cmd) {
    case 0: field = &n->promisc; break;
    case 1: field = &n->allmulti; break;
    case 2: field = &n->alluni; break;
    case 3: field = &n->nomulti; break;
    case 4: field = &n->nouni; break;
    case 5: field = &n->nobcast; break;
    default:
        return VIRTIO_NET_ERR;
    }
    *field = p[0] != 0;
    virtio_net_rx_filter_notify(n);
    return VIRTIO_NET_OK;
}

static int ctrl_mac_table(VirtIONet *n, const uint8_t *p, size_t len)
{
    uint32_t uni, multi, kept_uni = 0;
    uint8_t macs[VIRTIO_NET_MAC_TABLE_ENTRIES * 6];
    uint8_t uni_overflow = 0, multi_overflow = 0;
    uint32_t in_use = 0;

    if (len < 4) {
        return VIRTIO_NET_ERR;
    }
    uni = ldl_le(p);
    p += 4;
    len -= 4;
    if ((uint64_t)uni * 6 > len) {
        return VIRTIO_NET_ERR;
    }
    if (uni <= VIRTIO_NET_MAC_TABLE_ENTRIES) {
        memcpy(macs, p, uni * 6);
        kept_uni = in_use = uni;
    } else {
        uni_overflow = 1;
    }
    p += uni * 6;
    len -= uni * 6;
    if (len < 4) {
        return VIRTIO_NET_ERR;
    }
    multi = ldl_le(p);
    p += 4;
    len -= 4;
    if ((uint64_t)multi * 6 != len) {
        return VIRTIO_NET_ERR;
    }
    if (multi <= VIRTIO_NET_MAC_TABLE_ENTRIES - kept_uni) {
        memcpy(macs + in_use * 6, p, multi * 6);
        in_use += multi;
    } else {
        multi_overflow = 1;
    }
    /* Replace the whole table only now that both blocks were valid. */
    memcpy(n->mac_table.macs, macs, in_use * 6);
    n->mac_table.in_use = in_use;
    n->mac_table.first_multi = kept_uni;
    n->mac_table.uni_overflow = uni_overflow;
    n->mac_table.multi_overflow = multi_overflow;
    virtio_net_rx_filter_notify(n);
    return VIRTIO_NET_OK;
}

static int ctrl_mac(VirtIONet *n, uint8_t cmd, const uint8_t *p, size_t len)
{
    if (cmd == VIRTIO_NET_CTRL_MAC_ADDR_SET) {
        if (len != 6) {
            return VIRTIO_NET_ERR;
        }
        memcpy(n->mac, p, 6);
        qemu_format_nic_info_str(qemu_get_queue(n->nic), n->mac);
        virtio_update_config(&n->vdev);
        virtio_net_rx_filter_notify(n);
        return VIRTIO_NET_OK;
    }
    if (cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET) {
        return ctrl_mac_table(n, p, len);
    }
    return VIRTIO_NET_ERR;
}

static int ctrl_vlan(VirtIONet *n, uint8_t cmd, const uint8_t *p, size_t len)
{
    uint16_t vid;

    if (len != 2) {
        return VIRTIO_NET_ERR;
    }
    vid = lduw_le(p);
    if (vid >= VIRTIO_NET_MAX_VLAN) {
        return VIRTIO_NET_ERR;
    }
    if (cmd == VIRTIO_NET_CTRL_VLAN_ADD) {
        n->vlans[vid >> 5] |= 1u << (vid & 0x1f);
    } else if (cmd == VIRTIO_NET_CTRL_VLAN_DEL) {
        n->vlans[vid >> 5] &= ~(1u << (vid & 0x1f));
    } else {
        return VIRTIO_NET_ERR;
    }
    virtio_net_rx_filter_notify(n);
    return VIRTIO_NET_OK;
}

static int ctrl_announce(VirtIONet *n, uint8_t cmd)
{
    if (cmd != VIRTIO_NET_CTRL_ANNOUNCE_ACK ||
        !(n->status & VIRTIO_NET_S_ANNOUNCE)) {
        return VIRTIO_NET_ERR;
    }
    n->status &= ~VIRTIO_NET_S_ANNOUNCE;
    virtio_update_config(&n->vdev);
    virtio_net_announce_ack(n);
    return VIRTIO_NET_OK;
}

static int ctrl_mq(VirtIONet *n, uint8_t cmd, const uint8_t *p, size_t len)
{
    uint16_t pairs;

    if (cmd != VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET || len < 2 ||
        !virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_MQ) ||
        !n->multiqueue) {
        return VIRTIO_NET_ERR;
    }
    pairs = lduw_le(p);
    if (pairs < 1 || pairs > VIRTIO_NET_VQ_PAIRS_MAX ||
        pairs > n->max_queue_pairs) {
        return VIRTIO_NET_ERR;
    }
    n->curr_queue_pairs = pairs;
    virtio_net_update_started(n);
    virtio_net_set_queue_pairs(n);
    return VIRTIO_NET_OK;
}

static int ctrl_offloads(VirtIONet *n, uint8_t cmd, const uint8_t *p,
                         size_t len)
{
    uint64_t offloads, allowed;

    if (!virtio_vdev_has_feature(&n->vdev, VIRTIO_NET_F_CTRL_GUEST_OFFLOADS) ||
        cmd != VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET || len != 8 ||
        !n->has_vnet_hdr) {
        return VIRTIO_NET_ERR;
    }
    offloads = ldq_le(p);
    allowed = n->vdev.guest_features &
              (1ULL << VIRTIO_NET_F_GUEST_CSUM |
               1ULL << VIRTIO_NET_F_GUEST_TSO4 |
               1ULL << VIRTIO_NET_F_GUEST_TSO6 |
               1ULL << VIRTIO_NET_F_GUEST_ECN | 1ULL << VIRTIO_NET_F_GUEST_UFO |
               1ULL << VIRTIO_NET_F_GUEST_USO4 |
               1ULL << VIRTIO_NET_F_GUEST_USO6);
    if (offloads & ~allowed) {
        return VIRTIO_NET_ERR;
    }
    n->curr_guest_offloads = offloads;
    virtio_net_apply_offloads(n);
    return VIRTIO_NET_OK;
}

static int ctrl_dispatch(VirtIONet *n, const uint8_t *buf, size_t len)
{
    uint8_t cls = buf[0], cmd = buf[1];
    const uint8_t *p = buf + 2;

    len -= 2;
    switch (cls) {
    case VIRTIO_NET_CTRL_RX:
        return ctrl_rx(n, cmd, p, len);
    case VIRTIO_NET_CTRL_MAC:
        return ctrl_mac(n, cmd, p, len);
    case VIRTIO_NET_CTRL_VLAN:
        return ctrl_vlan(n, cmd, p, len);
    case VIRTIO_NET_CTRL_ANNOUNCE:
        return ctrl_announce(n, cmd);
    case VIRTIO_NET_CTRL_MQ:
        return ctrl_mq(n, cmd, p, len);
    case VIRTIO_NET_CTRL_GUEST_OFFLOADS:
        return ctrl_offloads(n, cmd, p, len);
    }
    return VIRTIO_NET_ERR;
}

void virtio_net_handle_ctrl(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIONet *n = vdev->opaque;
    /* Its own element: a command can trigger RX work that uses scratch. */
    VirtQueueElement *elem = g_malloc(sizeof(*elem));

    for (;;) {
        uint8_t *buf, status;
        size_t len;
        int r = virtqueue_pop(vq, elem);

        if (r <= 0) {
            break;
        }
        if (elem->in_len < 1 || elem->out_len < 2) {
            virtio_error(vdev, "virtio-net ctrl missing headers");
            break;
        }
        /* Anything larger than the biggest valid command is an error. */
        len = MIN(elem->out_len, (size_t)CTRL_MAX_PAYLOAD + 1);
        buf = g_malloc(len);
        iov_to_buf(elem->out_sg, elem->out_num, 0, buf, len);
        status = len > CTRL_MAX_PAYLOAD ? VIRTIO_NET_ERR
                                        : ctrl_dispatch(n, buf, len);
        g_free(buf);
        iov_from_buf(elem->in_sg, elem->in_num, 0, &status, 1);
        virtqueue_push(vq, elem, 1);
        virtio_notify(vdev, vq);
    }
    g_free(elem);
}
