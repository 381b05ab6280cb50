/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net data path through the real binary and real backends: the test
 * is the other end of -netdev stream / socket / dgram (4-byte big-endian
 * length framing on the stream kinds), and the guest side is the qtest
 * virtio driver.  Also MRG_RXBUF with small buffers, oversized frames
 * without it, back-pressure without loss, the tx timer, and a DHCP offer
 * from libslirp reaching the rx ring.
 */
#include <sys/ioctl.h>
#include <linux/sockios.h>
#include "vnet-test.h"

#define F(bit) (1ull << (bit))

static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

/* Guest → peer over a stream-like fd, then peer → guest. */
static void exchange_stream(VnetEnv *e, int fd, bool check_irqs)
{
    static const size_t sizes[] = { 60, 333, 1514 };
    QVirtioNet *n = e->net;
    uint8_t f[2048], got[2048];

    qvnet_post_rx(n, 0, 8, 2048);
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        vnet_frame(f, sizes[i], vnet_peer_mac, guest_mac, 100 + i);
        g_assert_true(qvnet_send(n, 0, f, sizes[i]));
        g_assert_cmpint(vnet_stream_recv(fd, got, sizeof(got), 3000), ==,
                        sizes[i]);
        g_assert_cmpmem(got, sizes[i], f, sizes[i]);
    }
    if (check_irqs) {
        g_assert_true(qvirtqueue_irq_take(n->tx[0].vq));
    }
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        uint16_t nb = 0;
        vnet_frame(f, sizes[i], guest_mac, vnet_peer_mac, 200 + i);
        vnet_stream_send(fd, f, sizes[i]);
        g_assert_cmpint(qvnet_recv(n, 0, got, sizeof(got), &nb, 3000), ==,
                        sizes[i]);
        g_assert_cmpmem(got, sizes[i], f, sizes[i]);
        g_assert_cmpuint(nb, ==, 1);
    }
    if (check_irqs) {
        g_assert_true(qvirtqueue_irq_take(n->rx[0].vq));
    }
}

static void test_stream(void)
{
    StreamEnv *s = stream_env_new("", VNET_MODERN_MSIX,
                                  qvnet_default_features());
    QVirtioNet *n = s->e->net;
    uint8_t f[600], got[2048];
    uint64_t hdr;
    QVirtBuf bufs[3];
    uint32_t id;
    uint16_t head;

    exchange_stream(s->e, s->fd, true);

    /* TX through an indirect table, the frame split over two buffers. */
    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 7);
    hdr = qguest_alloc(s->e->qts, &s->e->alloc, 12 + sizeof(f), 8);
    qtest_bufwrite(s->e->qts, hdr + 12, f, sizeof(f));
    bufs[0] = (QVirtBuf){ .addr = hdr, .len = 12 };
    bufs[1] = (QVirtBuf){ .addr = hdr + 12, .len = 100 };
    bufs[2] = (QVirtBuf){ .addr = hdr + 112, .len = sizeof(f) - 100 };
    head = qvirtqueue_add_indirect(n->tx[0].vq, bufs, 3);
    qvirtqueue_publish(n->tx[0].vq, head);
    qvirtqueue_kick(n->tx[0].vq);
    g_assert_true(qvirtqueue_wait_used(n->tx[0].vq, &id, NULL, 3000));
    g_assert_cmpuint(id, ==, head);
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 3000), ==,
                    sizeof(f));
    g_assert_cmpmem(got, sizeof(f), f, sizeof(f));
    stream_env_free(s);
}

static void test_stream_intx(void)
{
    StreamEnv *s = stream_env_new("", VNET_MODERN_INTX,
                                  qvnet_default_features());

    exchange_stream(s->e, s->fd, true);
    stream_env_free(s);
}

static void test_socket_legacy(void)
{
    int port, lfd = vnet_tcp_listen(&port), fd;
    char *args = g_strdup_printf("-netdev socket,id=n0,connect=127.0.0.1:%d "
                                 "-device virtio-net-pci,netdev=n0", port);
    VnetEnv *e = vnet_env_start(args);

    fd = vnet_accept(lfd);
    vnet_env_pci(e, VNET_LEGACY_MSIX);
    e->net = qvnet_init(e->dev, qvnet_default_features(), 1);
    g_assert_false(e->dev->features & F(QVIRTIO_F_VERSION_1));
    exchange_stream(e, fd, true);
    vnet_env_free(e);
    close(fd);
    close(lfd);
    g_free(args);
}

static void test_dgram_mmio(void)
{
    int tport, vport, tfd = vnet_udp_bind(&tport), probe;
    char *args;
    VnetEnv *e;
    uint8_t f[1000], got[2048];
    struct sockaddr_in to = { .sin_family = AF_INET };

    /* A port that was free a moment ago for vireo's end. */
    probe = vnet_udp_bind(&vport);
    close(probe);
    args = g_strdup_printf("-netdev dgram,id=n0,local.type=inet,"
                           "local.host=127.0.0.1,local.port=%d,"
                           "remote.type=inet,remote.host=127.0.0.1,"
                           "remote.port=%d "
                           "-device virtio-net-device,netdev=n0",
                           vport, tport);
    e = vnet_env_start(args);
    vnet_env_mmio(e, QVIRTIO_MMIO_FIRST_DEVICE);
    e->net = qvnet_init(e->dev, qvnet_default_features(), 1);
    qvnet_post_rx(e->net, 0, 4, 2048);

    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 1);
    g_assert_true(qvnet_send(e->net, 0, f, sizeof(f)));
    g_assert_true(vnet_wait_fd(tfd, POLLIN, 3000));
    g_assert_cmpint(recv(tfd, got, sizeof(got), 0), ==, sizeof(f));
    g_assert_cmpmem(got, sizeof(f), f, sizeof(f));
    g_assert_true(qvirtqueue_irq_take(e->net->tx[0].vq));

    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 2);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(vport);
    g_assert_cmpint(sendto(tfd, f, sizeof(f), 0, (struct sockaddr *)&to,
                           sizeof(to)), ==, sizeof(f));
    g_assert_cmpint(qvnet_recv(e->net, 0, got, sizeof(got), NULL, 3000), ==,
                    sizeof(f));
    g_assert_cmpmem(got, sizeof(f), f, sizeof(f));
    vnet_env_free(e);
    close(tfd);
    g_free(args);
}

static void test_mrg_rxbuf(void)
{
    StreamEnv *s = stream_env_new("", VNET_MODERN_MSIX,
                                  qvnet_default_features());
    uint8_t f[1500], got[2048];
    uint16_t nb = 0;

    g_assert_true(s->e->dev->features & F(QVNET_F_MRG_RXBUF));
    qvnet_post_rx(s->e->net, 0, 8, 256);
    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 9);
    vnet_stream_send(s->fd, f, sizeof(f));
    g_assert_cmpint(qvnet_recv(s->e->net, 0, got, sizeof(got), &nb, 3000), ==,
                    sizeof(f));
    /* 12 + 1500 bytes in 256-byte buffers. */
    g_assert_cmpuint(nb, ==, (12 + sizeof(f) + 255) / 256);
    g_assert_cmpmem(got, sizeof(f), f, sizeof(f));
    stream_env_free(s);
}

static void test_no_mrg_oversized(void)
{
    StreamEnv *s = stream_env_new("", VNET_MODERN_MSIX,
                                  qvnet_default_features() &
                                      ~F(QVNET_F_MRG_RXBUF));
    uint8_t f[1500], got[2048];
    QVirtQueue *rx = s->e->net->rx[0].vq;

    qvnet_post_rx(s->e->net, 0, 2, 256);
    vnet_frame(f, sizeof(f), guest_mac, vnet_peer_mac, 1);
    vnet_stream_send(s->fd, f, sizeof(f));
    vnet_frame(f, 200, guest_mac, vnet_peer_mac, 2);
    vnet_stream_send(s->fd, f, 200);
    /* The big one is dropped; the small one takes the first buffer. */
    g_assert_cmpint(qvnet_recv(s->e->net, 0, got, sizeof(got), NULL, 3000),
                    ==, 200);
    g_assert_cmpuint(vnet_frame_seed(got, 200), ==, 2);
    g_assert_cmpuint(rx->last_used, ==, 1);
    g_assert_true(qvnet_rx_idle(s->e->net, 0, 100));
    stream_env_free(s);
}

static int outq(int fd)
{
    int n = -1;

    g_assert_cmpint(ioctl(fd, SIOCOUTQ, &n), ==, 0);
    return n;
}

static void test_back_pressure(void)
{
    StreamEnv *s = stream_env_new("", VNET_MODERN_MSIX,
                                  qvnet_default_features());
    QVirtioNet *n = s->e->net;
    enum { FRAMES = 64, LEN = 1000 };
    uint8_t f[LEN], got[2048];
    uint32_t next = 0;

    /* No rx buffers: the frames wait at the sender, which stops reading. */
    for (uint32_t i = 0; i < FRAMES; i++) {
        vnet_frame(f, LEN, guest_mac, vnet_peer_mac, i);
        vnet_stream_send(s->fd, f, LEN);
    }
    g_assert_true(qvnet_rx_idle(n, 0, 300));
    g_assert_cmpint(outq(s->fd), >, FRAMES * (LEN + 4) / 2);

    /* Buffers in two rounds: everything arrives, in order, once. */
    n->repost = false;
    for (int round = 0; round < 2; round++) {
        int count = round ? FRAMES - 20 : 20;
        qvnet_post_rx(n, 0, count, 2048);
        for (int i = 0; i < count; i++) {
            g_assert_cmpint(qvnet_recv(n, 0, got, sizeof(got), NULL, 3000),
                            ==, LEN);
            g_assert_cmpuint(vnet_frame_seed(got, LEN), ==, next);
            next++;
        }
    }
    g_assert_cmpuint(next, ==, FRAMES);
    g_assert_true(qvnet_rx_idle(n, 0, 100));
    g_assert_cmpint(outq(s->fd), ==, 0);
    stream_env_free(s);
}

static void test_tx_timer(void)
{
    StreamEnv *s = stream_env_new(",tx=timer", VNET_MODERN_MSIX,
                                  qvnet_default_features());
    uint8_t f[100], got[256];

    vnet_frame(f, sizeof(f), vnet_peer_mac, guest_mac, 5);
    qvnet_send_nowait(s->e->net, 0, f, sizeof(f));
    /* Nothing moves until the virtual clock passes x-txtimer. */
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 100), ==, -1);
    qtest_clock_step(s->e->qts, 150000);
    g_assert_cmpint(vnet_stream_recv(s->fd, got, sizeof(got), 3000), ==,
                    sizeof(f));
    g_assert_true(qvirtqueue_wait_used(s->e->net->tx[0].vq, NULL, NULL,
                                       3000));
    stream_env_free(s);
}

/* ---- libslirp DHCP ---- */

static size_t dhcp_discover(uint8_t *f)
{
    uint8_t *ip = f + 14, *udp = ip + 20, *b = udp + 8;
    size_t blen = 240 + 4, ulen = 8 + blen, iplen = 20 + ulen;
    uint32_t sum = 0;

    memset(f, 0, 14 + iplen);
    memcpy(f, vnet_bcast, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = iplen >> 8;
    ip[3] = iplen;
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);
    for (int i = 0; i < 20; i += 2) {
        sum += ip[i] << 8 | ip[i + 1];
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    ip[10] = ~sum >> 8;
    ip[11] = ~sum;
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = ulen >> 8;
    udp[5] = ulen;
    b[0] = 1;       /* BOOTREQUEST */
    b[1] = 1;       /* Ethernet */
    b[2] = 6;
    memcpy(b + 4, "\x12\x34\x56\x78", 4);
    memcpy(b + 28, guest_mac, 6);
    memcpy(b + 236, "\x63\x82\x53\x63", 4);
    memcpy(b + 240, "\x35\x01\x01\xff", 4); /* DHCPDISCOVER, end */
    return 14 + iplen;
}

/* The DHCP message type of a BOOTP reply to us, or 0. */
static int dhcp_reply_type(const uint8_t *f, int len)
{
    const uint8_t *ip = f + 14, *udp, *b;
    int off;

    if (len < 14 + 20 + 8 + 240 || f[12] != 0x08 || f[13] != 0 ||
        ip[9] != 17) {
        return 0;
    }
    udp = ip + (ip[0] & 0xf) * 4;
    b = udp + 8;
    if ((udp[0] << 8 | udp[1]) != 67 || (udp[2] << 8 | udp[3]) != 68 ||
        b[0] != 2 || memcmp(b + 4, "\x12\x34\x56\x78", 4)) {
        return 0;
    }
    /* yiaddr: the first address of the default 10.0.2.15 pool. */
    g_assert_cmpmem(b + 16, 4, "\x0a\x00\x02\x0f", 4);
    for (off = 240; b + off + 2 <= f + len && b[off] != 0xff;
         off += 2 + b[off + 1]) {
        if (b[off] == 53) {
            return b[off + 2];
        }
    }
    return 0;
}

static void test_slirp_dhcp(void)
{
    VnetEnv *e = vnet_env_new("-netdev user,id=n0 "
                              "-device virtio-net-pci,netdev=n0",
                              VNET_MODERN_MSIX, qvnet_default_features(), 1);
    uint8_t f[1600];
    int len, type = 0;

    e->net->repost = true;
    qvnet_post_rx(e->net, 0, 8, 2048);
    len = dhcp_discover(f);
    g_assert_true(qvnet_send(e->net, 0, f, len));
    for (int i = 0; i < 8 && type == 0; i++) {
        len = qvnet_recv(e->net, 0, f, sizeof(f), NULL, 3000);
        g_assert_cmpint(len, >, 0);
        type = dhcp_reply_type(f, len);
    }
    g_assert_cmpint(type, ==, 2); /* DHCPOFFER */
    /* libslirp addresses the offer to the client or to everyone. */
    g_assert_true(!memcmp(f, guest_mac, 6) || !memcmp(f, vnet_bcast, 6));
    vnet_env_free(e);
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    qtest_add_func("/virtio-net/data/stream", test_stream);
    qtest_add_func("/virtio-net/data/stream-intx", test_stream_intx);
    qtest_add_func("/virtio-net/data/socket-legacy", test_socket_legacy);
    qtest_add_func("/virtio-net/data/dgram-mmio", test_dgram_mmio);
    qtest_add_func("/virtio-net/data/mrg-rxbuf", test_mrg_rxbuf);
    qtest_add_func("/virtio-net/data/no-mrg-oversized",
                   test_no_mrg_oversized);
    qtest_add_func("/virtio-net/data/back-pressure", test_back_pressure);
    qtest_add_func("/virtio-net/data/tx-timer", test_tx_timer);
    qtest_add_func("/virtio-net/data/slirp-dhcp", test_slirp_dhcp);
    return g_test_run();
}
