/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The namespace side of the virtio-net benchmark (see bench-netns.h).
 *
 * Network namespaces are per thread: the helper thread unshares one, so
 * every socket it opens and every /proc/thread-self/net file it reads
 * belongs to that namespace, while the rest of the process (vireo's tap
 * backend) stays in the original one.  Nothing is named: the namespace
 * and the tap in it disappear with the process, even on a crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <glib.h>
#include "bench-netns.h"

#define SEND_BATCH 64

typedef enum NsCmd {
    NS_CMD_NONE,
    NS_CMD_TAKE, /* find the interface, bring it up, open sockets */
    NS_CMD_SEND, /* flood until stop_sending */
    NS_CMD_QUIT,
} NsCmd;

struct BenchNs {
    GThread *thread;
    GMutex lock;
    GCond cond;
    NsCmd cmd; /* set by the caller, cleared by the thread */
    bool started;
    char *error; /* the last command's failure */
    pid_t tid;
    char ifname[IFNAMSIZ];
    int ifindex;
    int stats_fd; /* /proc/thread-self/net/dev in the namespace */
    int pkt_fd;   /* AF_PACKET socket bound to the interface */
    uint8_t *frames;
    size_t frame_len;
    unsigned flows;
    int stop_sending;
    bool sending; /* the send loop runs (unlocked) */
    uint64_t sent;
};

/* ---- frames ---- */

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
    uint32_t s = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        s += (uint32_t)(p[i] << 8 | p[i + 1]);
    }
    while (s >> 16) {
        s = (s & 0xffff) + (s >> 16);
    }
    return ~s & 0xffff;
}

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

void bench_build_udp_frame(uint8_t *f, size_t len, const uint8_t dst[6],
                           const uint8_t src[6], uint16_t sport, uint16_t dport)
{
    uint8_t *ip = f + 14, *udp = ip + 20;

    memset(f, 0, len);
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    put_be16(f + 12, 0x0800);
    ip[0] = 0x45;
    put_be16(ip + 2, len - 14);
    put_be16(ip + 6, 0x4000); /* DF */
    ip[8] = 64;
    ip[9] = 17;
    /*
     * Loopback addresses: these frames only ever travel between this
     * process and a namespace it made, and are never routed anywhere.
     */
    ip[12] = 127, ip[15] = 1;
    ip[16] = 127, ip[19] = 2;
    put_be16(ip + 10, ip_checksum(ip, 20));
    put_be16(udp, sport);
    put_be16(udp + 2, dport);
    put_be16(udp + 4, len - 34); /* checksum 0: none, valid for IPv4 */
    for (size_t i = 42; i < len; i++) {
        f[i] = i;
    }
}

/* ---- work done inside the namespace ---- */

static void ns_fail(BenchNs *ns, const char *what, int err)
{
    g_free(ns->error);
    ns->error = g_strdup_printf("%s: %s", what, strerror(err));
}

static void write_sysctl(const char *path, const char *val)
{
    int fd = open(path, O_WRONLY);

    if (fd >= 0) {
        if (write(fd, val, strlen(val)) < 0) {
            /* IPv6 may be compiled out: then there is nothing to quiet. */
        }
        close(fd);
    }
}

static bool ns_link_up(BenchNs *ns)
{
    struct ifreq ifr = {0};
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    bool ok;

    if (s < 0) {
        ns_fail(ns, "socket(AF_INET)", errno);
        return false;
    }
    g_strlcpy(ifr.ifr_name, ns->ifname, sizeof(ifr.ifr_name));
    ok = ioctl(s, SIOCGIFFLAGS, &ifr) == 0;
    if (ok) {
        ifr.ifr_flags |= IFF_UP;
        ok = ioctl(s, SIOCSIFFLAGS, &ifr) == 0;
    }
    if (!ok) {
        ns_fail(ns, "bringing the tap up in the namespace", errno);
    }
    close(s);
    return ok;
}

static bool ns_open_packet_socket(BenchNs *ns)
{
    struct sockaddr_ll sll = {.sll_family = AF_PACKET,
                              .sll_ifindex = ns->ifindex};
    int one = 1, sndbuf = 4 << 20;

    /* Protocol 0: this socket only sends, it never gets a copy of rx. */
    ns->pkt_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (ns->pkt_fd < 0 ||
        bind(ns->pkt_fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
        ns_fail(ns, "AF_PACKET socket on the tap", errno);
        return false;
    }
    /* Straight to the driver (tun picks the queue by flow hash). */
    setsockopt(ns->pkt_fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
    setsockopt(ns->pkt_fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    return true;
}

static bool ns_take(BenchNs *ns)
{
    ns->ifindex = if_nametoindex(ns->ifname);
    if (!ns->ifindex) {
        ns_fail(ns, "the tap did not arrive in the namespace", errno);
        return false;
    }
    if (!ns_link_up(ns) || !ns_open_packet_socket(ns)) {
        return false;
    }
    ns->stats_fd = open("/proc/thread-self/net/dev", O_RDONLY | O_CLOEXEC);
    if (ns->stats_fd < 0) {
        ns_fail(ns, "/proc/thread-self/net/dev", errno);
        return false;
    }
    return true;
}

static void ns_send_loop(BenchNs *ns)
{
    struct mmsghdr msgs[SEND_BATCH];
    struct iovec iov[SEND_BATCH];
    unsigned next = 0;

    memset(msgs, 0, sizeof(msgs));
    for (int i = 0; i < SEND_BATCH; i++) {
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    while (!g_atomic_int_get(&ns->stop_sending)) {
        int r;

        for (int i = 0; i < SEND_BATCH; i++) {
            iov[i].iov_base =
                ns->frames + ns->frame_len * ((next + i) % ns->flows);
            iov[i].iov_len = ns->frame_len;
        }
        r = sendmmsg(ns->pkt_fd, msgs, SEND_BATCH, 0);
        if (r > 0) {
            ns->sent += r;
            next += r;
        } else if (errno != EINTR && errno != ENOBUFS && errno != EAGAIN) {
            ns_fail(ns, "sendmmsg", errno);
            break;
        }
    }
}

static gpointer ns_thread(gpointer opaque)
{
    BenchNs *ns = opaque;
    bool ok = unshare(CLONE_NEWNET) == 0;

    g_mutex_lock(&ns->lock);
    if (!ok) {
        ns_fail(ns, "unshare(CLONE_NEWNET)", errno);
    } else {
        /* No IPv6 chatter (DAD, router solicitations) in the counts. */
        write_sysctl("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
        write_sysctl("/proc/sys/net/ipv6/conf/default/disable_ipv6", "1");
    }
    ns->tid = syscall(SYS_gettid);
    ns->started = true;
    g_cond_broadcast(&ns->cond);
    while (ok) {
        NsCmd cmd;

        while (ns->cmd == NS_CMD_NONE) {
            g_cond_wait(&ns->cond, &ns->lock);
        }
        cmd = ns->cmd;
        if (cmd == NS_CMD_QUIT) {
            break;
        }
        if (cmd == NS_CMD_TAKE) {
            ns_take(ns);
        } else {
            /* Sending runs unlocked; stop_sending ends it. */
            ns->cmd = NS_CMD_NONE;
            ns->sending = true;
            g_cond_broadcast(&ns->cond);
            g_mutex_unlock(&ns->lock);
            ns_send_loop(ns);
            g_mutex_lock(&ns->lock);
            ns->sending = false;
            g_cond_broadcast(&ns->cond);
            continue;
        }
        ns->cmd = NS_CMD_NONE;
        g_cond_broadcast(&ns->cond);
    }
    g_mutex_unlock(&ns->lock);
    return NULL;
}

/* ---- the caller's side ---- */

/* Hand @cmd to the thread and wait until it took it. */
static bool ns_command(BenchNs *ns, NsCmd cmd, Error **errp)
{
    bool ok;

    g_mutex_lock(&ns->lock);
    g_clear_pointer(&ns->error, g_free);
    ns->cmd = cmd;
    g_cond_broadcast(&ns->cond);
    while (ns->cmd != NS_CMD_NONE) {
        g_cond_wait(&ns->cond, &ns->lock);
    }
    ok = !ns->error;
    if (!ok) {
        error_setg(errp, "%s", ns->error);
    }
    g_mutex_unlock(&ns->lock);
    return ok;
}

BenchNs *bench_ns_new(Error **errp)
{
    BenchNs *ns = g_new0(BenchNs, 1);

    ns->stats_fd = ns->pkt_fd = -1;
    g_mutex_init(&ns->lock);
    g_cond_init(&ns->cond);
    ns->thread = g_thread_new("bench-netns", ns_thread, ns);
    g_mutex_lock(&ns->lock);
    while (!ns->started) {
        g_cond_wait(&ns->cond, &ns->lock);
    }
    g_mutex_unlock(&ns->lock);
    if (ns->error) {
        error_setg(errp, "%s", ns->error);
        bench_ns_free(ns);
        return NULL;
    }
    return ns;
}

bool bench_ns_take_interface(BenchNs *ns, const char *ifname, Error **errp)
{
    char tid[32];
    gchar *argv[] = {"ip",    "link", "set", "dev", (gchar *)ifname,
                     "netns", tid,    NULL};
    gchar *err_out = NULL;
    gint status;
    GError *gerr = NULL;

    g_strlcpy(ns->ifname, ifname, sizeof(ns->ifname));
    /* ip(8) takes a pid for netns; the kernel resolves a thread id too. */
    snprintf(tid, sizeof(tid), "%d", (int)ns->tid);
    if (!g_spawn_sync(NULL, argv, NULL,
                      G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                      NULL, NULL, &err_out, &status, &gerr) ||
        !g_spawn_check_wait_status(status, &gerr)) {
        error_setg(errp, "ip link set dev %s netns %s: %s %s", ifname, tid,
                   gerr->message, err_out ? err_out : "");
        g_error_free(gerr);
        g_free(err_out);
        return false;
    }
    g_free(err_out);
    return ns_command(ns, NS_CMD_TAKE, errp);
}

static bool parse_dev_line(const char *line, BenchIfStats *st)
{
    unsigned long long v[16];

    if (sscanf(line,
               "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
               "%llu %llu %llu %llu %llu",
               &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8],
               &v[9], &v[10], &v[11], &v[12], &v[13], &v[14], &v[15]) != 16) {
        return false;
    }
    *st = (BenchIfStats){.rx_bytes = v[0],
                         .rx_packets = v[1],
                         .rx_dropped = v[3],
                         .tx_bytes = v[8],
                         .tx_packets = v[9],
                         .tx_dropped = v[11]};
    return true;
}

bool bench_ns_stats(BenchNs *ns, BenchIfStats *st, Error **errp)
{
    char buf[16384], key[IFNAMSIZ + 2];
    ssize_t n = pread(ns->stats_fd, buf, sizeof(buf) - 1, 0);
    char *p;

    if (n <= 0) {
        error_setg(errp, "reading the namespace's /proc/net/dev failed");
        return false;
    }
    buf[n] = 0;
    snprintf(key, sizeof(key), "%s:", ns->ifname);
    p = strstr(buf, key);
    if (!p || !parse_dev_line(p + strlen(key), st)) {
        error_setg(errp, "no counters for %s in the namespace", ns->ifname);
        return false;
    }
    return true;
}

bool bench_ns_start_sender(BenchNs *ns, const uint8_t dst_mac[6],
                           size_t frame_len, unsigned flows, Error **errp)
{
    static const uint8_t src[6] = {0x02, 0, 0, 0, 0, 0x01};

    g_free(ns->frames);
    ns->frames = g_malloc(frame_len * flows);
    ns->frame_len = frame_len;
    ns->flows = flows;
    for (unsigned i = 0; i < flows; i++) {
        bench_build_udp_frame(ns->frames + i * frame_len, frame_len, dst_mac,
                              src, 10000 + i, 20000 + (i * 7) % 1000);
    }
    ns->sent = 0;
    g_atomic_int_set(&ns->stop_sending, 0);
    return ns_command(ns, NS_CMD_SEND, errp);
}

uint64_t bench_ns_stop_sender(BenchNs *ns)
{
    uint64_t sent;

    g_atomic_int_set(&ns->stop_sending, 1);
    g_mutex_lock(&ns->lock);
    while (ns->sending) {
        g_cond_wait(&ns->cond, &ns->lock);
    }
    sent = ns->sent;
    g_mutex_unlock(&ns->lock);
    if (ns->error) {
        g_printerr("bench-netns: sender stopped: %s\n", ns->error);
    }
    return sent;
}

void bench_ns_free(BenchNs *ns)
{
    if (!ns) {
        return;
    }
    g_atomic_int_set(&ns->stop_sending, 1);
    g_mutex_lock(&ns->lock);
    ns->cmd = NS_CMD_QUIT;
    g_cond_broadcast(&ns->cond);
    g_mutex_unlock(&ns->lock);
    g_thread_join(ns->thread);
    if (ns->pkt_fd >= 0) {
        close(ns->pkt_fd);
    }
    if (ns->stats_fd >= 0) {
        close(ns->stats_fd);
    }
    g_mutex_clear(&ns->lock);
    g_cond_clear(&ns->cond);
    g_free(ns->frames);
    g_free(ns->error);
    g_free(ns);
}
