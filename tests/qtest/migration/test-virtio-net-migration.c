/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net-device (virtio-mmio) and virtio-net-pci (modern MSI-X and
 * legacy INTx) migrating between two vireo processes:
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
    int mode;             /* VnetMode of virtio-net-pci, or -1: mmio */
    char *dir, *sock;
    VnetEnv *e;           /* the source, then (qts) the destination */
    QTestState *dst;
} Pair;

/* The NIC under test: virtio-net-device, or virtio-net-pci in slot 4. */
#define PCI_NIC "virtio-net-pci,addr=04.0"
#define PCI_IDSTR "0000:00:04.0/virtio-net"

static char *vnet_args_dev(int tport, const char *dev, const char *extra)
{
    int vport, probe = vnet_udp_bind(&vport);

    close(probe);
    return g_strdup_printf("-netdev dgram,id=n0,local.type=inet,"
                           "local.host=127.0.0.1,local.port=%d,"
                           "remote.type=inet,remote.host=127.0.0.1,"
                           "remote.port=%d -device %s,"
                           "netdev=n0,id=nic0,mac=" NIC_MAC " %s",
                           vport, tport, dev, extra);
}

static char *vnet_args(int tport, const char *extra)
{
    return vnet_args_dev(tport, "virtio-net-device", extra);
}

static const char *pair_dev(const Pair *p)
{
    return p->mode < 0 ? "virtio-net-device" : PCI_NIC;
}

/* @mode: the VnetMode to drive virtio-net-pci in, or -1 for mmio. */
static void pair_start_mode(Pair *p, uint64_t features, int mode)
{
    char *args;

    p->mode = mode;
    p->tfd = vnet_udp_bind(&p->tport);
    p->dir = vnet_tmpdir();
    p->sock = g_build_filename(p->dir, "mig.sock", NULL);
    args = vnet_args_dev(p->tport, pair_dev(p), "");
    p->e = vnet_env_start(args);
    g_free(args);
    if (mode < 0) {
        vnet_env_mmio(p->e, QVIRTIO_MMIO_FIRST_DEVICE);
    } else {
        vnet_env_pci(p->e, mode);
    }
    p->e->net = qvnet_init(p->e->dev, features, 1);
    args = vnet_args_dev(p->tport, pair_dev(p), "-incoming unix:");
    p->dst = qtest_initf("-M virt -m %d %s%s", VNET_RAM_MB, args, p->sock);
    g_free(args);
}

static void pair_start(Pair *p, uint64_t features)
{
    pair_start_mode(p, features, -1);
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
    p->e->bus->qts = p->dst;
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

/* ---- virtio-net-pci ---- */

#define PCI_STATUS_REG 0x06
#define PCI_STATUS_INTX 0x08

/* Drop MSI-X messages that are already in RAM (they migrated with it). */
static void msi_drain(QVirtioNet *n)
{
    qvirtio_msi_take(n->dev, n->dev->config_vector);
    qvirtqueue_irq_take(n->rx[0].vq);
    qvirtqueue_irq_take(n->tx[0].vq);
}

/*
 * Modern interface with MSI-X: the RX filter survives, frames flow both
 * ways on the same rings, and the queues' MSI-X messages arrive on the
 * destination (vectors, table and masks came with the stream).
 */
static void test_pci_msix(void)
{
    Pair p = { 0 };
    json_t *before, *after, *r;
    QVirtioNet *n;
    int vport;

    pair_start_mode(&p, qvnet_default_features() & ~(1ull << QVNET_F_MQ),
                    VNET_MODERN_MSIX);
    n = p.e->net;
    g_assert_true(p.e->dev->msix);
    /* Nothing blocks: the PCI NIC has its section now. */
    r = qtest_qmp_assert_success_ref(p.e->qts, "{'execute':'query-migrate'}");
    g_assert_null(json_object_get(r, "blocked-reasons"));
    json_decref(r);
    set_filters(n);
    qvnet_post_rx(n, 0, 4, 2048);
    vport = guest_to_backend(&p, 1);
    backend_to_guest(&p, vport, 2);
    before = vnet_rx_filter(p.e->qts, "nic0");

    pair_migrate(&p);
    after = vnet_rx_filter(p.e->qts, "nic0");
    if (!json_equal(before, after)) {
        g_error("rx filter changed: %s -> %s", json_dumps(before, 0),
                json_dumps(after, 0));
    }
    msi_drain(n);
    vport = guest_to_backend(&p, 3);
    g_assert_true(qvirtqueue_irq_take(n->tx[0].vq));
    backend_to_guest(&p, vport, 4);
    g_assert_true(qvirtqueue_irq_take(n->rx[0].vq));
    /* The control queue and its vector work too. */
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_RX, QVNET_CTRL_RX_PROMISC,
                               &(uint8_t){ 1 }, 1), ==, QVNET_OK);
    g_assert_true(qvnet_rx_idle(n, 0, 100));
    json_decref(before);
    json_decref(after);
    pair_free(&p);
}

/*
 * Legacy interface with INTx: the asserted line migrates (status bit and
 * ISR), reading the ISR on the destination lowers it, and the rings go on.
 */
static void test_pci_legacy_intx(void)
{
    Pair p = { 0 };
    QVirtioNet *n;
    QPCIDevice *pdev;
    uint8_t f[300];
    int vport;

    pair_start_mode(&p, qvnet_default_features() & ~(1ull << QVNET_F_MQ),
                    VNET_LEGACY_INTX);
    n = p.e->net;
    pdev = p.e->pci->pdev;
    g_assert_false(p.e->dev->msix);
    qvnet_post_rx(n, 0, 4, 2048);
    vport = guest_to_backend(&p, 1);
    /* A frame arrives; the driver does not read the ISR: INTx stays up. */
    vnet_frame(f, sizeof(f), set_mac, vnet_peer_mac, 2);
    {
        struct sockaddr_in to = { .sin_family = AF_INET };
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(vport);
        g_assert_cmpint(sendto(p.tfd, f, sizeof(f), 0,
                               (struct sockaddr *)&to, sizeof(to)), ==,
                        sizeof(f));
    }
    for (int i = 0; i < 300 && !(qpci_config_readw(pdev, PCI_STATUS_REG) &
                                 PCI_STATUS_INTX); i++) {
        qvirtio_poll_pause(p.e->qts);
    }
    g_assert_cmphex(qpci_config_readw(pdev, PCI_STATUS_REG) &
                    PCI_STATUS_INTX, ==, PCI_STATUS_INTX);

    pair_migrate(&p);
    g_assert_cmphex(qpci_config_readw(pdev, PCI_STATUS_REG) &
                    PCI_STATUS_INTX, ==, PCI_STATUS_INTX);
    g_assert_true(qvirtqueue_irq_take(n->rx[0].vq)); /* reads the ISR */
    g_assert_cmphex(qpci_config_readw(pdev, PCI_STATUS_REG) &
                    PCI_STATUS_INTX, ==, 0);
    {
        uint8_t got[2048];
        g_assert_cmpint(qvnet_recv(n, 0, got, sizeof(got), NULL, 3000), ==,
                        sizeof(f));
        g_assert_cmpuint(vnet_frame_seed(got, sizeof(f)), ==, 2);
    }
    vport = guest_to_backend(&p, 3);
    backend_to_guest(&p, vport, 4);
    pair_free(&p);
}

/* Start a destination from @path and expect it to fail with @why. */
static void expect_load_failure(Pair *p, const char *path, const char *why)
{
    char *args = vnet_args_dev(p->tport, PCI_NIC, "-incoming file:");
    QTestState *d = qtest_initf("-M virt -m %d %s%s", VNET_RAM_MB, args,
                                path);
    char *err;

    for (int i = 0; i < 500 && qtest_alive(d); i++) {
        g_usleep(10000);
    }
    g_assert_false(qtest_alive(d));
    err = qtest_stderr(d);
    if (!strstr(err, "load of migration failed") || !strstr(err, why) ||
        strstr(err, "Sanitizer") || strstr(err, "runtime error:")) {
        g_error("expected \"%s\" (and no sanitizer report), got:\n%s",
                why, err);
    }
    g_free(err);
    qtest_quit(d);
    g_free(args);
}

/*
 * The PCI section is in QEMU's layout: "0000:00:04.0/virtio-net" v11, the
 * PCIDevice state (version 2, config space, 4 pin levels), the MSI-X table
 * and PBA, config_vector; no separate pci-device section.  A stream for
 * another device and a vector the table lacks both fail cleanly.
 */
static void test_pci_corrupted(void)
{
    Pair p = { 0 };
    char *path, *data, *hit, *copy;
    gsize len;
    uint8_t *v, *cv = NULL;
    const unsigned nvec = 4; /* 2 * pairs + 2 */

    pair_start_mode(&p, qvnet_default_features() & ~(1ull << QVNET_F_MQ),
                    VNET_MODERN_MSIX);
    path = g_build_filename(p.dir, "state", NULL);
    qtest_qmp_assert_success(p.e->qts, "{'execute':'migrate','arguments':"
                             "{'uri':'file:%s'}}", path);
    assert_completed(p.e->qts);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    /* The host bridge has its pci-device section; the NIC has none. */
    g_assert_nonnull(memmem(data, len, "00.0/pci-device", 15));
    g_assert_null(memmem(data, len, ":04.0/pci-device", 16));
    hit = memmem(data, len, PCI_IDSTR, strlen(PCI_IDSTR));
    g_assert_nonnull(hit);
    g_assert_cmpuint(ldl_be_p(hit + strlen(PCI_IDSTR) + 4), ==, 11);
    v = (uint8_t *)hit + strlen(PCI_IDSTR) + 8;
    g_assert_cmpuint(ldl_be_p(v), ==, 2);        /* PCIDevice version */
    g_assert_cmphex(v[4], ==, 0xf4);             /* vendor 0x1af4 */
    g_assert_cmphex(v[5], ==, 0x1a);
    /* Config space of 256 or 4096 bytes: find the layout in which the
     * config vector (0) is followed by the status byte the driver set. */
    for (unsigned sz = 256; sz <= 4096; sz *= 16) {
        uint8_t *c = v + 4 + sz + 16 + nvec * 16 + (nvec + 7) / 8;
        if (c + 3 < (uint8_t *)data + len && c[0] == 0 && c[1] == 0 &&
            c[2] == 0x0f) {
            cv = c;
        }
    }
    g_assert_nonnull(cv);

    copy = g_memdup2(data, len);
    copy[v - (uint8_t *)data + 4] = 0x00;       /* another vendor */
    g_assert_true(g_file_set_contents(path, copy, len, NULL));
    expect_load_failure(&p, path, "the stream is for another device");
    g_free(copy);

    copy = g_memdup2(data, len);
    copy[cv - (uint8_t *)data + 1] = nvec;     /* a vector beyond the table */
    g_assert_true(g_file_set_contents(path, copy, len, NULL));
    expect_load_failure(&p, path, "config vector 4, the device has 4");
    g_free(copy);

    g_free(data);
    g_free(path);
    pair_free(&p);
}

/*
 * The other type names migrate too, and a device behind a root port gets
 * QEMU's path with both slots; the stream loads into the same setup.
 */
static void test_pci_types_paths(void)
{
    static const char args[] =
        "-nic none -device pcie-root-port,id=rp,chassis=1,addr=03.0 "
        "-device virtio-net-pci-non-transitional,bus=rp "
        "-device virtio-net-pci-transitional,addr=05.0";
    char *dir = vnet_tmpdir(), *path = g_build_filename(dir, "state", NULL);
    QTestState *s = qtest_initf("-M virt -m %d %s", VNET_RAM_MB, args), *d;
    json_t *r = qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
    char *data;
    gsize len;

    g_assert_null(json_object_get(r, "blocked-reasons"));
    json_decref(r);
    qtest_qmp_assert_success(s, "{'execute':'migrate','arguments':"
                             "{'uri':'file:%s'}}", path);
    assert_completed(s);
    g_assert_true(g_file_get_contents(path, &data, &len, NULL));
    g_assert_nonnull(memmem(data, len, "0000:00:03.0:00.0/virtio-net", 28));
    g_assert_nonnull(memmem(data, len, "0000:00:05.0/virtio-net", 23));
    g_free(data);
    d = qtest_initf("-M virt -m %d %s -incoming file:%s", VNET_RAM_MB, args,
                    path);
    assert_completed(d);
    vnet_assert_clean_stderr(s);
    vnet_assert_clean_stderr(d);
    qtest_quit(d);
    qtest_quit(s);
    g_free(path);
    vnet_tmpdir_free(dir);
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
    qtest_add_func("/migration/virtio-net/pci/modern-msix", test_pci_msix);
    qtest_add_func("/migration/virtio-net/pci/legacy-intx",
                   test_pci_legacy_intx);
    qtest_add_func("/migration/virtio-net/pci/corrupted", test_pci_corrupted);
    qtest_add_func("/migration/virtio-net/pci/types-paths",
                   test_pci_types_paths);
    return g_test_run();
}
