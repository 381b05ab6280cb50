/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Split virtqueue parsing against rings laid out in a real guest address
 * space.  The "driver" here is the test writing rings the way a guest
 * does; the device is a minimal virtio device using the real core.
 */
#include <string.h>
#include <glib.h>
#include "hw/virtio/virtio.h"
#include "util/bswap.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1u << 20)
#define QSIZE 8
#define DESC (RAM_BASE + 0x1000)
#define AVAIL (RAM_BASE + 0x2000)
#define USED (RAM_BASE + 0x3000)
#define BUFS (RAM_BASE + 0x10000)

typedef struct Fixture {
    AddressSpace *as;
    MemoryRegion *ram;
    VirtIODevice vdev;
    VirtQueue *vq;
    uint16_t avail_idx;
    int notifies;
    int config_notifies;
} Fixture;

static void test_notify(void *opaque, uint16_t vector)
{
    Fixture *f = opaque;
    if (vector == 0x55) {
        f->config_notifies++;
    } else {
        f->notifies++;
    }
}

static const VirtioTransportOps transport = { .notify = test_notify };
static const VirtioDeviceOps dev_ops = { 0 };

static void put16(Fixture *f, uint64_t pa, uint16_t v)
{
    g_assert_true(address_space_st(f->as, pa, 2, v));
}

static uint64_t get(Fixture *f, uint64_t pa, unsigned size)
{
    uint64_t v;
    g_assert_true(address_space_ld(f->as, pa, size, &v));
    return v;
}

static void put_desc(Fixture *f, uint64_t table, unsigned i, uint64_t addr,
                     uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t b[16];
    stq_le(b, addr);
    stl_le(b + 8, len);
    stw_le(b + 12, flags);
    stw_le(b + 14, next);
    g_assert_true(address_space_write(f->as, table + 16 * i, b, 16));
}

static void offer(Fixture *f, uint16_t head)
{
    put16(f, AVAIL + 4 + 2 * (f->avail_idx % QSIZE), head);
    f->avail_idx++;
    put16(f, AVAIL + 2, f->avail_idx);
}

static void setup(Fixture *f, gconstpointer features)
{
    memset(f, 0, sizeof(*f));
    f->as = address_space_new("test", UINT64_MAX);
    f->ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    g_assert_true(address_space_map(f->as, RAM_BASE, f->ram, &error_abort));
    virtio_init(&f->vdev, "test-virtio", 42, 4, &dev_ops, f);
    f->vdev.dma_as = f->as;
    f->vdev.host_features = ~0ULL;
    f->vdev.config_vector = 0x55;
    virtio_bind_transport(&f->vdev, &transport, f);
    f->vq = virtio_add_queue(&f->vdev, QSIZE, NULL);
    g_assert_true(virtio_set_features(&f->vdev, (uint64_t)(uintptr_t)features));
    virtio_set_status(&f->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK |
                      VIRTIO_CONFIG_S_DRIVER_OK);
    virtio_queue_set_rings(f->vq, DESC, AVAIL, USED);
    virtio_queue_set_ready(f->vq, true);
}

static void teardown(Fixture *f, gconstpointer data)
{
    virtio_cleanup(&f->vdev);
    address_space_free(f->as);
    memory_region_free(f->ram);
}

#define V1 ((gconstpointer)(uintptr_t)(1ULL << VIRTIO_F_VERSION_1))
#define V1_INDIRECT ((gconstpointer)(uintptr_t)(1ULL << VIRTIO_F_VERSION_1 | \
                                   1ULL << VIRTIO_RING_F_INDIRECT_DESC))
#define V1_EVENT ((gconstpointer)(uintptr_t)(1ULL << VIRTIO_F_VERSION_1 | \
                                   1ULL << VIRTIO_RING_F_EVENT_IDX))

static VirtQueueElement *elem_new(void)
{
    return g_malloc0(sizeof(VirtQueueElement));
}

static void test_simple_chain(Fixture *f, gconstpointer d)
{
    VirtQueueElement *e = elem_new();
    const char msg[] = "hello";

    g_assert_true(address_space_write(f->as, BUFS, msg, sizeof(msg)));
    put_desc(f, DESC, 3, BUFS, sizeof(msg), VRING_DESC_F_NEXT, 5);
    put_desc(f, DESC, 5, BUFS + 0x100, 64, VRING_DESC_F_WRITE, 0);
    g_assert_true(virtqueue_empty(f->vq));
    offer(f, 3);
    g_assert_false(virtqueue_empty(f->vq));
    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, 1);
    g_assert_cmpuint(e->index, ==, 3);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->in_num, ==, 1);
    g_assert_cmpstr(e->out_sg[0].iov_base, ==, "hello");
    g_assert_cmpuint(e->in_len, ==, 64);
    memcpy(e->in_sg[0].iov_base, "reply", 6);
    virtqueue_push(f->vq, e, 6);
    /* used ring: idx 1, entry {id 3, len 6} */
    g_assert_cmpuint(get(f, USED + 2, 2), ==, 1);
    g_assert_cmpuint(get(f, USED + 4, 4), ==, 3);
    g_assert_cmpuint(get(f, USED + 8, 4), ==, 6);
    virtio_notify(&f->vdev, f->vq);
    g_assert_cmpint(f->notifies, ==, 1);
    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, 0);
    g_assert_false(f->vdev.broken);
    g_free(e);
}

static void expect_broken(Fixture *f)
{
    VirtQueueElement *e = elem_new();

    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, -1);
    g_assert_true(f->vdev.broken);
    g_assert_true(f->vdev.status & VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_cmpint(f->config_notifies, ==, 1);
    /* Stays broken, no second report, nothing more popped. */
    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, -1);
    g_assert_cmpint(f->config_notifies, ==, 1);
    /* A reset makes it usable again. */
    virtio_reset(&f->vdev);
    g_assert_false(f->vdev.broken);
    g_assert_cmpuint(f->vdev.status, ==, 0);
    g_free(e);
}

static void test_loop(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, BUFS, 16, VRING_DESC_F_NEXT, 1);
    put_desc(f, DESC, 1, BUFS, 16, VRING_DESC_F_NEXT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_head_out_of_range(Fixture *f, gconstpointer d)
{
    offer(f, QSIZE);
    expect_broken(f);
}

static void test_next_out_of_range(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, BUFS, 16, VRING_DESC_F_NEXT, 200);
    offer(f, 0);
    expect_broken(f);
}

static void test_avail_jump(Fixture *f, gconstpointer d)
{
    put16(f, AVAIL + 2, QSIZE + 1);
    expect_broken(f);
}

static void test_buffer_outside_ram(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, RAM_BASE + RAM_SIZE - 8, 16, 0, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_buffer_wraps(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, UINT64_MAX - 4, 16, 0, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_readable_after_writable(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, BUFS, 16, VRING_DESC_F_WRITE | VRING_DESC_F_NEXT, 1);
    put_desc(f, DESC, 1, BUFS, 16, 0, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_rings_outside_memory(Fixture *f, gconstpointer d)
{
    virtio_queue_set_rings(f->vq, DESC, 0x1000, USED);
    expect_broken(f);
}

static void test_indirect(Fixture *f, gconstpointer d)
{
    VirtQueueElement *e = elem_new();
    uint64_t table = RAM_BASE + 0x8000;

    put_desc(f, table, 0, BUFS, 10, VRING_DESC_F_NEXT, 1);
    put_desc(f, table, 1, BUFS + 0x100, 20, VRING_DESC_F_NEXT, 2);
    put_desc(f, table, 2, BUFS + 0x200, 30, VRING_DESC_F_WRITE, 0);
    put_desc(f, DESC, 2, table, 3 * 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 2);
    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, 1);
    g_assert_cmpuint(e->index, ==, 2);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->out_len, ==, 30);
    g_assert_cmpuint(e->in_len, ==, 30);
    g_free(e);
}

static void test_indirect_without_feature(Fixture *f, gconstpointer d)
{
    put_desc(f, RAM_BASE + 0x8000, 0, BUFS, 10, 0, 0);
    put_desc(f, DESC, 0, RAM_BASE + 0x8000, 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_indirect_nested(Fixture *f, gconstpointer d)
{
    uint64_t t1 = RAM_BASE + 0x8000, t2 = RAM_BASE + 0x9000;

    put_desc(f, t2, 0, BUFS, 10, 0, 0);
    put_desc(f, t1, 0, t2, 16, VRING_DESC_F_INDIRECT, 0);
    put_desc(f, DESC, 0, t1, 16, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_indirect_bad_len(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, RAM_BASE + 0x8000, 0, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_indirect_odd_len(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, RAM_BASE + 0x8000, 17, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_indirect_with_next(Fixture *f, gconstpointer d)
{
    put_desc(f, RAM_BASE + 0x8000, 0, BUFS, 10, 0, 0);
    put_desc(f, DESC, 0, RAM_BASE + 0x8000, 16,
             VRING_DESC_F_INDIRECT | VRING_DESC_F_NEXT, 1);
    offer(f, 0);
    expect_broken(f);
}

static void test_indirect_loop(Fixture *f, gconstpointer d)
{
    uint64_t t = RAM_BASE + 0x8000;

    put_desc(f, t, 0, BUFS, 10, VRING_DESC_F_NEXT, 1);
    put_desc(f, t, 1, BUFS, 10, VRING_DESC_F_NEXT, 0);
    put_desc(f, DESC, 0, t, 32, VRING_DESC_F_INDIRECT, 0);
    offer(f, 0);
    expect_broken(f);
}

static void test_no_interrupt_flag(Fixture *f, gconstpointer d)
{
    VirtQueueElement *e = elem_new();

    put_desc(f, DESC, 0, BUFS, 16, VRING_DESC_F_WRITE, 0);
    put16(f, AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
    offer(f, 0);
    g_assert_cmpint(virtqueue_pop(f->vq, e), ==, 1);
    virtqueue_push(f->vq, e, 0);
    virtio_notify(&f->vdev, f->vq);
    g_assert_cmpint(f->notifies, ==, 0);
    g_free(e);
}

static void test_event_idx(Fixture *f, gconstpointer d)
{
    VirtQueueElement *e = elem_new();

    for (int i = 0; i < 4; i++) {
        put_desc(f, DESC, i, BUFS + 64 * i, 16, VRING_DESC_F_WRITE, 0);
        offer(f, i);
    }
    /* The driver wants an interrupt only after the third used entry. */
    put16(f, AVAIL + 4 + 2 * QSIZE, 2);
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(virtqueue_pop(f->vq, e), ==, 1);
        virtqueue_push(f->vq, e, 0);
        virtio_notify(&f->vdev, f->vq);
        /* first push always notifies; then only when used passes 2 */
        g_assert_cmpint(f->notifies, ==, i < 2 ? 1 : 2);
    }
    /* avail_event tells the driver where to kick next. */
    g_assert_cmpuint(get(f, USED + 4 + 8 * QSIZE, 2), ==, 4);
    g_free(e);
}

static void test_avail_bytes(Fixture *f, gconstpointer d)
{
    put_desc(f, DESC, 0, BUFS, 100, VRING_DESC_F_WRITE, 0);
    put_desc(f, DESC, 1, BUFS + 0x100, 100, VRING_DESC_F_WRITE, 0);
    offer(f, 0);
    offer(f, 1);
    g_assert_true(virtqueue_avail_bytes(f->vq, 150, 0));
    g_assert_false(virtqueue_avail_bytes(f->vq, 250, 0));
    /* Peeking consumed nothing. */
    g_assert_false(virtqueue_empty(f->vq));
}

static void add(const char *name, gconstpointer feat,
                void (*fn)(Fixture *, gconstpointer))
{
    g_test_add(name, Fixture, feat, setup, fn, teardown);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    add("/virtqueue/simple-chain", V1, test_simple_chain);
    add("/virtqueue/broken/loop", V1, test_loop);
    add("/virtqueue/broken/head-out-of-range", V1, test_head_out_of_range);
    add("/virtqueue/broken/next-out-of-range", V1, test_next_out_of_range);
    add("/virtqueue/broken/avail-jump", V1, test_avail_jump);
    add("/virtqueue/broken/buffer-outside-ram", V1, test_buffer_outside_ram);
    add("/virtqueue/broken/buffer-wraps", V1, test_buffer_wraps);
    add("/virtqueue/broken/readable-after-writable", V1,
        test_readable_after_writable);
    add("/virtqueue/broken/rings-outside-memory", V1,
        test_rings_outside_memory);
    add("/virtqueue/indirect", V1_INDIRECT, test_indirect);
    add("/virtqueue/broken/indirect-without-feature", V1,
        test_indirect_without_feature);
    add("/virtqueue/broken/indirect-nested", V1_INDIRECT, test_indirect_nested);
    add("/virtqueue/broken/indirect-zero-len", V1_INDIRECT,
        test_indirect_bad_len);
    add("/virtqueue/broken/indirect-odd-len", V1_INDIRECT,
        test_indirect_odd_len);
    add("/virtqueue/broken/indirect-with-next", V1_INDIRECT,
        test_indirect_with_next);
    add("/virtqueue/broken/indirect-loop", V1_INDIRECT, test_indirect_loop);
    add("/virtqueue/no-interrupt-flag", V1, test_no_interrupt_flag);
    add("/virtqueue/event-idx", V1_EVENT, test_event_idx);
    add("/virtqueue/avail-bytes", V1, test_avail_bytes);
    return g_test_run();
}
