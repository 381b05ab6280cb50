/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Input and output helpers shared by the generated QAPI visitors.
 *
 * Error texts match QEMU's QObject input visitor because management tools
 * and test suites compare them.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

#include "qapi/qapi-util.h"

const char *qapi_enum_lookup(const QEnumLookup *lookup, int val)
{
    if (val < 0 || val >= lookup->size) {
        return NULL;
    }
    return lookup->array[val];
}

int qapi_enum_parse(const QEnumLookup *lookup, const char *buf, int def,
                    Error **errp)
{
    if (!buf) {
        return def;
    }
    for (int i = 0; i < lookup->size; i++) {
        if (!strcmp(buf, lookup->array[i])) {
            return i;
        }
    }
    error_setg(errp, "Parameter 'value' does not accept value '%s'", buf);
    return def;
}

void qapi_in_init(QapiIn *in, QapiInputMode mode)
{
    in->mode = mode;
    in->top = NULL;
}

/* Same algorithm as QEMU's full_name(): walk the containers outwards. */
char *qapi_in_full_name(const QapiIn *in, const char *name)
{
    GString *s = g_string_new("");

    for (const QapiInFrame *f = in->top; f; f = f->up) {
        if (json_is_object(f->obj)) {
            g_string_prepend(s, name ? name : "<anonymous>");
            g_string_prepend_c(s, '.');
        } else {
            char buf[32];
            snprintf(buf, sizeof(buf),
                     in->mode == QAPI_INPUT_KEYVAL ? ".%zu" : "[%zu]",
                     f->index);
            g_string_prepend(s, buf);
        }
        name = f->name;
    }
    if (name) {
        g_string_prepend(s, name);
    } else if (s->str[0] == '.') {
        g_string_erase(s, 0, 1);
    } else if (!s->str[0]) {
        g_string_assign(s, "<anonymous>");
    }
    return g_string_free(s, false);
}

void qapi_in_type_error(QapiIn *in, const char *name, const char *what,
                        Error **errp)
{
    g_autofree char *full = qapi_in_full_name(in, name);

    error_setg(errp, "Invalid parameter type for '%s', expected: %s", full,
               what);
}

static void value_error(QapiIn *in, const char *name, const char *what,
                        Error **errp)
{
    g_autofree char *full = qapi_in_full_name(in, name);

    error_setg(errp, "Parameter '%s' expects %s", full, what);
}

/* QEMU's range checks name only the member itself, not its path. */
static void range_error(const char *name, const char *type, Error **errp)
{
    error_setg(errp, "Parameter '%s' expects %s", name ? name : "null", type);
}

void qapi_in_missing(QapiIn *in, const char *name, Error **errp)
{
    g_autofree char *full = qapi_in_full_name(in, name);

    error_setg(errp, "Parameter '%s' is missing", full);
}

static void push(QapiIn *in, const char *name, json_t *v, QapiInFrame *f)
{
    memset(f, 0, sizeof(*f));
    f->up = in->top;
    f->name = name;
    f->obj = json_incref(v);
    in->top = f;
}

bool qapi_in_struct_begin(QapiIn *in, const char *name, json_t *v,
                          QapiInFrame *f, Error **errp)
{
    if (!json_is_object(v)) {
        qapi_in_type_error(in, name, "object", errp);
        return false;
    }
    push(in, name, v, f);
    f->unvisited = json_object();
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        json_object_set_new(f->unvisited, key, json_null());
    }
    return true;
}

json_t *qapi_in_take(QapiIn *in, const char *name)
{
    QapiInFrame *f = in->top;

    json_object_del(f->unvisited, name);
    return json_object_get(f->obj, name);
}

bool qapi_in_struct_check(QapiIn *in, Error **errp)
{
    QapiInFrame *f = in->top;
    void *it = json_object_iter(f->unvisited);

    if (it) {
        g_autofree char *full = qapi_in_full_name(in, json_object_iter_key(it));
        error_setg(errp, "Parameter '%s' is unexpected", full);
        return false;
    }
    return true;
}

void qapi_in_pop(QapiIn *in)
{
    QapiInFrame *f = in->top;

    in->top = f->up;
    json_decref(f->obj);
    json_decref(f->unvisited);
}

bool qapi_in_list_begin(QapiIn *in, const char *name, json_t *v, QapiInFrame *f,
                        Error **errp)
{
    if (json_is_array(v)) {
        push(in, name, v, f);
        return true;
    }
    if (in->mode == QAPI_INPUT_KEYVAL && !json_is_object(v)) {
        /* A single "key=value" for a list member: a list of one. */
        json_t *one = json_array();
        json_array_append(one, v);
        push(in, name, one, f);
        json_decref(one);
        return true;
    }
    qapi_in_type_error(in, name, "array", errp);
    return false;
}

json_t *qapi_in_list_next(QapiIn *in)
{
    QapiInFrame *f = in->top;

    if (f->next >= json_array_size(f->obj)) {
        return NULL;
    }
    f->index = f->next++;
    return json_array_get(f->obj, f->index);
}

/*
 * KEYVAL: a repeated key arrives as an array; its last element wins.
 * Returns the string to convert, or NULL with *native set when @v is a
 * native JSON scalar, or NULL with *errp set.
 */
static const char *keyval_str(QapiIn *in, const char *name, json_t **v,
                              Error **errp)
{
    if (json_is_array(*v)) {
        size_t n = json_array_size(*v);
        if (n == 0) {
            qapi_in_missing(in, name, errp);
            return NULL;
        }
        *v = json_array_get(*v, n - 1);
    }
    if (json_is_string(*v)) {
        return json_string_value(*v);
    }
    if (json_is_object(*v) || json_is_array(*v)) {
        g_autofree char *full = qapi_in_full_name(in, name);
        error_setg(errp, "Parameters '%s.*' are unexpected", full);
    }
    return NULL;
}

/* Common front of scalar input: returns the string form in KEYVAL mode. */
#define KEYVAL_FRONT(in, name, v, errp, sp)                                    \
    do {                                                                       \
        Error *kerr_ = NULL;                                                   \
        (sp) = NULL;                                                           \
        if ((in)->mode == QAPI_INPUT_KEYVAL) {                                 \
            (sp) = keyval_str((in), (name), &(v), &kerr_);                     \
            if (kerr_) {                                                       \
                error_propagate((errp), kerr_);                                \
                return false;                                                  \
            }                                                                  \
        }                                                                      \
    } while (0)

bool qapi_in_str(QapiIn *in, const char *name, json_t *v, char **out,
                 Error **errp)
{
    const char *s;

    *out = NULL;
    KEYVAL_FRONT(in, name, v, errp, s);
    if (!s && !json_is_string(v)) {
        qapi_in_type_error(in, name, "string", errp);
        return false;
    }
    *out = g_strdup(s ? s : json_string_value(v));
    return true;
}

static bool int_value(QapiIn *in, const char *name, json_t *v, int64_t *out,
                      Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        if (!qapi_parse_int64(s, out)) {
            value_error(in, name, "integer", errp);
            return false;
        }
        return true;
    }
    if (!json_is_integer(v)) {
        qapi_in_type_error(in, name, "integer", errp);
        return false;
    }
    *out = json_integer_value(v);
    return true;
}

static bool uint_value(QapiIn *in, const char *name, json_t *v, uint64_t *out,
                       const char *type, Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        if (!qapi_parse_uint64(s, out)) {
            if (qapi_parse_int64(s, &(int64_t){0})) {
                range_error(name, type, errp); /* negative */
            } else {
                value_error(in, name, "integer", errp);
            }
            return false;
        }
        return true;
    }
    if (!json_is_integer(v)) {
        qapi_in_type_error(in, name, "integer", errp);
        return false;
    }
    if (json_integer_value(v) < 0) {
        /* QEMU wraps negative numbers around; we refuse them. */
        range_error(name, type, errp);
        return false;
    }
    *out = (uint64_t)json_integer_value(v);
    return true;
}

bool qapi_in_int64(QapiIn *in, const char *name, json_t *v, int64_t *out,
                   Error **errp)
{
    return int_value(in, name, v, out, errp);
}

bool qapi_in_int(QapiIn *in, const char *name, json_t *v, int64_t *out,
                 Error **errp)
{
    return int_value(in, name, v, out, errp);
}

#define DEFINE_INT_IN(bits)                                                    \
    bool qapi_in_int##bits(QapiIn *in, const char *name, json_t *v,            \
                           int##bits##_t *out, Error **errp)                   \
    {                                                                          \
        int64_t val;                                                           \
        if (!int_value(in, name, v, &val, errp)) {                             \
            return false;                                                      \
        }                                                                      \
        if (val < INT##bits##_MIN || val > INT##bits##_MAX) {                  \
            range_error(name, "int" #bits, errp);                              \
            return false;                                                      \
        }                                                                      \
        *out = (int##bits##_t)val;                                             \
        return true;                                                           \
    }

#define DEFINE_UINT_IN(bits)                                                   \
    bool qapi_in_uint##bits(QapiIn *in, const char *name, json_t *v,           \
                            uint##bits##_t *out, Error **errp)                 \
    {                                                                          \
        uint64_t val;                                                          \
        if (!uint_value(in, name, v, &val, "uint" #bits, errp)) {              \
            return false;                                                      \
        }                                                                      \
        if (val > UINT##bits##_MAX) {                                          \
            range_error(name, "uint" #bits, errp);                             \
            return false;                                                      \
        }                                                                      \
        *out = (uint##bits##_t)val;                                            \
        return true;                                                           \
    }

DEFINE_INT_IN(8)
DEFINE_INT_IN(16)
DEFINE_INT_IN(32)
DEFINE_UINT_IN(8)
DEFINE_UINT_IN(16)
DEFINE_UINT_IN(32)

bool qapi_in_uint64(QapiIn *in, const char *name, json_t *v, uint64_t *out,
                    Error **errp)
{
    return uint_value(in, name, v, out, "uint64", errp);
}

bool qapi_in_size(QapiIn *in, const char *name, json_t *v, uint64_t *out,
                  Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        if (!qapi_parse_size(s, out)) {
            value_error(in, name, "size", errp);
            return false;
        }
        return true;
    }
    if (!json_is_integer(v)) {
        qapi_in_type_error(in, name, "integer", errp);
        return false;
    }
    if (json_integer_value(v) < 0) {
        range_error(name, "size", errp);
        return false;
    }
    *out = (uint64_t)json_integer_value(v);
    return true;
}

bool qapi_in_number(QapiIn *in, const char *name, json_t *v, double *out,
                    Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        char *end;
        errno = 0;
        double d = strtod(s, &end);
        if (!*s || *end || errno || !isfinite(d)) {
            value_error(in, name, "number", errp);
            return false;
        }
        *out = d;
        return true;
    }
    if (!json_is_number(v)) {
        qapi_in_type_error(in, name, "number", errp);
        return false;
    }
    *out = json_number_value(v);
    return true;
}

bool qapi_in_bool(QapiIn *in, const char *name, json_t *v, bool *out,
                  Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        if (!qapi_parse_bool(s, out)) {
            value_error(in, name, "'on' or 'off'", errp);
            return false;
        }
        return true;
    }
    if (!json_is_boolean(v)) {
        qapi_in_type_error(in, name, "boolean", errp);
        return false;
    }
    *out = json_is_true(v);
    return true;
}

bool qapi_in_any(QapiIn *in, const char *name, json_t *v, json_t **out,
                 Error **errp)
{
    *out = json_incref(v);
    return true;
}

bool qapi_in_null(QapiIn *in, const char *name, json_t *v, json_t **out,
                  Error **errp)
{
    const char *s;

    *out = NULL;
    KEYVAL_FRONT(in, name, v, errp, s);
    if (s) {
        if (*s) {
            value_error(in, name, "null", errp);
            return false;
        }
    } else if (!json_is_null(v)) {
        qapi_in_type_error(in, name, "null", errp);
        return false;
    }
    *out = json_null();
    return true;
}

bool qapi_in_enum(QapiIn *in, const char *name, json_t *v,
                  const QEnumLookup *lookup, int *out, Error **errp)
{
    const char *s;

    KEYVAL_FRONT(in, name, v, errp, s);
    if (!s) {
        if (!json_is_string(v)) {
            qapi_in_type_error(in, name, "string", errp);
            return false;
        }
        s = json_string_value(v);
    }
    for (int i = 0; i < lookup->size; i++) {
        if (!strcmp(s, lookup->array[i])) {
            *out = i;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' does not accept value '%s'",
               name ? name : "null", s);
    return false;
}

json_t *qapi_in_keyval_scalar(QapiIn *in, json_t *v)
{
    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        v = n ? json_array_get(v, n - 1) : NULL;
    }
    if (!v || json_is_object(v) || json_is_array(v)) {
        return NULL;
    }
    return v;
}

bool qapi_in_no_args(json_t *args, Error **errp)
{
    QapiIn in;
    QapiInFrame f;
    bool ok;

    if (!args) {
        return true;
    }
    qapi_in_init(&in, QAPI_INPUT_STRICT);
    if (!qapi_in_struct_begin(&in, NULL, args, &f, errp)) {
        return false;
    }
    ok = qapi_in_struct_check(&in, errp);
    qapi_in_pop(&in);
    return ok;
}

/* Conversions ------------------------------------------------------------ */

bool qapi_parse_int64(const char *s, int64_t *out)
{
    char *end;
    long long v;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    v = strtoll(s, &end, 0);
    if (errno || *end || end == s) {
        return false;
    }
    *out = v;
    return true;
}

bool qapi_parse_uint64(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;
    const char *p = s;

    if (!s || !*s) {
        return false;
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '-') {
        return false; /* strtoull would wrap it around */
    }
    errno = 0;
    v = strtoull(s, &end, 0);
    if (errno || *end || end == s) {
        return false;
    }
    *out = v;
    return true;
}

bool qapi_parse_size(const char *s, uint64_t *out)
{
    static const char suffixes[] = "BKMGTPE";
    char *end;
    unsigned long long whole;
    double frac = 0;
    int shift = 0;

    if (!s || !*s || *s == '-' || g_ascii_isspace(*s)) {
        return false;
    }
    errno = 0;
    whole = strtoull(s, &end, 0);
    if (errno || end == s) {
        return false;
    }
    if (*end == '.') {
        /* A fraction makes sense only in decimal and with a unit. */
        const char *fs = end;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            return false;
        }
        frac = strtod(fs, &end);
        if (end == fs + 1) {
            return false;
        }
    }
    if (*end) {
        const char *p = strchr(suffixes, g_ascii_toupper(*end));
        if (!p || end[1]) {
            return false;
        }
        shift = 10 * (int)(p - suffixes);
    } else if (frac != 0) {
        return false;
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return false;
    }
    uint64_t val = (uint64_t)whole << shift;
    if (frac != 0) {
        double extra = frac * (double)((uint64_t)1 << shift);
        if (extra >= (double)(UINT64_MAX - val)) {
            return false;
        }
        val += (uint64_t)extra;
    }
    *out = val;
    return true;
}

bool qapi_parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"on", "yes", "true"};
    static const char *const no[] = {"off", "no", "false"};

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(s, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(s, no[i])) {
            *out = false;
            return true;
        }
    }
    return false;
}

json_t *qapi_str_to_json(const char *s)
{
    json_t *j;

    if (!s) {
        return json_string("");
    }
    j = json_string(s);
    if (!j) {
        /* Not UTF-8 (e.g. a host interface name): keep what we can. */
        g_autofree char *fixed = g_utf8_make_valid(s, -1);
        j = json_string(fixed);
    }
    return j ? j : json_string("");
}

json_t *qapi_uint64_to_json(uint64_t v)
{
    if (v > INT64_MAX) {
        /* jansson integers are signed 64-bit. */
        return json_real((double)v);
    }
    return json_integer((json_int_t)v);
}

json_t *qapi_any_to_json(json_t *v)
{
    return v ? json_incref(v) : json_null();
}
