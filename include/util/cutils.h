/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Number and value parsing for command-line options and monitor arguments.
 *
 * The qemu_strto*() family wraps strtoll()/strtoull() with QEMU's calling
 * convention: the result goes through an out-parameter and the return value
 * is 0 on success or a negative errno:
 *   -EINVAL  nothing to convert (NULL, empty, only whitespace, no digits),
 *            an invalid base, a '-' sign on an unsigned conversion, or
 *            trailing characters when @end is NULL;
 *   -ERANGE  the number does not fit; *out is then saturated to the
 *            nearest representable value (like strtol()).
 * Leading whitespace (isspace()) is skipped, as strtol() does; trailing
 * whitespace counts as trailing garbage.  If @end is non-NULL it receives
 * the first character after the number (or @s itself when nothing was
 * converted) and trailing characters are allowed.  On -EINVAL *out is 0.
 * @base is 0 (auto: 0x.. hex, 0.. octal, else decimal) or 2..36.
 */
#ifndef UTIL_CUTILS_H
#define UTIL_CUTILS_H

#include <stdbool.h>
#include <stdint.h>
#include "util/error.h"

int qemu_strtoi(const char *s, const char **end, int base, int *out);
int qemu_strtoui(const char *s, const char **end, int base, unsigned *out);
int qemu_strtol(const char *s, const char **end, int base, long *out);
int qemu_strtoul(const char *s, const char **end, int base, unsigned long *out);
int qemu_strtoi64(const char *s, const char **end, int base, int64_t *out);
int qemu_strtou64(const char *s, const char **end, int base, uint64_t *out);

/*
 * Parse a byte size the way QEMU's qemu_strtosz() does:
 *   "12345"    bytes (decimal)          "0x1f"  bytes (hex, no suffix/fraction)
 *   "12k" "3M" "1G" "2T" "1P" "1E"      binary multiples, suffix case-blind
 *   "512B" "512b"                       explicit bytes
 *   "1.5G" ".5M" "1.M"                  fraction with a suffix above bytes;
 *                                       the fractional byte part is truncated
 * Leading whitespace is skipped.  A fraction without a suffix (or with B) is
 * -EINVAL unless it is all zeros; exponents ("1e3") and hex with a suffix are
 * not sizes.  A '-' sign (even "-0") and values >= 2^64 give -ERANGE.
 * @end works as for qemu_strtou64().
 */
int qemu_strtosz(const char *s, const char **end, uint64_t *out);

/*
 * Accept on/yes/true/y and off/no/false/n (exact, lower case).
 * Error: "Parameter 'NAME' expects 'on' or 'off'".
 */
bool parse_bool(const char *name, const char *value, bool *out, Error **errp);

/*
 * qemu_strtosz() on the whole of @value.  Errors:
 *   "Value 'VALUE' is out of range for parameter 'NAME'"       (>= 2^64, '-')
 *   "Parameter 'NAME' expects a non-negative number below 2^64" (+ hint)
 */
bool parse_size(const char *name, const char *value, uint64_t *out,
                Error **errp);

/*
 * A whole unsigned integer in base 0 (decimal, 0x hex, 0 octal).  Errors:
 *   "Parameter 'NAME' expects a number"                (garbage, empty, '-')
 *   "Value 'VALUE' is too large for parameter 'NAME'"  (>= 2^64)
 */
bool parse_uint_full(const char *name, const char *value, uint64_t *out,
                     Error **errp);

#endif
