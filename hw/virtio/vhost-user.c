/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vhost-user front-end protocol.
 *
 * The wire format is a 12-byte header {request, flags, size} in host byte
 * order followed by @size bytes of payload, with fds as SCM_RIGHTS on the
 * same sendmsg.  Requests are synchronous: the main loop does not run
 * while we wait, so a reply is read straight from the socket, with a
 * deadline, and everything in it is checked before use.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <glib.h>
#include "hw/virtio/vhost-user.h"

#define VU_MAX_FDS VHOST_USER_MAX_RAM_SLOTS
/* Biggest payload we send: the memory table. */
#define VU_MAX_PAYLOAD (8 + VHOST_USER_MAX_RAM_SLOTS * 32)

/* Protocol features this front-end knows how to use. */
static const uint64_t vu_supported_protocol =
    1ULL << VHOST_USER_PROTOCOL_F_MQ | 1ULL << VHOST_USER_PROTOCOL_F_RARP |
    1ULL << VHOST_USER_PROTOCOL_F_REPLY_ACK;

void vhost_user_conn_init(VhostUserConn *c, Chardev *chr, const char *name)
{
    memset(c, 0, sizeof(*c));
    c->chr = chr;
    c->name = name;
    c->timeout_ms = VHOST_USER_REPLY_TIMEOUT_MS;
    c->max_queues = 1;
}

void vhost_user_conn_reset(VhostUserConn *c)
{
    c->ready = false;
    c->broken = false;
    c->features = 0;
    c->protocol_features = 0;
    c->max_queues = 1;
}

bool vhost_user_has_protocol(const VhostUserConn *c, unsigned bit)
{
    return c->protocol_features & (1ULL << bit);
}

static int64_t vu_now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait for @events until @deadline; false on timeout or error. */
static bool vu_wait(int fd, short events, int64_t deadline)
{
    struct pollfd p = { .fd = fd, .events = events };

    for (;;) {
        int64_t left = deadline - vu_now_ms();
        int r;
        if (left < 0) {
            return false;
        }
        r = poll(&p, 1, (int)MIN(left, INT32_MAX));
        if (r > 0) {
            return true;
        }
        if (r == 0 || errno != EINTR) {
            return false;
        }
    }
}

static int vu_fd(VhostUserConn *c, Error **errp)
{
    int fd = chardev_get_msg_fd(c->chr);

    if (fd < 0) {
        error_setg(errp, "vhost-user back-end '%s' is not connected",
                   c->name);
    } else if (c->broken) {
        error_setg(errp, "vhost-user back-end '%s' sent a bad reply "
                   "earlier; waiting for it to reconnect", c->name);
        fd = -1;
    }
    return fd;
}

static void vu_fail(VhostUserConn *c)
{
    /* A request or reply was cut: the stream is out of step for good. */
    c->broken = true;
}

static bool vu_send(VhostUserConn *c, uint32_t req, uint32_t flags,
                    const void *payload, uint32_t size, const int *fds,
                    unsigned nfds, Error **errp)
{
    uint8_t buf[VHOST_USER_HDR_SIZE + VU_MAX_PAYLOAD];
    char cbuf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
    size_t len = VHOST_USER_HDR_SIZE + size, off = 0;
    int64_t deadline = vu_now_ms() + c->timeout_ms;
    uint32_t hdr[3] = { req, flags | VHOST_USER_VERSION, size };
    int fd = vu_fd(c, errp);

    g_assert(size <= VU_MAX_PAYLOAD && nfds <= VU_MAX_FDS);
    if (fd < 0) {
        return false;
    }
    memcpy(buf, hdr, sizeof(hdr));
    if (size) {
        memcpy(buf + VHOST_USER_HDR_SIZE, payload, size);
    }
    while (off < len) {
        struct iovec iov = { .iov_base = buf + off, .iov_len = len - off };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
        ssize_t n;

        if (off == 0 && nfds) { /* the fds travel with the first byte */
            struct cmsghdr *cm;
            memset(cbuf, 0, sizeof(cbuf));
            msg.msg_control = cbuf;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
            cm = CMSG_FIRSTHDR(&msg);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
            memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
        }
        n = sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (n > 0) {
            off += n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN && vu_wait(fd, POLLOUT, deadline)) {
            continue;
        }
        error_setg_errno(errp, n < 0 ? errno : EPIPE,
                         "vhost-user back-end '%s': cannot send request %u",
                         c->name, req);
        if (off) {
            vu_fail(c);
        }
        return false;
    }
    return true;
}

/* Exactly @len bytes; fds the back-end slips in are closed unused. */
static bool vu_read_full(VhostUserConn *c, int fd, uint8_t *buf, size_t len,
                         int64_t deadline, uint32_t req, Error **errp)
{
    size_t off = 0;

    while (off < len) {
        char cbuf[CMSG_SPACE(sizeof(int) * VU_MAX_FDS)];
        struct iovec iov = { .iov_base = buf + off, .iov_len = len - off };
        struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                              .msg_control = cbuf,
                              .msg_controllen = sizeof(cbuf) };
        ssize_t n = recvmsg(fd, &msg, MSG_CMSG_CLOEXEC);

        if (n >= 0) {
            for (struct cmsghdr *cm = CMSG_FIRSTHDR(&msg); cm;
                 cm = CMSG_NXTHDR(&msg, cm)) {
                if (cm->cmsg_level == SOL_SOCKET &&
                    cm->cmsg_type == SCM_RIGHTS) {
                    size_t nf = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                    for (size_t i = 0; i < nf; i++) {
                        int x;
                        memcpy(&x, CMSG_DATA(cm) + i * sizeof(int), sizeof(x));
                        close(x);
                    }
                }
            }
        }
        if (n > 0) {
            off += n;
            continue;
        }
        if (n == 0) {
            error_setg(errp, "vhost-user back-end '%s' closed the connection "
                       "while we waited for the reply to request %u",
                       c->name, req);
            vu_fail(c);
            return false;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN && vu_wait(fd, POLLIN, deadline)) {
            continue;
        }
        if (errno == EAGAIN) {
            error_setg(errp, "vhost-user back-end '%s' did not reply to "
                       "request %u within %d ms", c->name, req,
                       c->timeout_ms);
        } else {
            error_setg_errno(errp, errno, "vhost-user back-end '%s': cannot "
                             "read the reply to request %u", c->name, req);
        }
        vu_fail(c);
        return false;
    }
    return true;
}

/* The reply to @req, whose payload must be exactly @size bytes. */
static bool vu_recv(VhostUserConn *c, uint32_t req, void *payload,
                    uint32_t size, Error **errp)
{
    int64_t deadline = vu_now_ms() + c->timeout_ms;
    uint32_t hdr[3];
    uint8_t body[VU_MAX_PAYLOAD];
    int fd = vu_fd(c, errp);

    if (fd < 0) {
        return false;
    }
    if (!vu_read_full(c, fd, (uint8_t *)hdr, sizeof(hdr), deadline, req,
                      errp)) {
        return false;
    }
    if ((hdr[1] & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
        !(hdr[1] & VHOST_USER_REPLY_MASK)) {
        error_setg(errp, "vhost-user back-end '%s': bad reply flags 0x%x to "
                   "request %u", c->name, hdr[1], req);
        vu_fail(c);
        return false;
    }
    if (hdr[0] != req) {
        error_setg(errp, "vhost-user back-end '%s': received reply to "
                   "request %u, expected %u", c->name, hdr[0], req);
        vu_fail(c);
        return false;
    }
    if (hdr[2] != size) {
        error_setg(errp, "vhost-user back-end '%s': reply to request %u has "
                   "%u payload bytes, expected %u", c->name, req, hdr[2],
                   size);
        vu_fail(c);
        return false;
    }
    if (!vu_read_full(c, fd, body, size, deadline, req, errp)) {
        return false;
    }
    memcpy(payload, body, size);
    return true;
}

static bool vu_get_u64(VhostUserConn *c, uint32_t req, uint64_t *val,
                       Error **errp)
{
    return vu_send(c, req, 0, NULL, 0, NULL, 0, errp) &&
           vu_recv(c, req, val, sizeof(*val), errp);
}

/*
 * A request without a reply of its own.  With REPLY_ACK the back-end
 * acknowledges it (0 = done); @sync without REPLY_ACK uses GET_FEATURES as
 * a barrier, so that the request has been processed when we return.
 */
static bool vu_set(VhostUserConn *c, uint32_t req, const void *payload,
                   uint32_t size, const int *fds, unsigned nfds, bool sync,
                   Error **errp)
{
    bool ack = vhost_user_has_protocol(c, VHOST_USER_PROTOCOL_F_REPLY_ACK);
    uint64_t v;

    if (!vu_send(c, req, ack ? VHOST_USER_NEED_REPLY_MASK : 0, payload,
                 size, fds, nfds, errp)) {
        return false;
    }
    if (ack) {
        if (!vu_recv(c, req, &v, sizeof(v), errp)) {
            return false;
        }
        if (v) {
            error_setg(errp, "vhost-user back-end '%s' refused request %u "
                       "(status %" G_GUINT64_FORMAT ")", c->name, req, v);
            return false;
        }
        return true;
    }
    return !sync || vu_get_u64(c, VHOST_USER_GET_FEATURES, &v, errp);
}

bool vhost_user_handshake(VhostUserConn *c, Error **errp)
{
    uint64_t pf, n;

    vhost_user_conn_reset(c);
    if (!vu_get_u64(c, VHOST_USER_GET_FEATURES, &c->features, errp)) {
        return false;
    }
    if (c->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
        if (!vu_get_u64(c, VHOST_USER_GET_PROTOCOL_FEATURES, &pf, errp)) {
            return false;
        }
        pf &= vu_supported_protocol;
        if (!vu_set(c, VHOST_USER_SET_PROTOCOL_FEATURES, &pf, sizeof(pf),
                    NULL, 0, false, errp)) {
            return false;
        }
        c->protocol_features = pf;
        if (pf & (1ULL << VHOST_USER_PROTOCOL_F_MQ)) {
            if (!vu_get_u64(c, VHOST_USER_GET_QUEUE_NUM, &n, errp)) {
                return false;
            }
            if (n == 0 || n > VHOST_USER_MAX_QUEUES) {
                error_setg(errp, "vhost-user back-end '%s' reports %"
                           G_GUINT64_FORMAT " queues (expected 1..%d)",
                           c->name, n, VHOST_USER_MAX_QUEUES);
                return false;
            }
            c->max_queues = n;
        }
    }
    if (!vu_set(c, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0, false, errp)) {
        return false;
    }
    c->ready = true;
    return true;
}

bool vhost_user_set_features(VhostUserConn *c, uint64_t features,
                             Error **errp)
{
    /* The back-end must keep speaking protocol features once agreed. */
    if (c->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES)) {
        features |= 1ULL << VHOST_USER_F_PROTOCOL_FEATURES;
    }
    return vu_set(c, VHOST_USER_SET_FEATURES, &features, sizeof(features),
                  NULL, 0, false, errp);
}

bool vhost_user_set_mem_table(VhostUserConn *c, const VhostUserMemRegion *r,
                              const int *fds, unsigned n, Error **errp)
{
    uint8_t p[VU_MAX_PAYLOAD] = { 0 };
    uint32_t nregions = n;

    if (n == 0 || n > VHOST_USER_MAX_RAM_SLOTS) {
        error_setg(errp, "vhost-user: %u memory regions (1..%d supported)",
                   n, VHOST_USER_MAX_RAM_SLOTS);
        return false;
    }
    memcpy(p, &nregions, 4);
    memcpy(p + 8, r, n * sizeof(*r));
    return vu_set(c, VHOST_USER_SET_MEM_TABLE, p, 8 + n * sizeof(*r), fds, n,
                  true, errp);
}

static bool vu_set_state(VhostUserConn *c, uint32_t req, unsigned idx,
                         unsigned num, bool sync, Error **errp)
{
    uint32_t s[2] = { idx, num };

    return vu_set(c, req, s, sizeof(s), NULL, 0, sync, errp);
}

bool vhost_user_set_vring_num(VhostUserConn *c, unsigned idx, unsigned num,
                              Error **errp)
{
    return vu_set_state(c, VHOST_USER_SET_VRING_NUM, idx, num, false, errp);
}

bool vhost_user_set_vring_base(VhostUserConn *c, unsigned idx, unsigned base,
                               Error **errp)
{
    return vu_set_state(c, VHOST_USER_SET_VRING_BASE, idx, base, false, errp);
}

bool vhost_user_set_vring_addr(VhostUserConn *c, const VhostUserVringAddr *a,
                               Error **errp)
{
    return vu_set(c, VHOST_USER_SET_VRING_ADDR, a, sizeof(*a), NULL, 0, false,
                  errp);
}

bool vhost_user_set_vring_fd(VhostUserConn *c, unsigned req, unsigned idx,
                             int fd, Error **errp)
{
    uint64_t v = idx & VHOST_USER_VRING_IDX_MASK;

    if (fd < 0) {
        v |= VHOST_USER_VRING_NOFD_MASK;
    }
    return vu_set(c, req, &v, sizeof(v), fd < 0 ? NULL : &fd, fd < 0 ? 0 : 1,
                  false, errp);
}

bool vhost_user_get_vring_base(VhostUserConn *c, unsigned idx,
                               uint16_t *base, Error **errp)
{
    uint32_t s[2] = { idx, 0 };

    if (!vu_send(c, VHOST_USER_GET_VRING_BASE, 0, s, sizeof(s), NULL, 0,
                 errp) ||
        !vu_recv(c, VHOST_USER_GET_VRING_BASE, s, sizeof(s), errp)) {
        return false;
    }
    if (s[0] != idx || s[1] > UINT16_MAX) {
        error_setg(errp, "vhost-user back-end '%s': GET_VRING_BASE for ring "
                   "%u answered ring %u base %u", c->name, idx, s[0], s[1]);
        return false;
    }
    *base = s[1];
    return true;
}

bool vhost_user_set_vring_enable(VhostUserConn *c, unsigned idx, bool enable,
                                 Error **errp)
{
    if (!(c->features & (1ULL << VHOST_USER_F_PROTOCOL_FEATURES))) {
        error_setg(errp, "vhost-user back-end '%s' has no protocol features: "
                   "cannot enable or disable rings", c->name);
        return false;
    }
    return vu_set_state(c, VHOST_USER_SET_VRING_ENABLE, idx, enable, true,
                        errp);
}

bool vhost_user_send_rarp(VhostUserConn *c, const uint8_t mac[6],
                          Error **errp)
{
    uint8_t p[8] = { 0 };

    if (!vhost_user_has_protocol(c, VHOST_USER_PROTOCOL_F_RARP)) {
        return true;
    }
    memcpy(p, mac, 6);
    return vu_set(c, VHOST_USER_SEND_RARP, p, sizeof(p), NULL, 0, false, errp);
}
