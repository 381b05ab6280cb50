/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Live (pre-copy) migration: the test keeps writing guest memory through
 * qtest (device-like writes) while RAM is sent; the destination must end
 * with the final memory.  Also migrate_cancel in the middle of a slow
 * migration, and the parameters' validation.
 */
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include "libqtest.h"

#define MACHINE "-M none -m 256M -accel qtest"
#define BULK_PAGES 4096 /* 16 MiB of non-zero data */
#define HOT 0x4000000ULL /* pages rewritten every iteration */
#define HOT_PAGES 8
#define COLD 0x6000000ULL /* one new page per iteration */

static json_t *query(QTestState *s)
{
    return qtest_qmp_assert_success_ref(s, "{'execute':'query-migrate'}");
}

static const char *status_of(json_t *r)
{
    return json_string_value(json_object_get(r, "status"));
}

static int64_t ram_stat(json_t *r, const char *name)
{
    return json_integer_value(json_object_get(json_object_get(r, "ram"), name));
}

static json_t *wait_end(QTestState *s)
{
    for (int i = 0; i < 6000; i++) {
        json_t *r = query(s);
        const char *st = status_of(r);
        if (st && (!strcmp(st, "completed") || !strcmp(st, "failed") ||
                   !strcmp(st, "cancelled"))) {
            return r;
        }
        json_decref(r);
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

static void assert_runstate(QTestState *s, const char *want)
{
    json_t *r = qtest_qmp_assert_success_ref(s, "{'execute':'query-status'}");
    g_assert_cmpstr(json_string_value(json_object_get(r, "status")), ==, want);
    json_decref(r);
}

static void fill_bulk(QTestState *s, uint8_t seed)
{
    uint8_t *buf = g_malloc(BULK_PAGES * 4096);

    for (size_t i = 0; i < BULK_PAGES * 4096; i++) {
        buf[i] = (uint8_t)(i * 13 + seed + (i >> 12));
    }
    /* In 1 MiB commands: each reply must come within the qtest timeout,
     * also under sanitizers. */
    for (size_t off = 0; off < BULK_PAGES * 4096; off += 1 << 20) {
        qtest_memwrite(s, off, buf + off, 1 << 20);
    }
    g_free(buf);
}

static void check_bulk(QTestState *s, uint8_t seed)
{
    uint8_t *buf = g_malloc(BULK_PAGES * 4096);

    for (size_t off = 0; off < BULK_PAGES * 4096; off += 1 << 20) {
        qtest_memread(s, off, buf + off, 1 << 20);
    }
    for (size_t i = 0; i < BULK_PAGES * 4096; i++) {
        if (buf[i] != (uint8_t)(i * 13 + seed + (i >> 12))) {
            g_error("bulk byte 0x%zx differs", i);
        }
    }
    g_free(buf);
}

static void set_caps_events(QTestState *s)
{
    qtest_qmp_assert_success(s, "{'execute':'migrate-set-capabilities',"
                                "'arguments':{'capabilities':[{"
                                "'capability':'events','state':true}]}}");
}

static void test_live_writes(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *sock = g_build_filename(qtest_tmpdir(src), "live.sock", NULL);
    QTestState *dst = qtest_initf(MACHINE " -incoming unix:%s", sock);
    int last_active = -1, n, passes = 0;
    json_t *r, *ev;

    fill_bulk(src, 7);
    set_caps_events(src);
    /* Slow enough for several passes while we write; converges once the
     * writes stop. */
    qtest_qmp_assert_success(src, "{'execute':'migrate-set-parameters',"
                                  "'arguments':{'max-bandwidth':16777216,"
                                  "'downtime-limit':20}}");
    qtest_qmp_assert_success(src,
                             "{'execute':'migrate','arguments':"
                             "{'uri':'unix:%s'}}",
                             sock);
    for (n = 0; n < 400; n++) {
        const char *st;

        for (int h = 0; h < HOT_PAGES; h++) {
            qtest_writeq(src, HOT + h * 4096 + (n % 512) * 8, n + 1);
        }
        qtest_writeq(src, COLD + (uint64_t)n * 4096, 0xc0de0000ULL + n);
        r = query(src);
        st = status_of(r);
        /* The VM keeps running while RAM is sent. */
        if (!g_strcmp0(st, "active") || !g_strcmp0(st, "setup")) {
            last_active = n;
            json_decref(r);
            g_usleep(2000);
            continue;
        }
        json_decref(r);
        break;
    }
    g_assert_cmpint(last_active, >=, 5); /* really wrote while live */

    r = wait_end(src);
    g_assert_cmpstr(status_of(r), ==, "completed");
    g_assert_cmpint(ram_stat(r, "dirty-sync-count"), >, 2);
    g_assert_cmpint(ram_stat(r, "total"), ==, 256 * 1024 * 1024);
    g_assert_cmpint(ram_stat(r, "precopy-bytes"), >, 16 * 1024 * 1024);
    g_assert_cmpint(ram_stat(r, "precopy-bytes") + ram_stat(r, "downtime-bytes"),
                    ==, ram_stat(r, "transferred"));
    g_assert_cmpint(ram_stat(r, "normal"), >, BULK_PAGES);
    g_assert(json_object_get(r, "downtime"));
    g_test_message("live, writing: total-time %lld ms, downtime %lld ms, "
                   "syncs %lld, transferred %lld",
                   (long long)json_integer_value(
                       json_object_get(r, "total-time")),
                   (long long)json_integer_value(
                       json_object_get(r, "downtime")),
                   (long long)ram_stat(r, "dirty-sync-count"),
                   (long long)ram_stat(r, "transferred"));
    json_decref(r);
    assert_runstate(src, "postmigrate");
    while ((ev = qmp_conn_event_poll(qtest_qmp_conn(src), "MIGRATION_PASS"))) {
        passes++;
        g_assert_cmpint(json_integer_value(json_object_get(
                            json_object_get(ev, "data"), "pass")),
                        ==, passes);
        json_decref(ev);
    }
    g_assert_cmpint(passes, >, 2);

    r = wait_end(dst);
    g_assert_cmpstr(status_of(r), ==, "completed");
    json_decref(r);
    check_bulk(dst, 7);
    /* Writes seen before a query that still said "active" are there;
     * the one after it may or may not be (it raced the switch-over). */
    for (int i = 0; i <= n && i < 400; i++) {
        uint64_t v = qtest_readq(dst, COLD + (uint64_t)i * 4096);
        if (i <= last_active) {
            g_assert_cmphex(v, ==, 0xc0de0000ULL + i);
        } else {
            g_assert(v == 0 || v == 0xc0de0000ULL + i);
        }
    }
    for (int h = 0; h < HOT_PAGES; h++) {
        for (int i = 0; i <= n && i < 512; i++) {
            uint64_t v = qtest_readq(dst, HOT + h * 4096 + i * 8);
            uint64_t s = qtest_readq(src, HOT + h * 4096 + i * 8);
            /* The source's memory is the final memory, except the very
             * last write, which may have come after the switch-over. */
            if (i != n % 512) {
                g_assert_cmphex(v, ==, s);
            }
        }
    }
    g_free(sock);
    qtest_quit(dst);
    qtest_quit(src);
}

static void test_cancel(void)
{
    QTestState *src = qtest_init(MACHINE);
    char *f = g_build_filename(qtest_tmpdir(src), "slow", NULL);
    char *sock = g_build_filename(qtest_tmpdir(src), "c.sock", NULL);
    QTestState *dst;
    json_t *r;

    fill_bulk(src, 3);
    qtest_qmp_assert_success(src, "{'execute':'migrate-set-parameters',"
                                  "'arguments':{'max-bandwidth':100000}}");
    qtest_qmp_assert_success(src,
                             "{'execute':'migrate','arguments':"
                             "{'uri':'file:%s'}}",
                             f);
    g_usleep(300 * 1000);
    r = query(src);
    g_assert_cmpstr(status_of(r), ==, "active");
    g_assert(json_object_get(r, "expected-downtime"));
    g_assert_cmpint(ram_stat(r, "remaining"), >, 0);
    json_decref(r);
    assert_runstate(src, "running");
    /* The guest memory stays writable while the migration crawls. */
    qtest_writeq(src, 0x100000, 42);
    qtest_qmp_assert_success(src, "{'execute':'migrate_cancel'}");
    r = wait_end(src);
    g_assert_cmpstr(status_of(r), ==, "cancelled");
    json_decref(r);
    assert_runstate(src, "running");
    g_assert_cmphex(qtest_readq(src, 0x100000), ==, 42);

    /* A second migration, at full speed, succeeds. */
    dst = qtest_initf(MACHINE " -incoming unix:%s", sock);
    qtest_qmp_assert_success(src, "{'execute':'migrate-set-parameters',"
                                  "'arguments':{'max-bandwidth':0}}");
    qtest_qmp_assert_success(src,
                             "{'execute':'migrate','arguments':"
                             "{'uri':'unix:%s'}}",
                             sock);
    r = wait_end(src);
    g_assert_cmpstr(status_of(r), ==, "completed");
    g_test_message("idle, unlimited: total-time %lld ms, downtime %lld ms, "
                   "syncs %lld",
                   (long long)json_integer_value(
                       json_object_get(r, "total-time")),
                   (long long)json_integer_value(
                       json_object_get(r, "downtime")),
                   (long long)ram_stat(r, "dirty-sync-count"));
    json_decref(r);
    r = wait_end(dst);
    g_assert_cmpstr(status_of(r), ==, "completed");
    json_decref(r);
    g_assert_cmphex(qtest_readq(dst, 0x100000), ==, 42);
    qtest_quit(dst);
    unlink(f);
    g_free(f);
    g_free(sock);
    qtest_quit(src);
}

static void test_params(void)
{
    QTestState *s = qtest_init(MACHINE);
    json_t *r = qtest_qmp_assert_success_ref(
        s, "{'execute':'query-migrate-parameters'}");

    g_assert_cmpint(json_integer_value(json_object_get(r, "max-bandwidth")),
                    ==, 134217728);
    g_assert_cmpint(json_integer_value(json_object_get(r, "downtime-limit")),
                    ==, 300);
    json_decref(r);

    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'downtime-limit':2000001}}");
    qmp_assert_error(r, "GenericError",
                     "Parameter 'downtime_limit' expects an integer in the "
                     "range of 0 to (2000 * 1000) ms");
    json_decref(r);
    r = qtest_qmp(s, "{'execute':'migrate-set-parameters',"
                     "'arguments':{'max-bandwidth':-1}}");
    g_assert_cmpstr(qmp_error_class(r), ==, "GenericError");
    json_decref(r);
    /* Nothing changed by the failures; the boundary is accepted. */
    qtest_qmp_assert_success(s, "{'execute':'migrate-set-parameters',"
                                "'arguments':{'downtime-limit':2000000,"
                                "'max-bandwidth':1000}}");
    r = qtest_qmp_assert_success_ref(s,
                                     "{'execute':'query-migrate-parameters'}");
    g_assert_cmpint(json_integer_value(json_object_get(r, "max-bandwidth")),
                    ==, 1000);
    g_assert_cmpint(json_integer_value(json_object_get(r, "downtime-limit")),
                    ==, 2000000);
    json_decref(r);
    qtest_quit(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/migration/live/writes", test_live_writes);
    g_test_add_func("/migration/live/cancel", test_cancel);
    g_test_add_func("/migration/live/params", test_params);
    return g_test_run();
}
