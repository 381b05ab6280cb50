/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Typed reads from option objects (keyval strings or JSON values). */
#include <string.h>
#include <glib.h>
#include "util/opts.h"
#include "util/cutils.h"

static json_t *last_value(json_t *opts, const char *key)
{
    json_t *v = json_object_get(opts, key);

    if (json_is_array(v)) {
        size_t n = json_array_size(v);
        v = n ? json_array_get(v, n - 1) : NULL;
    }
    return v;
}

const char *opts_get_str(json_t *opts, const char *key)
{
    json_t *v = last_value(opts, key);
    char *s;

    if (json_is_string(v)) {
        return json_string_value(v);
    }
    if (json_is_true(v)) {
        return "on";
    }
    if (json_is_false(v)) {
        return "off";
    }
    if (!json_is_number(v)) {
        return NULL;
    }
    /* A JSON number: store its keyval spelling so the string stays alive. */
    s = json_is_integer(v)
            ? g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v))
            : g_strdup_printf("%.17g", json_real_value(v));
    json_object_set_new(opts, key, json_string(s));
    g_free(s);
    return json_string_value(json_object_get(opts, key));
}

bool opts_has(json_t *opts, const char *key)
{
    return json_object_get(opts, key) != NULL;
}

bool opts_get_bool(json_t *opts, const char *key, bool def, bool *out,
                   Error **errp)
{
    json_t *v = last_value(opts, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (json_is_boolean(v)) {
        *out = json_is_true(v);
        return true;
    }
    if (!json_is_string(v)) {
        error_setg(errp, "Parameter '%s' expects 'on' or 'off'", key);
        return false;
    }
    return parse_bool(key, json_string_value(v), out, errp);
}

static bool get_number(json_t *opts, const char *key, uint64_t def,
                       uint64_t *out, bool size, Error **errp)
{
    json_t *v = last_value(opts, key);

    if (!v) {
        *out = def;
        return true;
    }
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        *out = json_integer_value(v);
        return true;
    }
    if (!json_is_string(v)) {
        error_setg(errp, "Parameter '%s' expects %s", key,
                   size ? "a size value" : "a non-negative number");
        return false;
    }
    if (size) {
        return parse_size(key, json_string_value(v), out, errp);
    }
    return parse_uint_full(key, json_string_value(v), out, errp);
}

bool opts_get_uint(json_t *opts, const char *key, uint64_t def, uint64_t *out,
                   Error **errp)
{
    return get_number(opts, key, def, out, false, errp);
}

bool opts_get_size(json_t *opts, const char *key, uint64_t def, uint64_t *out,
                   Error **errp)
{
    return get_number(opts, key, def, out, true, errp);
}

bool opts_check_known(json_t *opts, const char *const *known, Error **errp)
{
    const char *key;
    json_t *v;

    json_object_foreach(opts, key, v)
    {
        bool found = false;
        for (const char *const *k = known; *k; k++) {
            if (!strcmp(*k, key)) {
                found = true;
                break;
            }
        }
        if (!found) {
            error_setg(errp, "Invalid parameter '%s'", key);
            return false;
        }
    }
    return true;
}

bool opts_require(json_t *opts, const char *key, Error **errp)
{
    if (!json_object_get(opts, key)) {
        error_setg(errp, "Parameter '%s' is missing", key);
        return false;
    }
    return true;
}
