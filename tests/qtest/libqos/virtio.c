/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The transport-independent half of the qtest virtio driver. */
#include <string.h>
#include "virtio.h"

/* ---- guest memory ---- */

void qguest_alloc_init(QGuestAlloc *a, uint64_t start, uint64_t end)
{
    a->next = start;
    a->end = end;
}

uint64_t qguest_alloc(QTestState *qts, QGuestAlloc *a, uint64_t size,
                      uint64_t align)
{
    uint64_t addr = (a->next + align - 1) & ~(align - 1);

    g_assert_cmpuint(addr + size, <=, a->end);
    a->next = addr + size;
    if (size) {
        qtest_memset(qts, addr, 0, size);
    }
    return addr;
}

void qvirtio_poll_pause(QTestState *qts)
{
    (void)qts;
    g_usleep(500);
}

/* ---- device ---- */

uint8_t qvirtio_get_status(QVirtioDevice *d)
{
    return d->ops->get_status(d);
}

void qvirtio_set_status(QVirtioDevice *d, uint8_t status)
{
    d->ops->set_status(d, status);
}

void qvirtio_reset(QVirtioDevice *d)
{
    d->ops->set_status(d, 0);
    g_assert_cmphex(d->ops->get_status(d), ==, 0);
    d->features = 0;
}

uint64_t qvirtio_get_features(QVirtioDevice *d)
{
    return d->ops->get_features(d);
}

uint64_t qvirtio_negotiate(QVirtioDevice *d, uint64_t want)
{
    uint8_t st;
    uint64_t f;

    qvirtio_reset(d);
    if (d->msix) {
        /* Reset forgot the config vector; route it again. */
        d->ops->set_config_vector(d, d->config_vector);
        g_assert_cmphex(d->ops->get_config_vector(d), ==, d->config_vector);
    }
    qvirtio_set_status(d, QVIRTIO_S_ACKNOWLEDGE);
    qvirtio_set_status(d, QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER);
    f = qvirtio_get_features(d) & want;
    d->ops->set_features(d, f);
    d->features = f;
    st = QVIRTIO_S_ACKNOWLEDGE | QVIRTIO_S_DRIVER | QVIRTIO_S_FEATURES_OK;
    qvirtio_set_status(d, st);
    /* Legacy devices have no FEATURES_OK; the bit just reads back. */
    g_assert_cmphex(qvirtio_get_status(d), ==, st);
    return f;
}

void qvirtio_driver_ok(QVirtioDevice *d)
{
    uint8_t st = qvirtio_get_status(d) | QVIRTIO_S_DRIVER_OK;

    qvirtio_set_status(d, st);
    g_assert_cmphex(qvirtio_get_status(d), ==, st);
}

uint8_t qvirtio_config_readb(QVirtioDevice *d, uint64_t off)
{
    return d->ops->config_readb(d, off);
}

uint16_t qvirtio_config_readw(QVirtioDevice *d, uint64_t off)
{
    return qvirtio_config_readb(d, off) |
           (uint16_t)qvirtio_config_readb(d, off + 1) << 8;
}

uint32_t qvirtio_config_readl(QVirtioDevice *d, uint64_t off)
{
    return qvirtio_config_readw(d, off) |
           (uint32_t)qvirtio_config_readw(d, off + 2) << 16;
}

void qvirtio_config_writeb(QVirtioDevice *d, uint64_t off, uint8_t v)
{
    d->ops->config_writeb(d, off, v);
}

void qvirtio_free(QVirtioDevice *d)
{
    if (d) {
        d->ops->free(d);
    }
}

/* ---- interrupts ---- */

uint64_t qvirtio_msi_addr(QVirtioDevice *d, uint16_t vector)
{
    return d->msi_base + 4ull * vector;
}

uint32_t qvirtio_msi_data(uint16_t vector)
{
    return 0x1000u | vector;
}

bool qvirtio_msi_take(QVirtioDevice *d, uint16_t vector)
{
    uint64_t addr;
    uint32_t v;

    if (!d->msix || vector == QVIRTIO_NO_VECTOR) {
        return false;
    }
    addr = qvirtio_msi_addr(d, vector);
    v = qtest_readl(d->qts, addr);
    if (!v) {
        return false;
    }
    /* The message must be exactly the one programmed for this vector. */
    g_assert_cmphex(v, ==, qvirtio_msi_data(vector));
    qtest_writel(d->qts, addr, 0);
    return true;
}

bool qvirtio_config_irq_take(QVirtioDevice *d)
{
    if (d->msix) {
        return qvirtio_msi_take(d, d->config_vector);
    }
    return d->ops->get_isr(d) & 2;
}

bool qvirtio_wait_config_irq(QVirtioDevice *d, int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;

    do {
        if (qvirtio_config_irq_take(d)) {
            return true;
        }
        qvirtio_poll_pause(d->qts);
    } while (g_get_monotonic_time() < end);
    return false;
}

/* ---- queues ---- */

/* Split ring sizes (virtio 1.x 2.7). */
static uint64_t avail_size(uint16_t num)
{
    return 6 + 2ull * num;
}

static uint64_t used_size(uint16_t num)
{
    return 6 + 8ull * num;
}

QVirtQueue *qvirtqueue_setup(QVirtioDevice *d, uint16_t index, uint16_t num,
                             uint16_t vector)
{
    QVirtQueue *vq = g_new0(QVirtQueue, 1);
    uint16_t max = d->ops->queue_max(d, index);

    g_assert_cmpuint(max, >, 0);
    vq->dev = d;
    vq->index = index;
    vq->num = num ? num : max;
    vq->vector = d->msix ? vector : QVIRTIO_NO_VECTOR;
    vq->event_idx = d->features & (1ull << QVIRTIO_F_EVENT_IDX);
    vq->indirect = d->features & (1ull << QVIRTIO_F_INDIRECT_DESC);
    if (d->ops->legacy_layout(d)) {
        /* One area: descriptors, avail, then used on the next page. */
        uint64_t used_off = (16ull * vq->num + avail_size(vq->num) + 4095) &
                            ~4095ull;
        vq->desc = qguest_alloc(d->qts, d->alloc,
                                used_off + used_size(vq->num), 4096);
        vq->avail = vq->desc + 16ull * vq->num;
        vq->used = vq->desc + used_off;
    } else {
        vq->desc = qguest_alloc(d->qts, d->alloc, 16ull * vq->num, 16);
        vq->avail = qguest_alloc(d->qts, d->alloc, avail_size(vq->num), 2);
        vq->used = qguest_alloc(d->qts, d->alloc, used_size(vq->num), 4);
    }
    d->ops->queue_setup(d, vq);
    return vq;
}

void qvirtqueue_free(QVirtQueue *vq)
{
    g_free(vq);
}

void qvirtqueue_write_desc(QVirtQueue *vq, uint16_t i, uint64_t addr,
                           uint32_t len, uint16_t flags, uint16_t next)
{
    uint8_t b[16];

    for (int k = 0; k < 8; k++) {
        b[k] = addr >> (8 * k);
    }
    for (int k = 0; k < 4; k++) {
        b[8 + k] = len >> (8 * k);
    }
    b[12] = flags;
    b[13] = flags >> 8;
    b[14] = next;
    b[15] = next >> 8;
    qtest_memwrite(vq->dev->qts, vq->desc + 16ull * i, b, sizeof(b));
}

uint16_t qvirtqueue_add(QVirtQueue *vq, const QVirtBuf *bufs, int n)
{
    uint16_t head = vq->free_head;

    g_assert_cmpint(n, >, 0);
    g_assert_cmpint(n, <=, vq->num);
    for (int i = 0; i < n; i++) {
        uint16_t cur = (head + i) % vq->num;
        uint16_t flags = (bufs[i].write ? QVRING_DESC_F_WRITE : 0) |
                         (i + 1 < n ? QVRING_DESC_F_NEXT : 0);
        qvirtqueue_write_desc(vq, cur, bufs[i].addr, bufs[i].len, flags,
                              (cur + 1) % vq->num);
    }
    vq->free_head = (head + n) % vq->num;
    return head;
}

uint16_t qvirtqueue_add_indirect(QVirtQueue *vq, const QVirtBuf *bufs, int n)
{
    QVirtioDevice *d = vq->dev;
    uint64_t table = qguest_alloc(d->qts, d->alloc, 16ull * n, 16);
    QVirtQueue shadow = { .dev = d, .desc = table, .num = n };
    uint16_t head = vq->free_head;

    /* The table is a chain of its own, starting at entry 0. */
    qvirtqueue_add(&shadow, bufs, n);
    qvirtqueue_write_desc(vq, head, table, 16u * n, QVRING_DESC_F_INDIRECT, 0);
    vq->free_head = (head + 1) % vq->num;
    return head;
}

void qvirtqueue_set_avail_idx(QVirtQueue *vq, uint16_t idx)
{
    qtest_writew(vq->dev->qts, vq->avail + 2, idx);
}

void qvirtqueue_publish(QVirtQueue *vq, uint16_t head)
{
    qtest_writew(vq->dev->qts, vq->avail + 4 + 2ull * (vq->avail_idx %
                                                        vq->num), head);
    vq->avail_idx++;
    qvirtqueue_set_avail_idx(vq, vq->avail_idx);
}

void qvirtqueue_kick(QVirtQueue *vq)
{
    vq->dev->ops->queue_notify(vq->dev, vq);
}

uint16_t qvirtqueue_used_idx(QVirtQueue *vq)
{
    return qtest_readw(vq->dev->qts, vq->used + 2);
}

bool qvirtqueue_get_used(QVirtQueue *vq, uint32_t *id, uint32_t *len)
{
    QTestState *qts = vq->dev->qts;
    uint64_t e;

    if (qvirtqueue_used_idx(vq) == vq->last_used) {
        return false;
    }
    e = vq->used + 4 + 8ull * (vq->last_used % vq->num);
    if (id) {
        *id = qtest_readl(qts, e);
    }
    if (len) {
        *len = qtest_readl(qts, e + 4);
    }
    vq->last_used++;
    if (vq->event_idx) {
        /* used_event: interrupt us for the next entry. */
        qtest_writew(qts, vq->avail + 4 + 2ull * vq->num, vq->last_used);
    }
    return true;
}

bool qvirtqueue_wait_used(QVirtQueue *vq, uint32_t *id, uint32_t *len,
                          int timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * 1000ll;

    do {
        if (qvirtqueue_get_used(vq, id, len)) {
            return true;
        }
        qvirtio_poll_pause(vq->dev->qts);
    } while (g_get_monotonic_time() < end);
    return false;
}

bool qvirtqueue_irq_take(QVirtQueue *vq)
{
    QVirtioDevice *d = vq->dev;

    if (d->msix) {
        return qvirtio_msi_take(d, vq->vector);
    }
    return d->ops->get_isr(d) & 1;
}
