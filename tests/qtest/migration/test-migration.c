/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Migration between two real vireo processes: a memory pattern written
 * through qtest on the source must read back on the destination, over
 * every transport; QMP errors, blockers, events, and broken streams.
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <glib.h>
#include "libqtest.h"

#define MACHINE "-M none -m 64M"

static void write_pattern(QTestState *s, uint64_t seed)
{
    uint8_t page[4096];

    /* Scattered words, a whole page, and the last word of RAM. */
    for (int i = 0; i < 64; i++) {
        qtest_writeq(s, (uint64_t)i << 20 | (i * 8), seed ^ (0x1111ULL * i));
    }
    for (int i = 0; i < 4096; i++) {
        page[i] = (uint8_t)(i * 7 + seed);
    }
    qtest_memwrite(s, 0x123000, page, sizeof(page));
    qtest_writeq(s, 64 * 1024 * 1024 - 8, seed);
}

static void check_pattern(QTestState *s, uint64_t seed)
{
    uint8_t page[4096];

    for (int i = 0; i < 64; i++) {
        g_assert_cmphex(qtest_readq(s, (uint64_t)i << 20 | (i * 8)), ==,
                        seed ^ (0x1111ULL * i));
    }
    qtest_memread(s, 0x123000, page, sizeof(page));
    for (int i = 0; i < 4096; i++) {
        g_assert_cmpuint(page[i], ==, (uint8_t)(i * 7 + seed));
    }
    g_assert_cmphex(qtest_readq(s, 64 * 1024 * 1024 - 8), ==, seed);
    /* A page nobody wrote is still zero. */
    g_assert_cmphex(qtest_readq(s, 0x2345000), ==, 0);
}

/* Poll query-migrate until a final status; returns a new reference. */
static json_t *wait_migration_end(QTestState *s)
{
    for (int i = 0; i < 2000; i++) {
        json_t *r =
            qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
        const char *st = json_string_value(json_object_get(r, "status"));
        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed") ||
                   !strcmp(st, "cancelled"))) {
            return r;
        }
        json_decref(r);
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

static void assert_status(json_t *r, const char *want)
{
    const char *st = json_string_value(json_object_get(r, "status"));
    if (g_strcmp0(st, want)) {
        char *t = json_dumps(r, 0);
        g_error("migration status %s, expected %s: %s", st, want, t);
    }
}

static void assert_runstate(QTestState *s, const char *want)
{
    json_t *r = qtest_qmp_assert_success_ref(s, "{'execute':'query-status'}");
    g_assert_cmpstr(json_string_value(json_object_get(r, "status")), ==, want);
    json_decref(r);
}

static void migrate(QTestState *src, const char *uri)
{
    qtest_qmp_assert_success(
        src, "{'execute':'migrate','arguments':{'uri':'%s'}}", uri);
}

/* Source completes, destination completes and runs with the pattern. */
static void finish_and_check(QTestState *src, QTestState *dst, uint64_t seed,
                             const char *dst_state)
{
    json_t *r = wait_migration_end(src);
    json_t *ram = json_object_get(r, "ram");

    assert_status(r, "completed");
    g_assert(json_object_get(r, "total-time"));
    g_assert(json_object_get(r, "downtime"));
    g_assert(json_object_get(r, "setup-time"));
    g_assert_cmpint(json_integer_value(json_object_get(ram, "total")), ==,
                    64 * 1024 * 1024);
    g_assert_cmpint(json_integer_value(json_object_get(ram, "normal")), >=, 65);
    /* Zero pages go as one byte: the stream is far below the RAM size. */
    g_assert_cmpint(json_integer_value(json_object_get(ram, "transferred")), <,
                    2 * 1024 * 1024);
    g_assert_cmpint(json_integer_value(json_object_get(ram, "duplicate")), >,
                    16000);
    json_decref(r);
    assert_runstate(src, "postmigrate");

    r = wait_migration_end(dst);
    assert_status(r, "completed");
    json_decref(r);
    assert_runstate(dst, dst_state);
    check_pattern(dst, seed);
}

static char *tmp_path(QTestState *s, const char *name)
{
    return g_build_filename(qtest_tmpdir(s), name, NULL);
}

static void test_unix(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *sock = tmp_path(src, "mig.sock");
    QTestState *dst = qtest_initf(MACHINE " -incoming unix:%s", sock);
    char *uri = g_strdup_printf("unix:%s", sock);

    assert_runstate(dst, "inmigrate");
    write_pattern(src, 0x5a);
    migrate(src, uri);
    finish_and_check(src, dst, 0x5a, "running");
    g_free(uri);
    g_free(sock);
    qtest_quit(dst);
    qtest_quit(src);
}

static void test_tcp_paused(void)
{
    QTestState *src = qtest_init(MACHINE);
    QTestState *dst = qtest_init(MACHINE " -S -incoming tcp:127.0.0.1:0");
    json_t *r =
        qtest_qmp_assert_success_ref(dst, "{'execute':'query-migrate'}");
    json_t *addr = json_array_get(json_object_get(r, "socket-address"), 0);
    char *uri;

    assert_status(r, "setup");
    g_assert_cmpstr(json_string_value(json_object_get(addr, "type")), ==,
                    "inet");
    uri = g_strdup_printf("tcp:127.0.0.1:%s",
                          json_string_value(json_object_get(addr, "port")));
    json_decref(r);
    write_pattern(src, 0x33);
    migrate(src, uri);
    finish_and_check(src, dst, 0x33, "paused");
    g_free(uri);
    qtest_quit(dst);
    qtest_quit(src);
}

static void test_exec_and_file(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *f1 = tmp_path(src, "via-exec");
    char *f2 = tmp_path(src, "via-file");
    char *uri = g_strdup_printf("exec:cat > %s", f1);
    QTestState *dst;
    json_t *r;

    write_pattern(src, 0x77);
    migrate(src, uri);
    r = wait_migration_end(src);
    assert_status(r, "completed");
    json_decref(r);
    g_free(uri);

    /* A second migration of the same (postmigrate) source, to a file. */
    uri = g_strdup_printf("file:%s", f2);
    migrate(src, uri);
    r = wait_migration_end(src);
    assert_status(r, "completed");
    json_decref(r);
    g_free(uri);

    dst = qtest_initf(MACHINE " -incoming 'exec:cat %s'", f1);
    r = wait_migration_end(dst);
    assert_status(r, "completed");
    json_decref(r);
    check_pattern(dst, 0x77);
    qtest_quit(dst);

    dst = qtest_initf(MACHINE " -incoming file:%s", f2);
    r = wait_migration_end(dst);
    assert_status(r, "completed");
    json_decref(r);
    check_pattern(dst, 0x77);
    assert_runstate(dst, "running");
    qtest_quit(dst);

    unlink(f1);
    unlink(f2);
    g_free(f1);
    g_free(f2);
    qtest_quit(src);
}

static void test_fd_defer(void)
{
    QTestState *src = qtest_init(MACHINE);
    QTestState *dst = qtest_init(MACHINE " -incoming defer");
    int sv[2];
    json_t *r;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), ==, 0);
    r = qtest_qmp_fds(dst, &sv[1], 1,
                      "{'execute':'getfd','arguments':{'fdname':'in'}}");
    g_assert(qmp_return(r));
    json_decref(r);
    r = qtest_qmp_fds(src, &sv[0], 1,
                      "{'execute':'getfd','arguments':{'fdname':'out'}}");
    g_assert(qmp_return(r));
    json_decref(r);
    close(sv[0]);
    close(sv[1]);

    r = qtest_qmp(dst, "{'execute':'query-migrate'}");
    g_assert(!json_object_get(qmp_return(r), "status"));
    json_decref(r);
    qtest_qmp_assert_success(dst, "{'execute':'migrate-incoming',"
                                  "'arguments':{'uri':'fd:in'}}");
    /* Only once. */
    r = qtest_qmp(dst, "{'execute':'migrate-incoming',"
                       "'arguments':{'uri':'fd:in'}}");
    qmp_assert_error(r, "GenericError",
                     "The incoming migration has already been started");
    json_decref(r);

    write_pattern(src, 0x99);
    migrate(src, "fd:out");
    finish_and_check(src, dst, 0x99, "running");
    qtest_quit(dst);
    qtest_quit(src);
}

static void test_qmp_errors(void)
{
    QTestState *s = qtest_init(MACHINE);
    json_t *r;

    r = qtest_qmp(s, "{'execute':'migrate','arguments':{'uri':'foo:bar'}}");
    qmp_assert_error(r, "GenericError", "unknown migration protocol: foo:bar");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-incoming',"
                     "'arguments':{'uri':'tcp:127.0.0.1:0'}}");
    qmp_assert_error(r, "GenericError",
                     "'-incoming' was not specified on the command line");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate','arguments':"
                     "{'uri':'unix:/nonexistent/dir/sock'}}");
    g_assert(qmp_error_desc(r));
    json_decref(r);
    /* The failed attempts did not change the VM. */
    assert_runstate(s, "running");

    r = qtest_qmp_assert_success_ref(s, "{'execute':"
                                        "'query-migrate-parameters'}");
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-initial")),
                    ==, 50);
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-max")), ==,
                    550);
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-rounds")),
                    ==, 5);
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-step")), ==,
                    100);
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'announce-initial':100001}}");
    qmp_assert_error(r, "GenericError",
                     "Option announce_initial expects a "
                     "value between 0 and 100000");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'announce-max':100001}}");
    qmp_assert_error(r, "GenericError",
                     "Option announce_max expects a value between 0 and "
                     "100000");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'announce-rounds':1001}}");
    qmp_assert_error(r, "GenericError",
                     "Option announce_rounds expects a "
                     "value between 0 and 1000");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'announce-rounds':3, 'announce-step':0}}");
    qmp_assert_error(r, "GenericError",
                     "Option announce_step expects a "
                     "value between 0 and 10000");
    json_decref(r);
    qtest_qmp_assert_success(s, "{'execute':'migrate-set-parameters',"
                                "'arguments':{'announce-step':10000,"
                                "'announce-rounds':1000}}");
    r = qtest_qmp_assert_success_ref(s, "{'execute':"
                                        "'query-migrate-parameters'}");
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-step")), ==,
                    10000);
    g_assert_cmpint(json_integer_value(json_object_get(r, "announce-rounds")),
                    ==, 1000);
    json_decref(r);

    r = qtest_qmp(s, "{'execute':'migrate-set-capabilities','arguments':"
                     "{'capabilities':[{'capability':'xbzrle',"
                     "'state':true}]}}");
    g_assert(qmp_error_desc(r));
    json_decref(r);
    qtest_quit(s);
}

static void test_blocker(void)
{
    QTestState *s = qtest_init("-M virt -device pci-testdev,id=t0");
    json_t *r = qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
    json_t *reasons = json_object_get(r, "blocked-reasons");
    const char *first;

    g_assert(!json_object_get(r, "status"));
    /* The virt machine itself migrates: only the test device blocks. */
    g_assert_cmpint(json_array_size(reasons), ==, 1);
    first = json_string_value(json_array_get(reasons, 0));
    g_assert_cmpstr(first, ==,
                    "State blocked by non-migratable device "
                    "'t0' (pci-testdev)");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate','arguments':{'uri':'unix:/x'}}");
    qmp_assert_error(r, "GenericError",
                     "State blocked by non-migratable "
                     "device 't0' (pci-testdev)");
    json_decref(r);
    r = qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
    g_assert(!json_object_get(r, "status"));
    json_decref(r);
    assert_runstate(s, "running");
    qtest_quit(s);
}

static void test_events(void)
{
    static const char *const src_flow[] = {"setup", "active", "device",
                                           "completed"};
    static const char *const dst_flow[] = {"setup", "active", "completed"};
    QTestState *src = qtest_init(MACHINE);
    QTestState *dst = qtest_init(MACHINE " -incoming defer");
    char *f = tmp_path(src, "ev");
    char *uri = g_strdup_printf("file:%s", f);
    json_t *r;

    qtest_qmp_assert_success(src, "{'execute':'migrate-set-capabilities',"
                                  "'arguments':{'capabilities':[{"
                                  "'capability':'events','state':true}]}}");
    r = qtest_qmp_assert_success_ref(src, "{'execute':"
                                          "'query-migrate-capabilities'}");
    for (size_t i = 0; i < json_array_size(r); i++) {
        json_t *c = json_array_get(r, i);
        bool on = !strcmp(json_string_value(json_object_get(c, "capability")),
                          "events");
        g_assert(json_is_true(json_object_get(c, "state")) == on);
    }
    json_decref(r);
    migrate(src, uri);
    for (size_t i = 0; i < G_N_ELEMENTS(src_flow); i++) {
        r = qtest_qmp_eventwait(src, "MIGRATION");
        g_assert_cmpstr(json_string_value(json_object_get(
                            json_object_get(r, "data"), "status")),
                        ==, src_flow[i]);
        json_decref(r);
    }
    json_decref(wait_migration_end(src));

    /* The destination has events off: none come, and none are queued. */
    qtest_qmp_assert_success(dst,
                             "{'execute':'migrate-incoming',"
                             "'arguments':{'uri':'%s'}}",
                             uri);
    r = wait_migration_end(dst);
    assert_status(r, "completed");
    json_decref(r);
    g_assert(!qmp_conn_event_poll(qtest_qmp_conn(dst), "MIGRATION"));
    qtest_quit(dst);

    /* With events on, the destination reports its own flow. */
    dst = qtest_init(MACHINE " -incoming defer");
    qtest_qmp_assert_success(dst, "{'execute':'migrate-set-capabilities',"
                                  "'arguments':{'capabilities':[{"
                                  "'capability':'events','state':true}]}}");
    qtest_qmp_assert_success(dst,
                             "{'execute':'migrate-incoming',"
                             "'arguments':{'uri':'%s'}}",
                             uri);
    for (size_t i = 0; i < G_N_ELEMENTS(dst_flow); i++) {
        r = qtest_qmp_eventwait(dst, "MIGRATION");
        g_assert_cmpstr(json_string_value(json_object_get(
                            json_object_get(r, "data"), "status")),
                        ==, dst_flow[i]);
        json_decref(r);
    }
    qtest_quit(dst);
    unlink(f);
    g_free(f);
    g_free(uri);
    qtest_quit(src);
}

/* A destination fed @data must exit with status 1 and say why. */
static void expect_load_failure(const char *path, const void *data, size_t len,
                                const char *why)
{
    QTestState *dst = qtest_init(MACHINE " -incoming defer");
    char *uri = g_strdup_printf("file:%s", path);
    char *err;

    g_assert(g_file_set_contents(path, data, len, NULL));
    qtest_qmp_assert_success(dst,
                             "{'execute':'migrate-incoming',"
                             "'arguments':{'uri':'%s'}}",
                             uri);
    g_assert_cmpint(qtest_wait_exit(dst), ==, 1);
    err = qtest_stderr(dst);
    if (!strstr(err, "load of migration failed: ") || !strstr(err, why)) {
        g_error("expected '%s' in stderr: %s", why, err);
    }
    g_free(err);
    g_free(uri);
    qtest_cleanup(dst);
}

static void test_broken_streams(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *good = tmp_path(src, "good");
    char *bad = tmp_path(src, "bad");
    char *uri = g_strdup_printf("file:%s", good);
    gchar *data;
    gsize len;
    json_t *r;

    write_pattern(src, 0x42);
    migrate(src, uri);
    r = wait_migration_end(src);
    assert_status(r, "completed");
    json_decref(r);
    g_assert(g_file_get_contents(good, &data, &len, NULL));
    g_assert_cmpuint(len, >, 100);

    expect_load_failure(bad, data, len / 2, "ended unexpectedly");
    expect_load_failure(bad, data, 7, "ended unexpectedly");
    expect_load_failure(bad, "", 0, "ended unexpectedly");
    data[0] ^= 0xff;
    expect_load_failure(bad, data, len, "Not a migration stream");
    data[0] ^= 0xff;
    /* The machine type in the configuration section. */
    data[13] = 'X';
    expect_load_failure(bad, data, len,
                        "Machine type received is 'Xone' "
                        "and local is 'none'");
    data[13] = 'n';
    /* The first section after the configuration: an unknown type. */
    data[17] = 0x42;
    expect_load_failure(bad, data, len, "Unknown savevm section type 66");

    g_free(data);
    unlink(good);
    unlink(bad);
    g_free(good);
    g_free(bad);
    g_free(uri);
    qtest_quit(src);
}

/* A destination whose RAM size differs refuses the stream. */
static void test_ram_mismatch(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *f = tmp_path(src, "mm");
    char *uri = g_strdup_printf("file:%s", f);
    gchar *data;
    gsize len;
    json_t *r;

    migrate(src, uri);
    r = wait_migration_end(src);
    assert_status(r, "completed");
    json_decref(r);
    g_assert(g_file_get_contents(f, &data, &len, NULL));
    {
        QTestState *dst = qtest_init("-M none -m 32M -incoming defer");
        char *err;
        qtest_qmp_assert_success(dst,
                                 "{'execute':'migrate-incoming',"
                                 "'arguments':{'uri':'%s'}}",
                                 uri);
        g_assert_cmpint(qtest_wait_exit(dst), ==, 1);
        err = qtest_stderr(dst);
        g_assert(strstr(err, "Length mismatch: ram: 0x4000000 in != "
                             "0x2000000"));
        g_free(err);
        qtest_cleanup(dst);
    }
    g_free(data);
    unlink(f);
    g_free(f);
    g_free(uri);
    qtest_quit(src);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/unix", test_unix);
    g_test_add_func("/migration/tcp-paused", test_tcp_paused);
    g_test_add_func("/migration/exec-and-file", test_exec_and_file);
    g_test_add_func("/migration/fd-defer", test_fd_defer);
    g_test_add_func("/migration/qmp-errors", test_qmp_errors);
    g_test_add_func("/migration/blocker", test_blocker);
    g_test_add_func("/migration/events", test_events);
    g_test_add_func("/migration/broken-streams", test_broken_streams);
    g_test_add_func("/migration/ram-mismatch", test_ram_mismatch);
    return g_test_run();
}
