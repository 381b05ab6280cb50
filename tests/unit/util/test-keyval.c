/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for util/keyval.c: key=value,... strings and their JSON form. */
#include <string.h>
#include <glib.h>
#include "util/keyval.h"

/* Parse and compare against the expected JSON text (jansson-equal). */
static void check_ok(const char *params, const char *implied,
                     const char *expect_json)
{
    json_t *expect = json_loads(expect_json, 0, NULL);
    Error *err = NULL;
    json_t *got;

    g_assert_nonnull(expect);
    got = keyval_parse(params, implied, NULL, &err);
    if (!got) {
        g_error("keyval_parse(\"%s\") failed: %s", params,
                error_get_pretty(err));
    }
    if (!json_equal(got, expect)) {
        char *txt = json_dumps(got, JSON_COMPACT);
        g_error("keyval_parse(\"%s\") = %s, expected %s", params, txt,
                expect_json);
    }
    json_decref(got);
    json_decref(expect);
}

static void check_err(const char *params, const char *implied,
                      const char *expect_msg)
{
    Error *err = NULL;
    json_t *got = keyval_parse(params, implied, NULL, &err);

    if (got) {
        char *txt = json_dumps(got, JSON_COMPACT);
        g_error("keyval_parse(\"%s\") = %s, expected error '%s'", params, txt,
                expect_msg);
    }
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, expect_msg);
    g_assert_null(strchr(error_get_pretty(err), '\n'));
    error_free(err);
}

static void test_basic(void)
{
    check_ok("", NULL, "{}");
    check_ok("a=1", NULL, "{\"a\":\"1\"}");
    check_ok("a=1,b=two", NULL, "{\"a\":\"1\",\"b\":\"two\"}");
    check_ok("a=", NULL, "{\"a\":\"\"}");
    check_ok("a=b=c", NULL, "{\"a\":\"b=c\"}");
    check_ok("a=1,", NULL, "{\"a\":\"1\"}"); /* one trailing comma is fine */
    check_ok("host-fwd=tcp::2222-:22,x_y=z", NULL,
             "{\"host-fwd\":\"tcp::2222-:22\",\"x_y\":\"z\"}");
    check_ok("name=caf\xc3\xa9", NULL, "{\"name\":\"caf\\u00e9\"}");
}

static void test_escaped_comma(void)
{
    check_ok("a=x,,y", NULL, "{\"a\":\"x,y\"}");
    check_ok("a=x,,,b=2", NULL, "{\"a\":\"x,\",\"b\":\"2\"}");
    check_ok("a=,,", NULL, "{\"a\":\",\"}");
    check_ok("a=1,,", NULL, "{\"a\":\"1,\"}");
    check_ok("a=,,,,,b=c", NULL, "{\"a\":\",,\",\"b\":\"c\"}");
    /* in the implied value too */
    check_ok("file,,name.img,id=x", "path",
             "{\"path\":\"file,name.img\",\"id\":\"x\"}");
}

static void test_implied(void)
{
    check_ok("user,id=n0", "type", "{\"type\":\"user\",\"id\":\"n0\"}");
    check_ok("user", "type", "{\"type\":\"user\"}");
    check_ok("user,", "type", "{\"type\":\"user\"}");
    /* an explicit key in the first element is just a key */
    check_ok("id=n0,type=tap", "type", "{\"id\":\"n0\",\"type\":\"tap\"}");
    /* implied key repeated becomes an array like any other */
    check_ok("user,type=tap", "type", "{\"type\":[\"user\",\"tap\"]}");
    /* only the first element is implied; later words are flags */
    check_ok("user,ipv6", "type", "{\"type\":\"user\",\"ipv6\":\"on\"}");
    /* dotted implied key */
    check_ok("v", "a.b", "{\"a\":{\"b\":\"v\"}}");
    check_err(",id=x", "type", "Invalid parameter '' (empty parameter name)");
}

static void test_flags(void)
{
    check_ok("ipv6", NULL, "{\"ipv6\":\"on\"}");
    check_ok("noipv6", NULL, "{\"ipv6\":\"off\"}");
    check_ok("a=1,restrict,noipv4", NULL,
             "{\"a\":\"1\",\"restrict\":\"on\",\"ipv4\":\"off\"}");
    /* QemuOpts strips "no" whatever follows */
    check_ok("node", NULL, "{\"de\":\"off\"}");
    check_ok("no", NULL, "{\"no\":\"on\"}");
    check_ok("a.b", NULL, "{\"a\":{\"b\":\"on\"}}");
    check_err("bad word", NULL, "Invalid parameter 'bad word'");
    check_err("ipv6,,x", NULL, "Invalid parameter 'ipv6,x'");
}

static void test_help(void)
{
    Error *err = NULL;
    bool help = true;
    json_t *v;

    v = keyval_parse("a=1", NULL, &help, &error_abort);
    g_assert_false(help);
    json_decref(v);

    v = keyval_parse("help", "type", &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpint(json_object_size(v), ==, 0);
    json_decref(v);

    help = false;
    v = keyval_parse("?", NULL, &help, &error_abort);
    g_assert_true(help);
    json_decref(v);

    help = false;
    v = keyval_parse("e1000,help", "driver", &help, &error_abort);
    g_assert_true(help);
    g_assert_cmpstr(json_string_value(json_object_get(v, "driver")), ==,
                    "e1000");
    json_decref(v);

    /* help=x is an ordinary key */
    help = false;
    v = keyval_parse("help=x", NULL, &help, &error_abort);
    g_assert_false(help);
    json_decref(v);

    /* without a help pointer it is an error */
    check_err("help", "type",
              "Parameter 'help' is not accepted here (no help available)");
    check_err("a=1,?", NULL,
              "Parameter '?' is not accepted here (no help available)");
    (void)err;
}

static void test_dotted(void)
{
    check_ok("a.b=1", NULL, "{\"a\":{\"b\":\"1\"}}");
    check_ok("a.b=1,a.c=2,d=3", NULL,
             "{\"a\":{\"b\":\"1\",\"c\":\"2\"},\"d\":\"3\"}");
    check_ok("a.b.c.d=x", NULL, "{\"a\":{\"b\":{\"c\":{\"d\":\"x\"}}}}");
    check_err("a=1,a.b=2", NULL, "Parameters 'a.*' used inconsistently");
    check_err("a.b=2,a=1", NULL, "Parameters 'a.*' used inconsistently");
    check_err("a.b.c=1,a.b=2", NULL, "Parameters 'a.b.*' used inconsistently");
    check_err("a.b=1,a.b.c=2", NULL, "Parameters 'a.b.*' used inconsistently");
}

static void test_repeated(void)
{
    check_ok("a=1,a=2", NULL, "{\"a\":[\"1\",\"2\"]}");
    check_ok("a=1,b=x,a=2,a=3", NULL,
             "{\"a\":[\"1\",\"2\",\"3\"],\"b\":\"x\"}");
    check_ok("hostfwd=tcp::1-:1,hostfwd=udp::2-:2", NULL,
             "{\"hostfwd\":[\"tcp::1-:1\",\"udp::2-:2\"]}");
    check_ok("a.b=1,a.b=2", NULL, "{\"a\":{\"b\":[\"1\",\"2\"]}}");
    check_ok("ipv6,noipv6", NULL, "{\"ipv6\":[\"on\",\"off\"]}");
    check_err("a=1,a=2,a.b=3", NULL, "Parameters 'a.*' used inconsistently");
}

static void test_index(void)
{
    check_ok("a.0=x,a.1=y", NULL, "{\"a\":[\"x\",\"y\"]}");
    check_ok("a.1=y,a.0=x", NULL, "{\"a\":[\"x\",\"y\"]}"); /* any order */
    check_ok("a.0.b=1,a.1.b=2", NULL, "{\"a\":[{\"b\":\"1\"},{\"b\":\"2\"}]}");
    check_ok("a.0.0=p,a.0.1=q", NULL, "{\"a\":[[\"p\",\"q\"]]}");
    check_ok("a.0=x,a.0=z", NULL, "{\"a\":[[\"x\",\"z\"]]}");
    check_ok("a.10=k,a.0=0,a.1=1,a.2=2,a.3=3,a.4=4,a.5=5,a.6=6,a.7=7,a.8=8,"
             "a.9=9",
             NULL,
             "{\"a\":[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\","
             "\"8\",\"9\",\"k\"]}");
    check_err("a.1=y", NULL, "Parameter 'a.0' missing");
    check_err("a.0=x,a.2=z", NULL, "Parameter 'a.1' missing");
    check_err("a.0=x,a.99999999999=z", NULL, "Parameter 'a.1' missing");
    check_err("b.c.0=x,b.c.2=z", NULL, "Parameter 'b.c.1' missing");
    check_err("a.0=x,a.b=y", NULL, "Parameters 'a.*' used inconsistently");
    check_err("a.01=x", NULL, "Invalid parameter 'a.01'");
    check_err("0=x", NULL, "Invalid parameter '0'");
    check_err("a.-1=x", NULL, "Invalid parameter 'a.-1'");
}

static void test_bad_keys(void)
{
    char *long_frag, *params, *msg;

    check_err("=x", NULL, "Invalid parameter '' (empty parameter name)");
    check_err(",a=1", NULL, "Invalid parameter '' (empty parameter name)");
    check_err(",", NULL, "Invalid parameter '' (empty parameter name)");
    check_err("a=1,=2", NULL, "Invalid parameter '' (empty parameter name)");
    check_err("a..b=1", NULL, "Invalid parameter 'a..b'");
    check_err(".a=1", NULL, "Invalid parameter '.a'");
    check_err("a.=1", NULL, "Invalid parameter 'a.'");
    check_err("a b=1", NULL, "Invalid parameter 'a b'");
    check_err("1a=1", NULL, "Invalid parameter '1a'");
    check_err("a$=1", NULL, "Invalid parameter 'a$'");
    check_err("a\nb=1", NULL, "Invalid parameter 'a\\x0ab'");
    check_err("a=1,b\xff=2", NULL, "Invalid parameter 'b\\xff'");

    long_frag = g_strnfill(128, 'k');
    params = g_strdup_printf("%s=1", long_frag);
    msg = g_strdup_printf("Parameter '%.80s...' is too long", long_frag);
    check_err(params, NULL, msg);
    g_free(params);
    g_free(msg);
    params = g_strdup_printf("a.%s=1", long_frag);
    msg =
        g_strdup_printf("Parameter fragment '%.80s...' is too long", long_frag);
    check_err(params, NULL, msg);
    g_free(params);
    g_free(msg);
    g_free(long_frag);

    /* 127 is fine */
    long_frag = g_strnfill(127, 'k');
    params = g_strdup_printf("%s=1", long_frag);
    json_decref(keyval_parse(params, NULL, NULL, &error_abort));
    g_free(params);
    g_free(long_frag);
}

static void test_bad_value(void)
{
    check_err("a=\xc3(", NULL,
              "Parameter 'a' has a value that is not valid UTF-8");
}

static void test_long_input(void)
{
    GString *s = g_string_new(NULL);
    json_t *v;
    Error *err = NULL;

    /* many elements */
    for (int i = 0; i < 20000; i++) {
        g_string_append_printf(s, "%sk%d=v%d", i ? "," : "", i, i);
    }
    v = keyval_parse(s->str, NULL, NULL, &error_abort);
    g_assert_cmpint(json_object_size(v), ==, 20000);
    json_decref(v);

    /* a huge value */
    g_string_assign(s, "a=");
    for (int i = 0; i < 1 << 20; i++) {
        g_string_append_c(s, 'x');
    }
    v = keyval_parse(s->str, NULL, NULL, &error_abort);
    g_assert_cmpint(strlen(json_string_value(json_object_get(v, "a"))), ==,
                    1 << 20);
    json_decref(v);

    /* a very deep key is refused, not recursed into */
    g_string_truncate(s, 0);
    for (int i = 0; i < 100000; i++) {
        g_string_append(s, "a.");
    }
    g_string_append(s, "a=1");
    v = keyval_parse(s->str, NULL, NULL, &err);
    g_assert_null(v);
    g_assert_nonnull(strstr(error_get_pretty(err), "is nested too deeply"));
    g_assert_cmpint(strlen(error_get_pretty(err)), <, 200);
    error_free(err);
    err = NULL;

    /* 32 fragments is the limit */
    g_string_truncate(s, 0);
    for (int i = 0; i < KEYVAL_MAX_FRAGMENTS - 1; i++) {
        g_string_append(s, "a.");
    }
    g_string_append(s, "a=1");
    json_decref(keyval_parse(s->str, NULL, NULL, &error_abort));
    g_string_append(
        s, ",b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b.b."
           "b.b.b.b=1");
    v = keyval_parse(s->str, NULL, NULL, &err);
    g_assert_null(v);
    error_free_or_abort(&err);
    g_string_free(s, true);
}

static void test_json(void)
{
    Error *err = NULL;
    bool help = true;
    json_t *v;

    v = keyval_parse_or_json("  {\"driver\": \"e1000\", \"addr\": 3}", "driver",
                             &help, &error_abort);
    g_assert_false(help);
    g_assert_cmpstr(json_string_value(json_object_get(v, "driver")), ==,
                    "e1000");
    g_assert_cmpint(json_integer_value(json_object_get(v, "addr")), ==, 3);
    json_decref(v);

    /* not JSON: keyval */
    v = keyval_parse_or_json("e1000,addr=3", "driver", NULL, &error_abort);
    g_assert_cmpstr(json_string_value(json_object_get(v, "addr")), ==, "3");
    json_decref(v);

    v = keyval_parse_or_json("{\"a\": 1, \"a\": 2}", NULL, NULL, &err);
    g_assert_null(v);
    g_assert_nonnull(strstr(error_get_pretty(err), "JSON parse error"));
    g_assert_nonnull(strstr(error_get_pretty(err), "duplicate"));
    error_free(err);
    err = NULL;

    v = keyval_parse_or_json("{\"a\": 1} x", NULL, NULL, &err);
    g_assert_null(v);
    g_assert_nonnull(strstr(error_get_pretty(err), "JSON parse error"));
    error_free(err);
    err = NULL;

    v = keyval_parse_or_json("{\"a\": ", NULL, NULL, &err);
    g_assert_null(v);
    error_free_or_abort(&err);

    v = keyval_parse_or_json("{\"a\": \"\x01\"}", NULL, NULL, &err);
    g_assert_null(v);
    g_assert_null(strchr(error_get_pretty(err), '\x01'));
    error_free_or_abort(&err);

    /* an array is not an option object (and does not start with '{') */
    v = keyval_parse_or_json("[1]", NULL, NULL, &err);
    g_assert_null(v);
    error_free_or_abort(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/keyval/basic", test_basic);
    g_test_add_func("/keyval/escaped-comma", test_escaped_comma);
    g_test_add_func("/keyval/implied", test_implied);
    g_test_add_func("/keyval/flags", test_flags);
    g_test_add_func("/keyval/help", test_help);
    g_test_add_func("/keyval/dotted", test_dotted);
    g_test_add_func("/keyval/repeated", test_repeated);
    g_test_add_func("/keyval/index", test_index);
    g_test_add_func("/keyval/bad-keys", test_bad_keys);
    g_test_add_func("/keyval/bad-value", test_bad_value);
    g_test_add_func("/keyval/long-input", test_long_input);
    g_test_add_func("/keyval/json", test_json);
    return g_test_run();
}
