/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for util/cutils.c: qemu_strto*, qemu_strtosz, parse_*. */
#include <errno.h>
#include <limits.h>
#include <string.h>
#include <glib.h>
#include "util/cutils.h"

static void test_strtou64(void)
{
    uint64_t v;
    const char *end;
    const char *s;

    g_assert_cmpint(qemu_strtou64("12345", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 12345);
    g_assert_cmpint(qemu_strtou64("0x10", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 16);
    g_assert_cmpint(qemu_strtou64("010", NULL, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, 8);
    g_assert_cmpint(qemu_strtou64("ff", NULL, 16, &v), ==, 0);
    g_assert_cmpuint(v, ==, 255);
    g_assert_cmpint(qemu_strtou64("18446744073709551615", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    /* leading whitespace is skipped like strtoull() does */
    g_assert_cmpint(qemu_strtou64("  \t7", NULL, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 7);

    /* errors */
    g_assert_cmpint(qemu_strtou64("18446744073709551616", NULL, 10, &v), ==,
                    -ERANGE);
    g_assert_cmpuint(v, ==, UINT64_MAX);
    g_assert_cmpint(qemu_strtou64("-1", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpuint(v, ==, 0);
    g_assert_cmpint(qemu_strtou64(" -1", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("   ", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64(NULL, NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("abc", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12x", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12 ", NULL, 10, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12", NULL, 1, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtou64("12", NULL, 37, &v), ==, -EINVAL);
    /* garbage wins over overflow */
    g_assert_cmpint(qemu_strtou64("99999999999999999999x", NULL, 10, &v), ==,
                    -EINVAL);

    /* with @end trailing text is fine and reported */
    s = "42abc";
    g_assert_cmpint(qemu_strtou64(s, &end, 10, &v), ==, 0);
    g_assert_cmpuint(v, ==, 42);
    g_assert_true(end == s + 2);
    s = "xyz";
    g_assert_cmpint(qemu_strtou64(s, &end, 10, &v), ==, -EINVAL);
    g_assert_true(end == s);
    s = "99999999999999999999,";
    g_assert_cmpint(qemu_strtou64(s, &end, 10, &v), ==, -ERANGE);
    g_assert_true(end == s + 20);
}

static void test_strtoi64(void)
{
    int64_t v;

    g_assert_cmpint(qemu_strtoi64("-9223372036854775808", NULL, 10, &v), ==, 0);
    g_assert_cmpint(v, ==, INT64_MIN);
    g_assert_cmpint(qemu_strtoi64("9223372036854775807", NULL, 0, &v), ==, 0);
    g_assert_cmpint(v, ==, INT64_MAX);
    g_assert_cmpint(qemu_strtoi64("9223372036854775808", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpint(v, ==, INT64_MAX);
    g_assert_cmpint(qemu_strtoi64("-9223372036854775809", NULL, 0, &v), ==,
                    -ERANGE);
    g_assert_cmpint(v, ==, INT64_MIN);
    g_assert_cmpint(qemu_strtoi64("-0x10", NULL, 0, &v), ==, 0);
    g_assert_cmpint(v, ==, -16);
    g_assert_cmpint(qemu_strtoi64("-", NULL, 0, &v), ==, -EINVAL);
    g_assert_cmpint(qemu_strtoi64("1.5", NULL, 0, &v), ==, -EINVAL);
}

static void test_strtoi_narrow(void)
{
    int i;
    unsigned u;
    long l;
    unsigned long ul;

    g_assert_cmpint(qemu_strtoi("2147483647", NULL, 10, &i), ==, 0);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("2147483648", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MAX);
    g_assert_cmpint(qemu_strtoi("-2147483649", NULL, 10, &i), ==, -ERANGE);
    g_assert_cmpint(i, ==, INT_MIN);
    g_assert_cmpint(qemu_strtoi("x", NULL, 10, &i), ==, -EINVAL);
    g_assert_cmpint(i, ==, 0);

    g_assert_cmpint(qemu_strtoui("4294967295", NULL, 10, &u), ==, 0);
    g_assert_cmpuint(u, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtoui("4294967296", NULL, 10, &u), ==, -ERANGE);
    g_assert_cmpuint(u, ==, UINT_MAX);
    g_assert_cmpint(qemu_strtoui("-1", NULL, 10, &u), ==, -EINVAL);

    g_assert_cmpint(qemu_strtol("-77", NULL, 10, &l), ==, 0);
    g_assert_cmpint(l, ==, -77);
    g_assert_cmpint(qemu_strtoul("0x7f", NULL, 16, &ul), ==, 0);
    g_assert_cmpuint(ul, ==, 127);
    g_assert_cmpint(qemu_strtoul("-5", NULL, 10, &ul), ==, -EINVAL);
}

typedef struct SizeCase {
    const char *in;
    int ret;
    uint64_t val;
} SizeCase;

static void test_strtosz(void)
{
    static const SizeCase cases[] = {
        {"0", 0, 0},
        {"12345", 0, 12345},
        {"  42", 0, 42},
        {"1k", 0, 1024},
        {"1K", 0, 1024},
        {"2m", 0, 2 << 20},
        {"2M", 0, 2 << 20},
        {"1G", 0, 1ULL << 30},
        {"1g", 0, 1ULL << 30},
        {"3T", 0, 3ULL << 40},
        {"1P", 0, 1ULL << 50},
        {"1E", 0, 1ULL << 60},
        {"15E", 0, 15ULL << 60},
        {"512B", 0, 512},
        {"512b", 0, 512},
        {"1.5G", 0, 3ULL << 29},
        {"1.5k", 0, 1536},
        {".5M", 0, 1 << 19},
        {"1.M", 0, 1 << 20},
        {"0.1k", 0, 102}, /* fractional byte truncated */
        {"1.0", 0, 1},    /* a zero fraction needs no suffix */
        {"0x1f", 0, 31},
        {"0x1b", 0, 27}, /* 'b' is a hex digit, not the byte suffix */
        {"18446744073709551615", 0, UINT64_MAX},
        {"15.9999999E", 0, 0}, /* value checked separately */
        /* errors */
        {"", -EINVAL, 0},
        {" ", -EINVAL, 0},
        {".", -EINVAL, 0},
        {"k", -EINVAL, 0},
        {"1.5", -EINVAL, 0},
        {"1.5B", -EINVAL, 0},
        {"1X", -EINVAL, 0},
        {"1kB", -EINVAL, 0},
        {"1e3", -EINVAL, 0},
        {"1 k", -EINVAL, 0},
        {"0x", -EINVAL, 0},
        {"0x20M", -EINVAL, 0},
        {"0x1.8", -EINVAL, 0},
        {"inf", -EINVAL, 0},
        {"16E", -ERANGE, 0},
        {"16384P", -ERANGE, 0},
        {"18446744073709551616", -ERANGE, 0},
        {"99999999999999999999999k", -ERANGE, 0},
        {"0x10000000000000000", -ERANGE, 0},
        {"-1", -ERANGE, 0},
        {"-0", -ERANGE, 0},
        {" -5k", -ERANGE, 0},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        uint64_t v = 12345678;
        int ret = qemu_strtosz(cases[i].in, NULL, &v);

        if (ret != cases[i].ret) {
            g_error("qemu_strtosz(\"%s\") = %d, expected %d", cases[i].in, ret,
                    cases[i].ret);
        }
        if (ret == 0 && strcmp(cases[i].in, "15.9999999E") != 0) {
            g_assert_cmpuint(v, ==, cases[i].val);
        }
        if (ret) {
            g_assert_cmpuint(v, ==, 0);
        }
    }
}

static void test_strtosz_end(void)
{
    const char *s = "4k,rest";
    const char *end;
    uint64_t v;

    g_assert_cmpint(qemu_strtosz(s, &end, &v), ==, 0);
    g_assert_cmpuint(v, ==, 4096);
    g_assert_true(end == s + 2);

    s = "8 MiB";
    g_assert_cmpint(qemu_strtosz(s, &end, &v), ==, 0);
    g_assert_cmpuint(v, ==, 8);
    g_assert_true(end == s + 1);

    s = "junk";
    g_assert_cmpint(qemu_strtosz(s, &end, &v), ==, -EINVAL);
    g_assert_true(end == s);

    /* near the top: 15.9999999E must not wrap */
    g_assert_cmpint(qemu_strtosz("15.9999999E", NULL, &v), ==, 0);
    g_assert_cmpuint(v, >, 15ULL << 60);
    g_assert_cmpuint(v, <, UINT64_MAX);
}

static void test_parse_bool(void)
{
    static const char *const yes[] = {"on", "yes", "true", "y"};
    static const char *const no[] = {"off", "no", "false", "n"};
    static const char *const bad[] = {"", "ON", "1", "0", "onn", "of"};
    Error *err = NULL;
    bool b;

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        b = false;
        g_assert_true(parse_bool("x", yes[i], &b, &error_abort));
        g_assert_true(b);
        g_assert_true(parse_bool("x", no[i], &b, &error_abort));
        g_assert_false(b);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        b = true;
        g_assert_false(parse_bool("ipv6", bad[i], &b, &err));
        g_assert_nonnull(err);
        g_assert_cmpstr(error_get_pretty(err), ==,
                        "Parameter 'ipv6' expects 'on' or 'off'");
        g_assert_true(b); /* untouched on error */
        error_free(err);
        err = NULL;
    }
    g_assert_false(parse_bool("x", NULL, &b, &err));
    error_free_or_abort(&err);
    /* NULL errp is allowed */
    g_assert_false(parse_bool("x", "maybe", &b, NULL));
}

static void test_parse_size(void)
{
    Error *err = NULL;
    uint64_t v = 7;

    g_assert_true(parse_size("size", "1.5G", &v, &error_abort));
    g_assert_cmpuint(v, ==, 3ULL << 29);
    g_assert_true(parse_size("size", "64", &v, &error_abort));
    g_assert_cmpuint(v, ==, 64);

    g_assert_false(parse_size("size", "12Q", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'size' expects a non-negative number below "
                    "2^64 (optional suffix k, M, G, T, P or E)");
    g_assert_null(error_get_hint(err));
    g_assert_cmpuint(v, ==, 64);
    error_free(err);
    err = NULL;

    g_assert_false(parse_size("mem", "16E", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Value '16E' is out of range for parameter 'mem'");
    error_free(err);
    err = NULL;

    g_assert_false(parse_size("mem", "-1", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Value '-1' is out of range for parameter 'mem'");
    error_free(err);
    err = NULL;

    /* user text with a newline stays on one line in the message */
    g_assert_false(parse_size("mem", "-1\n", &v, &err));
    g_assert_null(strchr(error_get_pretty(err), '\n'));
    error_free(err);
}

static void test_parse_uint_full(void)
{
    Error *err = NULL;
    uint64_t v = 3;

    g_assert_true(parse_uint_full("n", "0x20", &v, &error_abort));
    g_assert_cmpuint(v, ==, 32);
    g_assert_true(parse_uint_full("n", "017", &v, &error_abort));
    g_assert_cmpuint(v, ==, 15);
    g_assert_true(
        parse_uint_full("n", "18446744073709551615", &v, &error_abort));
    g_assert_cmpuint(v, ==, UINT64_MAX);

    g_assert_false(parse_uint_full("port", "12a", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'port' expects a number");
    error_free(err);
    err = NULL;
    g_assert_false(parse_uint_full("port", "-3", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Parameter 'port' expects a number");
    error_free(err);
    err = NULL;
    g_assert_false(parse_uint_full("port", "", &v, &err));
    error_free_or_abort(&err);
    g_assert_false(parse_uint_full("port", "18446744073709551616", &v, &err));
    g_assert_cmpstr(error_get_pretty(err), ==,
                    "Value '18446744073709551616' is too large for parameter "
                    "'port'");
    error_free(err);
    g_assert_cmpuint(v, ==, UINT64_MAX);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cutils/strtou64", test_strtou64);
    g_test_add_func("/cutils/strtoi64", test_strtoi64);
    g_test_add_func("/cutils/strtoi-narrow", test_strtoi_narrow);
    g_test_add_func("/cutils/strtosz", test_strtosz);
    g_test_add_func("/cutils/strtosz-end", test_strtosz_end);
    g_test_add_func("/cutils/parse-bool", test_parse_bool);
    g_test_add_func("/cutils/parse-size", test_parse_size);
    g_test_add_func("/cutils/parse-uint-full", test_parse_uint_full);
    return g_test_run();
}
