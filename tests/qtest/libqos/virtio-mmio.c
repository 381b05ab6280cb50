/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtio-mmio transport of the qtest virtio driver. */
#include "virtio-mmio.h"

enum {
    R_MAGIC = 0x000, R_VERSION = 0x004, R_DEVICE_ID = 0x008,
    R_DEV_FEATURES = 0x010, R_DEV_FEATURES_SEL = 0x014,
    R_DRV_FEATURES = 0x020, R_DRV_FEATURES_SEL = 0x024,
    R_GUEST_PAGE_SIZE = 0x028, R_QUEUE_SEL = 0x030, R_QUEUE_NUM_MAX = 0x034,
    R_QUEUE_NUM = 0x038, R_QUEUE_ALIGN = 0x03c, R_QUEUE_PFN = 0x040,
    R_QUEUE_READY = 0x044, R_QUEUE_NOTIFY = 0x050, R_INT_STATUS = 0x060,
    R_INT_ACK = 0x064, R_STATUS = 0x070, R_DESC_LO = 0x080,
    R_AVAIL_LO = 0x090, R_USED_LO = 0x0a0, R_CONFIG = 0x100,
};

static QVirtioMMIO *to_mmio(QVirtioDevice *d)
{
    return (QVirtioMMIO *)d;
}

uint32_t qvirtio_mmio_readl(QVirtioMMIO *m, uint32_t off)
{
    return qtest_readl(m->vdev.qts, m->base + off);
}

void qvirtio_mmio_writel(QVirtioMMIO *m, uint32_t off, uint32_t val)
{
    qtest_writel(m->vdev.qts, m->base + off, val);
}

static uint8_t vm_get_status(QVirtioDevice *d)
{
    return qvirtio_mmio_readl(to_mmio(d), R_STATUS);
}

static void vm_set_status(QVirtioDevice *d, uint8_t st)
{
    qvirtio_mmio_writel(to_mmio(d), R_STATUS, st);
}

static uint64_t vm_get_features(QVirtioDevice *d)
{
    QVirtioMMIO *m = to_mmio(d);
    uint64_t f;

    qvirtio_mmio_writel(m, R_DEV_FEATURES_SEL, 0);
    f = qvirtio_mmio_readl(m, R_DEV_FEATURES);
    qvirtio_mmio_writel(m, R_DEV_FEATURES_SEL, 1);
    return f | (uint64_t)qvirtio_mmio_readl(m, R_DEV_FEATURES) << 32;
}

static void vm_set_features(QVirtioDevice *d, uint64_t f)
{
    QVirtioMMIO *m = to_mmio(d);

    qvirtio_mmio_writel(m, R_DRV_FEATURES_SEL, 0);
    qvirtio_mmio_writel(m, R_DRV_FEATURES, f);
    qvirtio_mmio_writel(m, R_DRV_FEATURES_SEL, 1);
    qvirtio_mmio_writel(m, R_DRV_FEATURES, f >> 32);
}

/* The config window takes 32-bit accesses only: read the word around. */
static uint8_t vm_config_readb(QVirtioDevice *d, uint64_t off)
{
    uint32_t w = qvirtio_mmio_readl(to_mmio(d), R_CONFIG + (off & ~3ull));
    return w >> (8 * (off & 3));
}

static void vm_config_writeb(QVirtioDevice *d, uint64_t off, uint8_t v)
{
    QVirtioMMIO *m = to_mmio(d);
    uint32_t w = qvirtio_mmio_readl(m, R_CONFIG + (off & ~3ull));
    unsigned sh = 8 * (off & 3);

    w = (w & ~(0xffu << sh)) | (uint32_t)v << sh;
    qvirtio_mmio_writel(m, R_CONFIG + (off & ~3ull), w);
}

static uint8_t vm_get_isr(QVirtioDevice *d)
{
    QVirtioMMIO *m = to_mmio(d);
    uint32_t isr = qvirtio_mmio_readl(m, R_INT_STATUS);

    qvirtio_mmio_writel(m, R_INT_ACK, isr);
    return isr;
}

static uint16_t vm_queue_max(QVirtioDevice *d, uint16_t index)
{
    QVirtioMMIO *m = to_mmio(d);

    qvirtio_mmio_writel(m, R_QUEUE_SEL, index);
    return qvirtio_mmio_readl(m, R_QUEUE_NUM_MAX);
}

static uint16_t vm_num_queues(QVirtioDevice *d)
{
    uint16_t n = 0;

    while (n < 1024 && vm_queue_max(d, n)) {
        n++;
    }
    return n;
}

static void write_pair(QVirtioMMIO *m, uint32_t off, uint64_t v)
{
    qvirtio_mmio_writel(m, off, (uint32_t)v);
    qvirtio_mmio_writel(m, off + 4, v >> 32);
}

static void vm_queue_setup(QVirtioDevice *d, QVirtQueue *vq)
{
    QVirtioMMIO *m = to_mmio(d);

    qvirtio_mmio_writel(m, R_QUEUE_SEL, vq->index);
    qvirtio_mmio_writel(m, R_QUEUE_NUM, vq->num);
    if (m->version == 1) {
        qvirtio_mmio_writel(m, R_QUEUE_ALIGN, 4096);
        qvirtio_mmio_writel(m, R_QUEUE_PFN, vq->desc >> 12);
        g_assert_cmphex(qvirtio_mmio_readl(m, R_QUEUE_PFN), ==,
                        vq->desc >> 12);
        return;
    }
    write_pair(m, R_DESC_LO, vq->desc);
    write_pair(m, R_AVAIL_LO, vq->avail);
    write_pair(m, R_USED_LO, vq->used);
    qvirtio_mmio_writel(m, R_QUEUE_READY, 1);
    g_assert_cmpuint(qvirtio_mmio_readl(m, R_QUEUE_READY), ==, 1);
}

static void vm_queue_notify(QVirtioDevice *d, QVirtQueue *vq)
{
    qvirtio_mmio_writel(to_mmio(d), R_QUEUE_NOTIFY, vq->index);
}

static void vm_set_config_vector(QVirtioDevice *d, uint16_t vector)
{
    (void)d;
    (void)vector; /* no vectors on MMIO */
}

static uint16_t vm_get_config_vector(QVirtioDevice *d)
{
    (void)d;
    return QVIRTIO_NO_VECTOR;
}

static bool vm_legacy_layout(QVirtioDevice *d)
{
    return to_mmio(d)->version == 1;
}

static void vm_free(QVirtioDevice *d)
{
    g_free(to_mmio(d));
}

static const QVirtioOps virtio_mmio_ops = {
    .get_status = vm_get_status,
    .set_status = vm_set_status,
    .get_features = vm_get_features,
    .set_features = vm_set_features,
    .config_readb = vm_config_readb,
    .config_writeb = vm_config_writeb,
    .get_isr = vm_get_isr,
    .num_queues = vm_num_queues,
    .queue_max = vm_queue_max,
    .queue_setup = vm_queue_setup,
    .queue_notify = vm_queue_notify,
    .set_config_vector = vm_set_config_vector,
    .get_config_vector = vm_get_config_vector,
    .legacy_layout = vm_legacy_layout,
    .free = vm_free,
};

QVirtioMMIO *qvirtio_mmio_new(QTestState *qts, uint64_t base,
                              QGuestAlloc *alloc)
{
    QVirtioMMIO *m = g_new0(QVirtioMMIO, 1);

    m->base = base;
    m->vdev.qts = qts;
    m->vdev.ops = &virtio_mmio_ops;
    m->vdev.alloc = alloc;
    m->vdev.config_vector = QVIRTIO_NO_VECTOR;
    m->vdev.opaque = m;
    g_assert_cmphex(qvirtio_mmio_readl(m, R_MAGIC), ==, QVIRTIO_MMIO_MAGIC);
    m->version = qvirtio_mmio_readl(m, R_VERSION);
    g_assert_true(m->version == 1 || m->version == 2);
    m->vdev.device_id = qvirtio_mmio_readl(m, R_DEVICE_ID);
    if (m->version == 1) {
        qvirtio_mmio_writel(m, R_GUEST_PAGE_SIZE, 4096);
    }
    return m;
}
