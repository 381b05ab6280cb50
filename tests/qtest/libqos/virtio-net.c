/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The virtio-net part of the qtest virtio driver. */
#include <string.h>
#include "virtio-net.h"

#define CTRL_TIMEOUT_MS 3000

uint64_t qvnet_default_features(void)
{
    return 1ull << QVIRTIO_F_VERSION_1 | 1ull << QVIRTIO_F_INDIRECT_DESC |
           1ull << QVIRTIO_F_EVENT_IDX | 1ull << QVNET_F_MAC |
           1ull << QVNET_F_MRG_RXBUF | 1ull << QVNET_F_STATUS |
           1ull << QVNET_F_CTRL_VQ | 1ull << QVNET_F_CTRL_RX |
           1ull << QVNET_F_CTRL_VLAN | 1ull << QVNET_F_CTRL_RX_EXTRA |
           1ull << QVNET_F_CTRL_MAC_ADDR | 1ull << QVNET_F_MQ |
           1ull << QVNET_F_MTU | 1ull << QVNET_F_SPEED_DUPLEX;
}

static void queue_init(QVnetQueue *q, QVirtioDevice *dev, uint16_t index,
                       uint16_t vector)
{
    q->vq = qvirtqueue_setup(dev, index, 0, vector);
    q->addr = g_new0(uint64_t, q->vq->num);
    q->len = g_new0(uint32_t, q->vq->num);
}

QVirtioNet *qvnet_init(QVirtioDevice *dev, uint64_t want, int pairs)
{
    QVirtioNet *n = g_new0(QVirtioNet, 1);
    uint64_t f = qvirtio_negotiate(dev, want);
    bool mq = f & (1ull << QVNET_F_MQ);
    bool mrg = f & (1ull << QVNET_F_MRG_RXBUF);

    n->dev = dev;
    n->max_pairs = mq ? qvirtio_config_readw(dev, 8) : 1;
    n->pairs = mq ? pairs : 1;
    g_assert_cmpint(n->pairs, <=, n->max_pairs);
    g_assert_cmpint(n->pairs, <=, QVNET_MAX_PAIRS);
    n->hdr_len = (f & (1ull << QVIRTIO_F_VERSION_1)) || mrg ? 12 : 10;
    for (int i = 0; i < n->pairs; i++) {
        queue_init(&n->rx[i], dev, 2 * i, 1 + 2 * i);
        queue_init(&n->tx[i], dev, 2 * i + 1, 2 + 2 * i);
    }
    if (f & (1ull << QVNET_F_CTRL_VQ)) {
        n->ctrl = qvirtqueue_setup(dev, 2 * n->max_pairs, 0,
                                   2 * n->max_pairs + 1);
    }
    qvirtio_driver_ok(dev);
    return n;
}

void qvnet_free(QVirtioNet *n)
{
    for (int i = 0; i < n->pairs; i++) {
        QVnetQueue *qs[2] = { &n->rx[i], &n->tx[i] };
        for (int k = 0; k < 2; k++) {
            g_free(qs[k]->addr);
            g_free(qs[k]->len);
            qvirtqueue_free(qs[k]->vq);
        }
    }
    if (n->ctrl) {
        qvirtqueue_free(n->ctrl);
    }
    g_free(n);
}

static void post_one(QVirtioNet *n, QVnetQueue *q, uint64_t addr,
                     uint32_t size)
{
    QVirtBuf b = { .addr = addr, .len = size, .write = true };
    uint16_t head = qvirtqueue_add(q->vq, &b, 1);

    q->addr[head] = addr;
    q->len[head] = size;
    qvirtqueue_publish(q->vq, head);
    (void)n;
}

void qvnet_post_rx(QVirtioNet *n, int q, int count, uint32_t size)
{
    QVirtioDevice *d = n->dev;

    g_assert_cmpint(q, <, n->pairs);
    for (int i = 0; i < count; i++) {
        post_one(n, &n->rx[q], qguest_alloc(d->qts, d->alloc, size, 64), size);
    }
    n->repost_size = size;
    qvirtqueue_kick(n->rx[q].vq);
}

uint16_t qvnet_send_nowait(QVirtioNet *n, int q, const void *frame,
                           size_t len)
{
    QVirtioDevice *d = n->dev;
    uint64_t buf = qguest_alloc(d->qts, d->alloc, n->hdr_len + len, 64);
    QVirtBuf b = { .addr = buf, .len = n->hdr_len + len, .write = false };
    uint16_t head;

    g_assert_cmpint(q, <, n->pairs);
    /* The header is zeroed by the allocator: no offloads, GSO_NONE. */
    qtest_bufwrite(d->qts, buf + n->hdr_len, frame, len);
    head = qvirtqueue_add(n->tx[q].vq, &b, 1);
    qvirtqueue_publish(n->tx[q].vq, head);
    qvirtqueue_kick(n->tx[q].vq);
    return head;
}

bool qvnet_send(QVirtioNet *n, int q, const void *frame, size_t len)
{
    uint16_t head = qvnet_send_nowait(n, q, frame, len);
    uint32_t id, used_len;

    if (!qvirtqueue_wait_used(n->tx[q].vq, &id, &used_len,
                              QVIRTIO_TIMEOUT_MS)) {
        return false;
    }
    g_assert_cmpuint(id, ==, head);
    return true;
}

/* Copy @len bytes of the buffer behind used entry @id from @skip on. */
static size_t take_buffer(QVirtioNet *n, QVnetQueue *q, uint32_t id,
                          uint32_t len, size_t skip, uint8_t *out,
                          size_t room)
{
    size_t k;

    g_assert_cmpuint(id, <, q->vq->num);
    g_assert_cmpuint(len, <=, q->len[id]);
    g_assert_cmpuint(len, >=, skip);
    k = MIN(len - skip, room);
    if (k) {
        qtest_bufread(n->dev->qts, q->addr[id] + skip, out, k);
    }
    if (n->repost) {
        post_one(n, q, q->addr[id], q->len[id]);
        qvirtqueue_kick(q->vq);
    }
    return k;
}

int qvnet_recv(QVirtioNet *n, int q, uint8_t *frame, size_t max,
               uint16_t *num_buffers, int timeout_ms)
{
    QVnetQueue *rq = &n->rx[q];
    uint32_t id, len;
    uint8_t hdr[12] = { 0 };
    uint16_t nb = 1;
    size_t got;

    if (!qvirtqueue_wait_used(rq->vq, &id, &len, timeout_ms)) {
        return -1;
    }
    g_assert_cmpuint(len, >=, n->hdr_len);
    qtest_bufread(n->dev->qts, rq->addr[id], hdr, n->hdr_len);
    if (n->hdr_len == 12) {
        nb = hdr[10] | hdr[11] << 8;
    }
    if (num_buffers) {
        *num_buffers = nb;
    }
    got = take_buffer(n, rq, id, len, n->hdr_len, frame, max);
    /* With MRG_RXBUF the rest of the frame is in the next entries. */
    for (uint16_t i = 1; i < nb &&
         (n->dev->features & (1ull << QVNET_F_MRG_RXBUF)); i++) {
        g_assert_true(qvirtqueue_wait_used(rq->vq, &id, &len, timeout_ms));
        got += take_buffer(n, rq, id, len, 0, frame + got, max - got);
    }
    return got;
}

bool qvnet_rx_idle(QVirtioNet *n, int q, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000ll;

    do {
        if (qvirtqueue_used_idx(n->rx[q].vq) != n->rx[q].vq->last_used) {
            return false;
        }
        qvirtio_poll_pause(n->dev->qts);
    } while (g_get_monotonic_time() < end);
    return true;
}

int qvnet_ctrl(QVirtioNet *n, uint8_t cls, uint8_t cmd, const void *data,
               size_t len)
{
    QVirtioDevice *d = n->dev;
    uint64_t hdr = qguest_alloc(d->qts, d->alloc, 2, 2);
    uint64_t ack = qguest_alloc(d->qts, d->alloc, 1, 1);
    uint64_t payload = 0;
    uint8_t h[2] = { cls, cmd };
    QVirtBuf bufs[3];
    int nb = 0;
    uint32_t id;

    g_assert_nonnull(n->ctrl);
    qtest_bufwrite(d->qts, hdr, h, 2);
    qtest_writeb(d->qts, ack, 0xee);
    bufs[nb++] = (QVirtBuf){ .addr = hdr, .len = 2 };
    if (len) {
        payload = qguest_alloc(d->qts, d->alloc, len, 8);
        qtest_bufwrite(d->qts, payload, data, len);
        bufs[nb++] = (QVirtBuf){ .addr = payload, .len = len };
    }
    bufs[nb++] = (QVirtBuf){ .addr = ack, .len = 1, .write = true };
    qvirtqueue_publish(n->ctrl, qvirtqueue_add(n->ctrl, bufs, nb));
    qvirtqueue_kick(n->ctrl);
    if (!qvirtqueue_wait_used(n->ctrl, &id, NULL, CTRL_TIMEOUT_MS)) {
        return -1;
    }
    return qtest_readb(d->qts, ack);
}

void qvnet_config_mac(QVirtioNet *n, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        mac[i] = qvirtio_config_readb(n->dev, i);
    }
}

uint16_t qvnet_config_status(QVirtioNet *n)
{
    return qvirtio_config_readw(n->dev, 6);
}

void qvnet_fill_rx(QVirtioNet *n, int q, uint32_t size)
{
    QVirtioDevice *d = n->dev;
    QVnetQueue *rq = &n->rx[q];
    QVirtQueue *vq = rq->vq;
    uint16_t num = vq->num;
    uint64_t base = qguest_alloc(d->qts, d->alloc, (uint64_t)size * num, 64);
    g_autofree uint8_t *desc = g_malloc0(16u * num);
    g_autofree uint8_t *ring = g_malloc0(2u * num);

    g_assert_cmpint(q, <, n->pairs);
    /* Only a ring nothing was posted on: descriptor i is buffer i. */
    g_assert_cmpuint(vq->avail_idx, ==, 0);
    g_assert_cmpuint(vq->free_head, ==, 0);
    for (uint16_t i = 0; i < num; i++) {
        uint64_t addr = base + (uint64_t)size * i;
        uint8_t *dp = desc + 16u * i;
        for (int k = 0; k < 8; k++) {
            dp[k] = addr >> (8 * k);
        }
        for (int k = 0; k < 4; k++) {
            dp[8 + k] = size >> (8 * k);
        }
        dp[12] = QVRING_DESC_F_WRITE;
        ring[2 * i] = i;
        ring[2 * i + 1] = i >> 8;
        rq->addr[i] = addr;
        rq->len[i] = size;
    }
    qtest_bufwrite(d->qts, vq->desc, desc, 16u * num);
    qtest_bufwrite(d->qts, vq->avail + 4, ring, 2u * num);
    vq->avail_idx = num;
    qvirtqueue_set_avail_idx(vq, vq->avail_idx);
    n->repost_size = size;
    qvirtqueue_kick(vq);
}

/* Read @count used elements from position @start (wrapping) into @el. */
static void read_used(QVirtQueue *vq, uint16_t start, uint16_t count,
                      uint8_t *el)
{
    while (count) {
        uint16_t pos = start % vq->num;
        uint16_t k = MIN(count, vq->num - pos);
        qtest_bufread(vq->dev->qts, vq->used + 4 + 8ull * pos, el, 8u * k);
        el += 8u * k;
        start += k;
        count -= k;
    }
}

/* Offer the heads in @ids again, in one batch, and kick once. */
static void republish(QVirtQueue *vq, const uint16_t *ids, uint16_t count)
{
    while (count) {
        uint16_t pos = vq->avail_idx % vq->num;
        uint16_t k = MIN(count, vq->num - pos);
        g_autofree uint8_t *b = g_malloc(2u * k);
        for (uint16_t i = 0; i < k; i++) {
            b[2 * i] = ids[i];
            b[2 * i + 1] = ids[i] >> 8;
        }
        qtest_bufwrite(vq->dev->qts, vq->avail + 4 + 2ull * pos, b, 2u * k);
        vq->avail_idx += k;
        ids += k;
        count -= k;
    }
    qvirtqueue_set_avail_idx(vq, vq->avail_idx);
    qvirtqueue_kick(vq);
}

int qvnet_rx_drain(QVirtioNet *n, int q, QVnetRxFn fn, void *opaque)
{
    QVnetQueue *rq = &n->rx[q];
    QVirtQueue *vq = rq->vq;
    QTestState *qts = n->dev->qts;
    bool mrg = n->dev->features & (1ull << QVNET_F_MRG_RXBUF);
    uint16_t ready = qvirtqueue_used_idx(vq) - vq->last_used;
    g_autofree uint8_t *el = NULL;
    g_autofree uint16_t *ids = NULL;
    GByteArray *frame;
    uint16_t taken = 0;
    int frames = 0;

    g_assert_cmpint(q, <, n->pairs);
    g_assert_cmpuint(ready, <=, vq->num);
    if (!ready) {
        return 0;
    }
    el = g_malloc(8u * ready);
    ids = g_new(uint16_t, ready);
    read_used(vq, vq->last_used, ready, el);
    frame = g_byte_array_new();
    while (taken < ready) {
        uint16_t nb = 1, first = taken;
        g_byte_array_set_size(frame, 0);
        for (uint16_t i = 0; i < nb; i++) {
            const uint8_t *e;
            uint32_t id, len, skip = i ? 0 : n->hdr_len;
            uint8_t *buf;
            if (first + i >= ready) {
                /* The rest of a merged frame is not there yet. */
                taken = first;
                goto out;
            }
            e = el + 8u * (first + i);
            id = e[0] | e[1] << 8 | e[2] << 16 | (uint32_t)e[3] << 24;
            len = e[4] | e[5] << 8 | e[6] << 16 | (uint32_t)e[7] << 24;
            g_assert_cmpuint(id, <, vq->num);
            g_assert_cmpuint(len, <=, rq->len[id]);
            g_assert_cmpuint(len, >=, skip);
            buf = g_malloc(len ? len : 1);
            if (len) {
                qtest_bufread(qts, rq->addr[id], buf, len);
            }
            if (!i && mrg) {
                nb = buf[10] | buf[11] << 8;
                g_assert_cmpuint(nb, >=, 1);
            }
            g_byte_array_append(frame, buf + skip, len - skip);
            g_free(buf);
            ids[first + i] = id;
        }
        taken = first + nb;
        fn(q, frame->data, frame->len, opaque);
        frames++;
    }
out:
    g_byte_array_free(frame, TRUE);
    if (taken) {
        vq->last_used += taken;
        if (vq->event_idx) {
            qtest_writew(qts, vq->avail + 4 + 2ull * vq->num, vq->last_used);
        }
        republish(vq, ids, taken);
    }
    return frames;
}
