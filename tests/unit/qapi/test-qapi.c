/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the QAPI generator's output and runtime: the test schema
 * (qapi-schema-test.json, generated with -p test-) and a few checks of the
 * real schema's C names and introspection.
 */
#include <glib.h>
#include <string.h>

#include "tests/unit/qapi/test-qapi-commands.h"
#include "tests/unit/qapi/test-qapi-events.h"
#include "tests/unit/qapi/test-qapi-introspect.h"
#include "tests/unit/qapi/test-qapi-visit.h"
#include "qapi/qapi-introspect.h"
#include "qapi/qapi-visit.h"

/* -- helpers ---------------------------------------------------------------- */

static json_t *parse(const char *text)
{
    json_error_t jerr;
    json_t *j = json_loads(text, JSON_DECODE_ANY, &jerr);

    if (!j) {
        g_error("bad test JSON '%s': %s", text, jerr.text);
    }
    return j;
}

static char *dump(json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static void assert_json(json_t *j, const char *expect)
{
    json_t *e = parse(expect);
    char *a = dump(j), *b = dump(e);

    g_assert_cmpstr(a, ==, b);
    free(a);
    free(b);
    json_decref(e);
}

/* Parse @text into a UserDefScalars in @mode, expecting error @msg. */
#define EXPECT_ERR(type, mode, text, msg)                                     \
    do {                                                                      \
        Error *err_ = NULL;                                                   \
        json_t *j_ = parse(text);                                             \
        type *o_ = qapi_##type##_from_json(j_, mode, &err_);                  \
        g_assert_null(o_);                                                    \
        g_assert_nonnull(err_);                                               \
        g_assert_cmpstr(error_get_pretty(err_), ==, msg);                     \
        error_free(err_);                                                     \
        json_decref(j_);                                                      \
    } while (0)

static void *from_text(void *(*fn)(json_t *, QapiInputMode, Error **),
                       QapiInputMode mode, const char *text)
{
    Error *err = NULL;
    json_t *j = parse(text);
    void *o = fn(j, mode, &err);

    if (err) {
        g_error("unexpected error for %s: %s", text, error_get_pretty(err));
    }
    json_decref(j);
    return o;
}

#define FROM(type, mode, text)                                                \
    ((type *)from_text((void *(*)(json_t *, QapiInputMode, Error **))         \
                           qapi_##type##_from_json,                           \
                       mode, text))

/* -- enums ------------------------------------------------------------------- */

static void test_enums(void)
{
    g_assert_cmpint(ENUM_ONE_VALUE1, ==, 0);
    g_assert_cmpint(ENUM_ONE_VALUE_FOUR, ==, 3);
    g_assert_cmpint(ENUM_ONE__MAX, ==, 4);
    g_assert_cmpstr(EnumOne_str(ENUM_ONE_VALUE_FOUR), ==, "value-four");
    g_assert_null(EnumOne_str(ENUM_ONE__MAX));
    g_assert_null(EnumOne_str(-1));
    g_assert_cmpint(qapi_enum_parse_EnumOne("value2"), ==, ENUM_ONE_VALUE2);
    g_assert_cmpint(qapi_enum_parse_EnumOne("nope"), ==, -1);
    g_assert_cmpint(qapi_enum_parse_EnumOne(NULL), ==, -1);
    g_assert_cmpint(QENUM_TWO_VALUE2, ==, 1);
    /* 'if' dropped value c; d keeps its place after b. */
    g_assert_cmpint(COND_ENUM__MAX, ==, 3);
    g_assert_cmpstr(CondEnum_str(COND_ENUM_D), ==, "d");
    g_assert_cmpint(qapi_enum_parse(&CondEnum_lookup, "c", -7, NULL), ==, -7);

    /* The real schema's names. */
    g_assert_cmpstr(RunState_str(RUN_STATE_DEBUG), ==, "debug");
    g_assert_cmpstr(RunState_str(RUN_STATE_GUEST_PANICKED), ==,
                    "guest-panicked");
    g_assert_cmpint(qapi_enum_parse_RunState("colo"), ==, RUN_STATE_COLO);
    g_assert_cmpint(RUN_STATE__MAX, ==, 16);
    g_assert_cmpstr(ShutdownCause_str(SHUTDOWN_CAUSE_SNAPSHOT_LOAD), ==,
                    "snapshot-load");
    g_assert_cmpstr(NetClientDriver_str(NET_CLIENT_DRIVER_VHOST_USER), ==,
                    "vhost-user");
    g_assert_cmpint(NET_CLIENT_DRIVER__MAX, ==, 14); /* no passt/xdp/vmnet */
    g_assert_cmpstr(QMPCapability_str(QMP_CAPABILITY_OOB), ==, "oob");
}

/* -- structs and lists ---------------------------------------------------------- */

static void test_struct_roundtrip(void)
{
    UserDefNested *n = g_new0(UserDefNested, 1);
    UserDefOneList *ones = NULL;
    strList *strs = NULL;
    json_t *j;
    Error *err = NULL;

    n->one = g_new0(UserDefOne, 1);
    n->one->integer = -42;
    n->one->string = g_strdup("hello");
    n->one->has_enum1 = true;
    n->one->enum1 = ENUM_ONE_VALUE_FOUR;
    n->lists = g_new0(UserDefLists, 1);
    for (int i = 2; i >= 1; i--) {
        strList *s = g_new0(strList, 1);
        UserDefOneList *o = g_new0(UserDefOneList, 1);
        s->value = g_strdup_printf("s%d", i);
        s->next = strs;
        strs = s;
        o->value = g_new0(UserDefOne, 1);
        o->value->integer = i;
        o->value->string = g_strdup("x");
        o->next = ones;
        ones = o;
    }
    n->lists->strs = strs;
    n->lists->ones = ones;

    j = qapi_UserDefNested_to_json(n);
    assert_json(j, "{\"one\": {\"integer\": -42, \"string\": \"hello\","
                   " \"enum1\": \"value-four\"},"
                   " \"lists\": {\"strs\": [\"s1\", \"s2\"],"
                   " \"ones\": [{\"integer\": 1, \"string\": \"x\"},"
                   " {\"integer\": 2, \"string\": \"x\"}]}}");

    UserDefNested *back = qapi_UserDefNested_from_json(j, QAPI_INPUT_STRICT,
                                                       &err);
    g_assert_null(err);
    g_assert_nonnull(back);
    g_assert_cmpint(back->one->integer, ==, -42);
    g_assert_cmpstr(back->one->string, ==, "hello");
    g_assert_true(back->one->has_enum1);
    g_assert_cmpint(back->one->enum1, ==, ENUM_ONE_VALUE_FOUR);
    g_assert_cmpstr(back->lists->strs->value, ==, "s1");
    g_assert_cmpstr(back->lists->strs->next->value, ==, "s2");
    g_assert_null(back->lists->strs->next->next);
    g_assert_cmpint(back->lists->ones->next->value->integer, ==, 2);
    g_assert_null(back->lists->ints);

    /* And once more through JSON: identical. */
    json_t *j2 = qapi_UserDefNested_to_json(back);
    g_assert_true(json_equal(j, j2));
    json_decref(j2);
    json_decref(j);
    qapi_free_UserDefNested(back);
    qapi_free_UserDefNested(n);
    qapi_free_UserDefNested(NULL);
}

static void test_scalars_strict(void)
{
    const char *ok = "{\"i8\": -128, \"i16\": 32767, \"i32\": -5, "
                     "\"i64\": 9007199254740993, \"u8\": 255, \"u16\": 0, "
                     "\"u32\": 4294967295, \"u64\": 12, \"sz\": 4096, "
                     "\"num\": 2, \"flag\": true, \"opt-str\": \"o\", "
                     "\"any\": {\"deep\": [1, null]}, \"nul\": null, "
                     "\"default\": 7, \"feat-member\": 1}";
    UserDefScalars *s = FROM(UserDefScalars, QAPI_INPUT_STRICT, ok);

    g_assert_cmpint(s->i8, ==, -128);
    g_assert_cmpint(s->i16, ==, 32767);
    g_assert_cmpint(s->i64, ==, 9007199254740993LL);
    g_assert_cmpuint(s->u32, ==, 4294967295u);
    g_assert_cmpfloat(s->num, ==, 2.0);
    g_assert_true(s->flag);
    g_assert_false(s->has_opt_int);
    g_assert_cmpstr(s->opt_str, ==, "o");
    g_assert_true(json_is_object(s->any));
    g_assert_true(json_is_null(s->nul));
    g_assert_true(s->has_q_default);
    g_assert_cmpint(s->q_default, ==, 7);
    g_assert_true(s->has_feat_member);

    json_t *j = qapi_UserDefScalars_to_json(s);
    json_t *orig = parse(ok);
    json_object_set_new(orig, "num", json_real(2.0));
    g_assert_true(json_equal(j, orig));
    json_decref(orig);
    json_decref(j);
    qapi_free_UserDefScalars(s);
}

#define BASE_SCALARS                                                          \
    "\"i8\": 0, \"i16\": 0, \"i32\": 0, \"i64\": 0, \"u8\": 0, \"u16\": 0, "  \
    "\"u32\": 0, \"u64\": 0, \"sz\": 0, \"num\": 0.5, "

static void test_input_errors_strict(void)
{
    const QapiInputMode S = QAPI_INPUT_STRICT;

    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": 1}",
               "Invalid parameter type for 'flag', expected: boolean");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": true, "
               "\"opt-str\": 5}",
               "Invalid parameter type for 'opt-str', expected: string");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": true, "
               "\"extra\": 5}", "Parameter 'extra' is unexpected");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": true, "
               "\"cond-member\": 5}", "Parameter 'cond-member' is unexpected");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"opt-int\": 1}",
               "Parameter 'flag' is missing");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": true, "
               "\"nul\": 0}", "Invalid parameter type for 'nul', expected: null");
    EXPECT_ERR(UserDefScalars, S, "[1]",
               "Invalid parameter type for '<anonymous>', expected: object");
    /* Integer ranges. */
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 128}",
               "Parameter 'i8' expects int8");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": -129}",
               "Parameter 'i8' expects int8");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": -32769}",
               "Parameter 'i16' expects int16");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 2147483648}",
               "Parameter 'i32' expects int32");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 1.5}",
               "Invalid parameter type for 'i64', expected: integer");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": 256}", "Parameter 'u8' expects uint8");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": -1}", "Parameter 'u8' expects uint8");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": 0, \"u16\": 65536}",
               "Parameter 'u16' expects uint16");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": 0, \"u16\": 0, \"u32\": 4294967296}",
               "Parameter 'u32' expects uint32");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": 0, \"u16\": 0, \"u32\": 0, \"u64\": -1}",
               "Parameter 'u64' expects uint64");
    EXPECT_ERR(UserDefScalars, S, "{\"i8\": 0, \"i16\": 0, \"i32\": 0, "
               "\"i64\": 0, \"u8\": 0, \"u16\": 0, \"u32\": 0, \"u64\": 0, "
               "\"sz\": \"1k\"}",
               "Invalid parameter type for 'sz', expected: integer");
    EXPECT_ERR(UserDefScalars, S, "{" BASE_SCALARS "\"flag\": true, "
               "\"num\": \"1\"}",
               "Invalid parameter type for 'num', expected: number");

    /* Nested paths. */
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1}}",
               "Parameter 'one.string' is missing");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": 2}}",
               "Invalid parameter type for 'one.string', expected: string");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\","
               " \"bad\": 1}}", "Parameter 'one.bad' is unexpected");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\","
               " \"enum1\": \"bogus\"}}",
               "Parameter 'enum1' does not accept value 'bogus'");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\","
               " \"enum1\": 3}}",
               "Invalid parameter type for 'one.enum1', expected: string");
    EXPECT_ERR(UserDefNested, S, "{\"one\": []}",
               "Invalid parameter type for 'one', expected: object");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\"},"
               " \"lists\": {\"strs\": \"a\"}}",
               "Invalid parameter type for 'lists.strs', expected: array");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\"},"
               " \"lists\": {\"strs\": [\"a\", 1]}}",
               "Invalid parameter type for 'lists.strs[1]', expected: string");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\"},"
               " \"lists\": {\"strs\": [], \"ones\": [{\"integer\": 1, "
               "\"string\": \"\"}, {\"integer\": 2}]}}",
               "Parameter 'lists.ones[1].string' is missing");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\"},"
               " \"lists\": {\"strs\": [], \"u8s\": [1, 1000]}}",
               "Parameter 'null' expects uint8");
    EXPECT_ERR(UserDefNested, S, "{\"one\": {\"integer\": 1, \"string\": \"\"},"
               " \"lists\": {\"strs\": [], \"enums\": [\"value1\", \"x\"]}}",
               "Parameter 'null' does not accept value 'x'");

    Error *err = NULL;
    g_assert_null(qapi_UserDefOne_from_json(NULL, S, &err));
    g_assert_nonnull(err);
    error_free(err);
}

static void test_input_keyval(void)
{
    const QapiInputMode K = QAPI_INPUT_KEYVAL;
    UserDefScalars *s = FROM(UserDefScalars, K,
        "{\"i8\": \"-0x10\", \"i16\": \"010\", \"i32\": \"2147483647\", "
        "\"i64\": \"-9223372036854775808\", \"u8\": \"0xff\", \"u16\": \"7\", "
        "\"u32\": \"0\", \"u64\": \"18446744073709551615\", \"sz\": \"1.5k\", "
        "\"num\": \"-2.25\", \"flag\": \"yes\", \"opt-int\": [\"1\", \"2\"], "
        "\"opt-str\": \"x,y\", \"nul\": \"\"}");

    g_assert_cmpint(s->i8, ==, -16);
    g_assert_cmpint(s->i16, ==, 8);
    g_assert_cmpint(s->i32, ==, 2147483647);
    g_assert_cmpint(s->i64, ==, INT64_MIN);
    g_assert_cmpint(s->u8, ==, 255);
    g_assert_cmpuint(s->u64, ==, UINT64_MAX);
    g_assert_cmpuint(s->sz, ==, 1536);
    g_assert_cmpfloat(s->num, ==, -2.25);
    g_assert_true(s->flag);
    g_assert_true(s->has_opt_int);
    g_assert_cmpint(s->opt_int, ==, 2); /* repeated key: last wins */
    g_assert_cmpstr(s->opt_str, ==, "x,y");
    g_assert_true(json_is_null(s->nul));
    qapi_free_UserDefScalars(s);

    static const struct {
        const char *in;
        uint64_t out;
    } sizes[] = {
        { "0", 0 },        { "512", 512 },      { "1k", 1024 },
        { "1K", 1024 },    { "2M", 2 << 20 },   { "3G", 3ull << 30 },
        { "1T", 1ull << 40 }, { "1P", 1ull << 50 }, { "1E", 1ull << 60 },
        { "7B", 7 },       { "0x10", 16 },      { "0.5M", 512 * 1024 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(sizes); i++) {
        uint64_t v = 42;
        g_assert_true(qapi_parse_size(sizes[i].in, &v));
        g_assert_cmpuint(v, ==, sizes[i].out);
    }
    static const char *const bad_sizes[] = {
        "", "-1", "1x", "k", "1kk", "16E", "99999999999999999999", "1.5",
        " 1", "1 k", "0x1.8k",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad_sizes); i++) {
        uint64_t v;
        g_assert_false(qapi_parse_size(bad_sizes[i], &v));
    }
    static const char *const bools[] = { "on", "yes", "true",
                                         "off", "no", "false" };
    for (size_t i = 0; i < G_N_ELEMENTS(bools); i++) {
        bool b = i >= 3;
        g_assert_true(qapi_parse_bool(bools[i], &b));
        g_assert_cmpint(b, ==, i < 3);
    }

#define KV(rest) "{\"i8\": \"0\", \"i16\": \"0\", \"i32\": \"0\", " \
                 "\"i64\": \"0\", \"u8\": \"0\", \"u16\": \"0\", "   \
                 "\"u32\": \"0\", \"u64\": \"0\", \"sz\": \"0\", "    \
                 "\"num\": \"0\", \"flag\": \"off\"" rest "}"
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"12a\"}",
               "Parameter 'i8' expects integer");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"\"}",
               "Parameter 'i8' expects integer");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"200\"}",
               "Parameter 'i8' expects int8");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"0\", \"i16\": \"0\", "
               "\"i32\": \"0\", \"i64\": \"9223372036854775808\"}",
               "Parameter 'i64' expects integer");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"0\", \"i16\": \"0\", "
               "\"i32\": \"0\", \"i64\": \"0\", \"u8\": \"-1\"}",
               "Parameter 'u8' expects uint8");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"0\", \"i16\": \"0\", "
               "\"i32\": \"0\", \"i64\": \"0\", \"u8\": \"256\"}",
               "Parameter 'u8' expects uint8");
    EXPECT_ERR(UserDefScalars, K, KV(", \"sz\": \"1x\""),
               "Parameter 'sz' expects size");
    EXPECT_ERR(UserDefScalars, K, KV(", \"sz\": \"-5\""),
               "Parameter 'sz' expects size");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"0\", \"i16\": \"0\", "
               "\"i32\": \"0\", \"i64\": \"0\", \"u8\": \"0\", \"u16\": \"0\", "
               "\"u32\": \"0\", \"u64\": \"0\", \"sz\": \"0\", "
               "\"num\": \"1e\"}", "Parameter 'num' expects number");
    EXPECT_ERR(UserDefScalars, K, "{\"i8\": \"0\", \"i16\": \"0\", "
               "\"i32\": \"0\", \"i64\": \"0\", \"u8\": \"0\", \"u16\": \"0\", "
               "\"u32\": \"0\", \"u64\": \"0\", \"sz\": \"0\", "
               "\"num\": \"0\", \"flag\": \"maybe\"}",
               "Parameter 'flag' expects 'on' or 'off'");
    EXPECT_ERR(UserDefScalars, K, KV(", \"nul\": \"x\""),
               "Parameter 'nul' expects null");
    EXPECT_ERR(UserDefScalars, K, KV(", \"opt-int\": {\"a\": \"1\"}"),
               "Parameters 'opt-int.*' are unexpected");
    EXPECT_ERR(UserDefScalars, K, KV(", \"opt-str\": []"),
               "Parameter 'opt-str' is missing");
    EXPECT_ERR(UserDefScalars, K, KV(", \"zzz\": \"1\""),
               "Parameter 'zzz' is unexpected");

    /* Lists: a scalar becomes a one-element list; paths use ".N". */
    UserDefLists *l = FROM(UserDefLists, K,
                           "{\"strs\": \"only\", \"sizes\": [\"1k\", \"2\"],"
                           " \"enums\": \"value3\"}");
    g_assert_cmpstr(l->strs->value, ==, "only");
    g_assert_null(l->strs->next);
    g_assert_cmpuint(l->sizes->value, ==, 1024);
    g_assert_cmpuint(l->sizes->next->value, ==, 2);
    g_assert_cmpint(l->enums->value, ==, ENUM_ONE_VALUE3);
    qapi_free_UserDefLists(l);
    EXPECT_ERR(UserDefLists, K, "{\"strs\": [], \"ones\": [{\"integer\": "
               "\"1\", \"string\": \"\"}, {\"integer\": \"x\"}]}",
               "Parameter 'ones.1.integer' expects integer");
    EXPECT_ERR(UserDefLists, K, "{\"strs\": {\"a\": \"b\"}}",
               "Invalid parameter type for 'strs', expected: array");
}

/* -- unions and alternates ------------------------------------------------------ */

static void test_union(void)
{
    const QapiInputMode S = QAPI_INPUT_STRICT;
    UserDefFlatUnion *u =
        FROM(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value2\", "
             "\"intb\": 3, \"nested\": {\"integer\": 1, \"string\": \"s\"}}");

    g_assert_cmpint(u->kind, ==, ENUM_ONE_VALUE2);
    g_assert_cmpint(u->u.value2.intb, ==, 3);
    g_assert_cmpstr(u->u.value2.nested->string, ==, "s");
    json_t *j = qapi_UserDefFlatUnion_to_json(u);
    assert_json(j, "{\"name\": \"n\", \"kind\": \"value2\", \"intb\": 3, "
                   "\"nested\": {\"integer\": 1, \"string\": \"s\"}}");
    json_decref(j);
    qapi_free_UserDefFlatUnion(u);

    u = FROM(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value-four\","
             " \"boolean\": false, \"a-b\": 9}");
    g_assert_cmpint(u->kind, ==, ENUM_ONE_VALUE_FOUR);
    g_assert_true(u->u.value_four.has_a_b);
    g_assert_cmpint(u->u.value_four.a_b, ==, 9);
    qapi_free_UserDefFlatUnion(u);

    /* A value without a branch adds no members. */
    u = FROM(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value3\"}");
    j = qapi_UserDefFlatUnion_to_json(u);
    assert_json(j, "{\"name\": \"n\", \"kind\": \"value3\"}");
    json_decref(j);
    qapi_free_UserDefFlatUnion(u);

    EXPECT_ERR(UserDefFlatUnion, S, "{\"name\": \"n\"}",
               "Parameter 'kind' is missing");
    EXPECT_ERR(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"zz\"}",
               "Parameter 'kind' does not accept value 'zz'");
    EXPECT_ERR(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value3\", "
               "\"intb\": 1}", "Parameter 'intb' is unexpected");
    EXPECT_ERR(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value1\", "
               "\"intb\": 1}", "Parameter 'boolean' is missing");
    EXPECT_ERR(UserDefFlatUnion, S, "{\"name\": \"n\", \"kind\": \"value2\", "
               "\"intb\": 1, \"nested\": {\"integer\": true}}",
               "Invalid parameter type for 'nested.integer', expected: "
               "integer");

    /* The real Netdev union, as -netdev would give it. */
    Netdev *nd = FROM(Netdev, QAPI_INPUT_KEYVAL,
                      "{\"id\": \"n0\", \"type\": \"tap\", \"queues\": \"4\", "
                      "\"sndbuf\": \"1M\", \"vhost\": \"on\", "
                      "\"vnet_hdr\": \"off\", \"poll-us\": \"50\"}");
    g_assert_cmpint(nd->type, ==, NET_CLIENT_DRIVER_TAP);
    g_assert_true(nd->u.tap.has_queues);
    g_assert_cmpuint(nd->u.tap.queues, ==, 4);
    g_assert_cmpuint(nd->u.tap.sndbuf, ==, 1 << 20);
    g_assert_true(nd->u.tap.has_vhost && nd->u.tap.vhost);
    g_assert_true(nd->u.tap.has_vnet_hdr && !nd->u.tap.vnet_hdr);
    g_assert_cmpuint(nd->u.tap.poll_us, ==, 50);
    g_assert_null(nd->u.tap.ifname);
    qapi_free_Netdev(nd);
    nd = FROM(Netdev, QAPI_INPUT_STRICT,
              "{\"id\": \"s\", \"type\": \"stream\", \"server\": true, "
              "\"addr\": {\"type\": \"unix\", \"path\": \"/tmp/s\"}}");
    g_assert_cmpint(nd->u.stream.addr->type, ==, SOCKET_ADDRESS_TYPE_UNIX);
    g_assert_cmpstr(nd->u.stream.addr->u.q_unix.path, ==, "/tmp/s");
    qapi_free_Netdev(nd);
    nd = FROM(Netdev, QAPI_INPUT_KEYVAL,
              "{\"id\": \"u\", \"type\": \"user\", "
              "\"hostfwd\": [{\"str\": \"tcp::2222-:22\"}, "
              "{\"str\": \"udp::53-:53\"}]}");
    g_assert_cmpstr(nd->u.user.hostfwd->next->value->str, ==, "udp::53-:53");
    qapi_free_Netdev(nd);
    EXPECT_ERR(Netdev, QAPI_INPUT_STRICT,
               "{\"id\": \"t\", \"type\": \"tap\", \"queues\": -1}",
               "Parameter 'queues' expects uint32");
    EXPECT_ERR(Netdev, QAPI_INPUT_STRICT,
               "{\"id\": \"t\", \"type\": \"passt\"}",
               "Parameter 'type' does not accept value 'passt'");
    EXPECT_ERR(Netdev, QAPI_INPUT_KEYVAL,
               "{\"id\": \"t\", \"type\": \"tap\", \"vhost\": \"1\"}",
               "Parameter 'vhost' expects 'on' or 'off'");
}

static void test_alternate(void)
{
    const QapiInputMode S = QAPI_INPUT_STRICT, K = QAPI_INPUT_KEYVAL;
    UserDefAlts *a =
        FROM(UserDefAlts, S, "{\"so\": \"str\", \"ibn\": null, "
             "\"el\": [1, 2], \"ns\": 4}");

    g_assert_cmpint(a->so->type, ==, QTYPE_QSTRING);
    g_assert_cmpstr(a->so->u.s, ==, "str");
    g_assert_cmpint(a->ibn->type, ==, QTYPE_QNULL);
    g_assert_cmpint(a->el->type, ==, QTYPE_QLIST);
    g_assert_cmpint(a->el->u.l->next->value, ==, 2);
    g_assert_cmpint(a->ns->type, ==, QTYPE_QNUM);
    g_assert_cmpfloat(a->ns->u.n, ==, 4.0);
    json_t *j = qapi_UserDefAlts_to_json(a);
    assert_json(j, "{\"so\": \"str\", \"ibn\": null, \"el\": [1, 2], "
                   "\"ns\": 4.0}");
    json_decref(j);
    qapi_free_UserDefAlts(a);

    a = FROM(UserDefAlts, S, "{\"so\": {\"integer\": 5, \"string\": \"x\"}, "
             "\"ibn\": 7, \"el\": \"value2\"}");
    g_assert_cmpint(a->so->type, ==, QTYPE_QDICT);
    g_assert_cmpint(a->so->u.o.integer, ==, 5);
    g_assert_cmpint(a->ibn->u.i, ==, 7);
    g_assert_cmpint(a->el->type, ==, QTYPE_QSTRING);
    g_assert_cmpint(a->el->u.e, ==, ENUM_ONE_VALUE2);
    j = qapi_UserDefAlts_to_json(a);
    assert_json(j, "{\"so\": {\"integer\": 5, \"string\": \"x\"}, \"ibn\": 7,"
                   " \"el\": \"value2\"}");
    json_decref(j);
    qapi_free_UserDefAlts(a);

    /* KEYVAL: strings stand for the other scalar branches. */
    a = FROM(UserDefAlts, K, "{\"so\": \"s\", \"ibn\": \"12\", "
             "\"ns\": \"str\"}");
    g_assert_cmpint(a->ibn->type, ==, QTYPE_QNUM);
    g_assert_cmpint(a->ibn->u.i, ==, 12);
    g_assert_cmpint(a->ns->type, ==, QTYPE_QSTRING);
    qapi_free_UserDefAlts(a);
    a = FROM(UserDefAlts, K, "{\"so\": \"s\", \"ibn\": \"on\"}");
    g_assert_cmpint(a->ibn->type, ==, QTYPE_QBOOL);
    g_assert_true(a->ibn->u.b);
    qapi_free_UserDefAlts(a);

    EXPECT_ERR(UserDefAlts, S, "{\"so\": 1}",
               "Invalid parameter type for 'so', expected: AltStrObj");
    EXPECT_ERR(UserDefAlts, S, "{\"so\": \"\", \"ibn\": 1.5}",
               "Invalid parameter type for 'ibn', expected: AltIntBoolNull");
    EXPECT_ERR(UserDefAlts, S, "{\"so\": {\"integer\": 1}}",
               "Parameter 'so.string' is missing");
    EXPECT_ERR(UserDefAlts, S, "{\"so\": \"\", \"el\": \"nope\"}",
               "Parameter 'el' does not accept value 'nope'");
    EXPECT_ERR(UserDefAlts, K, "{\"so\": \"\", \"ibn\": \"what\"}",
               "Invalid parameter type for 'ibn', expected: AltIntBoolNull");
}

/* -- commands ------------------------------------------------------------------- */

static int cmd0_calls;

void qmp_sub_cmd(int64_t x, Error **errp)
{
    if (x < 0) {
        error_setg(errp, "negative");
    }
}

UserDefOne *qmp_user_def_cmd(UserDefOne *arg1, const char *arg2,
                             bool has_arg3, int64_t arg3, bool has_arg4,
                             EnumOne arg4, Error **errp)
{
    UserDefOne *r = g_new0(UserDefOne, 1);

    r->integer = arg1->integer + (has_arg3 ? arg3 : 0);
    r->string = g_strconcat(arg1->string, arg2 ? arg2 : "", NULL);
    r->has_enum1 = has_arg4;
    r->enum1 = arg4;
    return r;
}

void qmp_user_def_cmd0(Error **errp)
{
    cmd0_calls++;
}

UserDefOneList *qmp_user_def_cmd_list(uint8_t n, Error **errp)
{
    UserDefOneList *head = NULL;

    for (int i = n; i > 0; i--) {
        UserDefOneList *e = g_new0(UserDefOneList, 1);
        e->value = g_new0(UserDefOne, 1);
        e->value->integer = i;
        e->value->string = g_strdup("e");
        e->next = head;
        head = e;
    }
    return head;
}

static EnumOne boxed_kind = ENUM_ONE__MAX;

void qmp_boxed_cmd(UserDefFlatUnion *arg, Error **errp)
{
    boxed_kind = arg->kind;
}

char *qmp_cmd_returns_str(Error **errp)
{
    return g_strdup("text");
}

json_t *qmp_cmd_any(json_t *val, Error **errp)
{
    return json_pack("{s:O}", "echo", val);
}

void qmp_cmd_fails(Error **errp)
{
    error_set(errp, ERROR_CLASS_DEVICE_NOT_FOUND, "Device 'x' not found");
}

void qmp_cond_cmd2(Error **errp)
{
}

void qmp_feature_cmd(Error **errp)
{
}

/* Run command @name with @args text (NULL for none); returns result. */
static json_t *run(const char *name, const char *args, Error **errp)
{
    const QmpCommand *cmd = test_qmp_command_lookup(name);
    json_t *a = args ? parse(args) : NULL;
    json_t *ret = (json_t *)1;

    g_assert_nonnull(cmd);
    cmd->fn(a, &ret, errp);
    json_decref(a);
    return ret;
}

static void run_expect_err(const char *name, const char *args,
                           const char *msg)
{
    Error *err = NULL;
    json_t *ret = run(name, args, &err);

    g_assert_null(ret);
    g_assert_nonnull(err);
    g_assert_cmpstr(error_get_pretty(err), ==, msg);
    error_free(err);
}

static void test_commands(void)
{
    Error *err = NULL;
    json_t *ret;

    g_assert_cmpuint(test_qmp_command_count(), ==, 10);
    g_assert_null(test_qmp_command_lookup("cond-cmd"));
    g_assert_null(test_qmp_command_lookup("nonexistent"));
    g_assert_nonnull(test_qmp_command_lookup("cond-cmd2"));
    g_assert_null(test_qmp_command_at(10));
    g_assert_cmpstr(test_qmp_command_at(0)->name, ==, "sub-cmd");
    g_assert_cmpuint(test_qmp_command_lookup("user-def-cmd-list")->flags, ==,
                     QCO_ALLOW_OOB);
    g_assert_cmpuint(test_qmp_command_lookup("boxed-cmd")->flags, ==,
                     QCO_ALLOW_PRECONFIG);
    g_assert_cmpuint(test_qmp_command_lookup("feature-cmd")->flags, ==,
                     QCO_NO_SUCCESS_RESP);

    ret = run("user-def-cmd", "{\"arg1\": {\"integer\": 40, \"string\": "
              "\"ab\"}, \"arg2\": \"cd\", \"arg3\": 2, \"arg4\": \"value3\"}",
              &err);
    g_assert_null(err);
    assert_json(ret, "{\"integer\": 42, \"string\": \"abcd\", "
                     "\"enum1\": \"value3\"}");
    json_decref(ret);
    ret = run("user-def-cmd", "{\"arg1\": {\"integer\": 1, \"string\": \"\"}}",
              &err);
    assert_json(ret, "{\"integer\": 1, \"string\": \"\"}");
    json_decref(ret);

    ret = run("user-def-cmd0", NULL, &err);
    g_assert_null(err);
    assert_json(ret, "{}");
    json_decref(ret);
    ret = run("user-def-cmd0", "{}", &err);
    json_decref(ret);
    g_assert_cmpint(cmd0_calls, ==, 2);
    run_expect_err("user-def-cmd0", "{\"x\": 1}", "Parameter 'x' is unexpected");
    g_assert_cmpint(cmd0_calls, ==, 2);

    ret = run("user-def-cmd-list", "{\"n\": 2}", &err);
    assert_json(ret, "[{\"integer\": 1, \"string\": \"e\"}, "
                     "{\"integer\": 2, \"string\": \"e\"}]");
    json_decref(ret);
    ret = run("user-def-cmd-list", "{\"n\": 0}", &err);
    assert_json(ret, "[]");
    json_decref(ret);

    ret = run("cmd-returns-str", NULL, &err);
    assert_json(ret, "\"text\"");
    json_decref(ret);
    ret = run("cmd-any", "{\"val\": [1, {\"a\": null}]}", &err);
    assert_json(ret, "{\"echo\": [1, {\"a\": null}]}");
    json_decref(ret);
    ret = run("sub-cmd", "{\"x\": 3}", &err);
    g_assert_null(err);
    json_decref(ret);

    ret = run("boxed-cmd", "{\"name\": \"b\", \"kind\": \"value1\", "
              "\"boolean\": true}", &err);
    g_assert_null(err);
    g_assert_cmpint(boxed_kind, ==, ENUM_ONE_VALUE1);
    json_decref(ret);

    /* Bad arguments never reach the implementation. */
    run_expect_err("user-def-cmd", NULL, "Parameter 'arg1' is missing");
    run_expect_err("user-def-cmd", "{\"arg1\": {\"integer\": 1}}",
                   "Parameter 'arg1.string' is missing");
    run_expect_err("user-def-cmd", "{\"arg1\": {\"integer\": 1, \"string\": "
                   "\"\"}, \"arg3\": \"2\"}",
                   "Invalid parameter type for 'arg3', expected: integer");
    run_expect_err("user-def-cmd", "{\"arg1\": {\"integer\": 1, \"string\": "
                   "\"\"}, \"arg9\": 0}", "Parameter 'arg9' is unexpected");
    run_expect_err("user-def-cmd", "[]",
                   "Invalid parameter type for '<anonymous>', expected: "
                   "object");
    run_expect_err("user-def-cmd-list", "{\"n\": 256}",
                   "Parameter 'n' expects uint8");
    run_expect_err("boxed-cmd", "{\"name\": \"b\"}",
                   "Parameter 'kind' is missing");
    run_expect_err("sub-cmd", "{\"x\": -1}", "negative");
    run_expect_err("cmd-any", "{}", "Parameter 'val' is missing");

    ret = run("cmd-fails", NULL, &err);
    g_assert_null(ret);
    g_assert_cmpint(error_get_class(err), ==, ERROR_CLASS_DEVICE_NOT_FOUND);
    error_free(err);
}

/* -- events --------------------------------------------------------------------- */

static test_QAPIEvent last_event = TEST_QAPI_EVENT__MAX;
static json_t *last_data;

void test_qapi_event_emit(test_QAPIEvent event, json_t *data)
{
    last_event = event;
    json_decref(last_data);
    last_data = data ? json_incref(data) : NULL;
}

static void test_events(void)
{
    g_assert_cmpstr(test_QAPIEvent_str(TEST_QAPI_EVENT_EVENT_B), ==,
                    "EVENT_B");
    g_assert_cmpint(TEST_QAPI_EVENT__MAX, ==, 3);

    test_qapi_event_send_event_a();
    g_assert_cmpint(last_event, ==, TEST_QAPI_EVENT_EVENT_A);
    g_assert_null(last_data);

    test_qapi_event_send_event_b(5, "bee", true, ENUM_ONE_VALUE2, false,
                                 true);
    g_assert_cmpint(last_event, ==, TEST_QAPI_EVENT_EVENT_B);
    assert_json(last_data, "{\"a\": 5, \"b\": \"bee\", \"c\": \"value2\"}");

    test_qapi_event_send_event_b(-1, NULL, false, 0, true, false);
    assert_json(last_data, "{\"a\": -1, \"d\": false}");

    UserDefOne one = { .integer = 3, .string = (char *)"s" };
    test_qapi_event_send_event_boxed(&one);
    g_assert_cmpint(last_event, ==, TEST_QAPI_EVENT_EVENT_BOXED);
    assert_json(last_data, "{\"integer\": 3, \"string\": \"s\"}");
    json_decref(last_data);
    last_data = NULL;
}

/* -- introspection -------------------------------------------------------------- */

static json_t *find_entry(json_t *schema, const char *name)
{
    size_t i;
    json_t *e;

    json_array_foreach(schema, i, e) {
        if (!strcmp(json_string_value(json_object_get(e, "name")), name)) {
            return e;
        }
    }
    return NULL;
}

/* Every type name an entry refers to must have an entry of its own. */
static void check_refs(json_t *schema)
{
    size_t i, k;
    json_t *e, *m;

    json_array_foreach(schema, i, e) {
        const char *meta = json_string_value(json_object_get(e, "meta-type"));
        g_assert_nonnull(meta);
        g_assert_true(json_is_string(json_object_get(e, "name")));
        if (!strcmp(meta, "command") || !strcmp(meta, "event")) {
            g_assert_nonnull(find_entry(schema, json_string_value(
                json_object_get(e, "arg-type"))));
        }
        if (!strcmp(meta, "command")) {
            g_assert_nonnull(find_entry(schema, json_string_value(
                json_object_get(e, "ret-type"))));
        }
        if (!strcmp(meta, "array")) {
            g_assert_nonnull(find_entry(schema, json_string_value(
                json_object_get(e, "element-type"))));
        }
        if (!strcmp(meta, "object") || !strcmp(meta, "alternate")) {
            json_array_foreach(json_object_get(e, "members"), k, m) {
                g_assert_nonnull(find_entry(schema, json_string_value(
                    json_object_get(m, "type"))));
            }
            json_array_foreach(json_object_get(e, "variants"), k, m) {
                g_assert_nonnull(find_entry(schema, json_string_value(
                    json_object_get(m, "type"))));
            }
        }
    }
}

static void test_introspect(void)
{
    json_t *s = test_qapi_introspect_schema();
    json_t *e, *arg, *t;

    g_assert_true(json_is_array(s));
    check_refs(s);
    g_assert_null(find_entry(s, "cond-cmd"));
    g_assert_null(find_entry(s, "UserDefOne")); /* type names are masked */

    e = find_entry(s, "user-def-cmd");
    g_assert_nonnull(e);
    g_assert_cmpstr(json_string_value(json_object_get(e, "meta-type")), ==,
                    "command");
    g_assert_null(json_object_get(e, "allow-oob"));
    arg = find_entry(s, json_string_value(json_object_get(e, "arg-type")));
    g_assert_cmpstr(json_string_value(json_object_get(arg, "meta-type")), ==,
                    "object");
    json_t *mem = json_object_get(arg, "members");
    g_assert_cmpuint(json_array_size(mem), ==, 4);
    g_assert_cmpstr(json_string_value(json_object_get(json_array_get(mem, 0),
                                                      "name")), ==, "arg1");
    g_assert_null(json_object_get(json_array_get(mem, 0), "default"));
    g_assert_true(json_is_null(json_object_get(json_array_get(mem, 1),
                                               "default")));
    /* arg3 is 'int': builtin names are not masked. */
    g_assert_cmpstr(json_string_value(json_object_get(json_array_get(mem, 2),
                                                      "type")), ==, "int");

    e = find_entry(s, "user-def-cmd-list");
    g_assert_true(json_is_true(json_object_get(e, "allow-oob")));
    t = find_entry(s, json_string_value(json_object_get(e, "ret-type")));
    g_assert_cmpstr(json_string_value(json_object_get(t, "meta-type")), ==,
                    "array");
    /* uint8 maps to int. */
    arg = find_entry(s, json_string_value(json_object_get(e, "arg-type")));
    assert_json(json_object_get(arg, "members"),
                "[{\"name\": \"n\", \"type\": \"int\"}]");

    e = find_entry(s, "user-def-cmd0");
    arg = find_entry(s, json_string_value(json_object_get(e, "arg-type")));
    assert_json(json_object_get(arg, "members"), "[]");
    g_assert_cmpstr(json_string_value(json_object_get(e, "arg-type")), ==,
                    json_string_value(json_object_get(e, "ret-type")));

    e = find_entry(s, "feature-cmd");
    assert_json(json_object_get(e, "features"), "[\"deprecated\"]");

    e = find_entry(s, "boxed-cmd");
    t = find_entry(s, json_string_value(json_object_get(e, "arg-type")));
    g_assert_cmpstr(json_string_value(json_object_get(t, "tag")), ==, "kind");
    g_assert_cmpuint(json_array_size(json_object_get(t, "variants")), ==, 4);

    e = find_entry(s, "int");
    assert_json(e, "{\"name\": \"int\", \"meta-type\": \"builtin\", "
                   "\"json-type\": \"int\"}");
    e = find_entry(s, "EVENT_B");
    arg = find_entry(s, json_string_value(json_object_get(e, "arg-type")));
    t = find_entry(s, json_string_value(json_object_get(
        json_array_get(json_object_get(arg, "members"), 2), "type")));
    g_assert_cmpstr(json_string_value(json_object_get(t, "meta-type")), ==,
                    "enum");
    assert_json(json_object_get(t, "values"),
                "[\"value1\", \"value2\", \"value3\", \"value-four\"]");
    assert_json(json_array_get(json_object_get(t, "members"), 3),
                "{\"name\": \"value-four\"}");
    json_decref(s);
}

static void test_introspect_real(void)
{
    json_t *s = qapi_introspect_schema();
    json_t *e, *t, *mem;

    g_assert_true(json_is_array(s));
    check_refs(s);
    e = find_entry(s, "query-status");
    g_assert_nonnull(e);
    t = find_entry(s, json_string_value(json_object_get(e, "ret-type")));
    mem = json_object_get(t, "members");
    g_assert_cmpuint(json_array_size(mem), ==, 2);
    assert_json(json_array_get(mem, 0),
                "{\"name\": \"running\", \"type\": \"bool\"}");
    t = find_entry(s, json_string_value(json_object_get(json_array_get(mem, 1),
                                                        "type")));
    g_assert_cmpstr(json_string_value(json_object_get(t, "meta-type")), ==,
                    "enum");
    g_assert_cmpuint(json_array_size(json_object_get(t, "values")), ==, 16);
    for (const char *const *c = (const char *const[]){
             "qmp_capabilities", "query-version", "query-commands",
             "query-qmp-schema", "query-machines", "qom-list-types",
             "device-list-properties", "query-name", "query-kvm", "stop",
             "cont", "system_reset", "quit", "human-monitor-command", "getfd",
             "closefd", "add-fd", "remove-fd", "query-fdsets", "STOP",
             "RESUME", "RESET", "SHUTDOWN", NULL };
         *c; c++) {
        g_assert_nonnull(find_entry(s, *c));
    }
    for (const char *const *c = (const char *const[]){ "netdev_add", "netdev_del", "set_link", "query-rx-filter", "NIC_RX_FILTER_CHANGED", NULL }; *c; c++) {
        g_assert_nonnull(find_entry(s, *c));
    }
    json_decref(s);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qapi/enums", test_enums);
    g_test_add_func("/qapi/struct-roundtrip", test_struct_roundtrip);
    g_test_add_func("/qapi/scalars-strict", test_scalars_strict);
    g_test_add_func("/qapi/input-errors-strict", test_input_errors_strict);
    g_test_add_func("/qapi/input-keyval", test_input_keyval);
    g_test_add_func("/qapi/union", test_union);
    g_test_add_func("/qapi/alternate", test_alternate);
    g_test_add_func("/qapi/commands", test_commands);
    g_test_add_func("/qapi/events", test_events);
    g_test_add_func("/qapi/introspect", test_introspect);
    g_test_add_func("/qapi/introspect-real", test_introspect_real);
    return g_test_run();
}
