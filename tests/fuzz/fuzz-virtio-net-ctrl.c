/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz the virtio-net control queue: each input is one command (class,
 * cmd, payload) placed in guest RAM and kicked through a real virtio-net.
 * Every command must be answered OK or ERR (or mark the device broken),
 * and the MAC table and VLAN state must stay within bounds.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "hw/net/virtio-net.h"
#include "util/bswap.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x40000
#define DESC (RAM_BASE + 0x0000)
#define AVAIL (RAM_BASE + 0x1000)
#define USED (RAM_BASE + 0x2000)
#define CMD (RAM_BASE + 0x3000)
#define STATUS (RAM_BASE + 0x2f000)

static VirtIONet *net;
static DeviceState *dev;
static MemoryRegion *ram;

static void setup(void)
{
    memory_init();
    ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    address_space_map(address_space_memory, RAM_BASE, ram, &error_abort);
    dev = g_new0(DeviceState, 1);
    dev->path = g_strdup("/machine/peripheral-anon/device[0]");
    net = g_new0(VirtIONet, 1);
    net->conf.host_features = ~0ULL & ~(1ULL << VIRTIO_F_RING_PACKED);
    net->conf.rx_queue_size = 256;
    net->conf.tx_queue_size = 256;
    net->conf.txburst = 256;
    net->conf.speed = -1;
    if (!virtio_net_realize(net, dev, "virtio-net-device",
                            "virtio-net-device", &error_abort)) {
        __builtin_trap();
    }
}

static void put_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                     uint16_t next)
{
    uint8_t b[16];
    stq_le(b, addr);
    stl_le(b + 8, len);
    stw_le(b + 12, flags);
    stw_le(b + 14, next);
    address_space_write(address_space_memory, DESC + 16 * i, b, 16);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VirtIODevice *vdev;
    VirtQueue *ctrl;
    uint64_t status = 0xaa, used_idx;
    size_t len;

    if (size < 9) {
        return 0;
    }
    if (!net) {
        setup();
    }
    vdev = &net->vdev;
    virtio_reset(vdev);
    virtio_set_features(vdev, ldq_le(data) | 1ULL << VIRTIO_NET_F_CTRL_VQ |
                                  1ULL << VIRTIO_F_VERSION_1);
    virtio_set_status(vdev, VIRTIO_CONFIG_S_DRIVER_OK);
    ctrl = net->ctrl_vq;
    virtio_queue_set_rings(ctrl, DESC, AVAIL, USED);
    virtio_queue_set_ready(ctrl, true);

    len = MIN(size - 8, (size_t)(STATUS - CMD));
    address_space_write(address_space_memory, CMD, data + 8, len);
    address_space_st(address_space_memory, STATUS, 1, 0xaa);
    put_desc(0, CMD, len, VRING_DESC_F_NEXT, 1);
    put_desc(1, STATUS, 1, VRING_DESC_F_WRITE, 0);
    address_space_st(address_space_memory, AVAIL + 4, 2, 0);
    address_space_st(address_space_memory, AVAIL + 2, 2, 1);
    virtio_queue_notify(vdev, virtio_queue_index(ctrl));

    address_space_ld(address_space_memory, STATUS, 1, &status);
    address_space_ld(address_space_memory, USED + 2, 2, &used_idx);
    if (!vdev->broken && (used_idx != 1 || status > 1)) {
        __builtin_trap(); /* every command gets exactly one answer */
    }
    if (net->mac_table.in_use > VIRTIO_NET_MAC_TABLE_ENTRIES ||
        net->mac_table.first_multi > net->mac_table.in_use ||
        net->curr_queue_pairs < 1 ||
        net->curr_queue_pairs > net->max_queue_pairs) {
        __builtin_trap();
    }
    return 0;
}
