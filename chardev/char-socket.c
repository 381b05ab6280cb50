/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Socket chardev: unix or tcp, listening (server=on) or connecting.
 * A server serves one peer at a time, as QEMU's does: further peers wait in
 * the listen backlog until the current one goes away.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <glib.h>
#include "chardev/char.h"
#include "util/main-loop.h"
#include "util/opts.h"

#define MAX_RECV_FDS 16

typedef struct SocketChardev {
    Chardev *chr;
    bool server;
    bool is_unix;
    bool nodelay;
    char *path;
    char *host;
    char *port;
    int listen_fd;
    int fd;
    guint listen_watch;
    guint read_watch;
    guint write_watch;
    GByteArray *outbuf;
} SocketChardev;

static const char *const socket_options[] = {
    "path", "host", "port", "server",  "wait",      "nodelay", "ipv4",
    "ipv6", "to",   "mux",  "logfile", "logappend", NULL,
};

static void socket_connected(SocketChardev *s, int fd);
static gboolean socket_readable(int fd, GIOCondition cond, void *opaque);

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void socket_disconnect(SocketChardev *s);

static gboolean socket_accept_ready(int fd, GIOCondition cond, void *opaque)
{
    SocketChardev *s = opaque;
    int cfd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    s->listen_watch = 0;
    socket_connected(s, cfd);
    return G_SOURCE_REMOVE;
}

static void socket_listen_again(SocketChardev *s)
{
    if (s->server && s->listen_fd >= 0 && !s->listen_watch) {
        s->listen_watch =
            main_loop_add_fd(s->listen_fd, G_IO_IN, socket_accept_ready, s);
    }
}

static void socket_watch_input(SocketChardev *s)
{
    if (s->fd >= 0 && !s->read_watch) {
        s->read_watch = main_loop_add_fd(s->fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                         socket_readable, s);
    }
}

static void socket_connected(SocketChardev *s, int fd)
{
    set_nonblock(fd);
    if (s->nodelay && !s->is_unix) {
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    }
    s->fd = fd;
    socket_watch_input(s);
    chardev_be_event(s->chr, CHR_EVENT_OPENED);
}

static void socket_disconnect(SocketChardev *s)
{
    if (s->fd < 0) {
        return;
    }
    main_loop_remove(s->read_watch);
    main_loop_remove(s->write_watch);
    s->read_watch = s->write_watch = 0;
    close(s->fd);
    s->fd = -1;
    g_byte_array_set_size(s->outbuf, 0);
    chardev_be_event(s->chr, CHR_EVENT_CLOSED);
    socket_listen_again(s);
}

static void socket_recv(SocketChardev *s, size_t max)
{
    uint8_t buf[4096];
    char cbuf[CMSG_SPACE(sizeof(int) * MAX_RECV_FDS)];
    struct iovec iov = {.iov_base = buf, .iov_len = MIN(max, sizeof(buf))};
    struct msghdr msg = {
        .msg_iov = &iov,
        .msg_iovlen = 1,
        .msg_control = cbuf,
        .msg_controllen = sizeof(cbuf),
    };
    ssize_t n = recvmsg(s->fd, &msg, MSG_CMSG_CLOEXEC);

    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return;
    }
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); n > 0 && c;
         c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            int fds[MAX_RECV_FDS];
            memcpy(fds, CMSG_DATA(c), nfds * sizeof(int));
            chardev_be_set_msgfds(s->chr, fds, nfds);
        }
    }
    if (n <= 0) {
        socket_disconnect(s);
        return;
    }
    chardev_be_read(s->chr, buf, n);
}

static gboolean socket_readable(int fd, GIOCondition cond, void *opaque)
{
    SocketChardev *s = opaque;
    size_t max = chardev_be_can_read(s->chr);

    if (max == 0) {
        /* The frontend is full; it calls accept_input when it drains. */
        s->read_watch = 0;
        return G_SOURCE_REMOVE;
    }
    socket_recv(s, max);
    return s->read_watch ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void socket_accept_input(Chardev *chr)
{
    socket_watch_input(chr->state);
}

static bool socket_flush(SocketChardev *s)
{
    while (s->outbuf->len) {
        ssize_t n = send(s->fd, s->outbuf->data, s->outbuf->len, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                return true;
            }
            return false;
        }
        g_byte_array_remove_range(s->outbuf, 0, n);
    }
    return true;
}

static gboolean socket_writable(int fd, GIOCondition cond, void *opaque)
{
    SocketChardev *s = opaque;

    if (!socket_flush(s)) {
        s->write_watch = 0;
        socket_disconnect(s);
        return G_SOURCE_REMOVE;
    }
    if (s->outbuf->len) {
        return G_SOURCE_CONTINUE;
    }
    s->write_watch = 0;
    /* A frontend that paused input for our backlog can go on now. */
    socket_watch_input(s);
    return G_SOURCE_REMOVE;
}

static size_t socket_pending_output(Chardev *chr)
{
    SocketChardev *s = chr->state;
    return s->outbuf->len;
}

static ssize_t socket_write(Chardev *chr, const uint8_t *buf, size_t len)
{
    SocketChardev *s = chr->state;

    if (s->fd < 0) {
        return -1;
    }
    g_byte_array_append(s->outbuf, buf, len);
    if (!s->write_watch && !socket_flush(s)) {
        socket_disconnect(s);
        return -1;
    }
    if (s->outbuf->len && !s->write_watch) {
        s->write_watch = main_loop_add_fd(s->fd, G_IO_OUT, socket_writable, s);
    }
    return len;
}

/* -2: a tcp socket cannot carry fds; -1: no peer connected now. */
static int socket_get_msg_fd(Chardev *chr)
{
    SocketChardev *s = chr->state;

    if (!s->is_unix) {
        return -2;
    }
    return s->fd;
}

static bool unix_addr(const char *path, struct sockaddr_un *sun, Error **errp)
{
    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (strlen(path) >= sizeof(sun->sun_path)) {
        error_setg(errp,
                   "UNIX socket path '%s' is too long (at most %zu "
                   "bytes)",
                   path, sizeof(sun->sun_path) - 1);
        return false;
    }
    strcpy(sun->sun_path, path);
    return true;
}

static int open_unix(SocketChardev *s, Error **errp)
{
    struct sockaddr_un sun;
    int fd;

    if (!unix_addr(s->path, &sun, errp)) {
        return -1;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "cannot create socket");
        return -1;
    }
    if (s->server) {
        unlink(s->path); /* a stale socket file from an earlier run */
        if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
            listen(fd, 1) < 0) {
            error_setg_errno(errp, errno, "Failed to bind socket to %s",
                             s->path);
            close(fd);
            return -1;
        }
    } else if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
        error_setg_errno(errp, errno, "Failed to connect to '%s'", s->path);
        close(fd);
        return -1;
    }
    return fd;
}

static int open_tcp(SocketChardev *s, json_t *opts, Error **errp)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res, *ai;
    bool v4, v6;
    int fd = -1, rc, err = 0;

    if (!opts_get_bool(opts, "ipv4", false, &v4, errp) ||
        !opts_get_bool(opts, "ipv6", false, &v6, errp)) {
        return -1;
    }
    hints.ai_family = v4 && !v6 ? AF_INET : v6 && !v4 ? AF_INET6 : AF_UNSPEC;
    hints.ai_flags = s->server ? AI_PASSIVE : 0;
    rc = getaddrinfo(s->host[0] ? s->host : NULL, s->port, &hints, &res);
    if (rc) {
        error_setg(errp, "address resolution failed for %s:%s: %s", s->host,
                   s->port, gai_strerror(rc));
        return -1;
    }
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (s->server) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            rc = bind(fd, ai->ai_addr, ai->ai_addrlen);
            rc = rc ? rc : listen(fd, 1);
        } else {
            rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        }
        if (rc < 0) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to %s %s:%s",
                         s->server ? "listen on" : "connect to", s->host,
                         s->port);
    }
    return fd;
}

static char *socket_describe(Chardev *chr)
{
    SocketChardev *s = chr->state;
    if (s->is_unix) {
        return g_strdup_printf("unix:%s%s", s->path,
                               s->server ? ",server=on" : "");
    }
    return g_strdup_printf("tcp:%s:%s%s", s->host, s->port,
                           s->server ? ",server=on" : "");
}

static bool socket_wait_first_peer(SocketChardev *s)
{
    char *desc = socket_describe(s->chr);
    int fd;

    fprintf(stderr, "vireo: waiting for connection on: disconnected:%s\n",
            desc);
    g_free(desc);
    do {
        fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        return false;
    }
    socket_connected(s, fd);
    return true;
}

static bool socket_open(Chardev *chr, json_t *opts, Error **errp)
{
    SocketChardev *s = g_new0(SocketChardev, 1);
    const char *path = opts_get_str(opts, "path");
    const char *host = opts_get_str(opts, "host");
    const char *port = opts_get_str(opts, "port");
    bool wait;
    int fd;

    s->chr = chr;
    s->fd = s->listen_fd = -1;
    if (!opts_get_bool(opts, "server", false, &s->server, errp) ||
        !opts_get_bool(opts, "wait", true, &wait, errp) ||
        !opts_get_bool(opts, "nodelay", false, &s->nodelay, errp)) {
        goto fail;
    }
    if (path && (host || port)) {
        error_setg(errp, "chardev: socket: 'path' cannot be combined with "
                         "'host' or 'port'");
        goto fail;
    }
    if (!path && !port) {
        error_setg(errp, "chardev: socket: no host given");
        goto fail;
    }
    if (opts_has(opts, "wait") && !s->server) {
        error_setg(errp, "'wait' option is incompatible with socket in "
                         "client connect mode");
        goto fail;
    }
    s->is_unix = path != NULL;
    s->path = g_strdup(path);
    s->host = g_strdup(host ? host : "");
    s->port = g_strdup(port);
    s->outbuf = g_byte_array_new();
    chr->state = s;
    fd = s->is_unix ? open_unix(s, errp) : open_tcp(s, opts, errp);
    if (fd < 0) {
        goto fail;
    }
    if (!s->server) {
        socket_connected(s, fd);
        return true;
    }
    s->listen_fd = fd;
    if (wait && !socket_wait_first_peer(s)) {
        error_setg_errno(errp, errno, "accepting a connection failed");
        close(fd);
        goto fail;
    }
    socket_listen_again(s);
    return true;

fail:
    if (s->outbuf) {
        g_byte_array_free(s->outbuf, TRUE);
    }
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
    g_free(s);
    chr->state = NULL;
    return false;
}

static void socket_close(Chardev *chr)
{
    SocketChardev *s = chr->state;

    main_loop_remove(s->listen_watch);
    main_loop_remove(s->read_watch);
    main_loop_remove(s->write_watch);
    if (s->fd >= 0) {
        /* Best effort: push out what is still queued (e.g. a last reply). */
        set_nonblock(s->fd);
        socket_flush(s);
        close(s->fd);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    g_byte_array_free(s->outbuf, TRUE);
    g_free(s->path);
    g_free(s->host);
    g_free(s->port);
    g_free(s);
}

static const ChardevClass socket_class = {
    .name = "socket",
    .options = socket_options,
    .open = socket_open,
    .write = socket_write,
    .close = socket_close,
    .accept_input = socket_accept_input,
    .describe = socket_describe,
    .pending_output = socket_pending_output,
    .get_msg_fd = socket_get_msg_fd,
};

void chardev_socket_register(void)
{
    chardev_register_class(&socket_class);
}
