/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket backends: `stream` (TCP or unix, server or client, frames with a
 * 4-byte big-endian length in front), `dgram` (one frame per datagram)
 * and the legacy `socket` (listen/connect/udp/mcast/fd=).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include "monitor/monitor.h"
#include "net/clients.h"
#include "qapi/qapi-events.h"
#include "qapi/qapi-visit.h"

typedef struct NetSocketState {
    NetClientState nc;
    int fd;             /* the connection or datagram socket; -1: none */
    int listen_fd;      /* server side; -1: none */
    bool framed;        /* stream: 4-byte length before every frame */
    bool stream_events; /* -netdev stream: NETDEV_STREAM_* events */
    bool is_server;
    bool connected;
    /* receive state of a framed stream */
    unsigned hdr_have;
    uint8_t hdr[4];
    uint32_t pkt_len;
    uint32_t pkt_have;
    /* partial send of a framed stream, resumed on the next delivery */
    size_t send_index;
    /* datagram destination */
    struct sockaddr_storage dst;
    socklen_t dst_len;
    /* client reconnect */
    SocketAddress *addr;
    int64_t reconnect_ms;
    guint reconnect_timer;
    bool read_poll;
    bool write_poll;
    NetFdWatch rd;
    NetFdWatch wr;
    NetFdWatch lst;
    uint8_t buf[NET_BUFSIZE];
} NetSocketState;

/* ---- addresses ---- */

static SocketAddress *sockaddr_clone(const SocketAddress *a)
{
    json_t *j = qapi_SocketAddress_to_json(a);
    SocketAddress *c = qapi_SocketAddress_from_json(j, QAPI_INPUT_STRICT, NULL);

    json_decref(j);
    return c;
}

static bool parse_host_port(const char *str, bool host_optional,
                            struct sockaddr_in *sa, Error **errp)
{
    const char *colon = strrchr(str, ':');
    char *host;
    char *end;
    long port;

    if (!colon) {
        error_setg(errp, "address '%s' is not host:port", str);
        return false;
    }
    port = strtol(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end || port < 0 || port > 65535) {
        error_setg(errp, "invalid port in '%s'", str);
        return false;
    }
    memset(sa, 0, sizeof(*sa));
    sa->sin_family = AF_INET;
    sa->sin_port = htons(port);
    host = g_strndup(str, colon - str);
    if (!host[0]) {
        if (!host_optional) {
            error_setg(errp, "host is missing in '%s'", str);
            g_free(host);
            return false;
        }
        sa->sin_addr.s_addr = INADDR_ANY;
    } else if (!inet_aton(host, &sa->sin_addr)) {
        struct hostent *he = gethostbyname(host);
        if (!he || he->h_addrtype != AF_INET) {
            error_setg(errp, "can't resolve host '%s'", host);
            g_free(host);
            return false;
        }
        memcpy(&sa->sin_addr, he->h_addr_list[0], sizeof(sa->sin_addr));
    }
    g_free(host);
    return true;
}

/* A SocketAddress to a sockaddr (inet via getaddrinfo, unix). */
static bool sockaddr_from_qapi(const SocketAddress *addr,
                               struct sockaddr_storage *ss, socklen_t *len,
                               bool passive, Error **errp)
{
    memset(ss, 0, sizeof(*ss));
    if (addr->type == SOCKET_ADDRESS_TYPE_INET) {
        const InetSocketAddress *in = &addr->u.inet;
        struct addrinfo hints = {0}, *res = NULL;
        int rc;

        hints.ai_family = AF_UNSPEC;
        hints.ai_flags = passive ? AI_PASSIVE : 0;
        hints.ai_socktype = SOCK_STREAM;
        rc = getaddrinfo(in->host[0] ? in->host : NULL, in->port, &hints, &res);
        if (rc) {
            error_setg(errp, "address resolution failed for %s:%s: %s",
                       in->host, in->port, gai_strerror(rc));
            return false;
        }
        memcpy(ss, res->ai_addr, res->ai_addrlen);
        *len = res->ai_addrlen;
        freeaddrinfo(res);
        return true;
    }
    if (addr->type == SOCKET_ADDRESS_TYPE_UNIX) {
        const UnixSocketAddress *ux = &addr->u.q_unix;
        struct sockaddr_un *sun = (struct sockaddr_un *)ss;
        size_t plen = strlen(ux->path);
        bool abstract = ux->has_abstract && ux->abstract;
        bool tight = !ux->has_tight || ux->tight;

        if (plen + (abstract ? 1 : 0) >= sizeof(sun->sun_path)) {
            error_setg(errp, "UNIX socket path '%s' is too long", ux->path);
            return false;
        }
        sun->sun_family = AF_UNIX;
        if (abstract) {
            memcpy(sun->sun_path + 1, ux->path, plen);
            *len = tight ? offsetof(struct sockaddr_un, sun_path) + 1 + plen
                         : sizeof(*sun);
        } else {
            memcpy(sun->sun_path, ux->path, plen);
            *len = sizeof(*sun);
        }
        return true;
    }
    error_setg(errp, "socket address type '%s' is not supported here",
               SocketAddressType_str(addr->type));
    return false;
}

/* A SocketAddress describing @sa, for events. */
static SocketAddress *qapi_from_sockaddr(const struct sockaddr_storage *sa,
                                         socklen_t len)
{
    SocketAddress *a = g_new0(SocketAddress, 1);

    if (sa->ss_family == AF_INET || sa->ss_family == AF_INET6) {
        char host[NI_MAXHOST] = "", port[NI_MAXSERV] = "";
        getnameinfo((const struct sockaddr *)sa, len, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV);
        a->type = SOCKET_ADDRESS_TYPE_INET;
        a->u.inet.host = g_strdup(host);
        a->u.inet.port = g_strdup(port);
    } else {
        const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
        size_t off = offsetof(struct sockaddr_un, sun_path);
        a->type = SOCKET_ADDRESS_TYPE_UNIX;
        if (len > off && sun->sun_path[0]) {
            a->u.q_unix.path = g_strndup(sun->sun_path, len - off);
        } else {
            a->u.q_unix.path = g_strdup("");
        }
    }
    return a;
}

static void sockaddr_to_str(const struct sockaddr_storage *sa, socklen_t len,
                            char *buf, size_t size)
{
    SocketAddress *a = qapi_from_sockaddr(sa, len);

    if (a->type == SOCKET_ADDRESS_TYPE_INET) {
        snprintf(buf, size, "%s:%s", a->u.inet.host, a->u.inet.port);
    } else {
        snprintf(buf, size, "%s", a->u.q_unix.path);
    }
    qapi_free_SocketAddress(a);
}

/* ---- fd watches ---- */

static void sock_update(NetSocketState *s)
{
    net_fd_watch_set(&s->rd, s->fd >= 0 && s->read_poll);
    net_fd_watch_set(&s->wr, s->fd >= 0 && s->write_poll);
}

static void sock_read_poll(NetSocketState *s, bool on)
{
    s->read_poll = on;
    sock_update(s);
}

static void sock_write_poll(NetSocketState *s, bool on)
{
    s->write_poll = on;
    sock_update(s);
}

static void sock_poll(NetClientState *nc, bool enable)
{
    NetSocketState *s = (NetSocketState *)nc;

    s->read_poll = enable;
    s->write_poll = enable;
    sock_update(s);
}

static void sock_send_completed(NetClientState *nc, ssize_t len)
{
    sock_read_poll((NetSocketState *)nc, true);
}

static gboolean sock_writable(int fd, GIOCondition cond, void *opaque)
{
    NetSocketState *s = opaque;

    sock_write_poll(s, false);
    qemu_flush_queued_packets(&s->nc);
    return G_SOURCE_CONTINUE;
}

/* ---- connection life cycle ---- */

static gboolean sock_readable(int fd, GIOCondition cond, void *opaque);
static bool stream_connect(NetSocketState *s, Error **errp);

static void sock_attach_fd(NetSocketState *s, int fd)
{
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    s->fd = fd;
    s->hdr_have = s->pkt_len = s->pkt_have = 0;
    s->send_index = 0;
    s->connected = true;
    net_fd_watch_init(&s->rd, fd, G_IO_IN | G_IO_HUP | G_IO_ERR, sock_readable,
                      s);
    net_fd_watch_init(&s->wr, fd, G_IO_OUT, sock_writable, s);
    s->write_poll = false;
    sock_read_poll(s, true);
    s->nc.link_down = 0;
}

static void sock_emit_connected(NetSocketState *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    SocketAddress *a;

    if (!s->stream_events) {
        return;
    }
    if (getpeername(s->fd, (struct sockaddr *)&ss, &len) < 0) {
        memset(&ss, 0, sizeof(ss));
        ss.ss_family = AF_UNIX;
        len = sizeof(sa_family_t);
    }
    a = qapi_from_sockaddr(&ss, len);
    qapi_event_send_netdev_stream_connected(s->nc.name, a);
    qapi_free_SocketAddress(a);
}

static gboolean stream_reconnect_cb(void *opaque)
{
    NetSocketState *s = opaque;

    s->reconnect_timer = 0;
    if (!stream_connect(s, NULL)) {
        s->reconnect_timer =
            g_timeout_add(s->reconnect_ms, stream_reconnect_cb, s);
    }
    return G_SOURCE_REMOVE;
}

/* The peer went away: drop the connection, listen or reconnect again. */
static void sock_disconnect(NetSocketState *s)
{
    if (s->fd < 0) {
        return;
    }
    net_fd_watch_set(&s->rd, false);
    net_fd_watch_set(&s->wr, false);
    close(s->fd);
    s->fd = -1;
    s->connected = false;
    /* Packets waiting for the socket are dropped, senders released. */
    qemu_net_queue_purge(s->nc.incoming_queue, s->nc.peer);
    if (s->stream_events) {
        qapi_event_send_netdev_stream_disconnected(s->nc.name);
    }
    if (s->listen_fd >= 0) {
        net_fd_watch_set(&s->lst, true);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "listening");
    } else if (s->addr && s->reconnect_ms > 0 && !s->reconnect_timer) {
        s->reconnect_timer =
            g_timeout_add(s->reconnect_ms, stream_reconnect_cb, s);
    }
}

static gboolean sock_accept(int fd, GIOCondition cond, void *opaque)
{
    NetSocketState *s = opaque;
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    int cfd = accept4(s->listen_fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
    char peer[128];

    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    /* One connection at a time: stop listening until it ends. */
    net_fd_watch_set(&s->lst, false);
    sock_attach_fd(s, cfd);
    sockaddr_to_str(&ss, len, peer, sizeof(peer));
    snprintf(s->nc.info_str, sizeof(s->nc.info_str), "%sconnection from %s",
             s->stream_events ? "" : "socket: ", peer);
    sock_emit_connected(s);
    return G_SOURCE_CONTINUE;
}

/* ---- receive from the socket ---- */

static void sock_deliver_frame(NetSocketState *s, const uint8_t *buf,
                               size_t len)
{
    if (qemu_send_packet_async(&s->nc, buf, len, sock_send_completed) == 0) {
        sock_read_poll(s, false);
    }
}

/* Parse framed data; false on a protocol error (connection dropped). */
static bool stream_parse(NetSocketState *s, const uint8_t *data, size_t n)
{
    while (n > 0) {
        if (s->hdr_have < 4) {
            size_t k = MIN(4 - s->hdr_have, n);
            memcpy(s->hdr + s->hdr_have, data, k);
            s->hdr_have += k;
            data += k;
            n -= k;
            if (s->hdr_have < 4) {
                break;
            }
            s->pkt_len = ((uint32_t)s->hdr[0] << 24) | (s->hdr[1] << 16) |
                         (s->hdr[2] << 8) | s->hdr[3];
            s->pkt_have = 0;
            if (s->pkt_len > NET_BUFSIZE) {
                warn_report("%s: oversized packet (%u bytes) received, "
                            "connection terminated",
                            s->nc.name, s->pkt_len);
                return false;
            }
        }
        {
            size_t k = MIN(s->pkt_len - s->pkt_have, n);
            memcpy(s->buf + s->pkt_have, data, k);
            s->pkt_have += k;
            data += k;
            n -= k;
        }
        if (s->pkt_have == s->pkt_len) {
            if (s->pkt_len) {
                sock_deliver_frame(s, s->buf, s->pkt_len);
            }
            s->hdr_have = 0;
        }
    }
    return true;
}

static gboolean sock_readable(int fd, GIOCondition cond, void *opaque)
{
    NetSocketState *s = opaque;
    uint8_t tmp[16384];
    ssize_t n;

    if (!s->framed) {
        n = recv(s->fd, s->buf, sizeof(s->buf), 0);
        if (n > 0) {
            sock_deliver_frame(s, s->buf, n);
        }
        return G_SOURCE_CONTINUE;
    }
    n = recv(s->fd, tmp, sizeof(tmp), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0 || !stream_parse(s, tmp, n)) {
        sock_disconnect(s);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- send to the socket ---- */

static ssize_t sock_receive_iov(NetClientState *nc, const struct iovec *iov,
                                int iovcnt)
{
    NetSocketState *s = (NetSocketState *)nc;
    size_t size = 0;
    ssize_t n;

    for (int i = 0; i < iovcnt; i++) {
        size += iov[i].iov_len;
    }
    if (s->fd < 0) {
        return size; /* not connected: drop */
    }
    if (!s->framed) {
        struct msghdr msg = {0};
        msg.msg_iov = (struct iovec *)iov;
        msg.msg_iovlen = iovcnt;
        if (s->dst_len) {
            msg.msg_name = &s->dst;
            msg.msg_namelen = s->dst_len;
        }
        do {
            n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
        } while (n < 0 && errno == EINTR);
        if (n < 0 && errno == EAGAIN) {
            sock_write_poll(s, true);
            return 0;
        }
        return size;
    } else {
        /* Header + frame, resumed at send_index after a short write. */
        uint8_t hdr[4] = {size >> 24, size >> 16, size >> 8, size};
        struct iovec v[IOV_MAX];
        int cnt = 0;
        size_t skip = s->send_index, total = size + 4;

        if (iovcnt + 1 > IOV_MAX) {
            return size;
        }
        v[0].iov_base = hdr;
        v[0].iov_len = 4;
        memcpy(&v[1], iov, sizeof(*iov) * iovcnt);
        cnt = iovcnt + 1;
        while (s->send_index < total) {
            struct iovec *p = v;
            int pc = cnt;
            struct iovec first;

            skip = s->send_index;
            while (pc && skip >= p->iov_len) {
                skip -= p->iov_len;
                p++;
                pc--;
            }
            first = *p;
            first.iov_base = (uint8_t *)first.iov_base + skip;
            first.iov_len -= skip;
            {
                struct iovec w[IOV_MAX];
                struct msghdr msg = {0};
                w[0] = first;
                memcpy(&w[1], p + 1, sizeof(*p) * (pc - 1));
                msg.msg_iov = w;
                msg.msg_iovlen = pc;
                n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
            }
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0 && errno == EAGAIN) {
                sock_write_poll(s, true);
                return 0;
            }
            if (n < 0) {
                s->send_index = 0;
                sock_disconnect(s);
                return size;
            }
            s->send_index += n;
        }
        s->send_index = 0;
        return size;
    }
}

static void sock_cleanup(NetClientState *nc)
{
    NetSocketState *s = (NetSocketState *)nc;

    net_fd_watch_set(&s->rd, false);
    net_fd_watch_set(&s->wr, false);
    net_fd_watch_set(&s->lst, false);
    if (s->reconnect_timer) {
        g_source_remove(s->reconnect_timer);
        s->reconnect_timer = 0;
    }
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    if (s->listen_fd >= 0) {
        /* Remove the path of a unix server we bound. */
        if (s->addr && s->addr->type == SOCKET_ADDRESS_TYPE_UNIX &&
            !(s->addr->u.q_unix.has_abstract && s->addr->u.q_unix.abstract)) {
            unlink(s->addr->u.q_unix.path);
        }
        close(s->listen_fd);
        s->listen_fd = -1;
    }
    qapi_free_SocketAddress(s->addr);
    s->addr = NULL;
}

static NetClientInfo net_stream_info = {
    .type = NET_CLIENT_DRIVER_STREAM,
    .size = sizeof(NetSocketState),
    .receive_iov = sock_receive_iov,
    .poll = sock_poll,
    .cleanup = sock_cleanup,
};

static NetClientInfo net_dgram_info = {
    .type = NET_CLIENT_DRIVER_DGRAM,
    .size = sizeof(NetSocketState),
    .receive_iov = sock_receive_iov,
    .poll = sock_poll,
    .cleanup = sock_cleanup,
};

static NetClientInfo net_socket_info = {
    .type = NET_CLIENT_DRIVER_SOCKET,
    .size = sizeof(NetSocketState),
    .receive_iov = sock_receive_iov,
    .poll = sock_poll,
    .cleanup = sock_cleanup,
};

static NetSocketState *sock_new(NetClientInfo *info, const char *model,
                                const char *name, NetClientState *peer,
                                bool framed)
{
    NetSocketState *s =
        (NetSocketState *)qemu_new_net_client(info, peer, model, name);

    s->fd = -1;
    s->listen_fd = -1;
    s->framed = framed;
    net_fd_watch_init(&s->rd, -1, G_IO_IN, sock_readable, s);
    net_fd_watch_init(&s->wr, -1, G_IO_OUT, sock_writable, s);
    net_fd_watch_init(&s->lst, -1, G_IO_IN, sock_accept, s);
    return s;
}

/* ---- socket creation helpers ---- */

static int sock_listen_on(const struct sockaddr_storage *ss, socklen_t len,
                          Error **errp)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;

    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    if (ss->ss_family != AF_UNIX) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
    if (bind(fd, (const struct sockaddr *)ss, len) < 0) {
        error_setg_errno(errp, errno, "can't bind address");
        close(fd);
        return -1;
    }
    if (listen(fd, 1) < 0) {
        error_setg_errno(errp, errno, "can't listen on socket");
        close(fd);
        return -1;
    }
    g_unix_set_fd_nonblocking(fd, TRUE, NULL);
    return fd;
}

static int sock_connect_to(const struct sockaddr_storage *ss, socklen_t len,
                           Error **errp)
{
    int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int rc;

    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create stream socket");
        return -1;
    }
    do {
        rc = connect(fd, (const struct sockaddr *)ss, len);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) {
        error_setg_errno(errp, errno, "can't connect socket");
        close(fd);
        return -1;
    }
    return fd;
}

static int sock_fd_param(const char *str, Error **errp)
{
    int fd = monitor_fd_param(monitor_current(), str, errp);
    int type;
    socklen_t len = sizeof(type);

    if (fd < 0) {
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0) {
        error_setg_errno(errp, errno, "file descriptor %d is not a socket", fd);
        return -1;
    }
    return fd;
}

/* ---- stream ---- */

static bool stream_connect(NetSocketState *s, Error **errp)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd;

    if (!sockaddr_from_qapi(s->addr, &ss, &len, false, errp)) {
        return false;
    }
    fd = sock_connect_to(&ss, len, errp);
    if (fd < 0) {
        return false;
    }
    sock_attach_fd(s, fd);
    {
        char buf[128];
        sockaddr_to_str(&ss, len, buf, sizeof(buf));
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "connected to %s",
                 buf);
    }
    sock_emit_connected(s);
    return true;
}

bool net_init_stream(const Netdev *netdev, const char *name,
                     NetClientState *peer, Error **errp)
{
    const NetdevStreamOptions *o = &netdev->u.stream;
    bool server = o->has_server && o->server;
    NetSocketState *s;

    if (o->has_reconnect_ms && o->reconnect_ms < 0) {
        error_setg(errp, "reconnect-ms must be a non-negative number");
        return false;
    }
    if (server && o->has_reconnect_ms && o->reconnect_ms) {
        error_setg(errp, "'reconnect-ms' option is incompatible with "
                         "socket in server listen mode");
        return false;
    }
    s = sock_new(&net_stream_info, "stream", name, peer, true);
    s->stream_events = true;
    s->is_server = server;
    s->addr = sockaddr_clone(o->addr);
    s->reconnect_ms = o->has_reconnect_ms ? o->reconnect_ms : 0;

    if (o->addr->type == SOCKET_ADDRESS_TYPE_FD) {
        int fd = sock_fd_param(o->addr->u.fd.str, errp);
        if (fd < 0) {
            goto fail;
        }
        if (server) {
            g_unix_set_fd_nonblocking(fd, TRUE, NULL);
            s->listen_fd = fd;
            s->lst.fd = fd;
            net_fd_watch_set(&s->lst, true);
            snprintf(s->nc.info_str, sizeof(s->nc.info_str), "listening");
        } else {
            sock_attach_fd(s, fd);
            snprintf(s->nc.info_str, sizeof(s->nc.info_str), "fd=%d", fd);
            sock_emit_connected(s);
        }
        return true;
    }
    if (server) {
        struct sockaddr_storage ss;
        socklen_t len;

        if (!sockaddr_from_qapi(o->addr, &ss, &len, true, errp)) {
            goto fail;
        }
        if (ss.ss_family == AF_UNIX &&
            ((struct sockaddr_un *)&ss)->sun_path[0]) {
            unlink(((struct sockaddr_un *)&ss)->sun_path);
        }
        s->listen_fd = sock_listen_on(&ss, len, errp);
        if (s->listen_fd < 0) {
            goto fail;
        }
        s->lst.fd = s->listen_fd;
        net_fd_watch_set(&s->lst, true);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "listening");
        return true;
    }
    if (!stream_connect(s, s->reconnect_ms > 0 ? NULL : errp)) {
        if (s->reconnect_ms <= 0) {
            goto fail;
        }
        s->nc.link_down = 1;
        s->reconnect_timer =
            g_timeout_add(s->reconnect_ms, stream_reconnect_cb, s);
    }
    return true;
fail:
    qemu_del_net_client(&s->nc);
    return false;
}

/* ---- dgram ---- */

static int dgram_socket_for(const SocketAddress *local,
                            const SocketAddress *remote,
                            struct sockaddr_storage *dst, socklen_t *dst_len,
                            Error **errp)
{
    struct sockaddr_storage ls;
    socklen_t llen = 0;
    int family, fd, one = 1;

    *dst_len = 0;
    if (remote && !sockaddr_from_qapi(remote, dst, dst_len, false, errp)) {
        return -1;
    }
    if (local && !sockaddr_from_qapi(local, &ls, &llen, true, errp)) {
        return -1;
    }
    family = local ? ls.ss_family : dst->ss_family;
    if (remote && local && ls.ss_family != dst->ss_family) {
        error_setg(errp, "local and remote addresses are of different "
                         "families");
        return -1;
    }
    fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "can't create datagram socket");
        return -1;
    }
    if (family == AF_INET && remote &&
        IN_MULTICAST(ntohl(((struct sockaddr_in *)dst)->sin_addr.s_addr))) {
        /* Multicast: join the group on its port, loop back to ourselves. */
        struct sockaddr_in *g = (struct sockaddr_in *)dst;
        struct sockaddr_in bind_sa = *g;
        struct ip_mreq mreq = {0};
        int loop = 1;

        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&bind_sa, sizeof(bind_sa)) < 0) {
            error_setg_errno(errp, errno, "can't bind multicast address");
            close(fd);
            return -1;
        }
        mreq.imr_multiaddr = g->sin_addr;
        mreq.imr_interface.s_addr =
            local ? ((struct sockaddr_in *)&ls)->sin_addr.s_addr
                  : htonl(INADDR_ANY);
        if (setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq)) <
            0) {
            error_setg_errno(errp, errno,
                             "can't add socket to multicast "
                             "group %s",
                             inet_ntoa(g->sin_addr));
            close(fd);
            return -1;
        }
        setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, sizeof(loop));
        if (local) {
            setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq.imr_interface,
                       sizeof(mreq.imr_interface));
        }
        return fd;
    }
    if (local) {
        if (family == AF_UNIX) {
            unlink(((struct sockaddr_un *)&ls)->sun_path);
        } else {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        }
        if (bind(fd, (struct sockaddr *)&ls, llen) < 0) {
            error_setg_errno(errp, errno, "can't bind address");
            close(fd);
            return -1;
        }
    }
    return fd;
}

static bool dgram_is_mcast(const SocketAddress *a)
{
    struct in_addr in;

    return a && a->type == SOCKET_ADDRESS_TYPE_INET &&
           inet_aton(a->u.inet.host, &in) && IN_MULTICAST(ntohl(in.s_addr));
}

bool net_init_dgram(const Netdev *netdev, const char *name,
                    NetClientState *peer, Error **errp)
{
    const NetdevDgramOptions *o = &netdev->u.dgram;
    struct sockaddr_storage dst;
    socklen_t dst_len;
    NetSocketState *s;
    int fd;

    if (!o->remote && !o->local) {
        error_setg(errp, "dgram requires remote= or local=");
        return false;
    }
    if (o->remote && o->remote->type == SOCKET_ADDRESS_TYPE_FD) {
        error_setg(errp, "type=fd is not supported for remote=");
        return false;
    }
    if (o->local && o->local->type == SOCKET_ADDRESS_TYPE_FD) {
        if (o->remote) {
            error_setg(errp, "type=fd requires remote= to be unset");
            return false;
        }
        fd = sock_fd_param(o->local->u.fd.str, errp);
        if (fd < 0) {
            return false;
        }
        dst_len = 0;
    } else {
        if (!o->remote && o->local) {
            /* Receive only until someone is named: allowed as in QEMU's fd. */
        }
        if (o->remote && !o->local && !dgram_is_mcast(o->remote)) {
            error_setg(errp, "dgram requires local= when remote= is not a "
                             "multicast address");
            return false;
        }
        fd = dgram_socket_for(o->local, o->remote, &dst, &dst_len, errp);
        if (fd < 0) {
            return false;
        }
    }
    s = sock_new(&net_dgram_info, "dgram", name, peer, false);
    if (dst_len) {
        s->dst = dst;
        s->dst_len = dst_len;
    }
    sock_attach_fd(s, fd);
    if (o->local && o->local->type == SOCKET_ADDRESS_TYPE_UNIX) {
        s->addr = sockaddr_clone(o->local); /* unlinked at cleanup */
        s->listen_fd = -1;
    }
    if (dst_len) {
        char buf[128];
        sockaddr_to_str(&dst, dst_len, buf, sizeof(buf));
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "%s%s",
                 dgram_is_mcast(o->remote) ? "mcast=" : "udp=", buf);
    } else {
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "fd=%d", fd);
    }
    return true;
}

/* ---- legacy socket ---- */

bool net_init_socket(const Netdev *netdev, const char *name,
                     NetClientState *peer, Error **errp)
{
    const NetdevSocketOptions *o = &netdev->u.socket;
    int count = !!o->fd + !!o->listen + !!o->connect + !!o->mcast + !!o->udp;
    struct sockaddr_in sa, la;
    NetSocketState *s;
    int fd;

    if (count != 1) {
        error_setg(errp, "exactly one of listen=, connect=, mcast= or udp= "
                         "is required");
        return false;
    }
    if (o->localaddr && !o->mcast && !o->udp) {
        error_setg(errp, "localaddr= is only valid with mcast= or udp=");
        return false;
    }
    if (o->fd) {
        int type;
        socklen_t len = sizeof(type);

        fd = sock_fd_param(o->fd, errp);
        if (fd < 0) {
            return false;
        }
        getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
        s = sock_new(&net_socket_info, "socket", name, peer,
                     type == SOCK_STREAM);
        sock_attach_fd(s, fd);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: fd=%d", fd);
        return true;
    }
    if (o->listen) {
        if (!parse_host_port(o->listen, true, &sa, errp)) {
            return false;
        }
        fd = sock_listen_on((struct sockaddr_storage *)&sa, sizeof(sa), errp);
        if (fd < 0) {
            return false;
        }
        s = sock_new(&net_socket_info, "socket", name, peer, true);
        s->listen_fd = fd;
        s->lst.fd = fd;
        net_fd_watch_set(&s->lst, true);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: listening");
        return true;
    }
    if (o->connect) {
        if (!parse_host_port(o->connect, false, &sa, errp)) {
            return false;
        }
        fd = sock_connect_to((struct sockaddr_storage *)&sa, sizeof(sa), errp);
        if (fd < 0) {
            return false;
        }
        s = sock_new(&net_socket_info, "socket", name, peer, true);
        sock_attach_fd(s, fd);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str),
                 "socket: connect to %s", o->connect);
        return true;
    }
    if (o->udp && !o->localaddr) {
        error_setg(errp, "localaddr= is mandatory with udp=");
        return false;
    }
    {
        const char *remote = o->mcast ? o->mcast : o->udp;
        SocketAddress ra = {.type = SOCKET_ADDRESS_TYPE_INET};
        SocketAddress lo = {.type = SOCKET_ADDRESS_TYPE_INET};
        struct sockaddr_storage dst;
        socklen_t dst_len;
        char host[INET_ADDRSTRLEN], port[8], lhost[INET_ADDRSTRLEN], lport[8];

        if (!parse_host_port(remote, false, &sa, errp)) {
            return false;
        }
        if (o->mcast && !IN_MULTICAST(ntohl(sa.sin_addr.s_addr))) {
            error_setg(errp,
                       "specified mcastaddr %s (0x%08x) does not contain "
                       "a multicast address",
                       inet_ntoa(sa.sin_addr), ntohl(sa.sin_addr.s_addr));
            return false;
        }
        inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
        snprintf(port, sizeof(port), "%u", ntohs(sa.sin_port));
        ra.u.inet.host = host;
        ra.u.inet.port = port;
        if (o->localaddr) {
            /* A bare address (mcast) or address:port (udp). */
            char *tmp = strchr(o->localaddr, ':')
                            ? g_strdup(o->localaddr)
                            : g_strdup_printf("%s:0", o->localaddr);
            bool ok = parse_host_port(tmp, true, &la, errp);
            g_free(tmp);
            if (!ok) {
                return false;
            }
            inet_ntop(AF_INET, &la.sin_addr, lhost, sizeof(lhost));
            snprintf(lport, sizeof(lport), "%u", ntohs(la.sin_port));
            lo.u.inet.host = lhost;
            lo.u.inet.port = lport;
        }
        fd = dgram_socket_for(o->localaddr ? &lo : NULL, &ra, &dst, &dst_len,
                              errp);
        if (fd < 0) {
            return false;
        }
        s = sock_new(&net_socket_info, "socket", name, peer, false);
        s->dst = dst;
        s->dst_len = dst_len;
        sock_attach_fd(s, fd);
        snprintf(s->nc.info_str, sizeof(s->nc.info_str), "socket: %s=%s",
                 o->mcast ? "mcast" : "udp", remote);
    }
    return true;
}
