/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Tests for util/json-stream.c: QMP stream splitting, dialect, recovery. */
#include <string.h>
#include <glib.h>
#include "util/json-stream.h"

/*
 * Every emitted item is recorded as text: values as compact JSON, errors
 * as "ERR:" + message, so whole sequences compare with one string.
 */
typedef struct Sink {
    GPtrArray *items;
} Sink;

static void sink_emit(void *opaque, json_t *value, Error *err)
{
    Sink *sink = opaque;

    g_assert_true((value == NULL) != (err == NULL));
    if (value) {
        char *txt = json_dumps(value, JSON_COMPACT | JSON_ENCODE_ANY |
                                          JSON_ENSURE_ASCII | JSON_SORT_KEYS);
        g_ptr_array_add(sink->items, txt);
        json_decref(value);
    } else {
        g_ptr_array_add(sink->items,
                        g_strconcat("ERR:", error_get_pretty(err), NULL));
        error_free(err);
    }
}

static char *sink_join(Sink *sink)
{
    GString *s = g_string_new(NULL);

    for (guint i = 0; i < sink->items->len; i++) {
        g_string_append_printf(s, "%s%s", i ? " | " : "",
                               (char *)g_ptr_array_index(sink->items, i));
    }
    g_ptr_array_set_size(sink->items, 0);
    return g_string_free(s, false);
}

/*
 * Feed @in (with explicit length) in one piece and byte by byte, flush, and
 * check that both give @expect.
 */
static void check_len(const char *in, size_t len, size_t max_bytes,
                      unsigned max_depth, const char *expect)
{
    for (int mode = 0; mode < 3; mode++) {
        Sink sink = {g_ptr_array_new_with_free_func(g_free)};
        JsonStream *js =
            json_stream_new(sink_emit, &sink, max_bytes, max_depth);
        char *got;

        if (mode == 0) {
            json_stream_feed(js, in, len);
        } else {
            size_t step = mode == 1 ? 1 : 3;
            for (size_t i = 0; i < len; i += step) {
                json_stream_feed(js, in + i, MIN(step, len - i));
            }
        }
        json_stream_flush(js);
        got = sink_join(&sink);
        if (strcmp(got, expect)) {
            g_error("input '%s' (mode %d):\n  got    %s\n  expect %s", in, mode,
                    got, expect);
        }
        g_free(got);
        json_stream_free(js);
        g_ptr_array_free(sink.items, true);
    }
}

static void check(const char *in, const char *expect)
{
    check_len(in, strlen(in), 0, 0, expect);
}

static void test_values(void)
{
    check("{\"execute\": \"qmp_capabilities\"}",
          "{\"execute\":\"qmp_capabilities\"}");
    check("[1, 2.5, -3, true, false, null, \"s\", {}, []]",
          "[1,2.5,-3,true,false,null,\"s\",{},[]]");
    check("  {\"a\" : {\"b\" : [ {} ] } }  ", "{\"a\":{\"b\":[{}]}}");
    /* scalars at top level */
    check("42", "42");
    check("\"str\"", "\"str\"");
    check("true", "true");
    check("null", "null");
    check("-0", "0");
    check("1e3", "1000.0");
    check("1.5E-1", "0.14999999999999999");
    check("", "");
    check(" \n\t\r ", "");
}

static void test_multi(void)
{
    check("{\"a\":1}{\"b\":2}", "{\"a\":1} | {\"b\":2}");
    check("{\"a\":1}\n{\"b\":2}\n", "{\"a\":1} | {\"b\":2}");
    check("1 2 3", "1 | 2 | 3");
    check("\"a\"\"b\"", "\"a\" | \"b\"");
    check("[1][2]", "[1] | [2]");
    check("1[2]", "1 | [2]");
    check("true{}", "true | {}");
}

static void test_incremental_emit(void)
{
    Sink sink = {g_ptr_array_new_with_free_func(g_free)};
    JsonStream *js = json_stream_new(sink_emit, &sink, 0, 0);
    const char *cmd = "{\"execute\": \"query-status\", \"id\": 7}";

    /* nothing before the closing brace, the value right at it */
    for (size_t i = 0; i + 1 < strlen(cmd); i++) {
        json_stream_feed(js, cmd + i, 1);
        g_assert_cmpuint(sink.items->len, ==, 0);
    }
    json_stream_feed(js, "}", 1);
    g_assert_cmpuint(sink.items->len, ==, 1);

    /* a number needs its delimiter */
    json_stream_feed(js, "123", 3);
    g_assert_cmpuint(sink.items->len, ==, 1);
    json_stream_feed(js, " ", 1);
    g_assert_cmpuint(sink.items->len, ==, 2);
    json_stream_feed(js, "45", 2);
    json_stream_flush(js);
    g_assert_cmpuint(sink.items->len, ==, 3);
    g_assert_cmpstr(g_ptr_array_index(sink.items, 2), ==, "45");
    json_stream_free(js);
    g_ptr_array_free(sink.items, true);
}

static void test_byte_at_a_time_stream(void)
{
    GString *in = g_string_new(NULL);
    GString *expect = g_string_new(NULL);

    for (int i = 0; i < 50; i++) {
        g_string_append_printf(in,
                               "{'execute': 'cmd%d', 'arguments': "
                               "{'n': %d, 'l': [1, 'x\\'y']}}\r\n",
                               i, i);
        g_string_append_printf(expect,
                               "%s{\"arguments\":{\"l\":[1,\"x'y\"],\"n\":%d},"
                               "\"execute\":\"cmd%d\"}",
                               i ? " | " : "", i, i);
    }
    check(in->str, expect->str);
    g_string_free(in, true);
    g_string_free(expect, true);
}

static void test_single_quotes(void)
{
    check("'abc'", "\"abc\"");
    check("{'a': 'b'}", "{\"a\":\"b\"}");
    check("'say \"hi\"'", "\"say \\\"hi\\\"\"");
    check("'it\\'s'", "\"it's\"");
    check("\"it's\"", "\"it's\"");
    check("\"\\'\"", "\"'\"");
    check("'\\\"'", "\"\\\"\"");
}

static void test_escapes(void)
{
    check("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", "\"\\\"\\\\/\\b\\f\\n\\r\\t\"");
    check("\"\\u0041\\u00e9\\u20AC\"", "\"A\\u00E9\\u20AC\"");
    /* surrogate pair: U+1F600 */
    check("\"\\ud83d\\ude00\"", "\"\\uD83D\\uDE00\"");
    check("\"\\uD834\\uDD1E\"", "\"\\uD834\\uDD1E\"");
    /* raw UTF-8 passes through */
    check("\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
          "\"caf\\u00E9 \\u20AC \\uD83D\\uDE00\"");

    check("\"\\x\"", "ERR:JSON parse error, invalid escape sequence in string");
    check("\"\\u12G4\" 1",
          "ERR:JSON parse error, invalid \\u escape sequence in string | 1");
    check("\"\\u12\" 1",
          "ERR:JSON parse error, invalid \\u escape sequence in string | 1");
    check("\"\\uD800\" 1",
          "ERR:JSON parse error, \\uD800 is not a valid Unicode character | 1");
    check("\"\\uD800x\" 1",
          "ERR:JSON parse error, \\uD800 is not a valid Unicode character | 1");
    check("\"\\uD800\\n\" 1",
          "ERR:JSON parse error, \\uD800 is not a valid Unicode character | 1");
    check("\"\\uD800\\u0041\" 1",
          "ERR:JSON parse error, \\uD800\\u0041 is not a valid Unicode "
          "character | 1");
    check("\"\\uDC00\" 1",
          "ERR:JSON parse error, \\uDC00 is not a valid Unicode character | 1");
    check("\"\\uD800\\uD800\" 1",
          "ERR:JSON parse error, \\uD800\\uD800 is not a valid Unicode "
          "character | 1");
    check("\"a\\u0000b\" 1",
          "ERR:JSON parse error, \\u0000 is not allowed in string | 1");
}

static void test_bad_utf8(void)
{
    const char *msg = "ERR:JSON parse error, invalid UTF-8 sequence in string";
    char *expect = g_strdup_printf("%s | 1", msg);

    check("\"\x80\" 1", expect);             /* stray continuation */
    check("\"\xc3\" 1", expect);             /* truncated, quote reprocessed */
    check("\"\xc0\xaf\" 1", expect);         /* overlong '/' */
    check("\"\xe0\x80\xaf\" 1", expect);     /* overlong */
    check("\"\xed\xa0\x80\" 1", expect);     /* encoded surrogate */
    check("\"\xf4\x90\x80\x80\" 1", expect); /* > U+10FFFF */
    check("\"\xf8\x88\x80\x80\x80\" 1", expect); /* 5-byte form */
    check("'\xc3(' 1", expect);
    g_free(expect);
}

static void test_control_chars(void)
{
    /*
     * A raw control character in a string resets at once (QMP spec: a
     * control character forces the parser into known-good state), so an
     * unterminated string does not swallow the next line.
     */
    check("{\"execute\": \"stop\n{\"execute\":\"cont\"}",
          "ERR:JSON parse error, control character in string | "
          "{\"execute\":\"cont\"}");
    check("[\"a\x01\n[1]",
          "ERR:JSON parse error, control character in string | [1]");
    /* a control character between values is a stray byte */
    check("1 \x01 2", "1 | ERR:JSON parse error, stray '\\x01' | 2");
    /* embedded NUL (explicit length) */
    check_len("[1,\0 2]", 7, 0, 0,
              "ERR:JSON parse error, stray '\\x00' | 2 | "
              "ERR:JSON parse error, expecting value");
}

static void test_numbers(void)
{
    check("9223372036854775807", "9223372036854775807");
    check("-9223372036854775808", "-9223372036854775808");
    /* beyond int64: double, as QEMU falls back */
    check("9223372036854775808", "9.2233720368547758e18");
    check("-9223372036854775809", "-9.2233720368547758e18");
    check("123456789012345678901234567890", "1.2345678901234568e29");
    check("1e999", "ERR:JSON parse error, number '1e999' is out of range");
    check("01", "ERR:JSON parse error, invalid number '01'");
    check("1.", "ERR:JSON parse error, invalid number '1.'");
    check(".5", "ERR:JSON parse error, stray '.' | 5");
    check("-", "ERR:JSON parse error, invalid number '-'");
    check("1e", "ERR:JSON parse error, invalid number '1e'");
    check("1-2", "ERR:JSON parse error, invalid number '1-2'");
    check("+1", "ERR:JSON parse error, stray '+' | 1");
    check("[1.5e+2]", "[150.0]");
}

static void test_keywords(void)
{
    check("[true,false,null]", "[true,false,null]");
    check("nul", "ERR:JSON parse error, invalid keyword 'nul'");
    check("True", "ERR:JSON parse error, invalid keyword 'True'");
    check("truefalse", "ERR:JSON parse error, invalid keyword 'truefalse'");
    check("{\"a\": nope} 5",
          "ERR:JSON parse error, invalid keyword 'nope' | 5");
}

static void test_syntax_errors(void)
{
    check("}", "ERR:JSON parse error, expecting value");
    check("]", "ERR:JSON parse error, expecting value");
    check(":", "ERR:JSON parse error, expecting value");
    check(",", "ERR:JSON parse error, expecting value");
    check("@", "ERR:JSON parse error, stray '@'");
    check("{1: 2} 7",
          "ERR:JSON parse error, key is not a string in object | 7");
    check("{\"a\" 1} 7", "ERR:JSON parse error, missing : in object pair | 7");
    check("{\"a\": 1 \"b\": 2} 7",
          "ERR:JSON parse error, expected separator in dict | 7");
    check("[1 2] 7", "ERR:JSON parse error, expected separator in list | 7");
    check("[1,] 7", "ERR:JSON parse error, expecting value | 7");
    check("[,1] 7", "ERR:JSON parse error, expecting value | 7");
    check("{\"a\":1,} 7", "ERR:JSON parse error, expecting value | 7");
    check("{\"a\":} 7", "ERR:JSON parse error, expecting value | 7");
    check("{,} 7", "ERR:JSON parse error, expecting value | 7");
    check("{[]} 7", "ERR:JSON parse error, key is not a string in object | 7");
    check("[1} 7", "ERR:JSON parse error, expected separator in list | 7");
    check("{\"a\":1] 7",
          "ERR:JSON parse error, expected separator in dict | 7");
    check("{\"a\":1, \"a\":2} 7", "ERR:JSON parse error, duplicate key | 7");
    check("{'a':1, \"a\":2} 7", "ERR:JSON parse error, duplicate key | 7");
    check("[@] 7", "ERR:JSON parse error, stray '@' | 7");
}

static void test_premature_eoi(void)
{
    check("{", "ERR:JSON parse error, premature EOI");
    check("{\"a\": [1, 2", "ERR:JSON parse error, premature EOI");
    check("\"abc", "ERR:JSON parse error, premature EOI");
    check("'abc\\", "ERR:JSON parse error, premature EOI");
    check("{\"a\":1} {", "{\"a\":1} | ERR:JSON parse error, premature EOI");
    /* after flush the stream is usable again */
    check("[1,", "ERR:JSON parse error, premature EOI");
}

static void test_recovery(void)
{
    /* skip to the end of the broken value, then carry on */
    check("{\"execute\" \"x\", \"arguments\": {\"a\": [1, {}]}} "
          "{\"execute\": \"ok\"}",
          "ERR:JSON parse error, missing : in object pair | "
          "{\"execute\":\"ok\"}");
    /* brackets inside strings of the broken value do not count */
    check("{\"a\" 1, \"b\": \"}]}]\"} {\"ok\":1}",
          "ERR:JSON parse error, missing : in object pair | {\"ok\":1}");
    check("{\"a\" 1, \"b\": '\\'}'} {\"ok\":1}",
          "ERR:JSON parse error, missing : in object pair | {\"ok\":1}");
    /* an error inside a string skips the rest of the string and value */
    check("{\"a\": \"\\q [[[ \"} {\"ok\":1}",
          "ERR:JSON parse error, invalid escape sequence in string | "
          "{\"ok\":1}");
    /* garbage at top level: one error per bad token, then good input */
    check("@@ {\"ok\":1}",
          "ERR:JSON parse error, stray '@' | ERR:JSON parse error, stray '@' | "
          "{\"ok\":1}");
    /* an unclosed value is skipped up to the end of the line */
    check("{\"a\": [1 {\"execute\":\"lost\"}\n{\"execute\":\"ok\"}",
          "ERR:JSON parse error, expected separator in list | "
          "{\"execute\":\"ok\"}");
    check("{bad\n{\"execute\":\"ok\"}",
          "ERR:JSON parse error, invalid keyword 'bad' | "
          "{\"execute\":\"ok\"}");
    /* without a newline it swallows input until 0xFF resets the stream */
    check("{\"a\": [1 {\"execute\":\"lost\"} \xff{\"execute\":\"ok\"}",
          "ERR:JSON parse error, expected separator in list | "
          "{\"execute\":\"ok\"}");
    /* a newline inside a valid value is just whitespace */
    check("{\"a\":\n[1,\n2]}", "{\"a\":[1,2]}");
    /* 0xFF alone between values is reported like QEMU's stray byte */
    check("1 \xff 2", "1 | ERR:JSON parse error, stray '\\xff' | 2");
    /* 0xFF in the middle of a value drops it */
    check("{\"a\": [1, 2\xff{\"b\":3}",
          "ERR:JSON parse error, stray '\\xff' | {\"b\":3}");
    check("{\"a\": \"xy\xff{\"b\":3}",
          "ERR:JSON parse error, invalid UTF-8 sequence in string | "
          "{\"b\":3}");
    /* control character resets too, even while skipping (no 2nd error) */
    check("[1 2 [[[[\x01[3]", "ERR:JSON parse error, expected separator in "
                              "list | [3]");
    /* flush while skipping reports nothing more */
    check("[1 2 [[[[", "ERR:JSON parse error, expected separator in list");
}

static void test_depth_limit(void)
{
    GString *in = g_string_new(NULL);
    char *expect;

    /* exactly max_depth levels are fine */
    for (int i = 0; i < 1024; i++) {
        g_string_append_c(in, '[');
    }
    for (int i = 0; i < 1024; i++) {
        g_string_append_c(in, ']');
    }
    {
        Sink sink = {g_ptr_array_new_with_free_func(g_free)};
        JsonStream *js = json_stream_new(sink_emit, &sink, 0, 0);
        json_stream_feed(js, in->str, in->len);
        g_assert_cmpuint(sink.items->len, ==, 1);
        g_assert_false(
            g_str_has_prefix(g_ptr_array_index(sink.items, 0), "ERR"));
        json_stream_free(js);
        g_ptr_array_free(sink.items, true);
    }
    /* one more is an error; the rest of the value is skipped */
    g_string_prepend_c(in, '[');
    g_string_append(in, "] {\"ok\":1}");
    check(in->str, "ERR:JSON nesting depth limit exceeded | {\"ok\":1}");

    /* small explicit limit */
    check_len("[[[1]]] [[1]]", 13, 0, 2,
              "ERR:JSON nesting depth limit exceeded | [[1]]");
    check_len("{\"a\":{\"b\":{}}} {\"a\":{}}", 23, 0, 2,
              "ERR:JSON nesting depth limit exceeded | {\"a\":{}}");
    g_string_free(in, true);

    /* an endless "[[[[": one error, nothing stored, 0xFF recovers */
    {
        Sink sink = {g_ptr_array_new_with_free_func(g_free)};
        JsonStream *js = json_stream_new(sink_emit, &sink, 1 << 20, 64);
        char buf[4096];

        memset(buf, '[', sizeof(buf));
        for (int i = 0; i < 4096; i++) { /* 16 MiB */
            json_stream_feed(js, buf, sizeof(buf));
        }
        g_assert_cmpuint(sink.items->len, ==, 1);
        json_stream_feed(js, "\xff{}", 3);
        expect = sink_join(&sink);
        g_assert_cmpstr(expect, ==,
                        "ERR:JSON nesting depth limit exceeded | {}");
        g_free(expect);
        json_stream_free(js);
        g_ptr_array_free(sink.items, true);
    }
}

static void test_size_limit(void)
{
    Sink sink = {g_ptr_array_new_with_free_func(g_free)};
    JsonStream *js = json_stream_new(sink_emit, &sink, 100, 0);
    char buf[4096];
    char *got;

    /* a value of exactly 100 bytes is fine (whitespace inside counts) */
    json_stream_feed(js, "  [", 3);
    for (int i = 0; i < 48; i++) {
        json_stream_feed(js, i ? ",1" : " 1", 2);
    }
    json_stream_feed(js, " ]", 2);
    g_assert_cmpuint(sink.items->len, ==, 1);
    g_ptr_array_set_size(sink.items, 0);

    /* an endless string: one error, bounded memory, then recovery */
    json_stream_feed(js, "{\"a\": \"", 7);
    memset(buf, 'x', sizeof(buf));
    for (int i = 0; i < 4096; i++) { /* 16 MiB */
        json_stream_feed(js, buf, sizeof(buf));
    }
    json_stream_feed(js, "\"} {\"ok\":1}", 11);
    got = sink_join(&sink);
    g_assert_cmpstr(got, ==, "ERR:JSON token size limit exceeded | {\"ok\":1}");
    g_free(got);

    /* an endless array of numbers: same */
    json_stream_feed(js, "[", 1);
    for (int i = 0; i < 10000; i++) {
        json_stream_feed(js, "1,", 2);
    }
    json_stream_feed(js, "1] [2]", 6);
    got = sink_join(&sink);
    g_assert_cmpstr(got, ==, "ERR:JSON token size limit exceeded | [2]");
    g_free(got);

    /* a long top-level scalar is cut into limit-sized errors */
    json_stream_flush(js);
    json_stream_free(js);
    g_ptr_array_free(sink.items, true);

    /* the boundary: 100 bytes pass, 101 do not */
    {
        char *x98 = g_strnfill(98, 'x');
        char *ok = g_strdup_printf("\"%s\"", x98);
        char *bad = g_strdup_printf("\"%sx\" 1", x98);
        char *expect_ok = g_strdup_printf("\"%s\"", x98);

        check_len(ok, strlen(ok), 100, 0, expect_ok);
        check_len(bad, strlen(bad), 100, 0,
                  "ERR:JSON token size limit exceeded | 1");
        g_free(x98);
        g_free(ok);
        g_free(bad);
        g_free(expect_ok);
    }
    check_len("\"0123456789\" \"012345678\"", 24, 11, 0,
              "ERR:JSON token size limit exceeded | \"012345678\"");
}

static void test_token_limit(void)
{
    /* 32 * (1024 + 1) bytes allows 2048 tokens: "[" + 1024 x "0," > that */
    GString *in = g_string_new("[");
    Sink sink = {g_ptr_array_new_with_free_func(g_free)};
    JsonStream *js = json_stream_new(sink_emit, &sink, 32 * 1024, 0);
    char *got;

    for (int i = 0; i < 1100; i++) {
        g_string_append(in, "0,");
    }
    g_string_append(in, "0] [1]");
    json_stream_feed(js, in->str, in->len);
    got = sink_join(&sink);
    g_assert_cmpstr(got, ==, "ERR:JSON token count limit exceeded | [1]");
    g_free(got);
    json_stream_free(js);
    g_ptr_array_free(sink.items, true);
    g_string_free(in, true);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/json-stream/values", test_values);
    g_test_add_func("/json-stream/multi", test_multi);
    g_test_add_func("/json-stream/incremental-emit", test_incremental_emit);
    g_test_add_func("/json-stream/byte-at-a-time", test_byte_at_a_time_stream);
    g_test_add_func("/json-stream/single-quotes", test_single_quotes);
    g_test_add_func("/json-stream/escapes", test_escapes);
    g_test_add_func("/json-stream/bad-utf8", test_bad_utf8);
    g_test_add_func("/json-stream/control-chars", test_control_chars);
    g_test_add_func("/json-stream/numbers", test_numbers);
    g_test_add_func("/json-stream/keywords", test_keywords);
    g_test_add_func("/json-stream/syntax-errors", test_syntax_errors);
    g_test_add_func("/json-stream/premature-eoi", test_premature_eoi);
    g_test_add_func("/json-stream/recovery", test_recovery);
    g_test_add_func("/json-stream/depth-limit", test_depth_limit);
    g_test_add_func("/json-stream/size-limit", test_size_limit);
    g_test_add_func("/json-stream/token-limit", test_token_limit);
    return g_test_run();
}
