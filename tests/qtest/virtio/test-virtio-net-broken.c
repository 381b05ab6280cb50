/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hostile rings and link changes through the real binary: each malformed
 * descriptor chain must leave vireo running and the device in NEEDS_RESET
 * with a config interrupt, and a reset must bring it back; set_link and
 * netdev_del must flip the LINK_UP status bit with a config interrupt only
 * on change, and frames must not pass while the link is down.
 */
#include "vnet-test.h"

#define F(bit) (1ull << (bit))
#define OUTSIDE_RAM 0x200000000ull
#define RAM_END VNET_ALLOC_END

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static StreamEnv *env(void)
{
    return stream_env_new(",id=vnet0", VNET_MODERN_MSIX,
                          qvnet_default_features());
}

/* A guest → peer frame goes through (after a reset, say). */
static void assert_tx_works(StreamEnv *s, uint32_t seed)
{
    uint8_t f[200], got[256];

    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, seed);
    g_assert_true(qvnet_send(s->e->net, 0, f, sizeof(f)));
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 3000), ==,
                    sizeof(f));
    g_assert_cmpmem(got, sizeof(f), f, sizeof(f));
}

static void wait_needs_reset(QVirtioDevice *d)
{
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

    while (!(qvirtio_get_status(d) & QVIRTIO_S_NEEDS_RESET)) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        qvirtio_poll_pause(d->qts);
    }
}

/*
 * After the test put something malformed in a ring and kicked: the
 * device is broken, said so with a config interrupt, ignores further
 * kicks, and a reset plus a new setup makes it work again.
 */
static void assert_broken_then_recover(StreamEnv *s, QVirtQueue *kicked)
{
    QVirtioDevice *d = s->e->dev;
    uint8_t st;

    wait_needs_reset(d);
    g_assert_true(qvirtio_wait_config_irq(d, 3000));
    st = qvirtio_get_status(d);
    g_assert_cmphex(st & QVIRTIO_S_DRIVER_OK, ==, QVIRTIO_S_DRIVER_OK);
    /* Kicking again does nothing (and certainly doesn't crash). */
    qvirtqueue_kick(kicked);
    qvirtqueue_kick(kicked);
    g_assert_false(qvirtio_wait_config_irq(d, 50));
    g_assert_true(qtest_alive(s->e->qts));
    qtest_qmp_assert_success(s->e->qts, "{\"execute\": \"query-status\"}");
    /* The status write keeps NEEDS_RESET; only a reset clears it. */
    qvirtio_set_status(d, st & ~QVIRTIO_S_NEEDS_RESET);
    g_assert_cmphex(qvirtio_get_status(d) & QVIRTIO_S_NEEDS_RESET, ==,
                    QVIRTIO_S_NEEDS_RESET);
    qvnet_free(s->e->net);
    s->e->net = qvnet_init(d, qvnet_default_features(), 1);
    g_assert_cmphex(qvirtio_get_status(d) & QVIRTIO_S_NEEDS_RESET, ==, 0);
    assert_tx_works(s, 42);
}

typedef enum BrokenKind {
    LOOP,
    HEAD_OUT_OF_RANGE,
    NEXT_OUT_OF_RANGE,
    BUF_OUTSIDE_RAM,
    BUF_ACROSS_RAM_END,
    INDIRECT_IN_INDIRECT,
    INDIRECT_BAD_LEN,
    INDIRECT_TABLE_OUTSIDE_RAM,
    AVAIL_JUMP,
    TX_SHORT_HEADER,
    READ_AFTER_WRITE,
    CHAIN_TOO_LONG,
} BrokenKind;

static void make_broken_tx(StreamEnv *s, BrokenKind kind)
{
    QVirtQueue *vq = s->e->net->tx[0].vq;
    QTestState *qts = s->e->qts;
    uint64_t buf = qguest_alloc(qts, &s->e->alloc, 256, 16);
    uint64_t tbl = qguest_alloc(qts, &s->e->alloc, 64, 16);
    uint16_t head = 0;

    switch (kind) {
    case LOOP:
        qvirtqueue_write_desc(vq, 0, buf, 64, QVRING_DESC_F_NEXT, 1);
        qvirtqueue_write_desc(vq, 1, buf + 64, 64, QVRING_DESC_F_NEXT, 0);
        break;
    case HEAD_OUT_OF_RANGE:
        head = 300;
        break;
    case NEXT_OUT_OF_RANGE:
        qvirtqueue_write_desc(vq, 0, buf, 64, QVRING_DESC_F_NEXT, 999);
        break;
    case BUF_OUTSIDE_RAM:
        qvirtqueue_write_desc(vq, 0, OUTSIDE_RAM, 100, 0, 0);
        break;
    case BUF_ACROSS_RAM_END:
        qvirtqueue_write_desc(vq, 0, RAM_END - 10, 100, 0, 0);
        break;
    case INDIRECT_IN_INDIRECT:
        qvirtqueue_write_desc(vq, 0, tbl, 32, QVRING_DESC_F_INDIRECT, 0);
        vq->desc = tbl; /* write the table's entries through the helper */
        qvirtqueue_write_desc(vq, 0, buf, 12, QVRING_DESC_F_NEXT, 1);
        qvirtqueue_write_desc(vq, 1, tbl, 32, QVRING_DESC_F_INDIRECT, 0);
        break;
    case INDIRECT_BAD_LEN:
        qvirtqueue_write_desc(vq, 0, tbl, 20, QVRING_DESC_F_INDIRECT, 0);
        break;
    case INDIRECT_TABLE_OUTSIDE_RAM:
        qvirtqueue_write_desc(vq, 0, OUTSIDE_RAM, 32, QVRING_DESC_F_INDIRECT,
                              0);
        break;
    case AVAIL_JUMP:
        qvirtqueue_write_desc(vq, 0, buf, 100, 0, 0);
        qvirtqueue_set_avail_idx(vq, vq->avail_idx + 300);
        qvirtqueue_kick(vq);
        return;
    case TX_SHORT_HEADER:
        qvirtqueue_write_desc(vq, 0, buf, 5, 0, 0);
        break;
    case READ_AFTER_WRITE:
        qvirtqueue_write_desc(vq, 0, buf, 64,
                              QVRING_DESC_F_NEXT | QVRING_DESC_F_WRITE, 1);
        qvirtqueue_write_desc(vq, 1, buf + 64, 64, 0, 0);
        break;
    case CHAIN_TOO_LONG:
        /* Every descriptor chained: 256 links then back to the start. */
        for (int i = 0; i < vq->num; i++) {
            qvirtqueue_write_desc(vq, i, buf, 1, QVRING_DESC_F_NEXT,
                                  (i + 1) % vq->num);
        }
        break;
    }
    qvirtqueue_publish(vq, head);
    qvirtqueue_kick(vq);
}

static void test_broken_tx(gconstpointer data)
{
    BrokenKind kind = GPOINTER_TO_INT(data);
    StreamEnv *s = env();
    uint64_t ring = s->e->net->tx[0].vq->desc;

    assert_tx_works(s, 1);
    make_broken_tx(s, kind);
    s->e->net->tx[0].vq->desc = ring; /* make_broken_tx may borrow it */
    assert_broken_then_recover(s, s->e->net->tx[0].vq);
    /* Nothing malformed reached the peer. */
    g_assert_false(vnet_wait_fd(s->fd, POLLIN, 20));
    stream_env_free(s);
}

static void test_broken_rx(void)
{
    StreamEnv *s = env();
    QVirtQueue *rx = s->e->net->rx[0].vq;
    uint8_t f[100];

    /* An rx buffer outside RAM is found when a frame arrives. */
    qvirtqueue_write_desc(rx, 0, OUTSIDE_RAM, 2048, QVRING_DESC_F_WRITE, 0);
    qvirtqueue_publish(rx, 0);
    qvirtqueue_kick(rx);
    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 1);
    vnet_stream_send(s->fd, f, sizeof(f));
    assert_broken_then_recover(s, rx);
    /* Receiving works again after the reset. */
    qvnet_post_rx(s->e->net, 0, 2, 2048);
    vnet_stream_send(s->fd, f, sizeof(f));
    g_assert_cmpint(qvnet_recv(s->e->net, 0, f, sizeof(f), NULL, 3000), ==,
                    sizeof(f));
    stream_env_free(s);
}

static void test_broken_ctrl(void)
{
    StreamEnv *s = env();
    QVirtQueue *ctrl = s->e->net->ctrl;
    uint64_t ack = qguest_alloc(s->e->qts, &s->e->alloc, 16, 16);
    QVirtBuf b = { .addr = ack, .len = 1, .write = true };

    /* Only an ack byte, no class/command header. */
    qvirtqueue_publish(ctrl, qvirtqueue_add(ctrl, &b, 1));
    qvirtqueue_kick(ctrl);
    assert_broken_then_recover(s, ctrl);
    g_assert_cmpint(qvnet_ctrl(s->e->net, QVNET_CTRL_RX,
                               QVNET_CTRL_RX_PROMISC, "\1", 1), ==, QVNET_OK);
    stream_env_free(s);
}

static void test_rings_outside_ram(void)
{
    StreamEnv *s = stream_env_new(",id=vnet0", VNET_MODERN_MSIX, 0);
    QVirtioDevice *d = s->e->dev;
    QVirtioPCI *p = s->e->pci;
    QVirtQueue *tx;

    qvirtio_negotiate(d, qvnet_default_features());
    tx = qvirtqueue_setup(d, 1, 0, 2);
    /* Move the avail ring out of RAM before enabling: rewrite queue 1. */
    qvirtio_reset(d);
    qvirtio_negotiate(d, qvnet_default_features());
    qvirtio_pci_common_write(p, 0x16, 1, 2);
    qvirtio_pci_common_write(p, 0x1a, 2, 2);
    qvirtio_pci_common_write(p, 0x20, (uint32_t)tx->desc, 4);
    qvirtio_pci_common_write(p, 0x24, tx->desc >> 32, 4);
    qvirtio_pci_common_write(p, 0x28, (uint32_t)OUTSIDE_RAM, 4);
    qvirtio_pci_common_write(p, 0x2c, OUTSIDE_RAM >> 32, 4);
    qvirtio_pci_common_write(p, 0x30, (uint32_t)tx->used, 4);
    qvirtio_pci_common_write(p, 0x34, tx->used >> 32, 4);
    qvirtio_pci_common_write(p, 0x1c, 1, 2);
    qvirtio_driver_ok(d);
    qvirtqueue_kick(tx);
    wait_needs_reset(d);
    g_assert_true(qvirtio_wait_config_irq(d, 3000));
    qvirtqueue_free(tx);
    s->e->net = qvnet_init(d, qvnet_default_features(), 1);
    assert_tx_works(s, 3);
    stream_env_free(s);
}

static void test_broken_legacy(void)
{
    StreamEnv *s = stream_env_new(",id=vnet0", VNET_LEGACY_MSIX,
                                  qvnet_default_features());

    make_broken_tx(s, LOOP);
    /* Legacy drivers have no NEEDS_RESET; the device just stops. */
    g_assert_false(vnet_wait_fd(s->fd, POLLIN, 100));
    g_assert_true(qtest_alive(s->e->qts));
    g_assert_cmphex(qvirtio_get_status(s->e->dev) & QVIRTIO_S_NEEDS_RESET, ==,
                    0);
    qvnet_free(s->e->net);
    s->e->net = qvnet_init(s->e->dev, qvnet_default_features(), 1);
    assert_tx_works(s, 4);
    stream_env_free(s);
}

/* ---- link ---- */

static void assert_link(StreamEnv *s, bool up, bool irq)
{
    g_assert_cmphex(qvnet_config_status(s->e->net) & QVNET_S_LINK_UP, ==,
                    up ? QVNET_S_LINK_UP : 0);
    if (irq) {
        g_assert_true(qvirtio_wait_config_irq(s->e->dev, 3000));
    } else {
        g_assert_false(qvirtio_wait_config_irq(s->e->dev, 30));
    }
}

static void test_set_link_nic(void)
{
    StreamEnv *s = env();
    QTestState *qts = s->e->qts;
    uint8_t f[200], got[256];
    json_t *r;

    qvnet_post_rx(s->e->net, 0, 4, 2048);
    assert_link(s, true, false);
    vnet_set_link(qts, "vnet0", false);
    assert_link(s, false, true);
    vnet_set_link(qts, "vnet0", false);
    assert_link(s, false, false);

    /* TX while down: completed, but nothing reaches the backend. */
    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 1);
    g_assert_true(qvnet_send(s->e->net, 0, f, sizeof(f)));
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 100), ==, -1);
    /* RX while the NIC is down: dropped. */
    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 2);
    vnet_stream_send(s->fd, f, sizeof(f));
    g_assert_true(qvnet_rx_idle(s->e->net, 0, 100));

    vnet_set_link(qts, "vnet0", true);
    assert_link(s, true, true);
    vnet_set_link(qts, "vnet0", true);
    assert_link(s, true, false);
    assert_tx_works(s, 3);
    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 4);
    vnet_stream_send(s->fd, f, sizeof(f));
    g_assert_cmpint(qvnet_recv(s->e->net, 0, got, sizeof(got), NULL, 3000),
                    ==, sizeof(f));
    g_assert_cmpuint(vnet_frame_seed(got, sizeof(f)), ==, 4);

    r = qtest_qmp(qts, "{\"execute\": \"set_link\", \"arguments\": "
                       "{\"name\": \"nope\", \"up\": false}}");
    qmp_assert_error(r, "DeviceNotFound", "Device 'nope' not found");
    json_decref(r);
    stream_env_free(s);
}

static void test_set_link_netdev(void)
{
    StreamEnv *s = env();
    QTestState *qts = s->e->qts;
    uint8_t f[200], got[256];

    /* The netdev id takes the NIC down with it. */
    vnet_set_link(qts, "n0", false);
    assert_link(s, false, true);
    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 1);
    g_assert_true(qvnet_send(s->e->net, 0, f, sizeof(f)));
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 100), ==, -1);
    vnet_set_link(qts, "n0", true);
    assert_link(s, true, true);
    assert_tx_works(s, 2);

    /* NIC down, netdev up: the NIC stays down (the asymmetry). */
    vnet_set_link(qts, "vnet0", false);
    assert_link(s, false, true);
    vnet_set_link(qts, "n0", true);
    g_assert_cmphex(qvnet_config_status(s->e->net) & QVNET_S_LINK_UP, ==,
                    QVNET_S_LINK_UP);
    stream_env_free(s);
}

static void test_netdev_del_in_use(void)
{
    StreamEnv *s = env();
    QTestState *qts = s->e->qts;
    uint8_t f[200], got[256];
    json_t *r, *info;

    qtest_qmp_assert_success(qts, "{\"execute\": \"netdev_del\", "
                                  "\"arguments\": {\"id\": \"n0\"}}");
    assert_link(s, false, true);
    /* TX goes nowhere now, and the device survives it. */
    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 1);
    g_assert_true(qvnet_send(s->e->net, 0, f, sizeof(f)));
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 100), ==, -1);
    /* The NIC is still there; the id is free again at once. */
    info = vnet_rx_filter(qts, "vnet0");
    json_decref(info);
    r = qtest_qmp(qts, "{\"execute\": \"netdev_del\", \"arguments\": "
                       "{\"id\": \"n0\"}}");
    qmp_assert_error(r, "DeviceNotFound", "Device 'n0' not found");
    json_decref(r);
    qtest_qmp_assert_success(qts, "{\"execute\": \"netdev_add\", "
                                  "\"arguments\": {\"type\": \"user\", "
                                  "\"id\": \"n0\"}}");
    g_assert_true(qtest_alive(qts));
    stream_env_free(s);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        BrokenKind kind;
    } tx_cases[] = {
        { "loop", LOOP },
        { "head-out-of-range", HEAD_OUT_OF_RANGE },
        { "next-out-of-range", NEXT_OUT_OF_RANGE },
        { "buffer-outside-ram", BUF_OUTSIDE_RAM },
        { "buffer-across-ram-end", BUF_ACROSS_RAM_END },
        { "indirect-in-indirect", INDIRECT_IN_INDIRECT },
        { "indirect-bad-len", INDIRECT_BAD_LEN },
        { "indirect-table-outside-ram", INDIRECT_TABLE_OUTSIDE_RAM },
        { "avail-index-jump", AVAIL_JUMP },
        { "tx-short-header", TX_SHORT_HEADER },
        { "read-after-write", READ_AFTER_WRITE },
        { "chain-through-whole-ring", CHAIN_TOO_LONG },
    };

    qtest_test_init(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(tx_cases); i++) {
        char *path = g_strdup_printf("/virtio-net/broken/tx/%s",
                                     tx_cases[i].name);
        qtest_add_data_func(path, GINT_TO_POINTER(tx_cases[i].kind),
                            test_broken_tx);
        g_free(path);
    }
    qtest_add_func("/virtio-net/broken/rx-buffer-outside-ram",
                   test_broken_rx);
    qtest_add_func("/virtio-net/broken/ctrl-missing-headers",
                   test_broken_ctrl);
    qtest_add_func("/virtio-net/broken/ring-outside-ram",
                   test_rings_outside_ram);
    qtest_add_func("/virtio-net/broken/legacy", test_broken_legacy);
    qtest_add_func("/virtio-net/link/set-link-nic", test_set_link_nic);
    qtest_add_func("/virtio-net/link/set-link-netdev", test_set_link_netdev);
    qtest_add_func("/virtio-net/link/netdev-del-in-use",
                   test_netdev_del_in_use);
    return g_test_run();
}
