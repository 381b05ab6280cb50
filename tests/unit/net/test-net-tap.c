/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The tap backend: option errors, and frames through a real tap whose
 * other side is in a network namespace the test creates. */
#include <fcntl.h>
#include <sched.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <linux/if_tun.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <glib.h>
#include "util/keyval.h"
#include "net-test-util.h"

static void check_err(const char *spec, const char *want)
{
    char *m = test_netdev_error(spec);

    if (!g_str_has_prefix(m, want)) {
        g_printerr("for '%s': got '%s', want '%s'\n", spec, m, want);
    }
    g_assert_true(g_str_has_prefix(m, want));
    g_free(m);
    g_assert_null(qemu_find_netdev("t"));
}

static void test_tap_option_errors(void)
{
    int p[2];
    char *spec, *want;
    bool help = false;
    json_t *o;
    Error *err = NULL;

    check_err("tap,id=t,fd=3,ifname=x",
              "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, "
              "fds=, and vhostfds= are invalid with fd=");
    check_err("tap,id=t,fd=3,queues=2",
              "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, "
              "fds=, and vhostfds= are invalid with fd=");
    check_err("tap,id=t,fds=3:4,queues=2",
              "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, "
              "and vhostfd= are invalid with fds=");
    check_err("tap,id=t,fds=3:4,vhostfd=5",
              "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, "
              "and vhostfd= are invalid with fds=");
    check_err("tap,id=t,fds=3:4,vhostfds=5",
              "The number of fds passed does not match the number of "
              "vhostfds passed");
    check_err("tap,id=t,helper=/bin/true,ifname=x",
              "ifname=, script=, downscript=, vnet_hdr=, queues=, and "
              "vhostfds= are invalid with helper=");
    check_err("tap,id=t,vhostfds=3", "vhostfds= is invalid if fds= wasn't "
                                     "specified");
    check_err("tap,id=t,vhost=off,vhostfd=3",
              "vhostfd(s)= is not valid without vhost");
    check_err("tap,id=t,fd=foo", "Invalid file descriptor number 'foo'");
    check_err("tap,id=t,fd=-1", "Invalid file descriptor number '-1'");
    check_err("tap,id=t,fds=:", "Invalid file descriptor number ''");
    check_err("tap,id=t,fds=::", "Invalid file descriptor number ''");
    check_err("tap,id=t,fd=100000", "Can't set file descriptor 100000 "
                                    "non-blocking: ");
    check_err("tap,id=t,queues=0", "queues must be between 1 and 1024");
    g_assert_cmpint(pipe(p), ==, 0);
    spec = g_strdup_printf("tap,id=t,fd=%d", p[0]);
    want = g_strdup_printf("Unable to query TUNGETIFF on FD %d: "
                           "Inappropriate ioctl for device", p[0]);
    check_err(spec, want);
    g_free(spec);
    g_free(want);
    close(p[0]);
    close(p[1]);
    /* -net (a hub port peer) refuses multiqueue options. */
    o = keyval_parse("tap,queues=2", "type", &help, &error_abort);
    g_assert_false(net_client_net_add(o, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Multiqueue tap cannot be used with hubs");
    error_free(err);
    json_decref(o);
}

static char ns_name[64], tap_name[16];

static void ns_cleanup(void)
{
    char *cmd = g_strdup_printf("ip netns del %s 2>/dev/null", ns_name);
    if (system(cmd)) {
        /* already gone */
    }
    g_free(cmd);
}

static char *ns_run(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
static char *ns_run(const char *fmt, ...)
{
    va_list ap;
    char *inner, *cmd, *out = NULL;
    int status;

    va_start(ap, fmt);
    inner = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    cmd = g_strdup_printf("ip netns exec %s %s", ns_name, inner);
    g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
    g_assert_true(g_spawn_check_wait_status(status, NULL));
    g_free(inner);
    g_free(cmd);
    return out;
}

static uint16_t ip_csum(const uint8_t *p, int n)
{
    uint32_t s = 0;

    for (int i = 0; i < n; i += 2) {
        s += (p[i] << 8) | p[i + 1];
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s;
}

static size_t udp_frame(uint8_t *f, const uint8_t dst[6], const uint8_t src[6],
                        const char *payload)
{
    size_t pl = strlen(payload), ulen = 8 + pl, iplen = 20 + ulen;
    uint8_t *ip = f + 14, *udp = ip + 20;
    uint16_t c;

    memset(f, 0, 14 + iplen);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x08;
    ip[0] = 0x45; ip[2] = iplen >> 8; ip[3] = iplen; ip[8] = 64; ip[9] = 17;
    ip[12] = 10; ip[13] = 77; ip[14] = 0; ip[15] = 2;
    ip[16] = 10; ip[17] = 77; ip[18] = 0; ip[19] = 1;
    c = ip_csum(ip, 20);
    ip[10] = c >> 8; ip[11] = c;
    udp[0] = 7777 >> 8; udp[1] = 7777 & 0xff;
    udp[2] = 7777 >> 8; udp[3] = 7777 & 0xff;
    udp[4] = ulen >> 8; udp[5] = ulen;
    memcpy(udp + 8, payload, pl);
    return 14 + iplen;
}

static bool rx_has_payload(void *opaque)
{
    TestNic *t = opaque;

    for (guint i = 0; i < t->rx->len; i++) {
        GByteArray *f = t->rx->pdata[i];
        if (memmem(f->data, f->len, "from-ns", 7)) {
            return true;
        }
    }
    return false;
}

static void tap_netns_body(void)
{
    char *spec, *mac, *cmd, *out = NULL;
    uint8_t tapmac[6], frame[128];
    TestNic *t;
    GPid pid;
    gint out_fd;
    gchar *argv[] = { "ip", "netns", "exec", ns_name, "python3", "-c",
        "import socket,sys\n"
        "s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\n"
        "s.bind(('10.77.0.1',7777))\n"
        "print('ready',flush=True)\n"
        "s.settimeout(5)\n"
        "print(s.recvfrom(100)[0].decode(),flush=True)\n", NULL };
    char buf[256];
    ssize_t n;
    size_t got = 0;

    spec = g_strdup_printf("tap,id=tn,ifname=%s,script=no,downscript=no",
                           tap_name);
    g_assert_true(test_netdev_add(spec, &error_abort));
    {
        char *info = g_strdup_printf("ifname=%s,script=no,downscript=no",
                                     tap_name);
        g_assert_cmpstr(qemu_find_netdev("tn")->info_str, ==, info);
        g_free(info);
    }
    g_assert_true(qemu_has_vnet_hdr(qemu_find_netdev("tn")));
    t = test_nic_new("tn", NULL);
    mac = g_strdup_printf("52:54:00:12:34:%02x", t->conf.macaddr.a[5]);
    cmd = g_strdup_printf("sh -c 'ip link set %s netns %s'", tap_name,
                          ns_name);
    g_assert_true(system(cmd) == 0);
    g_free(cmd);
    g_free(ns_run("ip addr add 10.77.0.1/24 dev %s", tap_name));
    g_free(ns_run("ip link set %s up", tap_name));
    g_free(ns_run("ip neigh add 10.77.0.2 lladdr %s dev %s", mac, tap_name));
    out = ns_run("cat /sys/class/net/%s/address", tap_name);
    g_assert_cmpint(sscanf(out, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &tapmac[0],
                           &tapmac[1], &tapmac[2], &tapmac[3], &tapmac[4],
                           &tapmac[5]), ==, 6);
    g_free(out);

    /* NIC → namespace: a UDP datagram to a socket there. */
    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_SEARCH_PATH, NULL, NULL,
                                           &pid, NULL, &out_fd, NULL, NULL));
    while (got < 6 && (n = read(out_fd, buf + got, sizeof(buf) - got)) > 0) {
        got += n;
    }
    g_assert_true(g_str_has_prefix(buf, "ready"));
    for (int i = 0; i < 3; i++) {
        size_t len = udp_frame(frame, tapmac, t->conf.macaddr.a,
                               "hello-vireo");
        g_assert_cmpint(test_nic_send(t, frame, len), ==, len);
        test_loop_spin(50);
    }
    while ((n = read(out_fd, buf + got, sizeof(buf) - 1 - got)) > 0) {
        got += n;
    }
    buf[got] = 0;
    g_assert_nonnull(strstr(buf, "hello-vireo"));
    close(out_fd);
    g_spawn_close_pid(pid);

    /* namespace → NIC */
    g_free(ns_run("python3 -c \"import socket;socket.socket(socket.AF_INET,"
                  "socket.SOCK_DGRAM).sendto(b'from-ns',('10.77.0.2',8888))\""));
    g_assert_true(test_loop_until(rx_has_payload, t));

    /* Back-pressure: the NIC stops taking frames; tap stops reading. */
    t->accept = false;
    g_free(ns_run("python3 -c \"import socket;s=socket.socket(socket.AF_INET,"
                  "socket.SOCK_DGRAM);[s.sendto(b'from-ns',('10.77.0.2',8888))"
                  " for i in range(5)]\""));
    test_loop_spin(100);
    g_assert_cmpuint(qemu_net_queue_len(qemu_get_queue(t->nic)
                                            ->incoming_queue), ==, 1);
    t->accept = true;
    g_ptr_array_set_size(t->rx, 0);
    qemu_flush_queued_packets(qemu_get_queue(t->nic));
    test_loop_spin(100);
    g_assert_cmpuint(t->rx->len, >=, 5);

    test_nic_free(t);
    g_assert_true(net_netdev_del("tn", &error_abort));
    g_free(mac);
    g_free(spec);
}

static void test_tap_netns(void)
{
    char *cmd;

    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_test_skip("needs root and /dev/net/tun");
        return;
    }
    snprintf(ns_name, sizeof(ns_name), "vireo-test-%d", getpid());
    snprintf(tap_name, sizeof(tap_name), "vtap%d", getpid() % 100000);
    cmd = g_strdup_printf("ip netns add %s", ns_name);
    if (system(cmd) != 0) {
        g_free(cmd);
        g_test_skip("cannot create a network namespace");
        return;
    }
    g_free(cmd);
    /* Run in a child so the namespace goes away even when it fails. */
    g_test_trap_subprocess("/net/tap/netns/subprocess", 30 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    ns_cleanup();
    g_test_trap_assert_passed();
}

static void test_tap_netns_sub(void)
{
    snprintf(ns_name, sizeof(ns_name), "vireo-test-%d", getppid());
    snprintf(tap_name, sizeof(tap_name), "vtap%d", getppid() % 100000);
    tap_netns_body();
}

/* ---- fd rules, in a network namespace of the subprocess's own ---- */

static int open_tap_fd(const char *name, short flags)
{
    struct ifreq ifr = {0};
    int fd = open("/dev/net/tun", O_RDWR);

    g_assert_cmpint(fd, >=, 0);
    ifr.ifr_flags = flags;
    g_strlcpy(ifr.ifr_name, name, sizeof(ifr.ifr_name));
    g_assert_cmpint(ioctl(fd, TUNSETIFF, &ifr), ==, 0);
    return fd;
}

/* "numdisabled N" of `ip -d link show`. */
static int tap_numdisabled(const char *ifname)
{
    char *cmd = g_strdup_printf("ip -d link show dev %s", ifname), *out;
    char *p;
    int n = -1, status;

    g_assert_true(g_spawn_command_line_sync(cmd, &out, NULL, &status, NULL));
    p = strstr(out, "numdisabled ");
    if (p) {
        n = atoi(p + strlen("numdisabled "));
    }
    g_free(out);
    g_free(cmd);
    return n;
}

/* A numbered fd that fails is left open and unchanged. */
static void assert_fd_untouched(int fd)
{
    g_assert_cmpint(fcntl(fd, F_GETFD), >=, 0);
    g_assert_false(fcntl(fd, F_GETFL) & O_NONBLOCK);
}

static void tap_fd_rules_body(void)
{
    int p[2], a, b, tun, single;
    char *spec, *want;
    NetClientState *ncs[8];
    Error *err = NULL;

    g_assert_cmpint(unshare(CLONE_NEWNET), ==, 0);
    g_assert_cmpint(pipe(p), ==, 0);
    a = open_tap_fd("ra", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);
    b = open_tap_fd("ra", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR | IFF_MULTI_QUEUE);
    tun = open_tap_fd("rtun", IFF_TUN | IFF_NO_PI);
    single = open_tap_fd("rs", IFF_TAP | IFF_NO_PI | IFF_VNET_HDR);

    /* A pipe after a good fd: both numbers stay open and blocking. */
    spec = g_strdup_printf("tap,id=t,fds=%d:%d", a, p[0]);
    want = g_strdup_printf("Unable to query TUNGETIFF on FD %d: "
                           "Inappropriate ioctl for device", p[0]);
    check_err(spec, want);
    assert_fd_untouched(a);
    assert_fd_untouched(p[0]);
    g_free(spec);
    g_free(want);

    spec = g_strdup_printf("tap,id=t,fds=%d:%d", a, a);
    want = g_strdup_printf("File descriptor %d is given twice", a);
    check_err(spec, want);
    g_free(spec);
    g_free(want);

    spec = g_strdup_printf("tap,id=t,fd=%d", tun);
    want = g_strdup_printf("FD %d is a tun (layer 3) device 'rtun', not a tap",
                           tun);
    check_err(spec, want);
    g_free(spec);
    g_free(want);

    /* A single-queue tap of that name can't take queues=2. */
    check_err("tap,id=t,ifname=rs,queues=2,script=no,downscript=no",
              "could not configure /dev/net/tun (rs): Invalid argument");
    check_err("tap,id=t,ifname=a-name-longer-than-15",
              "ifname 'a-name-longer-than-15' is too long (at most 15 "
              "characters)");
    check_err("tap,id=t,queues=2,vhostforce=on,script=no",
              "Could not open '/dev/vhost-net': No such file or directory");

    /* A good two-queue netdev; its fds can't be given to another one. */
    spec = g_strdup_printf("tap,id=mq,fds=%d:%d", a, b);
    g_assert_true(test_netdev_add(spec, &error_abort));
    g_free(spec);
    g_assert_cmpint(qemu_find_net_clients_except("mq", ncs,
                                                 NET_CLIENT_DRIVER_NIC, 8),
                    ==, 2);
    g_assert_true(fcntl(a, F_GETFL) & O_NONBLOCK);
    spec = g_strdup_printf("tap,id=t,fd=%d", b);
    want = g_strdup_printf("File descriptor %d is already used by netdev "
                           "'mq'", b);
    check_err(spec, want);
    g_free(spec);
    g_free(want);

    /* Detach / attach queue 1 (TUNSETQUEUE), seen from the kernel. */
    g_assert_cmpint(tap_numdisabled("ra"), ==, 0);
    g_assert_true(qemu_net_queue_disable(ncs[1], &error_abort));
    g_assert_cmpint(tap_numdisabled("ra"), ==, 1);
    /* Header size asked for while detached is taken on attach. */
    g_assert_true(qemu_has_vnet_hdr_len(ncs[1], 12));
    qemu_set_vnet_hdr_len(ncs[1], 12);
    g_assert_true(qemu_net_queue_enable(ncs[1], &error_abort));
    g_assert_cmpint(tap_numdisabled("ra"), ==, 0);
    {
        int len = 0;
        g_assert_cmpint(ioctl(b, TUNGETVNETHDRSZ, &len), ==, 0);
        g_assert_cmpint(len, ==, 12);
    }
    g_assert_true(net_netdev_del("mq", &error_abort));
    /* The netdev owned them: closed now. */
    g_assert_cmpint(fcntl(a, F_GETFD), <, 0);
    g_assert_cmpint(fcntl(b, F_GETFD), <, 0);

    /* Detaching a single-queue tap is a clean error, not an abort. */
    spec = g_strdup_printf("tap,id=sq,fd=%d", single);
    g_assert_true(test_netdev_add(spec, &error_abort));
    g_free(spec);
    g_assert_false(qemu_net_queue_disable(qemu_find_netdev("sq"), &err));
    g_assert_true(g_str_has_prefix(error_get_pretty(err),
                                   "could not disable queue: "));
    error_free(err);
    g_assert_true(net_netdev_del("sq", &error_abort));

    /* queues=3 on a kernel name: three queues, nothing left after del. */
    g_assert_true(test_netdev_add("tap,id=q3,ifname=rq,queues=3,script=no,"
                                  "downscript=no", &error_abort));
    g_assert_cmpint(qemu_find_net_clients_except("q3", ncs,
                                                 NET_CLIENT_DRIVER_NIC, 8),
                    ==, 3);
    g_assert_true(net_netdev_del("q3", &error_abort));
    g_assert_cmpint(if_nametoindex("rq"), ==, 0);
    close(tun);
    close(single);
    close(p[0]);
    close(p[1]);
}

static void test_tap_fd_rules(void)
{
    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_test_skip("needs root and /dev/net/tun");
        return;
    }
    /* The subprocess unshares its own namespace: it dies with it. */
    g_test_trap_subprocess("/net/tap/fd-rules/subprocess", 30 * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    g_test_trap_assert_passed();
}

static void test_tap_script_fails(void)
{
    char *m;

    if (geteuid() != 0 || access("/dev/net/tun", R_OK | W_OK)) {
        g_test_skip("needs root and /dev/net/tun");
        return;
    }
    m = test_netdev_error("tap,id=t,script=/bin/false,downscript=no");
    g_assert_cmpstr(m, ==, "network script /bin/false failed with status 256");
    g_free(m);
    g_assert_null(qemu_find_netdev("t"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    vm_start();
    g_test_add_func("/net/tap/option-errors", test_tap_option_errors);
    g_test_add_func("/net/tap/script-fails", test_tap_script_fails);
    g_test_add_func("/net/tap/netns", test_tap_netns);
    g_test_add_func("/net/tap/netns/subprocess", test_tap_netns_sub);
    g_test_add_func("/net/tap/fd-rules", test_tap_fd_rules);
    g_test_add_func("/net/tap/fd-rules/subprocess", tap_fd_rules_body);
    return g_test_run();
}
