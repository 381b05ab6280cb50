/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiqueue user networking (-netdev user,queues=N, a Vireo extension)
 * through the real binary and a real libslirp: the NIC offers N pairs,
 * ARP and DHCP answer on the pair they were asked on, a UDP or TCP flow
 * the guest sends on pair k is answered on rx queue k, queues the guest
 * turned off with VQ_PAIRS_SET receive nothing, hostile frames on any
 * queue do no harm, and bad queues= values are refused.
 */
#include "vnet-test.h"

#define PAIRS    4
#define RX_SIZE  2048
#define FLOWS    8
#define WAIT_MS  3000
#define IDLE_MS  300
#define GUEST_IP "10.0.2.15"
#define HOST_IP  "10.0.2.2"

static const uint8_t slirp_mac[6] = {0x52, 0x55, 0x0a, 0x00, 0x02, 0x02};

typedef struct UmqEnv {
    VnetEnv *e;
    QVirtioNet *n;
    uint8_t mac[6];
} UmqEnv;

static int pairs_set(QVirtioNet *n, uint16_t pairs)
{
    uint8_t p[2] = {pairs, pairs >> 8};

    return qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET, p, 2);
}

/* vireo with user,queues=PAIRS; every pair set up, in use and posted. */
static UmqEnv *umq_start(const char *extra)
{
    UmqEnv *m = g_new0(UmqEnv, 1);
    char *args = g_strdup_printf("-netdev user,id=u0,queues=%d%s "
                                 "-device virtio-net-pci,netdev=u0,mq=on,"
                                 "id=vnet0",
                                 PAIRS, extra ? extra : "");

    m->e = vnet_env_start(args);
    g_free(args);
    vnet_env_pci(m->e, VNET_MODERN_MSIX);
    g_assert_cmpuint(qpci_msix_table_size(m->e->pci->pdev), ==, 2 * PAIRS + 2);
    m->n = m->e->net = qvnet_init(m->e->dev, qvnet_default_features(), PAIRS);
    g_assert_true(m->e->dev->features & (1ull << QVNET_F_MQ));
    g_assert_cmpint(m->n->max_pairs, ==, PAIRS);
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 2 * PAIRS + 1);
    g_assert_cmpint(pairs_set(m->n, PAIRS), ==, QVNET_OK);
    m->n->repost = true;
    for (int q = 0; q < PAIRS; q++) {
        qvnet_post_rx(m->n, q, 32, RX_SIZE);
    }
    qvnet_config_mac(m->n, m->mac);
    return m;
}

static void umq_free(UmqEnv *m)
{
    vnet_env_free(m->e);
    g_free(m);
}

/* ---- frames ---- */

static uint32_t csum_add(uint32_t s, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 2) {
        s += p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    }
    return s;
}

static uint16_t csum_fold(uint32_t s)
{
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s;
}

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/* Ethernet + IPv4 header (20 bytes) for @l4len bytes of @proto. */
static uint8_t *ip4_frame(const UmqEnv *m, uint8_t *f, const uint8_t *dmac,
                          const char *src, const char *dst, uint8_t proto,
                          size_t l4len)
{
    uint8_t *ip = f + 14;

    memset(f, 0, 14 + 20 + l4len);
    memcpy(f, dmac, 6);
    memcpy(f + 6, m->mac, 6);
    f[12] = 0x08;
    ip[0] = 0x45;
    put16(ip + 2, 20 + l4len);
    ip[6] = 0x40; /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    inet_pton(AF_INET, src, ip + 12);
    inet_pton(AF_INET, dst, ip + 16);
    put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    return ip + 20;
}

static size_t arp_request(const UmqEnv *m, uint8_t *f)
{
    uint8_t *a = f + 14;

    memset(f, 0, 60);
    memcpy(f, vnet_bcast, 6);
    memcpy(f + 6, m->mac, 6);
    f[12] = 0x08;
    f[13] = 0x06;
    memcpy(a, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
    memcpy(a + 8, m->mac, 6);
    inet_pton(AF_INET, GUEST_IP, a + 14);
    inet_pton(AF_INET, HOST_IP, a + 24);
    return 60;
}

static size_t dhcp_discover(const UmqEnv *m, uint8_t *f, uint32_t xid)
{
    size_t blen = 240 + 4;
    uint8_t *udp =
        ip4_frame(m, f, vnet_bcast, "0.0.0.0", "255.255.255.255", 17, 8 + blen);
    uint8_t *b = udp + 8;

    put16(udp, 68);
    put16(udp + 2, 67);
    put16(udp + 4, 8 + blen);
    b[0] = 1; /* BOOTREQUEST */
    b[1] = 1; /* Ethernet */
    b[2] = 6;
    b[4] = xid >> 24;
    b[5] = xid >> 16;
    b[6] = xid >> 8;
    b[7] = xid;
    memcpy(b + 28, m->mac, 6);
    memcpy(b + 236, "\x63\x82\x53\x63", 4);
    memcpy(b + 240, "\x35\x01\x01\xff", 4); /* DHCPDISCOVER, end */
    return 14 + 20 + 8 + blen;
}

/* UDP GUEST_IP:@sport → HOST_IP:@dport with @tag as payload. */
static size_t guest_udp(const UmqEnv *m, uint8_t *f, uint16_t sport,
                        uint16_t dport, uint32_t tag)
{
    uint8_t *udp = ip4_frame(m, f, slirp_mac, GUEST_IP, HOST_IP, 17, 12);

    put16(udp, sport);
    put16(udp + 2, dport);
    put16(udp + 4, 12);
    udp[8] = tag >> 24;
    udp[9] = tag >> 16;
    udp[10] = tag >> 8;
    udp[11] = tag;
    return 14 + 20 + 12;
}

/* A TCP SYN GUEST_IP:@sport → HOST_IP:@dport, checksummed. */
static size_t guest_syn(const UmqEnv *m, uint8_t *f, uint16_t sport,
                        uint16_t dport)
{
    uint8_t *tcp = ip4_frame(m, f, slirp_mac, GUEST_IP, HOST_IP, 6, 20);
    uint8_t pseudo[12] = {0};
    uint32_t s;

    put16(tcp, sport);
    put16(tcp + 2, dport);
    tcp[4] = 0x11; /* seq */
    tcp[12] = 5 << 4;
    tcp[13] = 0x02; /* SYN */
    put16(tcp + 14, 64240);
    memcpy(pseudo, f + 14 + 12, 8);
    pseudo[9] = 6;
    put16(pseudo + 10, 20);
    s = csum_add(csum_add(0, pseudo, 12), tcp, 20);
    put16(tcp + 16, csum_fold(s));
    return 14 + 20 + 20;
}

/* ---- what comes back ---- */

typedef bool (*FrameMatch)(const uint8_t *f, int len, const void *opaque);

/*
 * Wait for a frame that @match accepts on rx queue @q (others on the way
 * are skipped); true when one came within WAIT_MS.
 */
static bool recv_match(UmqEnv *m, int q, FrameMatch match, const void *opaque)
{
    uint8_t f[RX_SIZE];
    gint64 end = g_get_monotonic_time() + WAIT_MS * 1000ll;

    while (g_get_monotonic_time() < end) {
        int len = qvnet_recv(m->n, q, f, sizeof(f), NULL, 200);
        if (len > 0 && match(f, len, opaque)) {
            return true;
        }
    }
    return false;
}

static bool is_arp_reply(const uint8_t *f, int len, const void *opaque)
{
    return len >= 42 && f[12] == 0x08 && f[13] == 0x06 && f[21] == 2 &&
           !memcmp(f + 22, slirp_mac, 6);
}

/* A DHCPOFFER for transaction *(uint32_t *)@opaque. */
static bool is_dhcp_offer(const uint8_t *f, int len, const void *opaque)
{
    uint32_t xid = *(const uint32_t *)opaque;
    const uint8_t *b = f + 14 + 20 + 8;

    if (len < 14 + 20 + 8 + 244 || f[12] != 0x08 || f[23] != 17 ||
        get16(f + 14 + 20) != 67 || b[0] != 2) {
        return false;
    }
    if ((uint32_t)(b[4] << 24 | b[5] << 16 | b[6] << 8 | b[7]) != xid) {
        return false;
    }
    for (int off = 240; 14 + 20 + 8 + off + 2 < len && b[off] != 0xff;
         off += 2 + b[off + 1]) {
        if (b[off] == 53) {
            return b[off + 2] == 2;
        }
    }
    return false;
}

typedef struct UdpWant {
    uint16_t gport;
    uint32_t tag;
} UdpWant;

static bool is_udp_reply(const uint8_t *f, int len, const void *opaque)
{
    const UdpWant *w = opaque;
    const uint8_t *udp = f + 14 + 20;

    return len >= 14 + 20 + 12 && f[12] == 0x08 && f[23] == 17 &&
           get16(udp + 2) == w->gport &&
           (uint32_t)(udp[8] << 24 | udp[9] << 16 | udp[10] << 8 | udp[11]) ==
               w->tag;
}

static bool is_syn_ack(const uint8_t *f, int len, const void *opaque)
{
    uint16_t gport = *(const uint16_t *)opaque;
    const uint8_t *tcp = f + 14 + 20;

    return len >= 14 + 20 + 20 && f[12] == 0x08 && f[23] == 6 &&
           get16(tcp + 2) == gport && (tcp[13] & 0x12) == 0x12;
}

/* No frame at all on the rx queues from @first on. */
static void assert_idle_from(UmqEnv *m, int first)
{
    for (int q = first; q < PAIRS; q++) {
        g_assert_true(qvnet_rx_idle(m->n, q, IDLE_MS));
    }
}

/* ---- host side ---- */

/* The host end of a UDP flow: the datagram with @tag, then echo it. */
static void host_udp_echo(int fd, uint32_t tag)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    uint8_t buf[64];
    ssize_t n;

    for (;;) {
        g_assert_true(vnet_wait_fd(fd, POLLIN, WAIT_MS));
        n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
        g_assert_cmpint(n, ==, 4);
        if ((uint32_t)(buf[0] << 24 | buf[1] << 16 | buf[2] << 8 | buf[3]) ==
            tag) {
            break;
        }
    }
    g_assert_cmpint(sendto(fd, buf, 4, 0, (struct sockaddr *)&from, flen), ==,
                    4);
}

/* Guest sends @tag on its flow from @gport over tx @q; host echoes it. */
static void udp_round(UmqEnv *m, int fd, uint16_t hport, int q, uint16_t gport,
                      uint32_t tag)
{
    uint8_t f[128];

    g_assert_true(qvnet_send(m->n, q, f, guest_udp(m, f, gport, hport, tag)));
    host_udp_echo(fd, tag);
}

/* Slirp learns the guest's MAC from an ARP request and answers it. */
static void arp_on(UmqEnv *m, int q)
{
    uint8_t f[64];

    g_assert_true(qvnet_send(m->n, q, f, arp_request(m, f)));
    g_assert_true(recv_match(m, q, is_arp_reply, NULL));
}

/* ---- tests ---- */

static void test_pairs_offered(void)
{
    UmqEnv *m = umq_start(NULL);
    json_t *rsp =
        qtest_qmp(m->e->qts, "{\"execute\": \"human-monitor-command\", "
                             "\"arguments\": {\"command-line\": "
                             "\"info network\"}}");
    const char *out = json_string_value(qmp_return(rsp));

    g_assert_nonnull(out);
    /* One backend row per queue, each under its NIC queue. */
    for (int q = 0; q < PAIRS; q++) {
        char *row = g_strdup_printf("u0: index=%d,type=user,net=10.0.2.0", q);
        g_assert_nonnull(strstr(out, row));
        g_free(row);
    }
    json_decref(rsp);
    umq_free(m);
}

static void test_arp_dhcp_any_pair(void)
{
    UmqEnv *m = umq_start(NULL);
    uint8_t f[512];
    uint32_t xid;

    for (int q = 0; q < PAIRS; q++) {
        arp_on(m, q);
        assert_idle_from(m, 0);
    }
    xid = 0x1234;
    g_assert_true(qvnet_send(m->n, 0, f, dhcp_discover(m, f, xid)));
    g_assert_true(recv_match(m, 0, is_dhcp_offer, &xid));
    xid = 0x5678;
    g_assert_true(qvnet_send(m->n, 2, f, dhcp_discover(m, f, xid)));
    g_assert_true(recv_match(m, 2, is_dhcp_offer, &xid));
    assert_idle_from(m, 0);
    umq_free(m);
}

/*
 * FLOWS UDP flows, flow i sent on pair i % PAIRS: each echo from the host
 * (a frame made outside the guest's own send) comes back on that pair.
 * By hash alone, all eight landing right would be a 1 in 65536 chance.
 */
static void test_udp_flow_steering(void)
{
    UmqEnv *m = umq_start(NULL);
    int hport, fd = vnet_udp_bind(&hport);

    arp_on(m, 0);
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < FLOWS; i++) {
            UdpWant w = {.gport = 40000 + i, .tag = round << 16 | i};
            int q = i % PAIRS;

            udp_round(m, fd, hport, q, w.gport, w.tag);
            g_assert_true(recv_match(m, q, is_udp_reply, &w));
            assert_idle_from(m, 0);
        }
    }
    /* The guest moves flow 0 to pair 3: the replies follow. */
    {
        UdpWant w = {.gport = 40000, .tag = 0xabc};

        udp_round(m, fd, hport, 3, w.gport, w.tag);
        g_assert_true(recv_match(m, 3, is_udp_reply, &w));
        assert_idle_from(m, 0);
    }
    close(fd);
    umq_free(m);
}

/* The SYN-ACK comes after slirp's own connect() completes: pair k. */
static void test_tcp_flow_steering(void)
{
    UmqEnv *m = umq_start(NULL);
    int hport, lfd = vnet_tcp_listen(&hport);
    int conns[FLOWS];
    uint8_t f[128];

    arp_on(m, 0);
    for (int i = 0; i < FLOWS; i++) {
        uint16_t gport = 41000 + i;
        int q = (i * 3) % PAIRS;

        g_assert_true(qvnet_send(m->n, q, f, guest_syn(m, f, gport, hport)));
        g_assert_true(recv_match(m, q, is_syn_ack, &gport));
        assert_idle_from(m, 0);
        /* The listen backlog is short: take each connection. */
        conns[i] = vnet_accept(lfd);
    }
    for (int i = 0; i < FLOWS; i++) {
        close(conns[i]);
    }
    close(lfd);
    umq_free(m);
}

/* A frame @match accepts on any of rx queues 0..@nq-1: its queue, or -1. */
static int recv_match_any(UmqEnv *m, int nq, FrameMatch match,
                          const void *opaque)
{
    uint8_t f[RX_SIZE];
    gint64 end = g_get_monotonic_time() + WAIT_MS * 1000ll;

    while (g_get_monotonic_time() < end) {
        for (int q = 0; q < nq; q++) {
            int len = qvnet_recv(m->n, q, f, sizeof(f), NULL, 20);
            if (len > 0 && match(f, len, opaque)) {
                return q;
            }
        }
    }
    return -1;
}

/*
 * After VQ_PAIRS_SET 2: flows the guest sent on pairs 0/1 stay there,
 * the host's datagrams on flows last seen on pairs 2/3 come on 0 or 1,
 * and nothing at all arrives on rx queues 2 and 3.
 */
static void test_pairs_set_two(void)
{
    UmqEnv *m = umq_start(NULL);
    int hport, fd = vnet_udp_bind(&hport);
    struct sockaddr_in from[FLOWS];
    uint8_t f[512];
    uint32_t xid = 0x9abc;

    arp_on(m, 0);
    for (int i = 0; i < FLOWS; i++) {
        UdpWant w = {.gport = 42000 + i, .tag = i};
        uint8_t buf[4];
        socklen_t flen = sizeof(from[i]);

        g_assert_true(qvnet_send(m->n, i % PAIRS, f,
                                 guest_udp(m, f, w.gport, hport, w.tag)));
        g_assert_true(vnet_wait_fd(fd, POLLIN, WAIT_MS));
        g_assert_cmpint(
            recvfrom(fd, buf, 4, 0, (struct sockaddr *)&from[i], &flen), ==, 4);
        g_assert_cmpint(buf[3], ==, i);
        g_assert_cmpint(
            sendto(fd, buf, 4, 0, (struct sockaddr *)&from[i], flen), ==, 4);
        g_assert_true(recv_match(m, i % PAIRS, is_udp_reply, &w));
    }
    g_assert_cmpint(pairs_set(m->n, 2), ==, QVNET_OK);
    for (int i = 0; i < FLOWS; i++) {
        UdpWant w = {.gport = 42000 + i, .tag = 0x100 | i};
        uint8_t buf[4] = {0, 0, 1, i};

        if (i % PAIRS < 2) {
            udp_round(m, fd, hport, i % PAIRS, w.gport, w.tag);
            g_assert_true(recv_match(m, i % PAIRS, is_udp_reply, &w));
            continue;
        }
        g_assert_cmpint(
            sendto(fd, buf, 4, 0, (struct sockaddr *)&from[i], sizeof(from[i])),
            ==, 4);
        g_assert_cmpint(recv_match_any(m, 2, is_udp_reply, &w), >=, 0);
    }
    g_assert_true(qvnet_send(m->n, 1, f, dhcp_discover(m, f, xid)));
    g_assert_true(recv_match(m, 1, is_dhcp_offer, &xid));
    assert_idle_from(m, 2);
    /* Back to 4: pair 3 is used again by the flows sent there. */
    g_assert_cmpint(pairs_set(m->n, 4), ==, QVNET_OK);
    {
        UdpWant w = {.gport = 42003, .tag = 0x203};

        udp_round(m, fd, hport, 3, w.gport, w.tag);
        g_assert_true(recv_match(m, 3, is_udp_reply, &w));
    }
    close(fd);
    umq_free(m);
}

/* Garbage, truncated and odd IP frames on every queue: no harm done. */
static void test_hostile_frames(void)
{
    UmqEnv *m = umq_start(",hostfwd=udp:127.0.0.1:0-:7");
    uint8_t f[512];
    uint32_t xid = 0x4242;

    for (int q = 0; q < PAIRS; q++) {
        for (int i = 0; i < 150; i++) {
            size_t len = 1 + g_test_rand_int_range(0, 300);

            for (size_t j = 0; j < len; j++) {
                f[j] = g_test_rand_int();
            }
            if (len >= 15 && i % 3 == 0) {
                /* IPv4 or IPv6 with a random header after it. */
                bool v6 = i % 2;
                f[12] = v6 ? 0x86 : 0x08;
                f[13] = v6 ? 0xdd : 0x00;
                f[14] = (v6 ? 0x60 : 0x40) | (f[14] & 0xf);
            }
            g_assert_true(qvnet_send(m->n, q, f, len));
        }
        /* Crafted: IHL past the end, fragments, a bare IPv6 header. */
        memset(f, 0, 64);
        f[12] = 0x08;
        f[14] = 0x4f;
        g_assert_true(qvnet_send(m->n, q, f, 34));
        f[14] = 0x45;
        f[20] = 0x20;
        f[23] = 17;
        g_assert_true(qvnet_send(m->n, q, f, 36));
        f[12] = 0x86;
        f[13] = 0xdd;
        f[14] = 0x60;
        f[20] = 6;
        g_assert_true(qvnet_send(m->n, q, f, 54));
        g_assert_true(qvnet_send(m->n, q, f, 14));
    }
    g_assert_true(qtest_alive(m->e->qts));
    g_assert_true(qvnet_send(m->n, 3, f, dhcp_discover(m, f, xid)));
    g_assert_true(recv_match(m, 3, is_dhcp_offer, &xid));
    umq_free(m);
}

/* set_link and netdev_del act on every queue of the netdev. */
static void test_link_and_del(void)
{
    UmqEnv *m = umq_start(NULL);

    vnet_set_link(m->e->qts, "u0", false);
    g_assert_false(qvnet_config_status(m->n) & QVNET_S_LINK_UP);
    vnet_set_link(m->e->qts, "u0", true);
    g_assert_true(qvnet_config_status(m->n) & QVNET_S_LINK_UP);
    arp_on(m, 1);
    qtest_qmp_assert_success(m->e->qts, "{\"execute\": \"netdev_del\", "
                                        "\"arguments\": {\"id\": \"u0\"}}");
    g_assert_false(qvnet_config_status(m->n) & QVNET_S_LINK_UP);
    /* The id is free again, with another queue count. */
    qtest_qmp_assert_success(m->e->qts,
                             "{\"execute\": \"netdev_add\", \"arguments\": "
                             "{\"type\": \"user\", \"id\": \"u0\", "
                             "\"queues\": 2}}");
    umq_free(m);
}

/* ---- bad values ---- */

static void cli_refused(const char *netdev, const char *want)
{
    char *args = g_strdup_printf("-M virt -display none -netdev %s", netdev);
    QTestState *s = qtest_spawn(args);
    char *err;

    g_assert_cmpint(qtest_wait_exit(s), !=, 0);
    err = qtest_stderr(s);
    if (!strstr(err, want)) {
        g_error("'%s': expected '%s' in:\n%s", netdev, want, err);
    }
    g_free(err);
    qtest_cleanup(s);
    g_free(args);
}

static void test_bad_queues_cli(void)
{
    cli_refused("user,id=u0,queues=0", "queues=0 is out of range");
    cli_refused("user,id=u0,queues=1025", "queues=1025 is out of range");
    cli_refused("user,id=u0,queues=-1", "queues");
}

static void test_bad_queues_qmp(void)
{
    QTestState *qts = qtest_init("-M virt");
    static const char *const bad[] = {"0", "1025", "4294967295"};

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        json_t *rsp = qtest_qmp(qts,
                                "{\"execute\": \"netdev_add\", \"arguments\": "
                                "{\"type\": \"user\", \"id\": \"u0\", "
                                "\"queues\": %s}}",
                                bad[i]);
        char *want = g_strdup_printf("user network: queues=%s is out of "
                                     "range; use a number from 1 to 1024",
                                     bad[i]);
        qmp_assert_error(rsp, "GenericError", want);
        g_free(want);
        json_decref(rsp);
    }
    /* Nothing was left behind: the id is still free. */
    qtest_qmp_assert_success(qts, "{\"execute\": \"netdev_add\", "
                                  "\"arguments\": {\"type\": \"user\", "
                                  "\"id\": \"u0\", \"queues\": 1024}}");
    qtest_qmp_assert_success(qts, "{\"execute\": \"netdev_del\", "
                                  "\"arguments\": {\"id\": \"u0\"}}");
    vnet_assert_clean_stderr(qts);
    g_assert_cmpint(qtest_quit(qts), >=, 0);
}

static void test_hub_refused(void)
{
    cli_refused("user,id=u0 -net nic -net user,queues=2",
                "queues= cannot be used with a hub");
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    qtest_add_func("/virtio-net/user-mq/pairs-offered", test_pairs_offered);
    qtest_add_func("/virtio-net/user-mq/arp-dhcp-any-pair",
                   test_arp_dhcp_any_pair);
    qtest_add_func("/virtio-net/user-mq/udp-flow-steering",
                   test_udp_flow_steering);
    qtest_add_func("/virtio-net/user-mq/tcp-flow-steering",
                   test_tcp_flow_steering);
    qtest_add_func("/virtio-net/user-mq/pairs-set-two", test_pairs_set_two);
    qtest_add_func("/virtio-net/user-mq/hostile-frames", test_hostile_frames);
    qtest_add_func("/virtio-net/user-mq/link-and-del", test_link_and_del);
    qtest_add_func("/virtio-net/user-mq/bad-queues-cli", test_bad_queues_cli);
    qtest_add_func("/virtio-net/user-mq/bad-queues-qmp", test_bad_queues_qmp);
    qtest_add_func("/virtio-net/user-mq/hub-refused", test_hub_refused);
    return g_test_run();
}
