/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The tap backend (Linux): one tap fd per queue.  Option rules and
 * messages follow QEMU's -netdev tap.  Each queue is its own client; all
 * share the netdev id.  Everything a netdev needs is checked before any
 * queue is made, so a failure leaves nothing behind (see "Who owns the
 * fds" below).  The ioctls are in tap-linux.c, the programs we run in
 * tap-helper.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/if_tun.h>
#include <glib-unix.h>
#include "monitor/monitor.h"
#include "net/clients.h"
#include "net/tap-int.h"

#define TAP_DEFAULT_SCRIPT     "/etc/qemu-ifup"
#define TAP_DEFAULT_DOWNSCRIPT "/etc/qemu-ifdown"
#define TAP_BURST              50 /* packets read per wakeup */
#define ETH_MIN_FRAME          60

/*
 * What the kernel keeps per interface rather than per queue: shared by
 * the queues of one netdev, so every queue reads and writes with the
 * header size in force and a queue attached later restores the same
 * settings (see tap_apply_settings).
 */
typedef struct TapDevice {
    int refs;
    int vnet_hdr_len;  /* TUNSETVNETHDRSZ; 0 without IFF_VNET_HDR */
    unsigned offloads; /* TUN_F_* last asked for */
} TapDevice;

typedef struct TAPState {
    NetClientState nc;
    int fd;
    char *ifname;
    char *downscript;    /* queue 0 only; NULL: none */
    bool using_vnet_hdr; /* the fd was opened with IFF_VNET_HDR */
    TapDevice *dev;
    bool has_ufo;
    bool has_uso;
    bool enabled; /* attached (TUNSETQUEUE) */
    bool read_poll;
    bool write_poll;
    NetFdWatch rd;
    NetFdWatch wr;
    uint8_t buf[NET_BUFSIZE];
} TAPState;

/* Made with one reference, held by the init function until it returns. */
static TapDevice *tap_device_new(void)
{
    TapDevice *d = g_new0(TapDevice, 1);

    d->refs = 1;
    return d;
}

static void tap_device_unref(TapDevice *d)
{
    if (--d->refs == 0) {
        g_free(d);
    }
}

/* Every live queue, to refuse an fd number that a netdev already owns. */
static GList *tap_states;

/* ---- data path ---- */

static void tap_update_watches(TAPState *s)
{
    net_fd_watch_set(&s->rd, s->read_poll && s->enabled);
    net_fd_watch_set(&s->wr, s->write_poll && s->enabled);
}

static void tap_read_poll(TAPState *s, bool on)
{
    s->read_poll = on;
    tap_update_watches(s);
}

static void tap_write_poll(TAPState *s, bool on)
{
    s->write_poll = on;
    tap_update_watches(s);
}

static ssize_t tap_write_iov(TAPState *s, const struct iovec *iov, int iovcnt)
{
    ssize_t n;

    do {
        n = writev(s->fd, iov, iovcnt);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) {
        /* The tap is full: wait until it drains, keep the packet queued. */
        tap_write_poll(s, true);
        return 0;
    }
    return n;
}

static ssize_t tap_receive_iov(NetClientState *nc, const struct iovec *iov,
                               int iovcnt)
{
    TAPState *s = (TAPState *)nc;
    struct iovec v[IOV_MAX];
    static const uint8_t zero_hdr[32];
    ssize_t ret;

    if (s->using_vnet_hdr && !nc->vnet_hdr_len && iovcnt < IOV_MAX) {
        /* The peer sends bare frames: the kernel still wants a header. */
        v[0].iov_base = (void *)zero_hdr;
        v[0].iov_len = s->dev->vnet_hdr_len;
        memcpy(&v[1], iov, sizeof(*iov) * iovcnt);
        ret = tap_write_iov(s, v, iovcnt + 1);
        return ret > 0 ? MAX(ret - s->dev->vnet_hdr_len, 1) : ret;
    }
    return tap_write_iov(s, iov, iovcnt);
}

static void tap_send_completed(NetClientState *nc, ssize_t len)
{
    tap_read_poll((TAPState *)nc, true);
}

static gboolean tap_readable(int fd, GIOCondition cond, void *opaque)
{
    TAPState *s = opaque;

    for (int i = 0; i < TAP_BURST && s->read_poll; i++) {
        uint8_t *p = s->buf;
        ssize_t n = read(s->fd, s->buf, sizeof(s->buf));

        if (n <= 0) {
            break;
        }
        if (s->using_vnet_hdr && n <= s->dev->vnet_hdr_len) {
            continue;
        }
        if (s->using_vnet_hdr && !s->nc.vnet_hdr_len) {
            p += s->dev->vnet_hdr_len;
            n -= s->dev->vnet_hdr_len;
        }
        if (s->nc.peer && !s->nc.peer->do_not_pad && n < ETH_MIN_FRAME &&
            p + ETH_MIN_FRAME <= s->buf + sizeof(s->buf)) {
            memset(p + n, 0, ETH_MIN_FRAME - n);
            n = ETH_MIN_FRAME;
        }
        if (qemu_send_packet_async(&s->nc, p, n, tap_send_completed) == 0) {
            /* Queued at the peer: stop reading until it is delivered. */
            tap_read_poll(s, false);
        }
    }
    return G_SOURCE_CONTINUE;
}

static gboolean tap_writable(int fd, GIOCondition cond, void *opaque)
{
    TAPState *s = opaque;

    tap_write_poll(s, false);
    qemu_flush_queued_packets(&s->nc);
    return G_SOURCE_CONTINUE;
}

static void tap_poll(NetClientState *nc, bool enable)
{
    TAPState *s = (TAPState *)nc;

    s->read_poll = enable;
    s->write_poll = enable;
    tap_update_watches(s);
}

/* ---- offloads and headers ---- */

/*
 * The kernel keeps the offloads and the header size per interface, and
 * refuses both ioctls on a detached queue (EBADFD).  Each queue keeps what
 * it was asked for and applies it again when it is attached, so a queue
 * that was detached while the guest negotiated features reads and writes
 * with the header size the guest expects.
 */
static void tap_apply_settings(TAPState *s)
{
    if (s->using_vnet_hdr) {
        tap_linux_set_vnet_hdr_len(s->fd, s->dev->vnet_hdr_len);
        tap_linux_set_offload(s->fd, s->dev->offloads);
    }
}

static bool tap_has_vnet_hdr(NetClientState *nc)
{
    return ((TAPState *)nc)->using_vnet_hdr;
}

static bool tap_has_vnet_hdr_len(NetClientState *nc, int len)
{
    TAPState *s = (TAPState *)nc;
    int cur;

    if (!s->using_vnet_hdr) {
        return false;
    }
    if (!s->enabled) {
        /* The kernel takes any size from struct virtio_net_hdr up. */
        return len >= TAP_VNET_HDR_LEN;
    }
    cur = tap_linux_get_vnet_hdr_len(s->fd);
    if (cur < 0 || !tap_linux_set_vnet_hdr_len(s->fd, len)) {
        return false;
    }
    tap_linux_set_vnet_hdr_len(s->fd, cur);
    return true;
}

static void tap_set_vnet_hdr_len(NetClientState *nc, int len)
{
    TAPState *s = (TAPState *)nc;

    if (!s->using_vnet_hdr || len < TAP_VNET_HDR_LEN) {
        return;
    }
    if (!s->enabled || tap_linux_set_vnet_hdr_len(s->fd, len)) {
        s->dev->vnet_hdr_len = len;
    }
}

static bool tap_has_ufo(NetClientState *nc)
{
    return ((TAPState *)nc)->has_ufo;
}

static bool tap_has_uso(NetClientState *nc)
{
    return ((TAPState *)nc)->has_uso;
}

static void tap_set_offload(NetClientState *nc, const NetOffloads *ol)
{
    TAPState *s = (TAPState *)nc;
    unsigned f = 0;

    if (!s->using_vnet_hdr) {
        return;
    }
    f |= ol->csum ? TUN_F_CSUM : 0;
    f |= ol->tso4 ? TUN_F_TSO4 : 0;
    f |= ol->tso6 ? TUN_F_TSO6 : 0;
    f |= ol->ecn ? TUN_F_TSO_ECN : 0;
    f |= ol->ufo ? TUN_F_UFO : 0;
#ifdef TUN_F_USO4
    f |= ol->uso4 ? TUN_F_USO4 : 0;
    f |= ol->uso6 ? TUN_F_USO6 : 0;
#endif
    if (s->enabled && !tap_linux_set_offload(s->fd, f)) {
        /* Retry without UFO, which newer kernels refuse. */
        f &= ~TUN_F_UFO;
        tap_linux_set_offload(s->fd, f);
    }
    s->dev->offloads = f;
}

static int tap_set_vnet_endian(TAPState *s, unsigned long req, bool on)
{
    int arg = on;

    return ioctl(s->fd, req, &arg) < 0 ? -errno : 0;
}

static int tap_set_vnet_le(NetClientState *nc, bool is_le)
{
    return tap_set_vnet_endian((TAPState *)nc, TUNSETVNETLE, is_le);
}

static int tap_set_vnet_be(NetClientState *nc, bool is_be)
{
    return tap_set_vnet_endian((TAPState *)nc, TUNSETVNETBE, is_be);
}

/* ---- queue attach/detach (multiqueue) ---- */

static bool tap_queue_enable(NetClientState *nc, Error **errp)
{
    TAPState *s = (TAPState *)nc;

    if (s->enabled) {
        return true;
    }
    if (!tap_linux_set_queue(s->fd, true, errp)) {
        return false;
    }
    s->enabled = true;
    tap_apply_settings(s);
    tap_read_poll(s, true);
    return true;
}

static bool tap_queue_disable(NetClientState *nc, Error **errp)
{
    TAPState *s = (TAPState *)nc;

    if (!s->enabled) {
        return true;
    }
    if (!tap_linux_set_queue(s->fd, false, errp)) {
        return false;
    }
    qemu_purge_queued_packets(nc);
    s->enabled = false;
    tap_update_watches(s);
    return true;
}

static void tap_cleanup(NetClientState *nc)
{
    TAPState *s = (TAPState *)nc;

    tap_states = g_list_remove(tap_states, s);
    qemu_purge_queued_packets(nc);
    net_fd_watch_set(&s->rd, false);
    net_fd_watch_set(&s->wr, false);
    if (s->downscript) {
        Error *err = NULL;
        if (!tap_run_script(s->downscript, s->ifname, &err)) {
            warn_report_err(err);
        }
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    g_free(s->downscript);
    g_free(s->ifname);
    tap_device_unref(s->dev);
}

static NetClientInfo tap_info = {
    .type = NET_CLIENT_DRIVER_TAP,
    .size = sizeof(TAPState),
    .receive_iov = tap_receive_iov,
    .poll = tap_poll,
    .cleanup = tap_cleanup,
    .has_ufo = tap_has_ufo,
    .has_uso = tap_has_uso,
    .has_vnet_hdr = tap_has_vnet_hdr,
    .has_vnet_hdr_len = tap_has_vnet_hdr_len,
    .set_vnet_hdr_len = tap_set_vnet_hdr_len,
    .set_offload = tap_set_offload,
    .set_vnet_le = tap_set_vnet_le,
    .set_vnet_be = tap_set_vnet_be,
    .queue_enable = tap_queue_enable,
    .queue_disable = tap_queue_disable,
};

/* ---- making queues ---- */

/* Wrap a checked tap fd in a client; takes ownership of @fd. */
static TAPState *tap_new_queue(const char *name, NetClientState *peer, int fd,
                               bool vnet_hdr, TapDevice *dev)
{
    NetClientState *nc = qemu_new_net_client(&tap_info, peer, "tap", name);
    TAPState *s = (TAPState *)nc;

    s->fd = fd;
    s->enabled = true;
    s->using_vnet_hdr = vnet_hdr;
    s->dev = dev;
    if (dev->refs++ == 1) {
        dev->vnet_hdr_len = vnet_hdr ? TAP_VNET_HDR_LEN : 0;
        dev->offloads = 0;
    }
    s->has_ufo = tap_linux_set_offload(fd, TUN_F_CSUM | TUN_F_UFO);
#ifdef TUN_F_USO4
    s->has_uso =
        tap_linux_set_offload(fd, TUN_F_CSUM | TUN_F_USO4 | TUN_F_USO6);
#endif
    tap_apply_settings(s);
    net_fd_watch_init(&s->rd, fd, G_IO_IN, tap_readable, s);
    net_fd_watch_init(&s->wr, fd, G_IO_OUT, tap_writable, s);
    tap_read_poll(s, true);
    tap_states = g_list_prepend(tap_states, s);
    return s;
}

/* Everything made so far for @name goes away on a failure part-way. */
static void tap_rollback(const char *name)
{
    NetClientState *nc = qemu_find_netdev(name);

    if (nc && nc->info->type == NET_CLIENT_DRIVER_TAP) {
        qemu_del_net_client(nc);
    }
}

static const char *tap_fd_owner(int fd)
{
    for (GList *l = tap_states; l; l = l->next) {
        TAPState *s = l->data;
        if (s->fd == fd) {
            return s->nc.name;
        }
    }
    return NULL;
}

/*
 * ---- Who owns the fds ----
 *
 * fd=, fds= and vhostfd(s)= name descriptors by number or, over QMP, by a
 * getfd name.  A name is taken out of the monitor's list when it is looked
 * up (as in QEMU), so from then on the fd is ours: a failure closes it.
 * Names are looked up in list order and the first bad entry stops the
 * walk, so names after it stay in the monitor's list (closefd them).
 *
 * A number is only borrowed until the netdev exists: when anything fails,
 * vireo leaves every numbered fd open and unchanged (QEMU closes one in
 * some fd= failures; a mistyped number could name one of vireo's own fds,
 * and the caller still owns it and may retry).  Once the netdev is made,
 * it owns every fd it was given and closes them when it goes away.
 */
typedef struct TapFd {
    int fd;
    bool owned; /* taken from a getfd name: close it on failure */
} TapFd;

typedef struct TapFdList {
    int n;
    TapFd *fds;
} TapFdList;

static void tap_fds_release(TapFdList *l)
{
    for (int i = 0; i < l->n; i++) {
        if (l->fds[i].owned) {
            close(l->fds[i].fd);
        }
    }
    g_free(l->fds);
    l->fds = NULL;
    l->n = 0;
}

/* Look up one fd= token and append it to @l. */
static bool tap_fds_take(TapFdList *l, const char *str, Error **errp)
{
    Monitor *mon = monitor_current();
    bool by_name = mon && str[0] && !g_ascii_isdigit(str[0]);
    int fd = monitor_fd_param(mon, str, errp);

    if (fd < 0) {
        return false;
    }
    l->fds[l->n].fd = fd;
    l->fds[l->n].owned = by_name;
    l->n++;
    if (!by_name) {
        const char *owner = tap_fd_owner(fd);
        for (int i = 0; i < l->n - 1; i++) {
            if (l->fds[i].fd == fd) {
                error_setg(errp, "File descriptor %d is given twice", fd);
                return false;
            }
        }
        if (owner) {
            error_setg(errp,
                       "File descriptor %d is already used by netdev "
                       "'%s'",
                       fd, owner);
            return false;
        }
    }
    return true;
}

/*
 * Split "a:b:c" as QEMU does: a trailing ':' is dropped, an empty token is
 * an empty fd name.  Returns the tokens and their number in *n.
 */
static gchar **tap_split_fds(const char *str, const char *what, int *n,
                             Error **errp)
{
    gchar **tok = g_strsplit(str, ":", TAP_MAX_QUEUES + 2);
    int len = g_strv_length(tok);

    if (len > 0 && !tok[len - 1][0]) {
        len--;
    }
    if (len > TAP_MAX_QUEUES) {
        error_setg(errp, "%s lists more than %d file descriptors", what,
                   TAP_MAX_QUEUES);
    } else if (len == 0) {
        error_setg(errp, "%s must list at least one file descriptor", what);
    } else {
        *n = len;
        return tok;
    }
    g_strfreev(tok);
    return NULL;
}

/* Is fd @i of a netdev fit to be queue @i next to queue 0? */
static bool tap_check_queue_fd(int fd, int i, int n, const TapFdInfo *info,
                               const TapFdInfo *first, Error **errp)
{
    if (i > 0 &&
        (info->flags & IFF_VNET_HDR) != (first->flags & IFF_VNET_HDR)) {
        error_setg(errp, "vnet_hdr not consistent across given tap fds");
        return false;
    }
    if (n > 1 && !(info->flags & IFF_MULTI_QUEUE)) {
        error_setg(errp,
                   "FD %d (tap '%s') is not a multiqueue tap "
                   "(IFF_MULTI_QUEUE), but %d queues were given",
                   fd, info->ifname, n);
        return false;
    }
    if (i > 0 && strcmp(info->ifname, first->ifname)) {
        error_setg(errp,
                   "FD %d belongs to tap '%s' but the first fd to tap "
                   "'%s': all fds of one netdev must be queues of the "
                   "same interface",
                   fd, info->ifname, first->ifname);
        return false;
    }
    return true;
}

/*
 * Take and check the tap fds @tok[0..n-1], one after the other (so the
 * first bad one is the one reported, as in QEMU).  On success @l holds
 * them and *vnet_hdr says whether they use the virtio-net header.
 */
static bool tap_take_tap_fds(gchar **tok, int n, TapFdList *l, bool *vnet_hdr,
                             Error **errp)
{
    TapFdInfo first = {{0}}, info;

    l->fds = g_new0(TapFd, n);
    for (int i = 0; i < n; i++) {
        if (!tap_fds_take(l, tok[i], errp) ||
            !tap_linux_query_fd(l->fds[i].fd, &info, errp) ||
            !tap_check_queue_fd(l->fds[i].fd, i, n, &info, &first, errp)) {
            tap_fds_release(l);
            return false;
        }
        if (i == 0) {
            first = info;
        }
    }
    *vnet_hdr = first.flags & IFF_VNET_HDR;
    return true;
}

/* ---- vhost ---- */

static bool tap_vhost_wanted(const NetdevTapOptions *o)
{
    if (o->has_vhost) {
        return o->vhost;
    }
    return o->vhostfd || o->vhostfds || (o->has_vhostforce && o->vhostforce);
}

/*
 * vhost-net: the options and the fds are checked as QEMU does, then the
 * request fails because the vhost data path is not there yet.  QEMU has
 * no fallback to the userspace path when vhost was asked for (vhostforce
 * only asks for vhost when vhost= is not given), so neither do we.
 * poll-us only tunes vhost busy polling, so it has no effect.
 */
static bool tap_check_vhost(const NetdevTapOptions *o, int nqueues,
                            Error **errp)
{
    TapFdList l = {0};
    const char *list = o->vhostfds ? o->vhostfds : o->vhostfd;
    gchar **tok = NULL;
    int n = 1, fd;

    if (!tap_vhost_wanted(o)) {
        return true;
    }
    if (list) {
        tok = tap_split_fds(list, o->vhostfds ? "vhostfds=" : "vhostfd=", &n,
                            errp);
        if (!tok) {
            return false;
        }
        if (o->vhostfds && n != nqueues) {
            error_setg(errp, "The number of fds passed does not match the "
                             "number of vhostfds passed");
            g_strfreev(tok);
            return false;
        }
        l.fds = g_new0(TapFd, n);
        for (int i = 0; i < n; i++) {
            if (!tap_fds_take(&l, tok[i], errp) ||
                !tap_linux_check_vhost_fd(l.fds[i].fd, errp)) {
                g_strfreev(tok);
                tap_fds_release(&l);
                return false;
            }
        }
        g_strfreev(tok);
        tap_fds_release(&l);
        error_setg(errp, "vhost-net requested but could not be initialized: "
                         "the vhost-net data path is not implemented in "
                         "vireo yet (use vhost=off)");
        return false;
    }
    fd = open("/dev/vhost-net", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Could not open '/dev/vhost-net'");
        error_append_hint(errp, "vhost-net is not available; use vhost=off\n");
        return false;
    }
    close(fd);
    error_setg(errp, "vhost-net requested but could not be initialized: the "
                     "vhost-net data path is not implemented in vireo yet "
                     "(use vhost=off)");
    return false;
}

/* ---- the four ways to get a tap ---- */

static void tap_set_fd_info(TAPState *s)
{
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "fd=%d", s->fd);
}

/* Checked fds become queues; nothing can fail once we get here. */
static void tap_make_fd_queues(TapFdList *l, bool vnet, const char *name,
                               NetClientState *peer)
{
    TapDevice *dev = tap_device_new();

    for (int i = 0; i < l->n; i++) {
        tap_set_fd_info(tap_new_queue(name, peer, l->fds[i].fd, vnet, dev));
    }
    tap_device_unref(dev);
    g_free(l->fds);
    l->fds = NULL;
}

/* Common tail of fd= and fds=: vhost, non-blocking, sndbuf, queues. */
static bool tap_finish_fds(const NetdevTapOptions *o, TapFdList *l, bool vnet,
                           const char *name, NetClientState *peer, Error **errp)
{
    if (!tap_check_vhost(o, l->n, errp)) {
        tap_fds_release(l);
        return false;
    }
    for (int i = 0; i < l->n; i++) {
        if (!tap_linux_set_nonblock(l->fds[i].fd, errp) ||
            !tap_linux_set_sndbuf(l->fds[i].fd, o->has_sndbuf, o->sndbuf,
                                  errp)) {
            tap_fds_release(l);
            return false;
        }
    }
    tap_make_fd_queues(l, vnet, name, peer);
    return true;
}

static bool tap_init_fd(const NetdevTapOptions *o, const char *name,
                        NetClientState *peer, Error **errp)
{
    TapFdList l = {0};
    gchar *tok[1];
    bool vnet;

    if (o->ifname || o->script || o->downscript || o->has_vnet_hdr ||
        o->helper || o->has_queues || o->fds || o->vhostfds) {
        error_setg(errp, "ifname=, script=, downscript=, vnet_hdr=, helper=, "
                         "queues=, fds=, and vhostfds= are invalid with fd=");
        return false;
    }
    /* fd= is one token, never split: "3:4" is not a number. */
    tok[0] = o->fd;
    return tap_take_tap_fds(tok, 1, &l, &vnet, errp) &&
           tap_finish_fds(o, &l, vnet, name, peer, errp);
}

static bool tap_init_fds(const NetdevTapOptions *o, const char *name,
                         NetClientState *peer, Error **errp)
{
    TapFdList l = {0};
    bool vnet, ok;
    int n, nv;
    gchar **tok;

    if (o->ifname || o->script || o->downscript || o->has_vnet_hdr ||
        o->helper || o->has_queues || o->vhostfd) {
        error_setg(errp, "ifname=, script=, downscript=, vnet_hdr=, helper=, "
                         "queues=, and vhostfd= are invalid with fds=");
        return false;
    }
    /* The counts are compared before any fd is looked up. */
    tok = tap_split_fds(o->fds, "fds=", &n, errp);
    if (!tok) {
        return false;
    }
    if (o->vhostfds) {
        gchar **vtok = tap_split_fds(o->vhostfds, "vhostfds=", &nv, errp);
        if (!vtok) {
            g_strfreev(tok);
            return false;
        }
        g_strfreev(vtok);
        if (nv != n) {
            error_setg(errp, "The number of fds passed does not match the "
                             "number of vhostfds passed");
            g_strfreev(tok);
            return false;
        }
    }
    ok = tap_take_tap_fds(tok, n, &l, &vnet, errp) &&
         tap_finish_fds(o, &l, vnet, name, peer, errp);
    g_strfreev(tok);
    return ok;
}

static bool tap_init_helper(const NetdevTapOptions *o, const char *name,
                            NetClientState *peer, Error **errp)
{
    TapFdInfo info;
    TapDevice *dev;
    TAPState *s;
    int fd;

    if (o->ifname || o->script || o->downscript || o->has_vnet_hdr ||
        o->has_queues || o->vhostfds) {
        error_setg(errp, "ifname=, script=, downscript=, vnet_hdr=, "
                         "queues=, and vhostfds= are invalid with helper=");
        return false;
    }
    if (!tap_check_vhost(o, 1, errp)) {
        return false;
    }
    fd = tap_run_bridge_helper(o->helper, o->br ? o->br : TAP_DEFAULT_BRIDGE,
                               errp);
    if (fd < 0) {
        return false;
    }
    if (!tap_linux_query_fd(fd, &info, errp) ||
        !tap_linux_set_nonblock(fd, errp) ||
        !tap_linux_set_sndbuf(fd, o->has_sndbuf, o->sndbuf, errp)) {
        close(fd);
        return false;
    }
    dev = tap_device_new();
    s = tap_new_queue(name, peer, fd, info.flags & IFF_VNET_HDR, dev);
    tap_device_unref(dev);
    s->ifname = g_strdup(info.ifname);
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "helper=%s", o->helper);
    return true;
}

/* "no" or "" turns a script off. */
static const char *tap_script_path(const char *given, const char *dflt)
{
    if (!given) {
        return dflt;
    }
    if (!given[0] || !strcmp(given, "no")) {
        return NULL;
    }
    return given;
}

static void tap_set_ifname_info(TAPState *s, const char *script,
                                const char *down)
{
    snprintf(s->nc.info_str, sizeof(s->nc.info_str),
             "ifname=%s,script=%s,downscript=%s", s->ifname,
             script ? script : "no", down ? down : "no");
}

/* Open queue @i of @ifname; the script runs for queue 0 only. */
static bool tap_open_queue(const NetdevTapOptions *o, unsigned i,
                           unsigned queues, char *ifname, const char *name,
                           NetClientState *peer, TapDevice *dev, Error **errp)
{
    const char *script = tap_script_path(o->script, TAP_DEFAULT_SCRIPT);
    const char *down = tap_script_path(o->downscript, TAP_DEFAULT_DOWNSCRIPT);
    int vnet = o->has_vnet_hdr ? o->vnet_hdr : 1;
    int fd = tap_linux_open(ifname, IFNAMSIZ, &vnet,
                            o->has_vnet_hdr && o->vnet_hdr, queues > 1, errp);
    TAPState *s;

    if (fd < 0) {
        return false;
    }
    if ((i == 0 && script && !tap_run_script(script, ifname, errp)) ||
        !tap_linux_set_sndbuf(fd, o->has_sndbuf, o->sndbuf, errp)) {
        close(fd);
        return false;
    }
    s = tap_new_queue(name, peer, fd, vnet, dev);
    s->ifname = g_strdup(ifname);
    if (i == 0) {
        s->downscript = g_strdup(down);
        tap_set_ifname_info(s, script, down);
    } else {
        tap_set_ifname_info(s, NULL, NULL);
    }
    return true;
}

static bool tap_init_ifname(const NetdevTapOptions *o, const char *name,
                            NetClientState *peer, Error **errp)
{
    unsigned queues = o->has_queues ? o->queues : 1;
    char ifname[IFNAMSIZ];
    TapDevice *dev;
    bool ok = true;

    if (o->vhostfds) {
        error_setg(errp, "vhostfds= is invalid if fds= wasn't specified");
        return false;
    }
    if (queues < 1 || queues > TAP_MAX_QUEUES) {
        error_setg(errp, "queues must be between 1 and %d", TAP_MAX_QUEUES);
        return false;
    }
    if (o->ifname && strlen(o->ifname) >= IFNAMSIZ) {
        error_setg(errp, "ifname '%s' is too long (at most %d characters)",
                   o->ifname, IFNAMSIZ - 1);
        return false;
    }
    if (!tap_check_vhost(o, queues, errp)) {
        return false;
    }
    /* Queue 0's kernel-chosen name is reused by the others. */
    g_strlcpy(ifname, o->ifname ? o->ifname : "", sizeof(ifname));
    dev = tap_device_new();
    for (unsigned i = 0; ok && i < queues; i++) {
        ok = tap_open_queue(o, i, queues, ifname, name, peer, dev, errp);
    }
    if (!ok) {
        tap_rollback(name);
    }
    tap_device_unref(dev);
    return ok;
}

bool net_init_tap(const Netdev *netdev, const char *name, NetClientState *peer,
                  Error **errp)
{
    const NetdevTapOptions *o = &netdev->u.tap;

    if (peer && (o->has_queues || o->fds || o->vhostfds)) {
        error_setg(errp, "Multiqueue tap cannot be used with hubs");
        return false;
    }
    if (o->has_vhost && !o->vhost && (o->vhostfd || o->vhostfds)) {
        error_setg(errp, "vhostfd(s)= is not valid without vhost");
        return false;
    }
    if (o->fd) {
        return tap_init_fd(o, name, peer, errp);
    }
    if (o->fds) {
        return tap_init_fds(o, name, peer, errp);
    }
    if (o->helper) {
        return tap_init_helper(o, name, peer, errp);
    }
    return tap_init_ifname(o, name, peer, errp);
}
