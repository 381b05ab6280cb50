/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * qtest client library: starts the real vireo binary, speaks QMP to it and
 * drives the qtest text protocol.
 *
 * Every wait is bounded (QTEST_TIMEOUT_S seconds, overridable with the
 * QTEST_TIMEOUT environment variable): a server that stops answering makes
 * the test fail (abort) instead of hanging it.  Any vireo child still running
 * when the test aborts is killed.
 *
 * Exit statuses are returned as "exit code" (>= 0) or "-signal number" when
 * the process was killed by a signal.
 */
#ifndef TESTS_QTEST_LIBQTEST_H
#define TESTS_QTEST_LIBQTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>
#include <jansson.h>

#define QTEST_TIMEOUT_S 10

/* ---- QMP connections (any monitor: the default one or extra ones) ---- */

typedef struct QmpConn QmpConn;

/* Wrap a connected stream socket (the QmpConn owns it). */
QmpConn *qmp_conn_new(int fd);
/* Connect to a QMP server socket, retrying until it listens (timeout). */
QmpConn *qmp_conn_connect_unix(const char *path);
QmpConn *qmp_conn_connect_tcp(const char *host, int port);
/* Read the greeting, then qmp_capabilities; returns the greeting. */
json_t *qmp_conn_handshake(QmpConn *c);
void qmp_conn_close(QmpConn *c);
int qmp_conn_fd(QmpConn *c);

/* Send a printf-formatted JSON text; returns the reply (events queued). */
json_t *qmp_conn_cmd(QmpConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
json_t *qmp_conn_vcmd(QmpConn *c, const char *fmt, va_list ap)
    G_GNUC_PRINTF(2, 0);
/* Same, with fds attached by SCM_RIGHTS to the message. */
json_t *qmp_conn_cmd_fds(QmpConn *c, const int *fds, size_t nfds,
                         const char *fmt, ...) G_GNUC_PRINTF(4, 5);
/* Send without waiting for the reply. */
void qmp_conn_send(QmpConn *c, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void qmp_conn_send_fds(QmpConn *c, const int *fds, size_t nfds,
                       const char *text);
void qmp_conn_send_raw(QmpConn *c, const char *bytes, size_t len);
/* Next non-event message (a reply or the greeting); events are queued. */
json_t *qmp_conn_receive(QmpConn *c);
/* Next message of any kind, queued events first; NULL on timeout/EOF. */
json_t *qmp_conn_receive_any_timeout(QmpConn *c, int timeout_ms);
/* Wait for an event by name (queued ones first), with the timeout. */
json_t *qmp_conn_eventwait(QmpConn *c, const char *event);
/* A queued or already-arrived event by name, without blocking; or NULL. */
json_t *qmp_conn_event_poll(QmpConn *c, const char *event);
/* True when the server closed the connection (waits up to timeout_ms). */
bool qmp_conn_wait_eof(QmpConn *c, int timeout_ms);

/* ---- Reply helpers (NULL when not an error / not present) ---- */
const char *qmp_error_class(json_t *rsp);
const char *qmp_error_desc(json_t *rsp);
json_t *qmp_return(json_t *rsp); /* borrowed "return" member */
/* Assert rsp is an error of class cls whose desc equals desc (if given). */
void qmp_assert_error(json_t *rsp, const char *cls, const char *desc);

/* ---- A vireo process with a qtest and a QMP connection ---- */

typedef struct QTestState QTestState;

QTestState *qtest_init(const char *extra_args);
QTestState *qtest_initf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Like qtest_init, but the greeting is left unread and nothing negotiated. */
QTestState *qtest_init_without_qmp_handshake(const char *extra_args);
/* Start vireo with exactly these (shell-quoted) args; no connections. */
QTestState *qtest_spawn(const char *args);

pid_t qtest_pid(QTestState *s);
/* Path of the temporary directory the state owns (for extra sockets). */
const char *qtest_tmpdir(QTestState *s);
QmpConn *qtest_qmp_conn(QTestState *s);
/* Everything vireo wrote to stderr so far (caller frees). */
char *qtest_stderr(QTestState *s);

/* Send a signal and wait for the exit; returns the status (see top). */
int qtest_kill(QTestState *s, int sig);
/* Wait for the process to exit by itself; returns the status. */
int qtest_wait_exit(QTestState *s);
/* True when the process is still running (not reaped). */
bool qtest_alive(QTestState *s);
/* Free everything; kills the process first if it still runs. */
void qtest_cleanup(QTestState *s);
/* SIGTERM + waitpid + cleanup; returns the exit status. */
int qtest_quit(QTestState *s);

/* QMP on the default monitor. */
json_t *qtest_qmp(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
json_t *qtest_qmp_fds(QTestState *s, const int *fds, size_t nfds,
                      const char *fmt, ...) G_GNUC_PRINTF(4, 5);
void qtest_qmp_send(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void qtest_qmp_send_raw(QTestState *s, const char *bytes, size_t len);
json_t *qtest_qmp_receive(QTestState *s);
json_t *qtest_qmp_eventwait(QTestState *s, const char *event);
/* Assert success; returns nothing (the reply is freed). */
void qtest_qmp_assert_success(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Assert success; returns a new reference to the "return" member. */
json_t *qtest_qmp_assert_success_ref(QTestState *s, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/* qtest protocol; the typed accessors assert an OK reply. */
char *qtest_raw_cmd(QTestState *s, const char *line); /* reply line */
/* Write bytes to the qtest socket without waiting for anything. */
void qtest_send_raw(QTestState *s, const char *bytes, size_t len);
char *qtest_raw_cmdf(QTestState *s, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
uint8_t qtest_readb(QTestState *s, uint64_t addr);
uint16_t qtest_readw(QTestState *s, uint64_t addr);
uint32_t qtest_readl(QTestState *s, uint64_t addr);
uint64_t qtest_readq(QTestState *s, uint64_t addr);
void qtest_writeb(QTestState *s, uint64_t addr, uint8_t val);
void qtest_writew(QTestState *s, uint64_t addr, uint16_t val);
void qtest_writel(QTestState *s, uint64_t addr, uint32_t val);
void qtest_writeq(QTestState *s, uint64_t addr, uint64_t val);
uint8_t qtest_inb(QTestState *s, uint16_t port);
uint16_t qtest_inw(QTestState *s, uint16_t port);
uint32_t qtest_inl(QTestState *s, uint16_t port);
void qtest_outb(QTestState *s, uint16_t port, uint8_t val);
void qtest_outw(QTestState *s, uint16_t port, uint16_t val);
void qtest_outl(QTestState *s, uint16_t port, uint32_t val);
void qtest_memread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_memwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_bufread(QTestState *s, uint64_t addr, void *data, size_t size);
void qtest_bufwrite(QTestState *s, uint64_t addr, const void *data,
                    size_t size);
void qtest_memset(QTestState *s, uint64_t addr, uint8_t pattern, size_t size);
int64_t qtest_clock_step(QTestState *s, int64_t ns);
int64_t qtest_clock_step_next(QTestState *s);
int64_t qtest_clock_set(QTestState *s, int64_t ns);
void qtest_irq_intercept_in(QTestState *s, const char *qom_path);
void qtest_irq_intercept_out(QTestState *s, const char *qom_path);
/* Level of intercepted line n, after reading pending IRQ lines. */
bool qtest_get_irq(QTestState *s, int n);
const char *qtest_endianness(QTestState *s); /* "little"/"big", owned */

/* ---- Test registration ---- */

/*
 * g_test_add_func, but the test runs in a forked subprocess so that one
 * failing (aborting) test does not hide the results of the others.  The
 * teardown (may be NULL) runs in the subprocess after a passing test.
 * QTEST_NO_FORK=1 runs tests in-process (for debugging).
 */
void qtest_add_func(const char *path, GTestFunc fn);
void qtest_add_data_func(const char *path, gconstpointer data,
                         GTestDataFunc fn);
/* g_test_init, plus --keep-going so one failure doesn't stop the rest. */
void qtest_test_init(int *argc, char ***argv);
void qtest_set_teardown(GTestFunc teardown);
/* Skip the current test with a reason; works in forked tests, where a
 * plain g_test_skip() would be reported as a failure. */
void qtest_skip(const char *reason);

/* ---- Running the binary to completion ---- */

/*
 * Run "$VIREO_BINARY ARGS" through /bin/sh with a timeout (killed and the
 * test failed when it expires).  out/err (may be NULL) get what it printed.
 */
int vireo_run(const char *args, char **out, char **err);

/* The binary under test ($VIREO_BINARY; the test fails when unset). */
const char *qtest_binary(void);
/* A TCP port on 127.0.0.1 that was free a moment ago. */
int qtest_free_tcp_port(void);
/* Number of open fds of a process (from /proc/PID/fd). */
int qtest_count_fds(pid_t pid);
/* True if /proc/PID/fd has an fd whose link target equals target. */
bool qtest_proc_has_fd_to(pid_t pid, const char *target);
/* Number of lines in a text (a last line without '\n' counts). */
int qtest_count_lines(const char *text);

#endif
