/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Migration transports named by a URI: tcp:, unix:, fd:, exec:, file:.
 * Each yields a plain blocking fd; the stream code does not care which.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <glib.h>
#include "migration/channel.h"
#include "monitor/monitor.h"

static void split_host_port(const char *hp, char **host, char **port)
{
    const char *colon = strrchr(hp, ':');
    const char *h = hp;
    size_t hlen = colon ? (size_t)(colon - hp) : strlen(hp);

    /* [v6addr]:port */
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    *host = g_strndup(h, hlen);
    *port = colon ? g_strdup(colon + 1) : NULL;
}

static int tcp_open(const char *hp, bool listening, Error **errp)
{
    struct addrinfo hints = {0}, *res = NULL, *ai;
    char *host, *port;
    int fd = -1, rc, err = 0;

    split_host_port(hp, &host, &port);
    if (!port || !port[0]) {
        error_setg(errp, "error parsing address '%s'", hp);
        goto out;
    }
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = listening ? AI_PASSIVE : 0;
    rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
    if (rc) {
        error_setg(errp, "address resolution failed for %s:%s: %s", host, port,
                   gai_strerror(rc));
        goto out;
    }
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        int one = 1;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (listening) {
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            rc = bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, 1);
        } else {
            rc = connect(fd, ai->ai_addr, ai->ai_addrlen);
        }
        if (rc) {
            err = errno;
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        error_setg_errno(errp, err, "Failed to %s socket for %s:%s",
                         listening ? "bind" : "connect", host, port);
    }
out:
    if (res) {
        freeaddrinfo(res);
    }
    g_free(host);
    g_free(port);
    return fd;
}

static int unix_open(const char *path, bool listening, Error **errp)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    int fd, rc;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        error_setg(errp, "UNIX socket path '%s' is too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error_setg_errno(errp, errno, "Failed to create socket");
        return -1;
    }
    if (listening) {
        unlink(path);
        rc = bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 1);
    } else {
        rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
    }
    if (rc) {
        error_setg_errno(errp, errno, "Failed to %s socket %s",
                         listening ? "bind" : "connect to", path);
        close(fd);
        return -1;
    }
    return fd;
}

static int exec_open(const char *cmd, bool incoming, pid_t *child, Error **errp)
{
    const char *argv[] = {"/bin/sh", "-c", cmd, NULL};
    GError *gerr = NULL;
    GPid pid;
    int fd = -1;

    if (!g_spawn_async_with_pipes(
            NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL,
            &pid, incoming ? NULL : &fd, incoming ? &fd : NULL, NULL, &gerr)) {
        error_setg(errp, "cannot run '%s': %s", cmd, gerr->message);
        g_error_free(gerr);
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    *child = pid;
    return fd;
}

static int file_open(const char *spec, bool incoming, Error **errp)
{
    const char *comma = strstr(spec, ",offset=");
    char *path = comma ? g_strndup(spec, comma - spec) : g_strdup(spec);
    int flags = incoming ? O_RDONLY : O_WRONLY | O_CREAT | O_TRUNC;
    uint64_t offset = 0;
    int fd = -1;

    if (comma && !g_ascii_string_to_unsigned(comma + 8, 0, 0, INT64_MAX,
                                             &offset, NULL)) {
        error_setg(errp, "file URI has an invalid offset: %s", comma + 8);
        goto out;
    }
    if (comma) {
        flags &= ~O_TRUNC;
    }
    fd = open(path, flags | O_CLOEXEC, 0600);
    if (fd < 0) {
        error_setg_errno(errp, errno, "failed to open file %s", path);
        goto out;
    }
    if (offset && lseek(fd, offset, SEEK_SET) < 0) {
        error_setg_errno(errp, errno,
                         "cannot seek to %" G_GUINT64_FORMAT " in %s", offset,
                         path);
        close(fd);
        fd = -1;
    }
out:
    g_free(path);
    return fd;
}

static int fd_param(const char *str, Error **errp)
{
    int fd = monitor_fd_param(monitor_current(), str, errp);

    if (fd >= 0 && fcntl(fd, F_GETFD) < 0) {
        error_setg(errp, "file descriptor %d is not open", fd);
        return -1;
    }
    return fd;
}

int migration_channel_open(const char *uri, bool incoming, bool *listening,
                           pid_t *child, Error **errp)
{
    *listening = false;
    *child = -1;
    if (g_str_has_prefix(uri, "tcp:")) {
        *listening = incoming;
        return tcp_open(uri + 4, incoming, errp);
    }
    if (g_str_has_prefix(uri, "unix:")) {
        *listening = incoming;
        return unix_open(uri + 5, incoming, errp);
    }
    if (g_str_has_prefix(uri, "fd:")) {
        return fd_param(uri + 3, errp);
    }
    if (g_str_has_prefix(uri, "exec:")) {
        return exec_open(uri + 5, incoming, child, errp);
    }
    if (g_str_has_prefix(uri, "file:")) {
        return file_open(uri + 5, incoming, errp);
    }
    error_setg(errp, "unknown migration protocol: %s", uri);
    return -1;
}

SocketAddress *migration_channel_address(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    SocketAddress *addr;
    char host[NI_MAXHOST], port[NI_MAXSERV];

    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) {
        return NULL;
    }
    addr = g_new0(SocketAddress, 1);
    if (ss.ss_family == AF_UNIX) {
        addr->type = SOCKET_ADDRESS_TYPE_UNIX;
        addr->u.q_unix.path = g_strdup(((struct sockaddr_un *)&ss)->sun_path);
        return addr;
    }
    if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), port,
                    sizeof(port), NI_NUMERICHOST | NI_NUMERICSERV)) {
        g_free(addr);
        return NULL;
    }
    addr->type = SOCKET_ADDRESS_TYPE_INET;
    addr->u.inet.host = g_strdup(host);
    addr->u.inet.port = g_strdup(port);
    return addr;
}

int migration_channel_wait_child(pid_t child)
{
    int status;

    while (waitpid(child, &status, 0) < 0) {
        if (errno != EINTR) {
            return -errno;
        }
    }
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EIO;
}
