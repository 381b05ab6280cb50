/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Socket and user backends with real sockets and libslirp. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include <glib-unix.h>
#include "util/keyval.h"
#include "net-test-util.h"

static int free_tcp_port(void)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_STREAM, 0), port;

    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

typedef struct Pair {
    TestNic *a;
    TestNic *b;
} Pair;

static bool both_connected(void *opaque)
{
    const char **ids = opaque;
    NetClientState *a = qemu_find_netdev(ids[0]);
    NetClientState *b = qemu_find_netdev(ids[1]);

    return a && b && strstr(a->info_str, "connect") &&
           strstr(b->info_str, "connect");
}

/* Frames both ways between two netdevs, each peered with a test NIC. */
static void exchange(const char *ida, const char *idb, bool wait_connect)
{
    TestNic *a = test_nic_new(ida, NULL), *b = test_nic_new(idb, NULL);
    uint8_t f1[60], f2[1500];

    memset(f1, 0x11, sizeof(f1));
    memset(f2, 0x22, sizeof(f2));
    if (wait_connect) {
        const char *ids[2] = { ida, idb };
        g_assert_true(test_loop_until(both_connected, ids));
    } else {
        test_loop_spin(20);
    }
    g_assert_cmpint(test_nic_send(a, f1, sizeof(f1)), ==, sizeof(f1));
    g_assert_true(test_loop_until(test_nic_has_rx, b));
    g_assert_cmpuint(((GByteArray *)b->rx->pdata[0])->len, ==, sizeof(f1));
    g_assert_cmpmem(((GByteArray *)b->rx->pdata[0])->data, sizeof(f1), f1,
                    sizeof(f1));
    g_assert_cmpint(test_nic_send(b, f2, sizeof(f2)), ==, sizeof(f2));
    g_assert_true(test_loop_until(test_nic_has_rx, a));
    g_assert_cmpmem(((GByteArray *)a->rx->pdata[0])->data,
                    ((GByteArray *)a->rx->pdata[0])->len, f2, sizeof(f2));
    test_nic_free(a);
    test_nic_free(b);
    g_assert_true(net_netdev_del(ida, &error_abort));
    g_assert_true(net_netdev_del(idb, &error_abort));
}

static void test_stream_unix(void)
{
    char *path = g_strdup_printf("%s/vireo-st-%d.sock", g_get_tmp_dir(),
                                 getpid());
    char *s = g_strdup_printf("stream,id=ss,server=on,addr.type=unix,"
                              "addr.path=%s", path);
    char *c = g_strdup_printf("stream,id=sc,server=off,addr.type=unix,"
                              "addr.path=%s", path);

    g_assert_true(test_netdev_add(s, &error_abort));
    g_assert_true(test_netdev_add(c, &error_abort));
    exchange("sc", "ss", true);
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_free(s);
    g_free(c);
    g_free(path);
}

static void test_stream_tcp(void)
{
    int port = free_tcp_port();
    char *s = g_strdup_printf("stream,id=ts,server=on,addr.type=inet,"
                              "addr.host=127.0.0.1,addr.port=%d", port);
    char *c = g_strdup_printf("stream,id=tc,addr.type=inet,"
                              "addr.host=127.0.0.1,addr.port=%d", port);
    char *m;

    g_assert_true(test_netdev_add(s, &error_abort));
    g_assert_true(test_netdev_add(c, &error_abort));
    exchange("tc", "ts", true);
    /* Nobody listens now: a client without reconnect fails. */
    m = test_netdev_error(c);
    g_assert_nonnull(strstr(m, "can't connect socket"));
    g_free(m);
    g_free(s);
    g_free(c);
}

static void test_dgram_udp(void)
{
    int pa = free_tcp_port(), pb = free_tcp_port();
    char *a = g_strdup_printf("dgram,id=da,local.type=inet,local.host="
                              "127.0.0.1,local.port=%d,remote.type=inet,"
                              "remote.host=127.0.0.1,remote.port=%d", pa, pb);
    char *b = g_strdup_printf("dgram,id=db,local.type=inet,local.host="
                              "127.0.0.1,local.port=%d,remote.type=inet,"
                              "remote.host=127.0.0.1,remote.port=%d", pb, pa);
    char *m;

    g_assert_true(test_netdev_add(a, &error_abort));
    g_assert_true(test_netdev_add(b, &error_abort));
    exchange("da", "db", false);
    m = test_netdev_error("dgram,id=dx,remote.type=inet,remote.host="
                          "127.0.0.1,remote.port=9");
    g_assert_nonnull(strstr(m, "local="));
    g_free(m);
    g_free(a);
    g_free(b);
}

static void test_socket_legacy(void)
{
    int port = free_tcp_port();
    char *l = g_strdup_printf("socket,id=ll,listen=127.0.0.1:%d", port);
    char *c = g_strdup_printf("socket,id=lc,connect=127.0.0.1:%d", port);
    char *m;

    g_assert_true(test_netdev_add(l, &error_abort));
    g_assert_true(test_netdev_add(c, &error_abort));
    exchange("lc", "ll", true);
    m = test_netdev_error("socket,id=x");
    g_assert_cmpstr(m, ==, "exactly one of listen=, connect=, mcast= or udp= "
                           "is required");
    g_free(m);
    m = test_netdev_error("socket,id=x,udp=127.0.0.1:5");
    g_assert_cmpstr(m, ==, "localaddr= is mandatory with udp=");
    g_free(m);
    m = test_netdev_error("socket,id=x,connect=127.0.0.1:1,localaddr=1.2.3.4");
    g_assert_cmpstr(m, ==, "localaddr= is only valid with mcast= or udp=");
    g_free(m);
    g_free(l);
    g_free(c);
}

/* The wire format seen from a plain socket: 4-byte BE length + frame. */
static void test_socket_framing(void)
{
    int port = free_tcp_port();
    char *l = g_strdup_printf("socket,id=fr,listen=127.0.0.1:%d", port);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    uint8_t out[4 + 70], in[4 + 60];
    TestNic *t;
    int fd;

    g_assert_true(test_netdev_add(l, &error_abort));
    t = test_nic_new("fr", NULL);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    memset(out, 0x5a, sizeof(out));
    out[0] = 0; out[1] = 0; out[2] = 0; out[3] = 70;
    /* Split writes must still make one frame. */
    g_assert_cmpint(write(fd, out, 10), ==, 10);
    test_loop_spin(20);
    g_assert_cmpint(write(fd, out + 10, sizeof(out) - 10), ==,
                    sizeof(out) - 10);
    g_assert_true(test_loop_until(test_nic_has_rx, t));
    g_assert_cmpuint(((GByteArray *)t->rx->pdata[0])->len, ==, 70);
    memset(in, 0x33, sizeof(in));
    g_assert_cmpint(test_nic_send(t, in, 60), ==, 60);
    g_assert_cmpint(recv(fd, in, sizeof(in), MSG_WAITALL), ==, 64);
    g_assert_cmpint(in[0], ==, 0);
    g_assert_cmpint(in[3], ==, 60);
    g_assert_cmpint(in[4], ==, 0x33);
    close(fd);
    test_nic_free(t);
    g_assert_true(net_netdev_del("fr", &error_abort));
    g_free(l);
}

/* ---- libslirp ---- */

static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

static size_t build_dhcp_discover(uint8_t *p, const uint8_t mac[6])
{
    size_t udp_len = 8 + 240 + 4, ip_len = 20 + udp_len;
    uint8_t *ip = p + 14, *udp = ip + 20, *d = udp + 8;

    memset(p, 0, 14 + ip_len);
    memcpy(p, bcast, 6);
    memcpy(p + 6, mac, 6);
    p[12] = 0x08;
    ip[0] = 0x45;
    ip[2] = ip_len >> 8;
    ip[3] = ip_len;
    ip[8] = 64;
    ip[9] = 17;
    memset(ip + 16, 0xff, 4);
    udp[1] = 68;
    udp[3] = 67;
    udp[4] = udp_len >> 8;
    udp[5] = udp_len;
    d[0] = 1; d[1] = 1; d[2] = 6;
    d[4] = 0x12; d[5] = 0x34; d[6] = 0x56; d[7] = 0x78;
    memcpy(d + 28, mac, 6);
    d[236] = 99; d[237] = 130; d[238] = 83; d[239] = 99;
    d[240] = 53; d[241] = 1; d[242] = 1; /* DHCPDISCOVER */
    d[243] = 255;
    {
        uint32_t sum = 0;
        for (int i = 0; i < 20; i += 2) {
            sum += (ip[i] << 8) | ip[i + 1];
        }
        while (sum >> 16) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum = ~sum & 0xffff;
        ip[10] = sum >> 8;
        ip[11] = sum;
    }
    return 14 + ip_len;
}

static bool is_dhcp_offer(GByteArray *f)
{
    const uint8_t *p = f->data;

    if (f->len < 14 + 20 + 8 + 243 || p[12] != 0x08 || p[13] != 0 ||
        p[14 + 9] != 17) {
        return false;
    }
    p += 14 + (p[14] & 0xf) * 4;
    if (p[1] != 67 || p[3] != 68) {
        return false;
    }
    p += 8;
    if (p[0] != 2 || p[236] != 99) {
        return false;
    }
    for (const uint8_t *o = p + 240; o < f->data + f->len - 2; o += 2 + o[1]) {
        if (o[0] == 255) {
            break;
        }
        if (o[0] == 53) {
            return o[2] == 2; /* DHCPOFFER */
        }
    }
    return false;
}

static void test_slirp_dhcp(void)
{
    TestNic *t;
    uint8_t frame[400];
    size_t len;

    g_assert_true(test_netdev_add("user,id=u0,hostname=vireo", &error_abort));
    t = test_nic_new("u0", NULL);
    g_assert_cmpstr(qemu_find_netdev("u0")->info_str, ==,
                    "net=10.0.2.0,restrict=off");
    len = build_dhcp_discover(frame, t->conf.macaddr.a);
    g_assert_cmpint(test_nic_send(t, frame, len), ==, len);
    g_assert_true(test_loop_until(test_nic_has_rx, t));
    g_assert_true(is_dhcp_offer(t->rx->pdata[0]));
    /* Offered address: the first of dhcpstart (10.0.2.15). */
    {
        const uint8_t *yi = ((GByteArray *)t->rx->pdata[0])->data + 14 + 20 +
                            8 + 16;
        g_assert_cmpint(yi[0], ==, 10);
        g_assert_cmpint(yi[3], ==, 15);
    }
    test_nic_free(t);
    g_assert_true(net_netdev_del("u0", &error_abort));
}

static bool frame_for_guest(void *opaque)
{
    TestNic *t = opaque;

    for (guint i = 0; i < t->rx->len; i++) {
        GByteArray *f = t->rx->pdata[i];
        /* An ARP request for the guest, or a TCP SYN to port 22. */
        if (f->len >= 42 && f->data[12] == 0x08 && f->data[13] == 0x06 &&
            f->data[38] == 10 && f->data[41] == 15) {
            return true;
        }
        if (f->len >= 54 && f->data[12] == 0x08 && f->data[13] == 0 &&
            f->data[23] == 6 && f->data[36] == 0 && f->data[37] == 22) {
            return true;
        }
    }
    return false;
}

static void test_slirp_hostfwd(void)
{
    int port = free_tcp_port();
    char *spec = g_strdup_printf("user,id=u1,hostfwd=tcp:127.0.0.1:%d-:22,"
                                 "hostfwd=udp::%d-:23", port, port);
    struct sockaddr_in sa = { .sin_family = AF_INET };
    TestNic *t;
    int fd;
    char *m;

    g_assert_true(test_netdev_add(spec, &error_abort));
    t = test_nic_new("u1", NULL);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    g_assert_true(test_loop_until(frame_for_guest, t));
    close(fd);
    test_nic_free(t);
    g_assert_true(net_netdev_del("u1", &error_abort));
    m = test_netdev_error("user,id=u2,hostfwd=sctp::1-:2");
    g_assert_cmpstr(m, ==, "Invalid host forwarding rule 'sctp::1-:2' "
                           "(Bad protocol name)");
    g_free(m);
    m = test_netdev_error("user,id=u2,net=10.0.2.1/24");
    g_assert_nonnull(strstr(m, "Invalid network (net) address"));
    g_free(m);
    m = test_netdev_error("user,id=u2,dhcpstart=192.168.9.9");
    g_assert_nonnull(strstr(m, "DHCP start"));
    g_free(m);
    m = test_netdev_error("user,id=u2,guestfwd=tcp:10.0.2.100:80-chr");
    g_assert_nonnull(strstr(m, "not supported"));
    g_free(m);
    /* restrict and ipv6 basics parse */
    g_assert_true(test_netdev_add("user,id=u3,restrict=on,ipv6-prefix=fd00::,"
                                  "ipv6-prefixlen=64,net=192.168.7.0/24",
                                  &error_abort));
    g_assert_cmpstr(qemu_find_netdev("u3")->info_str, ==,
                    "net=192.168.7.0,restrict=on");
    g_assert_true(net_netdev_del("u3", &error_abort));
    g_free(spec);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    main_loop_init();
    vm_start();
    g_test_add_func("/net/backends/stream-unix", test_stream_unix);
    g_test_add_func("/net/backends/stream-tcp", test_stream_tcp);
    g_test_add_func("/net/backends/dgram-udp", test_dgram_udp);
    g_test_add_func("/net/backends/socket-legacy", test_socket_legacy);
    g_test_add_func("/net/backends/socket-framing", test_socket_framing);
    g_test_add_func("/net/backends/slirp-dhcp", test_slirp_dhcp);
    g_test_add_func("/net/backends/slirp-hostfwd", test_slirp_hostfwd);
    return g_test_run();
}
