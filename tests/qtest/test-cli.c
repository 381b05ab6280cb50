/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The command line of the real binary: errors, help, signals, daemons. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "libqtest.h"

/* Options every run gets, so that only the option under test can fail. */
#define BASE "-M none -accel qtest -display none "

typedef struct BadCase {
    const char *name;  /* test path component */
    const char *args;  /* after BASE (shell words) */
    const char *must1; /* substrings the error line must contain */
    const char *must2;
} BadCase;

static const BadCase bad_cases[] = {
    { "unknown-option", "-bogus", "-bogus", "invalid option" },
    { "unknown-option-dd", "--frob", "--frob", NULL },
    { "not-an-option", "stray", "stray", NULL },
    { "missing-argument", "-m", "-m", "argument" },
    { "chardev-unknown-key", "-chardev null,id=c0,foo=1", "-chardev", "foo" },
    { "mon-unknown-key", "-chardev null,id=c0 -mon chardev=c0,bar=1",
      "-mon", "bar" },
    { "m-unknown-key", "-m 64,foo=1", "-m", "foo" },
    { "smp-unknown-key", "-smp 1,foo=1", "-smp", "foo" },
    { "name-unknown-key", "-name x,foo=1", "-name", "foo" },
    { "accel-unknown-key", "-accel qtest,foo=1", "accel", "foo" },
    { "bad-number", "-smp abc", "-smp", "abc" },
    { "bad-number-negative", "-smp -3", "-smp", NULL },
    { "bad-size", "-m 12Q", "-m", "12Q" },
    { "bad-size-object", "-object memory-backend-ram,id=m0,size=1X",
      "-object", "size" },
    { "zero-size", "-m 0", "-m", NULL },
    { "bad-bool", "-chardev socket,id=c0,path=/tmp/x,server=maybe",
      "-chardev", "server" },
    { "bad-bool-name", "-name x,debug-threads=perhaps", "-name",
      "debug-threads" },
    { "json-netdev", "-netdev '{bad'", "-netdev", "JSON" },
    { "json-device", "-device '{\"driver\":'", "-device", "JSON" },
    { "json-object", "-object '{\"qom-type\" 1}'", "-object", "JSON" },
    { "json-machine", "-machine '{\"type\"'", "-machine", "JSON" },
    { "missing-id", "-chardev socket,path=/tmp/x", "-chardev", "id" },
    { "missing-driver", "-device id=d0", "-device", "driver" },
    { "missing-qom-type", "-object id=o0", "-object", "qom-type" },
    { "missing-netdev-type", "-netdev id=n0", "-netdev", "type" },
    { "mon-unknown-chardev", "-mon chardev=nope,mode=control", "-mon",
      "nope" },
    { "unknown-machine", "-M nosuch", "machine", "nosuch" },
    { "unknown-machine-prop", "-M virt,foo=bar", "machine", "foo" },
    { "smp-too-large", "-smp 9999", "smp", "9999" },
    { "display-gtk", "-display gtk", "-display", "gtk" },
    { "audio-pa", "-audio pa", "-audio", "pa" },
    { "accel-kvm", "-accel kvm", "accel", "kvm" },
    { "netdev-unknown-type", "-netdev bogus,id=n0", "-netdev", "bogus" },
    { "device-unknown", "-device nosuch", "-device", "nosuch" },
    { "global-bad", "-global foo", "-global", "foo" },
    { "set-unknown-group", "-set nogroup.x.y=z", "-set", "nogroup" },
    { "set-unknown-id", "-chardev null,id=c0 -set chardev.c9.path=x", "-set",
      "c9" },
    { "add-fd-stdio", "-add-fd fd=1,set=1", "-add-fd", "fd" },
    { "add-fd-missing", "-add-fd set=1", "-add-fd", "fd" },
    { "add-fd-closed", "-add-fd fd=987,set=1", "-add-fd", "987" },
    { "serial-bad", "-serial bogus:x", "-serial", "bogus" },
    { "qtest-unreachable", "-qtest unix:/nonexistent/q.sock", "qtest",
      "/nonexistent/q.sock" },
    { NULL },
};

static void test_bad_input(gconstpointer data)
{
    const BadCase *c = data;
    char *args = g_strdup_printf(BASE "%s", c->args);
    char *out = NULL, *err = NULL;
    int status = vireo_run(args, &out, &err);

    g_test_message("stderr: %s", err);
    g_assert_cmpint(status, ==, 1);
    g_assert_cmpstr(out, ==, "");
    /* Exactly one line, naming the option (and the bad part). */
    g_assert_cmpint(qtest_count_lines(err), ==, 1);
    g_assert_true(g_str_has_suffix(err, "\n"));
    g_assert_true(g_str_has_prefix(err, "vireo: "));
    g_assert_nonnull(strcasestr(err, c->must1));
    if (c->must2) {
        g_assert_nonnull(strcasestr(err, c->must2));
    }
    g_free(args);
    g_free(out);
    g_free(err);
}

typedef struct HelpCase {
    const char *name;
    const char *args;
    const char *must1;
    const char *must2;
} HelpCase;

static const HelpCase help_cases[] = {
    { "h", "-h", "-machine", "-qmp" },
    { "help", "--help", "-chardev", "-netdev" },
    { "machine", "-machine help", "virt", "none" },
    { "machine-props", "-machine virt,help", "virt", NULL },
    { "accel", "-accel help", "qtest", "tcg" },
    { "netdev", "-netdev help", "netdev", NULL },
    { "device", "-device help", "", NULL },
    { "chardev", "-chardev help", "socket", "file" },
    { "version", "-version", "QEMU emulator version ", NULL },
    { "version-dd", "--version", "QEMU emulator version ", NULL },
    { NULL },
};

static void test_help(gconstpointer data)
{
    const HelpCase *c = data;
    char *out = NULL, *err = NULL;
    int status = vireo_run(c->args, &out, &err);

    g_assert_cmpint(status, ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_assert_cmpstr(out, !=, "");
    g_assert_nonnull(strstr(out, c->must1));
    if (c->must2) {
        g_assert_nonnull(strstr(out, c->must2));
    }
    if (g_str_has_prefix(c->must1, "QEMU emulator version")) {
        g_assert_true(g_str_has_prefix(out, c->must1));
    }
    g_free(out);
    g_free(err);
}

/* Wait (bounded) until path exists; false on timeout. */
static bool wait_for_file(const char *path, bool exists)
{
    for (int i = 0; i < 1000; i++) {
        if (g_file_test(path, G_FILE_TEST_EXISTS) == exists) {
            return true;
        }
        g_usleep(10 * 1000);
    }
    return false;
}

static pid_t read_pidfile(const char *path)
{
    char *text = NULL;
    long pid;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    pid = strtol(text, NULL, 10);
    g_free(text);
    g_assert_cmpint(pid, >, 1);
    return (pid_t)pid;
}

static void test_signal(gconstpointer data)
{
    int sig = GPOINTER_TO_INT(data);
    char *dir = g_dir_make_tmp("vireo-cli-XXXXXX", NULL);
    char *pidfile = g_build_filename(dir, "pid", NULL);
    char *args = g_strdup_printf(BASE "-pidfile %s", pidfile);
    QTestState *s = qtest_spawn(args);
    char *err, *want;

    /* The pidfile is written once start-up is complete. */
    g_assert_true(wait_for_file(pidfile, true));
    g_assert_cmpint(read_pidfile(pidfile), ==, qtest_pid(s));
    g_assert_cmpint(qtest_kill(s, sig), ==, 0);
    err = qtest_stderr(s);
    want = g_strdup_printf("terminating on signal %d", sig);
    g_assert_nonnull(strstr(err, want));
    g_assert_cmpint(qtest_count_lines(err), ==, 1);
    /* The pidfile is removed at exit. */
    g_assert_false(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    qtest_cleanup(s);
    rmdir(dir);
    g_free(want);
    g_free(err);
    g_free(args);
    g_free(pidfile);
    g_free(dir);
}

static void test_daemonize(void)
{
    char *dir = g_dir_make_tmp("vireo-cli-XXXXXX", NULL);
    char *pidfile = g_build_filename(dir, "pid", NULL);
    char *args = g_strdup_printf(BASE "-daemonize -pidfile %s", pidfile);
    char *out = NULL, *err = NULL;
    pid_t pid;

    /* The launcher returns once the daemon is up and its pidfile written. */
    g_assert_cmpint(vireo_run(args, &out, &err), ==, 0);
    g_assert_cmpstr(err, ==, "");
    g_assert_true(g_file_test(pidfile, G_FILE_TEST_EXISTS));
    pid = read_pidfile(pidfile);
    g_assert_cmpint(kill(pid, 0), ==, 0);
    g_assert_cmpint(kill(pid, SIGTERM), ==, 0);
    g_assert_true(wait_for_file(pidfile, false));
    rmdir(dir);
    g_free(out);
    g_free(err);
    g_free(args);
    g_free(pidfile);
    g_free(dir);
}

static void test_daemonize_error(void)
{
    char *out = NULL, *err = NULL;

    /* A start-up failure is reported by the launcher, with status 1. */
    g_assert_cmpint(vireo_run(BASE "-daemonize -qtest unix:/nonexistent/q",
                              &out, &err), ==, 1);
    g_assert_cmpint(qtest_count_lines(err), ==, 1);
    g_free(out);
    g_free(err);
}

static const char *str_member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void assert_status(QTestState *s, const char *want)
{
    json_t *ret = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-status\"}");
    g_assert_cmpstr(str_member(ret, "status"), ==, want);
    json_decref(ret);
}

static void test_start_paused(void)
{
    QTestState *s = qtest_init("-M none -S");

    assert_status(s, "prelaunch");
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    assert_status(s, "running");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_no_shutdown_and_double_dash(void)
{
    QTestState *s = qtest_init("--machine none --no-shutdown --no-reboot "
                               "--name dd --nodefaults -L /tmp");
    json_t *ret = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-name\"}");

    g_assert_cmpstr(str_member(ret, "name"), ==, "dd");
    json_decref(ret);
    assert_status(s, "running");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_comma_escape(void)
{
    char *dir = g_dir_make_tmp("vireo-cli-XXXXXX", NULL);
    char *sock = g_build_filename(dir, "a,b.sock", NULL);
    char *esc = g_build_filename(dir, "a,,b.sock", NULL);
    QTestState *s = qtest_initf("-M none -chardev socket,id=c1,path=%s,"
                                "server=on,wait=off -mon chardev=c1,"
                                "mode=control", esc);
    QmpConn *c = qmp_conn_connect_unix(sock);

    json_decref(qmp_conn_handshake(c));
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    /* The listening socket is removed at exit. */
    g_assert_false(g_file_test(sock, G_FILE_TEST_EXISTS));
    rmdir(dir);
    g_free(sock);
    g_free(esc);
    g_free(dir);
}

static void test_json_forms(void)
{
    QTestState *s = qtest_init(
        "-machine '{\"type\": \"virt\", \"memory-backend\": \"m0\"}' "
        "-object '{\"qom-type\": \"memory-backend-ram\", \"id\": \"m0\", "
        "\"size\": 16777216}'");

    /* 16 MiB of RAM from the backend: the last byte is there, no more. */
    qtest_writeb(s, 0x80000000ull + (16 << 20) - 1, 0x42);
    g_assert_cmphex(qtest_readb(s, 0x80000000ull + (16 << 20) - 1), ==, 0x42);
    {
        char *r = qtest_raw_cmd(s, "readb 0x81000000");
        g_assert_true(g_str_has_prefix(r, "FAIL"));
        g_free(r);
    }
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_set_and_global(void)
{
    char *dir = g_dir_make_tmp("vireo-cli-XXXXXX", NULL);
    char *sock = g_build_filename(dir, "set.sock", NULL);
    QTestState *s = qtest_initf("-M none "
                                "-global virtio-net-pci.mac=52:54:00:00:00:01 "
                                "-chardev socket,id=c1,path=/nonexistent/x,"
                                "server=on,wait=off -set chardev.c1.path=%s "
                                "-mon chardev=c1,mode=control", sock);
    QmpConn *c;

    /* -set moved the socket to the path we own. */
    c = qmp_conn_connect_unix(sock);
    json_decref(qmp_conn_handshake(c));
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    rmdir(dir);
    g_free(sock);
    g_free(dir);
}

static void test_wait_for_client(void)
{
    char *dir = g_dir_make_tmp("vireo-cli-XXXXXX", NULL);
    char *sock = g_build_filename(dir, "w.sock", NULL);
    char *args = g_strdup_printf(BASE "-chardev socket,id=w,path=%s,"
                                 "server=on,wait=on -mon chardev=w,"
                                 "mode=control", sock);
    QTestState *s = qtest_spawn(args);
    QmpConn *c;
    json_t *rsp;
    char *err;

    /* It announces that it waits, and does wait. */
    for (int i = 0; i < 1000; i++) {
        err = qtest_stderr(s);
        if (strstr(err, "waiting for connection")) {
            break;
        }
        g_free(err);
        err = NULL;
        g_usleep(10 * 1000);
    }
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err, sock));
    g_free(err);
    g_usleep(100 * 1000);
    g_assert_true(qtest_alive(s));

    c = qmp_conn_connect_unix(sock);
    json_decref(qmp_conn_handshake(c));
    rsp = qmp_conn_cmd(c, "{\"execute\": \"query-status\"}");
    g_assert_cmpstr(str_member(json_object_get(rsp, "return"), "status"), ==,
                    "running");
    json_decref(rsp);
    qmp_conn_close(c);
    g_assert_cmpint(qtest_kill(s, SIGTERM), ==, 0);
    qtest_cleanup(s);
    rmdir(dir);
    g_free(args);
    g_free(sock);
    g_free(dir);
}

static void early_exit_child(void)
{
    qtest_init("-bogus-option");
}

static void test_libqtest_early_exit(void)
{
    /* The library fails quickly, with vireo's stderr, not a hang. */
    g_test_trap_subprocess("/cli/libqtest-early-exit/subprocess",
                           60 * G_USEC_PER_SEC, 0);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*exited before connecting*");
    g_test_trap_assert_stderr("*-bogus-option: invalid option*");
}

int main(int argc, char **argv)
{
    qtest_test_init(&argc, &argv);
    for (const BadCase *c = bad_cases; c->name; c++) {
        char *path = g_strdup_printf("/cli/bad/%s", c->name);
        qtest_add_data_func(path, c, test_bad_input);
        g_free(path);
    }
    for (const HelpCase *c = help_cases; c->name; c++) {
        char *path = g_strdup_printf("/cli/help/%s", c->name);
        qtest_add_data_func(path, c, test_help);
        g_free(path);
    }
    qtest_add_data_func("/cli/signal/term", GINT_TO_POINTER(SIGTERM),
                         test_signal);
    qtest_add_data_func("/cli/signal/int", GINT_TO_POINTER(SIGINT),
                         test_signal);
    qtest_add_data_func("/cli/signal/hup", GINT_TO_POINTER(SIGHUP),
                         test_signal);
    g_test_add_func("/cli/libqtest-early-exit", test_libqtest_early_exit);
    g_test_add_func("/cli/libqtest-early-exit/subprocess", early_exit_child);
    qtest_add_func("/cli/daemonize", test_daemonize);
    qtest_add_func("/cli/daemonize-error", test_daemonize_error);
    qtest_add_func("/cli/start-paused", test_start_paused);
    qtest_add_func("/cli/no-shutdown-double-dash",
                   test_no_shutdown_and_double_dash);
    qtest_add_func("/cli/comma-escape", test_comma_escape);
    qtest_add_func("/cli/json-forms", test_json_forms);
    qtest_add_func("/cli/set-and-global", test_set_and_global);
    qtest_add_func("/cli/wait-for-client", test_wait_for_client);
    return g_test_run();
}
