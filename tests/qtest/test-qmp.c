/* SPDX-License-Identifier: GPL-2.0-or-later */
/* QMP against the real binary: protocol, stream handling, commands, fds. */
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <unistd.h>
#include <sys/stat.h>
#include "libqtest.h"

/* A shared vireo for the tests that change nothing lasting. */
static QTestState *shared;

static QTestState *get_shared(void)
{
    if (!shared) {
        shared = qtest_init("-M virt");
    }
    return shared;
}

static const char *str_member(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static void assert_qmp_error(json_t *rsp, const char *cls, const char *desc)
{
    qmp_assert_error(rsp, cls, desc);
    json_decref(rsp);
}

/* "return" must be present and equal to the JSON text want. */
static void assert_return_is(json_t *rsp, const char *want)
{
    json_t *w = json_loads(want, JSON_DECODE_ANY, NULL);

    g_assert(w);
    if (!json_equal(qmp_return(rsp), w)) {
        char *got = json_dumps(rsp, JSON_COMPACT);
        g_error("expected return %s, got %s", want, got);
    }
    json_decref(w);
    json_decref(rsp);
}

static void assert_timestamp(json_t *ev)
{
    json_t *ts = json_object_get(ev, "timestamp");

    g_assert(json_is_integer(json_object_get(ts, "seconds")));
    g_assert(json_is_integer(json_object_get(ts, "microseconds")));
    g_assert_cmpint(json_integer_value(json_object_get(ts, "seconds")), >,
                    1600000000);
    g_assert_cmpint(json_integer_value(json_object_get(ts, "microseconds")),
                    <, 1000000);
}

static void assert_status(QTestState *s, const char *status, bool running)
{
    json_t *ret = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-status\"}");

    g_assert_cmpstr(str_member(ret, "status"), ==, status);
    g_assert(json_is_boolean(json_object_get(ret, "running")));
    g_assert_cmpint(json_is_true(json_object_get(ret, "running")), ==,
                    running);
    json_decref(ret);
}

/* ---- greeting and negotiation ---- */

static void test_greeting_and_negotiation(void)
{
    QTestState *s = qtest_init_without_qmp_handshake("-M virt");
    json_t *greeting = qtest_qmp_receive(s), *qmp, *ver, *caps, *ret;

    qmp = json_object_get(greeting, "QMP");
    g_assert(json_is_object(qmp));
    g_assert_cmpint(json_object_size(greeting), ==, 1);
    ver = json_object_get(qmp, "version");
    g_assert(json_is_integer(json_object_get(json_object_get(ver, "qemu"),
                                             "major")));
    g_assert(json_is_integer(json_object_get(json_object_get(ver, "qemu"),
                                             "minor")));
    g_assert(json_is_integer(json_object_get(json_object_get(ver, "qemu"),
                                             "micro")));
    g_assert(json_is_string(json_object_get(ver, "package")));
    caps = json_object_get(qmp, "capabilities");
    g_assert(json_is_array(caps));
    g_assert_cmpstr(json_string_value(json_array_get(caps, 0)), ==, "oob");

    /* Nothing but qmp_capabilities before negotiation. */
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"query-version\"}"),
                     "CommandNotFound",
                     "Expecting capabilities negotiation with "
                     "'qmp_capabilities'");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"no-such-command\"}"),
                     "CommandNotFound", NULL);
    assert_return_is(qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}"),
                     "{}");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"qmp_capabilities\"}"),
                     "CommandNotFound",
                     "Capabilities negotiation is already complete, command "
                     "ignored");

    /* The greeting's version is query-version's. */
    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-version\"}");
    g_assert(json_equal(ret, ver));
    json_decref(ret);
    json_decref(greeting);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_id_echo(void)
{
    QTestState *s = get_shared();
    static const char *const ids[] = {
        "\"abc\"", "42", "-1.5", "{\"a\": [1, {\"b\": null}]}", "[1, \"x\"]",
        "null", "true", "\"\"", NULL,
    };

    for (int i = 0; ids[i]; i++) {
        json_t *want = json_loads(ids[i], JSON_DECODE_ANY, NULL);
        json_t *rsp = qtest_qmp(s, "{\"execute\": \"query-status\", "
                                "\"id\": %s}", ids[i]);
        g_assert(qmp_return(rsp));
        g_assert(json_equal(json_object_get(rsp, "id"), want));
        json_decref(rsp);
        /* Error replies echo the id too. */
        rsp = qtest_qmp(s, "{\"execute\": \"nope\", \"id\": %s}", ids[i]);
        g_assert(qmp_error_class(rsp));
        g_assert(json_equal(json_object_get(rsp, "id"), want));
        json_decref(rsp);
        json_decref(want);
    }
    /* No id, no "id" member. */
    {
        json_t *rsp = qtest_qmp(s, "{\"execute\": \"query-status\"}");
        g_assert_null(json_object_get(rsp, "id"));
        json_decref(rsp);
    }
}

static void test_unknown_command(void)
{
    QTestState *s = get_shared();

    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"frobnicate\"}"),
                     "CommandNotFound",
                     "The command frobnicate has not been found");
}

static void test_bad_arguments(void)
{
    QTestState *s = get_shared();

    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"getfd\"}"),
                     "GenericError", "Parameter 'fdname' is missing");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"getfd\", "
                               "\"arguments\": {}}"),
                     "GenericError", "Parameter 'fdname' is missing");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"getfd\", "
                               "\"arguments\": {\"fdname\": 1}}"),
                     "GenericError",
                     "Invalid parameter type for 'fdname', expected: string");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"query-status\", "
                               "\"arguments\": {\"foo\": 1}}"),
                     "GenericError", "Parameter 'foo' is unexpected");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"closefd\", "
                               "\"arguments\": {\"fdname\": \"a\", "
                               "\"extra\": true}}"),
                     "GenericError", "Parameter 'extra' is unexpected");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"qom-list-types\", "
                               "\"arguments\": {\"abstract\": \"yes\"}}"),
                     "GenericError",
                     "Invalid parameter type for 'abstract', expected: "
                     "boolean");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"add-fd\", "
                               "\"arguments\": {\"fdset-id\": \"x\"}}"),
                     "GenericError",
                     "Invalid parameter type for 'fdset-id', expected: "
                     "integer");
}

static void test_bad_envelope(void)
{
    QTestState *s = get_shared();

    assert_qmp_error(qtest_qmp(s, "[1, 2]"), "GenericError",
                     "QMP input must be a JSON object");
    assert_qmp_error(qtest_qmp(s, "\"query-status\""), "GenericError",
                     "QMP input must be a JSON object");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"query-status\", "
                               "\"arguments\": [1]}"),
                     "GenericError",
                     "QMP input member 'arguments' must be an object");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": 1}"), "GenericError",
                     "QMP input member 'execute' must be a string");
    assert_qmp_error(qtest_qmp(s, "{\"arguments\": {}}"), "GenericError",
                     "QMP input lacks member 'execute'");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"query-status\", "
                               "\"bogus\": 1}"),
                     "GenericError", "QMP input member 'bogus' is unexpected");
    /* exec-oob without the capability. */
    assert_qmp_error(qtest_qmp(s, "{\"exec-oob\": \"query-status\"}"),
                     "GenericError", NULL);
}

/* Read replies until the one with the given string id; count errors. */
static int replies_until_id(QTestState *s, const char *id, char **first_desc)
{
    int errors = 0;

    for (;;) {
        json_t *rsp = qtest_qmp_receive(s);
        const char *rid = str_member(rsp, "id");
        if (rid && !strcmp(rid, id)) {
            g_assert(qmp_return(rsp));
            json_decref(rsp);
            return errors;
        }
        g_assert(qmp_error_class(rsp));
        if (errors++ == 0 && first_desc) {
            *first_desc = g_strdup(qmp_error_desc(rsp));
        }
        json_decref(rsp);
    }
}

static void test_bad_json_recovers(void)
{
    QTestState *s = get_shared();
    const char *text = "{bad\n";
    json_t *rsp;

    /* One error, then the next command on the same connection works. */
    qtest_qmp_send_raw(s, text, strlen(text));
    rsp = qtest_qmp_receive(s);
    qmp_assert_error(rsp, "GenericError", NULL);
    g_assert_true(g_str_has_prefix(qmp_error_desc(rsp), "JSON parse error"));
    g_assert_null(json_object_get(rsp, "id"));
    json_decref(rsp);
    rsp = qtest_qmp(s, "{\"execute\": \"query-status\", \"id\": \"after\"}");
    g_assert(qmp_return(rsp));
    g_assert_cmpstr(str_member(rsp, "id"), ==, "after");
    json_decref(rsp);
}

static void test_bad_json_variants(void)
{
    QTestState *s = get_shared();
    static const char *const bad[] = {
        "}\n", "]\n", "{\"execute\": }\n", "{\"a\" 1}\n", "[1,,2]\n",
        "{\"execute\": \"query-status\",}\n", "\"unterminated\n",
        "{\"execute\": \"x\", \"execute\": \"y\"}\n", "\xff\n", "tru\n",
        NULL,
    };

    for (int i = 0; bad[i]; i++) {
        char *desc = NULL;
        qtest_qmp_send_raw(s, bad[i], strlen(bad[i]));
        qtest_qmp_send(s, "{\"execute\": \"query-status\", \"id\": \"ok%d\"}",
                       i);
        {
            char *id = g_strdup_printf("ok%d", i);
            int errors = replies_until_id(s, id, &desc);
            if (errors < 1) {
                g_error("input %d (%s) produced no error", i, bad[i]);
            }
            g_free(id);
        }
        g_free(desc);
    }
}

static void test_several_in_one_write(void)
{
    QTestState *s = get_shared();
    const char *text = "{\"execute\": \"query-status\", \"id\": 1}"
                       "{\"execute\": \"nope\", \"id\": 2}\n"
                       "  {\"execute\": \"query-name\", \"id\": 3}";

    qtest_qmp_send_raw(s, text, strlen(text));
    for (int i = 1; i <= 3; i++) {
        json_t *rsp = qtest_qmp_receive(s);
        g_assert_cmpint(json_integer_value(json_object_get(rsp, "id")), ==, i);
        g_assert(i == 2 ? qmp_error_class(rsp) != NULL
                        : qmp_return(rsp) != NULL);
        json_decref(rsp);
    }
}

static void test_split_byte_by_byte(void)
{
    QTestState *s = get_shared();
    const char *text = "{\"execute\": \"human-monitor-command\", "
                       "\"arguments\": {\"command-line\": \"info version\"}, "
                       "\"id\": \"split\"}";
    json_t *rsp;

    for (size_t i = 0; text[i]; i++) {
        qtest_qmp_send_raw(s, text + i, 1);
        g_usleep(300);
    }
    rsp = qtest_qmp_receive(s);
    g_assert_cmpstr(str_member(rsp, "id"), ==, "split");
    g_assert(json_is_string(qmp_return(rsp)));
    json_decref(rsp);
}

static void test_deep_nesting(void)
{
    QTestState *s = get_shared();
    GString *text = g_string_new(NULL);
    char *desc = NULL;
    int errors;

    for (int i = 0; i < 2000; i++) {
        g_string_append_c(text, '[');
    }
    for (int i = 0; i < 2000; i++) {
        g_string_append_c(text, ']');
    }
    g_string_append(text, "\n{\"execute\": \"query-status\", \"id\": \"deep\"}");
    qtest_qmp_send_raw(s, text->str, text->len);
    errors = replies_until_id(s, "deep", &desc);
    g_assert_cmpint(errors, >=, 1);
    g_assert_cmpstr(desc, ==, "JSON nesting depth limit exceeded");
    g_free(desc);
    g_string_free(text, TRUE);

    /* Nesting within the limit is parsed (and then refused as non-object). */
    text = g_string_new("{\"execute\": \"query-status\", \"id\": ");
    for (int i = 0; i < 500; i++) {
        g_string_append_c(text, '[');
    }
    for (int i = 0; i < 500; i++) {
        g_string_append_c(text, ']');
    }
    g_string_append(text, "}");
    {
        json_t *rsp = qtest_qmp(s, "%s", text->str);
        g_assert(qmp_return(rsp));
        g_assert(json_is_array(json_object_get(rsp, "id")));
        json_decref(rsp);
    }
    g_string_free(text, TRUE);
    g_assert_true(qtest_alive(s));
}

static void test_oversized(void)
{
    QTestState *s = get_shared();
    const char *head = "{\"execute\": \"query-status\", \"arguments\": "
                       "{\"a\": \"";
    const size_t chunk = 1 << 20;
    char *buf = g_malloc(chunk);
    char *desc = NULL;
    GString *many;

    /* A string value bigger than the 64 MiB request limit. */
    memset(buf, 'x', chunk);
    qtest_qmp_send_raw(s, head, strlen(head));
    for (int i = 0; i < 65; i++) {
        qtest_qmp_send_raw(s, buf, chunk);
    }
    qtest_qmp_send(s, "\"}}\n{\"execute\": \"query-status\", \"id\": \"big\"}");
    g_assert_cmpint(replies_until_id(s, "big", &desc), ==, 1);
    g_assert_cmpstr(desc, ==, "JSON token size limit exceeded");
    g_free(desc);
    desc = NULL;
    g_free(buf);

    /* Too many small tokens in one request. */
    many = g_string_new("{\"execute\": \"query-status\", \"arguments\": "
                        "{\"a\": [");
    for (int i = 0; i < 1200000; i++) {
        g_string_append(many, "1,");
    }
    g_string_append(many, "1]}}{\"execute\": \"query-status\", \"id\": \"n\"}");
    qtest_qmp_send_raw(s, many->str, many->len);
    g_assert_cmpint(replies_until_id(s, "n", &desc), ==, 1);
    g_assert_cmpstr(desc, ==, "JSON token count limit exceeded");
    g_free(desc);
    g_string_free(many, TRUE);
    g_assert_true(qtest_alive(s));
}

static long vm_rss_kb(pid_t pid)
{
    char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    char *text = NULL, *line;
    long kb = -1;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    line = strstr(text, "VmRSS:");
    g_assert_nonnull(line);
    kb = strtol(line + 6, NULL, 10);
    g_free(text);
    g_free(path);
    return kb;
}

static void test_unread_replies_bounded(void)
{
    QTestState *s = get_shared();
    int fd = qmp_conn_fd(qtest_qmp_conn(s));
    const char *req = "{\"execute\": \"query-qmp-schema\"}";
    GString *batch = g_string_new(NULL);
    long before = vm_rss_kb(qtest_pid(s)), after;
    size_t sent = 0, off = 0;
    gint64 deadline = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;

    /*
     * A client that sends requests but never reads the replies must not
     * make the server buffer without limit: 20000 schema replies are
     * about 200 MB.  Send without blocking for at most 3 s, then give it
     * up to 5 s to consume what it accepted.
     */
    for (int i = 0; i < 20000; i++) {
        g_string_append(batch, req);
    }
    while (off < batch->len && g_get_monotonic_time() < deadline) {
        ssize_t n = send(fd, batch->str + off, batch->len - off,
                         MSG_DONTWAIT | MSG_NOSIGNAL);
        if (n > 0) {
            off += n;
            sent += n;
        } else {
            g_usleep(10 * 1000);
        }
    }
    /* Until it has read everything, or stops reading for 0.5 s. */
    deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    for (int last = -1, still = 0; still < 25;) {
        int unsent = 0;
        g_assert_cmpint(ioctl(fd, SIOCOUTQ, &unsent), ==, 0);
        if (unsent == 0 || g_get_monotonic_time() > deadline) {
            break;
        }
        still = unsent == last ? still + 1 : 0;
        last = unsent;
        g_usleep(20 * 1000);
    }
    g_usleep(200 * 1000);
    after = vm_rss_kb(qtest_pid(s));
    g_test_message("sent %zu bytes; RSS %ld kB -> %ld kB", sent, before,
                   after);
    g_assert_cmpint(after - before, <, 32 * 1024);
    g_string_free(batch, TRUE);
    /* The connection is unusable now (replies pending); drop the vireo. */
    g_assert_cmpint(qtest_quit(s), ==, 0);
    shared = NULL;
}

static void test_many_fds_in_one_message(void)
{
    QTestState *s = get_shared();
    pid_t pid = qtest_pid(s);
    int fds[16], p[2], before;
    json_t *rsp;

    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    for (int i = 0; i < 16; i++) {
        fds[i] = p[i % 2];
    }
    before = qtest_count_fds(pid);
    /* getfd keeps one of them; the other 15 must be closed. */
    rsp = qtest_qmp_fds(s, fds, 16, "{\"execute\": \"getfd\", "
                        "\"arguments\": {\"fdname\": \"many\"}}");
    g_assert(qmp_return(rsp));
    json_decref(rsp);
    g_assert_cmpint(qtest_count_fds(pid), ==, before + 1);
    qtest_qmp_assert_success(s, "{\"execute\": \"closefd\", "
                             "\"arguments\": {\"fdname\": \"many\"}}");
    g_assert_cmpint(qtest_count_fds(pid), ==, before);
    /* Fds sent with a command that takes none don't stay either. */
    rsp = qtest_qmp_fds(s, fds, 16, "{\"execute\": \"query-status\"}");
    json_decref(rsp);
    rsp = qtest_qmp(s, "{\"execute\": \"query-kvm\"}");
    json_decref(rsp);
    g_assert_cmpint(qtest_count_fds(pid), <=, before + 16);
    close(p[0]);
    close(p[1]);
}

/* ---- commands ---- */

static void test_commands_and_schema(void)
{
    QTestState *s = get_shared();
    json_t *cmds = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-commands\"}");
    json_t *schema = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-qmp-schema\"}");
    GHashTable *in_schema = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *listed = g_hash_table_new(g_str_hash, g_str_equal);
    static const char *const required[] = {
        "qmp_capabilities", "query-version", "query-commands",
        "query-qmp-schema", "query-machines", "qom-list-types",
        "device-list-properties", "query-status", "query-name", "query-kvm",
        "stop", "cont", "system_reset", "quit", "human-monitor-command",
        "getfd", "closefd", "add-fd", "remove-fd", "query-fdsets", NULL,
    };
    size_t i;
    json_t *v;

    g_assert(json_is_array(schema));
    json_array_foreach(schema, i, v) {
        const char *mt = str_member(v, "meta-type");
        g_assert(str_member(v, "name"));
        g_assert(mt);
        if (!strcmp(mt, "command")) {
            g_assert(str_member(v, "arg-type"));
            g_assert(str_member(v, "ret-type"));
            g_hash_table_add(in_schema, (gpointer)str_member(v, "name"));
        }
    }
    g_assert(json_is_array(cmds));
    json_array_foreach(cmds, i, v) {
        const char *name = str_member(v, "name");
        g_assert(name);
        if (!g_hash_table_contains(in_schema, name)) {
            g_error("command %s is missing from query-qmp-schema", name);
        }
        g_hash_table_add(listed, (gpointer)name);
    }
    g_assert_cmpuint(g_hash_table_size(listed), ==,
                     g_hash_table_size(in_schema));
    for (int k = 0; required[k]; k++) {
        if (!g_hash_table_contains(listed, required[k])) {
            g_error("command %s is missing from query-commands", required[k]);
        }
    }
    g_hash_table_destroy(in_schema);
    g_hash_table_destroy(listed);
    json_decref(cmds);
    json_decref(schema);
}

static void test_query_misc(void)
{
    QTestState *s = get_shared();
    json_t *ret;

    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-version\"}");
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_object_get(ret, "qemu"), "major")), >=, 9);
    g_assert_cmpstr(str_member(ret, "package"), !=, NULL);
    json_decref(ret);
    assert_return_is(qtest_qmp(s, "{\"execute\": \"query-kvm\"}"),
                     "{\"enabled\": false, \"present\": false}");
    /* No -name: no name member. */
    assert_return_is(qtest_qmp(s, "{\"execute\": \"query-name\"}"), "{}");
    assert_status(s, "running", true);
}

static void test_query_name(void)
{
    QTestState *s = qtest_init("-M none -name guest=my-vm,debug-threads=on");

    assert_return_is(qtest_qmp(s, "{\"execute\": \"query-name\"}"),
                     "{\"name\": \"my-vm\"}");
    g_assert_cmpint(qtest_quit(s), ==, 0);
    s = qtest_init("-M none -name plain");
    assert_return_is(qtest_qmp(s, "{\"execute\": \"query-name\"}"),
                     "{\"name\": \"plain\"}");
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_query_machines(void)
{
    QTestState *s = get_shared();
    json_t *ret = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-machines\"}");
    bool virt = false, none = false;
    size_t i;
    json_t *m;

    json_array_foreach(ret, i, m) {
        const char *name = str_member(m, "name");
        g_assert(name);
        g_assert(json_is_integer(json_object_get(m, "cpu-max")));
        g_assert(json_is_boolean(json_object_get(m, "hotpluggable-cpus")));
        if (!strcmp(name, "virt")) {
            virt = true;
            g_assert_true(json_is_true(json_object_get(m, "is-default")));
        } else {
            g_assert_false(json_is_true(json_object_get(m, "is-default")));
        }
        if (!strcmp(name, "none")) {
            none = true;
        }
    }
    g_assert_true(virt);
    g_assert_true(none);
    json_decref(ret);
}

/* Names in a qom-list-types reply, with their "abstract" flag. */
static GHashTable *type_map(json_t *ret)
{
    GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
                                          NULL);
    size_t i;
    json_t *t;

    json_array_foreach(ret, i, t) {
        g_hash_table_insert(h, g_strdup(str_member(t, "name")),
                            GINT_TO_POINTER(json_is_true(
                                json_object_get(t, "abstract")) ? 2 : 1));
    }
    return h;
}

static void test_qom_list_types(void)
{
    QTestState *s = get_shared();
    json_t *ret;
    GHashTable *h;

    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"qom-list-types\", "
        "\"arguments\": {\"implements\": \"device\", \"abstract\": true}}");
    h = type_map(ret);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(h, "device")), ==, 2);
    g_assert_false(g_hash_table_contains(h, "memory-backend-ram"));
    g_assert_false(g_hash_table_contains(h, "none-machine"));
    g_hash_table_destroy(h);
    json_decref(ret);

    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"qom-list-types\", "
        "\"arguments\": {\"implements\": \"device\"}}");
    h = type_map(ret);
    g_assert_false(g_hash_table_contains(h, "device"));
    g_hash_table_destroy(h);
    json_decref(ret);

    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"qom-list-types\", "
        "\"arguments\": {\"implements\": \"machine\"}}");
    h = type_map(ret);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(h, "virt-machine")),
                    ==, 1);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(h, "none-machine")),
                    ==, 1);
    g_assert_false(g_hash_table_contains(h, "machine"));
    g_hash_table_destroy(h);
    json_decref(ret);

    /* Every type, parents included; an unknown interface matches nothing. */
    ret = qtest_qmp_assert_success_ref(s, "{\"execute\": \"qom-list-types\", "
        "\"arguments\": {\"abstract\": true}}");
    h = type_map(ret);
    g_assert(g_hash_table_contains(h, "object"));
    g_assert(g_hash_table_contains(h, "memory-backend-memfd"));
    g_hash_table_destroy(h);
    json_decref(ret);
    assert_return_is(qtest_qmp(s, "{\"execute\": \"qom-list-types\", "
                               "\"arguments\": {\"implements\": \"nope\"}}"),
                     "[]");
}

static void test_device_list_properties(void)
{
    QTestState *s = get_shared();

    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"device-list-properties\", "
                               "\"arguments\": {\"typename\": \"nope\"}}"),
                     "DeviceNotFound", "Device 'nope' not found");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"device-list-properties\", "
                               "\"arguments\": {\"typename\": \"device\"}}"),
                     "GenericError",
                     "Parameter 'typename' expects a non-abstract device "
                     "type");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"device-list-properties\", "
                               "\"arguments\": {\"typename\": "
                               "\"memory-backend-ram\"}}"),
                     "GenericError",
                     "Parameter 'typename' expects a non-abstract device "
                     "type");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"device-list-properties\"}"),
                     "GenericError", "Parameter 'typename' is missing");
}

static json_t *hmp(QTestState *s, const char *cmd)
{
    return qtest_qmp(s, "{\"execute\": \"human-monitor-command\", "
                     "\"arguments\": {\"command-line\": \"%s\"}}", cmd);
}

static void test_hmp(void)
{
    QTestState *s = qtest_init("-M virt -S");
    json_t *ver = qtest_qmp_assert_success_ref(s,
        "{\"execute\": \"query-version\"}");
    json_t *q = json_object_get(ver, "qemu");
    char *want = g_strdup_printf("%d.%d.%d (%s)\r\n",
        (int)json_integer_value(json_object_get(q, "major")),
        (int)json_integer_value(json_object_get(q, "minor")),
        (int)json_integer_value(json_object_get(q, "micro")),
        str_member(ver, "package"));
    json_t *rsp;

    rsp = hmp(s, "info version");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==, want);
    json_decref(rsp);
    rsp = hmp(s, "info status");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==,
                    "VM status: paused (prelaunch)\r\n");
    json_decref(rsp);
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    rsp = hmp(s, "info status");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==,
                    "VM status: running\r\n");
    json_decref(rsp);
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    rsp = hmp(s, "info status");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==,
                    "VM status: paused\r\n");
    json_decref(rsp);
    rsp = hmp(s, "frobnicate");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==,
                    "unknown command: 'frobnicate'\r\n");
    json_decref(rsp);
    rsp = hmp(s, "");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==, "");
    json_decref(rsp);
    /* "info" alone lists what it can show, one line each. */
    rsp = hmp(s, "info");
    g_assert_nonnull(strstr(json_string_value(qmp_return(rsp)),
                            "info network  -- "));
    g_assert_nonnull(strstr(json_string_value(qmp_return(rsp)),
                            "info status  -- "));
    g_assert_nonnull(strstr(json_string_value(qmp_return(rsp)),
                            "info version  -- "));
    json_decref(rsp);
    rsp = hmp(s, "info nosuchthing");
    g_assert_cmpstr(json_string_value(qmp_return(rsp)), ==,
                    "unknown command: 'info nosuchthing'\r\n");
    json_decref(rsp);
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"human-monitor-command\"}"),
                     "GenericError", "Parameter 'command-line' is missing");
    g_free(want);
    json_decref(ver);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* ---- run state and events ---- */

static void test_prelaunch_cont(void)
{
    QTestState *s = qtest_init("-M virt -S");
    json_t *ev;

    assert_status(s, "prelaunch", false);
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    ev = qtest_qmp_eventwait(s, "RESUME");
    assert_timestamp(ev);
    g_assert_null(json_object_get(ev, "data"));
    json_decref(ev);
    assert_status(s, "running", true);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_stop_cont_reset(void)
{
    QTestState *s = qtest_init("-M virt");
    json_t *ev, *data;

    assert_status(s, "running", true);
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    ev = qtest_qmp_eventwait(s, "STOP");
    assert_timestamp(ev);
    json_decref(ev);
    assert_status(s, "paused", false);
    /* A second stop is accepted and sends no second event. */
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    ev = qtest_qmp_eventwait(s, "RESUME");
    json_decref(ev);
    g_assert_null(qmp_conn_event_poll(qtest_qmp_conn(s), "STOP"));
    assert_status(s, "running", true);

    qtest_qmp_assert_success(s, "{\"execute\": \"system_reset\"}");
    ev = qtest_qmp_eventwait(s, "RESET");
    assert_timestamp(ev);
    data = json_object_get(ev, "data");
    g_assert_true(json_is_false(json_object_get(data, "guest")));
    g_assert_cmpstr(str_member(data, "reason"), ==, "host-qmp-system-reset");
    json_decref(ev);
    assert_status(s, "running", true);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

static void test_quit(void)
{
    QTestState *s = qtest_init("-M virt");
    json_t *ev, *data;
    QmpConn *c = qtest_qmp_conn(s);

    assert_return_is(qtest_qmp(s, "{\"execute\": \"quit\", \"id\": 7}"), "{}");
    ev = qtest_qmp_eventwait(s, "SHUTDOWN");
    data = json_object_get(ev, "data");
    g_assert_true(json_is_false(json_object_get(data, "guest")));
    g_assert_cmpstr(str_member(data, "reason"), ==, "host-qmp-quit");
    json_decref(ev);
    g_assert_true(qmp_conn_wait_eof(c, 10000));
    g_assert_cmpint(qtest_wait_exit(s), ==, 0);
    qtest_cleanup(s);
}

/* ---- fd passing ---- */

static char *pipe_target(int fd)
{
    struct stat st;

    g_assert_cmpint(fstat(fd, &st), ==, 0);
    return g_strdup_printf("pipe:[%lu]", (unsigned long)st.st_ino);
}

static json_t *getfd_with(QmpConn *c, int fd, const char *name)
{
    return qmp_conn_cmd_fds(c, &fd, 1, "{\"execute\": \"getfd\", "
                            "\"arguments\": {\"fdname\": \"%s\"}}", name);
}

static void test_getfd_closefd(void)
{
    QTestState *s = qtest_init("-M none");
    QmpConn *c = qtest_qmp_conn(s);
    pid_t pid = qtest_pid(s);
    int p[2], q[2], before, during;
    char *tp, *tq;
    json_t *rsp;

    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    g_assert_cmpint(pipe2(q, O_CLOEXEC), ==, 0);
    tp = pipe_target(p[0]);
    tq = pipe_target(q[0]);
    before = qtest_count_fds(pid);
    g_assert_false(qtest_proc_has_fd_to(pid, tp));

    rsp = getfd_with(c, p[0], "fd-a");
    assert_return_is(rsp, "{}");
    g_assert_true(qtest_proc_has_fd_to(pid, tp));
    during = qtest_count_fds(pid);
    g_assert_cmpint(during, ==, before + 1);

    /* Re-using a name replaces (and closes) the old fd. */
    assert_return_is(getfd_with(c, q[0], "fd-a"), "{}");
    g_assert_true(qtest_proc_has_fd_to(pid, tq));
    g_assert_false(qtest_proc_has_fd_to(pid, tp));
    g_assert_cmpint(qtest_count_fds(pid), ==, during);

    assert_return_is(qtest_qmp(s, "{\"execute\": \"closefd\", "
                               "\"arguments\": {\"fdname\": \"fd-a\"}}"),
                     "{}");
    g_assert_false(qtest_proc_has_fd_to(pid, tq));
    g_assert_cmpint(qtest_count_fds(pid), ==, before);

    /* Errors. */
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"getfd\", \"arguments\": "
                               "{\"fdname\": \"none\"}}"),
                     "GenericError",
                     "No file descriptor supplied via SCM_RIGHTS");
    assert_qmp_error(getfd_with(c, p[0], "1abc"), "GenericError",
                     "Parameter 'fdname' expects a name not starting with a "
                     "digit");
    g_assert_false(qtest_proc_has_fd_to(pid, tp));
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"closefd\", \"arguments\": "
                               "{\"fdname\": \"fd-a\"}}"),
                     "GenericError", "File descriptor named 'fd-a' not found");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"closefd\", \"arguments\": "
                               "{\"fdname\": \"never\"}}"),
                     "GenericError",
                     "File descriptor named 'never' not found");
    /* An fd sent with a command that does not use it is not kept. */
    {
        int fd = p[0];
        assert_return_is(qmp_conn_cmd_fds(c, &fd, 1,
                                          "{\"execute\": \"query-status\"}"),
                         "{\"status\": \"running\", \"running\": true}");
        assert_return_is(qtest_qmp(s, "{\"execute\": \"query-kvm\"}"),
                         "{\"enabled\": false, \"present\": false}");
    }
    g_assert_cmpint(qtest_count_fds(pid), <=, before + 1);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    close(p[0]);
    close(p[1]);
    close(q[0]);
    close(q[1]);
    g_free(tp);
    g_free(tq);
}

static json_t *find_fdset(json_t *sets, int64_t id)
{
    size_t i;
    json_t *v;

    json_array_foreach(sets, i, v) {
        if (json_integer_value(json_object_get(v, "fdset-id")) == id) {
            return v;
        }
    }
    return NULL;
}

static void test_fdsets(void)
{
    QTestState *s;
    QmpConn *c;
    int p[2], cli[2], inherited, fd, fd_b;
    json_t *ret, *set, *sets;
    char *tp;

    /* An inherited fd for -add-fd (no close-on-exec on purpose). */
    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    g_assert_cmpint(pipe2(cli, O_CLOEXEC), ==, 0);
    inherited = fcntl(cli[0], F_DUPFD, 100);
    g_assert_cmpint(inherited, >=, 100);
    tp = pipe_target(cli[0]);
    s = qtest_initf("-M none -add-fd fd=%d,set=2,opaque=from-cli", inherited);
    close(inherited);
    c = qtest_qmp_conn(s);
    g_assert_true(qtest_proc_has_fd_to(qtest_pid(s), tp));

    sets = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-fdsets\"}");
    g_assert_cmpuint(json_array_size(sets), ==, 1);
    set = find_fdset(sets, 2);
    g_assert(set);
    g_assert_cmpuint(json_array_size(json_object_get(set, "fds")), ==, 1);
    g_assert_cmpstr(str_member(json_array_get(json_object_get(set, "fds"), 0),
                               "opaque"), ==, "from-cli");
    json_decref(sets);

    /* add-fd with an explicit id and an opaque string. */
    fd = p[1];
    ret = qmp_conn_cmd_fds(c, &fd, 1, "{\"execute\": \"add-fd\", "
                           "\"arguments\": {\"fdset-id\": 5, "
                           "\"opaque\": \"hello\"}}");
    g_assert(qmp_return(ret));
    g_assert_cmpint(json_integer_value(json_object_get(qmp_return(ret),
                                                       "fdset-id")), ==, 5);
    fd_b = json_integer_value(json_object_get(qmp_return(ret), "fd"));
    g_assert_cmpint(fd_b, >, 2);
    json_decref(ret);
    /* Without an id: the lowest free one (0). */
    fd = p[0];
    ret = qmp_conn_cmd_fds(c, &fd, 1, "{\"execute\": \"add-fd\"}");
    g_assert_cmpint(json_integer_value(json_object_get(qmp_return(ret),
                                                       "fdset-id")), ==, 0);
    json_decref(ret);

    sets = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-fdsets\"}");
    g_assert_cmpuint(json_array_size(sets), ==, 3);
    set = find_fdset(sets, 5);
    g_assert(set);
    g_assert_cmpint(json_integer_value(json_object_get(
                        json_array_get(json_object_get(set, "fds"), 0), "fd")),
                    ==, fd_b);
    g_assert_cmpstr(str_member(json_array_get(json_object_get(set, "fds"), 0),
                               "opaque"), ==, "hello");
    g_assert_null(str_member(json_array_get(json_object_get(
                                 find_fdset(sets, 0), "fds"), 0), "opaque"));
    json_decref(sets);

    /* Errors. */
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"add-fd\", \"arguments\": "
                               "{\"fdset-id\": 1}}"),
                     "GenericError",
                     "No file descriptor supplied via SCM_RIGHTS");
    fd = p[0];
    assert_qmp_error(qmp_conn_cmd_fds(c, &fd, 1, "{\"execute\": \"add-fd\", "
                                      "\"arguments\": {\"fdset-id\": -1}}"),
                     "GenericError",
                     "Parameter 'fdset-id' expects a non-negative value");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"remove-fd\", \"arguments\":"
                               " {\"fdset-id\": 99}}"),
                     "GenericError",
                     "File descriptor named 'fdset-id:99' not found");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"remove-fd\", \"arguments\":"
                               " {\"fdset-id\": 5, \"fd\": 1000}}"),
                     "GenericError",
                     "File descriptor named 'fdset-id:5, fd:1000' not found");
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"remove-fd\"}"),
                     "GenericError", "Parameter 'fdset-id' is missing");

    /* remove-fd of one fd, then of a whole set. */
    qtest_qmp_assert_success(s, "{\"execute\": \"remove-fd\", \"arguments\": "
                             "{\"fdset-id\": 5, \"fd\": %d}}", fd_b);
    qtest_qmp_assert_success(s, "{\"execute\": \"remove-fd\", \"arguments\": "
                             "{\"fdset-id\": 2}}");
    g_assert_false(qtest_proc_has_fd_to(qtest_pid(s), tp));
    sets = qtest_qmp_assert_success_ref(s, "{\"execute\": \"query-fdsets\"}");
    g_assert_null(find_fdset(sets, 5));
    g_assert_null(find_fdset(sets, 2));
    g_assert(find_fdset(sets, 0));
    json_decref(sets);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    close(p[0]);
    close(p[1]);
    close(cli[0]);
    close(cli[1]);
    g_free(tp);
}

/* Poll until the process has (or no longer has) an fd to target. */
static bool wait_fd_state(pid_t pid, const char *target, bool present)
{
    for (int i = 0; i < 500; i++) {
        if (qtest_proc_has_fd_to(pid, target) == present) {
            return true;
        }
        g_usleep(10 * 1000);
    }
    return false;
}

static void test_fds_closed_on_disconnect(void)
{
    char *path = g_strdup_printf("%s/vireo-qmp-%d.sock", g_get_tmp_dir(),
                                 (int)getpid());
    QTestState *s;
    QmpConn *c;
    int p[2];
    char *tp;
    json_t *rsp;

    /* An extra monitor we can connect to and leave. */
    s = qtest_initf("-M none -qmp unix:%s,server=on,wait=off", path);
    c = qmp_conn_connect_unix(path);
    json_decref(qmp_conn_handshake(c));
    g_assert_cmpint(pipe2(p, O_CLOEXEC), ==, 0);
    tp = pipe_target(p[0]);
    rsp = getfd_with(c, p[0], "mine");
    g_assert(qmp_return(rsp));
    json_decref(rsp);
    g_assert_true(qtest_proc_has_fd_to(qtest_pid(s), tp));
    /* The fd belongs to that connection: the other monitor can't close it. */
    assert_qmp_error(qtest_qmp(s, "{\"execute\": \"closefd\", \"arguments\": "
                               "{\"fdname\": \"mine\"}}"),
                     "GenericError", "File descriptor named 'mine' not found");
    qmp_conn_close(c);
    g_assert_true(wait_fd_state(qtest_pid(s), tp, false));

    /* A new connection to the same monitor starts afresh. */
    c = qmp_conn_connect_unix(path);
    json_decref(qmp_conn_handshake(c));
    rsp = qmp_conn_cmd(c, "{\"execute\": \"closefd\", \"arguments\": "
                       "{\"fdname\": \"mine\"}}");
    qmp_assert_error(rsp, "GenericError", NULL);
    json_decref(rsp);
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    unlink(path);
    g_free(path);
    g_free(tp);
    close(p[0]);
    close(p[1]);
}

static void test_two_monitors(void)
{
    char *path = g_strdup_printf("%s/vireo-qmp2-%d.sock", g_get_tmp_dir(),
                                 (int)getpid());
    QTestState *s = qtest_initf("-M virt -chardev socket,id=m2,path=%s,"
                                "server=on,wait=off -mon chardev=m2,"
                                "mode=control", path);
    QmpConn *c = qmp_conn_connect_unix(path);
    json_t *ev, *rsp;

    json_decref(qmp_conn_handshake(c));
    /* Commands from either monitor; events to both. */
    rsp = qmp_conn_cmd(c, "{\"execute\": \"stop\", \"id\": \"m2\"}");
    g_assert_cmpstr(str_member(rsp, "id"), ==, "m2");
    json_decref(rsp);
    ev = qmp_conn_eventwait(c, "STOP");
    json_decref(ev);
    ev = qtest_qmp_eventwait(s, "STOP");
    json_decref(ev);
    qtest_qmp_assert_success(s, "{\"execute\": \"cont\"}");
    json_decref(qtest_qmp_eventwait(s, "RESUME"));
    json_decref(qmp_conn_eventwait(c, "RESUME"));
    /* An un-negotiated connection gets no events. */
    qmp_conn_close(c);
    c = qmp_conn_connect_unix(path);
    rsp = qmp_conn_receive(c); /* greeting */
    g_assert(json_object_get(rsp, "QMP"));
    json_decref(rsp);
    qtest_qmp_assert_success(s, "{\"execute\": \"stop\"}");
    json_decref(qtest_qmp_eventwait(s, "STOP"));
    rsp = qmp_conn_receive_any_timeout(c, 200);
    g_assert_null(rsp);
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    unlink(path);
    g_free(path);
}

static void test_tcp_monitor(void)
{
    int port = qtest_free_tcp_port();
    QTestState *s = qtest_initf("-M none -qmp tcp:127.0.0.1:%d,server=on,"
                                "wait=off", port);
    QmpConn *c = qmp_conn_connect_tcp("127.0.0.1", port);
    json_t *greeting = qmp_conn_handshake(c), *rsp;

    g_assert(json_object_get(greeting, "QMP"));
    json_decref(greeting);
    rsp = qmp_conn_cmd(c, "{\"execute\": \"query-status\"}");
    g_assert_cmpstr(str_member(qmp_return(rsp), "status"), ==, "running");
    json_decref(rsp);
    /* getfd needs SCM_RIGHTS, which TCP can't carry. */
    rsp = qmp_conn_cmd(c, "{\"execute\": \"getfd\", \"arguments\": "
                       "{\"fdname\": \"x\"}}");
    qmp_assert_error(rsp, "GenericError",
                     "No file descriptor supplied via SCM_RIGHTS");
    json_decref(rsp);
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
}

/* Read what the server sent until @needle shows up (or EOF / 5 s). */
static GString *read_until(int fd, const char *needle)
{
    GString *got = g_string_new(NULL);
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (!strstr(got->str, needle) && g_get_monotonic_time() < deadline) {
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        char buf[512];
        ssize_t n;

        if (poll(&pfd, 1, 100) <= 0) {
            continue;
        }
        n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
            break;
        }
        g_string_append_len(got, buf, n);
    }
    return got;
}

/* -qmp-pretty: the same protocol, with replies indented over many lines. */
static void test_qmp_pretty(void)
{
    char *path = g_strdup_printf("%s/vireo-pretty-%d.sock", g_get_tmp_dir(),
                                 (int)getpid());
    QTestState *s = qtest_initf("-M none -qmp-pretty unix:%s,server=on,"
                                "wait=off", path);
    QmpConn *c = qmp_conn_connect_unix(path);
    GString *got = read_until(qmp_conn_fd(c), "}\r\n");
    json_t *msg;
    json_error_t jerr;

    /* The greeting spans lines, indented by four spaces per level. */
    g_assert_nonnull(strstr(got->str, "{\n    \"QMP\": {\n        "));
    msg = json_loads(got->str, JSON_DISABLE_EOF_CHECK, &jerr);
    g_assert_nonnull(msg);
    g_assert_nonnull(json_object_get(msg, "QMP"));
    json_decref(msg);
    g_string_free(got, TRUE);
    qmp_conn_send(c, "{\"execute\": \"qmp_capabilities\"}");
    got = read_until(qmp_conn_fd(c), "}\r\n");
    g_assert_cmpstr(got->str, ==, "{\n    \"return\": {}\n}\r\n");
    g_string_free(got, TRUE);
    qmp_conn_send(c, "{\"execute\": \"query-status\"}");
    got = read_until(qmp_conn_fd(c), "}\r\n");
    msg = json_loads(got->str, JSON_DISABLE_EOF_CHECK, &jerr);
    g_assert_nonnull(msg);
    g_assert_cmpstr(str_member(qmp_return(msg), "status"), ==, "running");
    g_assert_nonnull(strstr(got->str, "\n        \"status\": \"running\""));
    json_decref(msg);
    g_string_free(got, TRUE);
    qmp_conn_close(c);
    g_assert_cmpint(qtest_quit(s), ==, 0);
    unlink(path);
    g_free(path);
}

/* Each test runs in its own process; its shared vireo must exit cleanly. */
static void end_shared(void)
{
    if (shared) {
        g_assert_cmpint(qtest_quit(shared), ==, 0);
        shared = NULL;
    }
}

int main(int argc, char **argv)
{
    int rc;

    qtest_test_init(&argc, &argv);
    qtest_set_teardown(end_shared);
    qtest_add_func("/qmp/protocol/greeting-negotiation",
                    test_greeting_and_negotiation);
    qtest_add_func("/qmp/protocol/pretty", test_qmp_pretty);
    qtest_add_func("/qmp/protocol/id-echo", test_id_echo);
    qtest_add_func("/qmp/protocol/unknown-command", test_unknown_command);
    qtest_add_func("/qmp/protocol/bad-arguments", test_bad_arguments);
    qtest_add_func("/qmp/protocol/bad-envelope", test_bad_envelope);
    qtest_add_func("/qmp/stream/bad-json-recovers", test_bad_json_recovers);
    qtest_add_func("/qmp/stream/bad-json-variants", test_bad_json_variants);
    qtest_add_func("/qmp/stream/several-in-one-write",
                    test_several_in_one_write);
    qtest_add_func("/qmp/stream/split-byte-by-byte",
                    test_split_byte_by_byte);
    qtest_add_func("/qmp/stream/deep-nesting", test_deep_nesting);
    qtest_add_func("/qmp/stream/oversized", test_oversized);
    qtest_add_func("/qmp/stream/unread-replies-bounded",
                   test_unread_replies_bounded);
    qtest_add_func("/qmp/fds/many-in-one-message",
                   test_many_fds_in_one_message);
    qtest_add_func("/qmp/cmd/commands-and-schema", test_commands_and_schema);
    qtest_add_func("/qmp/cmd/query-misc", test_query_misc);
    qtest_add_func("/qmp/cmd/query-name", test_query_name);
    qtest_add_func("/qmp/cmd/query-machines", test_query_machines);
    qtest_add_func("/qmp/cmd/qom-list-types", test_qom_list_types);
    qtest_add_func("/qmp/cmd/device-list-properties",
                    test_device_list_properties);
    qtest_add_func("/qmp/cmd/hmp", test_hmp);
    qtest_add_func("/qmp/runstate/prelaunch-cont", test_prelaunch_cont);
    qtest_add_func("/qmp/runstate/stop-cont-reset", test_stop_cont_reset);
    qtest_add_func("/qmp/runstate/quit", test_quit);
    qtest_add_func("/qmp/fds/getfd-closefd", test_getfd_closefd);
    qtest_add_func("/qmp/fds/fdsets", test_fdsets);
    qtest_add_func("/qmp/fds/closed-on-disconnect",
                    test_fds_closed_on_disconnect);
    qtest_add_func("/qmp/monitors/two", test_two_monitors);
    qtest_add_func("/qmp/monitors/tcp", test_tcp_monitor);
    rc = g_test_run();
    end_shared();
    return rc;
}
