/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * virtio-net over a real tap device whose other side is in a network
 * namespace the test creates: UDP both ways through the kernel, raw
 * frames seen by an AF_PACKET socket in the namespace, and VQ_PAIRS_SET
 * on a multiqueue tap gating which tx queues reach the wire.  Needs root;
 * the namespace is unique per run and always removed.
 */
#include <sys/wait.h>
#include "vnet-test.h"

#define F(bit) (1ull << (bit))

static char ns_name[64], tap_name[16];
static const uint8_t guest_mac[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 };

static void names_for(pid_t pid)
{
    snprintf(ns_name, sizeof(ns_name), "vireo-vnet-%d", (int)pid);
    snprintf(tap_name, sizeof(tap_name), "vvt%d", (int)(pid % 100000));
}

static char *sh(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *sh(const char *fmt, ...)
{
    va_list ap;
    char *cmd, *out = NULL, *argv[] = { "/bin/sh", "-c", NULL, NULL };
    int status;

    va_start(ap, fmt);
    cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    argv[2] = cmd;
    g_assert_true(g_spawn_sync(NULL, argv, NULL, 0, NULL, NULL, &out, NULL,
                               &status, NULL));
    if (!g_spawn_check_wait_status(status, NULL)) {
        g_error("'%s' failed", cmd);
    }
    g_free(cmd);
    return out;
}

/* Move vireo's tap into the namespace and give it 10.78.0.1/24. */
static void tap_to_ns(uint8_t tapmac[6])
{
    char *out;

    g_free(sh("ip link set %s netns %s", tap_name, ns_name));
    g_free(sh("ip netns exec %s ip addr add 10.78.0.1/24 dev %s", ns_name,
              tap_name));
    g_free(sh("ip netns exec %s ip link set %s up", ns_name, tap_name));
    g_free(sh("ip netns exec %s ip neigh add 10.78.0.2 lladdr "
              "52:54:00:12:34:56 dev %s", ns_name, tap_name));
    out = sh("ip netns exec %s cat /sys/class/net/%s/address", ns_name,
             tap_name);
    g_assert_cmpint(sscanf(out, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &tapmac[0],
                           &tapmac[1], &tapmac[2], &tapmac[3], &tapmac[4],
                           &tapmac[5]), ==, 6);
    g_free(out);
}

/* A python helper in the namespace; its stdout is returned as an fd
 * after it printed "ready". */
static int ns_helper(const char *script, GPid *pid)
{
    gchar *argv[] = { "ip", "netns", "exec", ns_name, "python3", "-c",
                      (gchar *)script, NULL };
    char buf[8];
    int fd;

    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_SEARCH_PATH |
                                               G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, pid, NULL, &fd, NULL,
                                           NULL));
    g_assert_true(vnet_read_full(fd, buf, 6, 5000));
    g_assert_true(!memcmp(buf, "ready\n", 6));
    return fd;
}

/* Everything the helper printed until it exits. */
static char *helper_output(int fd, GPid pid)
{
    GString *s = g_string_new("");
    char buf[512];
    ssize_t n;
    int status;

    while (vnet_wait_fd(fd, POLLIN, 8000) &&
           (n = read(fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(s, buf, n);
    }
    close(fd);
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
    return g_string_free(s, FALSE);
}

static uint16_t csum(const uint8_t *p, int n)
{
    uint32_t s = 0;

    for (int i = 0; i < n; i += 2) {
        s += p[i] << 8 | (i + 1 < n ? p[i + 1] : 0);
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s;
}

/* 10.78.0.2:7777 → 10.78.0.1:7777 (no UDP checksum). */
static size_t udp_frame(uint8_t *f, const uint8_t dst[6], const char *text)
{
    size_t pl = strlen(text), ulen = 8 + pl, iplen = 20 + ulen;
    uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t c;

    memset(f, 0, 14 + iplen);
    memcpy(f, dst, 6);
    memcpy(f + 6, guest_mac, 6);
    f[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = iplen >> 8;
    ip[3] = iplen;
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\x0a\x4e\x00\x02\x0a\x4e\x00\x01", 8);
    c = csum(ip, 20);
    ip[10] = c >> 8;
    ip[11] = c;
    udp[0] = udp[2] = 7777 >> 8;
    udp[1] = udp[3] = 7777 & 0xff;
    udp[4] = ulen >> 8;
    udp[5] = ulen;
    memcpy(udp + 8, text, pl);
    return 14 + iplen;
}

static void tap_udp_body(void)
{
    char *args = g_strdup_printf("-netdev tap,id=n0,ifname=%s,script=no,"
                                 "downscript=no "
                                 "-device virtio-net-pci,netdev=n0,id=vnet0",
                                 tap_name);
    VnetEnv *e = vnet_env_start(args);
    uint8_t tapmac[6], f[2048];
    char *out;
    GPid pid;
    int fd, len;
    bool found = false;

    vnet_env_pci(e, VNET_MODERN_MSIX);
    /* tap has a vnet header: the offloads are offered. */
    g_assert_true(qvirtio_get_features(e->dev) & F(QVNET_F_CSUM));
    e->net = qvnet_init(e->dev, qvnet_default_features(), 1);
    e->net->repost = true;
    qvnet_post_rx(e->net, 0, 16, 2048);
    tap_to_ns(tapmac);

    /* Guest → namespace: a UDP socket there gets the datagram. */
    fd = ns_helper("import socket\n"
                   "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
                   "s.bind(('10.78.0.1',7777))\n"
                   "print('ready',flush=True)\n"
                   "s.settimeout(5)\n"
                   "print(s.recvfrom(100)[0].decode(),flush=True)\n", &pid);
    len = udp_frame(f, tapmac, "hello-from-guest");
    g_assert_true(qvnet_send(e->net, 0, f, len));
    out = helper_output(fd, pid);
    g_assert_nonnull(strstr(out, "hello-from-guest"));
    g_free(out);

    /* Namespace → guest, through the kernel's routing and the tap. */
    g_free(sh("ip netns exec %s python3 -c \"import socket;"
              "socket.socket(socket.AF_INET,socket.SOCK_DGRAM).sendto("
              "b'hello-from-ns',('10.78.0.2',8888))\"", ns_name));
    for (int i = 0; i < 16 && !found; i++) {
        len = qvnet_recv(e->net, 0, f, sizeof(f), NULL, 3000);
        g_assert_cmpint(len, >, 0);
        found = memmem(f, len, "hello-from-ns", 13) != NULL;
        if (found) {
            g_assert_cmpmem(f, 6, guest_mac, 6);
            g_assert_cmpmem(f + 6, 6, tapmac, 6);
        }
    }
    g_assert_true(found);
    vnet_env_free(e);
    g_free(args);
}

/* Raw frames of ethertype 0x88b5 seen on the tap inside the namespace. */
static const char *sniffer =
    "import socket,sys\n"
    "s=socket.socket(socket.AF_PACKET,socket.SOCK_RAW,socket.htons(0x88b5))\n"
    "s.bind((sys.argv[1],0))\n"
    "print('ready',flush=True)\n"
    "s.settimeout(1.5)\n"
    "try:\n"
    "  while True:\n"
    "    d=s.recv(2048)\n"
    "    print('seed=%d' % int.from_bytes(d[14:18],'big'),flush=True)\n"
    "except socket.timeout:\n"
    "  pass\n";

static int sniff_start(GPid *pid)
{
    gchar *argv[] = { "ip", "netns", "exec", ns_name, "python3", "-c",
                      (gchar *)sniffer, tap_name, NULL };
    char buf[8];
    int fd;

    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_SEARCH_PATH |
                                               G_SPAWN_DO_NOT_REAP_CHILD,
                                           NULL, NULL, pid, NULL, &fd, NULL,
                                           NULL));
    g_assert_true(vnet_read_full(fd, buf, 6, 5000));
    return fd;
}

static int pairs_cmd(QVirtioNet *n, uint16_t pairs)
{
    uint8_t p[2] = { pairs, pairs >> 8 };
    return qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET, p, 2);
}

static void tap_mq_body(void)
{
    char *args = g_strdup_printf("-netdev tap,id=n0,ifname=%s,queues=4,"
                                 "script=no,downscript=no -device "
                                 "virtio-net-pci,netdev=n0,mq=on,id=vnet0",
                                 tap_name);
    VnetEnv *e = vnet_env_start(args);
    QVirtioNet *n;
    uint8_t tapmac[6], f[100];
    char *out;
    GPid pid;
    int fd;

    vnet_env_pci(e, VNET_MODERN_MSIX);
    /* 2 * 4 + 2 vectors; 3 queues until MQ; 4 pairs in the config. */
    g_assert_cmpuint(qpci_msix_table_size(e->pci->pdev), ==, 10);
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    n = e->net = qvnet_init(e->dev, qvnet_default_features(), 4);
    g_assert_cmpuint(n->max_pairs, ==, 4);
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 9);
    tap_to_ns(tapmac);

    /* Range checks. */
    g_assert_cmpint(pairs_cmd(n, 0), ==, QVNET_ERR);
    g_assert_cmpint(pairs_cmd(n, 5), ==, QVNET_ERR);
    g_assert_cmpint(pairs_cmd(n, 0x8001), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MQ, QVNET_CTRL_MQ_VQ_PAIRS_SET,
                               "\2", 1), ==, QVNET_ERR);
    g_assert_cmpint(qvnet_ctrl(n, QVNET_CTRL_MQ, 3, "\2\0", 2), ==,
                    QVNET_ERR);

    /* Pairs 1..3 carry frames once VQ_PAIRS_SET enabled them. */
    fd = sniff_start(&pid);
    vnet_frame(f, sizeof(f), tapmac, guest_mac, 0);
    g_assert_true(qvnet_send(n, 0, f, sizeof(f)));
    g_assert_cmpint(pairs_cmd(n, 4), ==, QVNET_OK);
    vnet_frame(f, sizeof(f), tapmac, guest_mac, 31);
    g_assert_true(qvnet_send(n, 3, f, sizeof(f)));
    vnet_frame(f, sizeof(f), tapmac, guest_mac, 10);
    g_assert_true(qvnet_send(n, 1, f, sizeof(f)));
    out = helper_output(fd, pid);
    g_assert_nonnull(strstr(out, "seed=0\n"));
    g_assert_nonnull(strstr(out, "seed=10\n"));
    g_assert_nonnull(strstr(out, "seed=31\n"));
    g_free(out);
    g_assert_cmpint(pairs_cmd(n, 2), ==, QVNET_OK);
    g_assert_cmpint(pairs_cmd(n, 1), ==, QVNET_OK);
    g_assert_true(qvnet_send(n, 0, f, sizeof(f)));
    /*
     * netdev_del of the tap while the NIC uses it: the NIC's link goes
     * down at once, the id is free again, and the tap's queues stay open
     * (the interface still exists) until the NIC itself goes away.
     */
    g_assert_cmphex(qvnet_config_status(n) & QVNET_S_LINK_UP, ==,
                    QVNET_S_LINK_UP);
    qtest_qmp_assert_success(e->qts, "{\"execute\": \"netdev_del\", "
                                     "\"arguments\": {\"id\": \"n0\"}}");
    g_assert_cmphex(qvnet_config_status(n) & QVNET_S_LINK_UP, ==, 0);
    g_free(sh("ip netns exec %s ip link show %s >/dev/null", ns_name,
              tap_name));
    qtest_qmp_assert_success(e->qts, "{\"execute\": \"netdev_add\", "
                                     "\"arguments\": {\"type\": \"user\", "
                                     "\"id\": \"n0\"}}");
    /* Reset: back to 3 queues. */
    qvirtio_reset(e->dev);
    g_assert_cmpuint(qvirtio_pci_num_queues(e->pci), ==, 3);
    vnet_env_free(e);
    g_free(args);
}

static bool can_run(void)
{
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        qtest_skip("needs root and /dev/net/tun");
        return false;
    }
    return true;
}

/* Run the subprocess test @sub with a fresh namespace around it. */
static void with_namespace(const char *sub)
{
    char *cmd;

    if (!can_run()) {
        return;
    }
    names_for(getpid());
    cmd = g_strdup_printf("ip netns add %s 2>/dev/null", ns_name);
    if (system(cmd) != 0) {
        g_free(cmd);
        qtest_skip("cannot create a network namespace");
        return;
    }
    g_free(cmd);
    g_test_trap_subprocess(sub, 60 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR |
                               G_TEST_SUBPROCESS_INHERIT_STDOUT);
    cmd = g_strdup_printf("ip netns del %s 2>/dev/null", ns_name);
    if (system(cmd) != 0) {
        g_test_message("namespace %s was already gone", ns_name);
    }
    g_free(cmd);
    g_test_trap_assert_passed();
}

static void test_tap_udp(void)
{
    with_namespace("/virtio-net/tap/udp/subprocess");
}

static void test_tap_mq(void)
{
    with_namespace("/virtio-net/tap/mq/subprocess");
}

static void sub_udp(void)
{
    names_for(getppid());
    tap_udp_body();
}

static void sub_mq(void)
{
    names_for(getppid());
    tap_mq_body();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-net/tap/udp", test_tap_udp);
    g_test_add_func("/virtio-net/tap/udp/subprocess", sub_udp);
    g_test_add_func("/virtio-net/tap/mq", test_tap_mq);
    g_test_add_func("/virtio-net/tap/mq/subprocess", sub_mq);
    return g_test_run();
}
