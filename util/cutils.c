/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Number, size and boolean parsing with QEMU's conventions (see cutils.h). */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include "util/cutils.h"

static bool base_ok(int base)
{
    return base == 0 || (base >= 2 && base <= 36);
}

static const char *skip_space(const char *s)
{
    while (isspace((unsigned char)*s)) {
        s++;
    }
    return s;
}

/*
 * Common tail of every conversion: decide the return code from where the
 * C library stopped (@ep) and what errno it left, and report @ep.
 */
static int finish(const char *s, const char *ep, int saved_errno,
                  const char **end)
{
    if (end) {
        *end = ep;
    }
    if (ep == s) {
        return -EINVAL;
    }
    /* Garbage wins over overflow: "99999999999999999999x" is not a number. */
    if (!end && *ep) {
        return -EINVAL;
    }
    return saved_errno == ERANGE ? -ERANGE : 0;
}

int qemu_strtoi64(const char *s, const char **end, int base, int64_t *out)
{
    char *ep;
    long long v;
    int ret;

    *out = 0;
    if (!s || !base_ok(base)) {
        if (end) {
            *end = s;
        }
        return -EINVAL;
    }
    errno = 0;
    v = strtoll(s, &ep, base);
    ret = finish(s, ep, errno, end);
    if (ret != -EINVAL) {
        *out = v;
    }
    return ret;
}

int qemu_strtou64(const char *s, const char **end, int base, uint64_t *out)
{
    char *ep;
    unsigned long long v;
    int ret;

    *out = 0;
    /* strtoull() silently negates "-1"; an unsigned value has no sign. */
    if (!s || !base_ok(base) || *skip_space(s) == '-') {
        if (end) {
            *end = s;
        }
        return -EINVAL;
    }
    errno = 0;
    v = strtoull(s, &ep, base);
    ret = finish(s, ep, errno, end);
    if (ret != -EINVAL) {
        *out = v;
    }
    return ret;
}

/* Narrow a 64-bit result, saturating like strtol() does on overflow. */
int qemu_strtoi(const char *s, const char **end, int base, int *out)
{
    int64_t v;
    int ret = qemu_strtoi64(s, end, base, &v);

    if (ret == -EINVAL) {
        *out = 0;
        return ret;
    }
    if (v > INT_MAX || v < INT_MIN) {
        *out = v > 0 ? INT_MAX : INT_MIN;
        return -ERANGE;
    }
    *out = (int)v;
    return ret;
}

int qemu_strtoui(const char *s, const char **end, int base, unsigned *out)
{
    uint64_t v;
    int ret = qemu_strtou64(s, end, base, &v);

    if (ret == -EINVAL) {
        *out = 0;
        return ret;
    }
    if (v > UINT_MAX) {
        *out = UINT_MAX;
        return -ERANGE;
    }
    *out = (unsigned)v;
    return ret;
}

int qemu_strtol(const char *s, const char **end, int base, long *out)
{
    int64_t v;
    int ret = qemu_strtoi64(s, end, base, &v);

    G_STATIC_ASSERT(sizeof(long) <= sizeof(int64_t));
    if (ret == -EINVAL) {
        *out = 0;
        return ret;
    }
    if (v > LONG_MAX || v < LONG_MIN) {
        *out = v > 0 ? LONG_MAX : LONG_MIN;
        return -ERANGE;
    }
    *out = (long)v;
    return ret;
}

int qemu_strtoul(const char *s, const char **end, int base, unsigned long *out)
{
    uint64_t v;
    int ret = qemu_strtou64(s, end, base, &v);

    if (ret == -EINVAL) {
        *out = 0;
        return ret;
    }
    if (v > ULONG_MAX) {
        *out = ULONG_MAX;
        return -ERANGE;
    }
    *out = (unsigned long)v;
    return ret;
}

/* log2 of the multiplier for a size suffix, or -1 if @c is not one. */
static int size_suffix_shift(char c)
{
    switch (g_ascii_tolower(c)) {
    case 'b':
        return 0;
    case 'k':
        return 10;
    case 'm':
        return 20;
    case 'g':
        return 30;
    case 't':
        return 40;
    case 'p':
        return 50;
    case 'e':
        return 60;
    default:
        return -1;
    }
}

/*
 * Read ".digits" at *p (p points at '.').  Returns the fraction in [0, 1],
 * sets *nonzero, advances *p.  Done by hand so the locale's decimal point
 * does not matter; digits past double precision are consumed but ignored.
 */
static double read_fraction(const char **p, bool *nonzero)
{
    const char *q = *p + 1;
    double f = 0, scale = 0.1;
    int used = 0;

    *nonzero = false;
    while (g_ascii_isdigit(*q)) {
        if (*q != '0') {
            *nonzero = true;
        }
        if (used++ < 20) {
            f += (*q - '0') * scale;
            scale /= 10;
        }
        q++;
    }
    *p = q;
    return f;
}

static int strtosz_fail(const char *s, const char **end, uint64_t *out, int ret)
{
    *out = 0;
    if (end) {
        *end = s;
    }
    return ret;
}

static int strtosz_hex(const char *s, const char *p, const char **end,
                       uint64_t *out)
{
    const char *ep;
    int ret = qemu_strtou64(p, &ep, 16, out);

    if (ret == -EINVAL || ep == p + 1) {
        /* "0x" alone: strtoull() stops after the 0; not a hex size. */
        return strtosz_fail(s, end, out, -EINVAL);
    }
    /* Suffixes are not allowed with hex ("0x20M"); 'b' is a digit there. */
    if (size_suffix_shift(*ep) > 0 || *ep == '.') {
        return strtosz_fail(s, end, out, -EINVAL);
    }
    if (!end && *ep) {
        return strtosz_fail(s, end, out, -EINVAL);
    }
    if (ret) {
        *out = 0; /* like the decimal path: no saturated value on overflow */
    }
    if (end) {
        *end = ep;
    }
    return ret;
}

int qemu_strtosz(const char *s, const char **end, uint64_t *out)
{
    const char *p, *digits_end;
    uint64_t whole = 0, total;
    double frac = 0;
    bool has_frac = false, frac_nonzero = false;
    int shift;

    if (!s) {
        return strtosz_fail(s, end, out, -EINVAL);
    }
    p = skip_space(s);
    if (*p == '-') {
        return strtosz_fail(s, end, out, -ERANGE);
    }
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
        return strtosz_hex(s, p, end, out);
    }
    digits_end = p;
    while (g_ascii_isdigit(*digits_end)) {
        if (__builtin_mul_overflow(whole, 10, &whole) ||
            __builtin_add_overflow(whole, *digits_end - '0', &whole)) {
            return strtosz_fail(s, end, out, -ERANGE);
        }
        digits_end++;
    }
    p = digits_end;
    if (*p == '.') {
        has_frac = true;
        frac = read_fraction(&p, &frac_nonzero);
        if (p == digits_end + 1 && digits_end == skip_space(s)) {
            return strtosz_fail(s, end, out, -EINVAL); /* "." alone */
        }
    } else if (p == skip_space(s)) {
        return strtosz_fail(s, end, out, -EINVAL); /* no digits at all */
    }
    shift = size_suffix_shift(*p);
    if (shift >= 0) {
        p++;
    } else {
        shift = 0;
    }
    if (frac_nonzero && shift == 0) {
        return strtosz_fail(s, end, out, -EINVAL); /* "1.5" or "1.5B" */
    }
    if (!end && *p) {
        return strtosz_fail(s, end, out, -EINVAL);
    }
    if (shift && whole > (UINT64_MAX >> shift)) {
        return strtosz_fail(s, end, out, -ERANGE);
    }
    total = whole << shift;
    if (has_frac && frac_nonzero) {
        /* frac < 1 so this fits in 64 bits; only the sum can overflow. */
        double part = frac * (double)((uint64_t)1 << shift);
        uint64_t bytes =
            part >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)part;
        if (__builtin_add_overflow(total, bytes, &total)) {
            return strtosz_fail(s, end, out, -ERANGE);
        }
    }
    *out = total;
    if (end) {
        *end = p;
    }
    return 0;
}

/* Values can hold anything the user typed; keep error messages one line. */
static char *printable(const char *value)
{
    return g_strescape(value ? value : "", NULL);
}

bool parse_bool(const char *name, const char *value, bool *out, Error **errp)
{
    static const char *const yes[] = {"on", "yes", "true", "y"};
    static const char *const no[] = {"off", "no", "false", "n"};

    for (size_t i = 0; value && i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(value, yes[i])) {
            *out = true;
            return true;
        }
        if (!strcmp(value, no[i])) {
            *out = false;
            return true;
        }
    }
    error_setg(errp, "Parameter '%s' expects 'on' or 'off'", name);
    return false;
}

bool parse_size(const char *name, const char *value, uint64_t *out,
                Error **errp)
{
    uint64_t v;
    int ret = qemu_strtosz(value, NULL, &v);
    char *shown;

    if (ret == 0) {
        *out = v;
        return true;
    }
    if (ret == -ERANGE) {
        shown = printable(value);
        error_setg(errp, "Value '%s' is out of range for parameter '%s'", shown,
                   name);
        g_free(shown);
        return false;
    }
    /* One line, as every command-line error is: the suffixes go inline
     * rather than in QEMU's separate two-line hint. */
    error_setg(errp,
               "Parameter '%s' expects a non-negative number below 2^64 "
               "(optional suffix k, M, G, T, P or E)",
               name);
    return false;
}

bool parse_uint_full(const char *name, const char *value, uint64_t *out,
                     Error **errp)
{
    uint64_t v;
    int ret = qemu_strtou64(value, NULL, 0, &v);
    char *shown;

    if (ret == 0) {
        *out = v;
        return true;
    }
    if (ret == -ERANGE) {
        shown = printable(value);
        error_setg(errp, "Value '%s' is too large for parameter '%s'", shown,
                   name);
        g_free(shown);
        return false;
    }
    error_setg(errp, "Parameter '%s' expects a number", name);
    return false;
}
