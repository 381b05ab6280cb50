/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net-device (virtio-mmio) migrating between two vireo processes:
 * the test's driver sets up the NIC on the source, the state moves, and
 * the same driver (its rings are in guest RAM, which moved too) goes on
 * with the destination.  Checks the RX filter, the data path on the same
 * rings, the destination's RARPs (QEMU's and Vireo's extra MACs/VLANs),
 * the GUEST_ANNOUNCE sequence, and a corrupted section.
 */
#include "../virtio/vnet-test.h"

#define NIC_MAC "52:54:00:12:34:01"
static const uint8_t nic_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x01 };
static const uint8_t set_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x55 };
static const uint8_t extra_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x77 };
static const uint8_t multi_mac[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x01 };

static uint32_t ldl_be_p(const void *p)
{
    const uint8_t *b = p;
    return (uint32_t)b[0] << 24 | b[1] << 16 | b[2] << 8 | b[3];
}

static void stl_be_p(void *p, uint32_t v)
{
    uint8_t *b = p;
    b[0] = v >> 24;
    b[1] = v >> 16;
    b[2] = v >> 8;
    b[3] = v;
}

typedef struct Pair {
    int tfd, tport;       /* the test's end of both dgram backends */
    char *dir, *sock;
    VnetEnv *e;           /* the source, then (qts) the destination */
    QTestState *dst;
} Pair;

static char *vnet_args(int tport, const char *extra)
{
    int vport, probe = vnet_udp_bind(&vport);

    close(probe);
    return g_strdup_printf("-netdev dgram,id=n0,local.type=inet,"
                           "local.host=127.0.0.1,local.port=%d,"
                           "remote.type=inet,remote.host=127.0.0.1,"
                           "remote.port=%d -device virtio-net-device,"
                           "netdev=n0,id=nic0,mac=" NIC_MAC " %s",
                           vport, tport, extra);
}

static void pair_start(Pair *p, uint64_t features)
{
    char *args;

    p->tfd = vnet_udp_bind(&p->tport);
    p->dir = vnet_tmpdir();
    p->sock = g_build_filename(p->dir, "mig.sock", NULL);
    args = vnet_args(p->tport, "");
    p->e = vnet_env_start(args);
    g_free(args);
    vnet_env_mmio(p->e, QVIRTIO_MMIO_FIRST_DEVICE);
    p->e->net = qvnet_init(p->e->dev, features, 1);
    args = vnet_args(p->tport, "-incoming unix:");
    p->dst = qtest_initf("-M virt -m %d %s%s", VNET_RAM_MB, args, p->sock);
    g_free(args);
}

static json_t *wait_end(QTestState *s)
{
    for (int i = 0; i < 2000; i++) {
        json_t *r =
            qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
        const char *st = json_string_value(json_object_get(r, "status"));
        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed"))) {
            return r;
        }
        json_decref(r);
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

static void assert_completed(QTestState *s)
{
    json_t *r = wait_end(s);

    g_assert_cmpstr(json_string_value(json_object_get(r, "status")), ==,
                    "completed");
    json_decref(r);
}

/* Migrate and hand the driver over to the destination. */
static void pair_migrate(Pair *p)
{
    qtest_qmp_assert_success(p->e->qts, "{'execute':'migrate','arguments':"
                             "{'uri':'unix:%s'}}", p->sock);
    assert_completed(p->e->qts);
    assert_completed(p->dst);
    vnet_assert_clean_stderr(p->e->qts);
    qtest_quit(p->e->qts);
    p->e->qts = p->dst;
    p->e->dev->qts = p->dst;
    p->dst = NULL;
}

static void pair_free(Pair *p)
{
    vnet_env_free(p->e);
    if (p->dst) {
        qtest_quit(p->dst);
    }
    close(p->tfd);
    vnet_tmpdir_free(p->dir);
    g_free(p->sock);
}

/* Frames the backend got within @ms, as a list of GBytes. */
static GPtrArray *collect(int fd, int ms)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(
        (GDestroyNotify)g_bytes_unref);
    uint8_t buf[2048];

    while (vnet_wait_fd(fd, POLLIN, ms)) {
        ssize_t n = recv(fd, buf, sizeof(buf), 0);
        g_assert_cmpint(n, >, 0);
        g_ptr_array_add(a, g_bytes_new(buf, n));
    }
    return a;
}

/* How many RARPs for @mac (tagged with @vid, or untagged when < 0). */
static int count_rarp(GPtrArray *a, const uint8_t mac[6], int vid)
{
    int n = 0;

    for (guint i = 0; i < a->len; i++) {
        gsize len;
        const uint8_t *f = g_bytes_get_data(a->pdata[i], &len);
        const uint8_t *t = f + 12;

        if (vid >= 0) {
            if (len != 64 || f[12] != 0x81 || f[13] != 0 ||
                ((f[14] & 0xf) << 8 | f[15]) != vid) {
                continue;
            }
            t += 4;
        } else if (len != 60) {
            continue;
        }
        if (memcmp(f, vnet_bcast, 6) || memcmp(f + 6, mac, 6) ||
            t[0] != 0x80 || t[1] != 0x35 || t[9] != 3 ||
            memcmp(t + 10, mac, 6) || memcmp(t + 20, mac, 6)) {
            continue;
        }
        n++;
    }
    return n;
}

static void set_filters(QVirtioNet *n)
{
    uint8_t on = 1, off = 0, table[4 + 6 + 4 + 6];
    uint16_t vid = 5;

    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC, &off,
                               1), ==, QVNET_OK);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_RX, QVNET_CTRL_RX_ALLMULTI, &on,
                               1), ==, QVNET_OK);
    memset(table, 0, sizeof(table));
    table[0] = 1;
    memcpy(table + 4, extra_mac, 6);
    table[10] = 1;
    memcpy(table + 14, multi_mac, 6);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_TABLE_SET,
                               table, sizeof(table)), ==, QVNET_OK);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_VLAN, QVNET_CTRL_VLAN_ADD, &vid,
                               2), ==, QVNET_OK);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MAC, QVNET_CTRL_MAC_ADDR_SET,
                               set_mac, 6), ==, QVNET_OK);
}

/* Send @seed from the guest, check it at the backend; returns its port. */
static int guest_to_backend(Pair *p, uint32_t seed)
{
    uint8_t f[300], got[2048];
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    ssize_t n;

    vnet_frame(f, sizeof(f), vnet_peer_mac, set_mac, seed);
    g_assert_true(qvnet_send(p->e->net, 0, f, sizeof(f)));
    for (;;) {
        g_assert_true(vnet_wait_fd(p->tfd, POLLIN, 3000));
        n = recvfrom(p->tfd, got, sizeof(got), 0, (struct sockaddr *)&from,
                     &flen);
        if (n == sizeof(f) && got[12] == 0x88) {
            break; /* skip RARPs */
        }
    }
    g_assert_cmpuint(vnet_frame_seed(got, n), ==, seed);
    return ntohs(from.sin_port);
}

static void backend_to_guest(Pair *p, int vport, uint32_t seed)
{
    uint8_t f[300], got[2048];
    struct sockaddr_in to = { .sin_family = AF_INET };

    vnet_frame(f, sizeof(f), set_mac, vnet_peer_mac, seed);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    to.sin_port = htons(vport);
    g_assert_cmpint(sendto(p->tfd, f, sizeof(f), 0, (struct sockaddr *)&to,
                           sizeof(to)), ==, sizeof(f));
    g_assert_cmpint(qvnet_recv(p->e->net, 0, got, sizeof(got), NULL, 3000),
                    ==, sizeof(f));
    g_assert_cmpuint(vnet_frame_seed(got, sizeof(f)), ==, seed);
}

static void test_filters_data_rarp(void)
{
    Pair p = { 0 };
    json_t *before, *after;
    GPtrArray *frames;
    int vport;

    pair_start(&p, qvnet_default_features() & ~(1ull << QVNET_F_MQ));
    set_filters(p.e->net);
    qvnet_post_rx(p.e->net, 0, 4, 2048);
    vport = guest_to_backend(&p, 1);
    backend_to_guest(&p, vport, 2);
    before = vnet_rx_filter(p.e->qts, "nic0");

    pair_migrate(&p);
    after = vnet_rx_filter(p.e->qts, "nic0");
    if (!json_equal(before, after)) {
        g_error("rx filter changed: %s -> %s", json_dumps(before, 0),
                json_dumps(after, 0));
    }
    /* Round one of the destination's RARPs: QEMU's frame for the
     * configured MAC, then (Vireo extension) the guest's other unicast
     * MACs, and all of them tagged with the guest's VLAN 5. */
    frames = collect(p.tfd, 300);
    g_assert_cmpint(count_rarp(frames, nic_mac, -1), >=, 1);
    g_assert_cmpint(count_rarp(frames, set_mac, -1), >=, 1);
    g_assert_cmpint(count_rarp(frames, extra_mac, -1), >=, 1);
    g_assert_cmpint(count_rarp(frames, nic_mac, 5), >=, 1);
    g_assert_cmpint(count_rarp(frames, set_mac, 5), >=, 1);
    g_assert_cmpint(count_rarp(frames, extra_mac, 5), >=, 1);
    g_assert_cmpint(count_rarp(frames, multi_mac, -1), ==, 0);
    g_ptr_array_free(frames, TRUE);

    /* The same rings go on: the two RX buffers left and the TX ring. */
    vport = guest_to_backend(&p, 3);
    backend_to_guest(&p, vport, 4);
    g_assert_true(qvnet_rx_idle(p.e->net, 0, 100));
    json_decref(before);
    json_decref(after);
    pair_free(&p);
}

static void test_guest_announce(void)
{
    Pair p = { 0 };
    QVirtioMMIO *m;

    pair_start(&p, (qvnet_default_features() & ~(1ull << QVNET_F_MQ)) |
                   1ull << QVNET_F_GUEST_ANNOUNCE);
    g_assert_true(p.e->dev->features & 1ull << QVNET_F_GUEST_ANNOUNCE);
    g_assert_cmphex(qvnet_config_status(p.e->net) & 2, ==, 0);
    pair_migrate(&p);
    m = p.e->mmio;
    /* The announce timer (virtual clock) fires as soon as the VM runs. */
    qtest_clock_step(p.e->qts, 1000000);
    g_assert_cmphex(qvnet_config_status(p.e->net) & 2, ==, 2);
    g_assert_cmphex(qvirtio_mmio_readl(m, 0x60) & 2, ==, 2);
    /* ACK: the bit goes, the next round comes after initial (50 ms). */
    qvirtio_mmio_writel(m, 0x64, 2);
    g_assert_cmpint(qvnet_ctrl(p.e->net, QVNET_CTRL_ANNOUNCE, 0, NULL, 0), ==,
                    QVNET_OK);
    g_assert_cmphex(qvnet_config_status(p.e->net) & 2, ==, 0);
    qtest_clock_step(p.e->qts, 60 * 1000000);
    g_assert_cmphex(qvnet_config_status(p.e->net) & 2, ==, 2);
    pair_free(&p);
}

/* A corrupted virtio-net section: the destination fails cleanly. */
static void test_corrupted(void)
{
    Pair p = { 0 };
    char *path, *args, *data, *hit, *err;
    gsize len;
    QTestState *d;
    static const char idstr[] = "virtio-mmio@0000000010008000/virtio-net";

    pair_start(&p, qvnet_default_features() & ~(1ull << QVNET_F_MQ));
    path = g_build_filename(p.dir, "state", NULL);
    qtest_qmp_assert_success(p.e->qts, "{'execute':'migrate','arguments':"
                             "{'uri':'file:%s'}}", path);
    assert_completed(p.e->qts);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    hit = memmem(data, len, idstr, sizeof(idstr) - 1);
    g_assert_nonnull(hit);
    /* idstr, be32 instance 0, be32 version 11, then the virtio state:
     * status, isr, queue_sel, features, config_len, config, vq count. */
    g_assert_cmpuint(ldl_be_p(hit + sizeof(idstr) - 1 + 4), ==, 11);
    {
        uint8_t *v = (uint8_t *)hit + sizeof(idstr) - 1 + 8;
        uint32_t clen = ldl_be_p(v + 8);
        uint8_t *vqs = v + 12 + clen;

        g_assert_cmpuint(ldl_be_p(vqs), ==, 3);
        stl_be_p(vqs + 4, 0x1000); /* rx ring size: too big */
    }
    g_assert_true(g_file_set_contents(path, data, len, NULL));
    args = vnet_args(p.tport, "-incoming file:");
    d = qtest_initf("-M virt -m %d %s%s", VNET_RAM_MB, args, path);
    for (int i = 0; i < 500 && qtest_alive(d); i++) {
        g_usleep(10000);
    }
    g_assert_false(qtest_alive(d));
    err = qtest_stderr(d);
    g_assert_nonnull(strstr(err, "load of migration failed"));
    g_assert_nonnull(strstr(err, "VQ 0 size 0x1000"));
    g_free(err);
    qtest_quit(d);
    g_free(args);
    g_free(data);
    g_free(path);
    pair_free(&p);
}

/*
 * Two queue pairs (user networking, queues=2): a frame kicked on TX pair 1
 * while curr_queue_pairs is 1 is completed and dropped (QEMU: the backend
 * queue is detached), not held; then curr=2 migrates (max/curr fields)
 * and pair 1 works on the destination with the same rings.
 */
static void test_mq(void)
{
    static const char args[] = "-netdev user,id=u0,queues=2 "
                               "-device virtio-net-device,netdev=u0,mq=on,"
                               "id=nic0";
    VnetEnv *e = vnet_env_start(args);
    char *dir = vnet_tmpdir(), *sock = g_build_filename(dir, "m.sock", NULL);
    QTestState *dst = qtest_initf("-M virt -m %d %s -incoming unix:%s",
                                  VNET_RAM_MB, args, sock);
    uint8_t f[100];
    uint16_t pairs = 2;
    Pair p = { .e = e, .sock = sock, .dst = dst };

    vnet_env_mmio(e, QVIRTIO_MMIO_FIRST_DEVICE);
    e->net = qvnet_init(e->dev, qvnet_default_features(), 2);
    g_assert_cmpint(e->net->max_pairs, ==, 2);
    vnet_frame(f, sizeof(f), vnet_bcast, set_mac, 7);
    g_assert_true(qvnet_send(e->net, 1, f, sizeof(f)));
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_MQ,
                               QVNET_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2), ==,
                    QVNET_OK);
    pair_migrate(&p);
    g_assert_true(qvnet_send(e->net, 1, f, sizeof(f)));
    g_assert_true(qvnet_send(e->net, 0, f, sizeof(f)));
    vnet_env_free(e);
    vnet_tmpdir_free(dir);
    g_free(sock);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    qtest_add_func("/migration/virtio-net/filters-data-rarp",
                   test_filters_data_rarp);
    qtest_add_func("/migration/virtio-net/guest-announce",
                   test_guest_announce);
    qtest_add_func("/migration/virtio-net/corrupted", test_corrupted);
    qtest_add_func("/migration/virtio-net/multiqueue", test_mq);
    return g_test_run();
}
