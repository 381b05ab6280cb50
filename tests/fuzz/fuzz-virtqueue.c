/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz split-ring parsing: the input becomes guest RAM holding the
 * descriptor table, avail ring and buffers.  Whatever the guest wrote,
 * popping must terminate, never touch memory outside RAM, and either
 * produce chains inside RAM or mark the device broken.
 */
#include <stdint.h>
#include <string.h>
#include <glib.h>
#include "hw/virtio/virtio.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE 0x10000

static const VirtioDeviceOps ops = { 0 };

static void check_inside(const struct iovec *sg, unsigned n, uint8_t *ram)
{
    for (unsigned i = 0; i < n; i++) {
        uint8_t *p = sg[i].iov_base;
        if (p < ram || p + sg[i].iov_len > ram + RAM_SIZE) {
            __builtin_trap();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static AddressSpace *as;
    static MemoryRegion *ram;
    static VirtQueueElement elem;
    VirtIODevice vdev;
    VirtQueue *vq;
    unsigned qsize;
    uint64_t features;

    if (size < 4) {
        return 0;
    }
    if (!as) {
        as = address_space_new("fuzz", UINT64_MAX);
        ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
        address_space_map(as, RAM_BASE, ram, &error_abort);
    }
    memset(memory_region_ram_ptr(ram), 0, RAM_SIZE);
    memcpy(memory_region_ram_ptr(ram), data + 4, MIN(size - 4, RAM_SIZE));

    virtio_init(&vdev, "fuzz", 1, 0, &ops, NULL);
    vdev.dma_as = as;
    vdev.host_features = ~0ULL;
    qsize = 1u << (data[0] % 11); /* 1..1024 */
    features = 1ULL << VIRTIO_F_VERSION_1;
    if (data[1] & 1) {
        features |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
    }
    if (data[1] & 2) {
        features |= 1ULL << VIRTIO_RING_F_EVENT_IDX;
    }
    virtio_set_features(&vdev, features);
    virtio_set_status(&vdev, VIRTIO_CONFIG_S_DRIVER_OK);
    vq = virtio_add_queue(&vdev, qsize, NULL);
    /* Ring addresses: inside RAM mostly, sometimes straddling its end. */
    virtio_queue_set_rings(vq, RAM_BASE + (data[2] << 8),
                           RAM_BASE + (data[3] << 8) + 0x100,
                           RAM_BASE + RAM_SIZE - 0x40 * (data[1] >> 2));
    virtio_queue_set_ready(vq, true);
    for (int i = 0; i < 64; i++) {
        int r = virtqueue_pop(vq, &elem);
        if (r <= 0) {
            break;
        }
        check_inside(elem.out_sg, elem.out_num, memory_region_ram_ptr(ram));
        check_inside(elem.in_sg, elem.in_num, memory_region_ram_ptr(ram));
        virtqueue_push(vq, &elem, elem.in_len);
        virtio_notify(&vdev, vq);
    }
    virtio_cleanup(&vdev);
    return 0;
}
