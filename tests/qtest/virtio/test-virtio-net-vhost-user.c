/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * -netdev vhost-user with a real back-end: DPDK's dpdk-testpmd serves the
 * vhost-user socket and forwards (io mode) between its vhost port and a
 * tap it creates, which the test moves into a network namespace of its
 * own and reads and writes with an AF_PACKET socket.  The test's virtio
 * driver runs the device; the frames go guest RAM <-> DPDK <-> tap.
 *
 * The last test uses a tiny fake back-end written here, ONLY for hostile
 * replies (wrong request code, absurd size, no reply): a real DPDK never
 * produces those.
 *
 * Needs root and dpdk-testpmd (Debian: dpdk-dev); skips with a reason
 * otherwise.  Every test uses its own socket, tap, namespace and DPDK file
 * prefix, removed at the end, and also on a failed assertion (SIGABRT).
 */

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <net/if.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "vnet-test.h"

#define VU_QUEUES 4
#define VU_FEATURES (qvnet_default_features() & ~(1ull << QVNET_F_MTU | \
                      1ull << QVNET_F_SPEED_DUPLEX))

typedef struct Tpmd {
    char *dir;
    char *sock;
    char *tap;
    char *ns;
    char *prefix;
    GPid pid;
    int pkt; /* AF_PACKET on the tap, inside the namespace */
} Tpmd;

static Tpmd *current_tpmd;
static int tpmd_seq;

static int run(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static int run(const char *fmt, ...)
{
    va_list ap;
    char *cmd;
    int rc;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    rc = system(cmd);
    g_free(cmd);
    return rc;
}

static void tpmd_kill(Tpmd *t)
{
    if (t->pid > 0) {
        kill(t->pid, SIGKILL);
        waitpid(t->pid, NULL, 0);
        t->pid = 0;
    }
}

/* Everything the test created outside its process. */
static void tpmd_cleanup_external(Tpmd *t)
{
    tpmd_kill(t);
    run("ip netns del %s 2>/dev/null", t->ns);
    run("ip link del %s 2>/dev/null", t->tap);
    run("rm -rf /var/run/dpdk/%s", t->prefix);
    unlink(t->sock);
}

static void on_abort(int sig)
{
    if (current_tpmd) {
        tpmd_cleanup_external(current_tpmd);
        current_tpmd = NULL;
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void at_exit_cleanup(void)
{
    /* A failed assertion in --tap mode exits instead of aborting. */
    if (current_tpmd) {
        tpmd_cleanup_external(current_tpmd);
        current_tpmd = NULL;
    }
}

static bool vu_skip_reason(void)
{
    char *p = g_find_program_in_path("dpdk-testpmd");

    if (geteuid() != 0) {
        g_test_skip("needs root (network namespaces, tap, DPDK)");
        return true;
    }
    if (!p) {
        g_test_skip("dpdk-testpmd not installed (Debian package dpdk-dev)");
        return true;
    }
    g_free(p);
    return false;
}

static bool wait_path(const char *path, int ms)
{
    for (int i = 0; i < ms / 50; i++) {
        if (access(path, F_OK) == 0) {
            return true;
        }
        g_usleep(50 * 1000);
    }
    return false;
}

/* An AF_PACKET socket bound to @ifname inside netns @ns. */
static int packet_socket_in(const char *ns, const char *ifname)
{
    char *path = g_strdup_printf("/var/run/netns/%s", ns);
    int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    struct sockaddr_ll sll = { .sll_family = AF_PACKET,
                               .sll_protocol = htons(ETH_P_ALL) };
    int fd;

    g_assert_cmpint(self, >=, 0);
    g_assert_cmpint(nsfd, >=, 0);
    g_assert_cmpint(setns(nsfd, CLONE_NEWNET), ==, 0);
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    sll.sll_ifindex = if_nametoindex(ifname);
    g_assert_cmpint(setns(self, CLONE_NEWNET), ==, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(sll.sll_ifindex, >, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sll, sizeof(sll)), ==, 0);
    close(self);
    close(nsfd);
    g_free(path);
    return fd;
}

static Tpmd *tpmd_start(int queues)
{
    Tpmd *t = g_new0(Tpmd, 1);
    char *cmd, *sysdir;
    gchar *argv[4];
    GError *err = NULL;

    t->dir = vnet_tmpdir();
    t->sock = g_build_filename(t->dir, "vu.sock", NULL);
    t->tap = g_strdup_printf("vut%d_%d", getpid() % 100000, tpmd_seq);
    t->ns = g_strdup_printf("vireo-vu-%d-%d", getpid(), tpmd_seq);
    t->prefix = g_strdup_printf("vireo-vu-%d-%d", getpid(), tpmd_seq++);
    current_tpmd = t;
    signal(SIGABRT, on_abort);
    cmd = g_strdup_printf(
        "exec dpdk-testpmd --no-huge -m 256 --no-pci --file-prefix=%s "
        "--vdev net_vhost0,iface=%s,queues=%d,client=0 "
        "--vdev net_tap0,iface=%s -- --total-num-mbufs=8192 --rxq=%d "
        "--txq=%d --forward-mode=io --auto-start --stats-period 3600 "
        ">%s/testpmd.log 2>&1 </dev/null",
        t->prefix, t->sock, queues, t->tap, queues, queues, t->dir);
    argv[0] = (gchar *)"/bin/sh";
    argv[1] = (gchar *)"-c";
    argv[2] = cmd;
    argv[3] = NULL;
    g_assert_true(g_spawn_async(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                                NULL, NULL, &t->pid, &err));
    g_free(cmd);
    sysdir = g_strdup_printf("/sys/class/net/%s", t->tap);
    g_assert_true(wait_path(t->sock, 20000));
    g_assert_true(wait_path(sysdir, 20000));
    g_free(sysdir);
    g_assert_cmpint(run("ip netns add %s", t->ns), ==, 0);
    g_assert_cmpint(run("ip netns exec %s sysctl -qw "
                        "net.ipv6.conf.default.disable_ipv6=1", t->ns), ==, 0);
    g_assert_cmpint(run("ip link set %s netns %s", t->tap, t->ns), ==, 0);
    g_assert_cmpint(run("ip netns exec %s ip link set %s up", t->ns, t->tap),
                    ==, 0);
    t->pkt = packet_socket_in(t->ns, t->tap);
    return t;
}

static void tpmd_free(Tpmd *t)
{
    close(t->pkt);
    tpmd_cleanup_external(t);
    current_tpmd = NULL;
    vnet_tmpdir_free(t->dir);
    g_free(t->sock);
    g_free(t->tap);
    g_free(t->ns);
    g_free(t->prefix);
    g_free(t);
}

/* The next test frame out of the tap (seed), or -1 after @ms. */
static int64_t tap_recv_seed(Tpmd *t, int ms)
{
    uint8_t buf[2048];
    gint64 end = g_get_monotonic_time() + ms * 1000LL;

    while (g_get_monotonic_time() < end) {
        ssize_t n;
        if (!vnet_wait_fd(t->pkt, POLLIN, 50)) {
            continue;
        }
        n = recv(t->pkt, buf, sizeof(buf), 0);
        if (n >= 18 && buf[12] == 0x88 && buf[13] == 0xb5) {
            return vnet_frame_seed(buf, n);
        }
    }
    return -1;
}

static void tap_send(Tpmd *t, uint32_t seed)
{
    uint8_t f[128];
    size_t len = vnet_frame(f, sizeof(f), vnet_bcast, vnet_peer_mac, seed);

    g_assert_cmpint(send(t->pkt, f, len, 0), ==, (ssize_t)len);
}

static VnetEnv *vu_env_new(Tpmd *t, int queues)
{
    char *args = g_strdup_printf(
        "-chardev socket,id=chr0,path=%s -netdev vhost-user,id=n0,"
        "chardev=chr0,queues=%d -device virtio-net-pci,netdev=n0,mq=on,"
        "vectors=%d", t->sock, queues, 2 * queues + 2);
    VnetEnv *e = vnet_env_new(args, VNET_MODERN_MSIX, VU_FEATURES, queues);

    g_free(args);
    return e;
}

static void set_pairs(VnetEnv *e, uint16_t pairs)
{
    g_assert_cmpint(qvnet_ctrl(e->net, QVNET_CTRL_MQ,
                               QVNET_CTRL_MQ_VQ_PAIRS_SET, &pairs, 2),
                    ==, QVNET_OK);
}

/* Frames sent on each tx queue come out of the tap, in order. */
static void check_tx(VnetEnv *e, Tpmd *t, int pairs, uint32_t base)
{
    uint8_t f[100];

    for (int q = 0; q < pairs; q++) {
        size_t len = vnet_frame(f, sizeof(f), vnet_peer_mac, vnet_bcast,
                                base + q);
        g_assert_true(qvnet_send(e->net, q, f, len));
        g_assert_cmpint(tap_recv_seed(t, 5000), ==, base + q);
    }
}

typedef struct RxSeen {
    int count;
    uint32_t base;
    bool seen[64];
} RxSeen;

static void rx_note(int q, const uint8_t *frame, size_t len, void *opaque)
{
    RxSeen *s = opaque;
    uint32_t seed;

    if (len < 18 || frame[12] != 0x88 || frame[13] != 0xb5) {
        return; /* not ours */
    }
    seed = vnet_frame_seed(frame, len);
    g_assert_cmpuint(seed - s->base, <, 64);
    g_assert_false(s->seen[seed - s->base]);
    s->seen[seed - s->base] = true;
    s->count++;
}

/* @n frames written into the tap reach the driver's rx queues. */
static void check_rx(VnetEnv *e, Tpmd *t, int pairs, int n, uint32_t base)
{
    RxSeen s = { .base = base };
    gint64 end;

    for (int i = 0; i < n; i++) {
        tap_send(t, base + i);
    }
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (s.count < n && g_get_monotonic_time() < end) {
        for (int q = 0; q < pairs; q++) {
            qvnet_rx_drain(e->net, q, rx_note, &s);
        }
        g_usleep(10 * 1000);
    }
    g_assert_cmpint(s.count, ==, n);
}

static void test_mq_traffic(void)
{
    Tpmd *t;
    VnetEnv *e;

    if (vu_skip_reason()) {
        return;
    }
    t = tpmd_start(VU_QUEUES);
    e = vu_env_new(t, VU_QUEUES);
    g_assert_cmpint(e->net->max_pairs, ==, VU_QUEUES);
    g_assert_cmphex(qvnet_config_status(e->net) & QVNET_S_LINK_UP, ==,
                    QVNET_S_LINK_UP);
    set_pairs(e, VU_QUEUES);
    for (int q = 0; q < VU_QUEUES; q++) {
        qvnet_fill_rx(e->net, q, 2048);
    }
    check_tx(e, t, VU_QUEUES, 0x1000);
    check_rx(e, t, VU_QUEUES, 16, 0x2000);
    vnet_env_free(e);
    tpmd_free(t);
}

/* VQ_PAIRS_SET: a disabled pair's ring is not served by the back-end. */
static void test_vq_pairs(void)
{
    uint8_t f[100];
    size_t len;
    Tpmd *t;
    VnetEnv *e;

    if (vu_skip_reason()) {
        return;
    }
    t = tpmd_start(VU_QUEUES);
    e = vu_env_new(t, VU_QUEUES);
    /* curr_queue_pairs is 1 after init: only pair 0 is enabled. */
    check_tx(e, t, 1, 0x3000);
    len = vnet_frame(f, sizeof(f), vnet_peer_mac, vnet_bcast, 0x3101);
    qvnet_send_nowait(e->net, 1, f, len);
    g_assert_cmpint(tap_recv_seed(t, 500), ==, -1);
    set_pairs(e, 2);
    g_assert_cmpint(tap_recv_seed(t, 5000), ==, 0x3101);
    set_pairs(e, 1);
    len = vnet_frame(f, sizeof(f), vnet_peer_mac, vnet_bcast, 0x3102);
    qvnet_send_nowait(e->net, 1, f, len);
    g_assert_cmpint(tap_recv_seed(t, 500), ==, -1);
    check_tx(e, t, 1, 0x3200);
    vnet_env_free(e);
    tpmd_free(t);
}

/* A device reset takes the rings back; a new driver gets them again. */
static void test_reset(void)
{
    Tpmd *t;
    VnetEnv *e;

    if (vu_skip_reason()) {
        return;
    }
    t = tpmd_start(2);
    e = vu_env_new(t, 2);
    set_pairs(e, 2);
    check_tx(e, t, 2, 0x4000);
    qvnet_free(e->net);
    qvirtio_reset(e->dev);
    e->net = qvnet_init(e->dev, VU_FEATURES, 2);
    set_pairs(e, 2);
    check_tx(e, t, 2, 0x4100);
    qvnet_fill_rx(e->net, 0, 2048);
    qvnet_fill_rx(e->net, 1, 2048);
    check_rx(e, t, 2, 4, 0x4200);
    vnet_env_free(e);
    tpmd_free(t);
}

/* Back-end killed: link down, the device keeps running, netdev_del. */
static void test_backend_killed(void)
{
    uint8_t f[100];
    size_t len;
    Tpmd *t;
    VnetEnv *e;
    gint64 end;

    if (vu_skip_reason()) {
        return;
    }
    t = tpmd_start(2);
    e = vu_env_new(t, 2);
    set_pairs(e, 2);
    check_tx(e, t, 2, 0x5000);
    tpmd_kill(t);
    end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while ((qvnet_config_status(e->net) & QVNET_S_LINK_UP) &&
           g_get_monotonic_time() < end) {
        g_usleep(20 * 1000);
    }
    g_assert_cmphex(qvnet_config_status(e->net) & QVNET_S_LINK_UP, ==, 0);
    /* The userspace path has the rings back and completes (drops) tx. */
    len = vnet_frame(f, sizeof(f), vnet_peer_mac, vnet_bcast, 0x5100);
    g_assert_true(qvnet_send(e->net, 0, f, len));
    set_pairs(e, 1);
    qtest_qmp_assert_success(e->qts, "{\"execute\": \"netdev_del\", "
                             "\"arguments\": {\"id\": \"n0\"}}");
    qtest_qmp_assert_success(e->qts, "{\"execute\": \"query-status\"}");
    vnet_env_free(e);
    tpmd_free(t);
}

/* ---- a fake back-end for hostile replies only ---- */

static int fake_connect(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_true(wait_path(path, 5000));
    strcpy(a.sun_path, path);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&a, sizeof(a)), ==, 0);
    return fd;
}

/* Read one request header (and its payload, if small). */
static uint32_t fake_read_request(int fd)
{
    uint32_t hdr[3];
    uint8_t body[512];

    g_assert_true(vnet_read_full(fd, hdr, sizeof(hdr), 10000));
    g_assert_cmpuint(hdr[2], <=, sizeof(body));
    if (hdr[2]) {
        g_assert_true(vnet_read_full(fd, body, hdr[2], 10000));
    }
    return hdr[0];
}

static void fake_reply(int fd, uint32_t req, uint32_t size, uint64_t val)
{
    uint32_t hdr[3] = { req, 0x1 | 0x4, size };

    vnet_write_all(fd, hdr, sizeof(hdr));
    vnet_write_all(fd, &val, sizeof(val));
}

static void expect_stderr(QTestState *qts, const char *needle)
{
    gint64 end = g_get_monotonic_time() + 15 * G_USEC_PER_SEC;
    char *err = NULL;

    do {
        g_free(err);
        /* A command round trip: vireo finished the handshake attempt. */
        qtest_qmp_assert_success(qts, "{\"execute\": \"query-status\"}");
        err = qtest_stderr(qts);
    } while (!strstr(err, needle) && g_get_monotonic_time() < end);
    if (!strstr(err, needle)) {
        g_error("expected '%s' in vireo's stderr:\n%s", needle, err);
    }
    g_free(err);
}

static void test_hostile_replies(void)
{
    char *dir = vnet_tmpdir();
    char *path = g_build_filename(dir, "vu.sock", NULL);
    char *args = g_strdup_printf(
        "-chardev socket,id=chr0,path=%s,server=on,wait=off "
        "-netdev vhost-user,id=n0,chardev=chr0 "
        "-device virtio-net-pci,netdev=n0", path);
    VnetEnv *e = vnet_env_start(args);
    int fd;

    /* Reply for another request than the one asked. */
    fd = fake_connect(path);
    g_assert_cmpuint(fake_read_request(fd), ==, 1 /* GET_FEATURES */);
    fake_reply(fd, 2, 8, 0);
    expect_stderr(e->qts, "received reply to request 2, expected 1");
    close(fd);

    /* An absurd payload size: refused, nothing allocated or read. */
    fd = fake_connect(path);
    g_assert_cmpuint(fake_read_request(fd), ==, 1);
    fake_reply(fd, 1, 0x7fffffff, 0);
    expect_stderr(e->qts, "has 2147483647 payload bytes, expected 8");
    close(fd);

    /* A queue count out of range. */
    fd = fake_connect(path);
    g_assert_cmpuint(fake_read_request(fd), ==, 1);
    fake_reply(fd, 1, 8, 1ull << 30 | 1ull << 32);
    g_assert_cmpuint(fake_read_request(fd), ==, 15);
    fake_reply(fd, 15, 8, 1ull << 0 /* MQ */);
    g_assert_cmpuint(fake_read_request(fd), ==, 16);
    g_assert_cmpuint(fake_read_request(fd), ==, 17);
    fake_reply(fd, 17, 8, 100000);
    expect_stderr(e->qts, "reports 100000 queues");
    close(fd);

    /* No reply at all: a timeout, not a hang. */
    fd = fake_connect(path);
    g_assert_cmpuint(fake_read_request(fd), ==, 1);
    expect_stderr(e->qts, "did not reply to request 1 within");
    close(fd);

    /* The device is there and its link is down throughout. */
    vnet_env_pci(e, VNET_MODERN_MSIX);
    e->net = qvnet_init(e->dev, VU_FEATURES, 1);
    g_assert_cmphex(qvnet_config_status(e->net) & QVNET_S_LINK_UP, ==, 0);
    vnet_env_free(e);
    g_free(args);
    g_free(path);
    vnet_tmpdir_free(dir);
}

static void test_bad_options(void)
{
    QTestState *qts = qtest_init("-chardev socket,id=t0,host=127.0.0.1,"
                                 "port=1,server=on,wait=off");
    json_t *r;

    r = qtest_qmp(qts, "{\"execute\": \"netdev_add\", \"arguments\": "
                  "{\"type\": \"vhost-user\", \"id\": \"v0\", "
                  "\"chardev\": \"nope\"}}");
    qmp_assert_error(r, "GenericError", "chardev \"nope\" not found");
    json_decref(r);
    r = qtest_qmp(qts, "{\"execute\": \"netdev_add\", \"arguments\": "
                  "{\"type\": \"vhost-user\", \"id\": \"v0\", "
                  "\"chardev\": \"t0\"}}");
    qmp_assert_error(r, "GenericError", "chardev \"t0\" is not a unix socket");
    json_decref(r);
    r = qtest_qmp(qts, "{\"execute\": \"netdev_add\", \"arguments\": "
                  "{\"type\": \"vhost-user\", \"id\": \"v0\", "
                  "\"chardev\": \"t0\", \"queues\": 0}}");
    qmp_assert_error(r, "GenericError", "vhost-user number of queues must be "
                     "in range [1, 1024]");
    json_decref(r);
    qtest_quit(qts);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    atexit(at_exit_cleanup);
    g_test_add_func("/virtio-net/vhost-user/bad-options", test_bad_options);
    g_test_add_func("/virtio-net/vhost-user/hostile-replies",
                   test_hostile_replies);
    g_test_add_func("/virtio-net/vhost-user/dpdk/mq-traffic", test_mq_traffic);
    g_test_add_func("/virtio-net/vhost-user/dpdk/vq-pairs", test_vq_pairs);
    g_test_add_func("/virtio-net/vhost-user/dpdk/reset", test_reset);
    g_test_add_func("/virtio-net/vhost-user/dpdk/backend-killed",
                   test_backend_killed);
    return g_test_run();
}
