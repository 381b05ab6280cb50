/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * "key=value,..." option strings to JSON objects.  The rules are described
 * in include/util/keyval.h.  Parsing happens in two passes: the first builds
 * objects and leaf strings (a repeated leaf turns into an array at once),
 * the second turns objects whose members are all indexes into arrays.
 * Keeping those passes apart means a leaf array and an index array can never
 * be confused while the input is still being read.
 */
#include <string.h>
#include <glib.h>
#include "util/keyval.h"

/* Longest piece of user input quoted back in an error message. */
#define KEYVAL_SHOW_MAX 80

/*
 * Quote user input in a message: control characters escaped so the message
 * stays on one line, long input cut (at a UTF-8 character boundary).
 */
static char *show(const char *s, size_t len)
{
    GString *out = g_string_new(NULL);
    bool cut = false;

    if (len > KEYVAL_SHOW_MAX) {
        len = KEYVAL_SHOW_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) {
            len--;
        }
        cut = true;
    }
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        gunichar u = c < 0x80 ? c : g_utf8_get_char_validated(s + i, len - i);

        if (c < 0x20 || c == 0x7f || u == (gunichar)-1 || u == (gunichar)-2) {
            /* control characters and bytes that are not UTF-8 */
            g_string_append_printf(out, "\\x%02x", c);
            i++;
        } else {
            size_t n = g_utf8_skip[c];
            g_string_append_len(out, s + i, n);
            i += n;
        }
    }
    if (cut) {
        g_string_append(out, "...");
    }
    return g_string_free(out, false);
}

static bool is_name_start(char c)
{
    return g_ascii_isalpha(c);
}

static bool is_name_char(char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '_';
}

static bool fragment_is_name(const char *s, size_t len)
{
    if (!len || !is_name_start(s[0])) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        if (!is_name_char(s[i])) {
            return false;
        }
    }
    return true;
}

/* Canonical decimal index: "0" or digits without a leading zero. */
static bool fragment_is_index(const char *s, size_t len)
{
    if (!len || (s[0] == '0' && len > 1)) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isdigit(s[i])) {
            return false;
        }
    }
    return true;
}

static bool key_is_index(const char *key)
{
    return fragment_is_index(key, strlen(key));
}

typedef struct KeyPath {
    const char *key; /* whole key, for messages */
    size_t len;
    char **frags; /* split fragments, NULL-terminated */
    guint n;
} KeyPath;

static void key_path_clear(KeyPath *kp)
{
    g_strfreev(kp->frags);
    kp->frags = NULL;
}

static void key_error(Error **errp, const char *fmt, const char *s, size_t len)
{
    char *shown = show(s, len);
    error_setg(errp, fmt, shown);
    g_free(shown);
}

/* Split and validate @key (@len bytes, not NUL-terminated). */
static bool key_path_init(KeyPath *kp, const char *key, size_t len,
                          Error **errp)
{
    char *copy = g_strndup(key, len);
    const char *s = key;

    kp->key = key;
    kp->len = len;
    kp->frags = g_strsplit(copy, ".", -1);
    kp->n = g_strv_length(kp->frags);
    g_free(copy);

    if (!len) {
        error_setg(errp, "Invalid parameter '' (empty parameter name)");
        return false;
    }
    for (guint i = 0; i < kp->n; i++) {
        const char *f = kp->frags[i];
        size_t flen = strlen(f);

        if (flen > KEYVAL_MAX_FRAGMENT_LEN) {
            key_error(errp,
                      kp->n > 1 ? "Parameter fragment '%s' is too long"
                                : "Parameter '%s' is too long",
                      s, flen);
            return false;
        }
        if (!fragment_is_name(f, flen) &&
            (i == 0 || !fragment_is_index(f, flen))) {
            key_error(errp, "Invalid parameter '%s'", key, len);
            return false;
        }
        s += flen + 1;
    }
    if (kp->n > KEYVAL_MAX_FRAGMENTS) {
        key_error(errp, "Parameter '%s' is nested too deeply", key, len);
        return false;
    }
    return true;
}

/* "Parameters 'a.b.*' used inconsistently" for the first @upto fragments. */
static void inconsistent(Error **errp, const KeyPath *kp, guint upto)
{
    size_t len = 0;
    char *shown;

    for (guint i = 0; i < upto; i++) {
        len += strlen(kp->frags[i]) + (i ? 1 : 0);
    }
    shown = show(kp->key, len);
    error_setg(errp, "Parameters '%s.*' used inconsistently", shown);
    g_free(shown);
}

/* Store @value at @key in @root; a leaf set twice becomes an array. */
static bool keyval_put(json_t *root, const char *key, size_t keylen,
                       const char *value, Error **errp)
{
    KeyPath kp = {0};
    json_t *cur = root, *leaf, *old;
    bool ok = false;

    if (!key_path_init(&kp, key, keylen, errp)) {
        goto out;
    }
    leaf = json_string(value);
    if (!leaf) {
        key_error(errp, "Parameter '%s' has a value that is not valid UTF-8",
                  key, keylen);
        goto out;
    }
    for (guint i = 0; i + 1 < kp.n; i++) {
        json_t *next = json_object_get(cur, kp.frags[i]);
        if (!next) {
            next = json_object();
            json_object_set_new(cur, kp.frags[i], next);
        } else if (!json_is_object(next)) {
            inconsistent(errp, &kp, i + 1);
            json_decref(leaf);
            goto out;
        }
        cur = next;
    }
    old = json_object_get(cur, kp.frags[kp.n - 1]);
    if (!old) {
        json_object_set_new(cur, kp.frags[kp.n - 1], leaf);
    } else if (json_is_string(old)) {
        json_t *arr = json_array();
        json_array_append(arr, old);
        json_array_append_new(arr, leaf);
        json_object_set_new(cur, kp.frags[kp.n - 1], arr);
    } else if (json_is_array(old)) {
        json_array_append_new(old, leaf);
    } else {
        inconsistent(errp, &kp, kp.n);
        json_decref(leaf);
        goto out;
    }
    ok = true;
out:
    key_path_clear(&kp);
    return ok;
}

/* Index of a canonical index key, or G_MAXSIZE when it cannot be in range. */
static size_t index_value(const char *key)
{
    size_t len = strlen(key);
    size_t v = 0;

    if (len > 9) {
        return G_MAXSIZE;
    }
    for (size_t i = 0; i < len; i++) {
        v = v * 10 + (key[i] - '0');
    }
    return v;
}

/*
 * Replace objects whose members are all indexes by arrays, bottom-up.
 * @path is the dotted key of @obj with a trailing '.' ("" for the root).
 * Returns the (possibly new) node, or NULL with *errp set.  Recursion depth
 * is bounded by KEYVAL_MAX_FRAGMENTS.
 */
static json_t *keyval_listify(json_t *obj, const char *path, Error **errp)
{
    bool has_index = false, has_name = false;
    const char *key;
    json_t *val, *arr;
    void *tmp;
    size_t n;
    json_t **elts;

    json_object_foreach_safe(obj, tmp, key, val)
    {
        if (key_is_index(key)) {
            has_index = true;
        } else {
            has_name = true;
        }
        if (json_is_object(val)) {
            char *sub = g_strconcat(path, key, ".", NULL);
            json_t *repl = keyval_listify(val, sub, errp);
            g_free(sub);
            if (!repl) {
                return NULL;
            }
            if (repl != val) {
                json_object_set_new(obj, key, repl);
            }
        }
    }
    if (has_index && has_name) {
        char *shown = show(path, strlen(path));
        error_setg(errp, "Parameters '%s*' used inconsistently", shown);
        g_free(shown);
        return NULL;
    }
    if (!has_index) {
        return obj;
    }
    n = json_object_size(obj);
    elts = g_new0(json_t *, n);
    json_object_foreach(obj, key, val)
    {
        size_t i = index_value(key);
        if (i < n) {
            elts[i] = val;
        }
    }
    arr = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!elts[i]) {
            char *shown = show(path, strlen(path));
            error_setg(errp, "Parameter '%s%zu' missing", shown, i);
            g_free(shown);
            json_decref(arr);
            g_free(elts);
            return NULL;
        }
        json_array_append(arr, elts[i]);
    }
    g_free(elts);
    return arr;
}

/*
 * Read a value starting at *p up to a single ',' (consumed) or the end;
 * ",," stands for ','.
 */
static char *read_value(const char **p)
{
    GString *v = g_string_new(NULL);
    const char *s = *p;

    for (;;) {
        if (!*s) {
            break;
        }
        if (*s == ',') {
            if (s[1] != ',') {
                s++;
                break;
            }
            s++;
        }
        g_string_append_c(v, *s++);
    }
    *p = s;
    return g_string_free(v, false);
}

static bool is_help_word(const char *w)
{
    return !strcmp(w, "help") || !strcmp(w, "?");
}

/* An element without '=': help, the implied value, or a QemuOpts flag. */
static bool keyval_word(json_t *root, const char *word, bool first,
                        const char *implied_key, bool *help, Error **errp)
{
    if (is_help_word(word)) {
        if (!help) {
            key_error(errp,
                      "Parameter '%s' is not accepted here "
                      "(no help available)",
                      word, strlen(word));
            return false;
        }
        *help = true;
        return true;
    }
    if (first && implied_key && *word) {
        return keyval_put(root, implied_key, strlen(implied_key), word, errp);
    }
    if (!*word) {
        error_setg(errp, "Invalid parameter '' (empty parameter name)");
        return false;
    }
    if (g_str_has_prefix(word, "no") && word[2]) {
        return keyval_put(root, word + 2, strlen(word + 2), "off", errp);
    }
    return keyval_put(root, word, strlen(word), "on", errp);
}

json_t *keyval_parse(const char *params, const char *implied_key, bool *help,
                     Error **errp)
{
    json_t *root = json_object(), *listified;
    const char *p = params ? params : "";
    bool first = true;

    if (help) {
        *help = false;
    }
    while (*p) {
        size_t len = strcspn(p, "=,");
        char *value;
        bool ok;

        if (p[len] == '=') {
            const char *key = p;
            p += len + 1;
            value = read_value(&p);
            ok = keyval_put(root, key, len, value, errp);
        } else {
            value = read_value(&p);
            ok = keyval_word(root, value, first, implied_key, help, errp);
        }
        g_free(value);
        if (!ok) {
            json_decref(root);
            return NULL;
        }
        first = false;
    }
    listified = keyval_listify(root, "", errp);
    if (!listified) {
        json_decref(root);
        return NULL;
    }
    /* The root's members are names (never indexes), so it stays an object. */
    g_assert(listified == root);
    return root;
}

static json_t *keyval_parse_json(const char *arg, Error **errp)
{
    json_error_t jerr;
    json_t *v = json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);

    if (!v) {
        char *shown = show(jerr.text, strlen(jerr.text));
        error_setg(errp, "JSON parse error, %s (line %d, column %d)", shown,
                   jerr.line, jerr.column);
        g_free(shown);
        return NULL;
    }
    if (!json_is_object(v)) {
        error_setg(errp, "JSON option value must be an object");
        json_decref(v);
        return NULL;
    }
    return v;
}

json_t *keyval_parse_or_json(const char *arg, const char *implied_key,
                             bool *help, Error **errp)
{
    const char *p = arg ? arg : "";

    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p == '{') {
        if (help) {
            *help = false;
        }
        return keyval_parse_json(p, errp);
    }
    return keyval_parse(arg, implied_key, help, errp);
}
