/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest client library.  The test process listens on two unix sockets in a
 * fresh temporary directory, starts vireo through /bin/sh with -qtest and a
 * QMP chardev pointing at them, and accepts vireo's connections (qtest
 * first, then QMP), as QEMU's libqtest does.
 */
#include "libqtest.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#define MAX_LINE (256u << 20) /* refuse to buffer more than this */

struct QmpConn {
    int fd;
    GString *buf;    /* bytes received, not yet split into messages */
    GQueue *events;  /* json_t *: events not yet consumed */
    GQueue *replies; /* json_t *: replies read while waiting for events */
    bool eof;
};

struct QTestState {
    pid_t pid;
    bool reaped;
    int status;
    char *tmpdir;
    char *stderr_path;
    int qtest_fd;
    GString *qtest_buf;
    bool irq_level[256];
    QmpConn *qmp;
    char *endianness;
};

static GList *live_states;

/* ---------------------------------------------------------------- */
/* Time and waiting                                                  */

static int timeout_s(void)
{
    const char *env = getenv("QTEST_TIMEOUT");
    int v = env ? atoi(env) : 0;

    return v > 0 ? v : QTEST_TIMEOUT_S;
}

static int64_t now_ms(void)
{
    return g_get_monotonic_time() / 1000;
}

/* poll one fd until readable or deadline; true when readable. */
static bool wait_readable(int fd, int64_t deadline)
{
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        int64_t left = deadline - now_ms();
        int rc;

        if (left < 0) {
            return false;
        }
        rc = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX : (int)left);
        if (rc > 0) {
            return true;
        }
        if (rc < 0 && errno != EINTR) {
            g_error("poll: %s", g_strerror(errno));
        }
    }
}

static void kill_all_children(void)
{
    for (GList *l = live_states; l; l = l->next) {
        QTestState *s = l->data;
        if (!s->reaped && s->pid > 0) {
            kill(s->pid, SIGKILL);
        }
    }
}

static void sigabrt_handler(int sig)
{
    kill_all_children();
    signal(SIGABRT, SIG_DFL);
    raise(SIGABRT);
}

static void install_abort_handler(void)
{
    static bool done;
    if (!done) {
        signal(SIGABRT, sigabrt_handler);
        done = true;
    }
}

const char *qtest_binary(void)
{
    const char *bin = getenv("VIREO_BINARY");
    if (!bin || !*bin) {
        g_error("VIREO_BINARY is not set");
    }
    return bin;
}

/* ---------------------------------------------------------------- */
/* QMP connections                                                   */

QmpConn *qmp_conn_new(int fd)
{
    QmpConn *c = g_new0(QmpConn, 1);
    c->fd = fd;
    c->buf = g_string_new(NULL);
    c->events = g_queue_new();
    c->replies = g_queue_new();
    return c;
}

int qmp_conn_fd(QmpConn *c)
{
    return c->fd;
}

static int connect_retry(int family, const struct sockaddr *sa, socklen_t len)
{
    int64_t deadline = now_ms() + timeout_s() * 1000;

    for (;;) {
        int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        g_assert_cmpint(fd, >=, 0);
        if (connect(fd, sa, len) == 0) {
            return fd;
        }
        close(fd);
        if (now_ms() > deadline) {
            g_error("cannot connect to QMP server: %s", g_strerror(errno));
        }
        g_usleep(10 * 1000);
    }
}

QmpConn *qmp_conn_connect_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };

    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    return qmp_conn_new(
        connect_retry(AF_UNIX, (struct sockaddr *)&sun, sizeof(sun)));
}

QmpConn *qmp_conn_connect_tcp(const char *host, int port)
{
    struct sockaddr_in sin = { .sin_family = AF_INET,
                               .sin_port = htons(port) };

    g_assert_cmpint(inet_pton(AF_INET, host, &sin.sin_addr), ==, 1);
    return qmp_conn_new(
        connect_retry(AF_INET, (struct sockaddr *)&sin, sizeof(sin)));
}

void qmp_conn_close(QmpConn *c)
{
    if (!c) {
        return;
    }
    if (c->fd >= 0) {
        close(c->fd);
    }
    g_string_free(c->buf, TRUE);
    g_queue_free_full(c->events, (GDestroyNotify)json_decref);
    g_queue_free_full(c->replies, (GDestroyNotify)json_decref);
    g_free(c);
}

static void send_all(int fd, const char *buf, size_t len)
{
    while (len) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("send to vireo failed: %s", g_strerror(errno));
        }
        buf += n;
        len -= n;
    }
}

void qmp_conn_send_raw(QmpConn *c, const char *bytes, size_t len)
{
    send_all(c->fd, bytes, len);
}

void qmp_conn_send_fds(QmpConn *c, const int *fds, size_t nfds,
                       const char *text)
{
    size_t len = strlen(text);
    struct iovec iov = { .iov_base = (void *)text, .iov_len = len };
    char cbuf[CMSG_SPACE(sizeof(int) * 16)];
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    ssize_t n;

    g_assert_cmpuint(nfds, <=, 16);
    g_assert_cmpuint(len, >, 0);
    if (nfds) {
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
    do {
        n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        g_error("sendmsg to vireo failed: %s", g_strerror(errno));
    }
    /* The fds went with the first bytes; the rest goes plainly. */
    if ((size_t)n < len) {
        send_all(c->fd, text + n, len - n);
    }
}

void qmp_conn_send(QmpConn *c, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    send_all(c->fd, text, strlen(text));
    g_free(text);
}

/* Read more bytes; false on EOF or when the deadline passes. */
static bool conn_fill(QmpConn *c, int64_t deadline)
{
    char buf[65536];
    ssize_t n;

    if (c->eof || !wait_readable(c->fd, deadline)) {
        return false;
    }
    do {
        n = recv(c->fd, buf, sizeof(buf), 0);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
        c->eof = true;
        return false;
    }
    g_string_append_len(c->buf, buf, n);
    if (c->buf->len > MAX_LINE) {
        g_error("QMP message longer than %u bytes", MAX_LINE);
    }
    return true;
}

/* One message off the wire (each is a line); NULL on timeout or EOF. */
static json_t *conn_read_message(QmpConn *c, int64_t deadline)
{
    for (;;) {
        char *nl = memchr(c->buf->str, '\n', c->buf->len);
        if (nl) {
            size_t len = nl - c->buf->str;
            json_error_t jerr;
            json_t *msg;

            if (len == 0 || (len == 1 && c->buf->str[0] == '\r')) {
                g_string_erase(c->buf, 0, len + 1);
                continue;
            }
            msg = json_loadb(c->buf->str, len, 0, &jerr);
            if (!msg || !json_is_object(msg)) {
                g_error("vireo sent invalid QMP output (%s): %.*s", jerr.text,
                        (int)len, c->buf->str);
            }
            g_string_erase(c->buf, 0, len + 1);
            return msg;
        }
        if (!conn_fill(c, deadline)) {
            return NULL;
        }
    }
}

static bool is_event(json_t *msg)
{
    return json_object_get(msg, "event") != NULL;
}

json_t *qmp_conn_receive(QmpConn *c)
{
    int64_t deadline = now_ms() + timeout_s() * 1000;

    if (!g_queue_is_empty(c->replies)) {
        return g_queue_pop_head(c->replies);
    }
    for (;;) {
        json_t *msg = conn_read_message(c, deadline);
        if (!msg) {
            g_error("no QMP reply from vireo (%s)",
                    c->eof ? "connection closed" : "timeout");
        }
        if (!is_event(msg)) {
            return msg;
        }
        g_queue_push_tail(c->events, msg);
    }
}

json_t *qmp_conn_receive_any_timeout(QmpConn *c, int timeout_ms)
{
    if (!g_queue_is_empty(c->events)) {
        return g_queue_pop_head(c->events);
    }
    if (!g_queue_is_empty(c->replies)) {
        return g_queue_pop_head(c->replies);
    }
    return conn_read_message(c, now_ms() + timeout_ms);
}

static json_t *take_queued_event(QmpConn *c, const char *event)
{
    for (GList *l = c->events->head; l; l = l->next) {
        const char *name = json_string_value(json_object_get(l->data, "event"));
        if (name && !strcmp(name, event)) {
            json_t *msg = l->data;
            g_queue_delete_link(c->events, l);
            return msg;
        }
    }
    return NULL;
}

static json_t *event_wait_until(QmpConn *c, const char *event, int64_t deadline)
{
    json_t *msg = take_queued_event(c, event);

    while (!msg) {
        json_t *m = conn_read_message(c, deadline);
        if (!m) {
            return NULL;
        }
        g_queue_push_tail(is_event(m) ? c->events : c->replies, m);
        msg = take_queued_event(c, event);
    }
    return msg;
}

json_t *qmp_conn_eventwait(QmpConn *c, const char *event)
{
    json_t *msg = event_wait_until(c, event, now_ms() + timeout_s() * 1000);
    if (!msg) {
        g_error("QMP event %s did not arrive (%s)", event,
                c->eof ? "connection closed" : "timeout");
    }
    return msg;
}

json_t *qmp_conn_event_poll(QmpConn *c, const char *event)
{
    return event_wait_until(c, event, now_ms());
}

bool qmp_conn_wait_eof(QmpConn *c, int timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;

    while (!c->eof) {
        if (!conn_fill(c, deadline) && !c->eof) {
            return false;
        }
    }
    return true;
}

json_t *qmp_conn_vcmd(QmpConn *c, const char *fmt, va_list ap)
{
    char *text = g_strdup_vprintf(fmt, ap);
    send_all(c->fd, text, strlen(text));
    g_free(text);
    return qmp_conn_receive(c);
}

json_t *qmp_conn_cmd(QmpConn *c, const char *fmt, ...)
{
    va_list ap;
    json_t *rsp;

    va_start(ap, fmt);
    rsp = qmp_conn_vcmd(c, fmt, ap);
    va_end(ap);
    return rsp;
}

json_t *qmp_conn_cmd_fds(QmpConn *c, const int *fds, size_t nfds,
                         const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send_fds(c, fds, nfds, text);
    g_free(text);
    return qmp_conn_receive(c);
}

json_t *qmp_conn_handshake(QmpConn *c)
{
    json_t *greeting = qmp_conn_receive(c);
    json_t *rsp;

    g_assert(json_object_get(greeting, "QMP"));
    rsp = qmp_conn_cmd(c, "{\"execute\": \"qmp_capabilities\"}");
    g_assert(qmp_return(rsp));
    json_decref(rsp);
    return greeting;
}

/* ---------------------------------------------------------------- */
/* Reply helpers                                                     */

static json_t *error_member(json_t *rsp, const char *key)
{
    json_t *err = json_object_get(rsp, "error");
    return err ? json_object_get(err, key) : NULL;
}

const char *qmp_error_class(json_t *rsp)
{
    return json_string_value(error_member(rsp, "class"));
}

const char *qmp_error_desc(json_t *rsp)
{
    return json_string_value(error_member(rsp, "desc"));
}

json_t *qmp_return(json_t *rsp)
{
    return json_object_get(rsp, "return");
}

void qmp_assert_error(json_t *rsp, const char *cls, const char *desc)
{
    if (!qmp_error_class(rsp)) {
        char *text = json_dumps(rsp, JSON_COMPACT);
        g_error("expected a QMP error, got %s", text);
    }
    g_assert_cmpstr(qmp_error_class(rsp), ==, cls);
    if (desc) {
        g_assert_cmpstr(qmp_error_desc(rsp), ==, desc);
    }
}

/* ---------------------------------------------------------------- */
/* Process start                                                     */

static int listen_unix(const char *path)
{
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(sun.sun_path));
    strcpy(sun.sun_path, path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 ||
        listen(fd, 1) < 0) {
        g_error("cannot listen on %s: %s", path, g_strerror(errno));
    }
    return fd;
}

static QTestState *state_new(void)
{
    QTestState *s = g_new0(QTestState, 1);
    GError *gerr = NULL;

    install_abort_handler();
    s->tmpdir = g_dir_make_tmp("vireo-qtest-XXXXXX", &gerr);
    g_assert_no_error(gerr);
    s->stderr_path = g_build_filename(s->tmpdir, "stderr", NULL);
    s->qtest_fd = -1;
    s->qtest_buf = g_string_new(NULL);
    live_states = g_list_prepend(live_states, s);
    return s;
}

/* fork + /bin/sh -c "exec BINARY ARGS", stderr into the state's file. */
static void spawn(QTestState *s, const char *args)
{
    char *cmd = g_strdup_printf("exec %s %s", qtest_binary(), args);
    pid_t pid;

    if (getenv("QTEST_VERBOSE")) {
        g_printerr("# %s\n", cmd);
    }
    pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        int fd = open(s->stderr_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0) {
            dup2(fd, STDERR_FILENO);
            close(fd);
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    g_free(cmd);
    s->pid = pid;
}

static int decode_status(int status)
{
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? -WTERMSIG(status) : -1000;
}

/* Reap without blocking; true once the process has exited. */
static bool try_reap(QTestState *s)
{
    int st;
    pid_t r;

    if (s->reaped) {
        return true;
    }
    do {
        r = waitpid(s->pid, &st, WNOHANG);
    } while (r < 0 && errno == EINTR);
    if (r == s->pid) {
        s->reaped = true;
        s->status = decode_status(st);
    }
    return s->reaped;
}

static void fail_early_exit(QTestState *s, const char *what)
{
    char *err = qtest_stderr(s);
    g_error("vireo %s before connecting (status %d); stderr:\n%s", what,
            s->reaped ? s->status : 0, err);
}

/* Accept one connection, failing if vireo exits or the timeout expires. */
static int accept_child(QTestState *s, int lfd)
{
    int64_t deadline = now_ms() + timeout_s() * 1000;

    while (now_ms() < deadline) {
        if (wait_readable(lfd, MIN(deadline, now_ms() + 50))) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
        if (try_reap(s)) {
            fail_early_exit(s, "exited");
        }
    }
    fail_early_exit(s, "timed out");
    return -1;
}

static QTestState *init_common(const char *extra_args, bool handshake)
{
    QTestState *s = state_new();
    char *sock = g_build_filename(s->tmpdir, "qtest.sock", NULL);
    char *qmp = g_build_filename(s->tmpdir, "qmp.sock", NULL);
    int lq = listen_unix(sock), lm = listen_unix(qmp);
    char *args;
    json_t *greeting;

    args = g_strdup_printf(
        "-qtest unix:%s -qtest-log %s -chardev socket,path=%s,id=char0 "
        "-mon chardev=char0,mode=control -display none -audio none "
        "-run-with exit-with-parent=on %s -accel qtest",
        sock, getenv("QTEST_LOG") ? "/dev/fd/2" : "/dev/null", qmp,
        extra_args ? extra_args : "");
    spawn(s, args);
    g_free(args);
    s->qtest_fd = accept_child(s, lq);
    s->qmp = qmp_conn_new(accept_child(s, lm));
    close(lq);
    close(lm);
    unlink(sock);
    unlink(qmp);
    g_free(sock);
    g_free(qmp);
    if (handshake) {
        greeting = qmp_conn_handshake(s->qmp);
        json_decref(greeting);
        g_assert(qtest_endianness(s));
    }
    return s;
}

QTestState *qtest_init(const char *extra_args)
{
    return init_common(extra_args, true);
}

QTestState *qtest_initf(const char *fmt, ...)
{
    va_list ap;
    char *args;
    QTestState *s;

    va_start(ap, fmt);
    args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    s = qtest_init(args);
    g_free(args);
    return s;
}

QTestState *qtest_init_without_qmp_handshake(const char *extra_args)
{
    return init_common(extra_args, false);
}

QTestState *qtest_spawn(const char *args)
{
    QTestState *s = state_new();
    spawn(s, args);
    return s;
}

pid_t qtest_pid(QTestState *s)
{
    return s->pid;
}

const char *qtest_tmpdir(QTestState *s)
{
    return s->tmpdir;
}

QmpConn *qtest_qmp_conn(QTestState *s)
{
    g_assert(s->qmp);
    return s->qmp;
}

char *qtest_stderr(QTestState *s)
{
    char *text = NULL;

    if (!g_file_get_contents(s->stderr_path, &text, NULL, NULL)) {
        return g_strdup("");
    }
    return text;
}

/* ---------------------------------------------------------------- */
/* Process end                                                       */

bool qtest_alive(QTestState *s)
{
    return !try_reap(s);
}

int qtest_wait_exit(QTestState *s)
{
    int64_t deadline = now_ms() + timeout_s() * 1000;

    while (!try_reap(s)) {
        if (now_ms() > deadline) {
            kill(s->pid, SIGKILL);
            g_error("vireo (pid %d) did not exit in time", (int)s->pid);
        }
        g_usleep(5 * 1000);
    }
    return s->status;
}

int qtest_kill(QTestState *s, int sig)
{
    if (!try_reap(s)) {
        kill(s->pid, sig);
    }
    return qtest_wait_exit(s);
}

static void remove_tree(const char *dir)
{
    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name;

    if (!d) {
        return;
    }
    while ((name = g_dir_read_name(d))) {
        char *p = g_build_filename(dir, name, NULL);
        unlink(p);
        g_free(p);
    }
    g_dir_close(d);
    rmdir(dir);
}

void qtest_cleanup(QTestState *s)
{
    if (!s) {
        return;
    }
    if (!try_reap(s)) {
        kill(s->pid, SIGKILL);
        qtest_wait_exit(s);
    }
    if (getenv("QTEST_LOG")) {
        char *err = qtest_stderr(s);
        g_printerr("%s", err);
        g_free(err);
    }
    if (s->qtest_fd >= 0) {
        close(s->qtest_fd);
    }
    qmp_conn_close(s->qmp);
    g_string_free(s->qtest_buf, TRUE);
    remove_tree(s->tmpdir);
    live_states = g_list_remove(live_states, s);
    g_free(s->tmpdir);
    g_free(s->stderr_path);
    g_free(s->endianness);
    g_free(s);
}

int qtest_quit(QTestState *s)
{
    int status = qtest_kill(s, SIGTERM);
    qtest_cleanup(s);
    return status;
}

/* ---------------------------------------------------------------- */
/* QMP on the default monitor                                        */

json_t *qtest_qmp(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    json_t *rsp;

    va_start(ap, fmt);
    rsp = qmp_conn_vcmd(qtest_qmp_conn(s), fmt, ap);
    va_end(ap);
    return rsp;
}

json_t *qtest_qmp_fds(QTestState *s, const int *fds, size_t nfds,
                      const char *fmt, ...)
{
    va_list ap;
    char *text;
    json_t *rsp;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send_fds(qtest_qmp_conn(s), fds, nfds, text);
    g_free(text);
    rsp = qmp_conn_receive(s->qmp);
    return rsp;
}

void qtest_qmp_send(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *text;

    va_start(ap, fmt);
    text = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qmp_conn_send_raw(qtest_qmp_conn(s), text, strlen(text));
    g_free(text);
}

void qtest_qmp_send_raw(QTestState *s, const char *bytes, size_t len)
{
    qmp_conn_send_raw(qtest_qmp_conn(s), bytes, len);
}

json_t *qtest_qmp_receive(QTestState *s)
{
    return qmp_conn_receive(qtest_qmp_conn(s));
}

json_t *qtest_qmp_eventwait(QTestState *s, const char *event)
{
    return qmp_conn_eventwait(qtest_qmp_conn(s), event);
}

static json_t *assert_success_v(QTestState *s, const char *fmt, va_list ap)
{
    json_t *rsp = qmp_conn_vcmd(qtest_qmp_conn(s), fmt, ap);
    json_t *ret = json_incref(qmp_return(rsp));

    if (!ret) {
        char *text = json_dumps(rsp, JSON_COMPACT);
        g_error("QMP command failed: %s", text);
    }
    json_decref(rsp);
    return ret;
}

void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    json_decref(assert_success_v(s, fmt, ap));
    va_end(ap);
}

json_t *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    json_t *ret;

    va_start(ap, fmt);
    ret = assert_success_v(s, fmt, ap);
    va_end(ap);
    return ret;
}

/* ---------------------------------------------------------------- */
/* qtest protocol                                                    */

static void qtest_handle_irq_line(QTestState *s, const char *line)
{
    bool raise = g_str_has_prefix(line, "IRQ raise ");
    const char *num = line + strlen("IRQ raise "); /* = "IRQ lower " */
    char *end;
    long n = strtol(num, &end, 10);

    if (*end || n < 0 || n >= (long)G_N_ELEMENTS(s->irq_level)) {
        g_error("bad IRQ line from vireo: %s", line);
    }
    s->irq_level[n] = raise;
}

static bool is_irq_line(const char *line)
{
    return g_str_has_prefix(line, "IRQ raise ") ||
           g_str_has_prefix(line, "IRQ lower ");
}

/* One line from the qtest socket; NULL when none arrives by the deadline. */
static char *qtest_read_line(QTestState *s, int64_t deadline)
{
    for (;;) {
        char *nl = memchr(s->qtest_buf->str, '\n', s->qtest_buf->len);
        char buf[65536];
        ssize_t n;

        if (nl) {
            char *line = g_strndup(s->qtest_buf->str, nl - s->qtest_buf->str);
            g_string_erase(s->qtest_buf, 0, nl - s->qtest_buf->str + 1);
            return line;
        }
        if (!wait_readable(s->qtest_fd, deadline)) {
            return NULL;
        }
        do {
            n = recv(s->qtest_fd, buf, sizeof(buf), 0);
        } while (n < 0 && errno == EINTR);
        if (n <= 0) {
            g_error("qtest connection closed by vireo");
        }
        g_string_append_len(s->qtest_buf, buf, n);
        if (s->qtest_buf->len > MAX_LINE) {
            g_error("qtest reply longer than %u bytes", MAX_LINE);
        }
    }
}

/* Next reply line, handling IRQ lines that come before it. */
static char *qtest_reply(QTestState *s)
{
    int64_t deadline = now_ms() + timeout_s() * 1000;

    for (;;) {
        char *line = qtest_read_line(s, deadline);
        if (!line) {
            g_error("no qtest reply from vireo (timeout)");
        }
        if (!is_irq_line(line)) {
            return line;
        }
        qtest_handle_irq_line(s, line);
        g_free(line);
    }
}

char *qtest_raw_cmd(QTestState *s, const char *line)
{
    g_assert(s->qtest_fd >= 0);
    send_all(s->qtest_fd, line, strlen(line));
    if (!g_str_has_suffix(line, "\n")) {
        send_all(s->qtest_fd, "\n", 1);
    }
    return qtest_reply(s);
}

void qtest_send_raw(QTestState *s, const char *bytes, size_t len)
{
    g_assert(s->qtest_fd >= 0);
    send_all(s->qtest_fd, bytes, len);
}

char *qtest_raw_cmdf(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *line, *reply;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_raw_cmd(s, line);
    g_free(line);
    return reply;
}

/* Send a command and require "OK" or "OK value"; returns the value. */
static char *qtest_ok(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static char *qtest_ok(QTestState *s, const char *fmt, ...)
{
    va_list ap;
    char *line, *reply, *val;

    va_start(ap, fmt);
    line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    reply = qtest_raw_cmd(s, line);
    if (strcmp(reply, "OK") && !g_str_has_prefix(reply, "OK ")) {
        g_error("qtest '%s' failed: %s", line, reply);
    }
    val = g_strdup(reply[2] ? reply + 3 : "");
    g_free(line);
    g_free(reply);
    return val;
}

static uint64_t parse_u64(const char *text)
{
    char *end;
    uint64_t v;

    errno = 0;
    v = g_ascii_strtoull(text, &end, 0);
    if (errno || !*text || *end) {
        g_error("bad number in qtest reply: '%s'", text);
    }
    return v;
}

static uint64_t qtest_read_scalar(QTestState *s, const char *cmd,
                                  uint64_t addr)
{
    char *val = qtest_ok(s, "%s 0x%" G_GINT64_MODIFIER "x", cmd, addr);
    uint64_t v = parse_u64(val);
    g_free(val);
    return v;
}

static void qtest_write_scalar(QTestState *s, const char *cmd, uint64_t addr,
                               uint64_t val)
{
    g_free(qtest_ok(s, "%s 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER
                    "x", cmd, addr, val));
}

uint8_t qtest_readb(QTestState *s, uint64_t addr)
{
    return qtest_read_scalar(s, "readb", addr);
}

uint16_t qtest_readw(QTestState *s, uint64_t addr)
{
    return qtest_read_scalar(s, "readw", addr);
}

uint32_t qtest_readl(QTestState *s, uint64_t addr)
{
    return qtest_read_scalar(s, "readl", addr);
}

uint64_t qtest_readq(QTestState *s, uint64_t addr)
{
    return qtest_read_scalar(s, "readq", addr);
}

void qtest_writeb(QTestState *s, uint64_t addr, uint8_t val)
{
    qtest_write_scalar(s, "writeb", addr, val);
}

void qtest_writew(QTestState *s, uint64_t addr, uint16_t val)
{
    qtest_write_scalar(s, "writew", addr, val);
}

void qtest_writel(QTestState *s, uint64_t addr, uint32_t val)
{
    qtest_write_scalar(s, "writel", addr, val);
}

void qtest_writeq(QTestState *s, uint64_t addr, uint64_t val)
{
    qtest_write_scalar(s, "writeq", addr, val);
}

uint8_t qtest_inb(QTestState *s, uint16_t port)
{
    return qtest_read_scalar(s, "inb", port);
}

uint16_t qtest_inw(QTestState *s, uint16_t port)
{
    return qtest_read_scalar(s, "inw", port);
}

uint32_t qtest_inl(QTestState *s, uint16_t port)
{
    return qtest_read_scalar(s, "inl", port);
}

void qtest_outb(QTestState *s, uint16_t port, uint8_t val)
{
    qtest_write_scalar(s, "outb", port, val);
}

void qtest_outw(QTestState *s, uint16_t port, uint16_t val)
{
    qtest_write_scalar(s, "outw", port, val);
}

void qtest_outl(QTestState *s, uint16_t port, uint32_t val)
{
    qtest_write_scalar(s, "outl", port, val);
}

void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    char *val = qtest_ok(s, "read 0x%" G_GINT64_MODIFIER "x 0x%zx", addr, size);
    uint8_t *out = data;

    if (strlen(val) != 2 + 2 * size || strncmp(val, "0x", 2)) {
        g_error("bad 'read' reply: %s", val);
    }
    for (size_t i = 0; i < size; i++) {
        int hi = g_ascii_xdigit_value(val[2 + 2 * i]);
        int lo = g_ascii_xdigit_value(val[3 + 2 * i]);
        if (hi < 0 || lo < 0) {
            g_error("bad hex in 'read' reply: %s", val);
        }
        out[i] = hi << 4 | lo;
    }
    g_free(val);
}

void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    GString *hex = g_string_sized_new(size * 2 + 3);
    const uint8_t *in = data;

    g_string_append(hex, "0x");
    for (size_t i = 0; i < size; i++) {
        g_string_append_printf(hex, "%02x", in[i]);
    }
    if (size == 0) {
        g_string_append(hex, "00");
    }
    g_free(qtest_ok(s, "write 0x%" G_GINT64_MODIFIER "x 0x%zx %s", addr, size,
                    hex->str));
    g_string_free(hex, TRUE);
}

void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size)
{
    char *val = qtest_ok(s, "b64read 0x%" G_GINT64_MODIFIER "x 0x%zx", addr,
                         size);
    gsize len;
    guchar *bytes = g_base64_decode(val, &len);

    if (len != size) {
        g_error("b64read returned %zu bytes, wanted %zu", (size_t)len, size);
    }
    memcpy(data, bytes, size);
    g_free(bytes);
    g_free(val);
}

void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size)
{
    char *b64 = g_base64_encode(data, size);
    g_free(qtest_ok(s, "b64write 0x%" G_GINT64_MODIFIER "x 0x%zx %s", addr,
                    size, b64));
    g_free(b64);
}

void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size)
{
    g_free(qtest_ok(s, "memset 0x%" G_GINT64_MODIFIER "x 0x%zx 0x%02x", addr,
                    size, pattern));
}

static int64_t clock_reply(char *val)
{
    int64_t ns = (int64_t)parse_u64(val);
    g_free(val);
    return ns;
}

int64_t qtest_clock_step(QTestState *s, int64_t ns)
{
    return clock_reply(qtest_ok(s, "clock_step %" G_GINT64_FORMAT, ns));
}

int64_t qtest_clock_step_next(QTestState *s)
{
    return clock_reply(qtest_ok(s, "clock_step"));
}

int64_t qtest_clock_set(QTestState *s, int64_t ns)
{
    return clock_reply(qtest_ok(s, "clock_set %" G_GINT64_FORMAT, ns));
}

void qtest_irq_intercept_in(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_in %s", qom_path));
}

void qtest_irq_intercept_out(QTestState *s, const char *qom_path)
{
    g_free(qtest_ok(s, "irq_intercept_out %s", qom_path));
}

bool qtest_get_irq(QTestState *s, int n)
{
    char *line;

    g_assert(n >= 0 && n < (int)G_N_ELEMENTS(s->irq_level));
    /* Consume IRQ lines that are already there, without waiting. */
    while ((line = qtest_read_line(s, now_ms()))) {
        if (!is_irq_line(line)) {
            g_error("unexpected qtest line: %s", line);
        }
        qtest_handle_irq_line(s, line);
        g_free(line);
    }
    return s->irq_level[n];
}

const char *qtest_endianness(QTestState *s)
{
    if (!s->endianness) {
        s->endianness = qtest_ok(s, "endianness");
    }
    return s->endianness;
}

/* ---------------------------------------------------------------- */
/* Test registration                                                 */

static GTestFunc teardown_fn;

void qtest_set_teardown(GTestFunc teardown)
{
    teardown_fn = teardown;
}

typedef struct ForkedTest {
    GTestFunc fn;
    GTestDataFunc data_fn;
    gconstpointer data;
} ForkedTest;

static void run_forked(gconstpointer opaque)
{
    const ForkedTest *t = opaque;
    const char *nofork = getenv("QTEST_NO_FORK");
    char *skip_file, *reason = NULL;

    if (g_test_subprocess() || (nofork && *nofork && strcmp(nofork, "0"))) {
        if (t->fn) {
            t->fn();
        } else {
            t->data_fn(t->data);
        }
        if (teardown_fn) {
            teardown_fn();
        }
        return;
    }
    skip_file = g_strdup_printf("%s/qtest-skip-%d", g_get_tmp_dir(),
                                (int)getpid());
    unlink(skip_file);
    g_setenv("QTEST_SKIP_FILE", skip_file, TRUE);
    g_test_trap_subprocess(NULL, (guint64)(timeout_s() * 4) * G_USEC_PER_SEC,
                           G_TEST_SUBPROCESS_INHERIT_STDERR);
    if (g_file_get_contents(skip_file, &reason, NULL, NULL)) {
        /* The child skipped (GLib gives no other way to tell). */
        g_test_skip(reason);
        g_free(reason);
    } else if (!g_test_trap_has_passed()) {
        /* Its stderr (the reason) was passed through already. */
        g_test_message("test subprocess failed");
        g_test_fail();
    }
    unlink(skip_file);
    g_free(skip_file);
}

void qtest_skip(const char *reason)
{
    const char *file = getenv("QTEST_SKIP_FILE");

    /* In a forked test, tell the parent; it reports the skip. */
    if (g_test_subprocess() && file) {
        g_file_set_contents(file, reason, -1, NULL);
    }
    g_test_skip(reason);
}

void qtest_test_init(int *argc, char ***argv)
{
    char **args = g_new0(char *, *argc + 2);

    memcpy(args, *argv, sizeof(char *) * *argc);
    args[*argc] = (char *)"--keep-going";
    *argc += 1;
    *argv = args; /* lives as long as the process */
    g_test_init(argc, argv, NULL);
}

void qtest_add_func(const char *path, GTestFunc fn)
{
    ForkedTest *t = g_new0(ForkedTest, 1); /* lives as long as the tests */

    t->fn = fn;
    g_test_add_data_func(path, t, run_forked);
}

void qtest_add_data_func(const char *path, gconstpointer data,
                         GTestDataFunc fn)
{
    ForkedTest *t = g_new0(ForkedTest, 1);

    t->data_fn = fn;
    t->data = data;
    g_test_add_data_func(path, t, run_forked);
}

/* ---------------------------------------------------------------- */
/* Running the binary to completion, and small helpers               */

static void drain_into(int *fd, GString *out)
{
    char buf[65536];
    ssize_t n = read(*fd, buf, sizeof(buf));

    if (n > 0) {
        g_string_append_len(out, buf, n);
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        close(*fd);
        *fd = -1;
    }
}

int vireo_run(const char *args, char **out, char **err)
{
    char *cmd = g_strdup_printf("exec %s %s", qtest_binary(), args);
    char *argv[] = { "/bin/sh", "-c", cmd, NULL };
    GString *obuf = g_string_new(NULL), *ebuf = g_string_new(NULL);
    int64_t deadline = now_ms() + timeout_s() * 1000;
    GError *gerr = NULL;
    int ofd, efd, st;
    GPid pid;

    if (getenv("QTEST_VERBOSE")) {
        g_printerr("# %s\n", cmd);
    }
    g_spawn_async_with_pipes(NULL, argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
                             NULL, NULL, &pid, NULL, &ofd, &efd, &gerr);
    g_assert_no_error(gerr);
    /* Read until both pipes close (a daemon hands them on to /dev/null). */
    while (ofd >= 0 || efd >= 0) {
        struct pollfd p[2] = { { .fd = ofd, .events = POLLIN },
                               { .fd = efd, .events = POLLIN } };
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            g_error("'%s' did not finish in time; stderr: %s", cmd, ebuf->str);
        }
        if (poll(p, 2, (int)left) <= 0) {
            continue;
        }
        if (ofd >= 0 && p[0].revents) {
            drain_into(&ofd, obuf);
        }
        if (efd >= 0 && p[1].revents) {
            drain_into(&efd, ebuf);
        }
    }
    while (waitpid(pid, &st, WNOHANG) == 0) {
        if (now_ms() > deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            g_error("'%s' did not exit in time", cmd);
        }
        g_usleep(2 * 1000);
    }
    g_free(cmd);
    if (out) {
        *out = g_string_free(obuf, FALSE);
    } else {
        g_string_free(obuf, TRUE);
    }
    if (err) {
        *err = g_string_free(ebuf, FALSE);
    } else {
        g_string_free(ebuf, TRUE);
    }
    return decode_status(st);
}

int qtest_free_tcp_port(void)
{
    struct sockaddr_in sin = { .sin_family = AF_INET };
    socklen_t len = sizeof(sin);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int port;

    g_assert_cmpint(fd, >=, 0);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), ==, 0);
    g_assert_cmpint(getsockname(fd, (struct sockaddr *)&sin, &len), ==, 0);
    port = ntohs(sin.sin_port);
    close(fd);
    return port;
}

int qtest_count_fds(pid_t pid)
{
    char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *d = g_dir_open(path, 0, NULL);
    int n = 0;

    g_assert(d);
    while (g_dir_read_name(d)) {
        n++;
    }
    g_dir_close(d);
    g_free(path);
    return n;
}

bool qtest_proc_has_fd_to(pid_t pid, const char *target)
{
    char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *d = g_dir_open(path, 0, NULL);
    const char *name;
    bool found = false;

    g_assert(d);
    while (!found && (name = g_dir_read_name(d))) {
        char *link = g_build_filename(path, name, NULL);
        char *dest = g_file_read_link(link, NULL);
        found = dest && !strcmp(dest, target);
        g_free(dest);
        g_free(link);
    }
    g_dir_close(d);
    g_free(path);
    return found;
}

int qtest_count_lines(const char *text)
{
    int n = 0;
    const char *p = text;

    while (*p) {
        const char *nl = strchr(p, '\n');
        n++;
        if (!nl) {
            break;
        }
        p = nl + 1;
    }
    return n;
}
