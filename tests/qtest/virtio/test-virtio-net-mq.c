/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Multiqueue traffic through virtio-net and a real multiqueue tap.
 *
 * Each test runs in a forked child that first moves itself into a network
 * namespace of its own (unshare(CLONE_NEWNET)); vireo and its tap live
 * there, and the kernel removes the namespace with the tap when the child
 * and vireo are gone, however the test ends.  The test process is the
 * "namespace side": its UDP sockets talk to the guest driver through the
 * tap, so the kernel's own flow hash picks the tap queue (and so the rx
 * virtqueue) of every frame.
 *
 * Every frame the namespace sends carries a unique sequence number; the
 * driver drains all rx virtqueues and counts where each one landed.  The
 * kernel's view of the queues (attached / disabled) is read from
 * `ip -d link` and /proc/<vireo>/fdinfo.
 */
#include <fcntl.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include "vnet-test.h"

#define TAP "vmq0"
#define NS_IP "10.78.0.1"
#define GUEST_IP "10.78.0.2"
#define RX_PORT 9000        /* guest port the namespace sends to */
#define TX_PORT 9001        /* namespace port the guest sends to */
#define GUEST_SRC_PORT 20000
#define FLOWS 64
#define RX_BUF 2048
#define MAX_SEQ 65536
#define MAGIC_DATA "vireo-mq"
#define MAGIC_REPLY "vireo-rp"
#define MAGIC_LEN 8

/* ---- the namespace ---- */

static void write_sysctl(const char *path, const char *value)
{
    /* Missing (no IPv6 in this kernel) is fine. */
    g_file_set_contents(path, value, -1, NULL);
}

/*
 * Move this (forked) test process into a fresh network namespace, or skip
 * with the reason.  IPv6 is off for new interfaces so that no router
 * solicitations or DAD probes land in the guest's rings.
 */
static bool enter_netns(void)
{
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        qtest_skip("needs root and /dev/net/tun");
        return false;
    }
    if (unshare(CLONE_NEWNET) < 0) {
        qtest_skip("cannot create a network namespace (unshare)");
        return false;
    }
    write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    return true;
}

static char *run_out(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *run_out(const char *fmt, ...)
{
    va_list ap;
    char *cmd, *out = NULL, *err = NULL;
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, &err, &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("'%s' failed: %s", cmd, err);
    }
    g_free(err);
    g_free(cmd);
    return out;
}

/* Queues attached and disabled, as `ip -d link` reports them. */
static void kernel_queues(int *attached, int *disabled)
{
    char *out = run_out("ip -d link show dev " TAP);
    char *p = strstr(out, "numqueues ");

    g_assert_nonnull(p);
    *attached = atoi(p + strlen("numqueues "));
    p = strstr(out, "numdisabled ");
    g_assert_nonnull(p);
    *disabled = atoi(p + strlen("numdisabled "));
    g_free(out);
}

/* fds of @pid that the kernel reports as attached to the tap. */
static int proc_attached_fds(pid_t pid)
{
    char *dir = g_strdup_printf("/proc/%d/fdinfo", (int)pid);
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *e;
    int n = 0;

    g_assert_nonnull(d);
    while ((e = g_dir_read_name(d))) {
        char *path = g_build_filename(dir, e, NULL), *text = NULL;
        if (g_file_get_contents(path, &text, NULL, NULL) &&
            strstr(text, "iff:\t" TAP "\n")) {
            n++;
        }
        g_free(text);
        g_free(path);
    }
    g_dir_close(d);
    g_free(dir);
    return n;
}

/* The kernel side agrees: @attached of @total queues attached. */
static void assert_kernel_attached(pid_t pid, int attached, int total)
{
    int a, dis;

    if (total == 1) {
        /* A single-queue tap has no queue counts to show. */
        g_assert_cmpint(proc_attached_fds(pid), ==, 1);
        return;
    }
    kernel_queues(&a, &dis);
    g_assert_cmpint(a, ==, attached);
    g_assert_cmpint(dis, ==, total - attached);
    /* A detached queue's fd no longer names the interface. */
    g_assert_cmpint(proc_attached_fds(pid), ==, attached);
}

/* ---- vireo with a multiqueue tap ---- */

typedef struct MqEnv {
    VnetEnv *e;
    QVirtioNet *n;
    int queues;
    uint8_t guest_mac[6];
    uint8_t tap_mac[6];
    int tx_sock;            /* namespace UDP socket on TX_PORT */
    int flow_socks[FLOWS];  /* one source port per flow */
} MqEnv;

static int pairs_set(QVirtioNet *n, uint16_t pairs)
{
    uint8_t p[2] = { pairs, pairs >> 8 };

    return qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET, p, 2);
}

static int udp_socket(uint16_t port)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int size = 4 << 20;

    g_assert_cmpint(fd, >=, 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
    inet_pton(AF_INET, NS_IP, &a.sin_addr);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    return fd;
}

/* Address the tap in the namespace, up, the guest as a static neighbour. */
static void tap_setup(MqEnv *m)
{
    char *out;
    const uint8_t *g = m->guest_mac;

    g_free(run_out("ip addr add " NS_IP "/24 dev " TAP));
    g_free(run_out("ip link set " TAP " up"));
    g_free(run_out("ip neigh replace " GUEST_IP " lladdr "
                   "%02x:%02x:%02x:%02x:%02x:%02x dev " TAP " nud permanent",
                   g[0], g[1], g[2], g[3], g[4], g[5]));
    out = run_out("cat /sys/class/net/" TAP "/address");
    g_assert_cmpint(sscanf(out, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx",
                           &m->tap_mac[0], &m->tap_mac[1], &m->tap_mac[2],
                           &m->tap_mac[3], &m->tap_mac[4], &m->tap_mac[5]),
                    ==, 6);
    g_free(out);
    m->tx_sock = udp_socket(TX_PORT);
    for (int i = 0; i < FLOWS; i++) {
        m->flow_socks[i] = udp_socket(0); /* a port of its own */
    }
}

/*
 * vireo with a tap of @queues queues and virtio-net-pci mq=on; the driver
 * negotiates MQ, sets up every pair and fills every rx ring, but leaves
 * VQ_PAIRS_SET to the test.
 */
static MqEnv *mq_start(int queues)
{
    MqEnv *m = g_new0(MqEnv, 1);
    char *args = g_strdup_printf("-netdev tap,id=n0,ifname=" TAP ",queues=%d,"
                                 "script=no,downscript=no,vnet_hdr=on "
                                 "-device virtio-net-pci,netdev=n0,mq=on,"
                                 "id=vnet0", queues);

    m->queues = queues;
    m->e = vnet_env_start(args);
    g_free(args);
    vnet_env_pci(m->e, VNET_MODERN_MSIX);
    /* vectors defaults to 2N+2; only 3 virtqueues until MQ is agreed. */
    g_assert_cmpuint(qpci_msix_table_size(m->e->pci->pdev), ==,
                     2 * queues + 2);
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 3);
    m->n = m->e->net = qvnet_init(m->e->dev, qvnet_default_features(), queues);
    g_assert_true(m->e->dev->features & (1ull << QVNET_F_MQ));
    g_assert_cmpint(m->n->max_pairs, ==, queues);
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 2 * queues + 1);
    for (int q = 0; q < queues; q++) {
        qvnet_fill_rx(m->n, q, RX_BUF);
    }
    qvnet_config_mac(m->n, m->guest_mac);
    /* After realize and negotiation only pair 0 is in use. */
    assert_kernel_attached(qtest_pid(m->e->qts), 1, queues);
    tap_setup(m);
    return m;
}

static void mq_free(MqEnv *m)
{
    close(m->tx_sock);
    for (int i = 0; i < FLOWS; i++) {
        close(m->flow_socks[i]);
    }
    vnet_env_free(m->e);
    g_free(m);
}

/* ---- frames the namespace sends, as the guest sees them ---- */

typedef struct RxLog {
    uint8_t count[MAX_SEQ];     /* copies of each sequence number */
    int8_t queue[MAX_SEQ];      /* rx queue of the (first) copy */
    uint32_t per_queue[QVNET_MAX_PAIRS];
    int reply_queue[QVNET_MAX_PAIRS]; /* rx queue of reply r, or -1 */
    uint32_t other;             /* frames that are not the test's */
    uint8_t mac[6];             /* the guest's */
} RxLog;

static RxLog *rx_log_new(const MqEnv *m)
{
    RxLog *l = g_new0(RxLog, 1);

    memcpy(l->mac, m->guest_mac, 6);

    memset(l->queue, -1, sizeof(l->queue));
    memset(l->reply_queue, -1, sizeof(l->reply_queue));
    return l;
}

/* The UDP payload of an IPv4 frame to the guest's @port, or NULL. */
static const uint8_t *udp_payload(const uint8_t *f, size_t len,
                                  uint16_t port, size_t *plen)
{
    const uint8_t *ip = f + 14, *udp;
    size_t ihl;

    if (len < 14 + 20 + 8 || f[12] != 0x08 || f[13] != 0x00 ||
        (ip[0] >> 4) != 4 || ip[9] != 17) {
        return NULL;
    }
    ihl = (ip[0] & 15) * 4u;
    if (len < 14 + ihl + 8) {
        return NULL;
    }
    udp = ip + ihl;
    if ((udp[2] << 8 | udp[3]) != port) {
        return NULL;
    }
    *plen = len - 14 - ihl - 8;
    return udp + 8;
}

static void on_rx(int q, const uint8_t *f, size_t len, void *opaque)
{
    RxLog *l = opaque;
    size_t plen;
    const uint8_t *p = udp_payload(f, len, RX_PORT, &plen);
    uint32_t v;

    if (!p || plen < MAGIC_LEN + 4) {
        l->other++;
        return;
    }
    v = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
    if (!memcmp(p, MAGIC_DATA, MAGIC_LEN)) {
        g_assert_cmpuint(v, <, MAX_SEQ);
        if (!l->count[v]++) {
            l->queue[v] = q;
        }
        l->per_queue[q]++;
        /* Addressed to the guest by the kernel's neighbour entry. */
        g_assert_cmpmem(f, 6, l->mac, 6);
    } else if (!memcmp(p, MAGIC_REPLY, MAGIC_LEN)) {
        g_assert_cmpuint(v, <, QVNET_MAX_PAIRS);
        l->reply_queue[v] = q;
    } else {
        l->other++;
    }
}

/* Drain rx queues [0, @upto) once; returns the frames taken. */
static int drain(MqEnv *m, RxLog *l, int upto)
{
    int got = 0;

    for (int q = 0; q < upto; q++) {
        got += qvnet_rx_drain(m->n, q, on_rx, l);
    }
    return got;
}

/* Drain for @ms milliseconds. */
static void drain_for(MqEnv *m, RxLog *l, int upto, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000ll;

    do {
        if (!drain(m, l, upto)) {
            qvirtio_poll_pause(m->e->qts);
        }
    } while (g_get_monotonic_time() < end);
}

/* Number of sequence numbers in [from, to) with @sent set, not yet seen. */
static uint32_t missing(const RxLog *l, const uint8_t *sent, uint32_t from,
                        uint32_t to)
{
    uint32_t n = 0;

    for (uint32_t s = from; s < to; s++) {
        n += sent[s] && !l->count[s];
    }
    return n;
}

/* Drain until every sent frame in [from, to) arrived (or @ms passed). */
static void drain_until_complete(MqEnv *m, RxLog *l, const uint8_t *sent,
                                 uint32_t from, uint32_t to, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000ll;

    while (missing(l, sent, from, to) && g_get_monotonic_time() < end) {
        if (!drain(m, l, m->queues)) {
            qvirtio_poll_pause(m->e->qts);
        }
    }
    /* Anything sent twice would be right behind. */
    drain_for(m, l, m->queues, 100);
}

/* Send frame @seq of flow @seq % FLOWS from the namespace to the guest. */
static bool send_seq(MqEnv *m, uint32_t seq)
{
    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(RX_PORT) };
    uint8_t p[MAGIC_LEN + 4 + 20];

    inet_pton(AF_INET, GUEST_IP, &to.sin_addr);
    memset(p, 0, sizeof(p));
    memcpy(p, MAGIC_DATA, MAGIC_LEN);
    p[8] = seq >> 24;
    p[9] = seq >> 16;
    p[10] = seq >> 8;
    p[11] = seq;
    return sendto(m->flow_socks[seq % FLOWS], p, sizeof(p), 0,
                  (struct sockaddr *)&to, sizeof(to)) == sizeof(p);
}

/* ---- frames the guest sends ---- */

static uint16_t ip_csum(const uint8_t *p, int n)
{
    uint32_t s = 0;

    for (int i = 0; i < n; i += 2) {
        s += p[i] << 8 | p[i + 1];
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s;
}

/* GUEST_IP:@sport → NS_IP:TX_PORT carrying "vireo-mq" + @tag (no UDP csum). */
static size_t guest_udp(const MqEnv *m, uint8_t *f, uint16_t sport,
                        uint32_t tag)
{
    size_t pl = MAGIC_LEN + 4, ulen = 8 + pl, iplen = 20 + ulen;
    uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t c;

    memset(f, 0, 14 + iplen);
    memcpy(f, m->tap_mac, 6);
    memcpy(f + 6, m->guest_mac, 6);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = iplen >> 8;
    ip[3] = iplen;
    ip[8] = 64;
    ip[9] = 17;
    inet_pton(AF_INET, GUEST_IP, ip + 12);
    inet_pton(AF_INET, NS_IP, ip + 16);
    c = ip_csum(ip, 20);
    ip[10] = c >> 8;
    ip[11] = c;
    udp[0] = sport >> 8;
    udp[1] = sport;
    udp[2] = TX_PORT >> 8;
    udp[3] = TX_PORT & 0xff;
    udp[4] = ulen >> 8;
    udp[5] = ulen;
    memcpy(udp + 8, MAGIC_DATA, MAGIC_LEN);
    udp[16] = tag >> 24;
    udp[17] = tag >> 16;
    udp[18] = tag >> 8;
    udp[19] = tag;
    return 14 + iplen;
}

/*
 * Read what arrived on the namespace's TX_PORT socket for up to @ms (it
 * returns early once @want datagrams came): @seen[tag]++ for each one,
 * whose source port must be GUEST_SRC_PORT + its queue (tag / 100).
 */
static int ns_collect(MqEnv *m, uint8_t *seen, size_t nseen, int want, int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000ll;
    int got = 0;

    while (got < want || want < 0) {
        struct sockaddr_in from;
        socklen_t flen = sizeof(from);
        uint8_t p[64];
        ssize_t r = recvfrom(m->tx_sock, p, sizeof(p), 0,
                             (struct sockaddr *)&from, &flen);
        gint64 left = end - g_get_monotonic_time();
        uint32_t tag;

        if (r < 0) {
            g_assert_cmpint(errno, ==, EAGAIN);
            if (left <= 0) {
                break;
            }
            vnet_wait_fd(m->tx_sock, POLLIN, MAX(1, left / 1000));
            continue;
        }
        g_assert_cmpint(r, ==, MAGIC_LEN + 4);
        g_assert_cmpmem(p, MAGIC_LEN, MAGIC_DATA, MAGIC_LEN);
        tag = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
        g_assert_cmpuint(tag, <, nseen);
        g_assert_cmpuint(ntohs(from.sin_port), ==, GUEST_SRC_PORT + tag / 100);
        seen[tag]++;
        got++;
    }
    return got;
}

/* ---- tests ---- */

/*
 * From the namespace: FLOWS flows x 4 frames; each must arrive exactly
 * once, over all rx virtqueues, and with several queues the kernel's
 * flow hash must have used more than one.
 */
static void check_rx_spread(MqEnv *m, int active)
{
    RxLog *l = rx_log_new(m);
    uint32_t total = FLOWS * 4, used = 0;
    g_autofree uint8_t *sent = g_malloc0(MAX_SEQ);
    GString *dist = g_string_new("");

    for (uint32_t s = 0; s < total; s++) {
        sent[s] = send_seq(m, s);
        g_assert_true(sent[s]);
        if (s % 32 == 31) {
            drain(m, l, m->queues);
        }
    }
    drain_until_complete(m, l, sent, 0, total, 5000);
    for (uint32_t s = 0; s < total; s++) {
        if (l->count[s] != 1) {
            g_error("frame %u arrived %u times", s, l->count[s]);
        }
        g_assert_cmpint(l->queue[s], <, active);
    }
    for (int q = 0; q < m->queues; q++) {
        g_string_append_printf(dist, " %u", l->per_queue[q]);
        used += l->per_queue[q] > 0;
    }
    g_test_message("%d queues, %d active: per rx queue%s (%u other)",
                   m->queues, active, dist->str, l->other);
    if (active > 1) {
        g_assert_cmpuint(used, >=, 2);
    } else {
        g_assert_cmpuint(used, ==, 1);
    }
    g_string_free(dist, TRUE);
    g_free(l);
}

/*
 * From every tx virtqueue: 4 frames each, all arrive in the namespace
 * exactly once.  Then the namespace answers each queue's flow: the tap
 * learned which queue that flow came from (the kernel's flow table), so
 * the answer must come back on the rx virtqueue of the same pair - which
 * shows that pair i's tx and rx both use tap queue i.
 */
static void check_tx_each_queue(MqEnv *m)
{
    uint8_t seen[QVNET_MAX_PAIRS * 100] = { 0 }, f[128];
    RxLog *l = rx_log_new(m);
    int per = 4;

    for (int q = 0; q < m->queues; q++) {
        for (int k = 0; k < per; k++) {
            size_t len = guest_udp(m, f, GUEST_SRC_PORT + q, q * 100 + k);
            g_assert_true(qvnet_send(m->n, q, f, len));
        }
    }
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), m->queues * per, 3000),
                    ==, m->queues * per);
    /* Nothing more (no duplicates) turns up. */
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 100), ==, 0);
    for (int q = 0; q < m->queues; q++) {
        for (int k = 0; k < per; k++) {
            g_assert_cmpuint(seen[q * 100 + k], ==, 1);
        }
    }

    for (int q = 0; q < m->queues; q++) {
        struct sockaddr_in to = { .sin_family = AF_INET,
                                  .sin_port = htons(GUEST_SRC_PORT + q) };
        uint8_t p[MAGIC_LEN + 4] = MAGIC_REPLY;

        p[11] = q;
        inet_pton(AF_INET, GUEST_IP, &to.sin_addr);
        g_assert_cmpint(sendto(m->tx_sock, p, sizeof(p), 0,
                               (struct sockaddr *)&to, sizeof(to)), ==,
                        sizeof(p));
    }
    for (gint64 end = g_get_monotonic_time() + 3000000;
         g_get_monotonic_time() < end;) {
        bool all = true;
        drain(m, l, m->queues);
        for (int q = 0; q < m->queues; q++) {
            all &= l->reply_queue[q] >= 0;
        }
        if (all) {
            break;
        }
        qvirtio_poll_pause(m->e->qts);
    }
    for (int q = 0; q < m->queues; q++) {
        g_assert_cmpint(l->reply_queue[q], ==, q);
    }
    g_free(l);
}

static void test_queues(gconstpointer data)
{
    int queues = GPOINTER_TO_INT(data);
    MqEnv *m;

    if (!enter_netns()) {
        return;
    }
    m = mq_start(queues);
    g_assert_cmpint(pairs_set(m->n, queues), ==, QVNET_OK);
    assert_kernel_attached(qtest_pid(m->e->qts), queues, queues);
    check_rx_spread(m, queues);
    check_tx_each_queue(m);
    mq_free(m);
}

int main(int argc, char **argv)
{
    static const int counts[] = { 1, 2, 4, 8 };

    qtest_test_init(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        char *path = g_strdup_printf("/virtio-net/mq/queues/%d", counts[i]);
        qtest_add_data_func(path, GINT_TO_POINTER(counts[i]), test_queues);
        g_free(path);
    }
    return g_test_run();
}
