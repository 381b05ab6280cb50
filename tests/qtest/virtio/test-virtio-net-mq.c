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
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include "vnet-test.h"

#define TAP            "vmq0"
#define NS_IP          "10.78.0.1"
#define GUEST_IP       "10.78.0.2"
#define RX_PORT        9000 /* guest port the namespace sends to */
#define TX_PORT        9001 /* namespace port the guest sends to */
#define GUEST_SRC_PORT 20000
#define FLOWS          64
#define RX_BUF         2048
#define MAX_SEQ        65536
#define MAGIC_DATA     "vireo-mq"
#define MAGIC_REPLY    "vireo-rp"
#define MAGIC_LEN      8

/* ---- the namespace ---- */

static void write_sysctl(const char *path, const char *value)
{
    /* Missing (no IPv6 in this kernel) is fine. */
    g_file_set_contents(path, value, -1, NULL);
}

/*
 * Move this (forked) test process into a fresh network namespace, or skip
 * with the reason.  IPv6 is off for new interfaces so that hardly any
 * frames but the test's land in the guest's rings (the rest are counted
 * as "other" and ignored).
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

/*
 * fds of @pid on the tap.  fdinfo names the interface for detached queues
 * too (the fd still belongs to it), so this counts queues, not attached
 * ones.
 */
static int proc_tap_fds(pid_t pid)
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

    /* Detached queues stay open: vireo holds every queue's fd. */
    g_assert_cmpint(proc_tap_fds(pid), ==, total);
    if (total == 1) {
        /* A single-queue tap has no queue counts to show. */
        return;
    }
    kernel_queues(&a, &dis);
    g_assert_cmpint(a, ==, attached);
    g_assert_cmpint(dis, ==, total - attached);
}

/* ---- vireo with a multiqueue tap ---- */

typedef struct MqEnv {
    VnetEnv *e;
    QVirtioNet *n;
    int queues;
    uint8_t guest_mac[6];
    uint8_t tap_mac[6];
    int tx_sock;           /* namespace UDP socket on TX_PORT */
    int flow_socks[FLOWS]; /* one source port per flow */
} MqEnv;

static int pairs_set(QVirtioNet *n, uint16_t pairs)
{
    uint8_t p[2] = {pairs, pairs >> 8};

    return qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET, p, 2);
}

static int udp_socket(uint16_t port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
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
    struct ifreq ifr = {.ifr_name = TAP};
    const uint8_t *g = m->guest_mac;

    g_free(run_out("ip addr add " NS_IP "/24 dev " TAP));
    m->tx_sock = udp_socket(TX_PORT);
    g_free(run_out("ip link set " TAP " up"));
    g_free(run_out("ip neigh replace " GUEST_IP " lladdr "
                   "%02x:%02x:%02x:%02x:%02x:%02x dev " TAP " nud permanent",
                   g[0], g[1], g[2], g[3], g[4], g[5]));
    /* Not /sys/class/net: sysfs shows the namespace it was mounted in. */
    g_assert_cmpint(ioctl(m->tx_sock, SIOCGIFHWADDR, &ifr), ==, 0);
    memcpy(m->tap_mac, ifr.ifr_hwaddr.sa_data, 6);
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
                                 "id=vnet0",
                                 queues);

    m->queues = queues;
    m->e = vnet_env_start(args);
    g_free(args);
    vnet_env_pci(m->e, VNET_MODERN_MSIX);
    /* vectors defaults to 2N+2; only 3 virtqueues until MQ is agreed. */
    g_assert_cmpuint(qpci_msix_table_size(m->e->pci->pdev), ==, 2 * queues + 2);
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

/*
 * Stop vireo and look at how it ended: a clean exit and a stderr without
 * sanitizer reports, including the leak check that runs at exit.
 */
static void mq_free(MqEnv *m)
{
    VnetEnv *e = m->e;
    char *err;
    int status;

    close(m->tx_sock);
    for (int i = 0; i < FLOWS; i++) {
        close(m->flow_socks[i]);
    }
    g_assert_true(qtest_alive(e->qts));
    qvnet_free(e->net);
    qvirtio_free(e->dev);
    qpci_free(e->bus);
    status = qtest_kill(e->qts, SIGTERM);
    err = qtest_stderr(e->qts);
    if (strstr(err, "Sanitizer") || strstr(err, "runtime error:")) {
        g_error("vireo reported a memory error:\n%s", err);
    }
    g_assert_cmpint(status, ==, 0);
    g_free(err);
    qtest_cleanup(e->qts);
    g_free(e);
    g_free(m);
}

/* ---- frames the namespace sends, as the guest sees them ---- */

typedef struct RxLog {
    uint8_t count[MAX_SEQ];           /* copies of each sequence number */
    int8_t queue[MAX_SEQ];            /* rx queue of the (first) copy */
    int reply_queue[QVNET_MAX_PAIRS]; /* rx queue of reply r, or -1 */
    uint32_t other;                   /* frames that are not the test's */
    uint8_t mac[6];                   /* the guest's */
    /*
     * Stale frames: those with a sequence number below stale_before found
     * on queue q after its first stale_from[q] frames (all frames count,
     * the test's and others, as each takes one used entry).
     */
    uint32_t entries[QVNET_MAX_PAIRS];
    uint32_t stale_from[QVNET_MAX_PAIRS];
    uint32_t stale_before;
    uint32_t stale;
} RxLog;

static RxLog *rx_log_new(const MqEnv *m)
{
    RxLog *l = g_new0(RxLog, 1);

    memcpy(l->mac, m->guest_mac, 6);
    memset(l->queue, -1, sizeof(l->queue));
    memset(l->reply_queue, -1, sizeof(l->reply_queue));
    memset(l->stale_from, 0xff, sizeof(l->stale_from));
    return l;
}

/* The UDP payload of an IPv4 frame and its destination port, or NULL. */
static const uint8_t *udp_payload(const uint8_t *f, size_t len, uint16_t *port,
                                  size_t *plen)
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
    *port = udp[2] << 8 | udp[3];
    *plen = len - 14 - ihl - 8;
    return udp + 8;
}

static void on_rx(int q, const uint8_t *f, size_t len, void *opaque)
{
    RxLog *l = opaque;
    size_t plen;
    uint16_t port;
    const uint8_t *p = udp_payload(f, len, &port, &plen);
    uint32_t v, entry = l->entries[q]++;

    if (!p || plen < MAGIC_LEN + 4) {
        l->other++;
        return;
    }
    v = (uint32_t)p[8] << 24 | p[9] << 16 | p[10] << 8 | p[11];
    if (port == RX_PORT && !memcmp(p, MAGIC_DATA, MAGIC_LEN)) {
        g_assert_cmpuint(v, <, MAX_SEQ);
        if (!l->count[v]++) {
            l->queue[v] = q;
        }
        l->stale += entry >= l->stale_from[q] && v < l->stale_before;
        /* Addressed to the guest by the kernel's neighbour entry. */
        g_assert_cmpmem(f, 6, l->mac, 6);
    } else if (!memcmp(p, MAGIC_REPLY, MAGIC_LEN)) {
        g_assert_cmpuint(v, <, QVNET_MAX_PAIRS);
        g_assert_cmpuint(port, ==, GUEST_SRC_PORT + v);
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
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(RX_PORT)};
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
    /* Above anything a Sender used, should some of that still come. */
    uint32_t base = MAX_SEQ / 2, total = FLOWS * 4, used = 0;
    uint32_t per_queue[QVNET_MAX_PAIRS] = {0};
    g_autofree uint8_t *sent = g_malloc0(MAX_SEQ);
    GString *dist = g_string_new("");

    for (uint32_t s = base; s < base + total; s++) {
        sent[s] = send_seq(m, s);
        g_assert_true(sent[s]);
        if (s % 32 == 31) {
            drain(m, l, m->queues);
        }
    }
    drain_until_complete(m, l, sent, base, base + total, 5000);
    for (uint32_t s = base; s < base + total; s++) {
        if (l->count[s] != 1) {
            g_error("frame %u arrived %u times", s, l->count[s]);
        }
        g_assert_cmpint(l->queue[s], <, active);
        per_queue[l->queue[s]]++;
    }
    for (int q = 0; q < m->queues; q++) {
        g_string_append_printf(dist, " %u", per_queue[q]);
        used += per_queue[q] > 0;
    }
    g_test_message("%d queues, %d active: per rx queue%s (%u other)", m->queues,
                   active, dist->str, l->other);
    if (active > 1) {
        g_assert_cmpuint(used, >=, 2);
    } else {
        g_assert_cmpuint(used, ==, 1);
    }
    g_string_free(dist, TRUE);
    g_free(l);
}

/* The namespace answers the flow of tx queue @q (tagged @q). */
static void ns_reply(MqEnv *m, int q)
{
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons(GUEST_SRC_PORT + q)};
    uint8_t p[MAGIC_LEN + 4] = MAGIC_REPLY;

    p[11] = q;
    inet_pton(AF_INET, GUEST_IP, &to.sin_addr);
    g_assert_cmpint(
        sendto(m->tx_sock, p, sizeof(p), 0, (struct sockaddr *)&to, sizeof(to)),
        ==, sizeof(p));
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
    uint8_t seen[QVNET_MAX_PAIRS * 100] = {0}, f[128];
    RxLog *l = rx_log_new(m);
    int per = 4;

    for (int q = 0; q < m->queues; q++) {
        gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

        for (int k = 0; k < per; k++) {
            size_t len = guest_udp(m, f, GUEST_SRC_PORT + q, q * 100 + k);
            g_assert_true(qvnet_send(m->n, q, f, len));
        }
        g_assert_cmpint(ns_collect(m, seen, sizeof(seen), per, 3000), ==, per);
        for (int k = 0; k < per; k++) {
            g_assert_cmpuint(seen[q * 100 + k], ==, 1);
        }
        /* Answer at once: the kernel forgets a flow after 3 s. */
        ns_reply(m, q);
        while (l->reply_queue[q] < 0) {
            g_assert_cmpint(g_get_monotonic_time(), <, end);
            if (!drain(m, l, m->queues)) {
                qvirtio_poll_pause(m->e->qts);
            }
        }
        g_assert_cmpint(l->reply_queue[q], ==, q);
    }
    /* Nothing more (no duplicates) turns up. */
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 100), ==, 0);
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

/* ---- traffic that keeps flowing while the test changes the queues ---- */

typedef struct Sender {
    MqEnv *m;
    GThread *thread;
    atomic_uint next; /* next sequence number handed out */
    atomic_bool stop;
    uint8_t *sent; /* per sequence number: sendto succeeded */
} Sender;

/*
 * Bursts of 8 frames every 4 ms (at most 2000 frames/s) over all flows:
 * slow enough that the driver keeps up, and the kernel's queues (1000
 * frames each) hold any phase's traffic even if it did not.
 */
static gpointer sender_run(gpointer opaque)
{
    Sender *s = opaque;

    while (!atomic_load(&s->stop)) {
        for (int k = 0; k < 8; k++) {
            uint32_t seq = atomic_fetch_add(&s->next, 1);
            if (seq >= MAX_SEQ) {
                return NULL;
            }
            s->sent[seq] = send_seq(s->m, seq);
        }
        g_usleep(4000);
    }
    return NULL;
}

static Sender *sender_start(MqEnv *m)
{
    Sender *s = g_new0(Sender, 1);

    s->m = m;
    s->sent = g_malloc0(MAX_SEQ);
    atomic_init(&s->next, 0);
    atomic_init(&s->stop, false);
    s->thread = g_thread_new("mq-sender", sender_run, s);
    return s;
}

/*
 * Everything with a sequence number at or above this was sent after the
 * call: the sender takes a number before sending the frame.
 */
static uint32_t sender_mark(Sender *s)
{
    return MIN(atomic_load(&s->next), MAX_SEQ);
}

/* Stop and return the end of the sequence numbers sent. */
static uint32_t sender_stop(Sender *s)
{
    atomic_store(&s->stop, true);
    g_thread_join(s->thread);
    return sender_mark(s);
}

static void sender_free(Sender *s)
{
    g_free(s->sent);
    g_free(s);
}

/*
 * Drain rx queues [0, @upto) until the sender has handed out @count more
 * sequence numbers: phases are measured in frames, not time, so that a
 * loaded machine makes them longer instead of emptier.
 */
static void drain_while_sending(MqEnv *m, RxLog *l, int upto, Sender *s,
                                uint32_t count)
{
    uint32_t target = sender_mark(s) + count;
    gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;

    g_assert_cmpuint(target, <, MAX_SEQ);
    while (sender_mark(s) < target) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        if (!drain(m, l, upto)) {
            qvirtio_poll_pause(m->e->qts);
        }
    }
}

static uint16_t rx_used_idx(MqEnv *m, int q)
{
    return qvirtqueue_used_idx(m->n->rx[q].vq);
}

/* The queue each flow went to: that of its first frame that arrived. */
static void flow_map(const RxLog *l, uint32_t end, int map[FLOWS])
{
    for (int f = 0; f < FLOWS; f++) {
        map[f] = -1;
    }
    for (uint32_t seq = 0; seq < end; seq++) {
        if (l->count[seq] && map[seq % FLOWS] < 0) {
            map[seq % FLOWS] = l->queue[seq];
        }
    }
}

/*
 * Check the frames sent before the change to 2 pairs (@down).  The only
 * ones allowed to be missing are those the kernel steered to queues 2
 * and 3 and that were still queued (in the kernel or in vireo) when those
 * were detached: they are purged.  And nothing from before the detach may
 * turn up on queues 2 and 3 after they were attached again, beyond the
 * @done[q] frames they had completed by then.
 */
static void check_before_down(const RxLog *l, const uint8_t *sent,
                              uint32_t down, const uint16_t done[4])
{
    int map[FLOWS];
    uint32_t lost = 0;

    flow_map(l, down, map);
    for (uint32_t seq = 0; seq < down; seq++) {
        if (sent[seq] && !l->count[seq]) {
            if (map[seq % FLOWS] < 2) {
                g_error("frame %u of flow %u (rx queue %d) was lost", seq,
                        seq % FLOWS, map[seq % FLOWS]);
            }
            lost++;
        }
    }
    g_test_message("before the change: %u purged, queues 2 and 3 had "
                   "completed %u and %u",
                   lost, done[2], done[3]);
    g_assert_cmpuint(l->stale, ==, 0);
}

/*
 * N=4 with traffic flowing all along: 4 pairs → 2 → 4.  Before the
 * change, rx queues 2 and 3 are not drained, so their rings fill and more
 * frames wait for them in the kernel and in vireo; the detach purges
 * those.  While 2 pairs are set, rx queues 2 and 3 get nothing (their used
 * rings stand still), tx queue 3 does not transmit, and the kernel has 2
 * queues disabled; every frame sent after the change completed arrives
 * exactly once, on queue 0 or 1, spread over both.  Back at 4, all four
 * get traffic again and the waiting tx frame goes out.
 */
static void test_pairs_while_flowing(void)
{
    MqEnv *m;
    RxLog *l;
    Sender *s;
    pid_t pid;
    uint32_t down, up_start, up, end, after_up[4] = {0};
    uint32_t while_down[2] = {0};
    uint16_t done[4] = {0};
    uint8_t f[128], seen[QVNET_MAX_PAIRS * 100] = {0};
    size_t len;

    if (!enter_netns()) {
        return;
    }
    m = mq_start(4);
    pid = qtest_pid(m->e->qts);
    l = rx_log_new(m);
    g_assert_cmpint(pairs_set(m->n, 4), ==, QVNET_OK);
    assert_kernel_attached(pid, 4, 4);
    s = sender_start(m);
    drain_while_sending(m, l, 2, s, 1200);

    g_assert_cmpint(pairs_set(m->n, 2), ==, QVNET_OK);
    down = sender_mark(s);
    done[2] = rx_used_idx(m, 2);
    done[3] = rx_used_idx(m, 3);
    /* Queues 2 and 3 were not drained yet: their first entries are those. */
    l->stale_from[2] = done[2];
    l->stale_from[3] = done[3];
    l->stale_before = down;
    assert_kernel_attached(pid, 2, 4);
    len = guest_udp(m, f, GUEST_SRC_PORT + 3, 300);
    qvnet_send_nowait(m->n, 3, f, len);
    drain_while_sending(m, l, 2, s, 1000);
    g_assert_cmpuint(rx_used_idx(m, 2), ==, done[2]);
    g_assert_cmpuint(rx_used_idx(m, 3), ==, done[3]);
    /* Completed and dropped, as QEMU does at a detached tap queue. */
    g_assert_cmpuint(qvirtqueue_used_idx(m->n->tx[3].vq), ==, 1);
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 0), ==, 0);

    up_start = sender_mark(s);
    g_assert_cmpint(pairs_set(m->n, 4), ==, QVNET_OK);
    up = sender_mark(s);
    assert_kernel_attached(pid, 4, 4);
    drain_while_sending(m, l, 4, s, 600);
    end = sender_stop(s);
    drain_until_complete(m, l, s->sent, down, end, 5000);
    /* The frame sent on the disabled pair never shows up later. */
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 500), ==, 0);
    g_assert_cmpuint(seen[300], ==, 0);

    g_test_message("sent %u: %u before 2 pairs, %u at 2 pairs, %u at 4 again",
                   end, down, up_start - down, end - up);
    for (uint32_t seq = 0; seq < end; seq++) {
        if (l->count[seq] > 1) {
            g_error("frame %u arrived %u times", seq, l->count[seq]);
        }
    }
    check_before_down(l, s->sent, down, done);
    for (uint32_t seq = down; seq < end; seq++) {
        if (s->sent[seq] && l->count[seq] != 1) {
            g_error("frame %u (sent after the change to 2 pairs) was lost",
                    seq);
        }
        if (seq < up_start) {
            /* Sent while 2 pairs were set. */
            g_assert_cmpint(l->queue[seq], <, 2);
            while_down[l->queue[seq]]++;
        } else if (seq >= up) {
            after_up[l->queue[seq]]++;
        }
    }
    g_test_message("at 2 pairs: %u %u; at 4 again: %u %u %u %u", while_down[0],
                   while_down[1], after_up[0], after_up[1], after_up[2],
                   after_up[3]);
    /* The kernel's hash spread the flows over both remaining queues... */
    g_assert_cmpuint(while_down[0], >, 0);
    g_assert_cmpuint(while_down[1], >, 0);
    /* ...and over all four once they were back. */
    for (int q = 0; q < 4; q++) {
        g_assert_cmpuint(after_up[q], >, 0);
    }
    sender_free(s);
    g_free(l);
    mq_free(m);
}

/*
 * Reset (0 to device status), with traffic flowing, goes back to one
 * pair: 3 virtqueues, tap queues 1..N-1 detached, and the device leaves
 * the old rings alone.  A driver that negotiates MQ again but sends no
 * VQ_PAIRS_SET gets everything on rx queue 0, and its tx queues above 0
 * do not transmit; VQ_PAIRS_SET brings all queues back.
 */
static void test_reset(void)
{
    MqEnv *m;
    RxLog *l;
    Sender *s;
    pid_t pid;
    uint8_t f[128], seen[QVNET_MAX_PAIRS * 100] = {0};
    uint16_t old_used[4];
    uint32_t target;
    size_t len;

    if (!enter_netns()) {
        return;
    }
    m = mq_start(4);
    pid = qtest_pid(m->e->qts);
    l = rx_log_new(m);
    g_assert_cmpint(pairs_set(m->n, 4), ==, QVNET_OK);
    assert_kernel_attached(pid, 4, 4);

    /* Reset while traffic flows; the old rings are never written again. */
    s = sender_start(m);
    drain_while_sending(m, l, 4, s, 300);
    qvirtio_reset(m->e->dev);
    for (int q = 0; q < 4; q++) {
        old_used[q] = rx_used_idx(m, q);
    }
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 3);
    assert_kernel_attached(pid, 1, 4);
    target = sender_mark(s) + 300;
    while (sender_mark(s) < target) {
        g_usleep(1000);
    }
    sender_stop(s);
    for (int q = 0; q < 4; q++) {
        g_assert_cmpuint(rx_used_idx(m, q), ==, old_used[q]);
    }
    sender_free(s);
    g_free(l);

    /* MQ again, but no VQ_PAIRS_SET: still one pair. */
    qvnet_free(m->n);
    m->n = m->e->net = qvnet_init(m->e->dev, qvnet_default_features(), 4);
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 9);
    assert_kernel_attached(pid, 1, 4);
    for (int q = 0; q < 4; q++) {
        qvnet_fill_rx(m->n, q, RX_BUF);
    }
    check_rx_spread(m, 1);

    /*
     * A frame on tx queue 2 while only one pair is set: as in QEMU, it is
     * completed and dropped (its tap queue is detached), never delivered.
     */
    len = guest_udp(m, f, GUEST_SRC_PORT + 2, 200);
    qvnet_send_nowait(m->n, 2, f, len);
    for (int i = 0; i < 3000 && !qvirtqueue_used_idx(m->n->tx[2].vq); i++) {
        g_usleep(1000);
    }
    g_assert_cmpuint(qvirtqueue_used_idx(m->n->tx[2].vq), ==, 1);
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 300), ==, 0);

    /* Up to 4: the dropped frame stays dropped, and rx spreads again. */
    g_assert_cmpint(pairs_set(m->n, 4), ==, QVNET_OK);
    assert_kernel_attached(pid, 4, 4);
    g_assert_cmpint(ns_collect(m, seen, sizeof(seen), -1, 500), ==, 0);
    g_assert_cmpuint(seen[200], ==, 0);
    check_rx_spread(m, 4);

    /* A driver without MQ: 3 virtqueues, one tap queue attached. */
    qvnet_free(m->n);
    m->n = m->e->net = qvnet_init(
        m->e->dev, qvnet_default_features() & ~(1ull << QVNET_F_MQ), 1);
    g_assert_cmpuint(qvirtio_pci_num_queues(m->e->pci), ==, 3);
    assert_kernel_attached(pid, 1, 4);
    mq_free(m);
}

/*
 * N=8, traffic flowing, VQ_PAIRS_SET through a run of values.  In each
 * period, every frame sent after the command completed lands on a queue
 * below the current count, exactly once, and the queues at or above it
 * complete nothing; the kernel agrees on the count every time.  A frame may
 * only be missing when the next command lowered the count (purge).
 */
static void test_pairs_churn(void)
{
    static const int steps[] = {8, 3, 1, 6, 2, 8, 5, 1, 4, 7, 2, 8};
    uint32_t mark[G_N_ELEMENTS(steps) + 1], lost = 0;
    uint16_t idle_used[QVNET_MAX_PAIRS];
    MqEnv *m;
    RxLog *l;
    Sender *s;
    pid_t pid;

    if (!enter_netns()) {
        return;
    }
    m = mq_start(8);
    pid = qtest_pid(m->e->qts);
    l = rx_log_new(m);
    s = sender_start(m);
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        int cur = steps[i];

        g_assert_cmpint(pairs_set(m->n, cur), ==, QVNET_OK);
        mark[i] = sender_mark(s);
        for (int q = cur; q < 8; q++) {
            idle_used[q] = rx_used_idx(m, q);
        }
        assert_kernel_attached(pid, cur, 8);
        drain_while_sending(m, l, cur, s, 150);
        for (int q = cur; q < 8; q++) {
            g_assert_cmpuint(rx_used_idx(m, q), ==, idle_used[q]);
        }
    }
    mark[G_N_ELEMENTS(steps)] = sender_stop(s);
    drain_until_complete(m, l, s->sent, mark[G_N_ELEMENTS(steps) - 1],
                         mark[G_N_ELEMENTS(steps)], 5000);
    for (uint32_t seq = 0; seq < mark[G_N_ELEMENTS(steps)]; seq++) {
        g_assert_cmpuint(l->count[seq], <=, 1);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(steps); i++) {
        int next = i + 1 < G_N_ELEMENTS(steps) ? steps[i + 1] : 8;
        int map[FLOWS];

        /* Where the kernel steered each flow in this period. */
        for (int f = 0; f < FLOWS; f++) {
            map[f] = -1;
        }
        for (uint32_t seq = mark[i]; seq < mark[i + 1]; seq++) {
            if (l->count[seq] && map[seq % FLOWS] < 0) {
                map[seq % FLOWS] = l->queue[seq];
            }
        }
        for (uint32_t seq = mark[i]; seq < mark[i + 1]; seq++) {
            if (!l->count[seq]) {
                /* Only a queue the next command detached may drop. */
                if (s->sent[seq] &&
                    (next >= steps[i] ||
                     (map[seq % FLOWS] >= 0 && map[seq % FLOWS] < next))) {
                    g_error("frame %u (flow %u, queue %d) sent at %d pairs "
                            "was lost",
                            seq, seq % FLOWS, map[seq % FLOWS], steps[i]);
                }
                lost += s->sent[seq];
                continue;
            }
            /* Period i ends where the next command started, or later. */
            if (l->queue[seq] >= steps[i] && (i + 1 == G_N_ELEMENTS(steps) ||
                                              l->queue[seq] >= steps[i + 1])) {
                g_error("frame %u sent at %d pairs arrived on queue %d", seq,
                        steps[i], l->queue[seq]);
            }
        }
    }
    g_test_message("%u frames, %u purged by lowering the count",
                   mark[G_N_ELEMENTS(steps)], lost);
    sender_free(s);
    g_free(l);
    mq_free(m);
}

int main(int argc, char **argv)
{
    static const int counts[] = {1, 2, 4, 8};

    qtest_test_init(&argc, &argv);
    for (size_t i = 0; i < G_N_ELEMENTS(counts); i++) {
        char *path = g_strdup_printf("/virtio-net/mq/queues/%d", counts[i]);
        qtest_add_data_func(path, GINT_TO_POINTER(counts[i]), test_queues);
        g_free(path);
    }
    qtest_add_func("/virtio-net/mq/pairs-while-flowing",
                   test_pairs_while_flowing);
    qtest_add_func("/virtio-net/mq/pairs-churn", test_pairs_churn);
    qtest_add_func("/virtio-net/mq/reset", test_reset);
    return g_test_run();
}
