/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: option strings (keyval_parse_or_json) and the value
 * parsers behind them (parse_size, parse_bool, parse_uint_full, qemu_strto*).
 *
 * Input: byte 0 selects the mode (implied key, help pointer), the rest is
 * the option string.  Besides "no crash", it checks that each call returns
 * exactly one of a result and an error, that errors are single non-empty
 * lines, and that results have the documented shape.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "util/cutils.h"
#include "util/keyval.h"

#define CHECK(cond)                                                            \
    do {                                                                       \
        if (!(cond)) {                                                         \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, \
                    __LINE__);                                                 \
            abort();                                                           \
        }                                                                      \
    } while (0)

static void check_error(Error *err)
{
    const char *msg;

    CHECK(err);
    msg = error_get_pretty(err);
    CHECK(msg && *msg);
    CHECK(!strchr(msg, '\n'));
    error_free(err);
}

/* keyval output: nested objects/arrays whose leaves are all strings. */
static void check_keyval_shape(json_t *v, int depth)
{
    const char *key;
    json_t *m;
    size_t i;

    CHECK(depth <= KEYVAL_MAX_FRAGMENTS + 1);
    if (json_is_string(v)) {
        return;
    }
    if (json_is_array(v)) {
        CHECK(json_array_size(v) > 0);
        json_array_foreach(v, i, m)
        {
            check_keyval_shape(m, depth + 1);
        }
        return;
    }
    CHECK(json_is_object(v));
    json_object_foreach(v, key, m)
    {
        CHECK(*key);
        check_keyval_shape(m, depth + 1);
    }
}

static void fuzz_keyval(const char *s, uint8_t mode)
{
    const char *implied = (mode & 1) ? "type" : NULL;
    bool help = false;
    Error *err = NULL;
    json_t *v;
    char *dump;

    v = keyval_parse_or_json(s, implied, (mode & 2) ? &help : NULL, &err);
    CHECK((v == NULL) != (err == NULL));
    if (!v) {
        check_error(err);
        return;
    }
    CHECK(json_is_object(v));
    /* Everything produced must serialize (valid UTF-8 strings etc.). */
    dump = json_dumps(v, JSON_COMPACT);
    CHECK(dump);
    free(dump);
    if (*s != '{' && !g_ascii_isspace(*s)) {
        check_keyval_shape(v, 0);
        CHECK(!help || (mode & 2));
    }
    json_decref(v);
}

static void fuzz_numbers(const char *s, size_t len)
{
    Error *err = NULL;
    uint64_t u, u2;
    int64_t i64;
    const char *end;
    bool b;
    int ret;

    if (parse_size("size", s, &u, &err)) {
        CHECK(!err);
        CHECK(qemu_strtosz(s, NULL, &u2) == 0 && u == u2);
    } else {
        check_error(err);
        err = NULL;
    }
    ret = qemu_strtosz(s, &end, &u);
    CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
    CHECK(end >= s && end <= s + len);
    if (ret) {
        CHECK(u == 0);
    }

    if (parse_bool("flag", s, &b, &err)) {
        CHECK(!err);
    } else {
        check_error(err);
        err = NULL;
    }
    if (parse_uint_full("num", s, &u, &err)) {
        CHECK(!err);
        CHECK(s[0] != '-');
    } else {
        check_error(err);
        err = NULL;
    }
    for (int base = 0; base <= 37; base += 8) {
        ret = qemu_strtou64(s, &end, base, &u);
        CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
        CHECK(end >= s && end <= s + len);
        ret = qemu_strtoi64(s, NULL, base, &i64);
        CHECK(ret == 0 || ret == -EINVAL || ret == -ERANGE);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t mode;
    char *s;

    if (size < 1 || size > 65536) {
        return 0;
    }
    mode = data[0];
    /* Option strings are C strings: the text ends at the first NUL. */
    s = g_strndup((const char *)data + 1, size - 1);
    fuzz_keyval(s, mode);
    fuzz_numbers(s, strlen(s));
    g_free(s);
    return 0;
}
