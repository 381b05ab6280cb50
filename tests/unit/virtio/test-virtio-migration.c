/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The virtio core's migration state (virtio_save/virtio_load) through an
 * in-memory QEMUFile: a round trip between two devices sharing one guest
 * RAM, QEMU's byte layout at the start of the stream, and every hostile
 * value the loader must refuse (or mark the device broken for).
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

/* A tiny device with two queues and a one-field vmsd of its own. */
typedef struct TestDev {
    VirtIODevice vdev;
    uint32_t counter;
    int post_loads;
} TestDev;

static const VMStateDescription vmstate_testdev = {
    .name = "test-device",
    .version_id = 1,
    .minimum_version_id = 1,
    .fields = (const VMStateField[]){
        VMSTATE_UINT32(counter, TestDev),
        VMSTATE_END_OF_LIST,
    },
};

static bool testdev_post_load(VirtIODevice *vdev, Error **errp)
{
    ((TestDev *)vdev->opaque)->post_loads++;
    return true;
}

static const VirtioDeviceOps dev_ops = {
    .vmsd = &vmstate_testdev,
    .post_load = testdev_post_load,
};

static AddressSpace *as;
static MemoryRegion *ram;

static void put16(uint64_t pa, uint16_t v)
{
    g_assert_true(address_space_st(as, pa, 2, v));
}

static void dev_init(TestDev *d)
{
    virtio_init(&d->vdev, "test-virtio", 42, 4, &dev_ops, d);
    d->vdev.dma_as = as;
    d->vdev.host_features = 0xffffffffULL | 1ULL << 40;
    virtio_add_queue(&d->vdev, QSIZE, NULL);
    virtio_add_queue(&d->vdev, QSIZE, NULL);
}

/* A driver state: queue 0 live with @avail_idx/@used_idx in the rings. */
static void dev_drive(TestDev *d, uint64_t features, uint16_t last_avail,
                      uint16_t avail_idx, uint16_t used_idx)
{
    VirtQueue *vq = virtio_get_queue(&d->vdev, 0);

    g_assert_true(virtio_set_features(&d->vdev, features));
    d->vdev.status = VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK;
    d->vdev.isr = 1;
    d->vdev.queue_sel = 1;
    d->vdev.config[0] = 0xab;
    d->counter = 0x12345678;
    virtio_queue_set_num(vq, 4);
    virtio_queue_set_rings(vq, DESC, AVAIL, USED);
    virtio_queue_set_ready(vq, true);
    virtio_queue_set_last_avail_idx(vq, last_avail);
    put16(AVAIL + 2, avail_idx);
    put16(USED + 2, used_idx);
    virtio_queue_set_last_avail_idx(vq, last_avail);
}

static uint8_t *save_stream(TestDev *d, size_t *len)
{
    QEMUFile *f = qemu_file_new_mem_output();
    const uint8_t *data;
    uint8_t *copy;

    g_assert_true(virtio_save(&d->vdev, f, &error_abort));
    data = qemu_file_mem_data(f, len);
    copy = g_memdup2(data, *len);
    qemu_fclose(f);
    return copy;
}

/* Load @data into a fresh device; returns the error (NULL on success). */
static Error *load_stream(TestDev *d, const uint8_t *data, size_t len)
{
    QEMUFile *f = qemu_file_new_mem_input(data, len);
    Error *err = NULL;

    dev_init(d);
    virtio_load(&d->vdev, f, 1, &err);
    qemu_fclose(f);
    return err;
}

static void setup(void)
{
    as = address_space_new("test", UINT64_MAX);
    ram = memory_region_new_ram("ram", RAM_SIZE, &error_abort);
    g_assert_true(address_space_map(as, RAM_BASE, ram, &error_abort));
}

static void teardown(void)
{
    address_space_free(as);
    memory_region_free(ram);
}

#define FEAT_V1 (1ULL << VIRTIO_F_VERSION_1 | 1ULL << 3)

static void test_round_trip(void)
{
    TestDev src = { 0 }, dst = { 0 };
    uint8_t *data;
    size_t len;
    Error *err;
    VirtQueue *vq;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1 | 1ULL << 40, 7, 9, 5);
    data = save_stream(&src, &len);
    /* QEMU's layout: status, isr, be16 queue_sel, be32 features low. */
    g_assert_cmpuint(data[0], ==, src.vdev.status);
    g_assert_cmpuint(data[1], ==, 1);
    g_assert_cmpuint(data[2] << 8 | data[3], ==, 1);
    g_assert_cmpuint(ldl_be(data + 4), ==, 8);
    g_assert_cmpuint(ldl_be(data + 8), ==, 4);          /* config_len */
    g_assert_cmpuint(data[12], ==, 0xab);
    g_assert_cmpuint(ldl_be(data + 16), ==, 2);         /* vq count */
    g_assert_cmpuint(ldl_be(data + 20), ==, 4);         /* vq 0 num */
    g_assert_cmpuint(((uint64_t)ldl_be(data + 24) << 32 | ldl_be(data + 28)), ==, DESC);
    g_assert_cmpuint(data[32] << 8 | data[33], ==, 7);  /* last_avail */
    g_assert_nonnull(memmem(data, len, "virtio/64bit_features", 21));
    g_assert_nonnull(memmem(data, len, "virtio/virtqueues", 17));
    g_assert_nonnull(memmem(data, len, "virtio/ringsize", 15));
    g_assert_nonnull(memmem(data, len, "virtio/started", 14));

    err = load_stream(&dst, data, len);
    g_assert_null(err);
    g_assert_cmpuint(dst.vdev.status, ==, src.vdev.status);
    g_assert_cmpuint(dst.vdev.guest_features, ==, FEAT_V1 | 1ULL << 40);
    g_assert_cmpuint(dst.vdev.queue_sel, ==, 1);
    g_assert_cmpuint(dst.counter, ==, 0x12345678);
    g_assert_cmpint(dst.post_loads, ==, 1);
    g_assert_false(dst.vdev.broken);
    vq = virtio_get_queue(&dst.vdev, 0);
    g_assert_cmpuint(virtio_queue_get_num(vq), ==, 4);
    g_assert_cmpuint(virtio_queue_get_avail(vq), ==, AVAIL);
    g_assert_cmpuint(virtio_queue_get_used(vq), ==, USED);
    g_assert_cmpuint(virtio_queue_get_last_avail_idx(vq), ==, 7);
    g_assert_true(virtio_queue_ready(vq));
    virtio_cleanup(&src.vdev);
    virtio_cleanup(&dst.vdev);
    g_free(data);
    teardown();
}

/* Corrupt the stream at @off with @val (be32 when @wide), expect @msg. */
static void expect_error(size_t off, uint32_t val, int width, const char *msg)
{
    TestDev src = { 0 }, dst = { 0 };
    uint8_t *data;
    size_t len;
    Error *err;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1, 7, 9, 5);
    data = save_stream(&src, &len);
    if (width == 4) {
        stl_be(data + off, val);
    } else if (width == 2) {
        data[off] = val >> 8;
        data[off + 1] = val;
    } else if (width == 1) {
        data[off] = val;
    }
    err = load_stream(&dst, data, len);
    g_assert_nonnull(err);
    if (!strstr(error_get_pretty(err), msg)) {
        g_printerr("got: %s\n", error_get_pretty(err));
    }
    g_assert_nonnull(strstr(error_get_pretty(err), msg));
    error_free(err);
    virtio_cleanup(&src.vdev);
    virtio_cleanup(&dst.vdev);
    g_free(data);
    teardown();
}

static void test_bad_values(void)
{
    expect_error(2, 1024, 2, "queue_sel 1024 is out of range");
    expect_error(16, 0x401, 4, "Invalid number of virtqueues: 0x401");
    expect_error(16, 3, 4, "3 virtqueues in the stream, the device has 2");
    expect_error(20, 16, 4, "VQ 0 size 0x10 is not a power of 2 up to 0x8");
    expect_error(20, 3, 4, "VQ 0 size 0x3");
    expect_error(20, 0, 4, "VQ 0 size 0x0");
}

/* Save @src and load the stream into a fresh @dst: the load's error. */
static Error *migrate_once(TestDev *src, TestDev *dst)
{
    size_t len;
    uint8_t *data = save_stream(src, &len);
    Error *err = load_stream(dst, data, len);

    g_free(data);
    return err;
}

static void finish(TestDev *src, TestDev *dst)
{
    virtio_cleanup(&src->vdev);
    virtio_cleanup(&dst->vdev);
    teardown();
}

/* The driver's avail index moved too far: QEMU marks the device broken. */
static void test_avail_inconsistent(void)
{
    TestDev src = { 0 }, dst = { 0 };

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1, 7, 7 + 5, 5);  /* 5 new > ring size 4 */
    g_assert_null(migrate_once(&src, &dst));
    g_assert_true(dst.vdev.broken);
    finish(&src, &dst);
}

/* last_avail_idx - used_idx beyond the ring: the load fails. */
static void test_inuse_too_big(void)
{
    TestDev src = { 0 }, dst = { 0 };
    Error *err;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1, 7, 7, 1);      /* 6 in flight, ring of 4 */
    err = migrate_once(&src, &dst);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "VQ 0 size 0x4 < last_avail_idx 0x7 - used_idx 0x1");
    error_free(err);
    finish(&src, &dst);
}

/* Rings outside guest RAM: broken, as QEMU's "Cannot map". */
static void test_rings_outside_ram(void)
{
    TestDev src = { 0 }, dst = { 0 };

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1, 0, 0, 0);
    virtio_queue_set_rings(virtio_get_queue(&src.vdev, 0), 0x1000, AVAIL,
                           USED);
    g_assert_null(migrate_once(&src, &dst));
    g_assert_true(dst.vdev.broken);
    finish(&src, &dst);
}

static void test_desc_zero_with_index(void)
{
    TestDev src = { 0 }, dst = { 0 };
    Error *err;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1, 3, 3, 3);
    virtio_queue_set_rings(virtio_get_queue(&src.vdev, 0), 0, 0, 0);
    err = migrate_once(&src, &dst);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "VQ 0 address 0x0 inconsistent with Host index 0x3");
    error_free(err);
    finish(&src, &dst);
}

static void test_unsupported_features(void)
{
    TestDev src = { 0 }, dst = { 0 };
    uint8_t *data;
    size_t len;
    Error *err = NULL;
    QEMUFile *f;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1 | 1ULL << 40, 0, 0, 0);
    data = save_stream(&src, &len);
    f = qemu_file_new_mem_input(data, len);
    dev_init(&dst);
    dst.vdev.host_features = 0xffffffffULL; /* no bit 40 here */
    virtio_load(&dst.vdev, f, 1, &err);
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(error_get_pretty(err), "Features 0x10100000008 "
                            "unsupported. Allowed features: 0x1ffffffff"));
    error_free(err);
    qemu_fclose(f);
    virtio_cleanup(&src.vdev);
    virtio_cleanup(&dst.vdev);
    g_free(data);
    teardown();
}

/* Every truncation is a clean error. */
static void test_truncated(void)
{
    TestDev src = { 0 };
    uint8_t *data;
    size_t len;

    setup();
    dev_init(&src);
    dev_drive(&src, FEAT_V1 | 1ULL << 40, 7, 9, 5);
    data = save_stream(&src, &len);
    for (size_t cut = 0; cut < len; cut++) {
        TestDev dst = { 0 };
        Error *err = load_stream(&dst, data, cut);
        /* Cutting off trailing optional subsections may still load. */
        if (err) {
            error_free(err);
        }
        virtio_cleanup(&dst.vdev);
    }
    virtio_cleanup(&src.vdev);
    g_free(data);
    teardown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-migration/round-trip", test_round_trip);
    g_test_add_func("/virtio-migration/bad-values", test_bad_values);
    g_test_add_func("/virtio-migration/avail-inconsistent",
                    test_avail_inconsistent);
    g_test_add_func("/virtio-migration/inuse-too-big", test_inuse_too_big);
    g_test_add_func("/virtio-migration/rings-outside-ram",
                    test_rings_outside_ram);
    g_test_add_func("/virtio-migration/desc-zero", test_desc_zero_with_index);
    g_test_add_func("/virtio-migration/unsupported-features",
                    test_unsupported_features);
    g_test_add_func("/virtio-migration/truncated", test_truncated);
    return g_test_run();
}
